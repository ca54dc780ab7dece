package bot

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
)

// socketServer plays Slack's side of Socket Mode: apps.connections.open hands out a
// websocket URL, and each accepted socket is passed to the test to drive.
type socketServer struct {
	*httptest.Server
	conns   chan *websocket.Conn
	opens   atomic.Int32
	openErr string // when set, apps.connections.open fails with this code
}

func newSocketServer(t *testing.T, openErr string) *socketServer {
	s := &socketServer{conns: make(chan *websocket.Conn, 4), openErr: openErr}
	// slack-go dials with Origin: https://api.slack.com, as Slack expects.
	upgrader := websocket.Upgrader{CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "https://api.slack.com" }}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
		s.opens.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer xapp-test" {
			_, _ = io.WriteString(w, `{"ok":false,"error":"not_authed"}`)
			return
		}
		if s.openErr != "" {
			_, _ = io.WriteString(w, `{"ok":false,"error":"`+s.openErr+`"}`)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(s.URL, "http") + "/link"})
	})
	mux.HandleFunc("/link", func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		s.conns <- conn
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *socketServer) api() *slack.Client {
	return slack.New("xoxb-test", slack.OptionAppLevelToken("xapp-test"), slack.OptionAPIURL(s.URL+"/api/"))
}

func (s *socketServer) accept(t *testing.T) *websocket.Conn {
	t.Helper()
	select {
	case conn := <-s.conns:
		t.Cleanup(func() { _ = conn.Close() })
		send(t, conn, `{"type":"hello","num_connections":1,"connection_info":{"app_id":"A1"},"debug_info":{"host":"applink-test","approximate_connection_time":18060}}`)
		return conn
	case <-time.After(waitTimeout):
		t.Fatal("bot did not open a socket")
		return nil
	}
}

func send(t *testing.T, conn *websocket.Conn, frame string) {
	t.Helper()
	if err := conn.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		t.Fatalf("write frame: %v", err)
	}
}

type ackFrame struct {
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload"`
}

func readAck(t *testing.T, conn *websocket.Conn) ackFrame {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(waitTimeout))
	var ack ackFrame
	if err := conn.ReadJSON(&ack); err != nil {
		t.Fatalf("read ack: %v", err)
	}
	return ack
}

// socketRun is a RunSocketMode call running in the background.
type socketRun struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

func runSocket(t *testing.T, cfg SocketConfig) *socketRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	run := &socketRun{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(run.done)
		run.err = RunSocketMode(ctx, cfg)
	}()
	t.Cleanup(func() {
		run.cancel()
		<-run.done
	})
	return run
}

// result waits for RunSocketMode to return.
func (r *socketRun) result(t *testing.T) error {
	t.Helper()
	select {
	case <-r.done:
		return r.err
	case <-time.After(waitTimeout):
		t.Fatal("RunSocketMode did not return")
		return nil
	}
}

