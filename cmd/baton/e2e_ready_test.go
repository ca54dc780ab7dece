package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// An orchestrator asks /healthz whether the process lives and /readyz whether it can serve: Postgres
// answers with every migration, Redis answers, and Slack's requests can arrive (the socket is up, or
// in HTTP mode, Baton serves).
func TestReadyzSaysWhenBatonCanServe(t *testing.T) {
	h := newHarness(t, func(o *harnessOptions) { o.serveHTTP = true })
	get := h.httpGet
	if code, body := get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d %q", code, body)
	}
	// Slack's hello reaches the bot just after the double saw the socket open: ask until it has.
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	code, body := get("/readyz")
	for code != http.StatusOK {
		select {
		case <-deadline:
			t.Fatalf("/readyz of a running bot: %d %q", code, body)
		case <-tick.C:
		}
		code, body = get("/readyz")
	}
	if !strings.HasPrefix(body, "ready") {
		t.Errorf("/readyz answered %q; want ready", body)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if res, err := http.Get(h.httpURL + "/readyz"); err == nil {
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			t.Error("/readyz of a stopped bot answered ready")
		}
	}
}
