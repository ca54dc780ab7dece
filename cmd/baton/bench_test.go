package main

// Benchmarks of the bot end to end: the Slack double (rate limits off) drives the real bot, started
// through the same run() as `baton run` (outbound pacing off), backed by a fresh Postgres schema.
//
//	go test -run '^$' -bench . -benchtime 3s -count 5 ./cmd/baton/
//
// BenchmarkAck/{baton,echo}/{paced,saturated}
//	envelope written → ack read, p50/p99/max: at a steady 300 envelopes/s and with 16 always in flight;
//	"echo" is a bare client that acks at once: the double's and the websocket's own share.
// BenchmarkQuickTask
//	`/task @owner Title` → card posted in the channel; tasks/s until the last card was seen.
// BenchmarkStatusChange/{max,paced-300}
//	status picked on a card → card updated in place + thread reply + DM to the delegator; changes/s
//	until the last change was seen end to end, as fast as 32 owners can click and on a 300/s schedule.
// QuickTask and StatusChange also report the ack latency of their own envelopes (ack-p50/p99-ms),
// settle-ms: how long after the last result the bot took to finish everything else (the dashboards,
// published at most once a second per person, among it), and the rate counted to that point
// (tasks/s-settled, changes/s-settled: how these benchmarks counted before 99f2678). Every result is
// checked after the settle.
//
// Every wait is on a signal from the double or the bot, never a sleep (the only timers set the arrival
// schedule of the paced runs). Work is split statically across the senders so any b.N (1 included) is
// exact, and every result is checked after the timer stops.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/slackdouble"
)

const (
	// benchAckSenders is how many envelopes are in flight at once in BenchmarkAck: a busy workspace.
	benchAckSenders = 16
	// benchTaskSenders is how many people type /task at once in BenchmarkQuickTask.
	benchTaskSenders = 16
	// benchClickers is how many people change statuses at once in BenchmarkStatusChange.
	benchClickers = 32
	// benchChangesPerTask bounds how often one task changes, so a long run spreads over more tasks
	// instead of growing a few threads without end.
	benchChangesPerTask = 9

	// opTimeout bounds one operation's wait (an ack, a card, a change seen end to end).
	benchOpTimeout = 30 * time.Second
	// runTimeout bounds one benchmark round, set-up included.
	benchRunTimeout = 5 * time.Minute
)

// benchStatusCycle is the path a task's owner walks: In progress → In review → Done, reopened to In progress…
var benchStatusCycle = []baton.Status{baton.StatusInProgress, baton.StatusInReview, baton.StatusDone}

// benchHarness starts the double with rate limits off and the bot with outbound pacing off.
func benchHarness(b *testing.B) (*harness, context.Context) {
	b.Helper()
	h := newHarness(b, func(o *harnessOptions) {
		o.rateLimits = false
		o.client = bot.ClientConfig{PerChannelInterval: -1}
	})
	h.slack.SetRateLimits(false)
	ctx, cancel := context.WithTimeout(context.Background(), benchRunTimeout)
	b.Cleanup(cancel)
	return h, ctx
}

// benchSettle waits until the bot has finished every handler and follow-up it started.
func (h *harness) benchSettle(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, benchOpTimeout)
	defer cancel()
	if err := h.idleFn(ctx); err != nil {
		return fmt.Errorf("the bot did not benchSettle: %w", err)
	}
	return nil
}

// benchSettleAfter stops the timer once the senders are done (err is theirs) and the last result they
// waited for was seen, then waits for the bot to settle: the dashboards of the people involved (each
// published at most once a second) and anything else it does after what the senders saw. It returns the
// time the work took and how long the settling after it took.
func (h *harness) benchSettleAfter(b *testing.B, ctx context.Context, start time.Time, err error) (elapsed, settle time.Duration, _ error) {
	elapsed = time.Since(start)
	b.StopTimer()
	if err != nil {
		return elapsed, 0, err
	}
	settled := time.Now()
	err = h.benchSettle(ctx)
	return elapsed, time.Since(settled), err
}

// benchPair is a delegator and the owner they hand tasks to.
type benchPair struct{ delegator, owner string }

// addBenchPairs adds n delegator/owner pairs to the workspace.
func addBenchPairs(d *slackdouble.Server, prefix string, n int) []benchPair {
	out := make([]benchPair, n)
	for i := range out {
		out[i] = benchPair{delegator: fmt.Sprintf("U%sD%02d", prefix, i), owner: fmt.Sprintf("U%sO%02d", prefix, i)}
		d.AddUser(slackdouble.User{ID: out[i].delegator, Name: strings.ToLower(out[i].delegator), TZ: "Europe/Berlin"})
		d.AddUser(slackdouble.User{ID: out[i].owner, Name: strings.ToLower(out[i].owner), TZ: "America/New_York"})
	}
	return out
}

