package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// waitTimeout bounds every wait on a signal in these tests.
const waitTimeout = 5 * time.Second

// logRecorder is a slog.Handler that keeps every record for assertions.
type logRecorder struct {
	mu      sync.Mutex
	records []loggedRecord
	changed chan struct{} // closed and replaced on every record
	attrs   []slog.Attr
	shared  *logRecorder
}

type loggedRecord struct {
	level slog.Level
	msg   string
	attrs map[string]any
}

func newLogRecorder() *logRecorder {
	r := &logRecorder{changed: make(chan struct{})}
	r.shared = r
	return r
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	attrs := map[string]any{}
	for _, a := range r.attrs {
		attrs[a.Key] = a.Value.Any()
	}
	rec.Attrs(func(a slog.Attr) bool {
		attrs[a.Key] = a.Value.Any()
		return true
	})
	r.shared.mu.Lock()
	defer r.shared.mu.Unlock()
	r.shared.records = append(r.shared.records, loggedRecord{level: rec.Level, msg: rec.Message, attrs: attrs})
	close(r.shared.changed)
	r.shared.changed = make(chan struct{})
	return nil
}

func (r *logRecorder) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logRecorder{attrs: append(slices.Clone(r.attrs), attrs...), shared: r.shared}
}

func (r *logRecorder) WithGroup(string) slog.Handler { return r }

// find returns the records with this message.
func (r *logRecorder) find(msg string) []loggedRecord {
	r.shared.mu.Lock()
	defer r.shared.mu.Unlock()
	var out []loggedRecord
	for _, rec := range r.shared.records {
		if rec.msg == msg {
			out = append(out, rec)
		}
	}
	return out
}

// waitFor waits until n records with this message have been logged.
func (r *logRecorder) waitFor(t *testing.T, msg string, n int) {
	t.Helper()
	timeout := time.After(waitTimeout)
	for {
		r.shared.mu.Lock()
		changed := r.shared.changed
		r.shared.mu.Unlock()
		if len(r.find(msg)) >= n {
			return
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("log %q not seen %d times within timeout", msg, n)
		}
	}
}

// ackRecorder records acks in order.
type ackRecorder struct {
	mu       sync.Mutex
	payloads []any
	got      chan any
}

func newAckRecorder() *ackRecorder { return &ackRecorder{got: make(chan any, 64)} }

func (a *ackRecorder) ack(payload any) error {
	a.mu.Lock()
	a.payloads = append(a.payloads, payload)
	a.mu.Unlock()
	a.got <- payload
	return nil
}

func (a *ackRecorder) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.payloads)
}

func (a *ackRecorder) next(t *testing.T) any {
	t.Helper()
	select {
	case p := <-a.got:
		return p
	case <-time.After(waitTimeout):
		t.Fatal("no ack within timeout")
		return nil
	}
}

// mapInbox is an in-memory Inbox, shared by dispatchers to play several replicas.
type mapInbox struct {
	mu      sync.Mutex
	entries map[string]*inboxEntry
	order   []string
	err     error
	now     func() time.Time
	claims  int
}

type inboxEntry struct {
	env       Envelope
	claim     string
	leaseTill time.Time
	done      bool
}

func newMapInbox() *mapInbox {
	return &mapInbox{entries: map[string]*inboxEntry{}, now: time.Now}
}

func (m *mapInbox) Accept(_ context.Context, e Envelope, lease time.Duration) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return "claim-unkept", false, m.err
	}
	m.claims++
	if _, ok := m.entries[e.Key]; ok {
		// As the store does: a claim comes back, but the row holds the first one.
		return fmt.Sprintf("claim-%d", m.claims), false, nil
	}
	e.Attempts, e.SeenAt = 1, m.now()
	claim := fmt.Sprintf("claim-%d", m.claims)
	m.entries[e.Key] = &inboxEntry{env: e, claim: claim, leaseTill: m.now().Add(lease)}
	m.order = append(m.order, e.Key)
	return claim, true, nil
}

type claimKey struct{}

