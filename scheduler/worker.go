package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/batonhq/baton/internal/logctx"
	"github.com/redis/go-redis/v9"
)

// Tuning of the worker side.
const (
	// errorPause is the wait before trying Redis or Postgres again after a failure.
	errorPause = time.Second
	// maxRecoverSleep bounds the recoverer's sleep, so an expired lease is found within this
	// long of expiring (shorter leases shorten it to the lease).
	maxRecoverSleep = 5 * time.Second
	// ackers is how many goroutines record fired jobs in Postgres at once. One: the fires that
	// queue up while a batch is recorded go in the next, so batches grow with the load, while
	// several ackers split the same fires into more, smaller commits (measured: 4 ackers
	// recorded 100,000 fires at 33-34k jobs/s, one at 41-43k).
	ackers = 1
	// finishTimeout bounds recording one batch of fired jobs.
	finishTimeout = 30 * time.Second
)

// Run makes this process a worker until ctx ends: it rebuilds the Redis index from Postgres,
// claims due jobs and runs their handlers, moves expired leases back to due, and rebuilds the
// index every ReconcileEvery. The first rebuild comes before any claim when Redis has lost its
// data since the last one (or none was ever made), and runs alongside the claims otherwise.
// When ctx ends it stops claiming and returns once the jobs in progress have finished and been
// recorded. It returns an error only when it cannot start: Run is already running, or the
// wake-up subscription, the check of the index or a first rebuild that comes before claims
// fails.
func (s *Scheduler) Run(ctx context.Context) error {
	return s.run(ctx, nil)
}

// run is Run; started, when not nil, is closed once the scheduler listens for wake-ups and
// claims jobs.
func (s *Scheduler) run(ctx context.Context, started chan<- struct{}) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("scheduler: Run is already running")
	}
	defer s.running.Store(false)

	wake := s.rdb.Subscribe(ctx, s.keys.wake)
	if _, err := wake.Receive(ctx); err != nil {
		s.closeWake(wake)
		return fmt.Errorf("scheduler: subscribe to wake-ups: %w", err)
	}
	// When the built marker is still there, Redis has kept the index since it was last rebuilt:
	// claim at once and rebuild in the background. Otherwise rebuild it before claiming.
	built, err := s.rdb.Exists(ctx, s.keys.built).Result()
	if err != nil {
		s.closeWake(wake)
		return fmt.Errorf("scheduler: check the index: %w", err)
	}
	if built == 1 {
		s.requestReconcile()
	} else if _, err := s.reconcile(ctx); err != nil {
		s.closeWake(wake)
		return err
	}

	w := &workers{
		s:     s,
		slots: make(chan struct{}, s.workers),
		acks:  make(chan JobRef, 2*s.batch),
	}
	for range s.workers {
		w.slots <- struct{}{}
	}
	var loops, ackLoops sync.WaitGroup
	loops.Go(func() { s.listen(wake.Channel()) })
	loops.Go(func() { s.reconcileLoop(ctx) })
	loops.Go(func() { s.recoverLoop(ctx) })
	for range ackers {
		ackLoops.Go(w.ackLoop)
	}
	if started != nil {
		close(started)
	}
	w.dispatch(ctx)

	w.inflight.Wait()
	close(w.acks)
	ackLoops.Wait()
	s.closeWake(wake)
	loops.Wait()
	return nil
}

func (s *Scheduler) closeWake(wake *redis.PubSub) {
	if err := wake.Close(); err != nil {
		s.log.Warn("scheduler: close wake-up subscription", slog.Any("err", err))
	}
}

// listen turns wake-up messages from every process into nudges. It returns when the
// subscription is closed.
func (s *Scheduler) listen(msgs <-chan *redis.Message) {
	for msg := range msgs {
		if due, err := strconv.ParseInt(msg.Payload, 10, 64); err == nil {
			s.nudge(due)
		}
	}
}

// workers claims due jobs and runs them, at most len(slots) at a time.
type workers struct {
	s *Scheduler
	// slots holds a token per free worker.
	slots chan struct{}
	// acks carries jobs that ran successfully to the ack loops.
	acks     chan JobRef
	inflight sync.WaitGroup
}

