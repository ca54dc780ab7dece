package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/batonhq/baton/scheduler"
)

// localClock is the local workspace's clock: the real one, moved ahead by whoever tries Baton, so
// a week of reminders, nudges and check-ins can be seen in a minute.
type localClock struct {
	ahead atomic.Int64 // nanoseconds ahead of the real clock; it only grows

	// sched and idle are the running bot's, set once it runs.
	sched *scheduler.Scheduler
	idle  func(context.Context) error
	// save keeps how far ahead the clock is, so a restart does not send it back.
	save func(context.Context, time.Duration) error
}

// maxClockSteps bounds the steps of one move: a job that kept coming due again would otherwise
// hold the clock forever.
const maxClockSteps = 10_000

// settlePoll is how often a step looks again at what is still running.
const settlePoll = 5 * time.Millisecond

func (c *localClock) Now() time.Time { return time.Now().Add(time.Duration(c.ahead.Load())) }

func (c *localClock) Offset() time.Duration { return time.Duration(c.ahead.Load()) }

// moveTo sets the clock to t when t is ahead of it.
func (c *localClock) moveTo(t time.Time) {
	for {
		old := c.ahead.Load()
		want := int64(time.Until(t))
		if want <= old || c.ahead.CompareAndSwap(old, want) {
			return
		}
	}
}

// AdvanceTo moves the clock to t one due job at a time: the clock stops at each job's due time
// until that job, and everything it set off, has run; then it goes on. Things fire in the order
// they were due, each seeing its own time, as they would have over the real hours.
func (c *localClock) AdvanceTo(ctx context.Context, t time.Time) (fired int, err error) {
	if c.sched == nil {
		return 0, errors.New("Baton is still starting")
	}
	// Wherever the move stops, that is where the clock is after a restart.
	defer func() {
		if c.save != nil {
			err = errors.Join(err, c.save(context.WithoutCancel(ctx), c.Offset()))
		}
	}()
	// A job running when the clock jumps would see its lease, which is on this clock, run out,
	// and run a second time: first let what is due now finish.
	if _, err := c.settle(ctx); err != nil {
		return 0, err
	}
	for step := 0; ; step++ {
		if step == maxClockSteps {
			return fired, fmt.Errorf("more than %d scheduled things came due on the way", maxClockSteps)
		}
		next, ok, err := c.sched.NextDue(ctx)
		if err != nil {
			return fired, err
		}
		if !ok || next.After(t) {
			break
		}
		c.moveTo(next)
		n, err := c.settle(ctx)
		fired += n
		if err != nil {
			return fired, err
		}
	}
	c.moveTo(t)
	n, err := c.settle(ctx)
	return fired + n, err
}

// settle wakes the scheduler and waits until nothing due by now is left, and the bot is idle. It
// returns how many jobs were due when it began.
func (c *localClock) settle(ctx context.Context) (int, error) {
	now := c.Now()
	due, err := c.sched.Pending(ctx, now)
	if err != nil {
		return 0, err
	}
	c.sched.ClockMoved()
	tick := time.NewTicker(settlePoll)
	defer tick.Stop()
	for {
		left, err := c.sched.Pending(ctx, now)
		if err != nil {
			return int(due), err
		}
		if left == 0 {
			if err := c.idle(ctx); err != nil {
				return int(due), err
			}
			// What ran may have set off more that is due already (a reminder's follow-up).
			if left, err = c.sched.Pending(ctx, now); err != nil || left == 0 {
				return int(due), err
			}
			c.sched.ClockMoved()
		}
		select {
		case <-ctx.Done():
			return int(due), ctx.Err()
		case <-tick.C:
		}
	}
}
