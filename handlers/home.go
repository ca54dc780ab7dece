package handlers

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// Home actions.
const (
	actHomeNewTask = "home.new_task"
	actHomeShowAll = "home.show_all"
	actHomeDigest  = "home.digest"
)

func (h *Handlers) registerHome(r *bot.Router) {
	r.Event("app_home_opened", h.onHomeOpened)
	r.Action(actHomeNewTask, h.onHomeNewTask)
	r.Action(actHomeShowAll, h.onHomeShowAll)
	r.Action(actHomeDigest, h.onHomeDigest)
	r.Action(actHomeKR, h.onHomeOpenKR)
	r.Action(actHomeCheckin, h.onHomeOpenCheckin)
	r.Action(actHomeOpen, func(context.Context, *bot.Request) {}) // Slack opened the link itself
	r.Action(actHomeRecord, h.onHomeRecord)
}

// teamLines reads the figures of a manager's direct reports: the policy file's, with the managers
// set in Slack laid over them. Someone who manages no one costs no statement.
func (h *Handlers) teamLines(ctx context.Context, teamID, userID string, now time.Time) ([]baton.TeamLine, error) {
	stored, err := h.records.RememberedManagers(ctx, teamID)
	if err != nil {
		return nil, err
	}
	reports := baton.DirectReports(h.policyDirectory().Managers, stored, userID)
	if len(reports) == 0 {
		return nil, nil
	}
	return h.records.TeamLines(ctx, teamID, reports, now.AddDate(0, 0, -baton.TeamLineDays), now)
}

// onHomeRecord shows the record of a direct report listed on the dashboard, as /baton record does.
func (h *Handlers) onHomeRecord(ctx context.Context, r *bot.Request) {
	me, err := h.actor(ctx, r)
	if err == nil {
		err = h.recordOf(ctx, r, me, r.Action.Value, "(from the dashboard)")
	}
	if err != nil {
		h.fail(ctx, r, err)
	}
}

// onHomeOpenKR shows a key result listed on the dashboard, as /okr KR-7 does.
func (h *Handlers) onHomeOpenKR(ctx context.Context, r *bot.Request) {
	number, err := parseHomeNumber(r.Action.Value, "/okr list")
	if err == nil {
		err = h.showKR(ctx, r, number)
	}
	if err != nil {
		h.fail(ctx, r, err)
	}
}

// onHomeOpenCheckin shows a check-in listed on the dashboard, as /checkin C-5 does.
func (h *Handlers) onHomeOpenCheckin(ctx context.Context, r *bot.Request) {
	number, err := parseHomeNumber(r.Action.Value, "/checkin list")
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.showCheckin(ctx, r, number)
}

// parseHomeNumber reads the number a dashboard button carries; list is where else to find the item.
func parseHomeNumber(v, list string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, baton.Errorf(baton.EInvalid, "That button is out of date; your dashboard is drawn again. %s lists them too.", list)
	}
	return n, nil
}

// onHomeDigest records the choice made in the dashboard's "How updates reach you" menu.
func (h *Handlers) onHomeDigest(ctx context.Context, r *bot.Request) {
	me, err := h.actor(ctx, r)
	if err == nil {
		var s baton.DigestSetting
		if s, err = baton.ParseDigest(r.Action.SelectedOption.Value); err == nil {
			err = h.setDigest(ctx, r.TeamID, me, s)
		}
	}
	if err != nil {
		h.fail(ctx, r, err)
	}
	h.homes.kick(homeKey{r.TeamID, r.UserID}, 0)
}

func (h *Handlers) onHomeOpened(ctx context.Context, r *bot.Request) {
	ev, ok := r.Event.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
	if !ok || ev.Tab != "home" {
		return
	}
	h.homes.kick(homeKey{r.TeamID, ev.User}, 0)
}

func (h *Handlers) onHomeNewTask(ctx context.Context, r *bot.Request) {
	h.openModal(ctx, r, newTaskModal("", "", "", modalMeta{}))
}

