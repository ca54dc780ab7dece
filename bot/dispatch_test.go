package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func TestDispatchAcksBeforeHandlerRuns(t *testing.T) {
	var (
		mu    sync.Mutex
		order []string
	)
	note := func(s string) {
		mu.Lock()
		order = append(order, s)
		mu.Unlock()
	}
	started, release := make(chan *Request, 1), make(chan struct{})
	r := NewRouter()
	r.Command("/task", func(ctx context.Context, req *Request) {
		note("handler")
		started <- req
		<-release
	})
	inbox := newMapInbox()
	d := &Dispatcher{Router: r, Inbox: inbox, Log: slog.New(newLogRecorder())}
	acks := newAckRecorder()

	d.Handle(context.Background(), slashEvent("env-1", "/task"), func(p any) error {
		inbox.mu.Lock()
		_, kept := inbox.entries["envelope:env-1"]
		inbox.mu.Unlock()
		if kept {
			note("kept")
		}
		note("ack")
		return acks.ack(p)
	})

	var req *Request
	select {
	case req = <-started:
	case <-time.After(waitTimeout):
		t.Fatal("handler did not start")
	}
	mu.Lock()
	if got := strings.Join(order, ","); got != "kept,ack,handler" {
		t.Errorf("order %q, want kept,ack,handler: the envelope kept in the inbox before its ack, handled after", got)
	}
	mu.Unlock()
	if req.Kind != KindCommand || req.EnvelopeID != "env-1" || req.TeamID != "T1" || req.UserID != "U1" || req.ChannelID != "C1" || req.Command.Text != "add write docs" {
		t.Errorf("request = %+v", req)
	}
	if req.Log == nil {
		t.Error("request has no logger")
	}
	if p := acks.next(t); p != nil {
		t.Errorf("slash command ack payload = %v, want none", p)
	}
	close(release)
	waitIdle(t, d)
}

func TestDispatchHandlerHasDeadline(t *testing.T) {
	deadline := make(chan time.Duration, 1)
	r := NewRouter()
	r.Command("/task", func(ctx context.Context, _ *Request) {
		dl, ok := ctx.Deadline()
		if !ok {
			deadline <- -1
			return
		}
		deadline <- time.Until(dl)
	})
	d := &Dispatcher{Router: r, WorkTimeout: time.Minute, Log: slog.New(newLogRecorder())}
	d.Handle(context.Background(), slashEvent("env-1", "/task"), newAckRecorder().ack)
	waitIdle(t, d)
	if got := <-deadline; got <= 0 || got > time.Minute {
		t.Fatalf("handler deadline in %v, want within WorkTimeout (1m)", got)
	}
}

func TestDispatchViewSubmissionAckCarriesHandlerResult(t *testing.T) {
	var handlerReturned atomic.Bool
	r := NewRouter()
	r.ViewSubmission("new_task", func(ctx context.Context, req *Request) any {
		title := req.Interaction.View.State.Values["title_block"]["title"].Value
		defer handlerReturned.Store(true)
		if title == "" {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{"title_block": "Give the task a title."})
		}
		return nil
	})
	d := &Dispatcher{Router: r, Inbox: newMapInbox(), Log: slog.New(newLogRecorder())}
	acks := newAckRecorder()

	d.Handle(context.Background(), interactiveEvent(t, "env-sub", newTaskSubmission), func(p any) error {
		if !handlerReturned.Load() {
			t.Error("view submission acked before its handler returned")
		}
		return acks.ack(p)
	})

	got, ok := acks.next(t).(*slack.ViewSubmissionResponse)
	if !ok {
		t.Fatalf("ack payload is %T, want *slack.ViewSubmissionResponse", got)
	}
	if got.ResponseAction != slack.RAErrors || got.Errors["title_block"] != "Give the task a title." {
		t.Errorf("ack payload = %+v", got)
	}
	waitIdle(t, d)
	if acks.count() != 1 {
		t.Errorf("%d acks, want 1", acks.count())
	}
}

