package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/slackdouble"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
)

// People and channels of the test workspace.
const (
	bea   = "UBEA"  // delegator, Europe/Berlin
	ana   = "UANA"  // owner, America/New_York
	cal   = "UCAL"  // a colleague with no part in the tasks
	adm   = "UADM"  // workspace admin
	robo  = "UROBO" // another app's bot user
	gone  = "UGONE" // deactivated
	dup1  = "UDUP1" // two people both called "sam"
	dup2  = "UDUP2"
	launc = "CLAUNCH" // public, Baton is a member
	open_ = "COPEN"   // public, Baton is not a member
	priv  = "CPRIV"   // private, Baton is not a member
)

// clock is the time the bot sees; tests move it.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// harness is one workspace served by the double, one bot started as `baton run` starts it, and the bot's
// database (its store and the scheduler's job table) for assertions.
type harness struct {
	t     testing.TB
	ctx   context.Context
	slack *slackdouble.Server
	db    *store.DB
	jobs  *scheduler.JobTable
	clock *clock
	stop  func() error

	idleFn      func(context.Context) error
	redisPrefix string
	hup         chan os.Signal
	reloaded    chan struct{}
	// httpURL is where BATON_HTTP_ADDR serves (/healthz, /readyz, and Slack's requests in HTTP
	// mode), when the harness was asked to serve it.
	httpURL string
}

type harnessOptions struct {
	rateLimits bool
	// postRate plays Slack's pace of posts in one channel this many times faster (0: Slack's own), and
	// the bot's pacing with it.
	postRate float64
	client   bot.ClientConfig
	policies string // the approval policy file; default testdata/policies.yaml
	// wire, when set, counts what the bot asks of Postgres and Redis.
	wire *wire
	// pgOutage, when set, stands between the bot and Postgres, to cut it off.
	pgOutage *pgOutage
	// quiet turns off the timers that look for work left behind (the inbox's, the outbox's and the
	// scheduler's), so that everything the bot asks of its servers follows from what the test does.
	quiet bool
	// serveHTTP serves BATON_HTTP_ADDR on a free port (HTTP mode always does).
	serveHTTP bool
	// overHTTP runs this bot in HTTP mode whatever BATON_E2E_TRANSPORT says; shutdownDelay is its
	// BATON_SHUTDOWN_DELAY.
	overHTTP      bool
	shutdownDelay time.Duration
	// watchPolicy is how often the bot reads its policy file for changes: by default an hour, so that
	// a test's own edits wait for the reload it asks for. policiesManual is BATON_POLICIES_RELOAD=manual.
	watchPolicy    time.Duration
	policiesManual bool
}

// newHarness starts the double, a fresh database schema and the bot, and waits until the bot is connected.
func newHarness(t testing.TB, opts ...func(*harnessOptions)) *harness {
	t.Helper()
	o := harnessOptions{rateLimits: true, policies: "testdata/policies.yaml", watchPolicy: time.Hour}
	for _, f := range opts {
		f(&o)
	}
	if o.postRate > 0 {
		o.client.PerChannelInterval = time.Duration(1.05 / o.postRate * float64(time.Second))
	}
	d, err := slackdouble.Start(slackdouble.Options{RateLimits: o.rateLimits, ChannelPostRate: o.postRate})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	seedWorkspace(d)

	dbURL := storetest.URL(t)
	h := &harness{t: t, slack: d, clock: &clock{now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}, hup: make(chan os.Signal), reloaded: make(chan struct{}, 1)}
	cfg := config{AppToken: "xapp-test", BotToken: "xoxb-test", APIURL: d.APIURL(), DatabaseURL: dbURL, RedisURL: testRedisURL(), Policies: o.policies}
	listening := make(chan string, 1)
	overHTTP := e2eOverHTTP() || o.overHTTP
	if overHTTP {
		cfg.AppToken, cfg.SigningSecret = "", testSigningSecret
	}
	cfg.ShutdownDelay, cfg.PoliciesManual = o.shutdownDelay, o.policiesManual
	if overHTTP || o.serveHTTP {
		cfg.HTTPAddr = "127.0.0.1:0"
	}
	if o.wire != nil {
		cfg.DatabaseURL, cfg.RedisURL = o.wire.proxyPostgres(t, dbURL), o.wire.proxyRedis(t, testRedisURL())
	}
	if o.pgOutage != nil {
		cfg.DatabaseURL = o.pgOutage.proxy(t, dbURL)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	idleFn := make(chan func(context.Context) error, 1)
	h.redisPrefix = redisPrefix(t)
	ro := runOptions{client: o.client, now: h.clock.Now, redisPrefix: h.redisPrefix, started: func(f func(context.Context) error) { idleFn <- f },
		recoverEvery: 100 * time.Millisecond,
		reload:       h.hup, reloaded: func() { h.reloaded <- struct{}{} },
		listening: func(addr string) { listening <- addr }, watchPolicy: o.watchPolicy}
	if o.quiet {
		ro.recoverEvery, ro.schedulerIdle = time.Hour, time.Hour
	}
	go func() { done <- run(ctx, cfg, testLogger(t), ro) }()
	var once sync.Once
	var runErr error
	h.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(20 * time.Second):
				runErr = errors.New("the bot did not stop within 20 s")
			}
		})
		return runErr
	}
	t.Cleanup(func() {
		if err := h.stop(); err != nil {
			t.Errorf("bot stopped with: %v", err)
		}
		h.auditMarkup()
	})

	tctx, tcancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(tcancel)
	h.ctx = tctx
	if cfg.HTTPAddr != "" {
		select {
		case addr := <-listening:
			h.httpURL = "http://" + addr
		case err := <-done:
			t.Fatalf("the bot exited before serving: %v", err)
		case <-h.waitCtx().Done():
			t.Fatal("the bot did not serve HTTP")
		}
	}
	if overHTTP {
		d.DeliverOverHTTP(testSigningSecret, h.httpURL)
	} else if err := d.WaitConnected(h.waitCtx(), 1); err != nil {
		select {
		case err := <-done:
			t.Fatalf("the bot exited before connecting: %v", err)
		default:
		}
		t.Fatalf("the bot did not connect: %v", err)
	}
	h.idleFn = <-idleFn
	h.db = storetest.Open(t, dbURL)
	h.jobs = scheduler.NewJobTable(h.db.DB)
	return h
}

