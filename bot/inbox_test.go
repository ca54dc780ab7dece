package bot

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

const keptSlash = `{"command":"/task","text":"@ana Ship it","team_id":"T1","user_id":"U1","channel_id":"C1","trigger_id":"13345224609.738474920.8088930838d88f008e0"}`

// crashedAfterAck plays a process that kept and acked an envelope, then died before handling it.
func crashedAfterAck(t *testing.T, inbox *mapInbox, key string) {
	t.Helper()
	_, first, err := inbox.Accept(context.Background(), Envelope{Key: key, Type: socketmode.RequestTypeSlashCommands, EnvelopeID: "env-1", Payload: json.RawMessage(keptSlash)}, time.Minute)
	if err != nil || !first {
		t.Fatalf("Accept = %v, %v", first, err)
	}
}

func TestRecoverHandlesWhatAnotherProcessAckedOnce(t *testing.T) {
	inbox := newMapInbox()
	crashedAfterAck(t, inbox, "envelope:env-1")
	var mu sync.Mutex
	var got []*Request
	r := NewRouter()
	r.Command("/task", func(_ context.Context, req *Request) {
		mu.Lock()
		got = append(got, req)
		mu.Unlock()
	})
	d := &Dispatcher{Router: r, Inbox: inbox, Log: slog.New(newLogRecorder())}

	if n := d.Recover(context.Background()); n != 0 {
		t.Fatalf("took over %d envelopes still inside their lease", n)
	}
	inbox.now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	if n := d.Recover(context.Background()); n != 1 {
		t.Fatalf("took over %d envelopes, want the 1 whose lease ended", n)
	}
	waitIdle(t, d)
	if n := d.Recover(context.Background()); n != 0 {
		t.Fatalf("took over %d envelopes after it was handled", n)
	}
	if len(got) != 1 {
		t.Fatalf("handler ran %d times, want once", len(got))
	}
	req := got[0]
	if !req.Replayed || req.Kind != KindCommand || req.UserID != "U1" || req.Command.Text != "@ana Ship it" || req.Log == nil {
		t.Errorf("replayed request = %+v", req)
	}
	if !inbox.done("envelope:env-1") {
		t.Error("replayed envelope not marked done")
	}
}

func TestRecoverGivesUpOnAnEnvelopeThatKeepsFailing(t *testing.T) {
	inbox := newMapInbox()
	crashedAfterAck(t, inbox, "envelope:env-1")
	inbox.entries["envelope:env-1"].env.Attempts = maxAttempts
	inbox.now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	runs := 0
	r := NewRouter()
	r.Command("/task", func(context.Context, *Request) { runs++ })
	logs := newLogRecorder()
	var told []*Request
	d := &Dispatcher{Router: r, Inbox: inbox, Log: slog.New(logs), GaveUp: func(_ context.Context, req *Request) { told = append(told, req) }}

	d.Recover(context.Background())
	waitIdle(t, d)
	if runs != 0 || !inbox.done("envelope:env-1") {
		t.Fatalf("runs = %d, done = %v: want it given up without running", runs, inbox.done("envelope:env-1"))
	}
	if len(told) != 1 || told[0].UserID != "U1" || told[0].Command.Text != "@ana Ship it" {
		t.Errorf("the person was not told it was given up: %+v", told)
	}
	if recs := logs.find("unfinished envelope failed too often; given up"); len(recs) != 1 || recs[0].level != slog.LevelError {
		t.Errorf("give-up log = %+v", recs)
	}
}

func TestHandlerContextCarriesTheClaimAndTheDeliveryIsFinished(t *testing.T) {
	inbox := newMapInbox()
	claims := make(chan any, 1)
	r := NewRouter()
	r.Command("/task", func(ctx context.Context, _ *Request) { claims <- ctx.Value(claimKey{}) })
	d := &Dispatcher{Router: r, Inbox: inbox, Log: slog.New(newLogRecorder())}

	d.Handle(context.Background(), slashEvent("env-7", "/task"), newAckRecorder().ack)
	waitIdle(t, d)
	if got := <-claims; got != "envelope:env-7/claim-1" {
		t.Errorf("handler's claim = %v, want envelope:env-7/claim-1", got)
	}
	if !inbox.done("envelope:env-7") {
		t.Error("handled envelope not marked done")
	}
}

