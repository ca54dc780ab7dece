package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
	"github.com/batonhq/baton/internal/redistest"
	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
)

// The replica test's workload.
const (
	replicas         = 3
	replicaTasks     = 240 // made with /task, then each moved to In progress
	replicaCheckins  = 25  // each to replicaRecipients people, in a minute: the scheduled messages
	replicaRequests  = 60  // each approved by both finance approvers at once, then the CFO
	replicaDecisions = 50  // each through its form, flagging Cal
	replicaSeen      = 5   // check-ins each recipient marks "Got it"
	replicaAnswers   = 2   // check-ins each of the first replicaAnswerers answers through the form
	replicaAnswerers = 15
)

// replicaPoolSize is each process's Postgres pool: three of them, and the tests running beside them,
// stay under a default Postgres's 100 connections, as a deployment must keep them.
const replicaPoolSize = "8"

// replicaRecipients are the people the scheduled check-ins go to, as many as one /checkin may name.
var replicaRecipients = func() []string {
	out := make([]string, baton.MaxCheckinRecipients)
	for i := range out {
		out[i] = fmt.Sprintf("UR%02d", i+1)
	}
	return out
}()

// replicaRun is one run of the replica test: what was sent, and what Slack saw acknowledged.
type replicaRun struct {
	t  *testing.T
	d  *slackdouble.Server
	db *store.DB

	mu        sync.Mutex
	acked     map[string]bool // what, by its words, was acknowledged
	unacked   []string        // what was not: sent to the process killed, say
	fleetLogs func() string
}

// send delivers one envelope and reports whether Slack saw it acknowledged within its three seconds
// (the double's own bound is looser, for a loaded machine).
func (r *replicaRun) send(ctx context.Context, what string, deliver func(context.Context) (slackdouble.Ack, error)) bool {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := deliver(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.unacked = append(r.unacked, fmt.Sprintf("%s: %v", what, err))
		return false
	}
	r.acked[what] = true
	return true
}

// sendUntilAcked is what a person does when Slack shows them an error: try again, a few times.
func (r *replicaRun) sendUntilAcked(ctx context.Context, what string, deliver func(context.Context) (slackdouble.Ack, error)) bool {
	for range 3 {
		if r.send(ctx, what, deliver) {
			return true
		}
	}
	return false
}

func (r *replicaRun) wasAcked(what string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.acked[what]
}

// command types a slash command.
func (r *replicaRun) command(ctx context.Context, user, command, text string) bool {
	return r.send(ctx, command+" "+text, func(ctx context.Context) (slackdouble.Ack, error) {
		return r.d.SlashCommand(ctx, slackdouble.SlashCommand{UserID: user, ChannelID: launc, Command: command, Text: text})
	})
}

// paced runs do(i) for i in [0, n) from workers goroutines, spreading the starts evenly until end: a
// steady stream of people acting, still going when the test kills a process.
func paced(ctx context.Context, n, workers int, end time.Time, do func(i int)) {
	start, span := time.Now(), time.Until(end)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				at := start.Add(span * time.Duration(i) / time.Duration(n))
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Until(at)):
				}
				do(i)
			}
		})
	}
	wg.Wait()
}

// replicaRedis is the Redis the replicas share: a local Redis Cluster of its own when
// TEST_REDIS_CLUSTER is set, else the test Redis; and the key prefix (a hash tag) they use.
func replicaRedis(ctx context.Context, t *testing.T) (url, prefix string, cluster *redistest.Cluster) {
	t.Helper()
	if os.Getenv("TEST_REDIS_CLUSTER") == "" {
		return testRedisURL(), redisPrefix(t), nil
	}
	c, err := redistest.Start(ctx)
	if err != nil {
		t.Fatalf("TEST_REDIS_CLUSTER is set, but a local Redis Cluster could not start: %v", err)
	}
	t.Cleanup(c.Stop)
	return c.URL(), fmt.Sprintf("{bt%d}", rand.Int64()), c
}