// testSigningSecret signs the double's requests when the end-to-end tests run in HTTP mode.
const testSigningSecret = "e2e-signing-secret"

// e2eOverHTTP reports whether the end-to-end tests run the bot in HTTP mode (BATON_E2E_TRANSPORT=http):
// the double posts every envelope, signed, instead of using a Socket Mode connection.
func e2eOverHTTP() bool { return os.Getenv("BATON_E2E_TRANSPORT") == "http" }

// testRedisURL is the Redis the tests use: TEST_REDIS_URL, or the local server.
func testRedisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// redisPrefix gives one bot its own queues in the shared test Redis, and removes them afterwards.
func redisPrefix(t testing.TB) string {
	prefix := fmt.Sprintf("{bt%d}", rand.Int64())
	opts, err := redis.ParseURL(testRedisURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = deleteRedisKeys(context.Background(), opts, prefix) })
	return prefix
}

// deleteRedisKeys removes every key under a prefix: what a FLUSHALL does to one bot's queues.
func deleteRedisKeys(ctx context.Context, opts *redis.Options, prefix string) error {
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil || len(keys) == 0 {
		return err
	}
	return rdb.Del(ctx, keys...).Err()
}

func seedWorkspace(d *slackdouble.Server) {
	d.AddUser(slackdouble.User{ID: bea, Name: "bea", RealName: "Bea Berg", TZ: "Europe/Berlin"})
	d.AddUser(slackdouble.User{ID: ana, Name: "ana", RealName: "Ana Alves", TZ: "America/New_York"})
	d.AddUser(slackdouble.User{ID: cal, Name: "cal", RealName: "Cal Cho", TZ: "Asia/Tokyo"})
	d.AddUser(slackdouble.User{ID: adm, Name: "adm", RealName: "Ada Admin", TZ: "UTC", IsAdmin: true})
	d.AddUser(slackdouble.User{ID: robo, Name: "robo", RealName: "Deploy Bot", IsBot: true})
	d.AddUser(slackdouble.User{ID: gone, Name: "gone", RealName: "Gil Gone", Deleted: true})
	d.AddUser(slackdouble.User{ID: dup1, Name: "sam", RealName: "Sam One"})
	d.AddUser(slackdouble.User{ID: dup2, Name: "sam.two", DisplayName: "sam", RealName: "Sam Two"})
	everyone := []string{bea, ana, cal, adm, dup1, dup2}
	d.AddChannel(slackdouble.Channel{ID: launc, Name: "launch", Members: everyone, BotIsMember: true})
	d.AddChannel(slackdouble.Channel{ID: open_, Name: "open", Members: everyone})
	d.AddChannel(slackdouble.Channel{ID: priv, Name: "secret", Private: true, Members: everyone})
}

