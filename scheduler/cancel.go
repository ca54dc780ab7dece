package scheduler

import (
	"context"
	"fmt"
	"sync"
	"time"

	baton "github.com/batonhq/baton"
)

// Grouped cancels. Cancelling a job takes three steps, in this order: read the version Postgres
// holds, take that version out of the Redis index unless a worker holds it (cancelScript), and
// only then delete the row. Once a version is neither due nor leased no worker can claim it, so
// the delete is final; a row deleted earlier could be claimed meanwhile, and its worker would run
// a job its caller was told was cancelled. Done call by call that is three round trips per
// cancel, one of them a Postgres commit. So concurrent Cancel calls are done together, as
// enqueues are (commit.go): each call queues its key, and a canceller goroutine takes whatever
// has queued up and runs the three steps once for all of it: one SELECT, one script call, one
// DELETE. A key whose row changed between the read and the delete (rescheduled, retried or run
// meanwhile) goes through the steps again, up to cancelTries times.
//
// One canceller runs at a time, started by the call that finds none, and it ends once the queue
// is empty. While it works on a batch the next calls queue up, and after a batch it lingers for
// the callers it has just answered (see linger), so that batches grow with the load instead of
// splitting it: 16 goroutines cancelling one job after another made batches of 8 without the
// linger and of 16 with it, at 1.4 to 1.7 times the rate.
//
// A call that gives up (its ctx ends) before its key is taken is left out. One that gives up
// later returns at once; its batch goes on for the others. The batch reads Postgres under a
// context that ends once every caller in it has given up, and once it has changed the index it
// finishes under a context of its own (at most cancelTimeout), so that a version it took out of
// the index is also deleted rather than left for the next rebuild to put back.

// cancelTries bounds how often a key is read again because its job changed under the cancel.
const cancelTries = 10

// cancelChunk is the most keys one batch of cancels reads, unindexes and deletes.
const cancelChunk = enqueueChunk

// cancelTimeout bounds the script call and the delete of one batch once the index is changed.
const cancelTimeout = 10 * time.Second

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
	fail := func(keys []string, err error) {
		for _, k := range keys {
			out[k] = cancelOutcome{err: err}
		}
	}
	for range cancelTries {
		rows, err := s.store.JobsByKey(ctx, keys)
		if err != nil {
			fail(keys, err)
			return out
		}
		if err := ctx.Err(); err != nil {
			// Every caller has given up: leave these jobs as they are.
			fail(keys, err)
			return out
		}
		again, err := s.unindexAndDelete(ctx, keys, rows, out)
		if err != nil {
			fail(again, err)
			return out
		}
		if len(again) == 0 {
			return out
		}
		keys = again
	}
	fail(keys, baton.Errorf(baton.EConflict, "The job kept changing while it was being cancelled. Try again."))
	return out
}

// unindexAndDelete takes the pending versions among rows out of the index unless a worker holds
// them, then deletes those and the parked versions, recording each key's outcome in out. It
// returns the keys whose row changed before the delete, to be read again; on error, the keys
// that got no outcome.
func (s *Scheduler) unindexAndDelete(ctx context.Context, keys []string, rows []JobStateRef, out map[string]cancelOutcome) ([]string, error) {
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
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
	defer cancel()
	if len(members) > 0 {
		removed, err := cancelScript.Run(ctx, s.rdb, []string{s.keys.due, s.keys.lease, s.keys.cancels, s.keys.versions}, members...).Int64Slice()
		if err == nil && len(removed) != len(members) {
			err = fmt.Errorf("the cancel script answered for %d of %d jobs", len(removed), len(members))
		}
		if err != nil {
			return refKeys(append(pending, del...)), err
		}
		for i, ref := range pending {
			if removed[i] == 0 {
				out[ref.Key] = cancelOutcome{res: AlreadyRunning}
				continue
			}
			del = append(del, ref)
		}
	}
	deleted, err := s.store.DeleteJobs(ctx, del)
	if err != nil {
		return refKeys(del), err
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
	return again, nil
}

func refKeys(refs []JobRef) []string {
	keys := make([]string, len(refs))
	for i, r := range refs {
		keys[i] = r.Key
	}
	return keys
}
