package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/batonhq/baton/bot/slackdouble"
)

// once checks that something acknowledged happened exactly once, and something not acknowledged
// (Slack showed the person an error) at most once.
func (r *replicaRun) once(what string, acked bool, n int) {
	r.t.Helper()
	switch {
	case acked && n != 1:
		r.t.Errorf("%s: acknowledged, happened %d times", what, n)
	case !acked && n > 1:
		r.t.Errorf("%s: not acknowledged, happened %d times", what, n)
	}
}

// checkTasks: each task made once, with one card, one DM to its owner, and one thread reply for its
// one move to In progress.
func (r *replicaRun) checkTasks(ctx context.Context) {
	for i := range replicaTasks {
		title := fmt.Sprintf("Replica task %03d", i)
		r.once(title, r.wasAcked(fmt.Sprintf("/task <@%s> %s", ana, title)), r.count(ctx, `SELECT count(*) FROM tasks WHERE title = $1`, title))

	}
	for n := 1; n <= replicaTasks; n++ {
		r.once(fmt.Sprintf("T-%d moved to In progress", n), r.wasAcked(fmt.Sprintf("status T-%d", n)),
			r.count(ctx, `SELECT count(*) FROM task_events e JOIN tasks t ON t.id = e.task_id
				WHERE t.number = $1 AND e.kind = 'status' AND e.to_value = 'in_progress'`, n))
	}
	unsent, twice := messageOutcome(ctx, r.t, r.d, r.db)
	if unsent != 0 || twice != 0 {
		r.t.Errorf("task messages: %d never sent, %d sent twice", unsent, twice)
	}
}

// checkRequests: each purchase filed once, approved once at each step however many approvers
// pressed at once, each approver's card posted once, the requester told of the outcome once; the
// requests filed after the reload auto-approved by the new policy, the one before it not; and no
// check-in over the new limit made.
func (r *replicaRun) checkRequests(ctx context.Context) {
	for i := range replicaRequests {
		title := fmt.Sprintf("Replica purchase %02d", i)
		acked := r.wasAcked(fmt.Sprintf("/request purchase amount=%d client_tier=enterprise risk=low %s", 12000+i, title))
		n := r.count(ctx, `SELECT count(*) FROM requests WHERE summary = $1`, title)
		r.once(title, acked, n)
		if n != 1 {
			continue
		}
		var req struct {
			Number int64  `db:"number"`
			Status string `db:"status"`
			ID     int64  `db:"id"`
		}
		if err := r.db.GetContext(ctx, &req, `SELECT id, number, status FROM requests WHERE summary = $1`, title); err != nil {
			r.t.Fatal(err)
		}
		if req.Status != "approved" {
			r.t.Errorf("R-%d (%s) is %s, want approved", req.Number, title, req.Status)
		}
		for step := range 2 {
			if got := r.count(ctx, `SELECT count(*) FROM approval_actions WHERE request_id = $1 AND step = $2 AND action = 'approve'`, req.ID, step); got != 1 {
				r.t.Errorf("R-%d step %d approved %d times, want once", req.Number, step+1, got)
			}
		}
		for _, who := range []string{fin1, fin2, cfo} {
			if got := r.dms(who, title); got != 1 {
				r.t.Errorf("%s got %d cards of R-%d, want one", who, got, req.Number)
			}
		}
		if got := r.dms(bea, fmt.Sprintf("R-%d · Purchase is approved", req.Number)); got != 1 {
			r.t.Errorf("Bea was told %d times that R-%d is approved, want once", got, req.Number)
		}
	}
	autoApproved := func(summary string) (int, int) {
		return r.count(ctx, `SELECT count(*) FROM requests WHERE summary = $1`, summary),
			r.count(ctx, `SELECT count(*) FROM requests q JOIN approval_actions a ON a.request_id = q.id
				WHERE q.summary = $1 AND a.action = 'auto_approve' AND q.status = 'approved'`, summary)
	}
	if filed, auto := autoApproved("Replica before reload"); filed != 1 || auto != 0 {
		r.t.Errorf("before the reload: %d requests filed, %d auto-approved; want 1 routed to a manager", filed, auto)
	}
	for i := range 6 {
		summary := fmt.Sprintf("Replica after reload %d", i)
		filed, auto := autoApproved(summary)
		r.once(summary, r.wasAcked("/request purchase amount=2000 risk=low "+summary), filed)
		if filed == 1 && auto != 1 {
			r.t.Errorf("%q was filed after the reload but not auto-approved by the reloaded policy", summary)
		}
	}
	refused := 0
	for _, e := range r.d.Ephemerals(bea) {
		if strings.Contains(e.Text, "a check-in can ask 2 at most") {
			refused++
		}
	}
	asked := 0
	for i := range 6 {
		if r.wasAcked(fmt.Sprintf("/checkin <@%s> <@%s> <@%s> in 2h Over the limit %d?", replicaRecipients[0], replicaRecipients[1], replicaRecipients[2], i)) {
			asked++
		}
	}
	if made := r.count(ctx, `SELECT count(*) FROM checkins WHERE message LIKE 'Over the limit%'`); made != 0 || refused != asked {
		r.t.Errorf("after the limit was set to 2: %d check-ins of 3 people made, %d of %d refused", made, refused, asked)
	}
}

// dms counts Baton's direct messages to user that contain text.
func (r *replicaRun) dms(user, text string) int { return dmsIn(r.d, user, text) }

