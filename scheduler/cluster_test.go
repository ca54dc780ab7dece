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

// The master holding the scheduler's keys dies while jobs are due: its replica takes over and no job
// is lost. Postgres is the truth: what the replica had not received yet is indexed again from it, at
// once, not at the next periodic rebuild. Redis replicates after answering, so a claim the dead
// master had not passed on may let a job due then run again (jobs are at least once); every job
// enqueued after the failover fires exactly once.
func TestRedisFailoverLosesNoJob(t *testing.T) {
	if cluster == nil {
		t.Skip("runs on a local Redis Cluster: set TEST_REDIS_CLUSTER=1 (make test does)")
	}
	e := newEnv(t)
	rec := newRecorder()
	var stops []func()
	for range 2 {
		s := e.scheduler(t, func(c *Config) { c.Lease = 5 * time.Second })
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
	for i, j := range jobs {
		switch got := rec.times(j.Key); {
		case got == 0:
			t.Errorf("%s never fired", j.Key)
		case got > 1 && i >= n/2:
			t.Errorf("%s, enqueued after the failover, fired %d times", j.Key, got)
		case got > 1:
			t.Logf("%s, due around the failover, fired %d times", j.Key, got)
		}
	}
	for _, stop := range stops {
		stop()
	}
}
