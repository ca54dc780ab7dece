package handlers

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/internal/logctx"
)

// OutboxStore keeps the messages changes owe until they are sent (see outbox.go).
type OutboxStore interface {
	ClaimLane(ctx context.Context, l baton.Lane, claim string, lease time.Duration) (baton.ClaimedLane, bool, error)
	ClaimLanes(ctx context.Context, claim string, lease time.Duration, limit int) ([]baton.ClaimedLane, error)
	OutgoingIn(ctx context.Context, l baton.Lane, limit int) ([]baton.Outgoing, error)
	FinishOutgoing(ctx context.Context, l baton.Lane, claim string, ids []int64, settled bool) (bool, error)
	DeferOutgoing(ctx context.Context, l baton.Lane, claim string, id int64, reason string, wait time.Duration) error
	ExtendLanes(ctx context.Context, claim string, lanes []baton.Lane, lease time.Duration) error
	LetGoLane(ctx context.Context, l baton.Lane, claim string, wait time.Duration, suspect bool) error
	LanePosts(ctx context.Context, l baton.Lane) (int, error)
}

// The outbox sends what a change owes (a card, its thread reply, direct messages) after the change
// is committed with it. Messages wait in lanes, one per channel (or per person, for what has no
// channel: a request filed from a DM); a lane is sent by one process at
// a time, the one holding its claim, in the order its messages were written and at the pace Slack
// allows in that channel, however long that takes. A process that dies leaves its lanes to be
// claimed by another once their lease ends; every post carries its outbox ID, and the process that
// takes a lane over looks in Slack for the posts the dead one made before sending them again.
type outbox struct {
	h      *Handlers
	claim  string
	lease  time.Duration
	poll   time.Duration
	stride time.Duration // Slack's pace of posts in one channel, for telling people how long a card waits

	mu       sync.Mutex
	ctx      context.Context // set by RunOutbox: until then lanes are claimed by its first poll
	stopping bool            // RunOutbox was asked to stop: no lane starts
	renewed  time.Time       // when the leases of the lanes held were last renewed
	renewing sync.Mutex      // held by the renewal under way
	running  map[baton.Lane]*laneRun
	wg       sync.WaitGroup
}

// laneRun is a lane this process is sending; more is set when a message was written to it meanwhile.
type laneRun struct{ more bool }

const (
	// maxLanes bounds the lanes one process sends at once; others wait for a free one.
	maxLanes = 128
	// laneBatch is how many messages are read from a lane at once.
	laneBatch = 50
	// stopGrace is how long a stopping process goes on sending the lanes it holds.
	stopGrace = 8 * time.Second
	// maxSendAttempts is how often a message that keeps failing is tried before it is dropped.
	maxSendAttempts = 10
)

// errLaneClosed stops sending a lane: it was deferred for a retry or is held by another process.
var errLaneClosed = errors.New("outbox lane closed")

func newOutbox(h *Handlers, lease, poll, stride time.Duration) *outbox {
	if lease <= 0 {
		lease = 15 * time.Second
	}
	if poll <= 0 {
		poll = time.Second
	}
	return &outbox{h: h, claim: baton.NewClaim(), lease: lease, poll: poll, stride: stride, running: map[baton.Lane]*laneRun{}}
}

// RunOutbox sends the outbox until ctx ends: lanes written by this process as soon as they are
// written, and every lane left waiting (by another process, a crash or a failure) at each poll.
// When ctx ends it takes no new lane and finishes the lanes it is sending, for up to stopGrace;
// what is left then stays in the outbox for the next process.
func (h *Handlers) RunOutbox(ctx context.Context) {
	o := h.outbox
	sendCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	o.mu.Lock()
	o.ctx = sendCtx
	o.mu.Unlock()
	poll, renew := time.NewTicker(o.poll), time.NewTicker(o.lease/3)
	defer poll.Stop()
	defer renew.Stop()
	for {
		o.claimWaiting(sendCtx)
		select {
		case <-ctx.Done():
			o.stop(sendCtx, cancel, renew.C)
			return
		case <-poll.C:
		case <-renew.C:
			_ = o.renew(sendCtx) // logged; sending checks freshness before each post
		}
	}
}

