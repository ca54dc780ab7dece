package scheduler

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/redistest"
)

// cluster is the local Redis Cluster the tests run on when TEST_REDIS_CLUSTER is set: every test of
// this package then uses it as its Redis (through TEST_REDIS_URL), and the failover test kills its
// masters.
var cluster *redistest.Cluster

func TestMain(m *testing.M) {
	if os.Getenv("TEST_REDIS_CLUSTER") == "" {
		os.Exit(m.Run())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	c, err := redistest.Start(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "TEST_REDIS_CLUSTER is set, but a local Redis Cluster could not start:", err)
		os.Exit(1)
	}
	cluster = c
	_ = os.Setenv("TEST_REDIS_URL", c.URL())
	code := m.Run()
	c.Stop()
	os.Exit(code)
}

// The master holding the scheduler's keys dies while jobs are due: its replica takes over, and every
// job fires exactly once. Postgres is the truth: what the replica had not received yet is indexed
// again from it.
func TestRedisFailoverLosesNoJobAndFiresNoneTwice(t *testing.T) {
	if cluster == nil {
		t.Skip("runs on a local Redis Cluster: set TEST_REDIS_CLUSTER=1 (make test does)")
	}
	e := newEnv(t)
	rec := newRecorder()
	var stops []func()
	for range 2 {
		s := e.scheduler(t, func(c *Config) { c.ReconcileEvery = 2 * time.Second; c.Lease = 5 * time.Second })
		s.Handle("checkin", rec.handle)
		stops = append(stops, start(t, s))
	}
	const n = 400
	base := time.Now().Add(500 * time.Millisecond)
	jobs := make([]Job, n)
	for i := range jobs {
		jobs[i] = Job{Kind: "checkin", Key: fmt.Sprintf("checkin:T1:%03d", i), TeamID: "T1", DueAt: base.Add(time.Duration(i) * 15 * time.Millisecond)}
	}
	ctx := context.Background()
	if err := e.scheduler(t, nil).EnqueueMany(ctx, jobs[:n/2]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	killed, err := cluster.KillMasterOf(ctx, newKeys(e.prefix).due)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("killed master %s", killed)
	// Jobs enqueued after the failover are indexed on the new master.
	enq := e.scheduler(t, nil)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err = enq.EnqueueMany(ctx, jobs[n/2:]); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("enqueue after the failover: %v", err)
	}
	rec.waitDistinct(t, n)
	time.Sleep(time.Second)
	for _, j := range jobs {
		if got := rec.times(j.Key); got != 1 {
			t.Errorf("%s fired %d times, want once", j.Key, got)
		}
	}
	for _, stop := range stops {
		stop()
	}
}
