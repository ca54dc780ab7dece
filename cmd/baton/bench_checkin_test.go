package main

// BenchmarkCheckinBurst proves the line "1,000 recipients due at 09:00 all get their DM, paced under Slack's
// rate limits and honouring 429 Retry-After; none lost, none twice":
//
//	go test -run '^$' -bench CheckinBurst -benchtime 1x -count 3 ./cmd/baton/
//
// One round is one 09:00 burst; -benchtime 1x runs one round per count. Any b.N works: the check-ins
// are daily, so round k is the burst of the k-th day, and everything but the burst itself (set-up, the
// checks) runs with the timer stopped.
//
// The double enforces Slack's rate limits (chat.postMessage ~1/s per channel with a burst of 3, each
// recipient's DM its own channel; users.list and views.* by tier) and the bot runs with its default
// outbound pacing. 1,000 extra people, all in America/New_York, are asked by two check-ins of 500 (the
// most the New check-in modal takes; the quick form stops at 20), both daily at 09:00 with days off not
// skipped, so all 1,000 deliveries fall due at the same instant (the first at the next 09:00 in New York;
// see burstClockStart for the date). The timer runs from the moment the
// bot's clock is moved to 09:00 until every recipient's DM is in the double. Once 40% are in, the next 5
// chat.postMessage calls are answered 429 with Retry-After: 2.
//
// Reported per round: s-to-all (clock moved → last DM), s-to-first (clock moved → first DM: the
// scheduler notices a clock move within its ~2 s idle bound), dm/s over the whole window, burst-dm/s from
// the first DM to the last, min-retry-s (the shortest gap between an injected 429 and the retry to the
// same channel) and submit-ack-ms (the slowest ack of a 500-person modal submission).
//
// Checked after the timer stops, once the scheduler has moved every recipient's job to the next day:
// every recipient has exactly one delivery DM of their check-in per round, the round's delivery of each
// is recorded as delivered in their DM, no job was parked, chat.postMessage got
// no 429 but the injected ones (the bot stayed under the limits), and each injected 429 was followed by a
// retry to the same channel, no sooner than Retry-After, that succeeded.
//
// The waits for DMs are on the double's state (Slack.Wait); the wait for the scheduler to finish its
// round polls Postgres, since the scheduler offers no signal outside its package.
//
// Not a workload here, but seen while writing it: each submission of the form with more than 20 people
// lists the whole workspace (users.list, Tier 2: 20 calls a minute; 6 pages for these 1,006 people), so
// a fourth 500-person check-in within about a minute fails with "Something went wrong" (the Retry-After
// does not fit in the submission's ack budget). Creating the check-ins once keeps that out of the burst.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

const (
	// burstRecipients is how many people are due at the same instant.
	burstRecipients = 1000
	// burstPerCheckin is the most one check-in may ask in a workspace (the modal's limit).
	burstPerCheckin = 500
	// burstZone is every recipient's time zone, so 09:00 local is one instant for all.
	burstZone = "America/New_York"
	// burst429s is how many chat.postMessage calls are answered 429 in the middle of the burst.
	burst429s = 5
	// burstRetryAfter is the Retry-After those 429s carry (whole seconds: Slack sends seconds).
	burstRetryAfter = 2 * time.Second
	// burstInjectAt is how many recipients have their DM when the 429s are armed.
	burstInjectAt = burstRecipients * 4 / 10
	// burstRoundTimeout bounds one round, set-up and checks included.
	burstRoundTimeout = 5 * time.Minute
	// burstPoll is how often Postgres is read while waiting for the scheduler to finish a round.
	burstPoll = 20 * time.Millisecond
)

// burstRecipient is one person asked, and the check-in that asks them.
type burstRecipient struct {
	user string
	ref  string // "C-1"
}

// burstResult is what one round measured.
type burstResult struct {
	toAll, toFirst, spread time.Duration
	minRetry               time.Duration
	submitAck              time.Duration
}

