package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// fakeClock is the client's clock in tests: Sleep advances it at once and records the wait.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

// newFakeClock starts at the real time, so deadlines derived from it are real deadlines too.
func newFakeClock() *fakeClock { return &fakeClock{now: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}

// slackServer is an httptest server speaking the Slack Web API. Each method answers from a
// script of responses; the last one repeats. Every call is recorded.
type slackServer struct {
	*httptest.Server
	mu    sync.Mutex
	calls []recordedCall
	reply map[string][]func(w http.ResponseWriter, form url.Values)
}

type recordedCall struct {
	method string
	form   url.Values
	at     time.Time
}

func newSlackServer(t *testing.T) *slackServer {
	s := &slackServer{reply: map[string][]func(http.ResponseWriter, url.Values){}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		method := strings.TrimPrefix(r.URL.Path, "/api/")
		form := url.Values{}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			body, _ := io.ReadAll(r.Body)
			form.Set("json", string(body))
		} else if err := r.ParseForm(); err == nil {
			form = r.Form
		}
		s.mu.Lock()
		n := 0
		for _, c := range s.calls {
			if c.method == method {
				n++
			}
		}
		s.calls = append(s.calls, recordedCall{method: method, form: form, at: at})
		script := s.reply[method]
		s.mu.Unlock()
		if len(script) == 0 {
			http.Error(w, "no such method "+method, http.StatusNotFound)
			return
		}
		script[min(n, len(script)-1)](w, form)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *slackServer) on(method string, replies ...func(http.ResponseWriter, url.Values)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reply[method] = replies
}

func (s *slackServer) callsTo(method string) []recordedCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []recordedCall
	for _, c := range s.calls {
		if c.method == method {
			out = append(out, c)
		}
	}
	return out
}

func (s *slackServer) api() *slack.Client {
	return slack.New("xoxb-test", slack.OptionAPIURL(s.URL+"/api/"))
}

func okJSON(body string) func(http.ResponseWriter, url.Values) {
	return func(w http.ResponseWriter, _ url.Values) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}
}

func status(code int, header ...string) func(http.ResponseWriter, url.Values) {
	return func(w http.ResponseWriter, _ url.Values) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
	}
}

var posted = okJSON(`{"ok":true,"channel":"C1","ts":"1700000000.000100"}`)

func TestClientHonoursRetryAfter(t *testing.T) {
	srv := newSlackServer(t)
	srv.on("chat.update", status(http.StatusTooManyRequests, "Retry-After", "1"), posted)
	clock := newFakeClock()
	c := NewClient(srv.api(), ClientConfig{Now: clock.Now, Sleep: clock.Sleep, Log: slog.New(newLogRecorder())})

	if err := c.UpdateMessage(context.Background(), "C1", "1.2", slack.MsgOptionText("done", false)); err != nil {
		t.Fatalf("UpdateMessage: %v", err)
	}
	if n := len(srv.callsTo("chat.update")); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
	if got := clock.Sleeps(); !slices.Equal(got, []time.Duration{time.Second}) {
		t.Errorf("waited %v, want exactly Retry-After (1s)", got)
	}
}

func TestClientRateLimitedPostHoldsTheChannel(t *testing.T) {
	srv := newSlackServer(t)
	srv.on("chat.postMessage", status(http.StatusTooManyRequests, "Retry-After", "2"), posted)
	clock := newFakeClock()
	c := NewClient(srv.api(), ClientConfig{Now: clock.Now, Sleep: clock.Sleep, Log: slog.New(newLogRecorder())})

	start := clock.Now()
	if _, ts, err := c.PostMessage(context.Background(), "C1", slack.MsgOptionText("hi", false)); err != nil || ts == "" {
		t.Fatalf("PostMessage = %q, %v", ts, err)
	}
	if n := len(srv.callsTo("chat.postMessage")); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
	if waited := clock.Now().Sub(start); waited != 2*time.Second {
		t.Errorf("waited %v in total, want exactly Retry-After (2s)", waited)
	}

	// Another sender to the same channel lines up behind the block, one interval later.
	before := clock.Now()
	if _, _, err := c.PostMessage(context.Background(), "C1", slack.MsgOptionText("again", false)); err != nil {
		t.Fatal(err)
	}
	if waited := clock.Now().Sub(before); waited != defaultPerChannelInterval {
		t.Errorf("next post to the channel waited %v, want one interval (%v)", waited, defaultPerChannelInterval)
	}
	// Another channel is not held.
	before = clock.Now()
	if _, _, err := c.PostMessage(context.Background(), "C2", slack.MsgOptionText("elsewhere", false)); err != nil {
		t.Fatal(err)
	}
	if waited := clock.Now().Sub(before); waited != 0 {
		t.Errorf("post to another channel waited %v", waited)
	}
}

