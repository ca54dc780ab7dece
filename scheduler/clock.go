package scheduler

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// A clock that jumps forward (the local workspace moves Config.Now to show a week in a minute)
// steps through what comes due: NextDue says where the next step is, ClockMoved wakes the workers
// for it, and Pending says when it has all run.

// NextDue is the due time of the earliest job waiting in the index, and false when none waits.
func (s *Scheduler) NextDue(ctx context.Context) (time.Time, bool, error) {
	zs, err := s.rdb.ZRangeWithScores(ctx, s.keys.due, 0, 0).Result()
	if err != nil {
		return time.Time{}, false, fmt.Errorf("scheduler: read the next due job: %w", err)
	}
	if len(zs) == 0 {
		return time.Time{}, false, nil
	}
	return time.UnixMicro(int64(zs[0].Score)), true, nil
}

// Pending counts the jobs due by t that have not finished: those waiting in the index and those
// claimed and running.
func (s *Scheduler) Pending(ctx context.Context, t time.Time) (int64, error) {
	var due, leased *redis.IntCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		due = p.ZCount(ctx, s.keys.due, "-inf", strconv.FormatInt(t.UnixMicro(), 10))
		leased = p.ZCard(ctx, s.keys.lease)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("scheduler: count pending jobs: %w", err)
	}
	return due.Val() + leased.Val(), nil
}

// ClockMoved wakes the workers at once: Config.Now jumped forward, so jobs may be due now.
func (s *Scheduler) ClockMoved() {
	select {
	case s.wakeCh <- struct{}{}:
	default:
	}
}