func BenchmarkCheckinBurst(b *testing.B) {
	h := newHarness(b) // the double's rate limits on, the client's default pacing
	loc, err := time.LoadLocation(burstZone)
	if err != nil {
		b.Fatal(err)
	}
	users := make([]string, burstRecipients)
	for i := range users {
		users[i] = fmt.Sprintf("UBURST%04d", i)
		h.slack.AddUser(slackdouble.User{ID: users[i], Name: fmt.Sprintf("burst%04d", i), RealName: fmt.Sprintf("Burst %04d", i), TZ: burstZone})
	}

	b.StopTimer()
	firstDue := h.burstClockStart(loc)
	ctx, cancel := context.WithTimeout(context.Background(), burstRoundTimeout)
	defer cancel()
	var rcpts []burstRecipient
	var checkinNumbers []int64
	var submitAck time.Duration
	for part := 0; part*burstPerCheckin < len(users); part++ {
		ids := users[part*burstPerCheckin : min(len(users), (part+1)*burstPerCheckin)]
		number, ack := h.burstCreate(ctx, b, ids)
		submitAck = max(submitAck, ack)
		checkinNumbers = append(checkinNumbers, number)
		for _, id := range ids {
			rcpts = append(rcpts, burstRecipient{user: id, ref: fmt.Sprintf("C-%d", number)})
		}
	}
	b.ResetTimer()
	var sum burstResult
	sum.minRetry = time.Hour
	sum.submitAck = submitAck
	for round := range b.N {
		r := h.burstRound(b, rcpts, checkinNumbers, round, firstDue.AddDate(0, 0, round))
		sum.toAll += r.toAll
		sum.toFirst += r.toFirst
		sum.spread += r.spread
		sum.minRetry = min(sum.minRetry, r.minRetry)
	}
	n := float64(b.N)
	b.ReportMetric(sum.toAll.Seconds()/n, "s-to-all")
	b.ReportMetric(sum.toFirst.Seconds()/n, "s-to-first")
	b.ReportMetric(n*burstRecipients/sum.toAll.Seconds(), "dm/s")
	b.ReportMetric(n*burstRecipients/sum.spread.Seconds(), "burst-dm/s")
	b.ReportMetric(sum.minRetry.Seconds(), "min-retry-s")
	b.ReportMetric(float64(sum.submitAck)/float64(time.Millisecond), "submit-ack-ms")
}

// burstClockStart moves the bot's clock to an hour past the later of its time and the real time, and
// returns the first 09:00 in loc after that. The scheduler gives each job's handler a context deadline
// of the bot's clock + its 30 s lease, which Go reads against the real clock: a job due at a fixed date
// that the real clock has passed (the harness starts on 27 Nov 2026) would run with its context already
// expired. Keeping every due time ahead of the real clock keeps the benchmark independent of the day it
// runs.
func (h *harness) burstClockStart(loc *time.Location) time.Time {
	start := h.clock.Now()
	if now := time.Now(); now.After(start) {
		start = now
	}
	start = start.Add(time.Hour).Truncate(time.Second)
	h.advanceTo(start)
	l := start.In(loc)
	due := time.Date(l.Year(), l.Month(), l.Day(), 9, 0, 0, 0, loc)
	if !due.After(start) {
		due = due.AddDate(0, 0, 1)
	}
	return due
}

