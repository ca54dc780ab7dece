package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Group commit. A committed Postgres write costs about the same for one row as for dozens, so
// concurrent Enqueue and EnqueueMany calls are not written one by one: each call queues a
// request, and a flusher goroutine writes whatever has queued up as one batch, one UpsertJobs
// (one statement, one commit), while the next requests queue behind it. A call returns once its
// batch is committed: Postgres is the truth. The batch's versions then go to the indexer, one
// goroutine that adds whatever has been committed meanwhile to the Redis index in one script
// call. The flusher wakes it when it takes its next batch (after lingering, at most maxLinger) or
// finds none, so the Redis call runs while that batch's Postgres round trip is under way: this
// measured faster than indexing at once, in the moment the answered callers come back to
// enqueue again, on two cores shared with Postgres and Redis. A call that finds no flusher
// running starts one, and flushers and indexer end once there is nothing left to do, so no
// goroutine stays behind once the writes are done, and Enqueue needs neither Run nor a Close.
//
// Concurrent small calls are written one batch at a time and kept together in it (see linger):
// a second flusher would split them into two smaller batches competing for the same CPU and
// Postgres, which measured slower, not faster. Only when a full batch waits behind the one being
// written, as large EnqueueMany calls make, does a second flusher write it alongside.
//
// Batches being written share no key, and a request never overtakes an earlier one with a key in
// common: a key stays taken from the moment a flusher takes it until its version is indexed, so
// jobs under one key are written, and indexed, in the order they were queued, even when a caller
// gave up waiting.
//
// Answering before indexing is safe because nothing trusts the index alone. A worker runs a
// claimed version only if Postgres still holds it, so an older version claimed from the index
// after a reschedule was committed is dropped, not run. Cancel first waits for this process's
// enqueues of the key to be indexed; and as it deletes a version that is in neither the due nor
// the lease set, a job cancelled from another process before its index entry lands stays
// cancelled, and that entry is dropped when it is claimed. If the process dies between commit
// and index, the periodic rebuild from Postgres indexes the job (see reconcile.go).

// maxFlushers is how many batches are written at once. A second flusher starts only when a full
// batch (enqueueChunk rows) waits behind the one being written (see submit).
const maxFlushers = 2

// maxLinger bounds how long a flusher waits for the callers of its last batch to queue their
// next calls before it takes a new batch (see linger).
const maxLinger = 400 * time.Microsecond

// indexerIdle is how long the indexer waits for more work before it ends: under a steady stream
// of enqueues one indexer goroutine serves them all.
const indexerIdle = 20 * time.Millisecond

// indexTimeout bounds one index script call, made after the callers have their answer.
const indexTimeout = 10 * time.Second

// enqueueRequest is one Enqueue or EnqueueMany call waiting for its jobs to be written.
type enqueueRequest struct {
	ctx  context.Context
	rows []JobRow
	// taken is set, under the committer's lock, when a flusher takes the request; withdrawn when
	// its caller gives up before that. A request is never both.
	taken, withdrawn bool
	// versions and err are the outcome, set before done is closed.
	versions []JobVersion
	err      error
	done     chan struct{}
}

// committer queues enqueue requests and runs the flusher and the indexer.
type committer struct {
	s     *Scheduler
	mu    sync.Mutex
	queue []*enqueueRequest
	// queuedRows is how many rows the queue holds for callers still waiting.
	queuedRows int
	// arrived, while the flusher lingers, is closed by the next request queued.
	arrived chan struct{}
	// taken holds the keys from the moment a flusher takes them until they are indexed.
	taken map[string]struct{}
	// flushers is how many flusher goroutines run.
	flushers int
	// toIndex holds committed versions for the indexer, and toRelease the keys to release once
	// they are indexed; indexing is set while the indexer runs, and indexMore, while it waits
	// for work, is closed when work comes.
	toIndex   []JobVersion
	toRelease []string
	indexing  bool
	indexMore chan struct{}
	// settled is closed when no key is taken any more: everything written has been through the
	// index script. It is nil while none is taken. released, when someone waits for a key, is
	// closed by the next release.
	settled  chan struct{}
	released chan struct{}
	// prepared is UpsertJobs prepared once, when the store can (see upsertPreparer).
	prepareMu sync.Mutex
	prepared  *JobUpserter
}

