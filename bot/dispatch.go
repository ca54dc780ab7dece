package bot

import (
	"container/list"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/batonhq/baton/internal/logctx"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

const (
	defaultWorkTimeout   = 30 * time.Second
	defaultSubmitTimeout = 2500 * time.Millisecond
	defaultMaxConcurrent = 32

	// Slack redelivers an unacked event up to about five minutes later; remember keys longer.
	seenTTL      = 15 * time.Minute
	seenCapacity = 10000
)

// Dispatcher applies Baton's ack policy to Socket Mode envelopes and runs their handlers.
//
// An envelope something handles is kept in the Inbox (which also de-duplicates it across
// processes), then acked, then handled in its own goroutine with a deadline (WorkTimeout), a
// request logger and panic recovery, and marked done. View submissions are the exception: their
// handler runs before the ack, under SubmitTimeout, and its return value is the ack payload.
// Handle never blocks on the inbox or on handler work.
//
// The zero value with a Router is ready to use. Once Wait has given up (shutdown), handlers
// started afterwards get an already-cancelled context.
type Dispatcher struct {
	Router     *Router
	Inbox      Inbox         // nil: envelopes live in memory only, and only the in-process set de-duplicates
	InboxLease time.Duration // how long a claim this process stopped renewing holds before another process may take it over; 0: 15s
	// GaveUp, when set, is told of a request whose envelope Baton gave up on (see Recover), so the
	// person who asked for it can hear that it did not happen.
	GaveUp        Handler
	Log           *slog.Logger  // nil: slog.Default()
	WorkTimeout   time.Duration // 0: 30s
	SubmitTimeout time.Duration // 0: 2.5s
	// MaxConcurrent bounds handlers running at once; the rest wait their turn, so a burst cannot
	// starve the socket reader and the acks. 0: 32.
	MaxConcurrent int
	// Observer hears of every envelope, ack and handler run; nil: nobody.
	Observer Observer

	once     sync.Once
	heldMu   sync.Mutex
	held     map[string]string // delivery key → claim, of the envelopes this process works on
	seen     *seenSet
	slots    chan struct{}
	inflight Inflight
	abort    context.Context
	abortAll context.CancelFunc
}

func (d *Dispatcher) init() {
	d.once.Do(func() {
		d.seen = newSeenSet(seenCapacity, seenTTL, time.Now)
		d.held = map[string]string{}
		if d.MaxConcurrent <= 0 {
			d.MaxConcurrent = defaultMaxConcurrent
		}
		if d.Observer == nil {
			d.Observer = noObserver{}
		}
		d.slots = make(chan struct{}, d.MaxConcurrent)
		d.abort, d.abortAll = context.WithCancel(context.Background())
		if d.Router == nil {
			d.Router = NewRouter()
		}
		if d.Log == nil {
			d.Log = slog.Default()
		}
		if d.WorkTimeout <= 0 {
			d.WorkTimeout = defaultWorkTimeout
		}
		if d.SubmitTimeout <= 0 {
			d.SubmitTimeout = defaultSubmitTimeout
		}
	})
}

// Handle acks and dispatches one Socket Mode event. ack sends the envelope's ack with an
// optional payload; it is called at most once. Lifecycle events (connecting, hello, …) are
// ignored: they are the socket loop's business. ctx supplies values for handler contexts;
// its cancellation does not cancel work already started (see Wait).
func (d *Dispatcher) Handle(ctx context.Context, evt socketmode.Event, ack func(payload any) error) {
	d.init()
	// Counted from before the ack, so whoever sees the ack and then waits for idle also waits for the work.
	d.inflight.Add()
	defer d.inflight.Done()
	defer func() {
		if p := recover(); p != nil {
			ref := NewRef()
			d.Log.Error("dispatch panicked", "ref", ref, "event_type", string(evt.Type), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()

	switch evt.Type {
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
		if evt.Request == nil {
			d.Log.Warn("envelope without request; cannot ack", "event_type", string(evt.Type))
			return
		}
	case socketmode.EventTypeErrorBadMessage:
		d.handleBadMessage(evt, ack)
		return
	default:
		d.Log.Debug("not an envelope; nothing to dispatch", "event_type", string(evt.Type))
		return
	}

	env := evt.Request
	arrived, send := time.Now(), ack
	ack = func(payload any) error {
		d.Observer.Acked(env.Type, time.Since(arrived))
		return send(payload)
	}
	if cb, ok := evt.Data.(slack.InteractionCallback); ok && cb.Type == slack.InteractionTypeViewSubmission {
		d.handleSubmission(ctx, env, &cb, ack)
		return
	}
	key, jobs := d.plan(&evt)
	if len(jobs) == 0 {
		d.Observer.Envelope(env.Type, OutcomeUnrouted)
		d.sendAck(env.EnvelopeID, ack, nil)
		return
	}
	if !d.newInProcess(key, env.EnvelopeID) {
		d.Observer.Envelope(env.Type, OutcomeDuplicate)
		d.sendAck(env.EnvelopeID, ack, nil)
		return
	}
	// The envelope is kept in the inbox before it is acked, off the socket reader's path.
	base := context.WithoutCancel(ctx)
	d.inflight.Add()
	go func() {
		claim, first := d.accept(base, Envelope{Key: key, Type: env.Type, EnvelopeID: env.EnvelopeID, Payload: env.Payload}, jobs[0].req.Log)
		d.sendAck(env.EnvelopeID, ack, nil)
		if !first {
			d.Observer.Envelope(env.Type, OutcomeDuplicate)
			d.inflight.Done()
			return
		}
		d.Observer.Envelope(env.Type, OutcomeHandled)
		d.work(base, key, claim, jobs)
	}()
}

// Wait blocks until every handler started by Handle has returned, or ctx is done. When ctx
// ends first, the contexts of the handlers still running are cancelled and Wait returns an
// error naming how many were left.
func (d *Dispatcher) Wait(ctx context.Context) error {
	d.init()
	if err := d.inflight.Wait(ctx); err != nil {
		d.abortAll()
		return fmt.Errorf("handlers: %w", err)
	}
	return nil
}

// Idle reports whether no envelope is being handled right now.
func (d *Dispatcher) Idle() bool { return d.inflight.Idle() }

// plan routes an envelope: its delivery key, and the handlers to run for it, in order. It is
// empty for what nothing handles (a bot's own message, an unrouted event).
func (d *Dispatcher) plan(evt *socketmode.Event) (string, []job) {
	env := evt.Request
	switch data := evt.Data.(type) {
	case slackevents.EventsAPIEvent:
		return d.planEvent(env, &data)
	case slack.SlashCommand:
		return d.planCommand(env, &data)
	case slack.InteractionCallback:
		return d.planInteraction(env, &data)
	}
	d.Log.Warn("envelope with unexpected data; acked and dropped", "envelope_id", env.EnvelopeID, "event_type", string(evt.Type), "data_type", fmt.Sprintf("%T", evt.Data))
	return "", nil
}

func (d *Dispatcher) planCommand(env *socketmode.Request, cmd *slack.SlashCommand) (string, []job) {
	cleanCommand(cmd)
	req := &Request{
		Kind: KindCommand, EnvelopeID: env.EnvelopeID,
		TeamID: cmd.TeamID, UserID: cmd.UserID, ChannelID: cmd.ChannelID,
		Command: cmd,
	}
	h, route, ok := d.Router.command(cmd.Command)
	if !ok {
		d.unrouted(req, "command", cmd.Command)
		return "", nil
	}
	return envelopeKey(env.EnvelopeID), []job{d.newJob(req, route, h)}
}

func (d *Dispatcher) planInteraction(env *socketmode.Request, cb *slack.InteractionCallback) (string, []job) {
	cleanInteraction(cb)
	base := Request{
		EnvelopeID: env.EnvelopeID,
		TeamID:     cb.Team.ID, UserID: cb.User.ID, ChannelID: interactionChannel(cb),
		Interaction: cb,
	}
	key := envelopeKey(env.EnvelopeID)
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		var jobs []job
		for _, a := range cb.ActionCallback.BlockActions {
			req := base
			req.Kind, req.Action = KindAction, a
			h, route, ok := d.Router.action(a.ActionID)
			if !ok {
				d.unrouted(&req, "action_id", a.ActionID)
				continue
			}
			jobs = append(jobs, d.newJob(&req, route, h))
		}
		return key, jobs
	case slack.InteractionTypeViewClosed:
		base.Kind = KindViewClosed
		return key, d.route(&base, "view_closed callback_id", cb.View.CallbackID, d.Router.viewClosed)
	case slack.InteractionTypeShortcut:
		base.Kind = KindShortcut
		return key, d.route(&base, "shortcut callback_id", cb.CallbackID, d.Router.shortcut)
	case slack.InteractionTypeMessageAction:
		base.Kind = KindMessageShortcut
		return key, d.route(&base, "message shortcut callback_id", cb.CallbackID, d.Router.shortcut)
	}
	d.unrouted(&base, "interaction type", string(cb.Type))
	return "", nil
}

func (d *Dispatcher) planEvent(env *socketmode.Request, ev *slackevents.EventsAPIEvent) (string, []job) {
	req := &Request{
		Kind: KindEvent, EnvelopeID: env.EnvelopeID, TeamID: ev.TeamID,
		Event: ev, RetryAttempt: env.RetryAttempt,
	}
	key := envelopeKey(env.EnvelopeID)
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		req.EventID = cb.EventID
		req.UserID, req.ChannelID = eventUserChannel(cb.InnerEvent)
		if cb.EventID != "" {
			key = "event:" + cb.EventID
		}
	}
	eventType := ev.InnerEvent.Type
	if eventType == "" {
		eventType = ev.Type
	}
	if botID := botAuthor(ev); botID != "" {
		d.Log.Debug("ignoring bot-authored message", "envelope_id", env.EnvelopeID, "event_id", req.EventID, "bot_id", botID)
		return "", nil
	}
	cleanEvent(ev)
	return key, d.route(req, "event type", eventType, d.Router.event)
}

func (d *Dispatcher) route(req *Request, what, name string, lookup func(string) (Handler, string, bool)) []job {
	h, route, ok := lookup(name)
	if !ok {
		d.unrouted(req, what, name)
		return nil
	}
	return []job{d.newJob(req, route, h)}
}

func (d *Dispatcher) unrouted(req *Request, what, name string) {
	d.Log.Debug("no route; acked and dropped", "envelope_id", req.EnvelopeID, "team_id", req.TeamID, "user_id", req.UserID, "kind", req.Kind.String(), "unrouted", what, "name", name)
}

type job struct {
	req   *Request
	route string
	h     Handler
}

func (d *Dispatcher) newJob(req *Request, route string, h Handler) job {
	req.Log = requestLogger(d.Log, req, route)
	return job{req: req, route: route, h: h}
}

// accept keeps an envelope in the inbox and reports whether it is new. When the inbox can't be
// reached the envelope is handled anyway, in memory: a rare duplicate beats a lost request.
func (d *Dispatcher) accept(ctx context.Context, e Envelope, log *slog.Logger) (claim string, first bool) {
	if d.Inbox == nil {
		return "", true
	}
	actx, cancel := d.workContext(ctx, inboxTimeout)
	defer cancel()
	claim, first, err := d.Inbox.Accept(actx, e, d.lease())
	if err != nil {
		// It may have been kept all the same: the work runs under the claim, which finishes it then.
		log.Error("envelope not kept in the inbox; handling it in memory only", "dedupe_key", e.Key, "err", err)
		d.hold(e.Key, claim)
		return claim, true
	}
	if !first {
		// The claim is nobody's: whoever kept the envelope first holds it.
		log.Debug("duplicate delivery dropped", "dedupe_key", e.Key, "seen_by", "store")
		return "", false
	}
	d.hold(e.Key, claim)
	return claim, true
}

// work runs jobs, in order, with the delivery's claim in their context, then marks the delivery
// done. The caller has counted it in d.inflight.
func (d *Dispatcher) work(base context.Context, key, claim string, jobs []job) {
	defer d.inflight.Done()
	d.slots <- struct{}{}
	defer func() { <-d.slots }()
	ctx := base
	if claim != "" {
		ctx = d.Inbox.Claimed(base, key, claim)
	}
	for _, j := range jobs {
		if d.abort.Err() != nil {
			break
		}
		d.run(ctx, j)
	}
	if d.abort.Err() != nil {
		// Shutdown cut the work short: the delivery stays unfinished, for a live process to take
		// over once its lease runs out.
		d.release(key, claim)
		return
	}
	// The claimed context lets the inbox see that a transaction of the work already marked it done.
	d.finish(ctx, key, claim, jobs[0].req.Log)
}

func (d *Dispatcher) run(base context.Context, j job) {
	ctx, cancel := d.workContext(base, d.WorkTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			logPanic(j.req.Log, p)
		}
	}()
	start := time.Now()
	failed := true
	defer func() {
		d.Observer.Handled(j.route, time.Since(start), failed || ctx.Err() == context.DeadlineExceeded)
	}()
	j.h(logctx.With(ctx, j.req.Log), j.req)
	failed = false
	j.req.Log.Debug("handled", "duration_ms", time.Since(start).Milliseconds())
}

type submitResult struct {
	payload any
	ref     string // set when the handler panicked
}

func (d *Dispatcher) handleSubmission(ctx context.Context, env *socketmode.Request, cb *slack.InteractionCallback, ack func(any) error) {
	cleanInteraction(cb)
	req := &Request{
		Kind: KindViewSubmission, EnvelopeID: env.EnvelopeID,
		TeamID: cb.Team.ID, UserID: cb.User.ID,
		Interaction: cb,
	}
	h, route, ok := d.Router.submission(cb.View.CallbackID)
	if !ok {
		d.Observer.Envelope(env.Type, OutcomeUnrouted)
		d.sendAck(env.EnvelopeID, ack, nil)
		d.unrouted(req, "view_submission callback_id", cb.View.CallbackID)
		return
	}
	key := envelopeKey(env.EnvelopeID)
	if !d.newInProcess(key, env.EnvelopeID) {
		d.Observer.Envelope(env.Type, OutcomeDuplicate)
		d.sendAck(env.EnvelopeID, ack, nil)
		return
	}
	req.Log = requestLogger(d.Log, req, route)
	base := context.WithoutCancel(ctx)
	d.inflight.Add()
	go func() {
		defer d.inflight.Done()
		sctx, cancel := d.workContext(base, d.SubmitTimeout)
		defer cancel()
		// A submission is kept for de-duplication only: one not acked in time showed the person an
		// error, so it is never handled again later.
		claim, first := d.accept(sctx, Envelope{Key: key, Type: env.Type, EnvelopeID: env.EnvelopeID}, req.Log)
		if !first {
			d.Observer.Envelope(env.Type, OutcomeDuplicate)
			d.sendAck(env.EnvelopeID, ack, nil)
			return
		}
		d.Observer.Envelope(env.Type, OutcomeHandled)
		started := time.Now()
		defer d.finish(base, key, claim, req.Log)
		hctx := sctx
		if claim != "" {
			hctx = d.Inbox.Claimed(sctx, key, claim)
		}
		result := make(chan submitResult, 1)
		d.inflight.Add()
		go func() {
			defer d.inflight.Done()
			defer func() {
				if p := recover(); p != nil {
					result <- submitResult{ref: logPanic(req.Log, p)}
				}
			}()
			result <- submitResult{payload: h(logctx.With(hctx, req.Log), req)}
		}()
		var payload any
		select {
		case res := <-result:
			payload = res.payload
			d.Observer.Handled(route, time.Since(started), res.ref != "")
			if res.ref != "" {
				payload = failedSubmission(cb, fmt.Sprintf("Something went wrong on our side (ref %s). Please try again.", res.ref))
			}
		case <-sctx.Done():
			d.Observer.Handled(route, time.Since(started), true)
			ref := NewRef()
			req.Log.Error("view submission not handled in time; acking with an error", "ref", ref, "timeout_ms", d.SubmitTimeout.Milliseconds(), "err", sctx.Err())
			payload = failedSubmission(cb, fmt.Sprintf("This is taking longer than it should (ref %s). Please try again.", ref))
		}
		d.sendAck(env.EnvelopeID, ack, payload)
	}()
}

// failedSubmission keeps the modal open with a message under its first input block, so the
// user keeps what they typed. Without an input block there is nowhere to show it: the ack is empty.
func failedSubmission(cb *slack.InteractionCallback, msg string) any {
	for _, b := range cb.View.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok && in.BlockID != "" {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{in.BlockID: msg})
		}
	}
	return nil
}