func TestDispatchViewSubmissionTimeoutKeepsModalOpen(t *testing.T) {
	r := NewRouter()
	r.ViewSubmission("new_task", func(ctx context.Context, _ *Request) any {
		<-ctx.Done()
		return nil
	})
	logs := newLogRecorder()
	d := &Dispatcher{Router: r, SubmitTimeout: 20 * time.Millisecond, Log: slog.New(logs)}
	acks := newAckRecorder()
	d.Handle(context.Background(), interactiveEvent(t, "env-sub", newTaskSubmission), acks.ack)

	got, ok := acks.next(t).(*slack.ViewSubmissionResponse)
	if !ok || got.ResponseAction != slack.RAErrors {
		t.Fatalf("ack payload = %#v, want errors response", got)
	}
	msg := got.Errors["title_block"]
	recs := logs.find("view submission not handled in time; acking with an error")
	if len(recs) != 1 {
		t.Fatalf("timeout logged %d times, want once", len(recs))
	}
	if ref, _ := recs[0].attrs["ref"].(string); ref == "" || !strings.Contains(msg, ref) {
		t.Errorf("message %q does not carry the logged ref %q", msg, ref)
	}
	waitIdle(t, d)
}

func TestDispatchViewSubmissionPanicKeepsModalOpen(t *testing.T) {
	r := NewRouter()
	r.ViewSubmission("new_task", func(context.Context, *Request) any { panic("nil map") })
	logs := newLogRecorder()
	d := &Dispatcher{Router: r, Log: slog.New(logs)}
	acks := newAckRecorder()
	d.Handle(context.Background(), interactiveEvent(t, "env-sub", newTaskSubmission), acks.ack)

	got, ok := acks.next(t).(*slack.ViewSubmissionResponse)
	if !ok || !strings.Contains(got.Errors["title_block"], "Something went wrong on our side (ref ") {
		t.Fatalf("ack payload = %#v", got)
	}
	if len(logs.find("handler panicked")) != 1 {
		t.Error("panic not logged")
	}
	waitIdle(t, d)
}

func TestDispatchRedeliveredEnvelopeRunsOnce(t *testing.T) {
	var runs atomic.Int32
	r := NewRouter()
	r.Command("/task", func(context.Context, *Request) { runs.Add(1) })
	d := &Dispatcher{Router: r, Inbox: newMapInbox(), Log: slog.New(newLogRecorder())}
	acks := newAckRecorder()

	d.Handle(context.Background(), slashEvent("env-1", "/task"), acks.ack)
	d.Handle(context.Background(), slashEvent("env-1", "/task"), acks.ack)
	waitIdle(t, d)

	if n := runs.Load(); n != 1 {
		t.Errorf("handler ran %d times, want 1", n)
	}
	if acks.count() != 2 {
		t.Errorf("%d acks, want both deliveries acked", acks.count())
	}
}

func TestDispatchRedeliveredEventRunsOnce(t *testing.T) {
	var (
		mu   sync.Mutex
		reqs []*Request
	)
	r := NewRouter()
	r.Event("app_home_opened", func(_ context.Context, req *Request) {
		mu.Lock()
		reqs = append(reqs, req)
		mu.Unlock()
	})
	d := &Dispatcher{Router: r, Inbox: newMapInbox(), Log: slog.New(newLogRecorder())}
	acks := newAckRecorder()

	d.Handle(context.Background(), eventsEvent(t, "env-1", 0, appHomeOpened), acks.ack)
	d.Handle(context.Background(), eventsEvent(t, "env-2", 1, appHomeOpened), acks.ack)
	waitIdle(t, d)

	if len(reqs) != 1 {
		t.Fatalf("handler ran %d times, want 1", len(reqs))
	}
	req := reqs[0]
	if req.Kind != KindEvent || req.EventID != "Ev1" || req.EnvelopeID != "env-1" || req.TeamID != "T1" || req.UserID != "U7" || req.ChannelID != "D7" {
		t.Errorf("request = %+v", req)
	}
	if req.Event == nil || req.Event.InnerEvent.Type != "app_home_opened" {
		t.Errorf("request event = %+v", req.Event)
	}
	if acks.count() != 2 {
		t.Errorf("%d acks, want both deliveries acked", acks.count())
	}
}