func TestClientRetriesServerErrors(t *testing.T) {
	srv := newSlackServer(t)
	srv.on("chat.update", status(http.StatusServiceUnavailable), status(http.StatusServiceUnavailable), posted)
	clock := newFakeClock()
	c := NewClient(srv.api(), ClientConfig{Now: clock.Now, Sleep: clock.Sleep, Log: slog.New(newLogRecorder())})

	if err := c.UpdateMessage(context.Background(), "C1", "1.2", slack.MsgOptionText("done", false)); err != nil {
		t.Fatalf("UpdateMessage: %v", err)
	}
	if n := len(srv.callsTo("chat.update")); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
	sleeps := clock.Sleeps()
	if len(sleeps) != 2 {
		t.Fatalf("slept %v, want two backoffs", sleeps)
	}
	for i, d := range sleeps {
		lo, hi := backoffBase<<i/2, backoffBase<<i
		if d < lo || d >= hi {
			t.Errorf("backoff %d = %v, want in [%v, %v)", i+1, d, lo, hi)
		}
	}
}

func TestClientDoesNotRetryPermanentErrors(t *testing.T) {
	srv := newSlackServer(t)
	srv.on("chat.postMessage", okJSON(`{"ok":false,"error":"invalid_blocks","response_metadata":{"messages":["[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"]}}`))
	clock := newFakeClock()
	logs := newLogRecorder()
	c := NewClient(srv.api(), ClientConfig{Now: clock.Now, Sleep: clock.Sleep, Log: slog.New(logs)})

	_, _, err := c.PostMessage(context.Background(), "C1", slack.MsgOptionText("hi", false))
	if !IsSlackError(err, "invalid_blocks") {
		t.Fatalf("err = %v, want invalid_blocks", err)
	}
	if IsSlackError(err, "not_in_channel") {
		t.Error("IsSlackError matched the wrong code")
	}
	if n := len(srv.callsTo("chat.postMessage")); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
	if s := clock.Sleeps(); len(s) != 0 {
		t.Errorf("slept %v before giving up on a permanent error", s)
	}
	if recs := logs.find("slack call failed"); len(recs) != 1 || recs[0].level != slog.LevelWarn {
		t.Errorf("failure logs = %+v, want one warning", recs)
	}
}

func TestClientGivesUpAfterMaxAttemptsWithTheCause(t *testing.T) {
	srv := newSlackServer(t)
	srv.on("views.open", status(http.StatusBadGateway))
	clock := newFakeClock()
	logs := newLogRecorder()
	c := NewClient(srv.api(), ClientConfig{MaxAttempts: 3, Now: clock.Now, Sleep: clock.Sleep, Log: slog.New(logs)})

	_, err := c.OpenView(context.Background(), "trigger", slack.ModalViewRequest{Type: slack.VTModal})
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != http.StatusBadGateway {
		t.Fatalf("err = %v, want it to wrap the 502", err)
	}
	if n := len(srv.callsTo("views.open")); n != 3 {
		t.Errorf("%d calls, want MaxAttempts (3)", n)
	}
	recs := logs.find("slack call failed")
	if len(recs) != 1 || recs[0].level != slog.LevelError || recs[0].attrs["method"] != "views.open" || recs[0].attrs["attempts"] != int64(3) {
		t.Errorf("failure logs = %+v, want one error", recs)
	}
}

