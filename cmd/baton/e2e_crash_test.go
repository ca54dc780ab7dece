package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/slackdouble"
	"github.com/batonhq/baton/store/storetest"
)

// childBotEnv makes this test binary run as a bot process (`baton run` with short leases), so the
// crash and replica tests can run several and kill them with SIGKILL.
const childBotEnv = "BATON_TEST_CHILD_BOT"

func TestMain(m *testing.M) {
	if os.Getenv(childBotEnv) != "" {
		os.Exit(runChildBot())
	}
	os.Exit(m.Run())
}

// childJobLease is how long a child bot holds a scheduled job it claimed: a killed one's jobs run on
// another within it and the recoverer's next look.
const childJobLease = 5 * time.Second

// childProductionLeases, set in a child bot's environment, gives it the leases Baton runs with (the
// benchmarks measure throughput, not how fast a killed process's work is taken over).
const childProductionLeases = "BATON_TEST_CHILD_PRODUCTION_LEASES"

// runChildBot is `baton run` as the crash and replica tests start it: configured from the
// environment, with its own Redis prefix, an inbox and outbox lease of a second (envelopes a killed
// process acknowledged are taken over by another within seconds) and a job lease of childJobLease.
// The double's rate limits are off and so is the client's pacing, so a burst is handled as fast as
// the process can: kills land in the middle of work.
func runChildBot() int {
	cfg, err := loadConfig(os.Getenv, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	opts := runOptions{redisPrefix: os.Getenv(childBotEnv), inboxLease: time.Second, recoverEvery: 200 * time.Millisecond,
		schedulerLease: childJobLease, client: bot.ClientConfig{PerChannelInterval: -1}}
	if os.Getenv(childProductionLeases) != "" {
		opts.inboxLease, opts.recoverEvery, opts.schedulerLease = 0, 0, 0
	}
	if err := run(ctx, cfg, newLogger(cfg.LogLevel), opts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// crashBursts is how many bursts the crash test sends, each followed by a kill: BATON_CRASH_BURSTS,
// or 4.
func crashBursts(t *testing.T) int {
	n := 4
	if s := os.Getenv("BATON_CRASH_BURSTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			t.Fatalf("BATON_CRASH_BURSTS=%q: want a positive number", s)
		}
	}
	return n
}

// crashAction is one thing a person did that Baton acknowledged.
type crashAction struct {
	kind   string // "create", "status" or "form"
	title  string // create: the task's title
	number int64  // status: the task moved to In progress
}

// TestNothingAcknowledgedIsLostWhenTheProcessIsKilled sends bursts of task creations, status changes
// and form commands to a bot process and kills it with SIGKILL within half a second of the burst's
// last ack, then starts another. Every acknowledged action must take effect exactly once: each task
// created once, each status change recorded once, and each form either opened or, when it could no
// longer be, the person told so.
func TestNothingAcknowledgedIsLostWhenTheProcessIsKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills bot processes")
	}
	d, err := slackdouble.Start(slackdouble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	seedWorkspace(d)
	dbURL := storetest.URL(t)
	env := append(os.Environ(), childBotEnv+"="+redisPrefix(t), "SLACK_APP_TOKEN=xapp-test", "SLACK_BOT_TOKEN=xoxb-test",
		"SLACK_API_URL="+d.APIURL(), "DATABASE_URL="+dbURL, "REDIS_URL="+testRedisURL(), "BATON_LOG_LEVEL=error",
		"BATON_POLICIES=", "BATON_HTTP_ADDR=")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	var logs bytes.Buffer
	var current *exec.Cmd
	start := func() {
		t.Helper()
		current = exec.Command(os.Args[0], "-test.run=^$")
		current.Env, current.Stdout, current.Stderr = env, &logs, &logs
		if err := current.Start(); err != nil {
			t.Fatal(err)
		}
		if err := d.WaitConnected(ctx, 1); err != nil {
			t.Fatalf("the bot did not connect: %v\n%s", err, logs.String())
		}
	}
	kill := func() {
		t.Helper()
		_ = current.Process.Signal(syscall.SIGKILL)
		_ = current.Wait()
		if err := d.Wait(ctx, func() bool { return d.Connections() == 0 }); err != nil {
			t.Fatalf("the killed bot's socket stayed open: %v", err)
		}
	}
	t.Cleanup(func() {
		if current != nil && current.ProcessState == nil {
			_ = current.Process.Signal(syscall.SIGKILL)
			_ = current.Wait()
		}
	})

	db := storetest.Open(t, dbURL)
	var acked []crashAction
	bursts := crashBursts(t)
	for b := range bursts {
		start()
		var changes []int64
		if err := db.SelectContext(ctx, &changes, `SELECT number FROM tasks WHERE status = 'todo' AND card_ts <> '' ORDER BY number LIMIT 30`); err != nil {
			t.Fatal(err)
		}
		var actions []crashAction
		for i := range 60 {
			actions = append(actions, crashAction{kind: "create", title: fmt.Sprintf("Crash %d-%d", b, i)})
		}
		for _, n := range changes {
			actions = append(actions, crashAction{kind: "status", number: n})
		}
		for range 10 {
			actions = append(actions, crashAction{kind: "form"})
		}
		rand.Shuffle(len(actions), func(i, j int) { actions[i], actions[j] = actions[j], actions[i] })
		acked = append(acked, sendBurst(ctx, t, d, db, actions)...)
		time.Sleep(rand.N(500 * time.Millisecond))
		kill()
	}

	start()
	if err := waitFor(ctx, func() (bool, error) {
		var n int
		err := db.GetContext(ctx, &n, `SELECT count(*) FROM deliveries WHERE done_at IS NULL AND payload IS NOT NULL`)
		return n == 0, err
	}); err != nil {
		t.Fatalf("acknowledged envelopes never finished: %v\n%s", err, logs.String())
	}
	if err := waitFor(ctx, func() (bool, error) {
		var n int
		err := db.GetContext(ctx, &n, `SELECT count(*) FROM outbox`)
		return n == 0, err
	}); err != nil {
		t.Fatalf("messages changes owed were never sent: %v\n%s", err, logs.String())
	}
	lost, twice := crashOutcome(ctx, t, d, db, acked)
	unsent, sentTwice := messageOutcome(ctx, t, d, db)
	t.Logf("%d bursts, %d acknowledged actions: %d without effect, %d done twice; messages they owed: %d never sent, %d sent twice",
		bursts, len(acked), lost, twice, unsent, sentTwice)
	if lost != 0 || twice != 0 || unsent != 0 || sentTwice != 0 {
		t.Fatalf("%d acknowledged actions lost, %d done twice; %d messages never sent, %d sent twice (bot logs:\n%s)",
			lost, twice, unsent, sentTwice, logs.String())
	}
}

// messageOutcome counts the messages changes owed that never reached Slack and those that reached it
// more than once: each task's card in the channel and the owner's DM about it, and for each status
// change a reply in the card's thread.
func messageOutcome(ctx context.Context, t *testing.T, d *slackdouble.Server, db interface {
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}) (missing, twice int) {
	t.Helper()
	var tasks []struct {
		Number  int64  `db:"number"`
		CardTS  string `db:"card_ts"`
		Changes int    `db:"changes"`
	}
	if err := db.SelectContext(ctx, &tasks, `SELECT t.number, t.card_ts,
		(SELECT count(*) FROM task_events e WHERE e.task_id = t.id AND e.kind = 'status') AS changes
		FROM tasks t ORDER BY t.number`); err != nil {
		t.Fatal(err)
	}
	cards := map[int64]int{}
	for _, n := range cardsIn(d, launc) {
		cards[n]++
	}
	dms := map[string]int{}
	for _, m := range d.Messages(d.DMChannel(ana)) {
		dms[m.Text]++
	}
	count := func(what string, got, want int) {
		switch {
		case got < want:
			missing += want - got
			t.Errorf("%s: %d of %d sent", what, got, want)
		case got > want:
			twice += got - want
			t.Errorf("%s: sent %d times, want %d", what, got, want)
		}
	}
	for _, task := range tasks {
		ref := baton.TaskRef(task.Number)
		count(ref+"'s card", cards[task.Number], 1)
		handed := 0
		for text, n := range dms {
			if strings.Contains(text, "handed you *"+ref+" ·") {
				handed += n
			}
		}
		count(ref+"'s DM to its owner", handed, 1)
		replies := 0
		for _, m := range d.Thread(launc, task.CardTS) {
			if m.TS != task.CardTS && strings.Contains(m.Text, "moved this from") {
				replies++
			}
		}
		count(ref+"'s thread replies", replies, task.Changes)
	}
	return missing, twice
}

// sendBurst sends actions from 16 people's hands at once and returns those Slack saw acknowledged.
func sendBurst(ctx context.Context, t *testing.T, d *slackdouble.Server, db interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}, actions []crashAction) []crashAction {
	t.Helper()
	var mu sync.Mutex
	var acked []crashAction
	work := make(chan crashAction)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for a := range work {
				var err error
				switch a.kind {
				case "create":
					_, err = d.SlashCommand(ctx, slackdouble.SlashCommand{UserID: bea, ChannelID: launc, Command: "/task", Text: "<@" + ana + "> " + a.title})
				case "form":
					_, err = d.SlashCommand(ctx, slackdouble.SlashCommand{UserID: cal, ChannelID: launc, Command: "/task"})
				case "status":
					var card struct {
						Channel string `db:"channel_id"`
						TS      string `db:"card_ts"`
					}
					if err = db.GetContext(ctx, &card, `SELECT channel_id, card_ts FROM tasks WHERE number = $1`, a.number); err == nil {
						_, err = d.SelectOption(ctx, ana, card.Channel, card.TS, "task.status", fmt.Sprintf("%d:in_progress", a.number))
					}
				}
				if err != nil {
					t.Errorf("%s not acknowledged: %v", a.kind, err)
					continue
				}
				mu.Lock()
				acked = append(acked, a)
				mu.Unlock()
			}
		})
	}
	for _, a := range actions {
		work <- a
	}
	close(work)
	wg.Wait()
	return acked
}