// acquire takes at least one free slot (waiting for one) and up to most. It returns 0 when ctx
// ends first.
func (w *workers) acquire(ctx context.Context, most int) int {
	select {
	case <-w.slots:
	case <-ctx.Done():
		return 0
	}
	n := 1
	for n < most {
		select {
		case <-w.slots:
			n++
		default:
			return n
		}
	}
	return n
}

func (w *workers) release(n int) {
	for range n {
		w.slots <- struct{}{}
	}
}

// dispatch claims due jobs whenever workers are free and sleeps until the next due time, or
// until an earlier job is announced, when nothing is due. It returns when ctx ends.
func (w *workers) dispatch(ctx context.Context) {
	s := w.s
	// redisFailed is set while claims fail. Redis that answers again may be another one (a replica
	// that took over, a restart) missing what was indexed last: the index is rebuilt at once then,
	// rather than at the next periodic rebuild.
	redisFailed := false
	for {
		n := w.acquire(ctx, s.batch)
		if n == 0 {
			return
		}
		if ctx.Err() != nil {
			w.release(n)
			return
		}
		s.sleepUntil.Store(math.MaxInt64)
		now := s.now()
		deadline := now.Add(s.lease)
		// Not abandoned halfway when ctx ends: what it claims is run.
		res, err := claimScript.Run(context.WithoutCancel(ctx), s.rdb, []string{s.keys.due, s.keys.lease, s.keys.built, s.keys.versions},
			now.UnixMicro(), deadline.UnixMicro(), n).Slice()
		if err != nil {
			w.release(n)
			redisFailed = true
			s.log.ErrorContext(ctx, "scheduler: claim due jobs", slog.Any("err", err))
			if !sleepCtx(ctx, errorPause) {
				return
			}
			continue
		}
		if built, _ := res[0].(int64); built == 0 || redisFailed {
			redisFailed = false
			s.requestReconcile()
		}
		claimed := make([]string, 0, len(res)-2)
		for _, m := range res[2:] {
			if str, ok := m.(string); ok {
				claimed = append(claimed, str)
			}
		}
		w.release(n - len(claimed))
		if len(claimed) > 0 {
			w.start(ctx, now, deadline, claimed)
			continue
		}

		until := now.Add(s.idle).UnixMicro()
		if next, ok := parseScore(res[1]); ok {
			until = min(until, next)
		}
		s.sleepUntil.Store(until)
		if s.onIdle != nil {
			s.onIdle(until)
		}
		if !w.sleep(ctx, time.Duration(until-s.now().UnixMicro())*time.Microsecond) {
			return
		}
	}
}

// sleep waits for d, a nudge or the end of ctx, and reports whether ctx is still alive.
func (w *workers) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-w.s.wakeCh:
	case <-ctx.Done():
		return false
	}
	return true
}

// start loads the claimed members' jobs from Postgres and runs the current versions; it holds
// one slot per member. A member whose version Postgres no longer holds is stale (rescheduled,
// cancelled or already run): its lease is simply ended.
func (w *workers) start(ctx context.Context, now, deadline time.Time, claimed []string) {
	s := w.s
	// The members are leased now: load them even if ctx has just ended, so they run rather than
	// wait for their leases to expire.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.lease)
	defer cancel()

	keys := make([]string, 0, len(claimed))
	for _, m := range claimed {
		if key, _, ok := parseMember(m); ok {
			keys = append(keys, key)
		}
	}
	rows, err := s.store.PendingJobs(lctx, keys)
	if err != nil {
		s.log.ErrorContext(ctx, "scheduler: load claimed jobs", slog.Int("count", len(claimed)), slog.Any("err", err))
		// Hand them back, due now (they were due already), for another try.
		back := make([]releaseEntry, len(claimed))
		for i, m := range claimed {
			back[i] = releaseEntry{leased: m, next: m, due: now}
		}
		s.releaseLeases(lctx, back)
		w.release(len(claimed))
		sleepCtx(ctx, errorPause)
		return
	}
	current := make(map[string]JobRow, len(rows))
	for _, r := range rows {
		current[r.Key] = r
	}

	var stale []releaseEntry
	running := 0
	for _, m := range claimed {
		key, version, ok := parseMember(m)
		r, found := current[key]
		switch {
		case !ok || !found || r.Version != version:
			stale = append(stale, releaseEntry{leased: m})
		case r.DueAt.After(now):
			// The index said due but the truth says later: never fire early, put it back.
			stale = append(stale, releaseEntry{leased: m, next: m, due: r.DueAt})
		default:
			running++
			w.inflight.Add(1)
			go w.runJob(ctx, r, deadline)
		}
	}
	if len(stale) > 0 {
		s.releaseLeases(lctx, stale)
	}
	w.release(len(claimed) - running)
}