func (d *Dispatcher) handleBadMessage(evt socketmode.Event, ack func(any) error) {
	bad, ok := evt.Data.(*socketmode.ErrorBadMessage)
	if !ok {
		d.Log.Warn("bad message event without its message", "data_type", fmt.Sprintf("%T", evt.Data))
		return
	}
	env := rawEnvelope(bad.Message)
	if env.EnvelopeID == "" {
		d.Log.Warn("unreadable socket mode message without envelope_id; ignored", "envelope_type", env.Type, "size_bytes", len(bad.Message), "err", bad.Cause)
		return
	}
	d.Observer.Envelope(env.Type, OutcomeUnreadable)
	d.sendAck(env.EnvelopeID, ack, nil)
	d.Log.Warn("acked an envelope slack-go could not parse; its payload is dropped", "envelope_id", env.EnvelopeID, "envelope_type", env.Type, "retry_attempt", env.RetryAttempt, "size_bytes", len(bad.Message), "err", bad.Cause)
}

type envelopeHeader struct {
	EnvelopeID   string `json:"envelope_id"`
	Type         string `json:"type"`
	RetryAttempt int    `json:"retry_attempt"`
}

func rawEnvelope(raw json.RawMessage) envelopeHeader {
	var h envelopeHeader
	if err := json.Unmarshal(raw, &h); err != nil {
		return envelopeHeader{}
	}
	return h
}

