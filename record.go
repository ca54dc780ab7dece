package baton

import (
	"slices"
	"strconv"
	"time"
)

// A track record is what Baton's history says about how one person works: the tasks delegated to
// them, the decisions they wrote down, the requests they filed and the check-ins they were sent,
// over a period. Every figure keeps the items behind it, so each can be opened.

// RecordHistory is the part of Baton's history a person's record is built from.
type RecordHistory struct {
	Tasks     []RecordTask
	Decisions []RecordDecision
	Requests  []RecordRequest
	Checkins  []RecordCheckin
}

// RecordTask is a task that was the person's at some time, with its history.
type RecordTask struct {
	Number      int64
	Link        string
	OwnerID     string // the owner now
	DelegatorID string
	Status      Status // the status now
	DueAt       time.Time
	CreatedAt   time.Time
	Events      []TaskEvent // its created, status and reassigned events, oldest first
}

// RecordDecision is a decision the person recorded.
type RecordDecision struct {
	Number       int64
	Link         string
	Status       DecisionStatus
	Versions     int
	Flags        int // flags raised on any of its versions
	Acknowledged int // of those, how many were acknowledged
	CreatedAt    time.Time
}

// RecordRequest is a request the person filed.
type RecordRequest struct {
	Number        int64
	Link          string
	Type          string
	Values        map[string]string // as stored: field name → value as typed text
	RequesterID   string
	Status        ApprovalStatus
	PolicyVersion string
	ByGrant       bool // approved at once inside a grant of authority the requester held
	AutoApproved  bool // approved at once, by a branch or a grant
	CreatedAt     time.Time
	DecidedAt     time.Time
}

// RecordCheckin is one check-in DM sent to the person.
type RecordCheckin struct {
	Number      int64 // the check-in's number: C-5
	DeliveredAt time.Time
	SeenAt      time.Time
	AnsweredAt  time.Time
}

// RecordItem is one item behind a figure: its short ID and, when known, the link that opens it.
type RecordItem struct {
	Ref  string
	Link string
}

// Figure is a count and the items behind it. N may exceed len(Items) when several events concern
// one item (a task blocked twice).
type Figure struct {
	N     int
	Items []RecordItem
}

func (f *Figure) add(it RecordItem) {
	f.N++
	if len(f.Items) == 0 || f.Items[len(f.Items)-1].Ref != it.Ref {
		f.Items = append(f.Items, it)
	}
}

// Record is a person's track record over a period.
type Record struct {
	UserID    string
	Period    RecordPeriod
	Tasks     TaskRecord
	Decisions DecisionRecord
	Requests  []RequestTypeRecord // one per request type filed, by name
	Checkins  CheckinRecord
}

// TaskRecord is how the tasks delegated to a person went.
type TaskRecord struct {
	Delegated      Figure // tasks someone else delegated to them that were theirs during the period
	Done           Figure // moved to Done by them… while theirs, within the period
	DoneWithDue    Figure // of Done, those with a due date
	OnTime         Figure // of DoneWithDue, done by the due moment
	OverdueNow     Figure // theirs now, open and past due
	Blocked        Figure // each move to Blocked within the period
	Unblocked      Figure // each move out of Blocked within the period
	ReassignedAway Figure
	// InStatus is the median time a task spent in each status before it moved on, over the moves
	// within the period; a status nothing left has no entry.
	InStatus map[Status]time.Duration
	// ToUnblock is the median time from Blocked to the next status, over Unblocked.
	ToUnblock time.Duration
}

// OnTimeRate is the share of tasks done by their due moment among those done that had one, and
// whether there were any.
func (t TaskRecord) OnTimeRate() (float64, bool) {
	if t.DoneWithDue.N == 0 {
		return 0, false
	}
	return float64(t.OnTime.N) / float64(t.DoneWithDue.N), true
}

// DecisionRecord is how the decisions a person recorded went.
type DecisionRecord struct {
	Recorded     Figure
	Versions     int // versions of those decisions, the first ones included
	Flagged      Figure
	Flags        int
	Acknowledged int
	Superseded   Figure
}

// RequestTypeRecord is how one type of request a person filed was decided.
type RequestTypeRecord struct {
	Type  string
	Filed Figure
	OutcomeFigures
	ByGrant Figure // approved at once inside a grant of authority
	Numbers []NumberFigure
}

// OutcomeFigures counts requests by how they were decided (see Outcomes).
type OutcomeFigures struct {
	ApprovedUnchanged    Figure // approved, not a re-filing of one sent back for changes
	ApprovedAfterChanges Figure // approved, filed again after an earlier one was sent back for changes
	ChangesAsked         Figure
	Rejected             Figure
	Cancelled            Figure
	Pending              Figure
}

func (o *OutcomeFigures) add(out RequestOutcome, it RecordItem) {
	switch out {
	case OutcomeApprovedUnchanged:
		o.ApprovedUnchanged.add(it)
	case OutcomeApprovedAfterChanges:
		o.ApprovedAfterChanges.add(it)
	case OutcomeChangesAsked:
		o.ChangesAsked.add(it)
	case OutcomeRejected:
		o.Rejected.add(it)
	case OutcomeCancelled:
		o.Cancelled.add(it)
	default:
		o.Pending.add(it)
	}
}