// addBenchChannel adds a public channel Baton is in, with the pair as members, and returns its ID.
func addBenchChannel(d *slackdouble.Server, id string, p benchPair) string {
	d.AddChannel(slackdouble.Channel{ID: id, Name: strings.ToLower(id), Members: []string{p.delegator, p.owner}, BotIsMember: true})
	return id
}

// benchShare is worker i's part of n operations split across parts workers.
func benchShare(n, parts, i int) int {
	s := n / parts
	if i < n%parts {
		s++
	}
	return s
}

// benchFirstError keeps the first failure of a group of goroutines and stops the others.
type benchFirstError struct {
	once   sync.Once
	err    error
	cancel context.CancelFunc
}

func (f *benchFirstError) set(err error) {
	f.once.Do(func() {
		f.err = err
		f.cancel()
	})
}

// benchPercentile is the nearest-rank percentile of sorted durations, in milliseconds.
func benchPercentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.999999) - 1
	i = max(0, min(i, len(sorted)-1))
	return float64(sorted[i]) / float64(time.Millisecond)
}

// benchTiming is one operation's ack latency and its time until its effects were all seen.
type benchTiming struct{ ack, done time.Duration }

func reportBenchTimings(b *testing.B, ts []benchTiming, prefix string) {
	acks := make([]time.Duration, len(ts))
	dones := make([]time.Duration, len(ts))
	for i, t := range ts {
		acks[i], dones[i] = t.ack, t.done
	}
	reportBenchLatency(b, acks, "ack-")
	reportBenchLatency(b, dones, prefix)
}

func reportBenchLatency(b *testing.B, lat []time.Duration, prefix string) {
	slices.Sort(lat)
	b.ReportMetric(benchPercentile(lat, 0.50), prefix+"p50-ms")
	b.ReportMetric(benchPercentile(lat, 0.99), prefix+"p99-ms")
}

// ---------------------------------------------------------------------------------------------------
// Ack latency