func TestClientRefusesRetryAfterBeyondMaxWait(t *testing.T) {
	srv := newSlackServer(t)
	srv.on("chat.postEphemeral", status(http.StatusTooManyRequests, "Retry-After", "120"), posted)
	clock := newFakeClock()
	c := NewClient(srv.api(), ClientConfig{MaxRetryWait: time.Minute, Now: clock.Now, Sleep: clock.Sleep, Log: slog.New(newLogRecorder())})

	err := c.PostEphemeral(context.Background(), "C1", "U1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 120*time.Second {
		t.Fatalf("err = %v, want the rate limit", err)
	}
	if n := len(srv.callsTo("chat.postEphemeral")); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestClientRetryRespectsContextDeadline(t *testing.T) {
	srv := newSlackServer(t)
	srv.on("views.publish", status(http.StatusTooManyRequests, "Retry-After", "30"), okJSON(`{"ok":true}`))
	clock := newFakeClock()
	c := NewClient(srv.api(), ClientConfig{Now: clock.Now, Sleep: clock.Sleep, Log: slog.New(newLogRecorder())})
	ctx, cancel := context.WithDeadline(context.Background(), clock.Now().Add(5*time.Second))
	defer cancel()

	err := c.PublishHome(ctx, "U1", slack.HomeTabViewRequest{Type: slack.VTHomeTab})
	if err == nil || !strings.Contains(err.Error(), "would pass the deadline") {
		t.Fatalf("err = %v, want a deadline refusal", err)
	}
	if s := clock.Sleeps(); len(s) != 0 {
		t.Errorf("slept %v although the retry could not make the deadline", s)
	}
}

func TestClientPacesPerChannel(t *testing.T) {
	const (
		interval = 50 * time.Millisecond
		paced    = 5
	)
	srv := newSlackServer(t)
	srv.on("chat.postMessage", posted)
	sleeping := make(chan time.Duration, paced)
	c := NewClient(srv.api(), ClientConfig{
		PerChannelInterval: interval,
		Burst:              1,
		Log:                slog.New(newLogRecorder()),
		Sleep: func(ctx context.Context, d time.Duration) error {
			sleeping <- d
			return sleep(ctx, d)
		},
	})

	start := time.Now()
	errs := make(chan error, paced+1)
	for i := range paced {
		go func() {
			_, _, err := c.PostMessage(context.Background(), "C1", slack.MsgOptionText(fmt.Sprint(i), false))
			errs <- err
		}()
	}
	// All but the first post to C1 are now waiting for their slots.
	for range paced - 1 {
		select {
		case <-sleeping:
		case <-time.After(waitTimeout):
			t.Fatal("posts to C1 did not queue")
		}
	}
	_, _, err := c.PostMessage(context.Background(), "C2", slack.MsgOptionText("other", false))
	if err != nil {
		t.Fatal(err)
	}
	for range paced {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}

	var c1 []time.Time
	var c2 time.Time
	for _, call := range srv.callsTo("chat.postMessage") {
		switch call.form.Get("channel") {
		case "C1":
			c1 = append(c1, call.at)
		case "C2":
			c2 = call.at
		}
	}
	slices.SortFunc(c1, func(a, b time.Time) int { return a.Compare(b) })
	if len(c1) != paced {
		t.Fatalf("server saw %d posts to C1, want %d", len(c1), paced)
	}
	// The i-th post can only reach Slack i intervals after the first could.
	for i, at := range c1 {
		if min := time.Duration(i) * interval; at.Sub(start) < min {
			t.Errorf("post %d to C1 arrived %v after start, want at least %v", i, at.Sub(start), min)
		}
	}
	if !c2.Before(c1[len(c1)-1]) {
		t.Errorf("post to C2 arrived at +%v, after C1's queue drained at +%v: it waited behind another channel",
			c2.Sub(start), c1[len(c1)-1].Sub(start))
	}
	select {
	case d := <-sleeping:
		t.Errorf("unexpected extra wait of %v (the C2 post must not wait)", d)
	default:
	}
}

func TestClientPacingWaitRespectsContext(t *testing.T) {
	srv := newSlackServer(t)
	srv.on("chat.postMessage", posted)
	clock := newFakeClock()
	c := NewClient(srv.api(), ClientConfig{PerChannelInterval: time.Second, Burst: 1, Now: clock.Now, Sleep: clock.Sleep, Log: slog.New(newLogRecorder())})

	if _, _, err := c.PostMessage(context.Background(), "C1"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithDeadline(context.Background(), clock.Now().Add(500*time.Millisecond))
	defer cancel()
	_, _, err := c.PostMessage(ctx, "C1")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the slot past the deadline to fail the post", err)
	}
	if n := len(srv.callsTo("chat.postMessage")); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
	// The refused post booked nothing: the next one goes one interval after the first.
	before := clock.Now()
	if _, _, err := c.PostMessage(context.Background(), "C1"); err != nil {
		t.Fatal(err)
	}
	if waited := clock.Now().Sub(before); waited != time.Second {
		t.Errorf("waited %v, want 1s", waited)
	}
}

func TestClientRespondRetriesAndPostsToResponseURL(t *testing.T) {
	srv := newSlackServer(t)
	srv.on("response/abc", status(http.StatusInternalServerError), okJSON(`{"ok":true}`))
	clock := newFakeClock()
	c := NewClient(srv.api(), ClientConfig{Now: clock.Now, Sleep: clock.Sleep, Log: slog.New(newLogRecorder())})

	responseURL := srv.URL + "/api/response/abc"
	if err := c.Respond(context.Background(), responseURL, slack.MsgOptionText("Task T-12 is done", false), slack.MsgOptionReplaceOriginal(responseURL)); err != nil {
		t.Fatalf("Respond: %v", err)
	}
	calls := srv.callsTo("response/abc")
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2", len(calls))
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(calls[1].form.Get("json")), &body); err != nil {
		t.Fatal(err)
	}
	if body["text"] != "Task T-12 is done" || body["replace_original"] != true || body["response_type"] != "ephemeral" {
		t.Errorf("response_url body = %v", body)
	}
}