func (m *mapInbox) Claimed(ctx context.Context, key, claim string) context.Context {
	return context.WithValue(ctx, claimKey{}, key+"/"+claim)
}

func (m *mapInbox) Finish(_ context.Context, key, claim string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.entries[key]; ok && e.claim == claim {
		e.done = true
	}
	return nil
}

func (m *mapInbox) TakeOver(_ context.Context, lease time.Duration, limit int) ([]Envelope, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Envelope
	for _, key := range m.order {
		e := m.entries[key]
		if e.done || e.env.Payload == nil || m.now().Before(e.leaseTill) || len(out) == limit {
			continue
		}
		m.claims++
		e.claim, e.leaseTill = fmt.Sprintf("claim-%d", m.claims), m.now().Add(lease)
		e.env.Attempts++
		taken := e.env
		taken.Claim = e.claim
		out = append(out, taken)
	}
	return out, nil
}

func (m *mapInbox) Extend(_ context.Context, held map[string]string, lease time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for key, claim := range held {
		if e, ok := m.entries[key]; ok && e.claim == claim && !e.done {
			e.leaseTill = m.now().Add(lease)
		}
	}
	return nil
}

// done reports whether the delivery with key was marked done.
func (m *mapInbox) done(key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	return ok && e.done
}

func waitIdle(t *testing.T, d *Dispatcher) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := d.Wait(ctx); err != nil {
		t.Fatalf("Wait: %v", err)
	}
}

func slashEvent(envelopeID, command string) socketmode.Event {
	return socketmode.Event{
		Type:    socketmode.EventTypeSlashCommand,
		Data:    slack.SlashCommand{Command: command, Text: "add write docs", TeamID: "T1", UserID: "U1", ChannelID: "C1"},
		Request: &socketmode.Request{Type: socketmode.RequestTypeSlashCommands, EnvelopeID: envelopeID, AcceptsResponsePayload: true},
	}
}

// interactiveEvent parses payload the way slack-go does for an interactive envelope.
func interactiveEvent(t testing.TB, envelopeID, payload string) socketmode.Event {
	t.Helper()
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(payload), &cb); err != nil {
		t.Fatalf("parse interaction: %v", err)
	}
	return socketmode.Event{
		Type:    socketmode.EventTypeInteractive,
		Data:    cb,
		Request: &socketmode.Request{Type: socketmode.RequestTypeInteractive, EnvelopeID: envelopeID, Payload: json.RawMessage(payload), AcceptsResponsePayload: true},
	}
}

// eventsEvent parses payload the way slack-go does for an events_api envelope.
func eventsEvent(t testing.TB, envelopeID string, retryAttempt int, payload string) socketmode.Event {
	t.Helper()
	ev, err := slackevents.ParseEvent(json.RawMessage(payload), slackevents.OptionNoVerifyToken())
	if err != nil {
		t.Fatalf("parse event: %v", err)
	}
	return socketmode.Event{
		Type:    socketmode.EventTypeEventsAPI,
		Data:    ev,
		Request: &socketmode.Request{Type: socketmode.RequestTypeEventsAPI, EnvelopeID: envelopeID, Payload: json.RawMessage(payload), RetryAttempt: retryAttempt},
	}
}

const appHomeOpened = `{"type":"event_callback","team_id":"T1","api_app_id":"A1","event_id":"Ev1","event_time":1700000000,
 "event":{"type":"app_home_opened","user":"U7","channel":"D7","tab":"home","event_ts":"1700000000.000100"}}`

const newTaskSubmission = `{"type":"view_submission","team":{"id":"T1"},"user":{"id":"U1"},"trigger_id":"trig",
 "view":{"id":"V1","type":"modal","callback_id":"new_task","private_metadata":"C1","hash":"h1",
  "blocks":[{"type":"section","block_id":"intro","text":{"type":"mrkdwn","text":"New task"}},
            {"type":"input","block_id":"title_block","label":{"type":"plain_text","text":"Title"},
             "element":{"type":"plain_text_input","action_id":"title"}}],
  "state":{"values":{"title_block":{"title":{"type":"plain_text_input","value":""}}}}}}`