// TestReplicasDoEverythingOnce runs three bot processes on one Postgres and one Redis (a Redis
// Cluster when TEST_REDIS_CLUSTER is set), each envelope going to one of them at random, over Socket
// Mode or (BATON_E2E_TRANSPORT=http) HTTP. People make tasks and move them, file requests that two
// finance approvers approve at the same moment, record decisions through their forms and answer
// check-ins, while 500 check-in DMs come due and an admin reloads the approval policy and changes a
// workspace setting. One process is killed with SIGKILL while the check-ins are being sent (and, on
// a cluster, the Redis master holding Baton's keys before that). Every card, DM, thread reply and
// check-in must happen exactly once; what the killed process had claimed must be done by the others
// within the job lease and a few seconds; the reloaded policy and the setting must hold in every
// process at once; one change must redraw a dashboard once, not once per process.
func TestReplicasDoEverythingOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three bot processes and kills one")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	d, err := slackdouble.Start(slackdouble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	seedWorkspace(d)
	addApprovers(d)
	zones := []string{"America/New_York", "Europe/Berlin", "Asia/Tokyo", "UTC"}
	for i, u := range replicaRecipients {
		d.AddUser(slackdouble.User{ID: u, Name: strings.ToLower(u), RealName: "Recipient " + u, TZ: zones[i%len(zones)]})
	}
	policy, err := os.ReadFile(filepath.Join("testdata", "policies.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	policyPath := filepath.Join(t.TempDir(), "policies.yaml")
	if err := os.WriteFile(policyPath, policy, 0o644); err != nil {
		t.Fatal(err)
	}
	dbURL := storetest.URL(t)
	redisURL, prefix, cluster := replicaRedis(ctx, t)
	f := startFleet(ctx, t, d, replicas, e2eOverHTTP(), []string{childBotEnv + "=" + prefix, "DATABASE_URL=" + dbURL, "REDIS_URL=" + redisURL,
		"BATON_POLICIES=" + policyPath, "BATON_DB_POOL_SIZE=" + replicaPoolSize})
	r := &replicaRun{t: t, d: d, db: storetest.Open(t, dbURL), acked: map[string]bool{}}

	// Tasks, each with its card in #launch.
	paced(ctx, replicaTasks, 12, time.Now(), func(i int) {
		r.command(ctx, bea, "/task", fmt.Sprintf("<@%s> Replica task %03d", ana, i))
	})
	if err := waitFor(ctx, func() (bool, error) {
		var n int
		err := r.db.GetContext(ctx, &n, `SELECT count(*) FROM tasks WHERE card_ts <> ''`)
		return n >= replicaTasks, err
	}); err != nil {
		t.Fatalf("the tasks' cards were not all posted: %v\n%s", err, f.dump())
	}

	// Check-ins due in a minute: replicaCheckins × 20 DMs at once.
	mentions := "<@" + strings.Join(replicaRecipients, "> <@") + ">"
	for i := range replicaCheckins {
		r.command(ctx, bea, "/checkin", fmt.Sprintf("%s in 1m for T-%d Replica check-in %02d?", mentions, i+1, i))
	}
	want := replicaCheckins * len(replicaRecipients)
	scheduled := func() int { return r.count(ctx, `SELECT count(*) FROM jobs WHERE kind = 'checkin.deliver'`) }
	if err := waitFor(ctx, func() (bool, error) { return scheduled() >= want, nil }); err != nil {
		t.Fatalf("%d check-in DMs scheduled, want %d: %v", scheduled(), want, err)
	}
	var due time.Time
	if err := r.db.GetContext(ctx, &due, `SELECT max(due_at) FROM jobs WHERE kind = 'checkin.deliver'`); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	end := due.Add(10 * time.Second)
	wg.Go(func() { r.moveTasks(ctx, end) })
	wg.Go(func() { r.fileAndApprove(ctx, end) })
	wg.Go(func() { r.recordDecisions(ctx, end) })
	wg.Go(func() { r.adminChanges(ctx, policyPath, policy) })
	if cluster != nil {
		wg.Go(func() {
			time.Sleep(time.Until(due.Add(-30 * time.Second)))
			if _, err := cluster.KillMasterOf(ctx, prefix); err != nil {
				t.Errorf("Redis failover: %v", err)
			}
		})
	}
	// The first check-in DMs are out: one process dies with whatever it had claimed.
	if err := d.Wait(ctx, func() bool { return r.checkinDMs() >= 25 }); err != nil {
		t.Fatalf("no check-in DM came: %v\n%s", err, f.logs())
	}
	atKill := r.checkinDMs()
	f.kill(ctx, 0)
	killed := time.Now()
	within := childJobLease + 20*time.Second
	boundCtx, cancelBound := context.WithTimeout(ctx, within)
	err = d.Wait(boundCtx, func() bool { return r.checkinDMs() >= want })
	cancelBound()
	if err != nil {
		t.Errorf("%d of %d check-in DMs sent within %s of the kill (the job lease and 20 s)", r.checkinDMs(), want, within)
	} else {
		t.Logf("check-in DMs: %d of %d out when a process was killed, all out %s later", atKill, want, time.Since(killed).Round(time.Millisecond))
	}
	wg.Wait()
	r.answerCheckins(ctx)

	r.settle(ctx, f)
	r.checkTasks(ctx)
	r.checkRequests(ctx)
	r.checkDecisions(ctx)
	r.checkCheckins(ctx)
	r.checkOneRedrawPerChange(ctx)
	r.mu.Lock()
	t.Logf("%d envelopes acknowledged, %d not (sent to the killed process): %v", len(r.acked), len(r.unacked), r.unacked)
	r.mu.Unlock()
	if t.Failed() {
		t.Logf("bot logs:\n%s", f.logs())
	}
}

// addApprovers adds the approvers of testdata/policies.yaml to the workspace.
func addApprovers(d *slackdouble.Server) {
	for _, u := range []slackdouble.User{
		{ID: mgr, Name: "max", RealName: "Max Manager"},
		{ID: fin1, Name: "fay", RealName: "Fay Finance"},
		{ID: fin2, Name: "fred", RealName: "Fred Finance"},
		{ID: cfo, Name: "cora", RealName: "Cora CFO"},
		{ID: sec1, Name: "sia", RealName: "Sia Security"},
		{ID: sec2, Name: "sol", RealName: "Sol Security"},
		{ID: sec3, Name: "sue", RealName: "Sue Security"},
	} {
		d.AddUser(u)
	}
}

func (r *replicaRun) count(ctx context.Context, query string, args ...any) int {
	r.t.Helper()
	var n int
	if err := r.db.GetContext(ctx, &n, query, args...); err != nil {
		r.t.Fatal(err)
	}
	return n
}

// checkinDMs counts the check-in DMs the recipients have got.
func (r *replicaRun) checkinDMs() int {
	n := 0
	for _, u := range replicaRecipients {
		for _, m := range r.d.Messages(r.d.DMChannel(u)) {
			if strings.HasPrefix(m.Text, "Check-in C-") || m.Has("Replica check-in") {
				n++
			}
		}
	}
	return n
}

// moveTasks has Ana move every task to In progress from its card.
func (r *replicaRun) moveTasks(ctx context.Context, end time.Time) {
	paced(ctx, replicaTasks, 4, end, func(i int) {
		n := int64(i + 1)
		var card struct {
			Channel string `db:"channel_id"`
			TS      string `db:"card_ts"`
		}
		if err := r.db.GetContext(ctx, &card, `SELECT channel_id, card_ts FROM tasks WHERE number = $1`, n); err != nil {
			r.t.Error(err)
			return
		}
		r.send(ctx, fmt.Sprintf("status T-%d", n), func(ctx context.Context) (slackdouble.Ack, error) {
			return r.d.SelectOption(ctx, ana, card.Channel, card.TS, "task.status", fmt.Sprintf("%d:in_progress", n))
		})
	})
}

// fileAndApprove files purchases that go to finance, then to the CFO: both finance approvers press
// Approve at the same moment, each on their own card, then the CFO approves.
func (r *replicaRun) fileAndApprove(ctx context.Context, end time.Time) {
	paced(ctx, replicaRequests, 3, end, func(i int) {
		title := fmt.Sprintf("Replica purchase %02d", i)
		if !r.command(ctx, bea, "/request", fmt.Sprintf("purchase amount=%d client_tier=enterprise risk=low %s", 12000+i, title)) {
			return
		}
		cards := make([]slackdouble.Message, 2)
		for k, who := range []string{fin1, fin2} {
			m, err := r.approverCard(ctx, who, title)
			if err != nil {
				r.t.Errorf("%s's card of %q: %v", who, title, err)
				return
			}
			cards[k] = m
		}
		var both sync.WaitGroup
		for k, who := range []string{fin1, fin2} {
			both.Go(func() {
				r.sendUntilAcked(ctx, fmt.Sprintf("%s approves %s", who, title), func(ctx context.Context) (slackdouble.Ack, error) {
					return r.d.ClickButton(ctx, who, cards[k].Channel, cards[k].TS, "request.approve")
				})
			})
		}
		both.Wait()
		m, err := r.approverCard(ctx, cfo, title)
		if err != nil {
			r.t.Errorf("the CFO's card of %q: %v", title, err)
			return
		}
		r.sendUntilAcked(ctx, "CFO approves "+title, func(ctx context.Context) (slackdouble.Ack, error) {
			return r.d.ClickButton(ctx, cfo, m.Channel, m.TS, "request.approve")
		})
	})
}

// approverCard waits for an approver's card of a request in their DM.
func (r *replicaRun) approverCard(ctx context.Context, who, title string) (slackdouble.Message, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return r.d.WaitMessage(ctx, r.d.DMChannel(who), func(m slackdouble.Message) bool {
		return m.Has(title) && m.Has("needs your approval")
	})
}

// recordDecisions has Bea record decisions through the form, one after another, each flagging Cal.
func (r *replicaRun) recordDecisions(ctx context.Context, end time.Time) {
	used := map[string]bool{}
	paced(ctx, replicaDecisions, 1, end, func(i int) {
		title := fmt.Sprintf("Replica decision %02d", i)
		if !r.command(ctx, bea, "/decision", "") {
			return
		}
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		v, err := r.d.WaitView(wctx, bea, func(v slackdouble.View) bool { return v.CallbackID == "decision.new" && !used[v.ID] })
		cancel()
		if err != nil {
			r.t.Errorf("no decision form opened for %q: %v", title, err)
			return
		}
		used[v.ID] = true
		r.send(ctx, "submit "+title, func(ctx context.Context) (slackdouble.Ack, error) {
			return r.d.SubmitView(ctx, bea, v.ID, form(dcText("d_title", title), dcText("d_decision", "Decided "+title),
				input("d_flagged", slackdouble.InputValue{SelectedUsers: []string{cal}})))
		})
	})
}

// adminChanges reloads an edited approval policy and changes a workspace setting through one
// process, and checks that every process follows at once: requests filed right after the reload are
// routed by the new policy, and check-ins over the new limit are refused, whichever process takes them.
func (r *replicaRun) adminChanges(ctx context.Context, path string, policy []byte) {
	t := r.t
	r.command(ctx, bea, "/request", "purchase amount=2000 risk=low Replica before reload")
	const small, bigger = `when: amount <= 500 && risk != "high"`, `when: amount <= 5000 && risk != "high"`
	if !strings.Contains(string(policy), small) {
		t.Errorf("testdata/policies.yaml has no %q to widen", small)
		return
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(policy), small, bigger, 1)), 0o644); err != nil {
		t.Error(err)
		return
	}
	versions := r.count(ctx, `SELECT count(*) FROM policy_versions`)
	r.sendUntilAcked(ctx, "reload", func(ctx context.Context) (slackdouble.Ack, error) {
		return r.d.SlashCommand(ctx, slackdouble.SlashCommand{UserID: adm, ChannelID: launc, Command: "/baton", Text: "policies reload"})
	})
	if err := waitFor(ctx, func() (bool, error) {
		return r.count(ctx, `SELECT count(*) FROM policy_versions`) > versions, nil
	}); err != nil {
		t.Errorf("the reloaded policy was never recorded: %v", err)
		return
	}
	for i := range 6 {
		r.command(ctx, bea, "/request", fmt.Sprintf("purchase amount=2000 risk=low Replica after reload %d", i))
	}

	r.sendUntilAcked(ctx, "limit", func(ctx context.Context) (slackdouble.Ack, error) {
		return r.d.SlashCommand(ctx, slackdouble.SlashCommand{UserID: adm, ChannelID: launc, Command: "/baton", Text: "checkins limit 2"})
	})
	if err := waitFor(ctx, func() (bool, error) {
		return r.count(ctx, `SELECT count(*) FROM team_settings WHERE checkin_max_recipients = 2`) == 1, nil
	}); err != nil {
		t.Errorf("the check-in limit was never stored: %v", err)
		return
	}
	for i := range 6 {
		r.command(ctx, bea, "/checkin", fmt.Sprintf("<@%s> <@%s> <@%s> in 2h Over the limit %d?", replicaRecipients[0], replicaRecipients[1], replicaRecipients[2], i))
	}
}

