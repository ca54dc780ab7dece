package scheduler

import (
	"context"
	"sync/atomic"
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

// A clock moved forward by hours fires what came due on the way at once, when told: NextDue says
// where the next step is, Pending when it has all run.
func TestAClockMovedForwardFiresWhatCameDueOnTheWay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	// A long idle sleep: only the wake-up can make the jobs fire within the test's wait.
	s := e.scheduler(t, func(c *Config) { c.Now, c.Idle = clock, time.Hour })
	rec := newRecorder()
	s.Handle("probe", rec.handle)
	ctx := context.Background()
	inTwo, inFive := clock().Add(2*time.Hour), clock().Add(5*time.Hour)
	for key, due := range map[string]time.Time{"probe:2h": inTwo, "probe:5h": inFive} {
		if err := s.Enqueue(ctx, Job{Kind: "probe", Key: key, TeamID: "T1", DueAt: due}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.WaitIndexed(ctx); err != nil {
		t.Fatal(err)
	}
	start(t, s)

	next, ok, err := s.NextDue(ctx)
	if err != nil || !ok || !next.Equal(ceilMicro(inTwo)) {
		t.Fatalf("NextDue = %v, %v, %v; want the job due in two hours, %v", next, ok, err, inTwo)
	}
	if n, err := s.Pending(ctx, next); err != nil || n != 1 {
		t.Fatalf("Pending by the first step = %d, %v; want 1", n, err)
	}
	offset.Store(int64(3 * time.Hour))
	s.ClockMoved()
	if f := rec.next(t); f.job.Key != "probe:2h" {
		t.Fatalf("%s fired after the clock moved three hours; want probe:2h", f.job.Key)
	}
	eventually(t, "the fired job to finish", func() bool {
		n, err := s.Pending(ctx, clock())
		return err == nil && n == 0
	})
	if got := rec.times("probe:5h"); got != 0 {
		t.Errorf("the job due in five hours fired %d times three hours on; want 0", got)
	}
	if next, ok, err := s.NextDue(ctx); err != nil || !ok || !next.Equal(ceilMicro(inFive)) {
		t.Errorf("NextDue after the first step = %v, %v, %v; want %v", next, ok, err, inFive)
	}
}
