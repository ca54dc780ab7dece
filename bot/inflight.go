package bot

import (
	"context"
	"fmt"
	"sync"
)

// Inflight counts work in progress so shutdown (and tests) can wait for it. Unlike sync.WaitGroup,
// Add may race with Wait, and Wait gives up when its context ends.
type Inflight struct {
	mu   sync.Mutex
	n    int
	idle chan struct{}
}

// Add records one more piece of work.
func (f *Inflight) Add() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 {
		f.idle = make(chan struct{})
	}
	f.n++
}

// Done records that one piece of work has finished.
func (f *Inflight) Done() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if f.n == 0 {
		close(f.idle)
	}
}

// Idle reports whether nothing is in progress.
func (f *Inflight) Idle() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n == 0
}

// Wait blocks until nothing is in progress or ctx ends.
func (f *Inflight) Wait(ctx context.Context) error {
	f.mu.Lock()
	if f.n == 0 {
		f.mu.Unlock()
		return nil
	}
	idle := f.idle
	f.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		f.mu.Lock()
		n := f.n
		f.mu.Unlock()
		return fmt.Errorf("%d still running: %w", n, ctx.Err())
	}
}