// answerCheckins has every recipient mark replicaSeen check-ins "Got it" and the first
// replicaAnswerers answer replicaAnswers more through the form, each person one after another.
func (r *replicaRun) answerCheckins(ctx context.Context) {
	var wg sync.WaitGroup
	for ri, u := range replicaRecipients {
		wg.Go(func() {
			for c := 1; c <= replicaSeen+replicaAnswers; c++ {
				ref := fmt.Sprintf("Check-in C-%d*", c)
				m, err := r.d.WaitMessage(ctx, r.d.DMChannel(u), func(m slackdouble.Message) bool { return m.Has(ref) })
				if err != nil {
					r.t.Errorf("%s has no %s: %v", u, ref, err)
					return
				}
				if c <= replicaSeen {
					r.sendUntilAcked(ctx, fmt.Sprintf("%s got C-%d", u, c), func(ctx context.Context) (slackdouble.Ack, error) {
						return r.d.ClickButton(ctx, u, m.Channel, m.TS, "checkin.got_it")
					})
					continue
				}
				if ri >= replicaAnswerers {
					return
				}
				if !r.sendUntilAcked(ctx, fmt.Sprintf("%s replies to C-%d", u, c), func(ctx context.Context) (slackdouble.Ack, error) {
					return r.d.ClickButton(ctx, u, m.Channel, m.TS, "checkin.reply")
				}) {
					continue
				}
				wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				v, err := r.d.WaitView(wctx, u, func(v slackdouble.View) bool { return v.CallbackID == "checkin.answer" })
				cancel()
				if err != nil {
					r.t.Errorf("no answer form opened for %s on C-%d: %v", u, c, err)
					continue
				}
				r.send(ctx, fmt.Sprintf("%s answers C-%d", u, c), func(ctx context.Context) (slackdouble.Ack, error) {
					return r.d.SubmitView(ctx, u, v.ID, input("ck_answer", slackdouble.InputValue{Value: slackdouble.Str(fmt.Sprintf("Answer of %s to C-%d", u, c))}))
				})
			}
		})
	}
	wg.Wait()
}

// settle waits until the live processes have finished everything: every acknowledged envelope
// handled, the outbox sent, and no job due.
func (r *replicaRun) settle(ctx context.Context, f *fleet) {
	r.t.Helper()
	for what, query := range map[string]string{
		"acknowledged envelopes never finished": `SELECT count(*) FROM deliveries WHERE done_at IS NULL AND payload IS NOT NULL`,
		"messages changes owed were never sent": `SELECT count(*) FROM outbox`,
		"jobs due never ran":                    `SELECT count(*) FROM jobs WHERE state = 'pending' AND due_at <= now()`,
	} {
		if err := waitFor(ctx, func() (bool, error) { return r.count(ctx, query) == 0, nil }); err != nil {
			r.t.Fatalf("%s: %v\n%s", what, err, f.logs())
		}
	}
}
