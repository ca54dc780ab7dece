package browsertest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The local workspace's measures (benchmarks, not timed tests):
//
//	cd cmd/baton/browsertest && go test -run '^$' -bench . -benchtime 1x -count 5
//
// BenchmarkPageWeight: what the first screen downloads, uncompressed. BenchmarkDrawChannel500: from a
// click on a channel of 500 messages to its last message drawn, read, fetched and drawn. BenchmarkMemory10kMessages: the
// baton process's resident memory with 10,000 messages in the workspace.

// fill posts n messages to a channel as Maya and returns the last one's ts.
func fill(b *testing.B, bt *baton, channel string, n int) string {
	b.Helper()
	var last string
	for i := range n {
		res := bt.post(b, "send", map[string]any{"as": maya, "channel": channel, "text": fmt.Sprintf("Status note %d: *all* on track, see <https://example.com|the plan>", i+1)})
		if res["ok"] != true {
			b.Fatalf("message %d: %v", i+1, res)
		}
		last, _ = res["ts"].(string)
	}
	return last
}

func BenchmarkPageWeight(b *testing.B) {
	bt := startBaton(b)
	ctx := browser(b)
	var kb float64
	b.ResetTimer()
	for range b.N {
		run(b, ctx, "open the page", chromedp.Navigate(bt.url+"/#as="+maya), waitConversation(general))
		// Every resource but the event stream, which stays open.
		bytes, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`
			performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
				.filter(e => !e.name.includes('/local/api/events'))
				.reduce((n, e) => n + e.decodedBodySize, 0)`))
		if err != nil {
			b.Fatal(err)
		}
		kb = bytes / 1024
	}
	b.ReportMetric(kb, "KB")
}

func BenchmarkDrawChannel500(b *testing.B) {
	bt := startBaton(b)
	last := fill(b, bt, general, 500)
	ctx := browser(b)
	run(b, ctx, "open the page", chromedp.Navigate(bt.url+"/#as="+maya), waitConversation(launch))
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		run(b, ctx, "open #launch", open(launch), waitMessage(launch, "T-1"))
		b.StartTimer()
		run(b, ctx, "draw #general", chromedp.Click(conversation(general)), chromedp.WaitVisible(fmt.Sprintf(`[data-ts="%s"]`, last)))
	}
	b.StopTimer()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('main [data-ts]').length`))
	if err != nil || n < 500 {
		b.Fatalf("#general shows %d messages (%v); want 500", n, err)
	}
}

func BenchmarkMemory10kMessages(b *testing.B) {
	for range b.N {
		bt := startBaton(b)
		before := rssMB(b, bt.pid)
		fill(b, bt, general, 10_000)
		b.ReportMetric(before, "rss-seeded-MB")
		b.ReportMetric(rssMB(b, bt.pid), "rss-10k-MB")
		bt.stop()
	}
}

// rssMB is a process's resident memory in MiB.
func rssMB(b *testing.B, pid int) float64 {
	b.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatal("no VmRSS in /proc/<pid>/status")
	return 0
}