// BenchmarkAck measures the time from the double writing an envelope to the socket to the double
// reading its ack (slackdouble.Ack.Latency). The envelopes are half `/task help` (answered through
// response_url after the ack) and half app_home_opened (App Home published after the ack), from
// benchAckSenders people in their own channels.
//
//   - paced: a busy workspace, benchAckRate envelopes per second arriving on a fixed schedule whatever
//     the bot is doing (the arrival schedule is the only timer; nothing waits on a sleep).
//   - saturated: benchAckSenders envelopes always in flight, each sender sending its next as soon as the
//     previous is acked: the bot's ceiling. envelopes/s counts until the follow-up work has settled.
//
// "baton" is the real bot; "echo" is a bare Socket Mode client that acks each envelope as soon as it
// reads it, so its latency is the double's and the websocket's own share of "baton"'s.
func BenchmarkAck(b *testing.B) {
	for _, mode := range []string{"paced", "saturated"} {
		b.Run("baton/"+mode, func(b *testing.B) {
			h, ctx := benchHarness(b)
			users := benchAckUsers(h.slack)
			benchAck(b, ctx, h.slack, users, mode == "paced", func() error { return h.benchSettle(ctx) })
		})
		b.Run("echo/"+mode, func(b *testing.B) {
			d, err := slackdouble.Start(slackdouble.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(d.Close)
			seedWorkspace(d)
			users := benchAckUsers(d)
			ctx, cancel := context.WithTimeout(context.Background(), benchRunTimeout)
			b.Cleanup(cancel)
			if err := startEchoClient(b, ctx, d); err != nil {
				b.Fatal(err)
			}
			benchAck(b, ctx, d, users, mode == "paced", func() error { return nil })
		})
	}
}

// benchAckRate is the paced arrival rate: the status-change goal, as a busy workspace's load.
const benchAckRate = 300

func benchAckUsers(d *slackdouble.Server) []benchPair {
	users := addBenchPairs(d, "ACK", benchAckSenders)
	for i, p := range users {
		addBenchChannel(d, fmt.Sprintf("CACK%02d", i), p)
	}
	return users
}

func benchAck(b *testing.B, ctx context.Context, d *slackdouble.Server, users []benchPair, paced bool, benchSettle func() error) {
	b.Helper()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fail := &benchFirstError{cancel: cancel}
	send := func(i int) (time.Duration, error) {
		u := i % len(users)
		opCtx, opCancel := context.WithTimeout(ctx, benchOpTimeout)
		defer opCancel()
		var ack slackdouble.Ack
		var err error
		if (i/len(users))%2 == 0 {
			ack, err = d.SlashCommand(opCtx, slackdouble.SlashCommand{UserID: users[u].delegator, ChannelID: fmt.Sprintf("CACK%02d", u), Command: "/task", Text: "help"})
		} else {
			_, ack, err = d.AppHomeOpened(opCtx, users[u].owner)
		}
		if err != nil {
			return 0, fmt.Errorf("envelope %d: %w", i, err)
		}
		return ack.Latency, nil
	}
	// run sends n envelopes and returns their ack latencies once the bot has settled.
	run := func(n int) ([]time.Duration, error) {
		lat := make([]time.Duration, n)
		var wg sync.WaitGroup
		if paced {
			pace := &benchSchedule{start: time.Now(), interval: time.Second / benchAckRate}
			for i := range n {
				if pace.wait(ctx) != nil {
					break
				}
				wg.Go(func() {
					l, err := send(i)
					if err != nil {
						fail.set(err)
					}
					lat[i] = l
				})
			}
		} else {
			for w := range benchAckSenders {
				wg.Go(func() {
					for i := w; i < n; i += benchAckSenders {
						l, err := send(i)
						if err != nil {
							fail.set(err)
							return
						}
						lat[i] = l
					}
				})
			}
		}
		wg.Wait()
		if fail.err != nil {
			return nil, fail.err
		}
		return lat, benchSettle()
	}
	// A bot that has been running has its Postgres sessions open and its statements prepared; a fresh
	// one opens and prepares them during its first second of load. That second is sent first, on the
	// same schedule, and not timed: the figures are a running bot's, and the cold second's own are
	// reported as cold-p50-ms and cold-p99-ms.
	cold, err := run(benchAckRate)
	if err != nil {
		b.Fatal(err)
	}

	b.ResetTimer()
	start := time.Now()
	lat, err := run(b.N)
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	reportBenchLatency(b, cold, "cold-")
	reportBenchLatency(b, lat, "")
	b.ReportMetric(benchPercentile(lat, 1), "max-ms")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "envelopes/s")
}

// startEchoClient opens a Socket Mode connection to the double that acks every envelope at once.
func startEchoClient(b *testing.B, ctx context.Context, d *slackdouble.Server) error {
	api := slack.New(d.Options().BotToken, slack.OptionAppLevelToken(d.Options().AppToken), slack.OptionAPIURL(d.APIURL()))
	_, url, err := api.StartSocketModeContext(ctx)
	if err != nil {
		return fmt.Errorf("apps.connections.open: %w", err)
	}
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		return fmt.Errorf("dial %s: %w", url, err)
	}
	done := make(chan struct{})
	b.Cleanup(func() {
		_ = conn.Close()
		<-done
	})
	go func() {
		defer close(done)
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var env struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if json.Unmarshal(data, &env) != nil || env.EnvelopeID == "" {
				continue // hello, disconnect
			}
			ack, _ := json.Marshal(map[string]string{"envelope_id": env.EnvelopeID})
			if err := conn.WriteMessage(websocket.TextMessage, ack); err != nil {
				return
			}
		}
	}()
	return d.WaitConnected(ctx, 1)
}

// ---------------------------------------------------------------------------------------------------
// Quick task: /task @owner Title → card

