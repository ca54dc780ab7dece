package baton

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Step is one step of a routed request: real people, deduplicated, in the order the policy lists them.
type Step struct {
	Name          string
	Approvers     []string // user IDs
	Mode          Mode
	RemindAfter   time.Duration // 0: no reminder
	EscalateAfter time.Duration // 0: no escalation
	EscalateTo    []string      // user IDs; empty when the step does not escalate
}

// Route is where a request goes: auto-approved (by a branch or by the requester's grant), or through
// ordered steps. Explanation says in one sentence which branch matched, on which values, and where the
// request goes, followed by any notes (people left out, a fallback used).
type Route struct {
	Type          string
	PolicyVersion string
	Branch        int // 1-based number of the branch that matched
	BranchName    string
	AutoApproved  bool
	Grant         *Grant // the grant that approved the request, when one did
	Steps         []Step
	Fallback      []string // the type's fallback approvers, resolved
	Reason        string   // which branch or grant decided, and on what values
	Notes         []string
	Explanation   string
}

// BranchCheck is one branch as a dry run saw it.
type BranchCheck struct {
	Number  int
	Name    string
	When    string
	Matched bool
	Looked  string // the values the condition read, as people read them
}

// Route finds where a request goes. values are the request's typed values (see ValidateValues);
// dir is laid over the people the policy file declares; grants may hold anyone's grants, and only the
// requester's active grants for this type count. The requester never approves their own request
// unless the type allows it; a step left with no one goes to the type's fallback approver.
func (p *Policy) Route(typeName string, values Values, requester string, dir Directory, grants []Grant, now time.Time) (Route, error) {
	t, ok := p.Type(typeName)
	if !ok {
		return Route{}, p.UnknownTypeError(typeName)
	}
	return p.route(t, values, requester, dir, grants, now, nil)
}

// router resolves approver words for one request.
type router struct {
	p         *Policy
	t         *RequestType
	dir       Directory
	requester string
	notes     []string
}

func (r *router) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	if !slices.Contains(r.notes, n) {
		r.notes = append(r.notes, n)
	}
}

func (r *router) members(group string) []string {
	if m, ok := r.dir.Groups[group]; ok {
		return m
	}
	return r.p.Groups[group]
}

func (r *router) manager(user string) string {
	if m, ok := r.dir.Managers[user]; ok {
		return m
	}
	return r.p.Managers[user]
}

// groupsOf lists the groups the requester is in, for requester.groups.
func (r *router) groupsOf(user string) []string {
	var out []string
	for _, src := range []map[string][]string{r.dir.Groups, r.p.Groups} {
		for g := range src {
			if !slices.Contains(out, g) && slices.Contains(r.members(g), user) {
				out = append(out, g)
			}
		}
	}
	slices.Sort(out)
	return out
}

