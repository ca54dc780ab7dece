package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/store/storetest"
)

// localWorkspace is `baton run` without Slack, started on a test database and its own Redis
// queues, with its page on a free port.
type localWorkspace struct {
	t     testing.TB
	url   string
	stop  func() error
	first chan string // the first line the process writes
	done  chan error  // what localRun returned
}

// lineWriter hands over the first line written to it.
type lineWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	line chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if line, _, ok := strings.Cut(w.buf.String(), "\n"); ok && w.line != nil {
		w.line <- line
		w.line = nil
	}
	return len(p), nil
}

// startLocal runs the local workspace on dbURL with Redis queues under prefix and waits for the
// line that says where its page is.
func startLocal(t testing.TB, dbURL, prefix string) *localWorkspace {
	t.Helper()
	lw := launchLocal(t, dbURL, prefix, "127.0.0.1:0")
	lw.waitRunning(2 * time.Minute)
	return lw
}

// launchLocal starts `baton run` without Slack on addr, and returns at once.
func launchLocal(t testing.TB, dbURL, prefix, addr string) *localWorkspace {
	t.Helper()
	cfg := config{DatabaseURL: dbURL, RedisURL: testRedisURL(), HTTPAddr: addr, Local: true}
	first := make(chan string, 1)
	out := &lineWriter{line: first}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- localRun(ctx, cfg, testLogger(t), runOptions{redisPrefix: prefix, recoverEvery: 100 * time.Millisecond}, out)
	}()
	lw := &localWorkspace{t: t, first: first, done: done}
	var once sync.Once
	var stopErr error
	lw.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(30 * time.Second):
				stopErr = errors.New("the local workspace did not stop within 30 s")
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := lw.stop(); err != nil {
			t.Errorf("local workspace stopped with: %v", err)
		}
	})
	return lw
}

// waitRunning waits for the line that says where the page is, and keeps its address.
func (lw *localWorkspace) waitRunning(within time.Duration) {
	lw.t.Helper()
	select {
	case line := <-lw.first:
		url, ok := strings.CutPrefix(line, "Baton is running — open ")
		if !ok {
			lw.t.Fatalf("the first line is %q; want where to open the page", line)
		}
		lw.url = url
	case err := <-lw.done:
		lw.t.Fatalf("the local workspace stopped before it was ready: %v", err)
	case <-time.After(within):
		lw.t.Fatalf("the local workspace was not ready within %v", within)
	}
}

func (lw *localWorkspace) get(path string, out any) {
	lw.t.Helper()
	res, err := http.Get(lw.url + path)
	if err != nil {
		lw.t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		lw.t.Fatalf("GET %s: %v", path, err)
	}
}

func (lw *localWorkspace) post(action string, body map[string]any) map[string]any {
	lw.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, lw.url+"/local/api/"+action, bytes.NewReader(b))
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		lw.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		lw.t.Fatalf("POST %s: %v", action, err)
	}
	return out
}

type localMessage struct {
	TS        string `json:"ts"`
	User      string `json:"user"`
	Text      string `json:"text"`
	Ephemeral bool   `json:"ephemeral"`
}

// texts is every message as person sees it in a conversation, one per line.
func (lw *localWorkspace) texts(person, channel string) string { return lw.read(person, channel, true) }

// kept is texts without the ephemeral messages, which Slack too forgets on a reload.
func (lw *localWorkspace) kept(person, channel string) string { return lw.read(person, channel, false) }

func (lw *localWorkspace) read(person, channel string, ephemeral bool) string {
	lw.t.Helper()
	var conv struct {
		Messages []localMessage `json:"messages"`
		Error    string         `json:"error"`
	}
	lw.get(fmt.Sprintf("/local/api/channel?as=%s&id=%s", person, channel), &conv)
	if conv.Error != "" {
		lw.t.Fatalf("%s reading %s: %s", person, channel, conv.Error)
	}
	var b strings.Builder
	for _, m := range conv.Messages {
		if ephemeral || !m.Ephemeral {
			b.WriteString(m.Text + "\n")
		}
	}
	return b.String()
}

func mustSay(t testing.TB, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not say %q:\n%s", what, w, got)
		}
	}
}

