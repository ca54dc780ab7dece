package baton

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// SimulationDays is how far back a policy simulation looks: it routes again the requests filed in
// the last SimulationDays days.
const SimulationDays = 90

// FiledRequest is a request as it was filed: its values, and the route it was given then.
type FiledRequest struct {
	ApprovalRequest
	AutoApproved bool // approved at once when it was filed, by a branch or a grant
}

// RoutedSteps are the steps the request was routed to when it was filed: each step's approvers
// without the people an escalation added since.
func (r FiledRequest) RoutedSteps() []Step {
	out := make([]Step, len(r.Steps))
	for i, s := range r.Steps {
		out[i] = Step{Name: s.Name, Mode: s.Mode}
		for _, id := range s.Approvers {
			if !slices.Contains(s.EscalatedTo, id) {
				out[i].Approvers = append(out[i].Approvers, id)
			}
		}
	}
	return out
}

// SimulatedRequest is one filed request next to how a policy routes it.
type SimulatedRequest struct {
	Filed FiledRequest
	Route Route // how the policy routes it; zero when Problem is set
	// Problem says why the policy can't route it; nil when it can.
	Problem *SimulationProblem
	// BranchChanged: another branch, or the branch renamed. ApproversChanged: routed to steps both
	// times, to other people or with another mode. BecomesAuto, StopsAuto: approved at once by the
	// policy and not when filed, or the other way round.
	BranchChanged, ApproversChanged, BecomesAuto, StopsAuto bool
}

// Changed reports whether the policy routes the request otherwise than it was routed, or not at all.
func (s SimulatedRequest) Changed() bool {
	return s.Problem != nil || s.BranchChanged || s.ApproversChanged || s.BecomesAuto || s.StopsAuto
}

// SimulationProblem is why a policy can't route a request.
type SimulationProblem struct {
	Reason string // what stops it, worded the same for every request it stops, so they can be counted
	Detail string // everything that stops this request
}

// ReasonCount is how many requests one reason stops.
type ReasonCount struct {
	Reason   string
	Requests int
}

// PolicySimulation is what routing filed requests by a policy changes. A request may count under
// several changes: a new branch with other approvers counts twice.
type PolicySimulation struct {
	Requests         []SimulatedRequest // in the order they were given
	BranchChanged    int
	ApproversChanged int
	BecomeAuto       int
	StopAuto         int
	Unroutable       int
	Unchanged        int
	// Why are the reasons requests can't be routed, the reason that stops the most first.
	Why []ReasonCount
}

// SimulatePolicy routes filed requests again by policy p, as if each were filed anew at the time it
// was: with the people data dir and each requester's grants (grants by requester ID, compiled
// against p), keeping only the approvers usable says can approve, as filing does. It compares each
// route with the one the request was given. Nothing is stored: it is a pure function.
func SimulatePolicy(p *Policy, filed []FiledRequest, dir Directory, grants map[string][]Grant, usable func(userID string) bool) PolicySimulation {
	out := PolicySimulation{Requests: make([]SimulatedRequest, 0, len(filed))}
	why := map[string]int{}
	for _, f := range filed {
		s := p.simulate(f, dir, grants[f.RequesterID], usable)
		out.Requests = append(out.Requests, s)
		if s.Problem != nil {
			out.Unroutable++
			why[s.Problem.Reason]++
			continue
		}
		if !s.Changed() {
			out.Unchanged++
		}
		out.BranchChanged += ones(s.BranchChanged)
		out.ApproversChanged += ones(s.ApproversChanged)
		out.BecomeAuto += ones(s.BecomesAuto)
		out.StopAuto += ones(s.StopsAuto)
	}
	for reason, n := range why {
		out.Why = append(out.Why, ReasonCount{Reason: reason, Requests: n})
	}
	slices.SortFunc(out.Why, func(a, b ReasonCount) int {
		return cmp.Or(cmp.Compare(b.Requests, a.Requests), strings.Compare(a.Reason, b.Reason))
	})
	return out
}

// ones is 1 for true and 0 for false.
func ones(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (p *Policy) simulate(f FiledRequest, dir Directory, grants []Grant, usable func(string) bool) SimulatedRequest {
	s := SimulatedRequest{Filed: f}
	t, ok := p.Type(f.Type)
	if !ok {
		s.Problem = &SimulationProblem{Reason: fmt.Sprintf("the type %s is no longer in the file", f.Type), Detail: ErrorMessage(p.UnknownTypeError(f.Type))}
		return s
	}
	values, problem := t.valuesNow(f.Values)
	if problem != nil {
		s.Problem = problem
		return s
	}
	route, err := p.route(t, values, f.RequesterID, dir, grants, f.CreatedAt, nil)
	if err == nil {
		route, err = route.KeepUsable(usable)
	}
	if err != nil {
		msg := ErrorMessage(err)
		if msg == "" {
			msg = err.Error()
		}
		s.Problem = &SimulationProblem{Reason: msg, Detail: msg}
		return s
	}
	s.Route = route
	s.BranchChanged = route.Branch != f.Branch || route.BranchName != f.BranchName
	s.BecomesAuto = route.AutoApproved && !f.AutoApproved
	s.StopsAuto = !route.AutoApproved && f.AutoApproved
	s.ApproversChanged = !route.AutoApproved && !f.AutoApproved && !sameApprovers(f.RoutedSteps(), route.Steps)
	return s
}

// valuesNow reads a filed request's values by the type as the policy has it now. A value of a field
// the type no longer has is left out, since nothing can read it. A value its field no longer takes,
// or a field the type now requires that the request has no value for, stops the request; the first
// such field, in the type's order, is the reason.
func (t *RequestType) valuesNow(stored map[string]string) (Values, *SimulationProblem) {
	raw := make(map[string]string, len(stored))
	for name, v := range stored {
		if _, ok := t.Field(name); ok {
			raw[name] = v
		}
	}
	values, errs := ValidateValues(t, raw)
	if errs == nil {
		return values, nil
	}
	var reason string
	var details []string
	for _, f := range t.Fields {
		msg, ok := errs[f.Name]
		if !ok {
			continue
		}
		details = append(details, msg)
		if reason != "" {
			continue
		}
		reason = fmt.Sprintf("the field %s of %s no longer takes the value they were filed with", f.Name, t.Name)
		if strings.TrimSpace(raw[f.Name]) == "" {
			reason = fmt.Sprintf("the field %s of %s is now required and they have no value for it", f.Name, t.Name)
		}
	}
	return nil, &SimulationProblem{Reason: reason, Detail: strings.Join(details, " ")}
}

// sameApprovers reports whether two routes ask the same people in the same steps. Order within a
// step does not matter, nor does the mode of a step with one approver.
func sameApprovers(a, b []Step) bool {
	return slices.EqualFunc(a, b, func(x, y Step) bool {
		if len(x.Approvers) > 1 && x.Mode != y.Mode {
			return false
		}
		xs, ys := slices.Clone(x.Approvers), slices.Clone(y.Approvers)
		slices.Sort(xs)
		slices.Sort(ys)
		return slices.Equal(xs, ys)
	})
}