// burstRound is the k-th day's burst (round k, 0-based, due at `due`): it checks that every job waits
// for that instant (timer stopped), times the burst from the clock's move to the last DM (timer running),
// and checks the outcome (timer stopped).
func (h *harness) burstRound(b *testing.B, rcpts []burstRecipient, checkinNumbers []int64, round int, due time.Time) burstResult {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), burstRoundTimeout)
	defer cancel()
	var res burstResult

	keys := make([]string, len(rcpts))
	team := h.slack.Options().TeamID
	for i, r := range rcpts {
		keys[i] = "checkin:" + team + ":" + strings.TrimPrefix(r.ref, "C-") + ":" + r.user
	}
	jobs, err := h.jobs.PendingJobs(ctx, keys)
	if err != nil {
		b.Fatal(err)
	}
	if len(jobs) != len(rcpts) {
		b.Fatalf("%d delivery jobs waiting for %d recipients", len(jobs), len(rcpts))
	}
	for _, j := range jobs {
		if !j.DueAt.Equal(due) {
			b.Fatalf("job %s due %v, want every one at %v (09:00 in %s)", j.Key, j.DueAt, due.UTC(), burstZone)
		}
	}
	if err := h.idleFn(ctx); err != nil {
		b.Fatalf("the bot did not settle after the set-up: %v", err)
	}
	for _, r := range rcpts {
		if n := h.ckDeliveries(r.user, r.ref); n != round {
			b.Fatalf("%s got %s %d times before 09:00 on day %d", r.user, r.ref, n, round+1)
		}
	}
	callsBefore := len(h.slack.Calls())

	// The burst: move the clock to 09:00 and wait until everyone has their DM, arming the 429s on the way.
	pending := append([]burstRecipient(nil), rcpts...)
	delivered := func() int {
		keep := pending[:0]
		for _, r := range pending {
			if h.ckDeliveries(r.user, r.ref) <= round {
				keep = append(keep, r)
			}
		}
		pending = keep
		return len(rcpts) - len(pending)
	}
	b.StartTimer()
	start := time.Now()
	h.advanceTo(due)
	if err := h.slack.Wait(ctx, func() bool { return delivered() >= burstInjectAt }); err != nil {
		b.Fatalf("only %d of %d recipients got their DM: %v", len(rcpts)-len(pending), len(rcpts), err)
	}
	h.slack.FailNext("chat.postMessage", burst429s, slackdouble.Failure{Status: http.StatusTooManyRequests, RetryAfter: burstRetryAfter})
	if err := h.slack.Wait(ctx, func() bool { return delivered() == len(rcpts) }); err != nil {
		var missing []string
		for _, r := range pending[:min(10, len(pending))] {
			missing = append(missing, r.user+"/"+r.ref)
		}
		b.Fatalf("%d of %d recipients never got their DM (%v, e.g. %s)", len(pending), len(rcpts), err, strings.Join(missing, " "))
	}
	end := time.Now()
	b.StopTimer()
	res.toAll = end.Sub(start)

	// Let the round finish: every delivery job has run and queued the next day's.
	h.burstFinished(ctx, b, keys, due.AddDate(0, 0, 1))
	if err := h.idleFn(ctx); err != nil {
		b.Fatalf("the bot did not settle after the burst: %v", err)
	}

	// None lost, none twice: in Slack and in the database.
	var wrong []string
	for _, r := range rcpts {
		if n := h.ckDeliveries(r.user, r.ref) - round; n != 1 {
			wrong = append(wrong, fmt.Sprintf("%s got %s %d times at %s", r.user, r.ref, n, due.Format("Mon 2 Jan 15:04 MST")))
		}
	}
	if len(wrong) > 0 {
		b.Fatalf("%d of %d recipients did not get exactly one DM: %s", len(wrong), len(rcpts), strings.Join(wrong[:min(10, len(wrong))], "; "))
	}
	for _, number := range checkinNumbers {
		c, err := h.db.Checkin(ctx, team, number)
		if err != nil {
			b.Fatal(err)
		}
		ds, err := h.db.LatestDeliveries(ctx, []int64{c.ID})
		if err != nil {
			b.Fatal(err)
		}
		ok := 0
		for _, d := range ds[c.ID] {
			if d.State == baton.DeliveryDelivered && d.DueAt.Equal(due) && d.ChannelID == h.slack.DMChannel(d.RecipientID) {
				ok++
			}
		}
		if ok != len(c.Recipients) {
			b.Errorf("C-%d: %d of %d deliveries recorded as delivered in the recipient's DM", number, ok, len(c.Recipients))
		}
	}

	// Paced under the limits, and every 429 honoured.
	calls := h.slack.Calls()[callsBefore:]
	res.toFirst, res.minRetry = h.burstCheckCalls(b, calls, rcpts, start)
	res.spread = end.Sub(start) - res.toFirst
	return res
}

// burstCreate opens the New check-in modal as Bea and submits it for ids, daily at 09:00, days off not
// skipped; it returns the check-in's number once Bea is told it is set up, and the submission's ack
// latency.
func (h *harness) burstCreate(ctx context.Context, b *testing.B, ids []string) (int64, time.Duration) {
	b.Helper()
	if _, err := h.slack.SlashCommand(ctx, slackdouble.SlashCommand{UserID: bea, ChannelID: launc, Command: "/checkin"}); err != nil {
		b.Fatalf("/checkin: %v", err)
	}
	v, err := h.slack.WaitView(ctx, bea, func(v slackdouble.View) bool { return v.CallbackID == "checkin.new" })
	if err != nil {
		b.Fatalf("no checkin.new modal: %v", err)
	}
	before := len(h.slack.Messages(h.slack.DMChannel(bea)))
	ack, err := h.slack.SubmitView(ctx, bea, v.ID, form(
		input("ck_recipients", slackdouble.InputValue{SelectedUsers: ids}),
		input("ck_message", slackdouble.InputValue{Value: slackdouble.Str("Anything blocking you today?")}),
		input("ck_repeat", slackdouble.InputValue{SelectedOption: "daily"}),
		input("ck_time", slackdouble.InputValue{SelectedTime: "09:00"}),
		input("ck_options", slackdouble.InputValue{SelectedOptions: []string{"ask_reply"}}),
	))
	if err != nil {
		// A late ack is a finding (Slack would show Bea an error for a check-in that was created), not
		// a reason to stop measuring the burst.
		b.Errorf("submitting the New check-in form for %d people: %v", len(ids), err)
	}
	if len(ack.Payload) > 0 {
		b.Fatalf("the form was refused: %s", ack.Payload)
	}
	var number int64
	if err := h.slack.Wait(ctx, func() bool {
		for _, m := range h.slack.Messages(h.slack.DMChannel(bea))[before:] {
			// The fallback text is "Check-in C-7: <question>".
			if _, err := fmt.Sscanf(m.Text, "Check-in C-%d:", &number); err == nil && m.Has("is set up") {
				return true
			}
		}
		return false
	}); err != nil {
		b.Fatalf("Bea was never told the check-in for %d people is set up: %v", len(ids), err)
	}
	return number, ack.Latency
}