// Started without Slack, Baton sets up Northwind once, keeps it across restarts, lets its clock be
// moved so that scheduled work happens, and is cleared by `baton local reset`.
func TestTheLocalWorkspaceIsSeededKeptMovedAndReset(t *testing.T) {
	dbURL, prefix := storetest.URL(t), redisPrefix(t)
	lw := startLocal(t, dbURL, prefix)

	ready, err := http.Get(lw.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	ready.Body.Close()
	if ready.StatusCode != http.StatusOK {
		t.Errorf("/readyz of the running local workspace: %d; want 200", ready.StatusCode)
	}
	var session struct {
		People []struct{ ID, Name string } `json:"people"`
		Notice string                      `json:"notice"`
	}
	lw.get("/local/api/session", &session)
	if len(session.People) != len(demoPeople) || session.People[0].ID != demoMaya || !strings.Contains(session.Notice, "no sign-in") {
		t.Fatalf("the page offers %+v (%q); want Northwind's %d people, Maya first, and the sign-in notice", session.People, session.Notice, len(demoPeople))
	}
	// The first screen is not empty: cards in the channels, the manager's approval waiting, the
	// owner's hand-overs.
	mustSay(t, "#launch", lw.texts(demoMaya, demoLaunch), "T-1 Draft the launch plan", "T-2 Load-test the sign-up flow", "T-3 Write the launch announcement", "D-1")
	mustSay(t, "#sales", lw.texts(demoBen, demoSales), "T-4 Prepare the Acme pricing deck")
	mustSay(t, "Maya's DM", lw.texts(demoMaya, "D"+demoMaya), "R-1 · Purchase from <@UANA> needs your approval", "flagged you on decision *D-1")
	mustSay(t, "Ana's DM", lw.texts(demoAna, "D"+demoAna), "handed you *T-1 · Draft the launch plan*")
	before := lw.texts(demoAna, "D"+demoAna)

	// Four days on, in Ana's zone: her weekday check-in has come, and so has her task's deadline.
	ny, _ := time.LoadLocation("America/New_York")
	day := time.Now().In(ny).AddDate(0, 0, 4).Format("2006-01-02")
	res := lw.post("clock", map[string]any{"as": demoAna, "move": day})
	if res["ok"] != true {
		t.Fatalf("moving the clock to %s: %v", day, res)
	}
	if fired, _ := res["fired"].(float64); fired < 2 {
		t.Errorf("moving the clock four days fired %v scheduled things; want the check-in and the deadline at least", res["fired"])
	}
	after := lw.texts(demoAna, "D"+demoAna)
	mustSay(t, "Ana's DM four days on", strings.TrimPrefix(after, before), "How is the launch plan going?", "T-1")
	if res := lw.post("clock", map[string]any{"as": demoAna, "move": time.Now().In(ny).Format("2006-01-02")}); res["ok"] != false {
		t.Errorf("moving the clock back to today: %v; want a refusal", res)
	}

	// A restart keeps everything and sets up nothing twice.
	launch := lw.kept(demoMaya, demoLaunch)
	if err := lw.stop(); err != nil {
		t.Fatal(err)
	}
	lw = startLocal(t, dbURL, prefix)
	if got := lw.kept(demoMaya, demoLaunch); got != launch || !strings.Contains(got, "T-1") {
		t.Errorf("#launch after a restart:\n%s\nbefore:\n%s", got, launch)
	}
	var side struct {
		Clock struct {
			OffsetSeconds int64 `json:"offset_seconds"`
		} `json:"clock"`
	}
	lw.get("/local/api/sidebar?as="+demoMaya, &side)
	if side.Clock.OffsetSeconds < 3*24*3600 {
		t.Errorf("the clock after a restart is %ds ahead; want it where it was moved, days ahead", side.Clock.OffsetSeconds)
	}
	if err := lw.stop(); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := localReset(context.Background(), envOf(map[string]string{"DATABASE_URL": dbURL}), &out); err != nil {
		t.Fatal(err)
	}
	mustSay(t, "baton local reset", out.String(), "the local workspace is cleared")
	db := storetest.Open(t, dbURL)
	if _, err := db.Task(context.Background(), localTeam, 1); err == nil {
		t.Error("T-1 is still there after the reset")
	}
}

// A second process on the same database (Compose starts two) stands by instead of failing: alive,
// not serving, and it takes the local workspace over when the first one stops.
func TestASecondProcessStandsByAndTakesTheLocalWorkspaceOver(t *testing.T) {
	dbURL, prefix := storetest.URL(t), redisPrefix(t)
	first := startLocal(t, dbURL, prefix)
	addr := freeLoopbackAddr(t)
	second := launchLocal(t, dbURL, prefix, addr)
	status := func(path string) (int, string) {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	waitAlive(t, addr)
	for _, path := range []string{"/readyz", "/"} {
		if code, body := status(path); code != http.StatusServiceUnavailable || !strings.Contains(body, "standby") {
			t.Errorf("standing by, %s = %d %q; want 503 saying it stands by", path, code, body)
		}
	}
	select {
	case line := <-second.first:
		t.Fatalf("the second process says %q while the first one runs", line)
	default:
	}

	if err := first.stop(); err != nil {
		t.Fatal(err)
	}
	second.waitRunning(time.Minute)
	if code, body := status("/readyz"); code != http.StatusOK {
		t.Errorf("after taking over, /readyz = %d %q", code, body)
	}
	var people struct {
		People []struct{ ID string } `json:"people"`
	}
	second.get("/local/api/session", &people)
	if len(people.People) == 0 {
		t.Error("the page of the process that took over shows nobody")
	}
}

// waitAlive waits until a process on addr answers /healthz, as one standing by does.
func waitAlive(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing answered /healthz on %s within 30 s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