// crashOutcome counts the acknowledged actions that had no effect and those that had it twice.
func crashOutcome(ctx context.Context, t *testing.T, d *slackdouble.Server, db interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}, acked []crashAction) (lost, twice int) {
	t.Helper()
	forms := 0
	for _, a := range acked {
		var n int
		switch a.kind {
		case "create":
			if err := db.GetContext(ctx, &n, `SELECT count(*) FROM tasks WHERE title = $1`, a.title); err != nil {
				t.Fatal(err)
			}
		case "status":
			if err := db.GetContext(ctx, &n, `SELECT count(*) FROM task_events e JOIN tasks t ON t.id = e.task_id
				WHERE t.number = $1 AND e.kind = 'status' AND e.to_value = 'in_progress'`, a.number); err != nil {
				t.Fatal(err)
			}
		case "form":
			forms++
			continue
		}
		switch {
		case n == 0:
			lost++
			t.Errorf("acknowledged %s %q #%d had no effect", a.kind, a.title, a.number)
		case n > 1:
			twice++
			t.Errorf("acknowledged %s %q #%d took effect %d times", a.kind, a.title, a.number, n)
		}
	}
	late := 0
	for _, e := range d.Ephemerals(cal) {
		// Told after a restart, or (a form waiting behind a burst) when Slack's seconds ran out.
		if strings.Contains(e.Text, "Baton restarted while opening") || strings.Contains(e.Text, "Slack took too long to open the form") {
			late++
		}
	}
	opened := 0
	for _, c := range d.Calls() {
		if c.Method == "views.open" && c.Error == "" && c.Status == 200 {
			opened++
		}
	}
	// A process killed after opening a form and before marking its command done tells the person
	// on the next start as well (the notice says "if it did not open"); a form never opens twice,
	// since Slack takes each trigger once.
	if opened+late < forms || opened > forms {
		t.Errorf("%d form commands acknowledged: %d forms opened, %d people told it may not have", forms, opened, late)
		lost += max(forms-opened-late, 0)
		twice += max(opened-forms, 0)
	}
	t.Logf("forms: %d opened, %d told to try again", opened, late)
	return lost, twice
}