// upsertPreparer is a JobStore that can prepare UpsertJobs, as *JobTable can. A prepared
// statement saves a round trip to Postgres and a parse per batch. It is prepared when the first
// batch is written and kept as long as the store.
type upsertPreparer interface {
	PrepareUpsertJobs(ctx context.Context) (*JobUpserter, error)
}

// upsert stores rows with the prepared statement, preparing it first if need be, or with
// UpsertJobs when the store cannot prepare it.
func (c *committer) upsert(ctx context.Context, rows []JobRow) ([]JobVersion, error) {
	p, ok := c.s.store.(upsertPreparer)
	if !ok {
		return c.s.store.UpsertJobs(ctx, rows)
	}
	c.prepareMu.Lock()
	if c.prepared == nil {
		u, err := p.PrepareUpsertJobs(ctx)
		if err != nil {
			c.prepareMu.Unlock()
			return nil, err
		}
		c.prepared = u
	}
	u := c.prepared
	c.prepareMu.Unlock()
	return u.UpsertJobs(ctx, rows)
}

// submit queues rows (validated, one per key) and waits until they are committed, or until ctx
// ends. A call that gives up while its jobs are being written returns ctx's error, and its jobs
// may or may not be enqueued; one that gives up before they were taken is left out.
func (c *committer) submit(ctx context.Context, rows []JobRow) ([]JobVersion, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scheduler: enqueue: %w", err)
	}
	r := &enqueueRequest{ctx: ctx, rows: rows, done: make(chan struct{})}
	c.mu.Lock()
	c.queue = append(c.queue, r)
	c.queuedRows += len(rows)
	if c.arrived != nil {
		close(c.arrived)
		c.arrived = nil
	}
	// A full batch waiting behind the one being written, as large EnqueueMany calls make, is
	// written alongside it.
	start := c.flushers == 0 || (c.flushers < maxFlushers && c.queuedRows >= enqueueChunk)
	if start {
		c.flushers++
	}
	c.mu.Unlock()
	if start {
		go c.flush()
	}
	select {
	case <-r.done:
		return r.versions, r.err
	case <-ctx.Done():
		c.mu.Lock()
		if !r.taken {
			r.withdrawn = true
			c.queuedRows -= len(r.rows)
		}
		c.mu.Unlock()
		return nil, fmt.Errorf("scheduler: enqueue: %w", ctx.Err())
	}
}

// flush writes batches until there is none to take.
func (c *committer) flush() {
	answered := 0
	for {
		c.linger(answered)
		batch := c.take()
		c.kickIndexer()
		if batch == nil {
			return
		}
		c.write(batch)
		answered = len(batch)
	}
}

// linger lets the callers answered by the last batch come back before the next batch is taken.
// Callers that enqueue one job after another, as many handlers at once do, would otherwise split
// into two groups that take turns, each written at half the size; waiting a moment for them
// keeps them in one batch. answered is how many calls the flusher's last batch answered; it
// lingers only after several, until those callers and the ones already queued are all queued,
// or for at most maxLinger. A flusher that has just started, or has just answered one call,
// does not linger, and no call waits longer than maxLinger for it.
func (c *committer) linger(answered int) {
	lingerFor(&c.mu, &c.arrived, func() int { return len(c.queue) }, answered)
}

// lingerFor is the linger of a goroutine that takes queued calls in batches, the enqueue flusher
// or the canceller: after a batch that answered several calls it waits until queued (called
// under mu) counts those calls back on top of the ones queued already, or for at most maxLinger.
// A call queued while it waits closes *arrived (under mu) and sets it to nil.
func lingerFor(mu *sync.Mutex, arrived *chan struct{}, queued func() int, answered int) {
	if answered < 2 {
		return
	}
	deadline := time.Now().Add(maxLinger)
	mu.Lock()
	want := answered + queued()
	mu.Unlock()
	for {
		mu.Lock()
		if queued() >= want {
			mu.Unlock()
			return
		}
		if *arrived == nil {
			*arrived = make(chan struct{})
		}
		ch := *arrived
		mu.Unlock()
		wait := time.Until(deadline)
		if wait <= 0 {
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-ch:
			t.Stop()
		case <-t.C:
			return
		}
	}
}