// testLogger sends the bot's logs to the test log, and nowhere once the test has ended.
func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("BATON_TEST_LOGS") == "" {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	w := &testWriter{t: t}
	t.Cleanup(w.close)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct {
	mu     sync.Mutex
	t      testing.TB
	closed bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

func (w *testWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}

// waitCtx bounds one wait for something the bot should do.
func (h *harness) waitCtx() context.Context {
	ctx, cancel := context.WithTimeout(h.ctx, 15*time.Second)
	h.t.Cleanup(cancel)
	return ctx
}

// command types a slash command and returns its ack.
func (h *harness) command(user, channel, text string) slackdouble.Ack {
	h.t.Helper()
	ack, err := h.slack.SlashCommand(h.waitCtx(), slackdouble.SlashCommand{UserID: user, ChannelID: channel, Command: "/task", Text: text})
	if err != nil {
		h.t.Fatalf("/task %s: %v", text, err)
	}
	return ack
}

// ephemeral waits for a private message to user that contains every one of want.
func (h *harness) ephemeral(user string, want ...string) slackdouble.Ephemeral {
	h.t.Helper()
	e, err := h.slack.WaitEphemeral(h.waitCtx(), user, func(e slackdouble.Ephemeral) bool { return hasAll(e.AllText(), want) })
	if err != nil {
		h.t.Fatalf("no private message to %s with %q; got:\n%s", user, want, h.ephemeralTexts(user))
	}
	return e
}

func (h *harness) ephemeralTexts(user string) string {
	var b strings.Builder
	for _, e := range h.slack.Ephemerals(user) {
		fmt.Fprintf(&b, "- %s\n", e.AllText())
	}
	return b.String()
}

// message waits for a message in channel that contains every one of want.
func (h *harness) message(channel string, want ...string) slackdouble.Message {
	h.t.Helper()
	m, err := h.slack.WaitMessage(h.waitCtx(), channel, func(m slackdouble.Message) bool { return hasAll(m.AllText(), want) })
	if err != nil {
		var b strings.Builder
		for _, m := range h.slack.Messages(channel) {
			fmt.Fprintf(&b, "- %s\n", m.AllText())
		}
		h.t.Fatalf("no message in %s with %q; got:\n%s", channel, want, b.String())
	}
	return m
}

// dm waits for a direct message from Baton to user that contains every one of want.
func (h *harness) dm(user string, want ...string) slackdouble.Message {
	h.t.Helper()
	return h.message(h.slack.DMChannel(user), want...)
}

// view waits for an open modal of user's with the callback ID.
func (h *harness) view(user, callbackID string) slackdouble.View {
	h.t.Helper()
	v, err := h.slack.WaitView(h.waitCtx(), user, func(v slackdouble.View) bool { return v.CallbackID == callbackID })
	if err != nil {
		h.t.Fatalf("no %s modal open for %s", callbackID, user)
	}
	return v
}

// home waits for user's App Home to contain every one of want.
func (h *harness) home(user string, want ...string) slackdouble.View {
	h.t.Helper()
	v, err := h.slack.WaitHome(h.waitCtx(), user, func(v slackdouble.View) bool {
		for _, w := range want {
			if !v.Has(w) {
				return false
			}
		}
		return true
	})
	if err != nil {
		got, _ := h.slack.HomeView(user)
		h.t.Fatalf("%s's home never showed %q; last published:\n%s", user, want, got.AllText())
	}
	return v
}

// submit submits a modal and fails the test on a transport error.
func (h *harness) submit(user string, v slackdouble.View, values map[string]map[string]slackdouble.InputValue) slackdouble.Ack {
	h.t.Helper()
	ack, err := h.slack.SubmitView(h.waitCtx(), user, v.ID, values)
	if err != nil && !errors.Is(err, slackdouble.ErrViewErrors) {
		h.t.Fatalf("submit %s: %v", v.CallbackID, err)
	}
	return ack
}

// input is a form value for a field whose block and action share one ID, as every Baton form does.
func input(id string, v slackdouble.InputValue) map[string]map[string]slackdouble.InputValue {
	return map[string]map[string]slackdouble.InputValue{id: {id: v}}
}

func form(fields ...map[string]map[string]slackdouble.InputValue) map[string]map[string]slackdouble.InputValue {
	out := map[string]map[string]slackdouble.InputValue{}
	for _, f := range fields {
		for k, v := range f {
			out[k] = v
		}
	}
	return out
}

// task reads a task as stored.
func (h *harness) task(number int64) baton.Task {
	h.t.Helper()
	t, err := h.db.Task(h.ctx, h.slack.Options().TeamID, number)
	if err != nil {
		h.t.Fatalf("task T-%d: %v", number, err)
	}
	return t
}

// events reads a task's history as stored.
func (h *harness) events(number int64) []baton.TaskEvent {
	h.t.Helper()
	evs, err := h.db.TaskEvents(h.ctx, h.task(number).ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return evs
}

// taskCount is how many tasks the workspace has.
func (h *harness) taskCount() int {
	h.t.Helper()
	n, err := h.db.CountTasks(h.ctx, baton.TaskQuery{TeamID: h.slack.Options().TeamID})
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// card waits for task's card in channel and returns it as it is now.
func (h *harness) card(channel string, number int64) slackdouble.Message {
	h.t.Helper()
	ref := baton.TaskRef(number) + " ·"
	return h.message(channel, ref)
}

// sighup sends the bot SIGHUP, as `kill -HUP` does, and waits until it has re-read its policy file.
func (h *harness) sighup() {
	h.t.Helper()
	ctx := h.waitCtx()
	select {
	case h.hup <- syscall.SIGHUP:
	case <-ctx.Done():
		h.t.Fatal("the bot did not take SIGHUP")
	}
	h.waitReloaded()
}

// waitReloaded waits until the bot has read its policy file again, whatever came of it.
func (h *harness) waitReloaded() {
	h.t.Helper()
	select {
	case <-h.reloaded:
	case <-h.waitCtx().Done():
		h.t.Fatal("the bot did not read its changed policy file")
	}
}

// idle waits until the bot has finished everything it started: every envelope's handler and every
// follow-up (cards, thread replies, DMs, dashboards). Tests call it before asserting that something did
// NOT happen.
func (h *harness) idle() {
	h.t.Helper()
	if err := h.idleFn(h.waitCtx()); err != nil {
		h.t.Fatalf("the bot did not settle: %v", err)
	}
}

// dmsWith counts the direct messages from Baton to user that contain text.
func (h *harness) dmsWith(user, text string) int { return dmsIn(h.slack, user, text) }

// dmsIn counts the direct messages from Baton to user in the double that contain text.
func dmsIn(d *slackdouble.Server, user, text string) int {
	n := 0
	for _, m := range d.Messages(d.DMChannel(user)) {
		if m.Has(text) {
			n++
		}
	}
	return n
}

func hasAll(text string, want []string) bool {
	for _, w := range want {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// quietly runs seed, which stores tasks straight into the database, as if they had been made long
// ago: the messages their creation and changes owe (queued under lane, the channel or, for a task
// with none, the delegator) are dropped instead of sent.
func (h *harness) quietly(team, lane string, seed func()) {
	h.t.Helper()
	h.holdLane(lane, "seeding")
	seed()
	if _, err := h.db.ExecContext(h.ctx, `WITH gone AS (DELETE FROM outbox WHERE team_id = $1 AND lane = $2)
		UPDATE outbox_lanes SET claim = '', lease_until = '-infinity' WHERE team_id = $1 AND lane = $2`, team, lane); err != nil {
		h.t.Fatal(err)
	}
}

// holdLane makes claim, a process that is not running, hold an outbox lane of the workspace: what
// is written to it waits until the lease runs out (leaseRunsOut).
func (h *harness) holdLane(lane, claim string) {
	h.t.Helper()
	if _, err := h.db.ExecContext(h.ctx, `INSERT INTO outbox_lanes (team_id, lane, claim, lease_until) VALUES ($1, $2, $3, 'infinity')
		ON CONFLICT (team_id, lane) DO UPDATE SET claim = $3, lease_until = 'infinity'`, h.slack.Options().TeamID, lane, claim); err != nil {
		h.t.Fatal(err)
	}
}

// leaseRunsOut ends the lease of the lanes claim holds, as when the process holding them died.
func (h *harness) leaseRunsOut(claim string) {
	h.t.Helper()
	if _, err := h.db.ExecContext(h.ctx, `UPDATE outbox_lanes SET lease_until = now() - interval '1 second' WHERE claim = $1`, claim); err != nil {
		h.t.Fatal(err)
	}
}

// postedBeforeDying posts, as Baton, what the outbox message of the given kind would post (text
// stands for it, carrying its outbox ID), as a process that died before marking it sent leaves it;
// it returns the post's ts.
func (h *harness) postedBeforeDying(kind, channel, text string) string {
	h.t.Helper()
	var id int64
	if err := h.db.GetContext(h.ctx, &id, `SELECT id FROM outbox WHERE kind = $1`, kind); err != nil {
		h.t.Fatal(err)
	}
	api := slack.New(h.slack.Options().BotToken, slack.OptionAPIURL(h.slack.APIURL()))
	_, ts, err := api.PostMessage(channel, slack.MsgOptionText(text, false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "baton_outbox", EventPayload: map[string]any{"id": strconv.FormatInt(id, 10)}}))
	if err != nil {
		h.t.Fatal(err)
	}
	return ts
}

// httpGet asks the bot's BATON_HTTP_ADDR for path, and returns the status and the body.
func (h *harness) httpGet(path string) (int, string) {
	h.t.Helper()
	res, err := http.Get(h.httpURL + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
