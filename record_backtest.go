package baton

import "slices"

// Backtest is what a proposed grant of authority would have done to a person's past requests of
// its type, each routed again by the policy version it was filed under, with the grant added.
type Backtest struct {
	Grant    Grant // the proposed grant, compiled against the policy in force
	Replayed Figure
	// AtOnce are the requests the grant would have approved at once, split by OutcomeFigures by how
	// they were in fact decided.
	AtOnce Figure
	OutcomeFigures
	// Already are requests that were approved at once anyway: by a branch of the policy, or inside
	// a grant the person held then.
	Already Figure
	// Routed are requests outside the grant: they would still have gone to their approvers.
	Routed Figure
	// Unreplayable are requests the grant could not be checked against: their policy version is
	// gone, or no longer has the type or a field the grant names. Why holds each distinct reason.
	Unreplayable Figure
	Why          []string
}

// RunBacktest replays requests (one person's, of the grant's type, oldest first) against the
// proposed grant g. policies holds the policy of each version the requests were filed under (one
// missing makes its requests unreplayable); dir is the directory routing reads people from. Nothing
// is stored: it is a pure function.
func RunBacktest(g Grant, requests []RecordRequest, policies map[string]*Policy, dir Directory) Backtest {
	out := Backtest{Grant: g}
	outcomes := Outcomes(requests)
	compiled := map[string]Grant{}
	why := func(item RecordItem, reason string) {
		out.Unreplayable.add(item)
		if !slices.Contains(out.Why, reason) {
			out.Why = append(out.Why, reason)
		}
	}
	for i, r := range requests {
		item := RecordItem{Ref: RequestRef(r.Number), Link: r.Link}
		out.Replayed.add(item)
		p := policies[r.PolicyVersion]
		if p == nil {
			why(item, "the policy version they were filed under is no longer stored")
			continue
		}
		t, ok := p.Type(r.Type)
		if !ok {
			why(item, "the policy they were filed under has no "+r.Type+" type")
			continue
		}
		cg, ok := compiled[r.PolicyVersion]
		if !ok {
			var err error
			if cg, err = p.CompileGrant(g); err != nil {
				why(item, "the grant's condition doesn't fit the form they were filed with: "+ErrorMessage(err))
				continue
			}
			compiled[r.PolicyVersion] = cg
		}
		values, _ := ValidateValues(t, r.Values)
		route, err := p.Route(t.Name, values, r.RequesterID, dir, []Grant{cg}, r.CreatedAt)
		if err != nil {
			why(item, ErrorMessage(err))
			continue
		}
		switch {
		case route.AutoApproved && (route.Grant == nil || r.AutoApproved):
			out.Already.add(item)
		case route.Grant != nil:
			out.AtOnce.add(item)
			out.add(outcomes[i], item)
		default:
			out.Routed.add(item)
		}
	}
	return out
}