func TestSocketModeAcksDispatchesAndReconnects(t *testing.T) {
	srv := newSocketServer(t, "")
	handled := make(chan string, 4)
	r := NewRouter()
	r.Command("/task", func(_ context.Context, req *Request) { handled <- req.EnvelopeID })
	r.Event("app_home_opened", func(_ context.Context, req *Request) { handled <- req.EnvelopeID })
	logs := newLogRecorder()
	log := slog.New(logs)
	run := runSocket(t, SocketConfig{API: srv.api(), Dispatcher: &Dispatcher{Router: r, Log: log}, Log: log, PingInterval: time.Minute})

	conn := srv.accept(t)
	pong := make(chan string, 1)
	conn.SetPongHandler(func(data string) error {
		pong <- data
		return nil
	})

	send(t, conn, `{"envelope_id":"env-cmd","type":"slash_commands","accepts_response_payload":true,
		"payload":{"command":"/task","text":"add docs","team_id":"T1","user_id":"U1","channel_id":"C1","trigger_id":"t"}}`)
	if ack := readAck(t, conn); ack.EnvelopeID != "env-cmd" {
		t.Fatalf("ack for %q, want env-cmd", ack.EnvelopeID)
	}
	if got := <-handled; got != "env-cmd" {
		t.Fatalf("handled %q", got)
	}

	// Slack pings; slack-go must answer while our loop is busy dispatching.
	if err := conn.WriteControl(websocket.PingMessage, []byte("are-you-there"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	// An envelope slack-go cannot parse is still acked, by the envelope_id in its raw JSON.
	send(t, conn, `{"envelope_id":"env-bad","type":"events_api","retry_attempt":0,
		"payload":{"type":"event_callback","team_id":"T1","event_id":"Ev9","event":{"type":"no_such_event"}}}`)
	if ack := readAck(t, conn); ack.EnvelopeID != "env-bad" {
		t.Fatalf("ack for %q, want env-bad", ack.EnvelopeID)
	}
	select {
	case data := <-pong:
		if data != "are-you-there" {
			t.Errorf("pong %q", data)
		}
	case <-time.After(waitTimeout):
		t.Fatal("no pong")
	}

	// A routine refresh: slack-go reconnects with a fresh URL and envelopes flow again.
	send(t, conn, `{"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"applink-test"}}`)
	conn2 := srv.accept(t)
	send(t, conn2, `{"envelope_id":"env-ev","type":"events_api","retry_attempt":0,"accepts_response_payload":false,
		"payload":{"type":"event_callback","team_id":"T1","event_id":"Ev1","event_time":1,
		"event":{"type":"app_home_opened","user":"U1","channel":"D1","tab":"home","event_ts":"1.1"}}}`)
	if ack := readAck(t, conn2); ack.EnvelopeID != "env-ev" {
		t.Fatalf("ack for %q, want env-ev", ack.EnvelopeID)
	}
	if got := <-handled; got != "env-ev" {
		t.Fatalf("handled %q", got)
	}
	if n := srv.opens.Load(); n != 2 {
		t.Errorf("apps.connections.open called %d times, want 2", n)
	}

	run.cancel()
	if err := run.result(t); err != nil {
		t.Fatalf("RunSocketMode = %v, want nil on shutdown", err)
	}
	for msg, n := range map[string]int{
		"socket mode connected":                  2,
		"socket mode hello":                      2,
		"socket mode disconnected; reconnecting": 1,
		"socket mode stopped":                    1,
	} {
		if got := len(logs.find(msg)); got != n {
			t.Errorf("log %q seen %d times, want %d", msg, got, n)
		}
	}
	if hello := logs.find("socket mode hello"); len(hello) > 0 && hello[0].attrs["app_id"] != "A1" {
		t.Errorf("hello log attrs = %v", hello[0].attrs)
	}
}

func TestSocketModeShutdownLetsInFlightSubmissionAck(t *testing.T) {
	srv := newSocketServer(t, "")
	started, release := make(chan struct{}), make(chan struct{})
	r := NewRouter()
	r.ViewSubmission("new_task", func(context.Context, *Request) any {
		close(started)
		<-release
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"title_block": "Give the task a title."})
	})
	logs := newLogRecorder()
	log := slog.New(logs)
	d := &Dispatcher{Router: r, Log: log, SubmitTimeout: time.Minute}
	run := runSocket(t, SocketConfig{API: srv.api(), Dispatcher: d, Log: log, PingInterval: time.Minute})

	conn := srv.accept(t)
	send(t, conn, `{"envelope_id":"env-sub","type":"interactive","accepts_response_payload":true,"payload":`+newTaskSubmission+`}`)
	<-started

	run.cancel()
	logs.waitFor(t, "socket mode stopping", 1)
	close(release)

	ack := readAck(t, conn)
	if ack.EnvelopeID != "env-sub" || !strings.Contains(string(ack.Payload), `"title_block":"Give the task a title."`) {
		t.Fatalf("ack = %s %s", ack.EnvelopeID, ack.Payload)
	}
	if err := run.result(t); err != nil {
		t.Fatalf("RunSocketMode = %v", err)
	}
}

func TestSocketModeReturnsAuthErrors(t *testing.T) {
	srv := newSocketServer(t, "invalid_auth")
	run := runSocket(t, SocketConfig{API: srv.api(), Dispatcher: &Dispatcher{Router: NewRouter()}, Log: slog.New(newLogRecorder())})

	err := run.result(t)
	if err == nil || !IsSlackError(err, "invalid_auth") || !strings.Contains(err.Error(), "SLACK_APP_TOKEN") {
		t.Fatalf("RunSocketMode = %v, want invalid_auth naming SLACK_APP_TOKEN", err)
	}
}

func TestSocketModeRejectsIncompleteConfig(t *testing.T) {
	if err := RunSocketMode(context.Background(), SocketConfig{Dispatcher: &Dispatcher{}}); err == nil {
		t.Error("no error without API")
	}
	if err := RunSocketMode(context.Background(), SocketConfig{API: slack.New("x")}); err == nil {
		t.Error("no error without Dispatcher")
	}
}
