package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/batonhq/baton/store"
)

// Group commit. A committed Postgres write costs about the same for one row as for dozens, so
// concurrent Enqueue and EnqueueMany calls are not written one by one: each call queues a
// request, and a flusher goroutine writes whatever has queued up as one batch, one UpsertJobs
// (one statement, one commit) and one index script call, while the next requests queue behind
// it. A call that finds fewer than maxFlushers flushers running starts one, and a flusher
// returns as soon as there is nothing left to take, so no goroutine stays behind once the
// writes are done, and Enqueue needs neither Run nor a Close.
//
// Up to maxFlushers batches are written at once, so that one batch's Postgres commit overlaps
// another's Redis call. Batches being written share no key, and a request never overtakes an
// earlier one with a key in common: jobs under one key are written, and indexed, in the order
// they were queued, even when a caller gave up waiting.

// maxFlushers is how many batches are written at once.
const maxFlushers = 2

// enqueueRequest is one Enqueue or EnqueueMany call waiting for its jobs to be written.
type enqueueRequest struct {
	ctx  context.Context
	rows []store.Job
	// taken is set, under the committer's lock, when a flusher takes the request; withdrawn when
	// its caller gives up before that. A request is never both.
	taken, withdrawn bool
	// out and err are the outcome, set before done is closed.
	out  enqueued
	err  error
	done chan struct{}
}

// committer queues enqueue requests and runs the flushers.
type committer struct {
	s     *Scheduler
	mu    sync.Mutex
	queue []*enqueueRequest
	// writing holds the keys of the batches being written.
	writing map[string]struct{}
	// flushers is how many flusher goroutines run.
	flushers int
	// prepared is UpsertJobs prepared once, when the store can (see upsertPreparer).
	prepareMu sync.Mutex
	prepared  *store.JobUpserter
}

// upsertPreparer is a JobStore that can prepare UpsertJobs, as *store.DB can. A prepared
// statement saves a round trip to Postgres and a parse per batch. It is prepared when the first
// batch is written and kept as long as the store.
type upsertPreparer interface {
	PrepareUpsertJobs(ctx context.Context) (*store.JobUpserter, error)
}

// upsert stores rows with the prepared statement, preparing it first if need be, or with
// UpsertJobs when the store cannot prepare it.
func (c *committer) upsert(ctx context.Context, rows []store.Job) ([]store.JobVersion, error) {
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

// submit queues rows (validated, one per key) and waits until they are written and indexed, or
// until ctx ends. A call that gives up while its jobs are being written returns ctx's error, and
// its jobs may or may not be enqueued; one that gives up before they were taken is left out.
func (c *committer) submit(ctx context.Context, rows []store.Job) (enqueued, error) {
	if err := ctx.Err(); err != nil {
		return enqueued{}, fmt.Errorf("scheduler: enqueue: %w", err)
	}
	r := &enqueueRequest{ctx: ctx, rows: rows, done: make(chan struct{})}
	c.mu.Lock()
	c.queue = append(c.queue, r)
	start := c.flushers < maxFlushers
	if start {
		c.flushers++
	}
	c.mu.Unlock()
	if start {
		go c.flush()
	}
	select {
	case <-r.done:
		return r.out, r.err
	case <-ctx.Done():
		c.mu.Lock()
		if !r.taken {
			r.withdrawn = true
		}
		c.mu.Unlock()
		return enqueued{}, fmt.Errorf("scheduler: enqueue: %w", ctx.Err())
	}
}

// flush writes batches until there is none to take.
func (c *committer) flush() {
	for {
		batch := c.take()
		if batch == nil {
			return
		}
		c.write(batch)
		c.mu.Lock()
		for _, r := range batch {
			for _, row := range r.rows {
				delete(c.writing, row.Key)
			}
		}
		c.mu.Unlock()
	}
}

// take removes the next batch from the queue: queued requests, up to enqueueChunk rows in all
// (a larger request goes alone), that share no key with a batch being written, in queue order.
// A request never overtakes an earlier one that shares a key with it. When there is nothing to
// take it returns nil and the flusher ends; the flushers of the batches being written take what
// is left.
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
	if c.writing == nil {
		c.writing = make(map[string]struct{})
	}
	for _, r := range batch {
		for _, row := range r.rows {
			c.writing[row.Key] = struct{}{}
		}
	}
	return batch
}

// blocked reports whether one of r's keys is being written or is in skipped.
func (c *committer) blocked(r *enqueueRequest, skipped map[string]struct{}) bool {
	for _, row := range r.rows {
		if _, ok := c.writing[row.Key]; ok {
			return true
		}
		if _, ok := skipped[row.Key]; ok {
			return true
		}
	}
	return false
}

// write writes one batch and hands each request its outcome. When the batch fails, each of its
// requests is written again on its own, so one request that Postgres refuses fails alone.
func (c *committer) write(batch []*enqueueRequest) {
	if len(batch) == 1 {
		r := batch[0]
		r.out, r.err = c.s.write(r.ctx, r.rows)
		close(r.done)
		return
	}
	ctx, cancel := batchContext(batch)
	defer cancel()
	// One row per key, the last one queued.
	at := make(map[string]int)
	var rows []store.Job
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
	out, err := c.s.write(ctx, rows)
	if err != nil {
		if ctx.Err() == nil {
			c.s.log.Warn("scheduler: a batch of enqueues failed; writing each call on its own",
				slog.Int("calls", len(batch)), slog.Any("error", err))
		}
		for _, r := range batch {
			r.out, r.err = c.s.write(r.ctx, r.rows)
			close(r.done)
		}
		return
	}
	versions := make(map[string]store.JobVersion, len(out.versions))
	for _, v := range out.versions {
		versions[v.Key] = v
	}
	running := make(map[string][]string, len(out.running))
	for _, m := range out.running {
		if key, _, ok := parseMember(m); ok {
			running[key] = append(running[key], m)
		}
	}
	for _, r := range batch {
		r.out.versions = make([]store.JobVersion, 0, len(r.rows))
		for _, row := range r.rows {
			r.out.versions = append(r.out.versions, versions[row.Key])
			r.out.running = append(r.out.running, running[row.Key]...)
		}
		close(r.done)
	}
}

// batchContext is the context a batch is written under: it ends once every caller in the batch
// has given up, not when one of them does.
func batchContext(batch []*enqueueRequest) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	var waiting atomic.Int64
	waiting.Store(int64(len(batch)))
	stops := make([]func() bool, 0, len(batch))
	for _, r := range batch {
		stops = append(stops, context.AfterFunc(r.ctx, func() {
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