// envelopeID is the id to ack evt with: its request's, or, for a message slack-go could
// not parse, the one found in the raw JSON.
func envelopeID(evt socketmode.Event) string {
	if evt.Request != nil {
		return evt.Request.EnvelopeID
	}
	if bad, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
		return rawEnvelope(bad.Message).EnvelopeID
	}
	return ""
}

func (d *Dispatcher) sendAck(envelopeID string, ack func(any) error, payload any) {
	if err := ack(payload); err != nil {
		d.Log.Error("ack failed", "envelope_id", envelopeID, "err", err)
	}
}

// newInProcess records key in the in-process set, which sits in front of the Inbox so a
// redelivery to this process is dropped even when the Inbox fails.
func (d *Dispatcher) newInProcess(key, envelopeID string) bool {
	if d.seen.add(key) {
		return true
	}
	d.Log.Debug("duplicate delivery dropped", "envelope_id", envelopeID, "dedupe_key", key, "seen_by", "process")
	return false
}

// workContext bounds handler work by timeout and by Wait giving up at shutdown.
func (d *Dispatcher) workContext(base context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(base, timeout)
	stop := context.AfterFunc(d.abort, cancel)
	return ctx, func() {
		stop()
		cancel()
	}
}

func envelopeKey(id string) string { return "envelope:" + id }

