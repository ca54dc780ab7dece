package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// Reconcile tuning.
const (
	// reconcilePage is how many pending jobs are read from Postgres and indexed at a time.
	reconcilePage = 1000
	// reconcileTries bounds how often one page is read again because cancels raced it.
	reconcileTries = 10
)

// reconcileLoop rebuilds the index every ReconcileEvery, and at once when a claim finds that
// Redis lost its data or an enqueue could not index its jobs.
func (s *Scheduler) reconcileLoop(ctx context.Context) {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.reconcileCh:
		}
		if _, err := s.reconcile(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "scheduler: rebuild the index from Postgres", slog.Any("err", err))
		}
	}
}

// reconcile puts every pending job of Postgres that is neither due nor leased in Redis back in
// the due set at its due time, and returns how many it put back. Parked jobs and jobs that ran
// (deleted rows) are not in Postgres as pending, so they are never put back. Entries that only
// Redis has are left alone: when claimed, Postgres does not confirm them and they end.
//
// The built marker is set first, so if Redis loses its data during the rebuild, the next claim
// finds the marker gone and asks for another one.
func (s *Scheduler) reconcile(ctx context.Context) (int, error) {
	if err := s.rdb.Set(ctx, s.keys.built, 1, 0).Err(); err != nil {
		return 0, fmt.Errorf("scheduler: reconcile: mark the index built: %w", err)
	}
	added := 0
	after := ""
	for {
		page, n, err := s.reconcilePage(ctx, after)
		if err != nil {
			return added, err
		}
		added += n
		if len(page) < reconcilePage {
			break
		}
		after = page[len(page)-1].Key
	}
	if added > 0 {
		s.log.InfoContext(ctx, "scheduler: rebuilt the index from Postgres", slog.Int("count", added))
	}
	s.observer.Rebuilt(added)
	return added, nil
}

// reconcilePage indexes the page of pending jobs after the key after. The cancels counter is read
// before Postgres: if it has moved by the time the script runs, a job of the page may have been
// cancelled since it was read, so the page is read again.
func (s *Scheduler) reconcilePage(ctx context.Context, after string) ([]JobVersion, int, error) {
	for range reconcileTries {
		cancels, err := s.rdb.Get(ctx, s.keys.cancels).Result()
		if errors.Is(err, redis.Nil) {
			cancels = "0"
		} else if err != nil {
			return nil, 0, fmt.Errorf("scheduler: reconcile: read the cancels counter: %w", err)
		}
		page, err := s.store.PendingJobsAfter(ctx, after, reconcilePage)
		if err != nil {
			return nil, 0, fmt.Errorf("scheduler: reconcile: %w", err)
		}
		if len(page) == 0 {
			return nil, 0, nil
		}
		args := make([]any, 0, 2+2*len(page))
		args = append(args, s.keys.wake, cancels)
		for _, v := range page {
			args = append(args, member(v.Key, v.Version), score(v.DueAt))
		}
		n, err := reconcileScript.Run(ctx, s.rdb, []string{s.keys.due, s.keys.lease, s.keys.cancels, s.keys.versions, s.keys.cancelled}, args...).Int()
		if err != nil {
			return nil, 0, fmt.Errorf("scheduler: reconcile: index jobs: %w", err)
		}
		if n >= 0 {
			return page, n, nil
		}
	}
	return nil, 0, errors.New("scheduler: reconcile: cancels kept racing the rebuild; the next one will catch up")
}
