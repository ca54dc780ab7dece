package scheduler

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/logctx"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// What a job's handler logs says which job it was.
func TestHandlerLogsCarryTheJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var out lockedBuffer
	s := e.scheduler(t, func(c *Config) { c.Log = slog.New(slog.NewTextHandler(&out, nil)) })
	done := make(chan struct{})
	s.Handle("digest.send", func(ctx context.Context, j Job) error {
		logctx.From(ctx, slog.New(slog.DiscardHandler)).InfoContext(ctx, "digest sent")
		close(done)
		return nil
	})
	start(t, s)
	if err := s.EnqueueMany(context.Background(), []Job{{Kind: "digest.send", Key: "digest:T9:UANA", TeamID: "T9", DueAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the job did not run")
	}
	var line string
	for l := range strings.SplitSeq(out.String(), "\n") {
		if strings.Contains(l, "digest sent") {
			line = l
		}
	}
	for _, want := range []string{"job_kind=digest.send", "job_key=digest:T9:UANA", "team_id=T9"} {
		if !strings.Contains(line, want) {
			t.Errorf("the handler's line lacks %s: %q", want, line)
		}
	}
}
