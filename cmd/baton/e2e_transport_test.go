package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

// trFastAck is how quickly Baton should ack: it acks before doing any work, so far below Slack's 3 s.
const trFastAck = 500 * time.Millisecond

// trCount counts the messages in channel that pred accepts.
func (h *harness) trCount(channel string, pred func(slackdouble.Message) bool) int {
	n := 0
	for _, m := range h.slack.Messages(channel) {
		if pred(m) {
			n++
		}
	}
	return n
}

// trIsCard reports whether m is task number's card (a top-level message, not a thread reply).
func trIsCard(number int64) func(slackdouble.Message) bool {
	ref := baton.TaskRef(number) + " ·"
	return func(m slackdouble.Message) bool {
		return (m.ThreadTS == "" || m.ThreadTS == m.TS) && m.Has(ref)
	}
}

// trCalls lists the Web API calls of one method that Slack answered with status.
func (h *harness) trCalls(method string, status int) []slackdouble.Call {
	var out []slackdouble.Call
	for _, c := range h.slack.Calls() {
		if c.Method == method && c.Status == status {
			out = append(out, c)
		}
	}
	return out
}

// trRetriedAfter checks that after each failed call of method, the next call of method to the same
// channel came no sooner than wait later, and that one came at all.
func (h *harness) trRetriedAfter(method string, status int, wait time.Duration) {
	h.t.Helper()
	calls := h.slack.Calls()
	for i, c := range calls {
		if c.Method != method || c.Status != status {
			continue
		}
		var next *slackdouble.Call
		for j := i + 1; j < len(calls); j++ {
			if calls[j].Method == method && calls[j].Args["channel"] == c.Args["channel"] {
				next = &calls[j]
				break
			}
		}
		if next == nil {
			h.t.Errorf("%s to %s failed with %d and was never tried again", method, c.Args["channel"], status)
			continue
		}
		if gap := next.Time.Sub(c.Time); gap < wait {
			h.t.Errorf("%s to %s was retried %v after a %d, before the %v Slack asked for", method, c.Args["channel"], gap, status, wait)
		}
	}
}

func TestRedeliveredCommandCreatesOneTaskOneCardOneDM(t *testing.T) {
	h := newHarness(t)
	ack := h.command(bea, launc, "<@UANA> Ship the pricing page")
	// Slack (or a second socket) delivers the very same envelope again, at once and later.
	if _, err := h.slack.Resend(h.waitCtx(), ack.Envelope); err != nil {
		t.Fatalf("redelivery not acked: %v", err)
	}
	h.card(launc, 1)
	h.dm(ana, "handed you", "T-1")
	h.ephemeral(bea, "Created T-1")
	h.idle()
	if _, err := h.slack.Resend(h.waitCtx(), ack.Envelope); err != nil {
		t.Fatalf("late redelivery not acked: %v", err)
	}
	h.idle()

	if n := h.taskCount(); n != 1 {
		t.Errorf("%d tasks after one command delivered three times, want 1", n)
	}
	if n := h.trCount(launc, trIsCard(1)); n != 1 {
		t.Errorf("%d cards for T-1 in #launch, want 1", n)
	}
	if n := h.trCount(launc, trIsCard(2)); n != 0 {
		t.Errorf("a second task's card was posted")
	}
	if n := h.trCount(h.slack.DMChannel(ana), func(m slackdouble.Message) bool { return m.Has("handed you") }); n != 1 {
		t.Errorf("Ana was told %d times about one task, want once", n)
	}
	created := 0
	for _, e := range h.slack.Ephemerals(bea) {
		if strings.Contains(e.AllText(), "Created T-") {
			created++
		}
	}
	if created != 1 {
		t.Errorf("Bea got %d confirmations, want 1:\n%s", created, h.ephemeralTexts(bea))
	}
	if n := len(h.events(1)); n != 1 {
		t.Errorf("T-1 has %d events, want only its creation", n)
	}
}