// NumberFigure sums up one number field over the requests filed.
type NumberFigure struct {
	Field   string
	N       int
	Median  float64
	Largest float64
	At      RecordItem // the request with the largest value
}

// CheckinRecord is how a person met the check-ins sent to them.
type CheckinRecord struct {
	Sent     Figure
	Seen     Figure // seen or answered
	Answered Figure
	ToSeen   time.Duration // median from the DM to its being seen (or answered, whichever came first)
}

// RefilingWindow is how soon after a request was sent back for changes a new request of the same
// type by the same person counts as its re-filing.
const RefilingWindow = 14 * 24 * time.Hour

// BuildRecord computes userID's record over period from their history. now is the moment "overdue
// now" is read at; numberFields names the number fields of a request type (none when the type is
// unknown).
func BuildRecord(h RecordHistory, userID string, period RecordPeriod, now time.Time, numberFields func(requestType string) []string) Record {
	rec := Record{UserID: userID, Period: period}
	rec.Tasks = taskRecord(h.Tasks, userID, period, now)
	rec.Decisions = decisionRecord(h.Decisions, period)
	rec.Requests = requestRecords(h.Requests, period, numberFields)
	rec.Checkins = checkinRecord(h.Checkins, period)
	return rec
}

func within(p RecordPeriod, at time.Time) bool { return !at.Before(p.From) && at.Before(p.To) }

func taskRecord(tasks []RecordTask, userID string, p RecordPeriod, now time.Time) TaskRecord {
	var out TaskRecord
	inStatus := map[Status][]time.Duration{}
	var unblock []time.Duration
	for i := range tasks {
		t := &tasks[i]
		if t.DelegatorID == userID {
			continue
		}
		item := RecordItem{Ref: TaskRef(t.Number), Link: t.Link}
		owner, status, since := "", StatusTodo, t.CreatedAt
		ownedFrom := t.CreatedAt
		hers := false
		changes := []statusAt{{status, t.CreatedAt}}
		for _, ev := range t.Events {
			switch ev.Kind {
			case EventCreated:
				owner, ownedFrom = ev.To, ev.At
			case EventReassigned:
				if owner == userID {
					hers = hers || activeWhile(changes, ownedFrom, ev.At, p)
					if within(p, ev.At) {
						out.ReassignedAway.add(item)
					}
				}
				owner, ownedFrom = ev.To, ev.At
			case EventStatus:
				to := Status(ev.To)
				if owner == userID && within(p, ev.At) {
					inStatus[status] = append(inStatus[status], ev.At.Sub(since))
					if status == StatusBlocked {
						out.Unblocked.add(item)
						unblock = append(unblock, ev.At.Sub(since))
					}
					switch to {
					case StatusBlocked:
						out.Blocked.add(item)
					case StatusDone:
						out.Done.add(item)
						if !t.DueAt.IsZero() {
							out.DoneWithDue.add(item)
							if !ev.At.After(t.DueAt) {
								out.OnTime.add(item)
							}
						}
					}
				}
				status, since = to, ev.At
				changes = append(changes, statusAt{to, ev.At})
			}
		}
		if owner == userID {
			hers = hers || activeWhile(changes, ownedFrom, p.To, p)
		}
		if hers {
			out.Delegated.add(item)
		}
		if t.OwnerID == userID && t.Status.Open() && !t.DueAt.IsZero() && !now.Before(t.DueAt) {
			out.OverdueNow.add(item)
		}
	}
	out.InStatus = make(map[Status]time.Duration, len(inStatus))
	for s, ds := range inStatus {
		out.InStatus[s] = medianDuration(ds)
	}
	out.ToUnblock = medianDuration(unblock)
	return out
}

type statusAt struct {
	status Status
	at     time.Time
}

// activeWhile reports whether a task with these status changes (oldest first) was being worked on
// at some moment of [from, to) that lies within p: open as that stretch starts, or made or moved
// during it.
func activeWhile(changes []statusAt, from, to time.Time, p RecordPeriod) bool {
	if from.Before(p.From) {
		from = p.From
	}
	if to.After(p.To) {
		to = p.To
	}
	if !from.Before(to) {
		return false
	}
	open := true
	for _, c := range changes {
		if c.at.Before(from) {
			open = c.status.Open()
			continue
		}
		if c.at.Before(to) {
			return true
		}
		break
	}
	return open
}

func decisionRecord(decisions []RecordDecision, p RecordPeriod) DecisionRecord {
	var out DecisionRecord
	for _, d := range decisions {
		if !within(p, d.CreatedAt) {
			continue
		}
		item := RecordItem{Ref: DecisionRef(d.Number), Link: d.Link}
		out.Recorded.add(item)
		out.Versions += d.Versions
		if d.Flags > 0 {
			out.Flagged.add(item)
			out.Flags += d.Flags
			out.Acknowledged += d.Acknowledged
		}
		if d.Status == DecisionSuperseded {
			out.Superseded.add(item)
		}
	}
	return out
}

