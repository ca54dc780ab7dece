package scheduler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// gatedReads is a JobStore whose JobsByKey, the read of the versions of the keys a batch of
// cancels finds no due member for in the versions hash, reports the keys it is called with on
// entered, then waits for a token from pass before it reads.
type gatedReads struct {
	JobStore
	entered chan []string
	tokens  chan struct{}
}

func newGatedReads(inner JobStore) *gatedReads {
	return &gatedReads{JobStore: inner, entered: make(chan []string, 100), tokens: make(chan struct{}, 100)}
}

func (g *gatedReads) JobsByKey(ctx context.Context, keys []string) ([]JobStateRef, error) {
	g.entered <- slices.Clone(keys)
	<-g.tokens
	return g.JobStore.JobsByKey(ctx, keys)
}

// pass lets n reads through.
func (g *gatedReads) pass(n int) {
	for range n {
		g.tokens <- struct{}{}
	}
}

// noRead fails the test if a read has been reported and not yet waited for.
func (g *gatedReads) noRead(t *testing.T) {
	t.Helper()
	select {
	case keys := <-g.entered:
		t.Fatalf("a batch of cancels read %v from Postgres", keys)
	default:
	}
}

// waitRead waits for the next read and returns its keys, sorted.
func (g *gatedReads) waitRead(t *testing.T) []string {
	t.Helper()
	select {
	case keys := <-g.entered:
		slices.Sort(keys)
		return keys
	case <-time.After(waitTimeout):
		t.Fatal("no batch of cancels read Postgres")
		return nil
	}
}

// cancelQueued is how many Cancel calls wait in s's queue.
func cancelQueued(s *Scheduler) int {
	s.cancels.mu.Lock()
	defer s.cancels.mu.Unlock()
	return len(s.cancels.queue)
}

// cancelIdle reports whether s's canceller has nothing queued and has ended.
func cancelIdle(s *Scheduler) bool {
	s.cancels.mu.Lock()
	defer s.cancels.mu.Unlock()
	return len(s.cancels.queue) == 0 && !s.cancels.running
}

// cancelAnswer is what one Cancel call returned.
type cancelAnswer struct {
	key string
	res CancelResult
	err error
}

// cancelAsync calls Cancel in a goroutine; its answer comes on the returned channel.
func cancelAsync(ctx context.Context, s *Scheduler, key string) <-chan cancelAnswer {
	ch := make(chan cancelAnswer, 1)
	go func() {
		res, err := s.Cancel(ctx, key)
		ch <- cancelAnswer{key: key, res: res, err: err}
	}()
	return ch
}

func recvAnswer(t *testing.T, ch <-chan cancelAnswer) cancelAnswer {
	t.Helper()
	select {
	case a := <-ch:
		return a
	case <-time.After(waitTimeout):
		t.Fatal("Cancel did not return")
		return cancelAnswer{}
	}
}

// forgetVersions deletes the versions hash, as a failover to a replica that had not received it
// would: cancels then read the versions from Postgres until a rebuild.
func (e *env) forgetVersions(t *testing.T) {
	t.Helper()
	if err := e.rdb.Del(context.Background(), newKeys(e.prefix).versions).Err(); err != nil {
		t.Fatal(err)
	}
}

// holdCanceller starts a Cancel of a key of its own (there is no such job, so its version is read
// from Postgres) whose batch waits at g's gate, so that the calls made next queue up behind it. The returned release lets that batch through and waits for
// its answer.
func holdCanceller(t *testing.T, s *Scheduler, g *gatedReads) (release func()) {
	t.Helper()
	ch := cancelAsync(context.Background(), s, "holder")
	if keys := g.waitRead(t); !slices.Equal(keys, []string{"holder"}) {
		t.Fatalf("first batch read %v, want [holder]", keys)
	}
	return func() {
		t.Helper()
		g.pass(1)
		if a := recvAnswer(t, ch); a.err != nil || a.res != NotFound {
			t.Fatalf("Cancel(holder) = %v, %v, want not_found", a.res, a.err)
		}
	}
}

// waitCancelQueued waits until n Cancel calls are queued in s.
func waitCancelQueued(t *testing.T, s *Scheduler, n int) {
	t.Helper()
	eventually(t, fmt.Sprintf("%d cancels are queued", n), func() bool { return cancelQueued(s) == n })
}

