package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// slackPost is a request as Slack signs it, at ts.
func slackPost(t *testing.T, srv string, path, contentType, body string, ts time.Time, secret string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv+path, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:%s", ts.Unix(), body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// httpBot serves a dispatcher whose /task command and view submissions are recorded.
type httpBot struct {
	srv      *httptest.Server
	d        *Dispatcher
	mu       sync.Mutex
	commands []*Request
	events   []*Request
}

func newHTTPBot(t *testing.T) *httpBot {
	b := &httpBot{}
	r := NewRouter()
	r.Command("/task", func(_ context.Context, req *Request) {
		b.mu.Lock()
		b.commands = append(b.commands, req)
		b.mu.Unlock()
	})
	r.Event("app_home_opened", func(_ context.Context, req *Request) {
		b.mu.Lock()
		b.events = append(b.events, req)
		b.mu.Unlock()
	})
	r.ViewSubmission("task.new", func(context.Context, *Request) any {
		return map[string]any{"response_action": "errors", "errors": map[string]string{"title": "Give it a title."}}
	})
	r.ViewSubmission("task.slow", func(ctx context.Context, _ *Request) any {
		<-ctx.Done() // longer than the form's deadline
		return nil
	})
	b.d = &Dispatcher{Router: r, Inbox: newMapInbox(), Log: slog.New(newLogRecorder())}
	b.srv = httptest.NewServer(NewHTTPHandler(HTTPConfig{Dispatcher: b.d, SigningSecret: testSecret, Log: slog.New(newLogRecorder())}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *httpBot) counts() (commands, events int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.commands), len(b.events)
}

const homeOpened = `{"token":"x","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":"Ev1","event_time":1,
	"event":{"type":"app_home_opened","user":"U1","channel":"D1","tab":"home","event_ts":"1.1"}}`

func TestHTTPModeRefusesWhatSlackDidNotSign(t *testing.T) {
	b := newHTTPBot(t)
	form := url.Values{"command": {"/task"}, "text": {"help"}, "user_id": {"U1"}, "channel_id": {"C1"}, "team_id": {"T1"}, "trigger_id": {"1.2"}}.Encode()
	for _, c := range []struct {
		name   string
		ts     time.Time
		secret string
	}{
		{"another secret", time.Now(), "not-the-secret"},
		{"six minutes old", time.Now().Add(-6 * time.Minute), testSecret},
		{"six minutes ahead", time.Now().Add(6 * time.Minute), testSecret},
	} {
		res := slackPost(t, b.srv.URL, CommandsPath, "application/x-www-form-urlencoded", form, c.ts, c.secret)
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: %d; want 401", c.name, res.StatusCode)
		}
	}
	res, err := http.Post(b.srv.URL+CommandsPath, "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned: %d; want 401", res.StatusCode)
	}
	// A signed body on the wrong endpoint, or of the wrong kind, is not read as something else.
	if res := slackPost(t, b.srv.URL, CommandsPath, "application/json", homeOpened, time.Now(), testSecret); res.StatusCode != http.StatusBadRequest {
		t.Errorf("JSON posted as a command: %d; want 400", res.StatusCode)
	}
	if res := slackPost(t, b.srv.URL, EventsPath, "application/x-www-form-urlencoded", form, time.Now(), testSecret); res.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("a form posted as an event: %d; want 415", res.StatusCode)
	}
	big := strings.Repeat("x", maxRequestBody+1)
	if res := slackPost(t, b.srv.URL, EventsPath, "application/json", big, time.Now(), testSecret); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over the limit: %d; want 413", res.StatusCode)
	}
	waitIdle(t, b.d)
	if c, e := b.counts(); c != 0 || e != 0 {
		t.Errorf("%d commands and %d events were handled from refused requests; want none", c, e)
	}
}