func TestTypedControlCharactersAreRemovedOnTheWayIn(t *testing.T) {
	for in, want := range map[string]string{
		"Ship\x00 it":             "Ship it",
		"\x1b[31mred\x1b[0m":      "[31mred[0m",
		"line one\nline\ttwo":     "line one\nline\ttwo",
		"bad \xff\xfe utf8":       "bad  utf8",
		"zero\u200bwidth \u0085x": "zero\u200bwidth x",
		"<!here> stays for md":    "<!here> stays for md",
	} {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
	}

	texts := make(chan string, 1)
	r := NewRouter()
	r.ViewSubmission("new_task", func(_ context.Context, req *Request) any {
		texts <- req.Interaction.View.State.Values["title"]["title"].Value
		return nil
	})
	d := &Dispatcher{Router: r, Log: slog.New(newLogRecorder())}
	cb := slack.InteractionCallback{Type: slack.InteractionTypeViewSubmission, View: slack.View{CallbackID: "new_task",
		State: &slack.ViewState{Values: map[string]map[string]slack.BlockAction{"title": {"title": {Value: "Plan\x00 Q1"}}}}}}
	d.Handle(context.Background(), socketmode.Event{Type: socketmode.EventTypeInteractive, Data: cb,
		Request: &socketmode.Request{Type: socketmode.RequestTypeInteractive, EnvelopeID: "env-2"}}, newAckRecorder().ack)
	waitIdle(t, d)
	if got := <-texts; got != "Plan Q1" {
		t.Errorf("submitted title reached the handler as %q, want %q", got, "Plan Q1")
	}
}

func TestALiveProcessKeepsWhatItWorksOnHoweverLongItWaits(t *testing.T) {
	inbox := newMapInbox()
	release := make(chan struct{})
	r := NewRouter()
	r.Command("/task", func(context.Context, *Request) { <-release })
	d := &Dispatcher{Router: r, Inbox: inbox, InboxLease: time.Minute, Log: slog.New(newLogRecorder())}
	d.Handle(context.Background(), slashEvent("env-1", "/task"), newAckRecorder().ack)
	if err := waitUntil(func() bool { d.heldMu.Lock(); defer d.heldMu.Unlock(); return len(d.held) == 1 }); err != nil {
		t.Fatal("the envelope was never held")
	}
	inbox.entries["envelope:env-1"].env.Payload = json.RawMessage(keptSlash)

	inbox.now = func() time.Time { return time.Now().Add(50 * time.Second) }
	d.renew(context.Background())
	inbox.now = func() time.Time { return time.Now().Add(100 * time.Second) }
	other := &Dispatcher{Router: r, Inbox: inbox, Log: slog.New(newLogRecorder())}
	if n := other.Recover(context.Background()); n != 0 {
		t.Fatalf("another process took over %d envelopes this one still works on", n)
	}
	close(release)
	waitIdle(t, d)
	d.heldMu.Lock()
	defer d.heldMu.Unlock()
	if len(d.held) != 0 {
		t.Errorf("still holding %v after the work finished", d.held)
	}
}

func waitUntil(cond func() bool) error {
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			return context.DeadlineExceeded
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

func TestWorkCutShortByShutdownIsLeftForAnotherProcess(t *testing.T) {
	inbox := newMapInbox()
	started := make(chan struct{})
	r := NewRouter()
	r.Command("/task", func(ctx context.Context, _ *Request) {
		close(started)
		<-ctx.Done()
	})
	d := &Dispatcher{Router: r, Inbox: inbox, MaxConcurrent: 1, Log: slog.New(newLogRecorder())}
	d.Handle(context.Background(), slashEvent("env-1", "/task"), newAckRecorder().ack)
	<-started
	d.Handle(context.Background(), slashEvent("env-2", "/task"), newAckRecorder().ack)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := d.Wait(ctx); err == nil {
		t.Fatal("Wait did not give up on the blocked handler")
	}
	if err := waitUntil(func() bool { return d.Idle() }); err != nil {
		t.Fatal("the dispatcher never went idle after shutdown")
	}
	for _, key := range []string{"envelope:env-1", "envelope:env-2"} {
		if inbox.done(key) {
			t.Errorf("%s marked done though shutdown cut it short", key)
		}
	}
	if n := d.holding(); n != 0 {
		t.Errorf("still holding %d claims after shutdown", n)
	}
}

func TestADuplicateNeverTakesTheClaimOfTheDeliveryItRepeats(t *testing.T) {
	inbox := newMapInbox()
	release := make(chan struct{})
	r := NewRouter()
	r.Command("/task", func(context.Context, *Request) { <-release })
	a := &Dispatcher{Router: r, Inbox: inbox, Log: slog.New(newLogRecorder())}
	b := &Dispatcher{Router: r, Inbox: inbox, Log: slog.New(newLogRecorder())}
	a.Handle(context.Background(), slashEvent("env-1", "/task"), newAckRecorder().ack)
	if err := waitUntil(func() bool { return a.holding() == 1 }); err != nil {
		t.Fatal("the first delivery was never held")
	}
	// The same envelope reaches b, and again a after a's in-process memory of it is gone.
	b.Handle(context.Background(), slashEvent("env-1", "/task"), newAckRecorder().ack)
	waitIdle(t, b)
	a.seen = newSeenSet(seenCapacity, seenTTL, time.Now)
	acks := newAckRecorder()
	a.Handle(context.Background(), slashEvent("env-1", "/task"), acks.ack)
	acks.next(t)
	a.heldMu.Lock()
	claim := a.held["envelope:env-1"]
	a.heldMu.Unlock()
	if claim != "claim-1" || b.holding() != 0 {
		t.Errorf("a holds %q (want claim-1, its own), b holds %d claims (want none)", claim, b.holding())
	}
	close(release)
	waitIdle(t, a)
}