// RequestOutcome is how a request was in fact decided, as a record and a backtest tell it.
type RequestOutcome int

// The outcomes of a request.
const (
	OutcomePending RequestOutcome = iota
	OutcomeApprovedUnchanged
	OutcomeApprovedAfterChanges
	OutcomeChangesAsked
	OutcomeRejected
	OutcomeCancelled
)

// Outcomes classifies each request of rs (one person's, oldest first): an approved request is a
// re-filing when the same person's previous request of its type was sent back for changes within
// RefilingWindow before it was filed.
func Outcomes(rs []RecordRequest) []RequestOutcome {
	out := make([]RequestOutcome, len(rs))
	sentBack := map[string]time.Time{} // requester+type → when their last such request was sent back
	for i, r := range rs {
		key := r.RequesterID + "\x00" + r.Type
		switch r.Status {
		case ApprovalApproved:
			out[i] = OutcomeApprovedUnchanged
			if at, ok := sentBack[key]; ok && !at.After(r.CreatedAt) && r.CreatedAt.Sub(at) <= RefilingWindow {
				out[i] = OutcomeApprovedAfterChanges
			}
		case ApprovalChangesRequested:
			out[i] = OutcomeChangesAsked
		case ApprovalRejected:
			out[i] = OutcomeRejected
		case ApprovalCancelled:
			out[i] = OutcomeCancelled
		}
		if r.Status == ApprovalChangesRequested {
			sentBack[key] = r.DecidedAt
		} else {
			delete(sentBack, key)
		}
	}
	return out
}

func requestRecords(rs []RecordRequest, p RecordPeriod, numberFields func(string) []string) []RequestTypeRecord {
	outcomes := Outcomes(rs)
	byType := map[string]*RequestTypeRecord{}
	values := map[string]map[string][]numberAt{}
	for i, r := range rs {
		if !within(p, r.CreatedAt) {
			continue
		}
		tr := byType[r.Type]
		if tr == nil {
			tr = &RequestTypeRecord{Type: r.Type}
			byType[r.Type] = tr
			values[r.Type] = map[string][]numberAt{}
			for _, f := range numberFields(r.Type) {
				values[r.Type][f] = nil
			}
		}
		item := RecordItem{Ref: RequestRef(r.Number), Link: r.Link}
		tr.Filed.add(item)
		tr.add(outcomes[i], item)
		if r.ByGrant {
			tr.ByGrant.add(item)
		}
		for f, vs := range values[r.Type] {
			if v, err := strconv.ParseFloat(r.Values[f], 64); err == nil {
				values[r.Type][f] = append(vs, numberAt{v: v, at: item})
			}
		}
	}
	out := make([]RequestTypeRecord, 0, len(byType))
	for name, tr := range byType {
		for _, f := range numberFields(name) {
			if nf, ok := numberFigure(f, values[name][f]); ok {
				tr.Numbers = append(tr.Numbers, nf)
			}
		}
		out = append(out, *tr)
	}
	slices.SortFunc(out, func(a, b RequestTypeRecord) int {
		if a.Type < b.Type {
			return -1
		}
		if a.Type > b.Type {
			return 1
		}
		return 0
	})
	return out
}

type numberAt struct {
	v  float64
	at RecordItem
}

func numberFigure(field string, vs []numberAt) (NumberFigure, bool) {
	if len(vs) == 0 {
		return NumberFigure{}, false
	}
	nf := NumberFigure{Field: field, N: len(vs), Largest: vs[0].v, At: vs[0].at}
	sorted := make([]float64, len(vs))
	for i, x := range vs {
		sorted[i] = x.v
		if x.v > nf.Largest {
			nf.Largest, nf.At = x.v, x.at
		}
	}
	slices.Sort(sorted)
	if n := len(sorted); n%2 == 1 {
		nf.Median = sorted[n/2]
	} else {
		nf.Median = (sorted[n/2-1] + sorted[n/2]) / 2
	}
	return nf, true
}

func checkinRecord(cs []RecordCheckin, p RecordPeriod) CheckinRecord {
	var out CheckinRecord
	var toSeen []time.Duration
	for _, c := range cs {
		if !within(p, c.DeliveredAt) {
			continue
		}
		item := RecordItem{Ref: CheckinRef(c.Number)}
		out.Sent.add(item)
		seen := c.SeenAt
		if seen.IsZero() || (!c.AnsweredAt.IsZero() && c.AnsweredAt.Before(seen)) {
			seen = c.AnsweredAt
		}
		if !seen.IsZero() {
			out.Seen.add(item)
			toSeen = append(toSeen, seen.Sub(c.DeliveredAt))
		}
		if !c.AnsweredAt.IsZero() {
			out.Answered.add(item)
		}
	}
	out.ToSeen = medianDuration(toSeen)
	return out
}

func medianDuration(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