// stop ends sending: no lane is started any more, and those being sent get stopGrace to finish
// before their sending is cut short.
func (o *outbox) stop(ctx context.Context, cancel context.CancelFunc, renew <-chan time.Time) {
	o.mu.Lock()
	o.stopping = true
	o.mu.Unlock()
	done := make(chan struct{})
	go func() {
		o.wg.Wait()
		close(done)
	}()
	grace := time.NewTimer(stopGrace)
	defer grace.Stop()
	for {
		select {
		case <-done:
			return
		case <-renew:
			_ = o.renew(ctx) // logged; sending checks freshness before each post
		case <-grace.C:
			cancel()
		}
	}
}

// renew extends the lease of the lanes this process is sending. One renewal runs at a time.
func (o *outbox) renew(ctx context.Context) error {
	o.renewing.Lock()
	defer o.renewing.Unlock()
	return o.extend(ctx)
}

// extend renews the leases; o.renewing is held.
func (o *outbox) extend(ctx context.Context) error {
	start := time.Now()
	o.mu.Lock()
	lanes := slices.Collect(maps.Keys(o.running))
	o.mu.Unlock()
	if err := o.h.lanes.ExtendLanes(ctx, o.claim, lanes, o.lease); err != nil {
		if ctx.Err() == nil {
			o.h.logger(ctx).ErrorContext(ctx, "outbox lanes not renewed", "err", err)
		}
		return err
	}
	o.mu.Lock()
	o.renewed = start
	o.mu.Unlock()
	return nil
}

// claimWaiting takes lanes with messages that nobody is sending, as many as there is room for.
func (o *outbox) claimWaiting(ctx context.Context) {
	o.mu.Lock()
	room := maxLanes - len(o.running)
	o.mu.Unlock()
	if room <= 0 || o.isStopping() {
		return
	}
	lanes, err := o.h.lanes.ClaimLanes(ctx, o.claim, o.lease, room)
	if err != nil {
		if ctx.Err() == nil {
			o.h.logger(ctx).ErrorContext(ctx, "outbox lanes not claimed", "err", err)
		}
		return
	}
	for _, l := range lanes {
		if !o.start(l, true) {
			if err := o.h.lanes.LetGoLane(ctx, l.Lane, o.claim, 0, false); err != nil {
				o.h.logger(ctx).ErrorContext(ctx, "outbox lane not let go; it is free again when its lease ends", "lane", l.Lane.Lane, "err", err)
			}
		}
	}
}

// kick starts sending a lane a message was just written to, unless this process is sending it
// already (then it goes on) or has no room (then a poll takes it).
func (o *outbox) kick(l baton.Lane) {
	o.start(baton.ClaimedLane{Lane: l}, false)
}

// start sends a lane in a goroutine of its own; claimed says this process holds it already. It
// reports whether the lane is being sent, by that goroutine or by one already running.
func (o *outbox) start(l baton.ClaimedLane, claimed bool) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if r := o.running[l.Lane]; r != nil {
		r.more = true
		return true
	}
	if o.ctx == nil || o.stopping || len(o.running) >= maxLanes {
		return false
	}
	r := &laneRun{}
	o.running[l.Lane] = r
	o.wg.Add(1)
	go o.drain(o.ctx, l, claimed, r)
	return true
}

// drain sends a lane until it is empty and released, or until it is closed to this process.
func (o *outbox) drain(ctx context.Context, l baton.ClaimedLane, claimed bool, r *laneRun) {
	defer o.wg.Done()
	defer o.forget(l.Lane, r)
	log := o.h.log.With("team_id", l.TeamID, "lane", l.Lane.Lane)
	ctx = logctx.With(ctx, log)
	for {
		if !claimed {
			cl, ok, err := o.h.lanes.ClaimLane(ctx, l.Lane, o.claim, o.lease)
			if err != nil && ctx.Err() == nil {
				log.ErrorContext(ctx, "outbox lane not claimed", "err", err)
			}
			if !ok {
				return
			}
			l = cl
		}
		if err := o.send(ctx, l); err != nil {
			if !errors.Is(err, errLaneClosed) {
				o.letGo(ctx, l.Lane, err)
			}
			return
		}
		if !o.goOn(l.Lane, r) {
			return
		}
		claimed = false
	}
}