func TestHTTPModeAnswersSlackAndRunsEachEventOnce(t *testing.T) {
	b := newHTTPBot(t)
	res := slackPost(t, b.srv.URL, EventsPath, "application/json", `{"token":"x","challenge":"3eZbrw1aBm","type":"url_verification"}`, time.Now(), testSecret)
	if got := readAll(t, res); res.StatusCode != http.StatusOK || got != "3eZbrw1aBm" {
		t.Errorf("url_verification answered %d %q; want the challenge", res.StatusCode, got)
	}

	// Slack retries an event it thinks was not received: same body, X-Slack-Retry-Num.
	if res := slackPost(t, b.srv.URL, EventsPath, "application/json", homeOpened, time.Now(), testSecret); res.StatusCode != http.StatusOK {
		t.Fatalf("app_home_opened: %d", res.StatusCode)
	}
	if res := slackPost(t, b.srv.URL, EventsPath, "application/json", homeOpened, time.Now(), testSecret,
		"X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout"); res.StatusCode != http.StatusOK {
		t.Fatalf("app_home_opened, retried: %d", res.StatusCode)
	}
	// Slack checking the certificate gets a 200 and runs nothing.
	if res := slackPost(t, b.srv.URL, CommandsPath, "application/x-www-form-urlencoded", "ssl_check=1&token=x", time.Now(), testSecret); res.StatusCode != http.StatusOK {
		t.Errorf("ssl_check: %d; want 200", res.StatusCode)
	}
	form := url.Values{"command": {"/task"}, "text": {"help"}, "user_id": {"U1"}, "channel_id": {"C1"}, "team_id": {"T1"}, "trigger_id": {"1.2"}}.Encode()
	if res := slackPost(t, b.srv.URL, CommandsPath, "application/x-www-form-urlencoded", form, time.Now(), testSecret); res.StatusCode != http.StatusOK {
		t.Fatalf("/task: %d", res.StatusCode)
	}
	waitIdle(t, b.d)
	c, e := b.counts()
	if c != 1 || e != 1 {
		t.Fatalf("handled %d commands and %d events; want the command once and the event once, its retry dropped", c, e)
	}
	b.mu.Lock()
	cmd := b.commands[0]
	b.mu.Unlock()
	if cmd.Command == nil || cmd.Command.Text != "help" || cmd.UserID != "U1" || cmd.ChannelID != "C1" || cmd.Command.TriggerID != "1.2" {
		t.Errorf("the command reached its handler as %+v; want /task help from U1 in C1", cmd)
	}

	// A form that takes longer than its deadline (the default, 2.5 s) gets the dispatcher's "taking
	// longer" error under its field, in the response: an empty answer would close it and lose what
	// was typed.
	slow := `{"type":"view_submission","team":{"id":"T1"},"user":{"id":"U1"},"view":{"id":"V2","callback_id":"task.slow",
		"blocks":[{"type":"input","block_id":"title","label":{"type":"plain_text","text":"Title"},"element":{"type":"plain_text_input","action_id":"title"}}],
		"state":{"values":{}}}}`
	res = slackPost(t, b.srv.URL, InteractivityPath, "application/x-www-form-urlencoded", url.Values{"payload": {slow}}.Encode(), time.Now(), testSecret)
	if got := readAll(t, res); res.StatusCode != http.StatusOK || !strings.Contains(got, "taking longer than it should") {
		t.Errorf("the slow form was answered %d %q; want its errors, so it stays open", res.StatusCode, got)
	}

	// A view submission's errors come back in the HTTP response, under the field.
	payload := `{"type":"view_submission","team":{"id":"T1"},"user":{"id":"U1"},"view":{"id":"V1","callback_id":"task.new","state":{"values":{}}}}`
	res = slackPost(t, b.srv.URL, InteractivityPath, "application/x-www-form-urlencoded", url.Values{"payload": {payload}}.Encode(), time.Now(), testSecret)
	if got := readAll(t, res); res.StatusCode != http.StatusOK || !strings.Contains(got, `"response_action":"errors"`) || !strings.Contains(got, "Give it a title.") {
		t.Errorf("the submission was answered %d %s; want its errors", res.StatusCode, got)
	}
}
