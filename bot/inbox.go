package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// Inbox keeps every envelope Baton acknowledges until its work is done, across processes: Slack
// never sends an acked envelope again, so what is acked must survive a crash of the process that
// acked it.
//
// Accept is called before the ack. It records the envelope under its delivery key and reports
// whether this is its first delivery; the claim it returns holds the envelope for this process,
// and comes with an error too (the envelope may have been kept all the same).
// Claimed gives the handler's context the claim: the store then marks the delivery done in the
// same transaction as the first change the handler writes, so a change is never made twice.
// Finish marks it done once the work is over, whatever it wrote. Extend renews the lease of the
// claims a live process holds, however long their envelopes wait for their turn. TakeOver hands
// out unfinished envelopes whose lease ran out (their process died), each with a fresh claim, to be
// handled again.
type Inbox interface {
	Accept(ctx context.Context, e Envelope, lease time.Duration) (claim string, first bool, err error)
	Claimed(ctx context.Context, key, claim string) context.Context
	Finish(ctx context.Context, key, claim string) error
	Extend(ctx context.Context, held map[string]string, lease time.Duration) error
	TakeOver(ctx context.Context, lease time.Duration, limit int) ([]Envelope, error)
}

// Envelope is what the inbox keeps of a Socket Mode envelope: enough to handle it again.
type Envelope struct {
	Key        string          // the delivery key: the event_id for events, else the envelope_id
	Type       string          // socketmode request type: events_api, slash_commands or interactive
	EnvelopeID string          //
	Payload    json.RawMessage // nil for view submissions, which are never handled again (see Handle)
	Claim      string          // TakeOver: the claim this process now holds
	Attempts   int             // TakeOver: how many times it has been taken, this time included
	SeenAt     time.Time       // TakeOver: when it first arrived
}

const (
	// defaultInboxLease is how long an envelope stays with a process that stopped renewing its
	// claim; a live process renews it every third of that.
	defaultInboxLease = 15 * time.Second
	inboxTimeout      = time.Second
	// maxAttempts is how many times an envelope is taken before Baton gives up on it: one that
	// keeps killing its process must not take every replica down with it, and ten processes dying
	// one after the other while holding the same envelope is far more likely to be that.
	maxAttempts     = 10
	takeOverBatch   = 100
	defaultRecovery = 5 * time.Second
)

// parseEnvelope turns a kept envelope back into the event slack-go made of it.
func parseEnvelope(e Envelope) (socketmode.Event, error) {
	req := &socketmode.Request{Type: e.Type, EnvelopeID: e.EnvelopeID, Payload: e.Payload}
	switch e.Type {
	case socketmode.RequestTypeEventsAPI:
		ev, err := slackevents.ParseEvent(e.Payload, slackevents.OptionNoVerifyToken())
		if err != nil {
			return socketmode.Event{}, fmt.Errorf("parse events_api payload: %w", err)
		}
		return socketmode.Event{Type: socketmode.EventTypeEventsAPI, Data: ev, Request: req}, nil
	case socketmode.RequestTypeSlashCommands:
		var cmd slack.SlashCommand
		if err := json.Unmarshal(e.Payload, &cmd); err != nil {
			return socketmode.Event{}, fmt.Errorf("parse slash command payload: %w", err)
		}
		return socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: cmd, Request: req}, nil
	case socketmode.RequestTypeInteractive:
		var cb slack.InteractionCallback
		if err := json.Unmarshal(e.Payload, &cb); err != nil {
			return socketmode.Event{}, fmt.Errorf("parse interaction payload: %w", err)
		}
		return socketmode.Event{Type: socketmode.EventTypeInteractive, Data: cb, Request: req}, nil
	}
	return socketmode.Event{}, fmt.Errorf("envelope type %q is not kept", e.Type)
}

// RunRecovery keeps the inbox's promises. Until ctx ends it takes over, now and then every interval
// (0: 5 s), the envelopes that another process (or an earlier run of this one) acknowledged and did
// not finish, and handles them again, oldest first. Every third of the lease, until ctx has ended
// and nothing is left in flight, it renews the claims this process holds.
func (d *Dispatcher) RunRecovery(ctx context.Context, interval time.Duration) {
	d.init()
	if d.Inbox == nil {
		return
	}
	if interval <= 0 {
		interval = defaultRecovery
	}
	go d.keepClaims(ctx)
	takeOver := time.NewTicker(interval)
	defer takeOver.Stop()
	d.recoverAll(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-takeOver.C:
			d.recoverAll(ctx)
		}
	}
}

