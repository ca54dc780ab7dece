package scheduler

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/pgtest"
	"github.com/batonhq/baton/internal/redisurl"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"
)

// defaultRedisURL is the test Redis used when TEST_REDIS_URL is not set.
const defaultRedisURL = "redis://127.0.0.1:6379/0"

// flushDB is the logical database of the one test that empties Redis, so that no other test's
// keys are lost.
const flushDB = 15

// waitTimeout bounds every wait for a signal in these tests.
const waitTimeout = 20 * time.Second

// newRedis connects to the test Redis (to logical database db when db >= 0): TEST_REDIS_URL, in any
// form REDIS_URL takes, a cluster included. When it cannot be reached the test is skipped, unless CI is
// set, in which case it fails.
func newRedis(t testing.TB, db int) redis.UniversalClient {
	t.Helper()
	u := os.Getenv("TEST_REDIS_URL")
	if u == "" {
		u = defaultRedisURL
	}
	single, cluster, err := redisurl.Options(u)
	if err != nil {
		t.Fatalf("TEST_REDIS_URL: %v", err)
	}
	var rdb redis.UniversalClient
	switch {
	case cluster != nil && db >= 0:
		t.Skip("this test needs a logical database of its own, and a Redis Cluster has only one")
	case cluster != nil:
		rdb = redisurl.NewClusterClient(cluster)
	default:
		if db >= 0 {
			single.DB = db
		}
		rdb = redis.NewClient(single)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("test Redis unreachable (CI is set, so this fails): %v", err)
		}
		t.Skipf("skipping, test Redis unreachable (set TEST_REDIS_URL to run scheduler tests): %v", err)
	}
	return rdb
}

// testPrefix is a key prefix (a hash tag) of the test's own; its keys are deleted afterwards.
func testPrefix(t testing.TB, rdb redis.UniversalClient) string {
	t.Helper()
	prefix := "{bt-" + strings.ToLower(rand.Text()[:12]) + "}"
	k := newKeys(prefix)
	t.Cleanup(func() {
		_ = rdb.Del(context.Background(), k.due, k.versions, k.lease, k.cancels, k.built).Err()
	})
	return prefix
}

// env is what a scheduler test shares between its schedulers: one Postgres schema (db) and its
// job table, one Redis and one prefix.
type env struct {
	db     *sqlx.DB
	jobs   *JobTable
	rdb    redis.UniversalClient
	prefix string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	rdb := newRedis(t, -1)
	db := pgtest.New(t)
	return &env{db: db, jobs: NewJobTable(db), rdb: rdb, prefix: testPrefix(t, rdb)}
}

// scheduler returns a scheduler on the test's stores; adjust changes its config first.
func (e *env) scheduler(t testing.TB, adjust func(*Config)) *Scheduler {
	t.Helper()
	cfg := Config{Redis: e.rdb, Store: e.jobs, Prefix: e.prefix, Log: testLogger(t)}
	if adjust != nil {
		adjust(&cfg)
	}
	return New(cfg)
}

// start runs s until the returned stop is called (or the test ends) and returns once s claims
// jobs. stop returns once Run has.
func start(t testing.TB, s *Scheduler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- s.run(ctx, started) }()
	select {
	case <-started:
	case err := <-done:
		cancel()
		t.Fatalf("Run: %v", err)
	case <-time.After(waitTimeout):
		cancel()
		t.Fatal("Run did not start")
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(waitTimeout):
				t.Error("Run did not return")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// fire is one handler call.
type fire struct {
	job Job
	at  time.Time
	// deadline is the handler's deadline: the claim's time plus the lease.
	deadline time.Time
}

// recorder is a handler that records every call and forwards it on a channel.
type recorder struct {
	mu    sync.Mutex
	fires []fire
	count map[string]int
	ch    chan fire
}

func newRecorder() *recorder {
	return &recorder{count: make(map[string]int), ch: make(chan fire, 100000)}
}

func (r *recorder) handle(ctx context.Context, j Job) error {
	f := fire{job: j, at: time.Now()}
	f.deadline, _ = ctx.Deadline()
	r.mu.Lock()
	r.fires = append(r.fires, f)
	r.count[j.Key]++
	r.mu.Unlock()
	r.ch <- f
	return nil
}

func (r *recorder) times(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count[key]
}

// next waits for the next call.
func (r *recorder) next(t testing.TB) fire {
	t.Helper()
	select {
	case f := <-r.ch:
		return f
	case <-time.After(waitTimeout):
		t.Fatal("no job fired in time")
		return fire{}
	}
}

// waitDistinct waits until n distinct keys have fired.
func (r *recorder) waitDistinct(t testing.TB, n int) {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		r.mu.Lock()
		got := len(r.count)
		r.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-r.ch:
		case <-deadline:
			t.Fatalf("%d distinct jobs fired, want %d", got, n)
		}
	}
}

// eventually waits until cond holds, checking it every few milliseconds.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		<-tick.C
	}
}

// indexed returns the sizes of the due and lease sets.
func (e *env) indexed(t testing.TB) (due, leased int64) {
	t.Helper()
	k := newKeys(e.prefix)
	ctx := context.Background()
	due, err := e.rdb.ZCard(ctx, k.due).Result()
	if err != nil {
		t.Fatalf("ZCARD due: %v", err)
	}
	leased, err = e.rdb.ZCard(ctx, k.lease).Result()
	if err != nil {
		t.Fatalf("ZCARD lease: %v", err)
	}
	return due, leased
}

// stored returns how many jobs Postgres holds.
func (e *env) stored(t testing.TB) int {
	t.Helper()
	var n int
	if err := e.db.GetContext(context.Background(), &n, `SELECT count(*) FROM jobs`); err != nil {
		t.Fatalf("count jobs: %v", err)
	}
	return n
}

// drained reports whether nothing is left to fire: no rows and no index entries, the versions
// hash included.
func (e *env) drained(t testing.TB) bool {
	t.Helper()
	due, leased := e.indexed(t)
	return e.stored(t) == 0 && due == 0 && leased == 0 && len(e.versions(t)) == 0
}

// versions returns the versions hash: job key to version.
func (e *env) versions(t testing.TB) map[string]int64 {
	t.Helper()
	h, err := e.rdb.HGetAll(context.Background(), newKeys(e.prefix).versions).Result()
	if err != nil {
		t.Fatalf("HGETALL versions: %v", err)
	}
	out := make(map[string]int64, len(h))
	for k, v := range h {
		n, err := strconv.ParseInt(v, 36, 64)
		if err != nil {
			t.Fatalf("versions hash: %s = %q, not a version", k, v)
		}
		out[k] = n
	}
	return out
}

// checkVersionsNameDue fails the test unless every entry of the versions hash names a member of
// the due set.
func (e *env) checkVersionsNameDue(t testing.TB) {
	t.Helper()
	due, err := e.rdb.ZRange(context.Background(), newKeys(e.prefix).due, 0, -1).Result()
	if err != nil {
		t.Fatalf("ZRANGE due: %v", err)
	}
	members := make(map[string]bool, len(due))
	for _, m := range due {
		members[m] = true
	}
	for k, v := range e.versions(t) {
		if !members[member(k, v)] {
			t.Errorf("the versions hash names %s, which is not due", member(k, v))
		}
	}
}

// errFailing is what failing test handlers return.
var errFailing = errors.New("slack is down")

// testLogger logs to the test's output, shown when the test fails or runs with -v.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func redisZ(score float64, m string) redis.Z { return redis.Z{Score: score, Member: m} }
