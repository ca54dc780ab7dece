// Package handlers turns Slack requests into domain calls and domain results into Block Kit.
// Each feature registers its own routes; render_*.go files are pure.
package handlers

import (
	"context"
	"log/slog"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/internal/logctx"
)

// Handlers holds what every feature needs.
type Handlers struct {
	tasks          TaskStore
	calendars      CalendarStore
	digests        DigestStore
	checkins       CheckinStore
	deliveries     DeliveryStore
	policyVersions PolicyStore
	approvals      ApprovalStore
	approvalLists  ApprovalListStore
	grants         GrantStore
	org            PeopleStore
	objectives     ObjectiveStore
	keyResults     KeyResultStore
	decisions      DecisionStore
	lanes          OutboxStore
	records        RecordStore
	suggestions    SuggestionStore
	simulations    PolicySimulationStore

	slack  Slack
	sched  Scheduler
	log    *slog.Logger
	now    func() time.Time
	people *slackProfiles
	homes  *homeRefresher
	outbox *outbox

	policies policyHolder

	inflight bot.Inflight
}

// Config wires handlers to their dependencies. Now defaults to time.Now.
type Config struct {
	Stores    Stores
	Slack     Slack
	Scheduler Scheduler
	Log       *slog.Logger
	Now       func() time.Time
	// PeopleTTL is how long a person's Slack profile is trusted before it is fetched again.
	PeopleTTL time.Duration
	// HomeDelay is how long a dashboard waits after a change before it is republished, so a burst of
	// changes is published once. Default 300 ms; negative publishes at once. Either way a person's
	// dashboard is published at most once a second.
	HomeDelay time.Duration
	// Policy is the approval policy /request files requests by; nil when none is configured.
	Policy *baton.Policy
	// ReloadPolicy reads the policy file again for /baton policies reload and ReloadPolicy; nil when
	// no policy file is configured.
	ReloadPolicy PolicyLoader
	// OutboxLease is how long an outbox lane stays with the process sending it after its last sign of
	// life (default 15 s); OutboxPoll how often each process looks for lanes nobody sends (default 1 s).
	OutboxLease, OutboxPoll time.Duration
	// PostPace is how far apart Slack lets posts in one channel go, for telling people when a card
	// waiting its turn will appear. Default 1 s.
	PostPace time.Duration
}

// New builds the handlers.
func New(cfg Config) *Handlers {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.PeopleTTL == 0 {
		cfg.PeopleTTL = 10 * time.Minute
	}
	h := &Handlers{tasks: cfg.Stores.Tasks, calendars: cfg.Stores.Calendar, digests: cfg.Stores.Digests, checkins: cfg.Stores.Checkins, deliveries: cfg.Stores.Deliveries, policyVersions: cfg.Stores.Policies, approvals: cfg.Stores.Approvals, approvalLists: cfg.Stores.ApprovalLists, grants: cfg.Stores.Grants, org: cfg.Stores.People, objectives: cfg.Stores.Objectives, keyResults: cfg.Stores.KeyResults, decisions: cfg.Stores.Decisions, lanes: cfg.Stores.Outbox, records: cfg.Stores.Records, suggestions: cfg.Stores.Suggestions, simulations: cfg.Stores.Simulations,
		slack: cfg.Slack, sched: cfg.Scheduler, log: cfg.Log, now: cfg.Now}
	h.policies.load = cfg.ReloadPolicy
	if cfg.Policy != nil {
		h.policies.cur.Store(&activePolicy{policy: cfg.Policy, loadedAt: cfg.Now()})
	}
	h.people = newSlackProfiles(cfg.Slack, cfg.Now, cfg.PeopleTTL)
	switch {
	case cfg.HomeDelay == 0:
		cfg.HomeDelay = 300 * time.Millisecond
	case cfg.HomeDelay < 0:
		cfg.HomeDelay = 0
	}
	h.homes = newHomeRefresher(h, cfg.HomeDelay)
	if cfg.PostPace <= 0 {
		cfg.PostPace = time.Second
	}
	h.outbox = newOutbox(h, cfg.OutboxLease, cfg.OutboxPoll, cfg.PostPace)
	return h
}

// Register adds every route of every feature, and the handlers of their scheduled jobs.
func (h *Handlers) Register(r *bot.Router) {
	h.registerTasks(r)
	h.registerHome(r)
	h.registerCheckins(r)
	h.registerAdmin(r)
	h.registerSuggestions(r)
	h.registerRequests(r)
	h.registerOKRs(r)
	h.registerDecisions(r)
	if h.sched != nil {
		h.registerDeadlines(h.sched)
		h.registerEscalation(h.sched)
		h.registerOKRReminders(h.sched)
		h.registerDecisionReminders(h.sched)
	}
}

// logger is the logger of the work ctx belongs to: a Slack request's carries its route, team, user and
// envelope; a due job's its kind and key; an outbox lane's its team and lane.
func (h *Handlers) logger(ctx context.Context) *slog.Logger { return logctx.From(ctx, h.log) }

// background runs follow-up work (card, thread reply, notifications) after a request has been answered.
// Wait lets shutdown finish it.
func (h *Handlers) background(ctx context.Context, fn func(ctx context.Context)) {
	h.inflight.Add()
	go func() {
		defer h.inflight.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				h.logger(ctx).ErrorContext(ctx, "background work panicked", "panic", p)
			}
		}()
		fn(ctx)
	}()
}

// Wait blocks until background work has finished or ctx ends. Messages of the outbox being sent are
// not waited for: RunOutbox returns once they are.
func (h *Handlers) Wait(ctx context.Context) error { return h.inflight.Wait(ctx) }

// Idle reports whether no background work is running and no outbox lane is being sent.
func (h *Handlers) Idle() bool { return h.inflight.Idle() && h.outbox.idle() }