// onHomeShowAll sends the whole list behind a dashboard section to the person's messages with Baton,
// a page of listLimit tasks per message, up to showAllMax tasks.
func (h *Handlers) onHomeShowAll(ctx context.Context, r *bot.Request) {
	scope := baton.ListScope(r.Action.Value)
	if scope != baton.ListMine && scope != baton.ListDelegated {
		scope = baton.ListMine
	}
	cmd := baton.TaskCommand{Kind: baton.TaskList, Scope: scope}
	for offset := 0; offset < showAllMax; offset += listLimit {
		title, tasks, total, err := h.queryListPage(ctx, r.TeamID, r.UserID, cmd, offset)
		if err != nil {
			h.fail(ctx, r, err)
			return
		}
		if total > listLimit {
			title = md.F("%s, %d–%d", title, offset+1, offset+len(tasks))
		}
		h.dm(ctx, r.UserID, msgText(title), slack.MsgOptionBlocks(listBlocks(title, tasks, total, h.now())...))
		if offset+len(tasks) >= total || len(tasks) == 0 {
			return
		}
	}
	h.dm(ctx, r.UserID, msgText(md.F("That is the first %d. Narrow the list down with `/task list blocked`, `/task list overdue` or `/task list @person`.", showAllMax)))
}

// showAllMax bounds how many tasks "Show all" sends, so one click never floods a DM.
const showAllMax = 1000

// homeRefresher publishes dashboards. A change waits a moment (delay) before its publish, and every
// request for a person whose publish is waiting or running folds into it. A person's dashboard is
// published at most once per homeEvery: someone at the centre of a busy team sees it move every
// second, and the dashboards never outrun the changes they show.
type homeRefresher struct {
	h       *Handlers
	delay   time.Duration
	every   time.Duration
	mu      sync.Mutex
	pending map[homeKey]bool      // present: a publish is waiting or running; true: publish again after it
	last    map[homeKey]time.Time // when each dashboard was last published, for the last homeEvery
}

type homeKey struct{ team, user string }

// homeEvery is how often, at most, one person's dashboard is published while changes keep coming.
const homeEvery = time.Second

// homeLastMax bounds the publish times kept; past it, those older than homeEvery are dropped.
const homeLastMax = 10_000

func newHomeRefresher(h *Handlers, delay time.Duration) *homeRefresher {
	return &homeRefresher{h: h, delay: delay, every: max(delay, homeEvery), pending: map[homeKey]bool{}, last: map[homeKey]time.Time{}}
}

// Refresh republishes the dashboards of these people after a change.
func (hr *homeRefresher) Refresh(teamID string, users ...string) {
	seen := map[string]bool{"": true}
	for _, u := range users {
		if seen[u] {
			continue
		}
		seen[u] = true
		hr.kick(homeKey{teamID, u}, hr.delay)
	}
}

// kick publishes k's dashboard after delay (later if it was published less than homeEvery ago), or
// folds into the publish already on its way.
func (hr *homeRefresher) kick(k homeKey, delay time.Duration) {
	hr.mu.Lock()
	if _, queued := hr.pending[k]; queued {
		hr.pending[k] = true
		hr.mu.Unlock()
		return
	}
	hr.pending[k] = false
	if last, ok := hr.last[k]; ok {
		delay = max(delay, time.Until(last.Add(hr.every)))
	}
	hr.mu.Unlock()
	hr.publishAfter(k, delay)
}

// publishAfter publishes k's dashboard after delay and, when more changes came while it did, again
// homeEvery after it started. Each round is background work of its own, however long the changes go on.
func (hr *homeRefresher) publishAfter(k homeKey, delay time.Duration) {
	hr.h.background(context.Background(), func(ctx context.Context) {
		if !sleep(ctx, delay) {
			hr.forget(k)
			return
		}
		start := time.Now()
		hr.mu.Lock()
		hr.pending[k] = false
		hr.published(k, start)
		hr.mu.Unlock()
		hr.h.publishHome(ctx, k.team, k.user)
		hr.mu.Lock()
		again := hr.pending[k]
		if !again {
			delete(hr.pending, k)
		}
		hr.mu.Unlock()
		if again {
			hr.publishAfter(k, time.Until(start.Add(hr.every)))
		}
	})
}