// rowAndEntry reports whether key has a row in Postgres and a member in the due or lease set.
func (e *env) rowAndEntry(t *testing.T, key string) (row, entry bool) {
	t.Helper()
	ctx := context.Background()
	_, row, err := e.jobs.JobByKey(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	k := newKeys(e.prefix)
	for _, set := range []string{k.due, k.lease} {
		members, err := e.rdb.ZRange(ctx, set, 0, -1).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			if mk, _, _ := parseMember(m); mk == key {
				entry = true
			}
		}
	}
	return row, entry
}

// Concurrent cancels of one key cancel it once, whether the versions hash names its member or
// its version is read from Postgres.
func TestConcurrentCancelsOfOneKeyCancelItOnce(t *testing.T) {
	t.Parallel()
	for _, hashed := range []bool{true, false} {
		t.Run(fmt.Sprintf("versions hash %v", hashed), func(t *testing.T) {
			t.Parallel()
			testConcurrentCancelsOfOneKey(t, hashed)
		})
	}
}

func testConcurrentCancelsOfOneKey(t *testing.T, hashed bool) {
	e := newEnv(t)
	g := newGatedReads(e.jobs)
	s := e.scheduler(t, func(c *Config) { c.Store = g })
	ctx := context.Background()
	if err := s.Enqueue(ctx, Job{Kind: "x", Key: "k", TeamID: "T1", DueAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitIndexed(ctx); err != nil {
		t.Fatal(err)
	}
	if !hashed {
		e.forgetVersions(t)
	}
	release := holdCanceller(t, s, g)
	const callers = 16
	answers := make([]<-chan cancelAnswer, callers)
	for i := range answers {
		answers[i] = cancelAsync(ctx, s, "k")
	}
	waitCancelQueued(t, s, callers)
	release()
	if !hashed {
		if keys := g.waitRead(t); !slices.Equal(keys, []string{"k"}) {
			t.Fatalf("the callers' batch read %v, want the key once", keys)
		}
		g.pass(1)
	}

	got := map[CancelResult]int{}
	for _, ch := range answers {
		a := recvAnswer(t, ch)
		if a.err != nil {
			t.Fatalf("Cancel(k): %v", a.err)
		}
		got[a.res]++
	}
	if want := map[CancelResult]int{Cancelled: 1, NotFound: callers - 1}; !maps.Equal(got, want) {
		t.Fatalf("answers %v, want %v: one call cancels the job, the others find it gone", got, want)
	}
	if row, entry := e.rowAndEntry(t, "k"); row || entry {
		t.Fatalf("after the cancels: row %v, index entry %v; want neither", row, entry)
	}
	if hashed {
		g.noRead(t)
	}
	eventually(t, "the canceller ends", func() bool { return cancelIdle(s) })
	if !e.drained(t) {
		t.Fatal("something is left of the cancelled job")
	}
}

func TestOneBatchOfCancelsAnswersEachKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	g := newGatedReads(e.jobs)
	s := e.scheduler(t, func(c *Config) { c.Store = g; c.MaxAttempts = 1 })
	running, finish := make(chan struct{}), make(chan struct{})
	s.Handle("block", func(context.Context, Job) error {
		close(running)
		<-finish
		return nil
	})
	s.Handle("fail", func(context.Context, Job) error { return errFailing })
	start(t, s)
	ctx := context.Background()
	later := time.Now().Add(time.Hour)
	var pending []string
	for i := range 40 {
		pending = append(pending, fmt.Sprintf("pending:%02d", i))
	}
	jobs := []Job{{Kind: "block", Key: "running", TeamID: "T1"}, {Kind: "fail", Key: "parked", TeamID: "T1"}}
	for _, k := range pending {
		jobs = append(jobs, Job{Kind: "x", Key: k, TeamID: "T1", DueAt: later})
	}
	if err := s.EnqueueMany(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	<-running
	eventually(t, "the failing job is parked", func() bool {
		p, err := s.Parked(ctx, "T1")
		return err == nil && len(p) == 1
	})

	release := holdCanceller(t, s, g)
	want := map[string]CancelResult{"running": AlreadyRunning, "parked": Cancelled, "missing": NotFound}
	for _, k := range pending {
		want[k] = Cancelled
	}
	answers := make([]<-chan cancelAnswer, 0, len(want))
	for k := range want {
		answers = append(answers, cancelAsync(ctx, s, k))
	}
	waitCancelQueued(t, s, len(want))
	release()
	// The versions hash names the pending jobs' members; the others' versions are read from
	// Postgres, in one read.
	if keys := g.waitRead(t); !slices.Equal(keys, []string{"missing", "parked", "running"}) {
		t.Fatalf("the callers' batch read %v, want the keys that have no due member", keys)
	}
	g.pass(1)
	for _, ch := range answers {
		a := recvAnswer(t, ch)
		if a.err != nil || a.res != want[a.key] {
			t.Errorf("Cancel(%s) = %v, %v, want %v", a.key, a.res, a.err, want[a.key])
		}
	}
	for k, res := range want {
		row, entry := e.rowAndEntry(t, k)
		if wantRow := res == AlreadyRunning; row != wantRow || entry != wantRow {
			t.Errorf("%s after its cancel: row %v, index entry %v, want both %v", k, row, entry, wantRow)
		}
	}
	close(finish)
	eventually(t, "the running job is recorded", func() bool { return e.drained(t) })
	eventually(t, "the canceller ends", func() bool { return cancelIdle(s) })
}

// Concurrent cancels race workers claiming the same jobs: each answer is what happened to the
// job.
func TestConcurrentCancelsRacingClaims(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rec := newRecorder()
	client := e.racers(t, rec)
	ctx := context.Background()

	const n, callers = 400, 16
	base := time.Now().Add(200 * time.Millisecond)
	jobs := make([]Job, n)
	for i := range jobs {
		// Due one every millisecond, so claims go on while the cancels run.
		jobs[i] = Job{Kind: "race", Key: fmt.Sprintf("race:%03d", i), TeamID: "T1", DueAt: base.Add(time.Duration(i) * time.Millisecond)}
	}
	if err := client.EnqueueMany(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	answers := make(map[string]CancelResult, n)
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			for i := c; i < n; i += callers {
				key := jobs[i].Key
				// Within a millisecond of its due time: the claim lands before, during or after
				// the cancel.
				time.Sleep(time.Until(jobs[i].DueAt.Add(time.Duration(rand.IntN(2000)-1000) * time.Microsecond)))
				res, err := client.Cancel(ctx, key)
				if err != nil {
					t.Errorf("Cancel(%s): %v", key, err)
					return
				}
				mu.Lock()
				answers[key] = res
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	eventually(t, "nothing is left to fire", func() bool { return e.drained(t) })

	rec.mu.Lock()
	defer rec.mu.Unlock()
	counts := map[CancelResult]int{}
	for key, res := range answers {
		counts[res]++
		want := 1 // it ran, or runs on (AlreadyRunning), or had run (NotFound)
		if res == Cancelled {
			want = 0
		}
		if got := rec.count[key]; got != want {
			t.Errorf("%s: Cancel answered %v and the job fired %d times", key, res, got)
		}
	}
	if len(answers) != n {
		t.Fatalf("%d answers for %d cancels", len(answers), n)
	}
	t.Logf("answers: %v", counts)
}

func TestCancelledCallerLeavesItsBatchOfCancels(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	g := newGatedReads(e.jobs)
	s := e.scheduler(t, func(c *Config) { c.Store = g })
	ctx := context.Background()
	later := time.Now().Add(time.Hour)
	for _, k := range []string{"queued", "reading", "other", "alone"} {
		if err := s.Enqueue(ctx, Job{Kind: "x", Key: k, TeamID: "T1", DueAt: later}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.WaitIndexed(ctx); err != nil {
		t.Fatal(err)
	}
	// Every batch reads its versions from Postgres, so that it waits at the gate.
	e.forgetVersions(t)
	cancelled := func(a cancelAnswer) {
		t.Helper()
		if !errors.Is(a.err, context.Canceled) {
			t.Fatalf("Cancel(%s) whose caller gave up = %v, %v, want context.Canceled", a.key, a.res, a.err)
		}
	}

	// Cancelled while queued: it returns at once and its key is left out of the batch.
	release := holdCanceller(t, s, g)
	qctx, giveUp := context.WithCancel(ctx)
	queuedCall := cancelAsync(qctx, s, "queued")
	waitCancelQueued(t, s, 1)
	giveUp()
	cancelled(recvAnswer(t, queuedCall))
	release()
	if row, entry := e.rowAndEntry(t, "queued"); !row || !entry {
		t.Fatalf("a job whose cancel was given up while queued: row %v, index entry %v; want it kept", row, entry)
	}
	eventually(t, "the canceller ends", func() bool { return cancelIdle(s) })

	// Cancelled while its batch reads Postgres: it returns at once, and the batch goes on for the
	// other caller in it, cancelling both jobs whole (no row is left without its index entry).
	release = holdCanceller(t, s, g)
	rctx, giveUp := context.WithCancel(ctx)
	readingCall := cancelAsync(rctx, s, "reading")
	otherCall := cancelAsync(ctx, s, "other")
	waitCancelQueued(t, s, 2)
	release()
	if keys := g.waitRead(t); !slices.Equal(keys, []string{"other", "reading"}) {
		t.Fatalf("batch read %v, want [other reading]", keys)
	}
	giveUp()
	cancelled(recvAnswer(t, readingCall))
	g.pass(1)
	if a := recvAnswer(t, otherCall); a.err != nil || a.res != Cancelled {
		t.Fatalf("Cancel(other) in the batch of a caller who gave up = %v, %v, want cancelled", a.res, a.err)
	}
	for _, k := range []string{"reading", "other"} {
		if row, entry := e.rowAndEntry(t, k); row || entry {
			t.Fatalf("%s after its batch: row %v, index entry %v; want neither", k, row, entry)
		}
	}

	// Every caller of a batch gives up while it reads: the batch changes nothing.
	actx, giveUp := context.WithCancel(ctx)
	aloneCall := cancelAsync(actx, s, "alone")
	if keys := g.waitRead(t); !slices.Equal(keys, []string{"alone"}) {
		t.Fatalf("batch read %v, want [alone]", keys)
	}
	giveUp()
	cancelled(recvAnswer(t, aloneCall))
	g.pass(1)
	eventually(t, "the canceller ends", func() bool { return cancelIdle(s) })
	if row, entry := e.rowAndEntry(t, "alone"); !row || !entry {
		t.Fatalf("a job whose only caller gave up during the read: row %v, index entry %v; want it kept", row, entry)
	}
}

// A key the versions hash has lost (a failover, say) is cancelled through Postgres, in the same
// batch as the keys the hash names, and once.
func TestCancelOfAKeyMissingFromTheVersionsHash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	g := newGatedReads(e.jobs)
	s := e.scheduler(t, func(c *Config) { c.Store = g })
	ctx := context.Background()
	later := time.Now().Add(time.Hour)
	for _, k := range []string{"lost", "kept"} {
		if err := s.Enqueue(ctx, Job{Kind: "x", Key: k, TeamID: "T1", DueAt: later}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.WaitIndexed(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.rdb.HDel(ctx, newKeys(e.prefix).versions, "lost").Err(); err != nil {
		t.Fatal(err)
	}

	release := holdCanceller(t, s, g)
	var answers []<-chan cancelAnswer
	for range 4 {
		answers = append(answers, cancelAsync(ctx, s, "lost"))
	}
	answers = append(answers, cancelAsync(ctx, s, "kept"))
	waitCancelQueued(t, s, len(answers))
	release()
	if keys := g.waitRead(t); !slices.Equal(keys, []string{"lost"}) {
		t.Fatalf("the callers' batch read %v, want only the key missing from the versions hash", keys)
	}
	g.pass(1)
	got := map[string]map[CancelResult]int{"lost": {}, "kept": {}}
	for _, ch := range answers {
		a := recvAnswer(t, ch)
		if a.err != nil {
			t.Fatalf("Cancel(%s): %v", a.key, a.err)
		}
		got[a.key][a.res]++
	}
	want := map[string]map[CancelResult]int{"lost": {Cancelled: 1, NotFound: 3}, "kept": {Cancelled: 1}}
	for k := range want {
		if !maps.Equal(got[k], want[k]) {
			t.Errorf("answers for %s: %v, want %v", k, got[k], want[k])
		}
	}
	eventually(t, "the canceller ends", func() bool { return cancelIdle(s) })
	g.noRead(t)
	if !e.drained(t) {
		t.Fatal("something is left of the cancelled jobs")
	}
}

// The versions hash may name an older version of a job than Postgres holds, as after a
// reschedule indexed out of order by two processes: the cancel takes out what it names, deletes
// no row (the version is gone), and goes round again through Postgres.
func TestCancelWithAStaleVersionsEntry(t *testing.T) {
	t.Parallel()
	for _, staleDue := range []bool{true, false} {
		t.Run(fmt.Sprintf("stale member due %v", staleDue), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			s := e.scheduler(t, nil)
			ctx := context.Background()
			later := time.Now().Add(time.Hour)
			first, err := s.enqueue(ctx, []Job{{Kind: "x", Key: "k", TeamID: "T1", DueAt: later}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.enqueue(ctx, []Job{{Kind: "x", Key: "k", TeamID: "T1", DueAt: later.Add(time.Minute)}}); err != nil {
				t.Fatal(err)
			}
			if err := s.WaitIndexed(ctx); err != nil {
				t.Fatal(err)
			}
			k := newKeys(e.prefix)
			old := first[0].Version
			if staleDue {
				if err := e.rdb.ZAdd(ctx, k.due, redisZ(float64(later.UnixMicro()), member("k", old))).Err(); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.rdb.HSet(ctx, k.versions, "k", strconv.FormatInt(old, 36)).Err(); err != nil {
				t.Fatal(err)
			}
			if res, err := s.Cancel(ctx, "k"); err != nil || res != Cancelled {
				t.Fatalf("Cancel(k) = %v, %v, want cancelled", res, err)
			}
			if !e.drained(t) {
				t.Fatal("something is left of the cancelled job")
			}
		})
	}
}

// deleteHook is a JobStore that calls before, once, when DeleteJobs is first called.
type deleteHook struct {
	JobStore
	once   sync.Once
	before func()
}

func (d *deleteHook) DeleteJobs(ctx context.Context, refs []JobRef) ([]string, error) {
	d.once.Do(d.before)
	return d.JobStore.DeleteJobs(ctx, refs)
}

// cancelRace returns a scheduler whose first delete of job rows calls before first, with job "k"
// (kind "x") enqueued due at due and indexed, and the recorder its handler, and those of others,
// write to.
func (e *env) cancelRace(t *testing.T, due time.Time, before func(), others ...*Scheduler) (*Scheduler, *recorder) {
	t.Helper()
	ctx := context.Background()
	s := e.scheduler(t, func(c *Config) { c.Store = &deleteHook{JobStore: e.jobs, before: before} })
	rec := newRecorder()
	for _, sc := range append(others, s) {
		sc.Handle("x", rec.handle)
	}
	if err := s.Enqueue(ctx, Job{Kind: "x", Key: "k", TeamID: "T1", DueAt: due}); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitIndexed(ctx); err != nil {
		t.Fatal(err)
	}
	return s, rec
}

// cancelledForGood cancels "k" through s, expecting Cancelled, calls then (when not nil), runs the
// schedulers until nothing is left of the job, and fails if it fired.
func (e *env) cancelledForGood(t *testing.T, rec *recorder, then func(), s *Scheduler, others ...*Scheduler) {
	t.Helper()
	if res, err := s.Cancel(context.Background(), "k"); err != nil || res != Cancelled {
		t.Fatalf("Cancel(k) = %v, %v, want cancelled", res, err)
	}
	if row, _ := e.rowAndEntry(t, "k"); row {
		t.Fatal("the cancelled job is still stored")
	}
	if then != nil {
		then()
	}
	for _, sc := range append(others, s) {
		start(t, sc)
	}
	eventually(t, "nothing is left of the job", func() bool { return e.drained(t) })
	if n := rec.times("k"); n != 0 {
		t.Fatalf("the cancelled job fired %d times", n)
	}
}

// Another process reschedules a job while a cancel has taken its member out of the index but not
// yet deleted its row: the delete finds the version gone, and the cancel goes round again and
// cancels the new version, whether it is indexed already or not. A late index entry of the
// cancelled version is not indexed.
func TestCancelRacingARescheduleFromAnotherProcess(t *testing.T) {
	t.Parallel()
	for _, indexed := range []bool{true, false} {
		t.Run(fmt.Sprintf("new version indexed %v", indexed), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			other := e.scheduler(t, nil)
			ctx := context.Background()
			var late []JobVersion
			s, rec := e.cancelRace(t, time.Now().Add(time.Hour), func() {
				if indexed {
					if err := other.Enqueue(ctx, Job{Kind: "x", Key: "k", TeamID: "T1"}); err != nil {
						t.Error(err)
					}
					if err := other.WaitIndexed(ctx); err != nil {
						t.Error(err)
					}
					return
				}
				v, err := e.jobs.UpsertJobs(ctx, []JobRow{{Key: "k", TeamID: "T1", Kind: "x", DueAt: ceilMicro(time.Now())}})
				if err != nil {
					t.Error(err)
				}
				late = v
			})
			e.cancelledForGood(t, rec, func() {
				if len(late) > 0 {
					if err := other.index(ctx, late); err != nil {
						t.Fatal(err)
					}
					e.checkVersionsNameDue(t)
				}
			}, s)
		})
	}
}

// A rebuild of the index records the versions of the members it finds or puts in the due set,
// so that cancels after a failover stop reading Postgres once it has run.
func TestRebuildRestoresTheVersionsHash(t *testing.T) {
	t.Parallel()
	for _, dueLost := range []bool{true, false} {
		t.Run(fmt.Sprintf("due set lost %v", dueLost), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			g := newGatedReads(e.jobs)
			s := e.scheduler(t, func(c *Config) { c.Store = g })
			ctx := context.Background()
			later := time.Now().Add(time.Hour)
			keys := []string{"a", "b", "c"}
			for _, k := range keys {
				if err := s.Enqueue(ctx, Job{Kind: "x", Key: k, TeamID: "T1", DueAt: later}); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.WaitIndexed(ctx); err != nil {
				t.Fatal(err)
			}
			want := e.versions(t)
			if len(want) != len(keys) {
				t.Fatalf("versions hash after enqueue: %v, want the %d keys", want, len(keys))
			}
			e.forgetVersions(t)
			if dueLost {
				if err := e.rdb.Del(ctx, newKeys(e.prefix).due).Err(); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.reconcile(ctx); err != nil {
				t.Fatal(err)
			}
			if got := e.versions(t); !maps.Equal(got, want) {
				t.Fatalf("versions hash after the rebuild: %v, want %v", got, want)
			}
			for _, k := range keys {
				if res, err := s.Cancel(ctx, k); err != nil || res != Cancelled {
					t.Fatalf("Cancel(%s) = %v, %v, want cancelled", k, res, err)
				}
			}
			g.noRead(t)
			if !e.drained(t) {
				t.Fatal("something is left of the cancelled jobs")
			}
		})
	}
}

// A rebuild of the index that reads Postgres after a cancel has taken a job out of the index, and
// before the cancel has deleted its row, does not put the job back: a worker could otherwise run it
// while its cancel answers Cancelled. So does an index entry of that version from another process
// arriving late. Both hold whether the cancel found the job's version in Redis or read it from
// Postgres.
func TestNothingPutsBackAJobBeingCancelled(t *testing.T) {
	t.Parallel()
	for _, hashed := range []bool{true, false} {
		t.Run(fmt.Sprintf("version in the hash %v", hashed), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			other := e.scheduler(t, nil)
			ctx := context.Background()
			var late []JobVersion
			s, rec := e.cancelRace(t, time.Now(), func() {
				if _, err := other.reconcile(ctx); err != nil {
					t.Error(err)
				}
				if _, entry := e.rowAndEntry(t, "k"); entry {
					t.Error("a rebuild put the job being cancelled back in the index before its row was deleted")
				}
				if err := other.index(ctx, late); err != nil {
					t.Error(err)
				}
				if _, entry := e.rowAndEntry(t, "k"); entry {
					t.Error("a late index entry put the job being cancelled back before its row was deleted")
				}
				e.checkVersionsNameDue(t)
			}, other)
			late = []JobVersion{{Key: "k", Version: e.versions(t)["k"], DueAt: time.Now()}}
			if !hashed {
				if err := e.rdb.HDel(ctx, newKeys(e.prefix).versions, "k").Err(); err != nil {
					t.Fatal(err)
				}
			}
			e.cancelledForGood(t, rec, nil, s, other)
		})
	}
}
