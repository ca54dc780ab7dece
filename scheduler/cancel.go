package scheduler

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	baton "github.com/batonhq/baton"
)

// Grouped cancels. Cancelling a job takes a version of it out of the Redis index, unless a worker
// holds it, and only then deletes the row of that version. Once a version is neither due nor
// leased no worker can claim it, so the delete is final; a row deleted earlier could be claimed
// meanwhile, and its worker would run a job its caller was told was cancelled. The delete names
// the version as well as the key, so a row that changed meanwhile (rescheduled, retried or run)
// is not deleted: its key goes round again, up to cancelTries times.
//
// Which version to take out comes from the versions hash, kept next to the due set by the
// scripts that add and remove due members (scripts.go): cancelKeysScript looks up each key there
// and removes the member it names from the due set, all in one call. A key the hash has no due
// member for (the job is running, parked, not there at all, or its entry is missing, as after a
// failover, until the next rebuild) takes the longer way: its version is read from Postgres and
// cancelScript takes that member out unless a worker holds it. The hash only saves that read:
// what it names is a due member, and a stale or missing entry costs another round or the read,
// never a wrong answer, since Postgres deletes only the version that was taken out.
//
// Done call by call that is two round trips per cancel, one of them a Postgres commit. So
// concurrent Cancel calls are done together, as enqueues are (commit.go): each call queues its
// key, and a canceller goroutine takes whatever has queued up and runs the steps once for all of
// it: one script call and one DELETE, with one SELECT and a second script call for the keys the
// hash had nothing for. Before the hash every batch read Postgres first, three round trips in a
// row; the read was at most a fifth of a batch's time, and the DELETE's commit, which waits for
// the WAL to reach the disk, is most of what is left (scheduler/asynqbench/README.md has the
// numbers).
//
// One canceller runs at a time, started by the call that finds none, and it ends once the queue
// is empty. While it works on a batch the next calls queue up, and after a batch it lingers for
// the callers it has just answered (see linger), so that batches grow with the load instead of
// splitting it: 16 goroutines cancelling one job after another made batches of 8 without the
// linger and of 16 with it, at 1.4 to 1.7 times the rate. A second batch started while the
// first one's DELETE is in flight would find those callers all waiting in the first, so batches
// are not overlapped.
//
// A call that gives up (its ctx ends) before its key is taken is left out. One that gives up
// later returns at once; its batch goes on for the others. A batch whose callers have all given
// up changes nothing more; one that has changed the index finishes under a context of its own
// (at most cancelTimeout), so that a version it took out of the index is also deleted rather
// than left for the next rebuild to put back.

// cancelTries bounds how often a key is read again because its job changed under the cancel.
const cancelTries = 10

// cancelChunk is the most keys one batch of cancels reads, unindexes and deletes.
const cancelChunk = enqueueChunk

// cancelTimeout bounds the script call and the delete of one batch once the index is changed.
const cancelTimeout = 10 * time.Second

// cancelledFor is how long a member a cancel took out of the index stays in the cancelled set,
// kept from being put back (see keys.cancelled): twice what its batch may take to delete the row.
// Should the delete fail, the job is indexed again by the first rebuild after that.
const cancelledFor = 2 * cancelTimeout

// cancelRequest is one Cancel call waiting for its answer.
type cancelRequest struct {
	ctx context.Context
	key string
	// taken is set, under the canceller's lock, when the canceller takes the request; withdrawn
	// when its caller gives up before that. A request is never both.
	taken, withdrawn bool
	// res and err are the answer, set before done is closed.
	res  CancelResult
	err  error
	done chan struct{}
}

// canceller queues cancel requests and runs the goroutine that carries them out.
type canceller struct {
	s       *Scheduler
	mu      sync.Mutex
	queue   []*cancelRequest
	running bool
	// arrived, while the canceller lingers, is closed by the next request queued.
	arrived chan struct{}
}