// checkDecisions: each decision recorded once, its card posted once, Cal flagged once.
func (r *replicaRun) checkDecisions(ctx context.Context) {
	for i := range replicaDecisions {
		title := fmt.Sprintf("Replica decision %02d", i)
		n := r.count(ctx, `SELECT count(*) FROM decisions WHERE title = $1`, title)
		r.once(title, r.wasAcked("submit "+title), n)
		if n != 1 {
			continue
		}
		cards := 0
		for _, m := range r.d.Messages(launc) {
			if (m.ThreadTS == "" || m.ThreadTS == m.TS) && m.Has("· "+title+"*") {
				cards++
			}
		}
		if cards != 1 {
			r.t.Errorf("%d cards of %q in #launch, want one", cards, title)
		}
		if got := r.dms(cal, title); got != 1 {
			r.t.Errorf("Cal was flagged %d times on %q, want once", got, title)
		}
	}
}

// checkCheckins: each recipient got each check-in once; "Got it" marked each seen, and each answer
// reached the task's thread once.
func (r *replicaRun) checkCheckins(ctx context.Context) {
	for c := 1; c <= replicaCheckins; c++ {
		for _, u := range replicaRecipients {
			if got := r.dms(u, fmt.Sprintf("Check-in C-%d* from", c)); got != 1 {
				r.t.Errorf("%s got C-%d %d times, want once", u, c, got)
			}
		}
	}
	if n := r.count(ctx, `SELECT count(*) FROM checkin_deliveries WHERE state <> 'scheduled' AND claimed_at IS NULL`); n != replicaCheckins*len(replicaRecipients) {
		r.t.Errorf("%d check-in deliveries recorded as sent, want %d", n, replicaCheckins*len(replicaRecipients))
	}
	for ri, u := range replicaRecipients {
		for c := 1; c <= replicaSeen+replicaAnswers; c++ {
			var state string
			if err := r.db.GetContext(ctx, &state, `SELECT d.state FROM checkin_deliveries d JOIN checkins k ON k.id = d.checkin_id
				WHERE k.number = $1 AND d.recipient_id = $2`, c, u); err != nil {
				r.t.Errorf("%s's delivery of C-%d: %v", u, c, err)
				continue
			}
			switch {
			case c <= replicaSeen && r.wasAcked(fmt.Sprintf("%s got C-%d", u, c)) && state != "seen":
				r.t.Errorf("%s pressed Got it on C-%d, and it is %s", u, c, state)
			case c > replicaSeen && ri < replicaAnswerers:
				answer := fmt.Sprintf("Answer of %s to C-%d", u, c)
				acked := r.wasAcked(fmt.Sprintf("%s answers C-%d", u, c))
				if acked && state != "answered" {
					r.t.Errorf("%s answered C-%d, and it is %s", u, c, state)
				}
				r.once(answer+" in the task's thread", acked, r.threadReplies(ctx, c, answer))
			}
		}
	}
}

// threadReplies counts the replies in the thread of check-in C-number's task that contain text.
func (r *replicaRun) threadReplies(ctx context.Context, checkin int, text string) int {
	var card struct {
		Channel string `db:"channel_id"`
		TS      string `db:"card_ts"`
	}
	if err := r.db.GetContext(ctx, &card, `SELECT t.channel_id, t.card_ts FROM tasks t JOIN checkins k ON k.task_number = t.number
		WHERE k.number = $1`, checkin); err != nil {
		r.t.Fatal(err)
	}
	n := 0
	for _, m := range r.d.Thread(card.Channel, card.TS) {
		if m.TS != card.TS && m.Has(text) {
			n++
		}
	}
	return n
}

// checkOneRedrawPerChange: one change to a task, taken by one process, redraws its owner's and its
// delegator's dashboards once each, not once per process.
func (r *replicaRun) checkOneRedrawPerChange(ctx context.Context) {
	publishes := func(user string) int {
		n := 0
		for _, c := range r.d.Calls() {
			if c.Method == "views.publish" && c.Args["user_id"] == user && c.Error == "" {
				n++
			}
		}
		return n
	}
	// Nothing is published any more: two quiet seconds, twice the dashboards' own pace.
	quiet := func() (int, int) {
		for {
			a, b := publishes(ana), publishes(bea)
			time.Sleep(2 * time.Second)
			if a == publishes(ana) && b == publishes(bea) {
				return a, b
			}
		}
	}
	a0, b0 := quiet()
	var card struct {
		Channel string `db:"channel_id"`
		TS      string `db:"card_ts"`
	}
	if err := r.db.GetContext(ctx, &card, `SELECT channel_id, card_ts FROM tasks WHERE number = 1`); err != nil {
		r.t.Fatal(err)
	}
	if !r.sendUntilAcked(ctx, "T-1 to review", func(ctx context.Context) (slackdouble.Ack, error) {
		return r.d.SelectOption(ctx, ana, card.Channel, card.TS, "task.status", "1:in_review")
	}) {
		r.t.Fatal("the change was never acknowledged")
	}
	if err := r.d.Wait(ctx, func() bool { return publishes(ana) > a0 && publishes(bea) > b0 }); err != nil {
		r.t.Fatalf("the dashboards were not redrawn after the change: %v", err)
	}
	a1, b1 := quiet()
	if a1-a0 != 1 || b1-b0 != 1 {
		r.t.Errorf("one change redrew Ana's dashboard %d times and Bea's %d times, want once each", a1-a0, b1-b0)
	}
}