// burstFinished waits until every delivery job of the round has run and been replaced by the next
// day's, due at next, and checks that none was parked.
func (h *harness) burstFinished(ctx context.Context, b *testing.B, keys []string, next time.Time) {
	b.Helper()
	t := time.NewTicker(burstPoll)
	defer t.Stop()
	for {
		jobs, err := h.jobs.PendingJobs(ctx, keys)
		if err != nil {
			b.Fatal(err)
		}
		moved := 0
		for _, j := range jobs {
			if j.DueAt.Equal(next) {
				moved++
			}
		}
		if moved == len(keys) {
			break
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			parked, _ := h.jobs.ParkedJobs(context.Background(), h.slack.Options().TeamID)
			b.Fatalf("the scheduler did not finish the round: %d of %d jobs due at %v, %d pending, %d parked",
				moved, len(keys), next, len(jobs), len(parked))
		}
	}
	parked, err := h.jobs.ParkedJobs(ctx, h.slack.Options().TeamID)
	if err != nil {
		b.Fatal(err)
	}
	if len(parked) > 0 {
		b.Fatalf("%d jobs parked after failing, e.g. %s: %s", len(parked), parked[0].Key, parked[0].LastError)
	}
}

// burstCheckCalls checks the round's Web API calls: chat.postMessage got no 429 but the injected ones,
// each injected 429 was followed by a successful retry to the same channel no sooner than Retry-After, and
// every recipient was posted to successfully exactly once. It returns the time from start to the first
// successful post and the shortest gap between a 429 and its retry.
func (h *harness) burstCheckCalls(b *testing.B, calls []slackdouble.Call, rcpts []burstRecipient, start time.Time) (time.Duration, time.Duration) {
	b.Helper()
	isRecipient := make(map[string]bool, len(rcpts))
	for _, r := range rcpts {
		isRecipient[r.user] = true
	}
	var first time.Time
	posted := map[string]int{}
	limited, seq := 0, 0
	var hitAt []int
	minRetry := time.Duration(1<<63 - 1)
	otherLimited := map[string]int{}
	for i, c := range calls {
		if c.Method != "chat.postMessage" {
			if c.Status == http.StatusTooManyRequests {
				otherLimited[c.Method]++
			}
			continue
		}
		ch := c.Args["channel"]
		if c.Status == http.StatusOK && c.Error == "" && isRecipient[ch] {
			posted[ch]++
			seq++
			if first.IsZero() || c.Time.Before(first) {
				first = c.Time
			}
		}
		if c.Status != http.StatusTooManyRequests {
			continue
		}
		limited++
		hitAt = append(hitAt, seq+1)
		var next *slackdouble.Call
		for j := i + 1; j < len(calls); j++ {
			if calls[j].Method == "chat.postMessage" && calls[j].Args["channel"] == ch {
				next = &calls[j]
				break
			}
		}
		if next == nil {
			b.Errorf("chat.postMessage to %s got a 429 and was never tried again", ch)
			continue
		}
		gap := next.Time.Sub(c.Time)
		minRetry = min(minRetry, gap)
		if gap < burstRetryAfter {
			b.Errorf("chat.postMessage to %s was retried %v after a 429, before the %v Retry-After", ch, gap, burstRetryAfter)
		}
	}
	if limited != burst429s {
		b.Errorf("chat.postMessage got %d 429s, want exactly the %d injected: more means the bot outran Slack's limits, fewer that the burst ended before they were armed", limited, burst429s)
	}
	b.Logf("the injected 429s hit DMs number %v of %d; first DM %v after the clock moved",
		hitAt, len(rcpts), first.Sub(start).Round(time.Millisecond))
	for m, n := range otherLimited {
		b.Logf("%s was rate limited %d times during the burst (honoured by the client)", m, n)
	}
	for _, r := range rcpts {
		if n := posted[r.user]; n != 1 {
			b.Errorf("%d successful chat.postMessage calls to %s, want 1", n, r.user)
		}
	}
	if limited == 0 {
		minRetry = 0
	}
	return first.Sub(start), minRetry
}
