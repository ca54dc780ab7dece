package slackdouble

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

func TestRawSocketHelloPingTicketAndDroppedAck(t *testing.T) {
	s := startDouble(t, Options{PingInterval: 20 * time.Millisecond})
	ctx := ctxFor(t, 5*time.Second)
	_, url, err := apiFor(s).StartSocketModeContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var pings atomic.Int32
	conn.SetPingHandler(func(data string) error {
		pings.Add(1)
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	var hello socketmode.Request
	if err := conn.ReadJSON(&hello); err != nil {
		t.Fatal(err)
	}
	if hello.Type != "hello" || hello.NumConnections != 1 || hello.ConnectionInfo.AppID != s.Options().AppID {
		t.Fatalf("bad hello: %+v", hello)
	}
	if _, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil); err == nil {
		t.Fatal("a used ticket was accepted again")
	}

	type result struct {
		ack Ack
		err error
	}
	done := make(chan result, 1)
	go func() {
		_, ack, err := s.SendEvent(ctx, "app_mention", map[string]any{"user": "U1", "text": "<@UBOT> hi", "channel": "C1", "ts": "1.000001"})
		done <- result{ack, err}
	}()
	var env Envelope
	if err := conn.ReadJSON(&env); err != nil {
		t.Fatal(err)
	}
	if env.Type != "events_api" || env.AcceptsResponsePayload || env.RetryAttempt != 0 {
		t.Fatalf("bad envelope: %+v", env)
	}
	big := map[string]any{"envelope_id": env.EnvelopeID, "payload": map[string]string{"text": strings.Repeat("x", 21*1024)}}
	if err := conn.WriteJSON(big); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if !errors.Is(r.err, ErrAckDropped) {
		t.Fatalf("err = %v, want ErrAckDropped", r.err)
	}
	if d := s.DroppedAcks(); len(d) != 1 || d[0].EnvelopeID != env.EnvelopeID {
		t.Fatalf("dropped acks: %+v", d)
	}
	if err := conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	_, _, _ = conn.ReadMessage()
	if pings.Load() == 0 {
		t.Fatal("no websocket pings from the server")
	}
}

func TestSocketModeClientReceivesEnvelopesAndAcks(t *testing.T) {
	s := startDouble(t, Options{})
	b := runBot(t, s, func(evt socketmode.Event) any {
		if evt.Type == socketmode.EventTypeSlashCommand {
			return map[string]any{"text": "Got it"}
		}
		return nil
	})
	ctx := ctxFor(t, 5*time.Second)

	ack, err := s.SlashCommand(ctx, SlashCommand{UserID: "U1", ChannelID: "C1", Command: "/task", Text: "add write docs"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack.Payload), "Got it") || ack.Latency <= 0 {
		t.Fatalf("ack = %+v", ack)
	}
	cmd, ok := b.events()[0].Data.(slack.SlashCommand)
	if !ok || cmd.Command != "/task" || cmd.Text != "add write docs" || cmd.UserName != "alice" || cmd.ChannelName != "general" ||
		cmd.TriggerID == "" || !strings.HasPrefix(cmd.ResponseURL, "http://127.0.0.1") {
		t.Fatalf("slash command = %+v", b.events()[0].Data)
	}
	if eph := s.Ephemerals("U1"); len(eph) != 1 || eph[0].Source != "ack" || !eph[0].Has("Got it") {
		t.Fatalf("ephemerals = %+v", eph)
	}

	eventID, ack, err := s.SendEvent(ctx, "app_mention", map[string]any{"user": "U1", "text": "<@UBOT> hello", "channel": "C1", "ts": "1700000000.000100"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resend(ctx, ack.Envelope); err != nil {
		t.Fatal(err)
	}
	evs := b.events()
	var seen []int
	for _, e := range evs[1:] {
		ev, ok := e.Data.(slackevents.EventsAPIEvent)
		if !ok {
			t.Fatalf("unexpected event %T", e.Data)
		}
		cb := ev.Data.(*slackevents.EventsAPICallbackEvent)
		if cb.EventID != eventID {
			t.Fatalf("event id %s, want %s", cb.EventID, eventID)
		}
		if m, ok := ev.InnerEvent.Data.(*slackevents.AppMentionEvent); !ok || m.Text != "<@UBOT> hello" {
			t.Fatalf("inner event = %#v", ev.InnerEvent.Data)
		}
		seen = append(seen, e.Request.RetryAttempt)
	}
	if len(seen) != 2 || seen[0] != 0 || seen[1] != 1 {
		t.Fatalf("retry attempts = %v", seen)
	}
}

func TestDisconnectMakesSlackGoReconnect(t *testing.T) {
	s := startDouble(t, Options{})
	runBot(t, s, nil)
	ctx := ctxFor(t, 10*time.Second)

	s.Disconnect("refresh_requested")
	if err := s.WaitConnected(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if n := s.CallCount("apps.connections.open"); n != 2 {
		t.Fatalf("apps.connections.open called %d times, want 2", n)
	}
	s.DropConnections()
	if err := s.WaitConnected(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AppHomeOpened(ctx, "U1"); err != nil {
		t.Fatal(err)
	}
}

func TestConnectionsOpenNeedsAppToken(t *testing.T) {
	s := startDouble(t, Options{})
	ctx := ctxFor(t, 5*time.Second)
	noApp := slack.New(s.Options().BotToken, slack.OptionAPIURL(s.APIURL()))
	if _, _, err := noApp.StartSocketModeContext(ctx); err == nil || err.Error() != "not_authed" {
		t.Fatalf("without app token: %v", err)
	}
	wrong := slack.New(s.Options().BotToken, slack.OptionAPIURL(s.APIURL()), slack.OptionAppLevelToken(s.Options().BotToken))
	if _, _, err := wrong.StartSocketModeContext(ctx); err == nil || err.Error() != "invalid_auth" {
		t.Fatalf("with bot token: %v", err)
	}
}

func TestSendWaitsForAConnection(t *testing.T) {
	s := startDouble(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, _, err := s.SendEvent(ctx, "app_home_opened", map[string]any{"user": "U1"})
	if !errors.Is(err, ErrNoConnection) {
		t.Fatalf("err = %v, want ErrNoConnection", err)
	}
	var env Envelope
	if err := json.Unmarshal(mustJSON(newEnvelope("interactive", map[string]any{})), &env); err != nil || !env.AcceptsResponsePayload {
		t.Fatalf("interactive envelope: %+v %v", env, err)
	}
}

func TestLateAckHasNoEffect(t *testing.T) {
	s := startDouble(t, Options{AckTimeout: 30 * time.Millisecond})
	runBot(t, s, func(evt socketmode.Event) any {
		time.Sleep(80 * time.Millisecond)
		return map[string]any{"text": "too late"}
	})
	ack, err := s.SlashCommand(ctxFor(t, 5*time.Second), SlashCommand{UserID: "U1", ChannelID: "DU1", Command: "/task"})
	if !errors.Is(err, ErrLateAck) || ack.Latency < 30*time.Millisecond {
		t.Fatalf("ack %+v, err %v; want ErrLateAck", ack, err)
	}
	if e := s.Ephemerals("U1"); len(e) != 0 {
		t.Fatalf("late ack reply was shown: %+v", e)
	}
}