func TestRedeliveredStatusChangeMovesTheTaskOnce(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	ack, err := h.slack.SelectOption(h.waitCtx(), ana, card.Channel, card.TS, "task.status", "1:"+string(baton.StatusInProgress))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.slack.Resend(h.waitCtx(), ack.Envelope); err != nil {
		t.Fatalf("redelivery not acked: %v", err)
	}
	h.cardNow(card, ":large_blue_circle: In progress")
	h.threadReply(card, "moved this from *To do* to *In progress*")
	h.dm(bea, "<@UANA> moved", "*In progress*")
	h.idle()
	if _, err := h.slack.Resend(h.waitCtx(), ack.Envelope); err != nil {
		t.Fatalf("late redelivery not acked: %v", err)
	}
	h.idle()

	if evs := h.events(1); len(evs) != 2 {
		t.Errorf("T-1 has %d events, want creation and one status change: %+v", len(evs), evs)
	}
	replies := 0
	for _, m := range h.slack.Thread(card.Channel, card.TS) {
		if m.TS != card.TS && m.Has("moved this") {
			replies++
		}
	}
	if replies != 1 {
		t.Errorf("%d thread replies about the move, want 1", replies)
	}
	if n := h.trCount(h.slack.DMChannel(bea), func(m slackdouble.Message) bool { return m.Has("moved") }); n != 1 {
		t.Errorf("Bea was told %d times about one move, want once", n)
	}
	if got, _ := h.slack.Message(card.Channel, card.TS); got.Edits != 1 {
		t.Errorf("the card was edited %d times, want once", got.Edits)
	}
	// A redelivered "In progress" must not surface as a refusal either.
	for _, e := range h.slack.Ephemerals(ana) {
		if strings.Contains(e.AllText(), "already") {
			t.Errorf("Ana was told about a change she made once: %s", e.AllText())
		}
	}
}

func TestRedeliveredHomeOpenedEventIsHandledOnce(t *testing.T) {
	h := newHarness(t)
	_, ack, err := h.slack.AppHomeOpened(h.waitCtx(), cal)
	if err != nil {
		t.Fatal(err)
	}
	h.home(cal, hmAttention)
	h.idle()
	publishes := h.slack.CallCount("views.publish")

	again, err := h.slack.Resend(h.waitCtx(), ack.Envelope)
	if err != nil {
		t.Fatalf("redelivery not acked: %v", err)
	}
	if again.Envelope.RetryAttempt != 1 {
		t.Fatalf("redelivery carried retry_attempt %d, want 1", again.Envelope.RetryAttempt)
	}
	h.idle()
	if n := h.slack.CallCount("views.publish"); n != publishes {
		t.Errorf("the redelivered app_home_opened (same event_id) published the dashboard %d more times", n-publishes)
	}
}

func TestEveryEnvelopeIsAckedAtOnce(t *testing.T) {
	h := newHarness(t)
	limit := h.slack.Options().AckTimeout

	// The first card post is throttled by Slack for 2 s: the ack must not wait for it.
	h.slack.FailNext("chat.postMessage", 1, slackdouble.Failure{Status: http.StatusTooManyRequests, RetryAfter: 2 * time.Second})
	cmd := h.command(bea, launc, "<@UANA> Ship the pricing page due:2026-12-04")
	if cmd.Latency > trFastAck {
		t.Errorf("slash command acked after %v (Slack gives up at %v)", cmd.Latency, limit)
	}
	card := h.card(launc, 1)

	click, err := h.slack.ClickButton(h.waitCtx(), ana, card.Channel, card.TS, "task.log")
	if err != nil {
		t.Fatal(err)
	}
	if click.Latency > trFastAck {
		t.Errorf("button click acked after %v", click.Latency)
	}
	log := h.view(ana, "task.log")

	_, ev, err := h.slack.AppHomeOpened(h.waitCtx(), ana)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Latency > trFastAck {
		t.Errorf("app_home_opened acked after %v", ev.Latency)
	}

	// A form submission is validated before the ack: the ack is the answer.
	bad := h.submit(ana, log, form(input("note", slackdouble.InputValue{Value: slackdouble.Str("  ")})))
	if bad.Latency > limit {
		t.Errorf("refused submission acked after %v", bad.Latency)
	}
	if !strings.Contains(string(bad.Payload), `"response_action":"errors"`) || !strings.Contains(string(bad.Payload), `"note"`) {
		t.Errorf("an empty update was not refused under its field: %s", bad.Payload)
	}
	if views := h.slack.OpenViews(ana); len(views) != 1 || views[0].Errors["note"] == "" {
		t.Errorf("the form did not stay open with the error under the field: %+v", views)
	}
	good := h.submit(ana, log, form(input("note", slackdouble.InputValue{Value: slackdouble.Str("Copy is done.")})))
	if good.Latency > limit {
		t.Errorf("accepted submission acked after %v", good.Latency)
	}
	if len(good.Payload) != 0 {
		t.Errorf("a valid form was not closed by the ack: %s", good.Payload)
	}
	if len(h.slack.OpenViews(ana)) != 0 {
		t.Error("the form is still open after a valid submission")
	}
	h.threadReply(card, "logged an update", "Copy is done.")
}

