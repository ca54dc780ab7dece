package main

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	baton "github.com/batonhq/baton"
)

// /metrics counts what people and Baton did, and every metric the shipped alerts and dashboard
// name exists.
func TestMetricsCountWhatHappened(t *testing.T) {
	h := newHarness(t, func(o *harnessOptions) { o.serveHTTP = true })
	card := delegated(h)
	h.changeStatus(ana, card, 1, baton.StatusInProgress)
	h.idle()

	res, err := http.Get(h.httpURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	scrape := string(body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d\n%s", res.StatusCode, scrape)
	}
	kind := "slash_commands"
	if e2eOverHTTP() {
		// HTTP mode counts Slack's requests too.
		mustHave(t, "/metrics", scrape, `baton_http_requests_total{code="200",path="/slack/commands"}`)
	}
	mustHave(t, "/metrics", scrape,
		`baton_envelopes_total{kind="`+kind+`",outcome="handled"}`,
		`baton_envelopes_total{kind="interactive",outcome="handled"}`,
		`baton_ack_seconds_count{kind="`+kind+`"}`,
		`baton_handler_seconds_count{route=`,
		`baton_slack_calls_total{method="chat.postMessage",result="ok"}`,
		`baton_slack_calls_total{method="chat.update",result="ok"}`,
		`baton_outbox_depth 0`,
		`baton_scheduler_parked_jobs 0`,
		`baton_scheduler_due_backlog`,
		`baton_scheduler_index_rebuilds_total`,
		`go_sql_open_connections{db_name="postgres"}`,
		`go_build_info`)
	for _, line := range strings.Split(scrape, "\n") {
		for _, id := range []string{ana, bea, launc} {
			if strings.HasPrefix(line, "baton_") && strings.Contains(line, id) {
				t.Errorf("a metric is labelled with a person or channel: %s", line)
			}
		}
	}

	// A labelled metric appears in a scrape once it holds a value; every registered one is described.
	known := map[string]bool{}
	descs := make(chan *prometheus.Desc, 1000)
	for _, c := range newMetrics(h.db, h.jobs).collectors {
		c.Describe(descs)
	}
	close(descs)
	fqName := regexp.MustCompile(`fqName: "([^"]+)"`)
	for d := range descs {
		if m := fqName.FindStringSubmatch(d.String()); m != nil {
			known[m[1]] = true
		}
	}
	if !known["baton_scheduler_lateness_seconds"] || !known["go_sql_wait_duration_seconds_total"] {
		t.Fatalf("the registry describes %d metrics, without the scheduler's lateness or the pool's waits", len(known))
	}
	for _, file := range []string{"../../deploy/prometheus/alerts.yaml", "../../deploy/grafana/baton.json"} {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range regexp.MustCompile(`\b(?:baton|go_sql)_[a-z_]+`).FindAllString(string(raw), -1) {
			base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_count"), "_sum")
			if !known[base] {
				t.Errorf("%s names %s, which /metrics does not have", file, name)
			}
		}
	}
}