// runJob runs one job's handler, then records the outcome. It holds a slot until the outcome is
// handed over, so a slow Postgres slows claiming rather than piling up work.
func (w *workers) runJob(ctx context.Context, r JobRow, deadline time.Time) {
	defer w.inflight.Done()
	defer w.release(1)
	s := w.s
	j := jobOf(r)
	// The lease is on the scheduler's clock (Config.Now); a context deadline is on the real one, so
	// the handler gets what is left of the lease as a timeout.
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deadline.Sub(s.now()))
	late := s.now().Sub(j.DueAt)
	err := s.call(hctx, j)
	cancel()
	s.observer.Ran(j.Kind, late, err)
	ref := JobRef{Key: r.Key, Version: r.Version}
	if err == nil {
		w.acks <- ref
		return
	}
	s.fail(context.WithoutCancel(ctx), j, ref, err)
}

// call runs the handler of j's kind, turning a panic into an error.
func (s *Scheduler) call(ctx context.Context, j Job) (err error) {
	h := s.handler(j.Kind)
	if h == nil {
		return fmt.Errorf("no handler for job kind %q", j.Kind)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
			s.log.ErrorContext(ctx, "scheduler: handler panicked", slog.String("job_kind", j.Kind),
				slog.String("job_key", j.Key), slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
		}
	}()
	return h(logctx.WithAttrs(ctx, s.log, slog.String("job_kind", j.Kind), slog.String("job_key", j.Key), slog.String("team_id", j.TeamID)), j)
}

// fail records a failed run: the job is retried after a backoff or, after MaxAttempts failures,
// parked. If Postgres cannot be reached the lease is left to expire, and the job runs again.
func (s *Scheduler) fail(ctx context.Context, j Job, ref JobRef, runErr error) {
	park := j.Attempt >= s.maxAttempts
	wait := s.backoff(j.Attempt)
	ctx, cancel := context.WithTimeout(ctx, finishTimeout)
	defer cancel()
	v, ok, err := s.store.FailJob(ctx, ref, runErr.Error(), ceilMicro(s.now().Add(wait)), park)
	if err != nil {
		s.log.ErrorContext(ctx, "scheduler: record failed job", slog.String("job_kind", j.Kind),
			slog.String("job_key", j.Key), slog.Any("err", err))
		return
	}
	leased := member(ref.Key, ref.Version)
	switch {
	case !ok:
		// Rescheduled or cancelled while it ran: the new version, if any, is indexed already.
		s.releaseLeases(ctx, []releaseEntry{{leased: leased}})
	case park:
		s.observer.Parked(j.Kind)
		s.log.WarnContext(ctx, "scheduler: job parked after failing too often", slog.String("job_kind", j.Kind),
			slog.String("job_key", j.Key), slog.String("team_id", j.TeamID), slog.Int("attempt", j.Attempt),
			slog.Any("err", runErr))
		s.releaseLeases(ctx, []releaseEntry{{leased: leased}})
	default:
		s.log.WarnContext(ctx, "scheduler: job failed, will retry", slog.String("job_kind", j.Kind),
			slog.String("job_key", j.Key), slog.Int("attempt", j.Attempt), slog.Duration("retry_in", wait),
			slog.Any("err", runErr))
		s.releaseLeases(ctx, []releaseEntry{{leased: leased, next: member(v.Key, v.Version), due: v.DueAt}})
	}
}