// letGo gives up a lane whose sending stopped short (the process stopping, or Postgres failing), for
// any process to take at its next poll; a post may have been under way, so the next holder looks
// for it in Slack first.
func (o *outbox) letGo(ctx context.Context, l baton.Lane, cause error) {
	if ctx.Err() == nil {
		o.h.logger(ctx).ErrorContext(ctx, "outbox lane left for later", "lane", l.Lane, "err", cause)
	}
	if err := o.h.lanes.LetGoLane(context.WithoutCancel(ctx), l, o.claim, o.poll, true); err != nil {
		o.h.logger(ctx).ErrorContext(ctx, "outbox lane not let go; it is free again when its lease ends", "lane", l.Lane, "err", err)
	}
}

// goOn reports whether a lane just released got a message meanwhile, to be claimed again; if not,
// the lane is no longer this process's to send, and the next kick starts it afresh.
func (o *outbox) goOn(l baton.Lane, r *laneRun) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if r.more && !o.stopping {
		r.more = false
		return true
	}
	if o.running[l] == r {
		delete(o.running, l)
	}
	return false
}

func (o *outbox) forget(l baton.Lane, r *laneRun) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.running[l] == r {
		delete(o.running, l)
	}
}

// send sends a lane's messages in order until none is left and the lane is given up. Messages are
// marked sent a batch at a time: should the process die midway, the posts it made are found in
// Slack by whoever takes the lane over (see alreadySent). A message that fails for a reason that may
// pass defers the whole lane; one Slack refuses for good, or that failed too often, is dropped.
func (o *outbox) send(ctx context.Context, cl baton.ClaimedLane) error {
	l, suspect := cl.Lane, cl.TakenOver
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		batch, err := o.h.lanes.OutgoingIn(ctx, l, laneBatch)
		if err != nil {
			return err
		}
		var (
			sent    []int64
			settled bool
		)
		cards := map[cardOf]bool{} // cards this batch drew already
		for _, m := range batch {
			if ctx.Err() != nil {
				// Stopping: what went out is marked, the rest stays for the next holder.
				if _, err := o.h.lanes.FinishOutgoing(context.WithoutCancel(ctx), l, o.claim, sent, settled); err != nil {
					return errors.Join(ctx.Err(), err)
				}
				return ctx.Err()
			}
			card, isCard := cardOfMessage(m)
			if isCard && cards[card] {
				sent = append(sent, m.ID)
				continue
			}
			if err := o.fresh(ctx, l); err != nil {
				return err
			}
			found := false
			if isPost(m) && (suspect || m.Attempts > 0) {
				var known bool
				found, known = o.h.alreadySent(ctx, &m)
				if suspect && known && !found && o.h.posts(ctx, m) {
					// The first post not in Slack: whatever a dead holder sent came before it.
					suspect, settled = false, true
				}
			}
			var err error
			if !found {
				err = o.sendOne(ctx, &m)
			}
			if err != nil && !bot.IsPermanent(err) && m.Attempts+1 < maxSendAttempts {
				return o.deferLane(ctx, l, sent, m, err)
			}
			if err != nil {
				o.h.logger(ctx).ErrorContext(ctx, "outbox message dropped", "kind", m.Kind, "outbox_id", m.ID,
					"attempts", m.Attempts+1, "err", err)
			}
			if isCard {
				cards[card] = true
			}
			// What sending learnt (where a card or a note went) holds for the messages after it.
			for i := range batch {
				if batch[i].TaskID == m.TaskID && batch[i].DecisionID == m.DecisionID && batch[i].RequestID == m.RequestID {
					batch[i].Task, batch[i].Decision, batch[i].Request = m.Task, m.Decision, m.Request
				}
			}
			sent = append(sent, m.ID)
		}
		released, err := o.h.lanes.FinishOutgoing(context.WithoutCancel(ctx), l, o.claim, sent, settled)
		switch {
		case errors.Is(err, baton.ErrLaneLost):
			return errLaneClosed
		case err != nil || released:
			return err
		}
	}
}