func TestClientOpenDMIsCached(t *testing.T) {
	srv := newSlackServer(t)
	srv.on("conversations.open", okJSON(`{"ok":true,"channel":{"id":"D42"}}`))
	c := NewClient(srv.api(), ClientConfig{Log: slog.New(newLogRecorder())})

	for range 3 {
		id, err := c.OpenDM(context.Background(), "U1")
		if err != nil || id != "D42" {
			t.Fatalf("OpenDM = %q, %v", id, err)
		}
	}
	calls := srv.callsTo("conversations.open")
	if len(calls) != 1 || calls[0].form.Get("users") != "U1" {
		t.Errorf("conversations.open calls = %+v, want one for U1", calls)
	}
}

func TestClientUsersReadsAllPagesRetryingEach(t *testing.T) {
	srv := newSlackServer(t)
	srv.on("users.list",
		okJSON(`{"ok":true,"members":[{"id":"U1"},{"id":"U2"}],"response_metadata":{"next_cursor":"page2"}}`),
		status(http.StatusServiceUnavailable),
		okJSON(`{"ok":true,"members":[{"id":"U3"}],"response_metadata":{"next_cursor":""}}`))
	clock := newFakeClock()
	c := NewClient(srv.api(), ClientConfig{Now: clock.Now, Sleep: clock.Sleep, Log: slog.New(newLogRecorder())})

	users, err := c.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	if !slices.Equal(ids, []string{"U1", "U2", "U3"}) {
		t.Errorf("users %v", ids)
	}
	calls := srv.callsTo("users.list")
	if len(calls) != 3 || calls[2].form.Get("cursor") != "page2" {
		t.Errorf("users.list calls = %d, last cursor %q; want the failed page retried with its cursor", len(calls), calls[len(calls)-1].form.Get("cursor"))
	}
}

func TestClientRetriesDroppedConnections(t *testing.T) {
	srv := newSlackServer(t)
	srv.on("auth.test",
		func(w http.ResponseWriter, _ url.Values) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		},
		okJSON(`{"ok":true,"user_id":"UBOT","bot_id":"B1","team_id":"T1"}`))
	clock := newFakeClock()
	c := NewClient(srv.api(), ClientConfig{Now: clock.Now, Sleep: clock.Sleep, Log: slog.New(newLogRecorder())})

	resp, err := c.AuthTest(context.Background())
	if err != nil || resp.UserID != "UBOT" {
		t.Fatalf("AuthTest = %+v, %v", resp, err)
	}
	if n := len(srv.callsTo("auth.test")); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
}

func TestIsSlackError(t *testing.T) {
	wrapped := fmt.Errorf("posting card: %w", slack.SlackErrorResponse{Err: "not_in_channel"})
	if !IsSlackError(wrapped, "channel_not_found", "not_in_channel") {
		t.Error("wrapped not_in_channel not recognised")
	}
	if !IsSlackError(wrapped) {
		t.Error("any-code check failed")
	}
	if IsSlackError(errors.New("not_in_channel"), "not_in_channel") {
		t.Error("a plain error is not a Slack error response")
	}
	if IsSlackError(nil) {
		t.Error("nil is not a Slack error")
	}
}