// published notes when k's dashboard was published; hr.mu is held.
func (hr *homeRefresher) published(k homeKey, at time.Time) {
	if len(hr.last) >= homeLastMax {
		for key, t := range hr.last {
			if at.Sub(t) >= hr.every {
				delete(hr.last, key)
			}
		}
	}
	hr.last[k] = at
}

// forget drops k's publish when its background work ran out of time before it.
func (hr *homeRefresher) forget(k homeKey) {
	hr.mu.Lock()
	delete(hr.pending, k)
	hr.mu.Unlock()
}

// sleep waits d, or until ctx ends; it reports whether the wait ran its course.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// homeLimit is how many tasks each dashboard section lists before it offers the whole list.
const homeLimit = 8

func (h *Handlers) publishHome(ctx context.Context, teamID, userID string) {
	d, err := h.loadHome(ctx, teamID, userID)
	if err != nil {
		h.logger(ctx).ErrorContext(ctx, "dashboard not loaded", "user_id", userID, "err", err)
		return
	}
	h.keepLinks(ctx, &d)
	view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: homeBlocks(d, h.now())}}
	if err := h.slack.PublishHome(ctx, userID, view); err != nil {
		h.logger(ctx).ErrorContext(ctx, "dashboard not published", "user_id", userID, "err", err)
	}
}

// homeData is everything one person's dashboard shows. Each section holds at most homeFetch tasks;
// the totals count them all.
type homeData struct {
	userID string
	// cal counts ages in working days: the person's zone and the workspace's week and holidays.
	cal            baton.Calendar
	attention      []baton.Task
	attentionTotal int
	delegated      []baton.Task
	delegatedTotal int
	// delegatedByStatus counts every open delegated task per status, beyond the ones fetched.
	delegatedByStatus map[baton.Status]int
	mine              []baton.Task
	mineTotal         int
	// goals are the goals the person's listed tasks serve, by key result ID.
	goals map[int64]baton.Alignment
	// krs are the key results the person owns, newest first; one more than shown when there are more.
	krs []baton.KeyResult

	flags      []baton.PendingFlag // decisions flagged for the person, not acknowledged, the longest waiting first
	flagsTotal int

	digest            baton.DigestSetting
	checkins          []baton.Checkin
	checkinsTotal     int
	checkinDeliveries map[int64][]baton.CheckinDelivery

	awaiting      []homeRequest // waiting for the person's approval, the longest waiting first
	awaitingTotal int
	requests      []homeRequest // the person's own latest requests, newest first; one more than shown when there are more

	team []baton.TeamLine // the person's direct reports, when they manage anyone
}

// homeRequest is an approval request as the dashboard lists it.
type homeRequest struct {
	baton.ApprovalRequest
	title string    // "R-9 · Purchase"
	since time.Time // when the step it waits on became current
	link  string    // the person's card of it: the approver's card, or the requester's status card
}

// homeFetch bounds what one dashboard section reads: enough to group and count, never the whole table.
const homeFetch = 200