// keepClaims renews the claims this process holds, on its own clock so that no replay or slow
// handler delays it, through shutdown until the last of them is finished or released.
func (d *Dispatcher) keepClaims(ctx context.Context) {
	t := time.NewTicker(d.lease() / 3)
	defer t.Stop()
	for range t.C {
		if ctx.Err() != nil && d.holding() == 0 {
			return
		}
		d.renew(context.WithoutCancel(ctx))
	}
}

func (d *Dispatcher) holding() int {
	d.heldMu.Lock()
	defer d.heldMu.Unlock()
	return len(d.held)
}

// recoverAll takes over batches until none is full.
func (d *Dispatcher) recoverAll(ctx context.Context) {
	for d.Recover(ctx) == takeOverBatch && ctx.Err() == nil {
	}
}

// renew extends the lease of every claim this process holds.
func (d *Dispatcher) renew(ctx context.Context) {
	d.heldMu.Lock()
	held := maps.Clone(d.held)
	d.heldMu.Unlock()
	if len(held) == 0 {
		return
	}
	rctx, cancel := context.WithTimeout(ctx, inboxTimeout)
	defer cancel()
	if err := d.Inbox.Extend(rctx, held, d.lease()); err != nil && ctx.Err() == nil {
		d.Log.Error("claims on envelopes not renewed; another process may take them over", "held", len(held), "err", err)
	}
}

// hold and release track the claims this process works under, for renew.
func (d *Dispatcher) hold(key, claim string) {
	if claim == "" {
		return
	}
	d.heldMu.Lock()
	d.held[key] = claim
	d.heldMu.Unlock()
}

func (d *Dispatcher) release(key, claim string) {
	d.heldMu.Lock()
	if d.held[key] == claim {
		delete(d.held, key)
	}
	d.heldMu.Unlock()
}

// Recover handles once more the unfinished envelopes whose lease has ended and returns how many
// it took over.
func (d *Dispatcher) Recover(ctx context.Context) int {
	d.init()
	if d.Inbox == nil {
		return 0
	}
	tctx, cancel := context.WithTimeout(ctx, inboxTimeout)
	taken, err := d.Inbox.TakeOver(tctx, d.lease(), takeOverBatch)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			d.Log.Error("unfinished envelopes not taken over", "err", err)
		}
		return 0
	}
	// The whole batch is this process's now: its claims are renewed while it waits its turn.
	for _, e := range taken {
		d.hold(e.Key, e.Claim)
	}
	for _, e := range taken {
		if ctx.Err() != nil {
			// Stopping: what is left goes back, for a live process once its lease runs out.
			d.release(e.Key, e.Claim)
			continue
		}
		d.replay(ctx, e)
	}
	return len(taken)
}

func (d *Dispatcher) replay(ctx context.Context, e Envelope) {
	log := d.Log.With("envelope_id", e.EnvelopeID, "dedupe_key", e.Key, "attempts", e.Attempts, "seen_at", e.SeenAt)
	evt, err := parseEnvelope(e)
	var jobs []job
	if err == nil {
		_, jobs = d.plan(&evt)
	}
	switch {
	case err != nil:
		log.Error("unfinished envelope cannot be read; dropped", "err", err)
	case len(jobs) == 0:
		log.Warn("unfinished envelope has nothing to handle it now; dropped")
	case e.Attempts > maxAttempts:
		log.Error("unfinished envelope failed too often; given up", "max_attempts", maxAttempts)
		if d.GaveUp != nil {
			d.run(context.WithoutCancel(ctx), job{req: jobs[0].req, route: "gave_up", h: d.GaveUp})
		}
	default:
		log.Warn("handling an envelope an earlier process acknowledged and did not finish")
		for i := range jobs {
			jobs[i].req.Replayed = true
		}
		d.inflight.Add()
		d.work(context.WithoutCancel(ctx), e.Key, e.Claim, jobs)
		return
	}
	d.finish(context.WithoutCancel(ctx), e.Key, e.Claim, log)
}

func (d *Dispatcher) lease() time.Duration {
	if d.InboxLease > 0 {
		return d.InboxLease
	}
	return defaultInboxLease
}

func (d *Dispatcher) finish(ctx context.Context, key, claim string, log *slog.Logger) {
	if d.Inbox == nil || claim == "" {
		return
	}
	defer d.release(key, claim)
	fctx, cancel := context.WithTimeout(ctx, inboxTimeout)
	defer cancel()
	if err := d.Inbox.Finish(fctx, key, claim); err != nil {
		log.Error("delivery not marked done; it may be handled again after its lease", "dedupe_key", key, "err", err)
	}
}