// submit queues key and waits for its answer, or until ctx ends.
func (c *canceller) submit(ctx context.Context, key string) (CancelResult, error) {
	r := &cancelRequest{ctx: ctx, key: key, done: make(chan struct{})}
	c.mu.Lock()
	c.queue = append(c.queue, r)
	if c.arrived != nil {
		close(c.arrived)
		c.arrived = nil
	}
	start := !c.running
	c.running = true
	c.mu.Unlock()
	if start {
		go c.run()
	}
	select {
	case <-r.done:
		return r.res, r.err
	case <-ctx.Done():
		c.mu.Lock()
		if !r.taken {
			r.withdrawn = true
		}
		c.mu.Unlock()
		return NotFound, fmt.Errorf("scheduler: cancel %s: %w", key, ctx.Err())
	}
}

// run cancels batches until the queue is empty.
func (c *canceller) run() {
	for {
		batch := c.take()
		if batch == nil {
			return
		}
		c.cancel(batch)
		c.linger(len(batch))
	}
}

// linger lets the callers answered by the last batch come back before the next batch is taken,
// as the enqueue flusher does (see committer.linger), so that callers cancelling one job after
// another stay in one batch instead of splitting into two that take turns.
func (c *canceller) linger(answered int) {
	lingerFor(&c.mu, &c.arrived, func() int { return len(c.queue) }, answered)
}

// take removes up to cancelChunk requests from the queue, leaving out withdrawn ones. When there
// is none it returns nil and the canceller ends.
func (c *canceller) take() []*cancelRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	var batch []*cancelRequest
	n := 0
	for _, r := range c.queue {
		n++
		if r.withdrawn {
			continue
		}
		r.taken = true
		batch = append(batch, r)
		if len(batch) == cancelChunk {
			break
		}
	}
	rest := copy(c.queue, c.queue[n:])
	clear(c.queue[rest:])
	c.queue = c.queue[:rest]
	if len(batch) == 0 {
		c.running = false
	}
	return batch
}

// cancel carries out one batch and answers each request. Requests for the same key share its
// outcome as if they had come one after the other: when the job was cancelled, the first is
// answered Cancelled and the others NotFound.
func (c *canceller) cancel(batch []*cancelRequest) {
	ctxs := make([]context.Context, len(batch))
	byKey := make(map[string][]*cancelRequest, len(batch))
	keys := make([]string, 0, len(batch))
	for i, r := range batch {
		ctxs[i] = r.ctx
		if _, ok := byKey[r.key]; !ok {
			keys = append(keys, r.key)
		}
		byKey[r.key] = append(byKey[r.key], r)
	}
	ctx, stop := batchContext(ctxs)
	defer stop()
	outcomes := c.s.cancelKeys(ctx, keys)
	for key, reqs := range byKey {
		o := outcomes[key]
		for i, r := range reqs {
			r.res, r.err = o.res, o.err
			if o.err != nil {
				r.err = fmt.Errorf("scheduler: cancel %s: %w", key, o.err)
			}
			if i > 0 && o.res == Cancelled {
				r.res = NotFound
			}
			close(r.done)
		}
	}
}

// cancelOutcome is what cancelling one key came to.
type cancelOutcome struct {
	res CancelResult
	err error
}

// cancelKeys cancels the jobs stored under keys (distinct) and returns each key's outcome.
func (s *Scheduler) cancelKeys(ctx context.Context, keys []string) map[string]cancelOutcome {
	out := make(map[string]cancelOutcome, len(keys))
	for range cancelTries {
		if err := ctx.Err(); err != nil {
			// Every caller has given up: leave these jobs as they are.
			failKeys(out, keys, err)
			return out
		}
		keys = s.cancelRound(ctx, keys, out)
		if len(keys) == 0 {
			return out
		}
	}
	failKeys(out, keys, baton.Errorf(baton.EConflict, "The job kept changing while it was being cancelled. Try again."))
	return out
}

// failKeys records err as the outcome of keys.
func failKeys(out map[string]cancelOutcome, keys []string, err error) {
	for _, k := range keys {
		out[k] = cancelOutcome{err: err}
	}
}