// take removes the next batch from the queue: queued requests, up to enqueueChunk rows in all
// (a larger request goes alone), that share no key with a batch being written or indexed, in
// queue order. A request never overtakes an earlier one that shares a key with it. When there is
// nothing to take it returns nil and the flusher ends; what is left waits for its keys, and the
// indexer starts a flusher when it releases them.
func (c *committer) take() []*enqueueRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	var batch []*enqueueRequest
	var skipped map[string]struct{}
	rows, kept := 0, 0
	for _, r := range c.queue {
		if r.withdrawn {
			continue
		}
		if (len(batch) > 0 && rows+len(r.rows) > enqueueChunk) || c.blocked(r, skipped) {
			if skipped == nil {
				skipped = make(map[string]struct{})
			}
			for _, row := range r.rows {
				skipped[row.Key] = struct{}{}
			}
			c.queue[kept] = r
			kept++
			continue
		}
		c.queuedRows -= len(r.rows)
		r.taken = true
		batch = append(batch, r)
		rows += len(r.rows)
	}
	clear(c.queue[kept:])
	c.queue = c.queue[:kept]
	if len(batch) == 0 {
		c.flushers--
		return nil
	}
	if c.taken == nil {
		c.taken = make(map[string]struct{})
	}
	if len(c.taken) == 0 {
		c.settled = make(chan struct{})
	}
	for _, r := range batch {
		for _, row := range r.rows {
			c.taken[row.Key] = struct{}{}
		}
	}
	return batch
}

// blocked reports whether one of r's keys is taken or is in skipped.
func (c *committer) blocked(r *enqueueRequest, skipped map[string]struct{}) bool {
	for _, row := range r.rows {
		if _, ok := c.taken[row.Key]; ok {
			return true
		}
		if _, ok := skipped[row.Key]; ok {
			return true
		}
	}
	return false
}

// write commits one batch, hands each request its outcome and passes what was committed to the
// indexer. When the batch fails, each of its requests is written again on its own, so one
// request that Postgres refuses fails alone.
func (c *committer) write(batch []*enqueueRequest) {
	keys := make([]string, 0, len(batch))
	for _, r := range batch {
		for _, row := range r.rows {
			keys = append(keys, row.Key)
		}
	}
	if len(batch) == 1 {
		r := batch[0]
		r.versions, r.err = c.store(r.ctx, r.rows)
		close(r.done)
		c.indexLater(r.versions, keys)
		return
	}
	ctxs := make([]context.Context, len(batch))
	for i, r := range batch {
		ctxs[i] = r.ctx
	}
	ctx, cancel := batchContext(ctxs)
	defer cancel()
	// One row per key, the last one queued.
	at := make(map[string]int)
	var rows []JobRow
	for _, r := range batch {
		for _, row := range r.rows {
			if i, ok := at[row.Key]; ok {
				rows[i] = row
				continue
			}
			at[row.Key] = len(rows)
			rows = append(rows, row)
		}
	}
	out, err := c.store(ctx, rows)
	if err != nil {
		if ctx.Err() == nil {
			c.s.log.Warn("scheduler: a batch of enqueues failed; writing each call on its own",
				slog.Int("calls", len(batch)), slog.Any("err", err))
		}
		for _, r := range batch {
			r.versions, r.err = c.store(r.ctx, r.rows)
			close(r.done)
			out = append(out, r.versions...)
		}
		c.indexLater(out, keys)
		return
	}
	versions := make(map[string]JobVersion, len(out))
	for _, v := range out {
		versions[v.Key] = v
	}
	for _, r := range batch {
		r.versions = make([]JobVersion, 0, len(r.rows))
		for _, row := range r.rows {
			r.versions = append(r.versions, versions[row.Key])
		}
		close(r.done)
	}
	c.indexLater(out, keys)
}

// store writes rows (one per key) to Postgres, enqueueChunk at a time, and returns the versions
// committed, also when a later chunk fails. A failed write may still have committed (the caller
// gave up during the commit, say) without its versions being known here, so it asks for a
// rebuild of the index.
func (c *committer) store(ctx context.Context, rows []JobRow) ([]JobVersion, error) {
	var out []JobVersion
	for start := 0; start < len(rows); start += enqueueChunk {
		versions, err := c.upsert(ctx, rows[start:min(start+enqueueChunk, len(rows))])
		if err != nil {
			c.s.requestReconcile()
			return out, fmt.Errorf("scheduler: enqueue: %w", err)
		}
		out = append(out, versions...)
	}
	return out, nil
}