// resolve turns approver words into user IDs, in order, without repeats, leaving out the requester
// unless the type allows self-approval. where names the step for notes; "" resolves without notes.
func (r *router) resolve(words []string, where string) []string {
	var out []string
	note := func(format string, args ...any) {
		if where != "" {
			r.note(format, args...)
		}
	}
	add := func(id string) {
		if id == r.requester && !r.t.AllowSelfApproval {
			note("<@%s> can't approve their own request, so they're left out of %s.", id, where)
			return
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	for _, w := range words {
		switch {
		case w == ApproverManager:
			m := r.manager(r.requester)
			if m == "" {
				note("<@%s> has no manager on record.", r.requester)
				continue
			}
			add(m)
		case strings.HasPrefix(w, groupPrefix):
			members := r.members(strings.TrimPrefix(w, groupPrefix))
			if len(members) == 0 {
				note("%s has no members.", w)
			}
			for _, m := range members {
				add(m)
			}
		default:
			add(w)
		}
	}
	return out
}

func (p *Policy) route(t *RequestType, values Values, requester string, dir Directory, grants []Grant, now time.Time, trace *[]BranchCheck) (Route, error) {
	for g := range dir.Groups {
		if g != normalizeGroup(g) {
			dir = Directory{}.Merge(dir)
			break
		}
	}
	r := &router{p: p, t: t, dir: dir, requester: requester}
	req := celRequester{ID: requester, Groups: r.groupsOf(requester), Manager: r.manager(requester)}
	if req.Groups == nil {
		req.Groups = []string{}
	}
	vars, err := t.activation(values, req, now)
	if err != nil {
		return Route{}, err
	}
	out := Route{Type: t.Name, PolicyVersion: p.Version}
	for i := range t.Branches {
		b := &t.Branches[i]
		matched := true
		if b.cond != nil {
			if matched, err = b.cond.eval(vars); err != nil {
				return Route{}, Errorf(EInvalid, "The %s policy could not be applied: branch %d's condition failed on this request (%v). Ask an admin to fix the policy.", t.Title, i+1, err)
			}
		}
		if trace != nil {
			*trace = append(*trace, BranchCheck{Number: i + 1, Name: b.Name, When: b.When, Matched: matched, Looked: t.looked(b.cond, values, req)})
		}
		if !matched {
			continue
		}
		out.Branch, out.BranchName = i+1, b.Name
		out.Reason = t.branchReason(i, values, req)
		if b.AutoApprove {
			out.AutoApproved = true
			out.explain()
			return out, nil
		}
		if g, why := t.grantFor(grants, values, req, vars, now); g != nil {
			out.AutoApproved, out.Grant, out.Reason = true, g, why
			out.explain()
			return out, nil
		} else if why != "" {
			r.note("%s", why)
		}
		return r.steps(out, b)
	}
	return Route{}, Errorf(EInvalid, "The %s policy has no branch for this request. Ask an admin to end it with a default branch.", t.Title)
}

func (r *router) steps(out Route, b *Branch) (Route, error) {
	out.Fallback = r.resolve([]string{r.t.Fallback}, "")
	for i, rule := range b.Steps {
		where := stepLabel(i, rule.Name)
		s := Step{Name: rule.Name, Mode: rule.Mode, RemindAfter: rule.RemindAfter, EscalateAfter: rule.EscalateAfter}
		s.Approvers = r.resolve(rule.Approvers, where)
		if len(s.Approvers) == 0 {
			if len(out.Fallback) == 0 {
				return Route{}, Errorf(EInvalid, "No one can approve %s of this %s request: it has no approvers left and neither has the fallback. Ask an admin to set another fallback approver in the policy.", where, r.t.Title)
			}
			s.Approvers = slices.Clone(out.Fallback)
			r.note("%s had no one left to approve, so it goes to the fallback %s.", capitalize(where), mentions(out.Fallback))
		}
		if rule.EscalateAfter > 0 {
			if rule.EscalateTo != "" {
				s.EscalateTo = r.resolve([]string{rule.EscalateTo}, "the escalation of "+where)
			}
			if len(s.EscalateTo) == 0 {
				s.EscalateTo = slices.Clone(out.Fallback)
			}
		}
		out.Steps = append(out.Steps, s)
	}
	out.Notes = r.notes
	out.explain()
	return out, nil
}

// KeepUsable removes approvers the caller can't use (people who left, bots, unknown IDs) from every
// step, escalation and the fallback, noting each removal. A step left with no one goes to the usable
// fallback; when none is left either, the request can't be routed and the error says so.
func (r Route) KeepUsable(usable func(userID string) bool) (Route, error) {
	if r.AutoApproved {
		return r, nil
	}
	out := r
	out.Notes = slices.Clone(r.Notes)
	note := func(format string, args ...any) {
		if n := fmt.Sprintf(format, args...); !slices.Contains(out.Notes, n) {
			out.Notes = append(out.Notes, n)
		}
	}
	keep := func(ids []string, where string) []string {
		var kept, dropped []string
		for _, id := range ids {
			if usable(id) {
				kept = append(kept, id)
			} else {
				dropped = append(dropped, id)
			}
		}
		if len(dropped) > 0 {
			note("%s can't approve, so %s left out of %s.", mentions(dropped), isOrAre(len(dropped)), where)
		}
		return kept
	}
	out.Fallback = keep(r.Fallback, "the fallback")
	out.Steps = make([]Step, len(r.Steps))
	for i, s := range r.Steps {
		where := stepLabel(i, s.Name)
		s.Approvers = keep(s.Approvers, where)
		if len(s.Approvers) == 0 {
			if len(out.Fallback) == 0 {
				return Route{}, Errorf(EInvalid, "No one can approve %s of this request: its approvers and the fallback can't approve. Ask an admin to update the approvers in the policy.", where)
			}
			s.Approvers = slices.Clone(out.Fallback)
			note("%s had no one left to approve, so it goes to the fallback %s.", capitalize(where), mentions(out.Fallback))
		}
		if len(s.EscalateTo) > 0 {
			s.EscalateTo = keep(s.EscalateTo, "the escalation of "+where)
			if len(s.EscalateTo) == 0 {
				s.EscalateTo = slices.Clone(out.Fallback)
			}
		}
		out.Steps[i] = s
	}
	out.explain()
	return out, nil
}

// explain writes Explanation from Reason, the outcome and Notes.
func (r *Route) explain() {
	var b strings.Builder
	b.WriteString(r.Reason)
	b.WriteString(" → ")
	if r.AutoApproved {
		b.WriteString("auto-approved")
	}
	for i, s := range r.Steps {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(stepLabel(i, s.Name))
		switch {
		case len(s.Approvers) == 1:
			fmt.Fprintf(&b, " (%s)", mentions(s.Approvers))
		default:
			fmt.Fprintf(&b, " (%s of %s)", s.Mode, mentions(s.Approvers))
		}
	}
	b.WriteString(".")
	for _, n := range r.Notes {
		b.WriteString(" ")
		b.WriteString(n)
	}
	r.Explanation = b.String()
}

// branchReason says which branch matched and on what.
func (t *RequestType) branchReason(i int, values Values, req celRequester) string {
	b := &t.Branches[i]
	name := fmt.Sprintf("branch %d", i+1)
	if b.Name != "" {
		name = fmt.Sprintf("branch %d %q", i+1, b.Name)
	}
	if b.cond == nil || b.When == "true" {
		if i == 0 {
			return capitalize(name) + " applies to every request"
		}
		return "No earlier branch matched, so the default " + name + " applies"
	}
	reason := fmt.Sprintf("%s matched: %s", capitalize(name), b.When)
	if looked := t.looked(b.cond, values, req); looked != "" {
		reason += ", with " + looked
	}
	return reason
}

// looked lists the values a condition read: "amount 12,000 USD and client tier enterprise".
func (t *RequestType) looked(c *condition, values Values, req celRequester) string {
	if c == nil {
		return ""
	}
	var parts []string
	for _, name := range c.fields {
		f, _ := t.Field(name)
		parts = append(parts, f.inSentence()+" "+f.FormatValue(values[name]))
	}
	for _, attr := range c.requester {
		switch attr {
		case "id":
			parts = append(parts, "requester <@"+req.ID+">")
		case "groups":
			groups := "none"
			if len(req.Groups) > 0 {
				groups = strings.Join(req.Groups, ", ")
			}
			parts = append(parts, "requester's groups "+groups)
		case "manager":
			m := "none"
			if req.Manager != "" {
				m = "<@" + req.Manager + ">"
			}
			parts = append(parts, "requester's manager "+m)
		}
	}
	return joinAnd(parts)
}

// DryRun is what /request why shows: each branch checked, the route, and the required fields that
// were not given (read as empty).
type DryRun struct {
	Type     *RequestType
	Values   Values
	Branches []BranchCheck
	Route    Route
	Missing  []string
}

// DryRun routes a request typed as after /request why ("purchase amount=12000 client_tier=enterprise")
// without filing it. Required fields may be left out; a value that can't be read is an error.
func (p *Policy) DryRun(text, requester string, dir Directory, grants []Grant, now time.Time) (DryRun, error) {
	name, raw, _ := ParseRequestQuick(text)
	if name == "" {
		return DryRun{}, Errorf(EInvalid, "Say which request to try, for example `/request why purchase amount=12000`. The types are %s.", strings.Join(p.TypeNames(), ", "))
	}
	t, ok := p.Type(name)
	if !ok {
		return DryRun{}, p.UnknownTypeError(name)
	}
	values, fieldErrs := ValidateValues(t, raw)
	d := DryRun{Type: t, Values: values}
	var problems []string
	for _, f := range t.Fields {
		if _, given := values[f.Name]; f.Required && !given && raw[f.Name] == "" {
			d.Missing = append(d.Missing, f.Name)
			delete(fieldErrs, f.Name)
		}
	}
	for _, key := range sortedKeys(fieldErrs) {
		problems = append(problems, fieldErrs[key])
	}
	if len(problems) > 0 {
		return DryRun{}, Errorf(EInvalid, "%s", strings.Join(problems, " "))
	}
	route, err := p.route(t, values, requester, dir, grants, now, &d.Branches)
	if err != nil {
		return DryRun{}, err
	}
	d.Route = route
	return d, nil
}

// String is the dry run as lines of text for Slack.
func (d DryRun) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s*\n", d.Type.Title)
	for _, c := range d.Branches {
		label := fmt.Sprintf("%d.", c.Number)
		if c.Name != "" {
			label += " " + c.Name
		}
		when := c.When
		if when == "" {
			when = "default"
		}
		verdict := "no"
		if c.Matched {
			verdict = "yes"
		}
		fmt.Fprintf(&b, "%s `%s`: %s", label, when, verdict)
		if c.Looked != "" {
			fmt.Fprintf(&b, " (%s)", c.Looked)
		}
		b.WriteString("\n")
	}
	b.WriteString(d.Route.Explanation)
	if len(d.Missing) > 0 {
		fmt.Fprintf(&b, "\nNot given, so read as empty: %s.", strings.Join(d.Missing, ", "))
	}
	return b.String()
}

// inSentence is the field's label as it reads mid-sentence: "Client tier" → "client tier".
func (f *Field) inSentence() string {
	r := []rune(f.Label)
	if len(r) == 0 || (len(r) > 1 && unicode.IsUpper(r[1])) {
		return f.Label
	}
	return strings.ToLower(string(r[:1])) + string(r[1:])
}

func stepLabel(i int, name string) string {
	if name == "" {
		return fmt.Sprintf("step %d", i+1)
	}
	return fmt.Sprintf("step %d %s", i+1, name)
}

func mentions(ids []string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = "<@" + id + ">"
	}
	return strings.Join(parts, ", ")
}

func isOrAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