// BenchmarkQuickTask measures `/task <@owner> Title` → the task's card posted in the channel, with
// benchTaskSenders people typing at once, each in their own run of channels (one new channel per task, so
// finding a card costs the same at any b.N). Each sender waits for its card before typing the next
// command; the timer stops once the last card is seen, and settle-ms says how long the rest took (owner
// DMs, confirmations and dashboards).
func BenchmarkQuickTask(b *testing.B) {
	h, ctx := benchHarness(b)
	people := addBenchPairs(h.slack, "QT", benchTaskSenders)
	channels := make([][]string, benchTaskSenders)
	for s, p := range people {
		n := benchShare(b.N, benchTaskSenders, s)
		for i := range n {
			channels[s] = append(channels[s], addBenchChannel(h.slack, fmt.Sprintf("CQT%02dX%06d", s, i), p))
		}
	}
	// Warm up: each pair's first task fills the bot's directory cache and opens the owner's DM,
	// as in a workspace that has been running for a while.
	if err := runBenchSenders(ctx, benchTaskSenders, func(ctx context.Context, s int) error {
		ch := addBenchChannel(h.slack, fmt.Sprintf("CQTWARM%02d", s), people[s])
		_, _, err := h.benchQuickTask(ctx, people[s], ch, "Warm up")
		return err
	}); err != nil {
		b.Fatal(err)
	}
	if err := h.benchSettle(ctx); err != nil {
		b.Fatal(err)
	}
	before, err := h.db.CountTasks(ctx, baton.TaskQuery{TeamID: h.slack.Options().TeamID})
	if err != nil {
		b.Fatal(err)
	}

	lat := make([][]benchTiming, benchTaskSenders)
	b.ResetTimer()
	start := time.Now()
	err = runBenchSenders(ctx, benchTaskSenders, func(ctx context.Context, s int) error {
		for i, ch := range channels[s] {
			_, d, err := h.benchQuickTask(ctx, people[s], ch, fmt.Sprintf("Task %d of sender %d", i, s))
			if err != nil {
				return err
			}
			lat[s] = append(lat[s], d)
		}
		return nil
	})
	elapsed, settle, err := h.benchSettleAfter(b, ctx, start, err)
	if err != nil {
		b.Fatal(err)
	}

	after, err := h.db.CountTasks(ctx, baton.TaskQuery{TeamID: h.slack.Options().TeamID})
	if err != nil {
		b.Fatal(err)
	}
	if after-before != b.N {
		b.Fatalf("%d tasks stored for %d commands", after-before, b.N)
	}
	for s := range channels {
		for _, ch := range channels[s] {
			if msgs := h.slack.Messages(ch); len(msgs) != 1 || !strings.HasPrefix(msgs[0].Text, "T-") {
				b.Fatalf("channel %s should hold exactly one card, holds %d messages", ch, len(msgs))
			}
		}
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "tasks/s")
	b.ReportMetric(float64(b.N)/(elapsed+settle).Seconds(), "tasks/s-settled")
	b.ReportMetric(float64(settle.Milliseconds()), "settle-ms")
	reportBenchTimings(b, slices.Concat(lat...), "card-")
}