func TestDispatchInboxSharedAcrossReplicas(t *testing.T) {
	var runs atomic.Int32
	r := NewRouter()
	r.Event("app_home_opened", func(context.Context, *Request) { runs.Add(1) })
	store := newMapInbox()
	a := &Dispatcher{Router: r, Inbox: store, Log: slog.New(newLogRecorder())}
	b := &Dispatcher{Router: r, Inbox: store, Log: slog.New(newLogRecorder())}

	a.Handle(context.Background(), eventsEvent(t, "env-1", 0, appHomeOpened), newAckRecorder().ack)
	waitIdle(t, a)
	b.Handle(context.Background(), eventsEvent(t, "env-2", 1, appHomeOpened), newAckRecorder().ack)
	waitIdle(t, b)

	if n := runs.Load(); n != 1 {
		t.Errorf("handler ran %d times across two replicas, want 1", n)
	}
}

func TestDispatchInboxErrorStillRunsAndProcessDedupes(t *testing.T) {
	var runs atomic.Int32
	r := NewRouter()
	r.Command("/task", func(context.Context, *Request) { runs.Add(1) })
	store := newMapInbox()
	store.err = errors.New("connection refused")
	logs := newLogRecorder()
	d := &Dispatcher{Router: r, Inbox: store, Log: slog.New(logs)}

	d.Handle(context.Background(), slashEvent("env-1", "/task"), newAckRecorder().ack)
	waitIdle(t, d)
	d.Handle(context.Background(), slashEvent("env-1", "/task"), newAckRecorder().ack)
	waitIdle(t, d)

	if n := runs.Load(); n != 1 {
		t.Errorf("handler ran %d times, want 1 (run despite the store error, redelivery dropped in process)", n)
	}
	recs := logs.find("envelope not kept in the inbox; handling it in memory only")
	if len(recs) != 1 || recs[0].level != slog.LevelError || recs[0].attrs["dedupe_key"] != "envelope:env-1" {
		t.Errorf("store error log = %+v", recs)
	}
}

func TestDispatchRecoversPanicAndKeepsGoing(t *testing.T) {
	done := make(chan string, 2)
	r := NewRouter()
	r.Command("/task", func(_ context.Context, req *Request) {
		if req.EnvelopeID == "env-1" {
			panic("boom")
		}
		done <- req.EnvelopeID
	})
	logs := newLogRecorder()
	d := &Dispatcher{Router: r, Log: slog.New(logs)}

	d.Handle(context.Background(), slashEvent("env-1", "/task"), newAckRecorder().ack)
	d.Handle(context.Background(), slashEvent("env-2", "/task"), newAckRecorder().ack)
	waitIdle(t, d)

	select {
	case id := <-done:
		if id != "env-2" {
			t.Errorf("handled %q, want env-2", id)
		}
	default:
		t.Fatal("the envelope after the panic was not handled")
	}
	recs := logs.find("handler panicked")
	if len(recs) != 1 {
		t.Fatalf("panic logged %d times, want 1", len(recs))
	}
	rec := recs[0]
	if rec.attrs["envelope_id"] != "env-1" || rec.attrs["route"] != "command:/task" || rec.attrs["panic"] != "boom" {
		t.Errorf("panic log attrs = %v", rec.attrs)
	}
	if stack, _ := rec.attrs["stack"].(string); !strings.Contains(stack, "dispatch_test.go") {
		t.Errorf("panic log has no useful stack: %q", stack)
	}
	if ref, _ := rec.attrs["ref"].(string); len(ref) != 8 {
		t.Errorf("panic ref %q, want 8 hex chars", ref)
	}
}

func TestDispatchAcksBadMessage(t *testing.T) {
	raw := json.RawMessage(`{"envelope_id":"env-bad","type":"events_api","retry_attempt":2,
		"payload":{"type":"event_callback","event_id":"Ev9","event":{"type":"brand_new_event"}}}`)
	evt := socketmode.Event{
		Type: socketmode.EventTypeErrorBadMessage,
		Data: &socketmode.ErrorBadMessage{Cause: errors.New("inner Event does not exist! brand_new_event"), Message: raw},
	}
	logs := newLogRecorder()
	d := &Dispatcher{Router: NewRouter(), Log: slog.New(logs)}
	acks := newAckRecorder()

	d.Handle(context.Background(), evt, acks.ack)

	if acks.count() != 1 {
		t.Fatalf("%d acks, want 1", acks.count())
	}
	if id := envelopeID(evt); id != "env-bad" {
		t.Errorf("envelope id to ack = %q, want env-bad", id)
	}
	recs := logs.find("acked an envelope slack-go could not parse; its payload is dropped")
	if len(recs) != 1 || recs[0].level != slog.LevelWarn || recs[0].attrs["envelope_id"] != "env-bad" {
		t.Errorf("bad message log = %+v", recs)
	}

	noID := socketmode.Event{Type: socketmode.EventTypeErrorBadMessage, Data: &socketmode.ErrorBadMessage{Cause: errors.New("x"), Message: json.RawMessage(`{"type":"mystery"}`)}}
	d.Handle(context.Background(), noID, acks.ack)
	if acks.count() != 1 {
		t.Errorf("a message without envelope_id was acked")
	}
}