func TestBotReconnectsAndKeepsWorking(t *testing.T) {
	if e2eOverHTTP() {
		t.Skip("Socket Mode only: in HTTP mode there is no connection to lose")
	}
	for _, c := range []struct {
		name string
		drop func(*slackdouble.Server)
	}{
		{"refresh_requested", func(s *slackdouble.Server) { s.Disconnect("refresh_requested") }},
		{"warning", func(s *slackdouble.Server) { s.Disconnect("warning") }},
		{"dropped connection", func(s *slackdouble.Server) { s.DropConnections() }},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.command(bea, launc, "<@UANA> Before the reconnect")
			h.card(launc, 1)
			h.idle()

			// Every connection the bot had is gone now: whatever is open below, it opened again.
			c.drop(h.slack)
			if err := h.slack.WaitConnected(h.waitCtx(), 1); err != nil {
				t.Fatalf("the bot did not reconnect: %v", err)
			}
			ack := h.command(bea, launc, "<@UANA> After the reconnect")
			if ack.Latency > trFastAck {
				t.Errorf("first command after the reconnect acked after %v", ack.Latency)
			}
			h.card(launc, 2)
			h.dm(ana, "handed you", "T-2 · After the reconnect")
			h.ephemeral(bea, "Created T-2")
		})
	}
}

func TestRateLimitedCardIsWaitedOutAndPostedOnce(t *testing.T) {
	h := newHarness(t)
	h.slack.FailNext("chat.postMessage", 2, slackdouble.Failure{Status: http.StatusTooManyRequests, RetryAfter: time.Second})
	h.command(bea, launc, "<@UANA> Ship the pricing page")
	h.card(launc, 1)
	h.dm(ana, "handed you", "T-1")
	h.idle()

	if n := h.trCount(launc, trIsCard(1)); n != 1 {
		t.Errorf("%d cards in #launch, want exactly 1", n)
	}
	if n := len(h.trCalls("chat.postMessage", http.StatusTooManyRequests)); n != 2 {
		t.Fatalf("Slack answered %d posts with 429, want the 2 injected", n)
	}
	h.trRetriedAfter("chat.postMessage", http.StatusTooManyRequests, time.Second)
	if got := h.task(1); got.CardTS == "" {
		t.Error("the task does not know its card")
	}
}

func TestUnavailableCardUpdateIsRetried(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	h.slack.FailNext("chat.update", 2, slackdouble.Failure{Status: http.StatusServiceUnavailable})
	h.selectStatus(ana, card, baton.StatusInProgress)
	updated := h.cardNow(card, ":large_blue_circle: In progress")
	h.threadReply(card, "to *In progress*")
	h.idle()

	if updated, _ = h.slack.Message(card.Channel, card.TS); updated.Edits != 1 {
		t.Errorf("card edited %d times, want once", updated.Edits)
	}
	if n := len(h.trCalls("chat.update", http.StatusServiceUnavailable)); n != 2 {
		t.Errorf("%d chat.update calls failed with 503, want the 2 injected", n)
	}
	if n := len(h.trCalls("chat.update", http.StatusOK)); n < 1 {
		t.Error("chat.update never succeeded")
	}
	if n := h.trCount(launc, trIsCard(1)); n != 1 {
		t.Errorf("%d cards for T-1, want the one card updated in place", n)
	}
}