func TestClientRemembersPermalinks(t *testing.T) {
	srv := newSlackServer(t)
	srv.on("chat.getPermalink", okJSON(`{"ok":true,"channel":"C1","permalink":"https://x.slack.com/archives/C1/p1"}`))
	c := NewClient(srv.api(), ClientConfig{Log: slog.New(newLogRecorder())})
	for range 3 {
		link, err := c.Permalink(context.Background(), "C1", "1.2")
		if err != nil || link != "https://x.slack.com/archives/C1/p1" {
			t.Fatalf("Permalink = %q, %v", link, err)
		}
	}
	if n := len(srv.callsTo("chat.getPermalink")); n != 1 {
		t.Errorf("%d chat.getPermalink calls for one message, want 1", n)
	}
	if _, err := c.Permalink(context.Background(), "C1", "1.3"); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.callsTo("chat.getPermalink")); n != 2 {
		t.Errorf("another message's permalink was not fetched (%d calls)", n)
	}

	// A message that is gone is asked for once: the dashboards that list its card don't ask again.
	srv.on("chat.getPermalink", okJSON(`{"ok":false,"error":"message_not_found"}`))
	if _, err := c.Permalink(context.Background(), "C1", "1.4"); !IsSlackError(err, "message_not_found") {
		t.Fatalf("a deleted message's permalink: %v", err)
	}
	if link, err := c.Permalink(context.Background(), "C1", "1.4"); link != "" || err != nil {
		t.Errorf("asked again, a deleted message's permalink = %q, %v; want none, and no second error", link, err)
	}
	if n := len(srv.callsTo("chat.getPermalink")); n != 3 {
		t.Errorf("%d chat.getPermalink calls; a deleted message was asked for more than once", n)
	}
}

func TestClientUploadStartsAgainFromANewURLAndRetriesTheShare(t *testing.T) {
	srv := newSlackServer(t)
	srv.on("files.getUploadURLExternal",
		okJSON(`{"ok":true,"upload_url":"`+srv.URL+`/upload/1","file_id":"F1"}`),
		okJSON(`{"ok":true,"upload_url":"`+srv.URL+`/upload/2","file_id":"F2"}`))
	srv.on("/upload/1", status(http.StatusServiceUnavailable))
	srv.on("/upload/2", status(http.StatusOK))
	srv.on("files.completeUploadExternal", status(http.StatusTooManyRequests, "Retry-After", "1"),
		okJSON(`{"ok":true,"files":[{"id":"F2","title":"Export"}]}`))
	clock := newFakeClock()
	c := NewClient(srv.api(), ClientConfig{Now: clock.Now, Sleep: clock.Sleep, Log: slog.New(newLogRecorder())})

	id, err := c.UploadFile(context.Background(), "D1", FileUpload{Filename: "export.csv", Title: "Export", Comment: "Here it is", Content: []byte("a,b\n")})
	if err != nil || id != "F2" {
		t.Fatalf("UploadFile = %q, %v; want F2", id, err)
	}
	urls := srv.callsTo("files.getUploadURLExternal")
	if len(urls) != 2 || urls[1].form.Get("filename") != "export.csv" || urls[1].form.Get("length") != "4" {
		t.Fatalf("getUploadURLExternal calls = %+v; want two, each with the name and length", urls)
	}
	if n1, n2 := len(srv.callsTo("/upload/1")), len(srv.callsTo("/upload/2")); n1 != 1 || n2 != 1 {
		t.Errorf("uploads = %d to the first URL, %d to the second; want each used once", n1, n2)
	}
	done := srv.callsTo("files.completeUploadExternal")
	if len(done) != 2 || done[1].form.Get("channel_id") != "D1" || done[1].form.Get("initial_comment") != "Here it is" ||
		done[1].form.Get("files") != `[{"id":"F2","title":"Export"}]` {
		t.Fatalf("completeUploadExternal calls = %+v", done)
	}
	if _, err := c.UploadFile(context.Background(), "D1", FileUpload{Filename: "empty.csv"}); err == nil {
		t.Error("an empty file was uploaded")
	}
}