// waitFor polls cond until it holds or ctx ends.
func waitFor(ctx context.Context, cond func() (bool, error)) error {
	for {
		ok, err := cond()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// leftUnfinished puts a /task command in the inbox as a process leaves it when it dies after the
// ack: kept, claimed by nobody alive, its lease over, taken attempts times already.
func (h *harness) leftUnfinished(text string, attempts int) {
	h.t.Helper()
	payload := fmt.Sprintf(`{"command":"/task","text":%q,"team_id":%q,"user_id":%q,"channel_id":%q}`, text, h.slack.Options().TeamID, bea, launc)
	if _, err := h.db.ExecContext(h.ctx, `INSERT INTO deliveries (key, kind, envelope_id, payload, claim, lease_until, attempts)
		VALUES ('envelope:left', 'slash_commands', 'left', $1, 'dead', now() - interval '1 minute', $2)`, []byte(payload), attempts); err != nil {
		h.t.Fatal(err)
	}
}

func TestWhatADeadProcessAcknowledgedIsHandledOnceByAnother(t *testing.T) {
	h := newHarness(t)
	h.leftUnfinished("<@UANA> Ship the pricing page", 1)
	h.card(launc, 1)
	h.dm(ana, "T-1 · Ship the pricing page")
	h.idle()
	if n := h.taskCount(); n != 1 {
		t.Errorf("%d tasks, want the one it asked for", n)
	}
	var done bool
	if err := h.db.GetContext(h.ctx, &done, `SELECT done_at IS NOT NULL FROM deliveries WHERE key = 'envelope:left'`); err != nil || !done {
		t.Errorf("the delivery is not done (%v)", err)
	}
}

func TestAPersonHearsWhenBatonGivesUpOnTheirRequest(t *testing.T) {
	h := newHarness(t)
	h.leftUnfinished("<@UANA> Ship the pricing page", 10)
	h.dm(bea, "Baton could not finish what you asked for with `/task &lt;@UANA&gt; Ship the pricing page`", "ask again")
	h.idle()
	if n := h.taskCount(); n != 0 {
		t.Errorf("%d tasks made by a request Baton gave up on", n)
	}
}

// TestACardADeadProcessPostedIsNotPostedAgain plays a process that posted a task's card and died
// before marking it sent: the process that takes its lane over finds the card in the channel by the
// outbox ID it carries, keeps it as the task's card, and goes on with the owner's DM and the task's
// timers.
func TestACardADeadProcessPostedIsNotPostedAgain(t *testing.T) {
	h := newHarness(t)
	h.holdLane(launc, "dead")
	h.command(bea, launc, "<@UANA> Ship the pricing page")
	h.ephemeral(bea, "Created T-1")
	ts := h.postedBeforeDying("task.card", launc, "T-1 Ship the pricing page — To do, owner <@UANA>")
	h.leaseRunsOut("dead")
	h.dm(ana, "handed you *T-1 · Ship the pricing page*")
	h.idle()
	if n := len(cardsIn(h.slack, launc)); n != 1 {
		t.Errorf("%d cards in the channel, want the one the dead process posted", n)
	}
	if got := h.task(1); got.CardTS != ts || got.ChannelID != launc {
		t.Errorf("the task's card is %s/%s, want the one posted (%s)", got.ChannelID, got.CardTS, ts)
	}
	// The task's timers are part of what its creation owes: set by the process that took over.
	if _, ok, err := h.jobs.JobByKey(h.ctx, "task:"+h.slack.Options().TeamID+":1:stale"); err != nil || !ok {
		t.Errorf("the new task's stale nudge is not scheduled (%v)", err)
	}
}

// TestADecisionADeadProcessAnnouncedInPartIsFinishedByAnother plays a process that posted a new
// decision's card and died before its flag went out: the process that takes the lane over keeps
// that card, and sends the flag and the word in the task's thread.
func TestADecisionADeadProcessAnnouncedInPartIsFinishedByAnother(t *testing.T) {
	h := newHarness(t)
	taskCard := delegated(h)
	h.idle()
	h.holdLane(launc, "dead")
	h.dcCommand(bea, launc, "")
	ack := h.submit(bea, h.view(bea, "decision.new"), form(dcText("d_title", "Use Postgres for jobs"), dcText("d_decision", "Postgres keeps the truth."),
		dcText("d_task", "T-1"), input("d_flagged", slackdouble.InputValue{SelectedUsers: []string{ana}})))
	if len(ack.Payload) != 0 {
		t.Fatalf("the decision form was refused: %s", ack.Payload)
	}
	h.idle()
	var kinds []string
	if err := h.db.SelectContext(h.ctx, &kinds, `SELECT kind FROM outbox ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"decision.card", "decision.task", "decision.flag"}; !slices.Equal(kinds, want) {
		t.Fatalf("the decision queued %v, want %v", kinds, want)
	}
	ts := h.postedBeforeDying("decision.card", launc, "D-1 Use Postgres for jobs — Proposed, by <@UBEA>")
	h.leaseRunsOut("dead")
	h.dm(ana, "<@UBEA> flagged you on decision", "D-1 · Use Postgres for jobs")
	h.threadReply(taskCard, "<@UBEA> recorded decision", "D-1")
	h.idle()
	cards := 0
	for _, m := range h.slack.Messages(launc) {
		if (m.ThreadTS == "" || m.ThreadTS == m.TS) && strings.HasPrefix(m.Text, "D-1 ") {
			cards++
		}
	}
	if cards != 1 {
		t.Errorf("%d cards of D-1 in the channel, want the one the dead process posted", cards)
	}
	if got := h.dcStored(1); got.CardTS != ts {
		t.Errorf("the decision's card is %s, want the one posted (%s)", got.CardTS, ts)
	}
}