// runBenchSenders runs fn for senders 0…n-1 at once and returns the first error; one failure stops the rest.
func runBenchSenders(ctx context.Context, n int, fn func(ctx context.Context, sender int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fail := &benchFirstError{cancel: cancel}
	var wg sync.WaitGroup
	for s := range n {
		wg.Go(func() {
			if err := fn(ctx, s); err != nil {
				fail.set(fmt.Errorf("sender %d: %w", s, err))
			}
		})
	}
	wg.Wait()
	return fail.err
}

var benchCardRef = regexp.MustCompile(`^T-(\d+) `)

// benchQuickTask types `/task <@owner> title` as the delegator in channel, which must be empty, and waits for
// the card there. It returns the card, the time from sending the command to seeing the card, and the
// command's ack latency.
func (h *harness) benchQuickTask(ctx context.Context, p benchPair, channel, title string) (slackdouble.Message, benchTiming, error) {
	ctx, cancel := context.WithTimeout(ctx, benchOpTimeout)
	defer cancel()
	start := time.Now()
	cmd := slackdouble.SlashCommand{UserID: p.delegator, ChannelID: channel, Command: "/task", Text: "<@" + p.owner + "> " + title}
	ack, err := h.slack.SlashCommand(ctx, cmd)
	if err != nil {
		return slackdouble.Message{}, benchTiming{}, fmt.Errorf("/task in %s: %w", channel, err)
	}
	var card slackdouble.Message
	err = h.slack.Wait(ctx, func() bool {
		msgs := h.slack.Messages(channel)
		if len(msgs) == 0 {
			return false
		}
		card = msgs[0]
		return true
	})
	tm := benchTiming{done: time.Since(start), ack: ack.Latency}
	if err != nil {
		return card, tm, fmt.Errorf("no card in %s: %w", channel, err)
	}
	return card, tm, nil
}

// ---------------------------------------------------------------------------------------------------
// Status change: select on the card → card updated + thread reply + DM

// benchTask is a task whose card a clicker changes.
type benchTask struct {
	number  int64
	channel string
	cardTS  string
	changes int // changes made so far
}

// BenchmarkStatusChange measures status changes end to end: the owner picks the next status on the
// card (In progress → In review → Done → In progress …) and the change counts once the card shows it
// (edited in place), the thread has the reply and the delegator has the DM. benchClickers owners work at
// once, each on their own tasks (each task in its own channel, at most benchChangesPerTask changes each),
// waiting for a change to land before making the next. The tasks are created through /task before
// the timer starts; the timer stops once the last change is seen end to end, and settle-ms says how long
// the rest took (the dashboards above all). Every card, thread and DM is checked afterwards.
//
//   - max: each owner clicks again as soon as their last change has landed: the bot's ceiling.
//   - paced: the clicks are spread over a fixed schedule of benchStatusRate per second (the goal), so
//     the latencies are those at the goal's load rather than at the ceiling. If the bot falls behind,
//     the clicks start late and changes/s shows it.
func BenchmarkStatusChange(b *testing.B) {
	b.Run("max", func(b *testing.B) { benchStatusChange(b, 0) })
	b.Run(fmt.Sprintf("paced-%d", benchStatusRate), func(b *testing.B) { benchStatusChange(b, benchStatusRate) })
}

// benchStatusRate is the status-change goal: changes per second end to end.
const benchStatusRate = 300

// benchSchedule hands out start times at a fixed rate from start.
type benchSchedule struct {
	start    time.Time
	interval time.Duration
	next     atomic.Int64
}

// wait blocks until the next free start time; a nil schedule never waits.
func (s *benchSchedule) wait(ctx context.Context) error {
	if s == nil {
		return nil
	}
	at := s.start.Add(time.Duration(s.next.Add(1)-1) * s.interval)
	d := time.Until(at)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func benchStatusChange(b *testing.B, rate int) {
	h, ctx := benchHarness(b)
	people, tasks, changes, err := h.benchTasks(ctx, "SC", benchClickers, b.N)
	if err != nil {
		b.Fatal(err)
	}
	if err := h.benchSettle(ctx); err != nil {
		b.Fatal(err)
	}
	dmBase := make([]int, benchClickers)
	for w, p := range people {
		dmBase[w] = len(h.slack.Messages(h.slack.DMChannel(p.delegator)))
	}

	lat := make([][]benchTiming, benchClickers)
	b.ResetTimer()
	start := time.Now()
	var pace *benchSchedule
	if rate > 0 {
		pace = &benchSchedule{start: start, interval: time.Second / time.Duration(rate)}
	}
	err = runBenchSenders(ctx, benchClickers, func(ctx context.Context, w int) error {
		dm := h.slack.DMChannel(people[w].delegator)
		for k := range changes[w] {
			if err := pace.wait(ctx); err != nil {
				return err
			}
			t := tasks[w][k/benchChangesPerTask]
			d, err := h.benchChangeStatus(ctx, people[w].owner, t, dm, dmBase[w]+k+1)
			if err != nil {
				return err
			}
			lat[w] = append(lat[w], d)
		}
		return nil
	})
	elapsed, settle, err := h.benchSettleAfter(b, ctx, start, err)
	if err != nil {
		b.Fatal(err)
	}

	for w, p := range people {
		if err := verifyBenchChanges(h.slack, p, tasks[w], dmBase[w], changes[w]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "changes/s")
	b.ReportMetric(float64(b.N)/(elapsed+settle).Seconds(), "changes/s-settled")
	b.ReportMetric(float64(settle.Milliseconds()), "settle-ms")
	reportBenchTimings(b, slices.Concat(lat...), "change-")
}

// benchTasks adds clickers delegator/owner pairs (named with prefix), splits changes across them, and
// makes each owner's tasks through /task, as people would, clickers at a time: each task in a channel
// of its own, at most benchChangesPerTask changes each.
func (h *harness) benchTasks(ctx context.Context, prefix string, clickers, changes int) ([]benchPair, [][]*benchTask, []int, error) {
	people := addBenchPairs(h.slack, prefix, clickers)
	tasks := make([][]*benchTask, clickers)
	shares := make([]int, clickers)
	for w := range clickers {
		shares[w] = benchShare(changes, clickers, w)
		for i := range (shares[w] + benchChangesPerTask - 1) / benchChangesPerTask {
			tasks[w] = append(tasks[w], &benchTask{channel: addBenchChannel(h.slack, fmt.Sprintf("C%s%02dX%06d", prefix, w, i), people[w])})
		}
	}
	err := runBenchSenders(ctx, clickers, func(ctx context.Context, w int) error {
		for i, t := range tasks[w] {
			card, _, err := h.benchQuickTask(ctx, people[w], t.channel, fmt.Sprintf("Task %d of owner %d", i, w))
			if err != nil {
				return err
			}
			m := benchCardRef.FindStringSubmatch(card.Text)
			if m == nil {
				return fmt.Errorf("card in %s has no task reference: %q", t.channel, card.Text)
			}
			t.number, _ = strconv.ParseInt(m[1], 10, 64)
			t.cardTS = card.TS
		}
		return nil
	})
	return people, tasks, shares, err
}

// benchChangeStatus has the owner pick the task's next status on its card and waits until the card was
// edited once more, the thread has one more reply and the delegator's DMs number wantDMs. The waits
// only count (cheap to evaluate at every change in the double); contents are checked after the run.
func (h *harness) benchChangeStatus(ctx context.Context, owner string, t *benchTask, dm string, wantDMs int) (benchTiming, error) {
	ctx, cancel := context.WithTimeout(ctx, benchOpTimeout)
	defer cancel()
	to := benchStatusCycle[t.changes%len(benchStatusCycle)]
	t.changes++
	start := time.Now()
	value := strconv.FormatInt(t.number, 10) + ":" + string(to)
	ack, err := h.slack.SelectOption(ctx, owner, t.channel, t.cardTS, "task.status", value)
	if err != nil {
		return benchTiming{}, fmt.Errorf("T-%d → %s: %w", t.number, to, err)
	}
	err = h.slack.Wait(ctx, func() bool {
		return h.slack.Edits(t.channel, t.cardTS) >= t.changes && h.slack.MessageCount(t.channel) >= 1+t.changes &&
			h.slack.MessageCount(dm) >= wantDMs
	})
	tm := benchTiming{done: time.Since(start), ack: ack.Latency}
	if err != nil {
		card, _ := h.slack.Message(t.channel, t.cardTS)
		return tm, fmt.Errorf("T-%d → %s not seen end to end (card edits %d, channel messages %d, delegator DMs %d, want %d/%d/%d): %w",
			t.number, to, card.Edits, len(h.slack.Messages(t.channel)), len(h.slack.Messages(dm)), t.changes, 1+t.changes, wantDMs, err)
	}
	return tm, nil
}

// verifyBenchChanges checks one clicker's work: each card edited once per change and showing the last
// status, one thread reply per change naming the status, one DM to the delegator per change.
func verifyBenchChanges(d *slackdouble.Server, p benchPair, tasks []*benchTask, dmBase, changes int) error {
	dms := d.Messages(d.DMChannel(p.delegator))
	if got := len(dms) - dmBase; got != changes {
		return fmt.Errorf("%s got %d DMs for %d changes", p.delegator, got, changes)
	}
	dms = dms[dmBase:]
	k := 0
	for _, t := range tasks {
		ref := baton.TaskRef(t.number) + " ·"
		card, _ := d.Message(t.channel, t.cardTS)
		last := benchStatusCycle[(t.changes-1)%len(benchStatusCycle)]
		if card.Edits != t.changes || !card.Has("*Status*\n"+last.Emoji()+" "+last.Label()) {
			return fmt.Errorf("T-%d: card edited %d times for %d changes, or not showing %s:\n%s", t.number, card.Edits, t.changes, last.Label(), card.AllText())
		}
		var replies []slackdouble.Message
		for _, m := range d.Messages(t.channel) {
			if m.TS != t.cardTS {
				replies = append(replies, m)
			}
		}
		if len(replies) != t.changes {
			return fmt.Errorf("T-%d: %d thread replies for %d changes", t.number, len(replies), t.changes)
		}
		for j, m := range replies {
			to := benchStatusCycle[j%len(benchStatusCycle)]
			want := fmt.Sprintf("<@%s> moved this from *", p.owner)
			if m.ThreadTS != t.cardTS || !m.Has(want) || !m.Has("to *"+to.Label()+"*") {
				return fmt.Errorf("T-%d: reply %d is not about the move to %s: %s", t.number, j+1, to.Label(), m.AllText())
			}
			if dm := dms[k]; !dm.Has(ref) || !dm.Has("*"+to.Label()+"*") || !dm.Has("<@"+p.owner+">") {
				return fmt.Errorf("T-%d: DM %d is not about the move to %s: %s", t.number, j+1, to.Label(), dm.AllText())
			}
			k++
		}
	}
	if k != changes {
		return errors.New("changes unaccounted for")
	}
	return nil
}