func TestDispatchWaitWaitsForInFlightWork(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var finished atomic.Bool
	r := NewRouter()
	r.Command("/task", func(context.Context, *Request) {
		close(started)
		<-release
		finished.Store(true)
	})
	d := &Dispatcher{Router: r, Log: slog.New(newLogRecorder())}
	d.Handle(context.Background(), slashEvent("env-1", "/task"), newAckRecorder().ack)
	<-started

	waited := make(chan error, 1)
	go func() { waited <- d.Wait(context.Background()) }()
	close(release)
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("Wait: %v", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Wait did not return after the handler finished")
	}
	if !finished.Load() {
		t.Error("Wait returned before the handler finished")
	}
}

func TestDispatchWaitGivesUpAndCancelsHandlers(t *testing.T) {
	started := make(chan struct{})
	cancelled := make(chan error, 1)
	r := NewRouter()
	r.Command("/task", func(ctx context.Context, _ *Request) {
		close(started)
		<-ctx.Done()
		cancelled <- ctx.Err()
	})
	d := &Dispatcher{Router: r, Log: slog.New(newLogRecorder())}
	d.Handle(context.Background(), slashEvent("env-1", "/task"), newAckRecorder().ack)
	<-started

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := d.Wait(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "handlers: 1 still running") {
		t.Fatalf("Wait = %v, want it to give up naming the running handler", err)
	}
	select {
	case err := <-cancelled:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("handler context ended with %v", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("handler context was not cancelled when Wait gave up")
	}
	waitIdle(t, d)
}

func TestDispatchRoutesEachBlockAction(t *testing.T) {
	var (
		mu  sync.Mutex
		got []string
	)
	record := func(name string) Handler {
		return func(_ context.Context, req *Request) {
			mu.Lock()
			got = append(got, fmt.Sprintf("%s:%s=%s@%s", name, req.Action.ActionID, req.Action.Value, req.ChannelID))
			mu.Unlock()
		}
	}
	r := NewRouter()
	r.Action("task.", record("task"))
	r.Action("task.status", record("status"))
	d := &Dispatcher{Router: r, Log: slog.New(newLogRecorder())}
	payload := `{"type":"block_actions","team":{"id":"T1"},"user":{"id":"U1"},"channel":{"id":"C1"},
	 "container":{"type":"message","channel_id":"C1","message_ts":"1.2"},
	 "actions":[{"type":"button","action_id":"task.status","block_id":"b1","value":"T-12"},
	            {"type":"button","action_id":"okr.unknown","block_id":"b2","value":"O-3"},
	            {"type":"button","action_id":"task.assign","block_id":"b3","value":"T-13"}]}`
	acks := newAckRecorder()
	d.Handle(context.Background(), interactiveEvent(t, "env-1", payload), acks.ack)
	waitIdle(t, d)

	want := []string{"status:task.status=T-12@C1", "task:task.assign=T-13@C1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("routed %v, want %v", got, want)
	}
	if acks.count() != 1 {
		t.Errorf("%d acks, want 1 for the envelope", acks.count())
	}
}

func TestDispatchShortcutsAndViewClosed(t *testing.T) {
	kinds := make(chan Kind, 3)
	r := NewRouter()
	r.Shortcut("make_task", func(_ context.Context, req *Request) { kinds <- req.Kind })
	r.ViewClosed("new_task", func(_ context.Context, req *Request) { kinds <- req.Kind })
	d := &Dispatcher{Router: r, Log: slog.New(newLogRecorder())}
	acks := newAckRecorder()

	d.Handle(context.Background(), interactiveEvent(t, "e1", `{"type":"shortcut","callback_id":"make_task","trigger_id":"t","team":{"id":"T1"},"user":{"id":"U1"}}`), acks.ack)
	d.Handle(context.Background(), interactiveEvent(t, "e2", `{"type":"message_action","callback_id":"make_task","trigger_id":"t","team":{"id":"T1"},"user":{"id":"U1"},"channel":{"id":"C1"},"message":{"ts":"1.2","text":"hi"}}`), acks.ack)
	d.Handle(context.Background(), interactiveEvent(t, "e3", `{"type":"view_closed","team":{"id":"T1"},"user":{"id":"U1"},"view":{"id":"V1","callback_id":"new_task"},"is_cleared":false}`), acks.ack)
	waitIdle(t, d)
	close(kinds)

	seen := map[Kind]bool{}
	for k := range kinds {
		seen[k] = true
	}
	for _, k := range []Kind{KindShortcut, KindMessageShortcut, KindViewClosed} {
		if !seen[k] {
			t.Errorf("%v not routed", k)
		}
	}
	if acks.count() != 3 {
		t.Errorf("%d acks, want 3", acks.count())
	}
}

func TestDispatchIgnoresBotMessagesAndUnrouted(t *testing.T) {
	var runs atomic.Int32
	r := NewRouter()
	r.Event("message", func(context.Context, *Request) { runs.Add(1) })
	d := &Dispatcher{Router: r, Inbox: newMapInbox(), Log: slog.New(newLogRecorder())}
	acks := newAckRecorder()

	fromBot := `{"type":"event_callback","team_id":"T1","event_id":"Ev2","event_time":1,
	 "event":{"type":"message","channel":"D1","channel_type":"im","bot_id":"B1","text":"Task T-12 created","ts":"1.1","event_ts":"1.1"}}`
	fromUser := `{"type":"event_callback","team_id":"T1","event_id":"Ev3","event_time":1,
	 "event":{"type":"message","channel":"D1","channel_type":"im","user":"U1","text":"hello","ts":"1.2","event_ts":"1.2"}}`
	reaction := `{"type":"event_callback","team_id":"T1","event_id":"Ev4","event_time":1,
	 "event":{"type":"reaction_added","user":"U1","reaction":"white_check_mark","item":{"type":"message","channel":"C1","ts":"1.2"},"event_ts":"1.3"}}`

	d.Handle(context.Background(), eventsEvent(t, "e1", 0, fromBot), acks.ack)
	d.Handle(context.Background(), eventsEvent(t, "e2", 0, fromUser), acks.ack)
	d.Handle(context.Background(), eventsEvent(t, "e3", 0, reaction), acks.ack)
	d.Handle(context.Background(), slashEvent("e4", "/unknown"), acks.ack)
	waitIdle(t, d)

	if n := runs.Load(); n != 1 {
		t.Errorf("message handler ran %d times, want 1 (the user's message only)", n)
	}
	if acks.count() != 4 {
		t.Errorf("%d acks, want every envelope acked", acks.count())
	}
}

func TestSeenSetExpiresAndEvicts(t *testing.T) {
	now := time.Unix(1700000000, 0)
	s := newSeenSet(2, time.Minute, func() time.Time { return now })
	if !s.add("a") || s.add("a") {
		t.Fatal("a: want new then seen")
	}
	now = now.Add(2 * time.Minute)
	if !s.add("a") {
		t.Fatal("a should be new again after the TTL")
	}
	s.add("b")
	s.add("c") // evicts a, the oldest, to stay within capacity
	if !s.add("a") {
		t.Error("a should have been evicted")
	}
	if s.add("c") {
		t.Error("c should still be remembered")
	}
}

func BenchmarkDispatchAck(b *testing.B) {
	r := NewRouter()
	r.Command("/task", noop)
	d := &Dispatcher{Router: r, Inbox: newMapInbox(), Log: slog.New(slog.DiscardHandler)}
	ack := func(any) error { return nil }
	evt := slashEvent("", "/task")
	var total time.Duration
	i := 0
	for b.Loop() {
		req := *evt.Request
		req.EnvelopeID = fmt.Sprintf("env-%d", i)
		evt.Request = &req
		i++
		start := time.Now()
		d.Handle(context.Background(), evt, func(p any) error {
			total += time.Since(start)
			return ack(p)
		})
	}
	b.ReportMetric(float64(total.Nanoseconds())/float64(i), "ns/ack")
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := d.Wait(ctx); err != nil {
		b.Fatal(err)
	}
}