func requestLogger(log *slog.Logger, r *Request, route string) *slog.Logger {
	attrs := []any{"envelope_id", r.EnvelopeID, "team_id", r.TeamID, "user_id", r.UserID, "route", route}
	if r.EventID != "" {
		attrs = append(attrs, "event_id", r.EventID)
	}
	return log.With(attrs...)
}

// logPanic logs a recovered panic with its stack and returns the short reference shown to users.
func logPanic(log *slog.Logger, p any) string {
	ref := NewRef()
	log.Error("handler panicked", "ref", ref, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	return ref
}

// NewRef returns a short random reference that ties what a person is shown to the log line.
func NewRef() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func interactionChannel(cb *slack.InteractionCallback) string {
	if cb.Channel.ID != "" {
		return cb.Channel.ID
	}
	return cb.Container.ChannelID
}

// eventUserChannel reads the acting user and the channel from an inner event's JSON. Most
// events carry "user" and "channel" strings; reactions carry the channel under "item".
func eventUserChannel(raw *json.RawMessage) (user, channel string) {
	if raw == nil {
		return "", ""
	}
	var fields struct {
		User    json.RawMessage `json:"user"`
		Channel json.RawMessage `json:"channel"`
		Item    struct {
			Channel string `json:"channel"`
		} `json:"item"`
	}
	if err := json.Unmarshal(*raw, &fields); err != nil {
		return "", ""
	}
	user = jsonString(fields.User)
	channel = jsonString(fields.Channel)
	if channel == "" {
		channel = fields.Item.Channel
	}
	return user, channel
}

func jsonString(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// botAuthor returns the bot_id of a message event written by a bot (this one included), or "".
func botAuthor(ev *slackevents.EventsAPIEvent) string {
	msg, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok {
		return ""
	}
	if msg.BotID != "" {
		return msg.BotID
	}
	if msg.Message != nil {
		return msg.Message.BotID
	}
	return ""
}

// seenSet is a bounded, time-limited set of delivery keys: the in-process de-duplication in
// front of the Inbox, so a redelivery to this process is dropped even when the store fails.
type seenSet struct {
	mu    sync.Mutex
	cap   int
	ttl   time.Duration
	now   func() time.Time
	order *list.List // of seenEntry, newest at the front
	items map[string]*list.Element
}

type seenEntry struct {
	key string
	at  time.Time
}

func newSeenSet(capacity int, ttl time.Duration, now func() time.Time) *seenSet {
	return &seenSet{cap: capacity, ttl: ttl, now: now, order: list.New(), items: map[string]*list.Element{}}
}

// add records key and reports whether it was new (unseen, or last seen longer than ttl ago).
func (s *seenSet) add(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.evict(func(e seenEntry) bool { return now.Sub(e.at) >= s.ttl })
	if _, ok := s.items[key]; ok {
		return false
	}
	s.evict(func(seenEntry) bool { return s.order.Len() >= s.cap })
	s.items[key] = s.order.PushFront(seenEntry{key: key, at: now})
	return true
}

// evict drops the oldest entries while drop says so.
func (s *seenSet) evict(drop func(seenEntry) bool) {
	for back := s.order.Back(); back != nil; back = s.order.Back() {
		e := back.Value.(seenEntry)
		if !drop(e) {
			return
		}
		s.order.Remove(back)
		delete(s.items, e.key)
	}
}