// deferLane marks what was sent before m, records m's failure and closes the lane until m is due
// to be tried again.
func (o *outbox) deferLane(ctx context.Context, l baton.Lane, sent []int64, m baton.Outgoing, cause error) error {
	if len(sent) > 0 {
		if _, err := o.h.lanes.FinishOutgoing(context.WithoutCancel(ctx), l, o.claim, sent, false); err != nil {
			return err
		}
	}
	wait := retryWait(m.Attempts)
	o.h.logger(ctx).WarnContext(ctx, "outbox message not sent; the lane waits to try again", "kind", m.Kind,
		"outbox_id", m.ID, "attempt", m.Attempts+1, "wait_ms", wait.Milliseconds(), "err", cause)
	if err := o.h.lanes.DeferOutgoing(ctx, l, o.claim, m.ID, cause.Error(), wait); err != nil && !errors.Is(err, baton.ErrLaneLost) {
		return err
	}
	return errLaneClosed
}

// cardOf names the card of a task, a decision or a request (its requester's status card).
type cardOf struct{ task, decision, request int64 }

// cardOfMessage reports whether m posts or redraws a card, and whose.
func cardOfMessage(m baton.Outgoing) (cardOf, bool) {
	switch m.Kind {
	case baton.AnnounceCard, baton.AnnounceDecisionCard, baton.AnnounceRequestStatus:
		return cardOf{m.TaskID, m.DecisionID, m.RequestID}, true
	}
	return cardOf{}, false
}

// isPost reports whether sending m may post a new message, which cannot be taken back, rather than
// redraw a card or send nothing (a thread reply under a card not posted).
func isPost(m baton.Outgoing) bool {
	switch m.Kind {
	case baton.AnnounceCard:
		return m.Task.CardTS == ""
	case baton.AnnounceThread:
		return m.Task.CardTS != ""
	case baton.AnnounceDecisionCard:
		return m.Decision.CardTS == ""
	case baton.AnnounceDecisionEdited, baton.AnnounceSuperseded:
		return m.Decision.CardTS != ""
	case baton.AnnounceRequestNote:
		return m.Request.ChannelTS == ""
	case baton.AnnounceRequestStatus:
		return m.Request.StatusTS == ""
	case baton.AnnounceOutcomeThread:
		return m.Request.ChannelTS != ""
	case baton.AnnounceApproverCards, baton.AnnounceStepTimers, baton.AnnounceStepDecided, baton.AnnounceTaskTimers:
		return false
	}
	return true
}

// fresh makes sure a lane is still this process's before it posts again: when the leases have not
// been renewed for half their length (Postgres slow, the process starved), it renews them now and
// checks that nobody took the lane meanwhile; if someone did, sending stops.
func (o *outbox) fresh(ctx context.Context, l baton.Lane) error {
	if !o.stale() {
		return nil
	}
	// The lanes being sent all find the leases stale at once: the first renews them for all.
	o.renewing.Lock()
	var err error
	if o.stale() {
		err = o.extend(ctx)
	}
	o.renewing.Unlock()
	if err != nil {
		return err
	}
	_, held, err := o.h.lanes.ClaimLane(ctx, l, o.claim, o.lease)
	if err == nil && !held {
		return errLaneClosed
	}
	return err
}

// stale reports whether the leases were last renewed more than half a lease ago.
func (o *outbox) stale() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return time.Since(o.renewed) > o.lease/2
}

// sendOne sends one message. It has no deadline of its own: a post waits for its channel's turn
// however long Slack's pace makes it, and stops waiting only when the process stops.
func (o *outbox) sendOne(ctx context.Context, m *baton.Outgoing) (err error) {
	defer func() {
		if p := recover(); p != nil {
			o.h.logger(ctx).ErrorContext(ctx, "outbox message panicked", "kind", m.Kind, "panic", p)
			err = errors.New("panicked")
		}
	}()
	return o.h.sendOutgoing(ctx, m)
}

// retryWait is how long a lane waits after a message's attempt-th failure: 1 s doubling to 5 min.
func retryWait(attempt int) time.Duration {
	return min(time.Second<<min(attempt, 9), 5*time.Minute)
}

func (o *outbox) isStopping() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.stopping
}

// idle reports whether this process is sending no lane.
func (o *outbox) idle() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.running) == 0
}