func (h *Handlers) loadHome(ctx context.Context, teamID, userID string) (homeData, error) {
	now := h.now()
	d := homeData{userID: userID}
	cal, err := h.calendarOf(ctx, teamID, userID)
	if err != nil {
		// Ages are then counted in UTC's Monday-to-Friday: the dashboard is not held back for them.
		h.logger(ctx).WarnContext(ctx, "dashboard's working days not known", "user_id", userID, "err", err)
	}
	cal.OutOfOfficeUntil = "" // ages count the team's working days, not the days the viewer was away
	d.cal = cal
	delegatedQ := baton.TaskQuery{TeamID: teamID, DelegatorID: userID, Open: true, Limit: homeFetch}
	urgent := delegatedQ
	urgent.UrgentAt = now
	mine := baton.TaskQuery{TeamID: teamID, OwnerID: userID, Open: true, Limit: homeFetch, UrgentAt: now}
	// One statement reads every task list of the dashboard: three that need attention (blocked or
	// overdue delegated tasks, the person's own overdue ones), what they delegated, what they own.
	sections, err := h.tasks.ListTaskSections(ctx,
		baton.TaskQuery{TeamID: teamID, DelegatorID: userID, Statuses: []baton.Status{baton.StatusBlocked}, Limit: homeFetch},
		baton.TaskQuery{TeamID: teamID, DelegatorID: userID, Open: true, DueBefore: now, Limit: homeFetch},
		baton.TaskQuery{TeamID: teamID, OwnerID: userID, Open: true, DueBefore: now, Limit: homeFetch},
		urgent,
		mine,
	)
	if err != nil {
		return d, err
	}
	seen := map[int64]bool{}
	for _, s := range sections[:3] {
		for _, t := range s.Tasks {
			if !seen[t.Number] {
				seen[t.Number] = true
				d.attention = append(d.attention, t)
			}
		}
		d.attentionTotal += s.Total - len(s.Tasks)
	}
	d.attentionTotal += len(d.attention)
	byUrgency := func(a, b baton.Task) int { return baton.CompareUrgency(a, b, now) }
	slices.SortStableFunc(d.attention, byUrgency)
	d.delegated, d.delegatedTotal = sections[3].Tasks, sections[3].Total
	d.mine, d.mineTotal = sections[4].Tasks, sections[4].Total
	// Read the most urgent first; the longest in their status first among equals.
	slices.SortStableFunc(d.delegated, byUrgency)
	slices.SortStableFunc(d.mine, byUrgency)
	if d.delegatedTotal > len(d.delegated) {
		if d.delegatedByStatus, err = h.tasks.CountByStatus(ctx, delegatedQ); err != nil {
			return d, err
		}
	}
	if d.goals, err = h.goalsOf(ctx, teamID, d.mine[:min(len(d.mine), homeLimit)]); err != nil {
		return d, err
	}
	if d.krs, err = h.keyResults.KeyResultsByOwner(ctx, teamID, userID, homeKRLimit+1); err != nil {
		return d, err
	}
	if d.flags, d.flagsTotal, err = h.decisions.PendingFlags(ctx, teamID, userID, homeFlagLimit); err != nil {
		return d, err
	}
	if d.digest, err = h.digests.Digest(ctx, teamID, userID); err != nil {
		return d, err
	}
	if d.checkins, d.checkinsTotal, d.checkinDeliveries, err = h.sendersCheckins(ctx, teamID, userID, homeCheckinLimit); err != nil {
		return d, err
	}
	awaiting, total, err := h.approvalLists.AwaitingApproval(ctx, teamID, userID, homeActLimit)
	if err != nil {
		return d, err
	}
	d.awaitingTotal = total
	for _, a := range awaiting {
		d.awaiting = append(d.awaiting, homeRequest{ApprovalRequest: a.ApprovalRequest, title: requestTitle(a.ApprovalRequest, h.requestType(a.Type)),
			since: a.StepSince, link: h.keptLink(ctx, a.Card)})
	}
	if d.team, err = h.teamLines(ctx, teamID, userID, now); err != nil {
		return d, err
	}
	own, err := h.approvalLists.RequestsByRequester(ctx, teamID, userID, homeLimit+1)
	if err != nil {
		return d, err
	}
	for _, r := range own {
		d.requests = append(d.requests, homeRequest{ApprovalRequest: r, title: requestTitle(r, h.requestType(r.Type)), link: r.StatusLink})
	}
	return d, nil
}
