package scheduler

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/pgpool"
	"github.com/batonhq/baton/internal/pgtest"
	"github.com/batonhq/baton/store/migrations"
)

// Postgres cuts the scheduler off while jobs are due: every connection it holds is terminated, and
// every new one too, for two seconds. The scheduler resumes by itself once Postgres lets it back in,
// and every job fires.
func TestPostgresCutOffMidRunLosesNoJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	schemaURL := pgtest.URL(t)
	if !strings.HasPrefix(schemaURL, "postgres") {
		t.Skip("TEST_DATABASE_URL is a key=value DSN; this test names its own sessions through a URL")
	}
	// The test's own sessions carry a name of their own, so only they are cut off.
	app := "baton-fault-" + strings.ToLower(rand.Text()[:10])
	u, err := url.Parse(schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	db, err := pgpool.Open(u.String(), 8, 8, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := migrations.Up(ctx, db.DB); err != nil {
		t.Fatal(err)
	}
	admin := pgtest.New(t)
	rdb := newRedis(t, -1)
	e := &env{db: db, jobs: NewJobTable(db), rdb: rdb, prefix: testPrefix(t, rdb)}

	rec := newRecorder()
	s := e.scheduler(t, func(c *Config) { c.Lease = 3 * time.Second })
	s.Handle("checkin", rec.handle)
	start(t, s)
	const n = 300
	base := time.Now().Add(300 * time.Millisecond)
	jobs := make([]Job, n)
	for i := range jobs {
		jobs[i] = Job{Kind: "checkin", Key: fmt.Sprintf("checkin:T1:%03d", i), TeamID: "T1", DueAt: base.Add(time.Duration(i) * 10 * time.Millisecond)}
	}
	if err := s.EnqueueMany(ctx, jobs); err != nil {
		t.Fatal(err)
	}

	time.Sleep(time.Second)
	cut := 0
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		var killed int
		if err := admin.GetContext(ctx, &killed, `SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE application_name = $1) k`, app); err != nil {
			t.Fatal(err)
		}
		cut += killed
	}
	if cut == 0 {
		t.Fatal("no session of the scheduler was cut off: the test proves nothing")
	}
	t.Logf("cut off %d sessions", cut)

	rec.waitDistinct(t, n)
	for _, j := range jobs {
		if got := rec.times(j.Key); got > 1 {
			t.Logf("%s fired %d times (its finish was cut off, and its lease ran out)", j.Key, got)
		}
	}
	var pending int
	if err := admin.GetContext(ctx, &pending, `SELECT count(*) FROM `+schemaOf(t, schemaURL)+`.jobs`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(waitTimeout)
	for pending > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		if err := admin.GetContext(ctx, &pending, `SELECT count(*) FROM `+schemaOf(t, schemaURL)+`.jobs`); err != nil {
			t.Fatal(err)
		}
	}
	if pending > 0 {
		t.Errorf("%d jobs are still in the table after every job fired", pending)
	}
}

// schemaOf reads the schema a pgtest URL's sessions use.
func schemaOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("search_path")
}