// releaseEntry ends the lease on leased and, when next is set, indexes next at due.
type releaseEntry struct {
	leased string
	next   string
	due    time.Time
}

// releaseLeases ends leases in one script call. On failure the leases expire on their own.
func (s *Scheduler) releaseLeases(ctx context.Context, entries []releaseEntry) {
	args := make([]any, 0, 1+3*len(entries))
	args = append(args, s.keys.wake)
	earliest := int64(math.MaxInt64)
	for _, e := range entries {
		due := ""
		if e.next != "" {
			due = score(e.due)
			earliest = min(earliest, e.due.UnixMicro())
		}
		args = append(args, e.leased, e.next, due)
	}
	if err := releaseScript.Run(ctx, s.rdb, []string{s.keys.due, s.keys.lease, s.keys.versions}, args...).Err(); err != nil {
		s.log.WarnContext(ctx, "scheduler: end leases; they will expire instead", slog.Int("count", len(entries)),
			slog.Any("err", err))
		return
	}
	s.nudge(earliest)
}

// ackLoop records jobs that ran, in batches: whatever has queued up while the previous batch was
// written goes in the next. It returns when acks is closed and drained.
func (w *workers) ackLoop() {
	s := w.s
	batch := make([]JobRef, 0, s.batch)
	for ref := range w.acks {
		batch = append(batch[:0], ref)
	more:
		for len(batch) < s.batch {
			select {
			case ref, ok := <-w.acks:
				if !ok {
					break more
				}
				batch = append(batch, ref)
			default:
				break more
			}
		}
		s.finish(batch)
	}
}

// finish deletes a batch of fired jobs from Postgres, then ends their leases. If Postgres fails,
// the leases are left to expire and the jobs run again: a fire counts once it is recorded.
func (s *Scheduler) finish(batch []JobRef) {
	ctx, cancel := context.WithTimeout(context.Background(), finishTimeout)
	defer cancel()
	if _, err := s.store.FinishJobs(ctx, batch); err != nil {
		s.log.ErrorContext(ctx, "scheduler: record fired jobs; they will run again when their leases expire",
			slog.Int("count", len(batch)), slog.Any("err", err))
		return
	}
	members := make([]any, len(batch))
	for i, r := range batch {
		members[i] = member(r.Key, r.Version)
	}
	if err := s.rdb.ZRem(ctx, s.keys.lease, members...).Err(); err != nil {
		// The rows are gone, so when these leases expire the claims find nothing to run.
		s.log.WarnContext(ctx, "scheduler: end leases of fired jobs", slog.Int("count", len(batch)), slog.Any("err", err))
	}
}

// recoverLoop moves expired leases back to due: the jobs of workers that died run again. It
// sleeps until the earliest lease deadline, at most recoverIdle.
func (s *Scheduler) recoverLoop(ctx context.Context) {
	const limit = 1000
	longest := s.recoverIdle
	for {
		now := s.now()
		res, err := recoverScript.Run(ctx, s.rdb, []string{s.keys.lease, s.keys.due, s.keys.versions},
			now.UnixMicro(), s.keys.wake, limit).Slice()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.ErrorContext(ctx, "scheduler: recover expired leases", slog.Any("err", err))
			if !sleepCtx(ctx, errorPause) {
				return
			}
			continue
		}
		moved, _ := res[0].(int64)
		if moved > 0 {
			s.log.WarnContext(ctx, "scheduler: leases expired, jobs will run again", slog.Int64("count", moved))
			s.nudge(now.UnixMicro())
			if moved == limit {
				continue
			}
		}
		wait := longest
		if next, ok := parseScore(res[1]); ok {
			wait = min(wait, time.Duration(next-now.UnixMicro())*time.Microsecond)
		}
		if !sleepCtx(ctx, max(wait, time.Millisecond)) {
			return
		}
	}
}

// sleepCtx waits for d or the end of ctx, and reports whether ctx is still alive.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