// indexLater queues committed versions for the indexer; their keys, and the keys of rows that
// were not committed, are released once the versions are indexed. The flusher wakes the indexer
// when it takes its next batch or finds none (see kickIndexer).
func (c *committer) indexLater(versions []JobVersion, keys []string) {
	c.mu.Lock()
	c.toIndex = append(c.toIndex, versions...)
	c.toRelease = append(c.toRelease, keys...)
	c.mu.Unlock()
}

// kickIndexer starts the indexer, or wakes it, when there is work for it.
func (c *committer) kickIndexer() {
	c.mu.Lock()
	work := len(c.toIndex) > 0 || len(c.toRelease) > 0
	if work && c.indexMore != nil {
		close(c.indexMore)
		c.indexMore = nil
	}
	start := !c.indexing && work
	if start {
		c.indexing = true
	}
	c.mu.Unlock()
	if start {
		go c.index()
	}
}

// index runs the indexer: it indexes whatever has been committed since its last script call,
// releases those keys, and ends when nothing has come for indexerIdle.
func (c *committer) index() {
	for {
		c.mu.Lock()
		versions, keys := c.toIndex, c.toRelease
		c.toIndex, c.toRelease = nil, nil
		if len(versions) == 0 && len(keys) == 0 {
			more := make(chan struct{})
			c.indexMore = more
			c.mu.Unlock()
			t := time.NewTimer(indexerIdle)
			select {
			case <-more:
				t.Stop()
				continue
			case <-t.C:
			}
			c.mu.Lock()
			if c.indexMore == more {
				c.indexMore = nil
				c.indexing = false
				c.mu.Unlock()
				return
			}
			c.mu.Unlock()
			continue
		}
		c.mu.Unlock()

		for start := 0; start < len(versions); start += enqueueChunk {
			chunk := versions[start:min(start+enqueueChunk, len(versions))]
			ctx, cancel := context.WithTimeout(context.Background(), indexTimeout)
			err := c.s.index(ctx, chunk)
			cancel()
			if err != nil {
				// The jobs are stored, which is what counts: a rebuild indexes them.
				c.s.log.Warn("scheduler: jobs stored but not indexed; the next rebuild indexes them",
					slog.Int("count", len(chunk)), slog.Any("err", err))
				c.s.requestReconcile()
			}
		}

		c.mu.Lock()
		for _, k := range keys {
			delete(c.taken, k)
		}
		if len(c.taken) == 0 && c.settled != nil {
			close(c.settled)
			c.settled = nil
		}
		if c.released != nil {
			close(c.released)
			c.released = nil
		}
		// Requests skipped for these keys can go now.
		start := len(c.queue) > 0 && c.flushers == 0
		if start {
			c.flushers++
		}
		c.mu.Unlock()
		if start {
			go c.flush()
		}
	}
}

// waitIndexed waits until every committed job has been through the index script, or ctx ends.
func (c *committer) waitIndexed(ctx context.Context) error {
	c.mu.Lock()
	settled := c.settled
	c.mu.Unlock()
	if settled == nil {
		return nil
	}
	select {
	case <-settled:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("scheduler: wait for the index: %w", ctx.Err())
	}
}

// waitKey waits until no enqueue of key is being written or indexed, or ctx ends.
func (c *committer) waitKey(ctx context.Context, key string) error {
	for {
		c.mu.Lock()
		if _, ok := c.taken[key]; !ok {
			c.mu.Unlock()
			return nil
		}
		if c.released == nil {
			c.released = make(chan struct{})
		}
		released := c.released
		c.mu.Unlock()
		select {
		case <-released:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// batchContext is the context a batch of calls is carried out under, given the calls' contexts:
// it ends once every caller in the batch has given up, not when one of them does.
func batchContext(callers []context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	var waiting atomic.Int64
	waiting.Store(int64(len(callers)))
	stops := make([]func() bool, 0, len(callers))
	for _, caller := range callers {
		stops = append(stops, context.AfterFunc(caller, func() {
			if waiting.Add(-1) == 0 {
				cancel()
			}
		}))
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}
