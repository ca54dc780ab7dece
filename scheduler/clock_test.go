package scheduler

import (
	"context"
	"testing"
	"time"
)

// A scheduler whose clock runs behind the real one (as in tests that replay a past day) still gives
// its handlers their whole lease: the lease is measured on the scheduler's clock, the handler's
// deadline on the real one.
func TestHandlersGetTheirLeaseWhateverTheSchedulersClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	past := time.Now().Add(-6 * time.Hour).Truncate(time.Second)
	s := e.scheduler(t, func(c *Config) { c.Now = func() time.Time { return past } })
	got := make(chan error, 1)
	s.Handle("probe", func(ctx context.Context, _ Job) error {
		deadline, _ := ctx.Deadline()
		if ctx.Err() != nil || time.Until(deadline) < s.lease/2 {
			got <- ctx.Err()
			return nil
		}
		got <- nil
		return nil
	})
	start(t, s)
	if err := s.Enqueue(context.Background(), Job{Kind: "probe", Key: "probe:1", TeamID: "T1", DueAt: past}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("the handler started with its context already over: %v", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("the job did not run")
	}
}