// cancelRound takes the keys' jobs out of the index and deletes them, recording each key's
// outcome in out. It returns the keys whose row changed before the delete, to be cancelled again.
//
// The versions hash names the due member of most keys, and cancelKeysScript takes those out by
// key. The other keys' versions are read from Postgres first, and cancelScript takes those out by
// member unless a worker holds them. Once the index is changed the round goes on under a context
// of its own, so that what it took out of the index is also deleted.
func (s *Scheduler) cancelRound(ctx context.Context, keys []string, out map[string]cancelOutcome) []string {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
	defer cancel()
	del, misses, err := s.unindexByKey(rctx, keys)
	if err != nil {
		failKeys(out, keys, err)
		return nil
	}
	if len(misses) > 0 {
		rows, err := s.store.JobsByKey(ctx, misses)
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			failKeys(out, misses, err)
		} else if more, err := s.unindexRead(rctx, misses, rows, out); err != nil {
			failKeys(out, refKeys(more), err)
		} else {
			del = append(del, more...)
		}
	}
	if len(del) == 0 {
		return nil
	}
	deleted, err := s.store.DeleteJobs(rctx, del)
	if err != nil {
		failKeys(out, refKeys(del), err)
		return nil
	}
	gone := make(map[string]bool, len(deleted))
	for _, k := range deleted {
		gone[k] = true
	}
	var again []string
	for _, ref := range del {
		if gone[ref.Key] {
			out[ref.Key] = cancelOutcome{res: Cancelled}
			continue
		}
		again = append(again, ref.Key)
	}
	return again
}

// unindexByKey takes out of the due set the members that the versions hash names for keys, and
// returns those versions, to be deleted, and the keys it had no due member for.
func (s *Scheduler) unindexByKey(ctx context.Context, keys []string) (del []JobRef, misses []string, err error) {
	args := make([]any, 1, 1+len(keys))
	args[0] = cancelledFor.Milliseconds()
	for _, k := range keys {
		args = append(args, k)
	}
	versions, err := cancelKeysScript.Run(ctx, s.rdb, []string{s.keys.due, s.keys.versions, s.keys.cancels, s.keys.cancelled}, args...).StringSlice()
	if err == nil && len(versions) != len(keys) {
		err = fmt.Errorf("the cancel script answered for %d of %d keys", len(versions), len(keys))
	}
	if err != nil {
		return nil, nil, err
	}
	for i, k := range keys {
		v, err := strconv.ParseInt(versions[i], 36, 64)
		if versions[i] == "" || err != nil {
			misses = append(misses, k)
			continue
		}
		del = append(del, JobRef{Key: k, Version: v})
	}
	return del, misses, nil
}

// unindexRead takes the pending versions among rows, read from Postgres for keys, out of the
// index unless a worker holds them, recording the outcome of the keys that have no version to
// delete in out. It returns the versions to delete: those it took out and the parked ones; on
// error, the versions it could not tell about.
func (s *Scheduler) unindexRead(ctx context.Context, keys []string, rows []JobStateRef, out map[string]cancelOutcome) ([]JobRef, error) {
	stored := make(map[string]JobStateRef, len(rows))
	for _, r := range rows {
		stored[r.Key] = r
	}
	var pending, del []JobRef
	var members []any
	for _, k := range keys {
		r, ok := stored[k]
		switch {
		case !ok:
			out[k] = cancelOutcome{res: NotFound}
		case r.State == StatePending:
			pending = append(pending, r.JobRef)
			members = append(members, member(k, r.Version))
		default:
			// A parked job has no index entry.
			del = append(del, r.JobRef)
		}
	}
	if len(members) == 0 {
		return del, nil
	}
	args := append([]any{cancelledFor.Milliseconds()}, members...)
	removed, err := cancelScript.Run(ctx, s.rdb, []string{s.keys.due, s.keys.lease, s.keys.cancels, s.keys.versions, s.keys.cancelled}, args...).Int64Slice()
	if err == nil && len(removed) != len(members) {
		err = fmt.Errorf("the cancel script answered for %d of %d jobs", len(removed), len(members))
	}
	if err != nil {
		return append(pending, del...), err
	}
	for i, ref := range pending {
		if removed[i] == 0 {
			out[ref.Key] = cancelOutcome{res: AlreadyRunning}
			continue
		}
		del = append(del, ref)
	}
	return del, nil
}

func refKeys(refs []JobRef) []string {
	keys := make([]string, len(refs))
	for i, r := range refs {
		keys[i] = r.Key
	}
	return keys
}