func TestManyTasksInOneChannelArePacedNotRejected(t *testing.T) {
	h := newHarness(t)
	const n = 6
	for i := 1; i <= n; i++ {
		h.command(bea, launc, fmt.Sprintf("<@UANA> Launch step %d", i))
	}
	for i := int64(1); i <= n; i++ {
		h.card(launc, i)
		h.dm(ana, "handed you", fmt.Sprintf("%s · Launch step", baton.TaskRef(i)))
	}
	h.idle()

	for i := int64(1); i <= n; i++ {
		if c := h.trCount(launc, trIsCard(i)); c != 1 {
			t.Errorf("%d cards for %s, want 1", c, baton.TaskRef(i))
		}
	}
	if got := h.trCount(h.slack.DMChannel(ana), func(m slackdouble.Message) bool { return m.Has("handed you") }); got != n {
		t.Errorf("Ana got %d assignment DMs, want %d", got, n)
	}
	if limited := h.trCalls("chat.postMessage", http.StatusTooManyRequests); len(limited) > 0 {
		var b strings.Builder
		for _, c := range limited {
			fmt.Fprintf(&b, "  %s to %s at %s\n", c.Method, c.Args["channel"], c.Time.Format("15:04:05.000"))
		}
		t.Errorf("Baton hit Slack's per-channel limit %d times instead of pacing itself:\n%s", len(limited), b.String())
	}
}

func TestShutdownFinishesWorkInFlightAndCloses(t *testing.T) {
	h := newHarness(t)
	// Slack throttles the card for a second, so the command is still being handled when the bot is told to stop.
	h.slack.FailNext("chat.postMessage", 1, slackdouble.Failure{Status: http.StatusTooManyRequests, RetryAfter: time.Second})
	h.command(bea, launc, "<@UANA> Ship the pricing page")

	start := time.Now()
	if err := h.stop(); err != nil {
		t.Fatalf("the bot stopped with: %v", err)
	}
	if took := time.Since(start); took > 12*time.Second {
		t.Errorf("stopping took %v", took)
	}
	if n := h.trCount(launc, trIsCard(1)); n != 1 {
		t.Errorf("the command in flight at shutdown left %d cards, want its card posted", n)
	}
	if n := h.trCount(h.slack.DMChannel(ana), func(m slackdouble.Message) bool { return m.Has("handed you") }); n != 1 {
		t.Errorf("the command in flight at shutdown sent Ana %d DMs, want 1", n)
	}
	if err := h.slack.Wait(h.waitCtx(), func() bool { return h.slack.Connections() == 0 }); err != nil {
		t.Errorf("%d Socket Mode connections still open after the bot stopped", h.slack.Connections())
	}
}

// Told to stop, HTTP mode says so on /readyz at once and goes on answering Slack for its
// BATON_SHUTDOWN_DELAY, so that a load balancer stops sending it requests before it closes.
func TestShutdownDelayKeepsAnsweringWhileReadyzSaysStopping(t *testing.T) {
	h := newHarness(t, func(o *harnessOptions) { o.overHTTP, o.shutdownDelay = true, 3*time.Second })
	if code, body := h.httpGet("/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz before the stop = %d %s", code, body)
	}
	stopped := make(chan error, 1)
	start := time.Now()
	go func() { stopped <- h.stop() }()
	h.until("/readyz to say the bot is stopping", func() bool {
		code, body := h.httpGet("/readyz")
		return code == http.StatusServiceUnavailable && strings.Contains(body, "shutdown")
	})
	if code, _ := h.httpGet("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d while draining; the process is alive", code)
	}
	h.command(bea, launc, "<@UANA> Ship the pricing page")
	h.card(launc, 1)
	if took := time.Since(start); took >= 3*time.Second {
		t.Fatalf("the card took %v; the test needs it within the delay", took)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("the bot stopped with: %v", err)
	}
	if took := time.Since(start); took < 3*time.Second {
		t.Errorf("the bot stopped after %v, before its 3 s delay", took)
	}
}
