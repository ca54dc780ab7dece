package baton

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"go.yaml.in/yaml/v3"
)

// FieldKind is what a request field holds.
type FieldKind string

// The kinds of request field a policy may declare.
const (
	FieldNumber   FieldKind = "number"
	FieldSelect   FieldKind = "select"
	FieldText     FieldKind = "text"
	FieldLongText FieldKind = "long_text"
	FieldDate     FieldKind = "date"
	FieldUser     FieldKind = "user"
)

var fieldKinds = []FieldKind{FieldNumber, FieldSelect, FieldText, FieldLongText, FieldDate, FieldUser}

// Mode says how many approvers of a step must approve: any one of them (the first decision wins), or all.
type Mode string

// The approval modes of a step.
const (
	ModeAny Mode = "any"
	ModeAll Mode = "all"
)

// Approver words in a policy besides user IDs: the requester's manager and a named group.
const (
	ApproverManager = "manager"
	groupPrefix     = "group:"
)

// MaxPolicyBytes bounds the size of a policy file.
const MaxPolicyBytes = 1 << 20

// maxLoadProblems bounds how many problems one failed load reports.
const maxLoadProblems = 20

// Policy is a loaded approval policy: the request types people can file, and the people data
// (groups, managers) the file declares. It is read-only once loaded and safe to share.
type Policy struct {
	// Version is the SHA-256 of the file's bytes in hex: the same file always has the same version.
	Version  string
	Types    []*RequestType
	Groups   map[string][]string // group name → member user IDs, as declared in the file
	Managers map[string]string   // user ID → manager's user ID, as declared in the file
	byName   map[string]*RequestType
}

// RequestType is one kind of request (purchase, time off…): its form and how it is routed.
type RequestType struct {
	Name              string
	Title             string
	Description       string
	Fields            []Field
	AllowSelfApproval bool
	Fallback          string // approver word: a user ID or group:name
	Branches          []Branch
	env               *cel.Env
}

// Field is one input on a request form.
type Field struct {
	Name     string
	Label    string
	Kind     FieldKind
	Required bool
	Help     string
	Currency string   // number: an ISO currency code such as USD
	Unit     string   // number: a unit word such as days or %
	Options  []string // select
	Min, Max *float64 // number: optional bounds
}

// Branch is one rule of a request type: when its condition holds, the request is auto-approved or goes
// through its steps. The first branch whose condition holds wins; the last one is the default.
type Branch struct {
	Name        string
	When        string // CEL; "" on the default branch
	AutoApprove bool
	Steps       []StepRule
	cond        *condition
}

// StepRule is a step as the policy writes it; routing turns it into a Step of real people.
type StepRule struct {
	Name          string
	Approvers     []string // user IDs, group:name, or manager
	Mode          Mode
	RemindAfter   time.Duration
	EscalateAfter time.Duration
	EscalateTo    string // an approver word, "" when unset
}

// Directory is the people data routing needs: who is in which group and who manages whom.
// The policy file may declare some; data read from Slack later can be merged over it.
type Directory struct {
	Groups   map[string][]string // group name → member user IDs
	Managers map[string]string   // user ID → manager's user ID
}

// Merge returns d with o laid over it: a group or manager that o names replaces d's entry.
func (d Directory) Merge(o Directory) Directory {
	out := Directory{Groups: map[string][]string{}, Managers: map[string]string{}}
	for _, src := range []Directory{d, o} {
		for g, members := range src.Groups {
			out.Groups[normalizeGroup(g)] = slices.Clone(members)
		}
		for u, m := range src.Managers {
			out.Managers[u] = m
		}
	}
	return out
}

// GroupEdits are the changes admins made in Slack to a group: people added to it, and people of the
// policy file's list taken out of it.
type GroupEdits struct {
	Added   []string
	Removed []string
}

// Apply returns the group's members: the file's, less those taken out, then those added, in order and
// without repeats.
func (e GroupEdits) Apply(file []string) []string {
	out := []string{}
	for _, u := range append(slices.Clone(file), e.Added...) {
		if !slices.Contains(e.Removed, u) && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// PeopleEdits are the people data admins set in Slack: group edits by group name, and managers.
type PeopleEdits struct {
	Groups   map[string]GroupEdits
	Managers map[string]string // user ID → manager's user ID; replaces the file's manager
}

// Apply returns d with the edits made in Slack: each edited group is the file's members plus those
// added and less those taken out (it stays, empty, when no one is left, so routing falls back rather
// than reading the file's list), and a manager set in Slack replaces the file's.
func (d Directory) Apply(e PeopleEdits) Directory {
	out := Directory{}.Merge(d)
	for g, edits := range e.Groups {
		g = normalizeGroup(g)
		out.Groups[g] = edits.Apply(out.Groups[g])
	}
	for u, m := range e.Managers {
		out.Managers[u] = m
	}
	return out
}

// Directory returns the people data declared in the policy file.
func (p *Policy) Directory() Directory {
	return Directory{}.Merge(Directory{Groups: p.Groups, Managers: p.Managers})
}

// Type finds a request type by name, ignoring case; "time-off" finds time_off.
func (p *Policy) Type(name string) (*RequestType, bool) {
	t, ok := p.byName[normalizeTypeName(name)]
	return t, ok
}

// TypeNames lists the request types in file order.
func (p *Policy) TypeNames() []string {
	names := make([]string, len(p.Types))
	for i, t := range p.Types {
		names[i] = t.Name
	}
	return names
}

// UnknownTypeError is the refusal for a request type the policy does not have.
func (p *Policy) UnknownTypeError(name string) *Error {
	return Errorf(EInvalid, "There is no request type %q. Pick one of: %s.", name, strings.Join(p.TypeNames(), ", "))
}

// Field finds a field by name, ignoring case; "client-tier" finds client_tier.
func (t *RequestType) Field(name string) (*Field, bool) {
	name = normalizeFieldName(name)
	for i := range t.Fields {
		if t.Fields[i].Name == name {
			return &t.Fields[i], true
		}
	}
	return nil, false
}

// FieldNames lists the type's fields in form order.
func (t *RequestType) FieldNames() []string {
	names := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		names[i] = f.Name
	}
	return names
}

func normalizeTypeName(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
}

func normalizeFieldName(s string) string { return normalizeTypeName(s) }

func normalizeGroup(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// The file's shape. KnownFields catches misspelt keys.
type policyFile struct {
	Groups   map[string][]string `yaml:"groups"`
	Managers map[string]string   `yaml:"managers"`
	Types    []typeFile          `yaml:"types"`
}

type typeFile struct {
	Name              string       `yaml:"name"`
	Title             string       `yaml:"title"`
	Description       string       `yaml:"description"`
	AllowSelfApproval bool         `yaml:"allow_self_approval"`
	Fallback          string       `yaml:"fallback"`
	RemindAfter       string       `yaml:"remind_after"`
	EscalateAfter     string       `yaml:"escalate_after"`
	EscalateTo        string       `yaml:"escalate_to"`
	Fields            []fieldFile  `yaml:"fields"`
	Branches          []branchFile `yaml:"branches"`
}

type fieldFile struct {
	Name     string   `yaml:"name"`
	Label    string   `yaml:"label"`
	Type     string   `yaml:"type"`
	Required bool     `yaml:"required"`
	Help     string   `yaml:"help"`
	Currency string   `yaml:"currency"`
	Unit     string   `yaml:"unit"`
	Options  []string `yaml:"options"`
	Min      *float64 `yaml:"min"`
	Max      *float64 `yaml:"max"`
}

type branchFile struct {
	Name        string     `yaml:"name"`
	When        *string    `yaml:"when"`
	AutoApprove bool       `yaml:"auto_approve"`
	Steps       []stepFile `yaml:"steps"`
}

type stepFile struct {
	Name          string   `yaml:"name"`
	Approvers     []string `yaml:"approvers"`
	Mode          string   `yaml:"mode"`
	RemindAfter   string   `yaml:"remind_after"`
	EscalateAfter string   `yaml:"escalate_after"`
	EscalateTo    string   `yaml:"escalate_to"`
}

var (
	typeNameRe  = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
	fieldNameRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
	groupNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,79}$`)
	userIDRe    = regexp.MustCompile(`^[UW][A-Z0-9]{1,20}$`)
	yamlFieldRe = regexp.MustCompile(`field (\S+) not found in type baton\.(\w+)File`)
)

// reservedTypeNames are words /request already uses.
var reservedTypeNames = map[string]bool{"why": true, "help": true, "list": true, "cancel": true, "export": true}

// loader gathers every problem of a file so one load reports them all.
type loader struct {
	problems []string
}

func (l *loader) addf(format string, args ...any) {
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
}

// LoadPolicy reads and checks a policy file. A bad file is refused whole, with each problem naming
// the request type, branch or step and what to change.
func LoadPolicy(data []byte) (*Policy, error) {
	if len(data) > MaxPolicyBytes {
		return nil, Errorf(EInvalid, "The policy file is %d bytes; keep it under %d.", len(data), MaxPolicyBytes)
	}
	var f policyFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, Errorf(EInvalid, "%s", yamlProblem(err))
	}
	sum := sha256.Sum256(data)
	p := &Policy{Version: hex.EncodeToString(sum[:]), byName: map[string]*RequestType{}}
	l := &loader{}
	p.Groups, p.Managers = l.people(f.Groups, f.Managers)
	if len(f.Types) == 0 {
		l.addf("the file declares no request types: add a list under `types:`, each with a name, fields and branches")
	}
	for i, tf := range f.Types {
		t := l.requestType(i, tf)
		if t == nil {
			continue
		}
		if _, dup := p.byName[t.Name]; dup {
			l.addf("%s: the name is used by two request types; rename one", t.Name)
			continue
		}
		p.byName[t.Name] = t
		p.Types = append(p.Types, t)
	}
	if len(l.problems) > 0 {
		problems := l.problems
		if len(problems) > maxLoadProblems {
			problems = append(problems[:maxLoadProblems:maxLoadProblems], fmt.Sprintf("and %d more", len(l.problems)-maxLoadProblems))
		}
		return nil, Errorf(EInvalid, "%s", strings.Join(problems, "; "))
	}
	return p, nil
}

func yamlProblem(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		lines := make([]string, len(te.Errors))
		for i, e := range te.Errors {
			lines[i] = yamlFieldRe.ReplaceAllString(e, "unknown key $1 in a $2; check its spelling")
		}
		return "the policy file has the wrong shape: " + strings.Join(lines, "; ")
	}
	return "the policy file is not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")
}

func (l *loader) people(groups map[string][]string, managers map[string]string) (map[string][]string, map[string]string) {
	outG := map[string][]string{}
	for _, name := range sortedKeys(groups) {
		g := normalizeGroup(name)
		if !groupNameRe.MatchString(g) {
			l.addf("groups: %q is not a usable group name; use lowercase letters, digits, _ . or -", name)
			continue
		}
		var members []string
		for _, m := range groups[name] {
			id, ok := userID(m)
			if !ok {
				l.addf("groups: %s: %q is not a Slack user ID; list members as IDs such as U012AB3CD", g, m)
				continue
			}
			if !slices.Contains(members, id) {
				members = append(members, id)
			}
		}
		outG[g] = members
	}
	outM := map[string]string{}
	for _, who := range sortedKeys(managers) {
		u, okU := userID(who)
		m, okM := userID(managers[who])
		if !okU || !okM {
			l.addf("managers: %s: %s: write each line as `USER_ID: MANAGER_ID`, for example `U012AB3CD: U045EF6GH`", who, managers[who])
			continue
		}
		outM[u] = m
	}
	return outG, outM
}

func (l *loader) requestType(i int, tf typeFile) *RequestType {
	name := normalizeTypeName(tf.Name)
	where := name
	switch {
	case name == "":
		where = fmt.Sprintf("request type %d", i+1)
		l.addf("%s: give it a name, such as `name: purchase`", where)
		return nil
	case !typeNameRe.MatchString(name):
		l.addf("%s: the name must be one lowercase word (letters, digits, _), such as purchase or time_off", tf.Name)
		return nil
	case reservedTypeNames[name]:
		l.addf("%s: /request %s already means something else; pick another name", name, name)
		return nil
	}
	t := &RequestType{
		Name:              name,
		Title:             strings.TrimSpace(tf.Title),
		Description:       strings.TrimSpace(tf.Description),
		AllowSelfApproval: tf.AllowSelfApproval,
	}
	if t.Title == "" {
		t.Title = capitalize(humanName(name))
	}
	for j, ff := range tf.Fields {
		if fld, ok := l.field(where, j, ff, t); ok {
			t.Fields = append(t.Fields, fld)
		}
	}
	fallback, ok := approverWord(tf.Fallback)
	switch {
	case strings.TrimSpace(tf.Fallback) == "":
		l.addf("%s: give it a fallback approver (a user ID or group:name) for when a step has no one left to approve", where)
	case !ok || fallback == ApproverManager:
		l.addf("%s: fallback %q must be a user ID such as U012AB3CD or a group such as group:ops", where, tf.Fallback)
	}
	t.Fallback = fallback
	defaults := l.stepTimes(where, tf.RemindAfter, tf.EscalateAfter, tf.EscalateTo)
	env, err := newTypeEnv(t)
	if err != nil {
		l.addf("%s: the fields could not be declared for conditions: %v", where, err)
		return nil
	}
	t.env = env
	if len(tf.Branches) == 0 {
		l.addf("%s: add branches; the last one, with `when: true`, is the default route", where)
	}
	for j, bf := range tf.Branches {
		t.Branches = append(t.Branches, l.branch(t, where, j, bf, defaults, j == len(tf.Branches)-1))
	}
	return t
}

func (l *loader) field(where string, j int, ff fieldFile, t *RequestType) (Field, bool) {
	name := normalizeFieldName(ff.Name)
	at := fmt.Sprintf("%s, field %d", where, j+1)
	switch {
	case name == "":
		l.addf("%s: give it a name, such as `name: amount`", at)
		return Field{}, false
	case !fieldNameRe.MatchString(name):
		l.addf("%s: %q must be one lowercase word (letters, digits, _), such as client_tier", at, ff.Name)
		return Field{}, false
	case celReserved[name]:
		l.addf("%s: %q is a reserved word in conditions; pick another name", at, name)
		return Field{}, false
	}
	at = fmt.Sprintf("%s, field %s", where, name)
	if _, dup := t.Field(name); dup {
		l.addf("%s: declared twice; rename or remove one", at)
		return Field{}, false
	}
	f := Field{
		Name: name, Label: strings.TrimSpace(ff.Label), Kind: FieldKind(strings.ToLower(strings.TrimSpace(ff.Type))),
		Required: ff.Required, Help: strings.TrimSpace(ff.Help),
		Currency: strings.ToUpper(strings.TrimSpace(ff.Currency)), Unit: strings.TrimSpace(ff.Unit), Min: ff.Min, Max: ff.Max,
	}
	if f.Label == "" {
		f.Label = capitalize(humanName(name))
	}
	if !slices.Contains(fieldKinds, f.Kind) {
		kinds := make([]string, len(fieldKinds))
		for i, k := range fieldKinds {
			kinds[i] = string(k)
		}
		l.addf("%s: unknown type %q; use one of %s", at, ff.Type, strings.Join(kinds, ", "))
		return Field{}, false
	}
	if f.Kind != FieldNumber && (f.Currency != "" || f.Unit != "" || f.Min != nil || f.Max != nil) {
		l.addf("%s: currency, unit, min and max belong on number fields only", at)
	}
	if f.Currency != "" && f.Unit != "" {
		l.addf("%s: give a currency or a unit, not both", at)
	}
	if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
		l.addf("%s: min %s is above max %s", at, formatNumber(*f.Min), formatNumber(*f.Max))
	}
	if f.Kind != FieldSelect && len(ff.Options) > 0 {
		l.addf("%s: options belong on select fields only", at)
	}
	if f.Kind == FieldSelect {
		if len(ff.Options) == 0 {
			l.addf("%s: a select needs options, such as `options: [standard, enterprise]`", at)
		}
		for _, o := range ff.Options {
			o = strings.TrimSpace(o)
			switch {
			case o == "" || len(o) > 75:
				l.addf("%s: option %q must be 1 to 75 characters", at, o)
			case slices.ContainsFunc(f.Options, func(x string) bool { return strings.EqualFold(x, o) }):
				l.addf("%s: option %q is listed twice", at, o)
			default:
				f.Options = append(f.Options, o)
			}
		}
	}
	return f, true
}

// stepTimes reads reminder and escalation settings; the type's values are the defaults for its steps.
type stepTimes struct {
	remind, escalate time.Duration
	escalateTo       string
}

func (l *loader) stepTimes(at, remind, escalate, to string) stepTimes {
	var st stepTimes
	st.remind = l.duration(at, "remind_after", remind)
	st.escalate = l.duration(at, "escalate_after", escalate)
	if strings.TrimSpace(to) != "" {
		w, ok := approverWord(to)
		if !ok {
			l.addf("%s: escalate_to %q must be a user ID such as U012AB3CD, group:name or manager", at, to)
		}
		st.escalateTo = w
	}
	return st
}

func (l *loader) duration(at, key, s string) time.Duration {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0
	}
	d, err := parseOffset(s)
	if err != nil || d <= 0 || d > 90*24*time.Hour {
		l.addf("%s: %s %q is not a duration between 1m and 90d; write it like 30m, 4h or 2d", at, key, s)
		return 0
	}
	return d
}

func (l *loader) branch(t *RequestType, where string, j int, bf branchFile, defaults stepTimes, last bool) Branch {
	at := fmt.Sprintf("%s, branch %d", where, j+1)
	b := Branch{Name: strings.TrimSpace(bf.Name), AutoApprove: bf.AutoApprove}
	if bf.When != nil {
		b.When = strings.TrimSpace(*bf.When)
	}
	isDefault := b.When == "" || b.When == "true"
	switch {
	case last && !isDefault:
		l.addf("%s: the last branch must be the default: add a final branch with `when: true` (or no `when`) so every request has a route", where)
	case !last && isDefault:
		l.addf("%s: matches every request, so the branches after it never apply; give it a condition or move it to the end", at)
	}
	if b.When != "" {
		c, err := compileCondition(t, b.When)
		if err != nil {
			l.addf("%s: %v", at, err)
		}
		b.cond = c
	}
	switch {
	case b.AutoApprove && len(bf.Steps) > 0:
		l.addf("%s: has both auto_approve and steps; keep one", at)
	case !b.AutoApprove && len(bf.Steps) == 0:
		l.addf("%s: give it `auto_approve: true` or a list of steps", at)
	}
	for k, sf := range bf.Steps {
		b.Steps = append(b.Steps, l.step(fmt.Sprintf("%s, step %d", at, k+1), sf, defaults))
	}
	return b
}

func (l *loader) step(at string, sf stepFile, defaults stepTimes) StepRule {
	s := StepRule{Name: strings.TrimSpace(sf.Name), Mode: Mode(strings.ToLower(strings.TrimSpace(sf.Mode)))}
	switch s.Mode {
	case "":
		s.Mode = ModeAny
	case ModeAny, ModeAll:
	default:
		l.addf("%s: mode %q must be any (the first decision wins) or all (everyone must approve)", at, sf.Mode)
	}
	if len(sf.Approvers) == 0 {
		l.addf("%s: no approvers; list user IDs such as U012AB3CD, group:finance or manager", at)
	}
	for _, a := range sf.Approvers {
		w, ok := approverWord(a)
		if !ok {
			l.addf("%s: approver %q must be a user ID such as U012AB3CD, group:name or manager", at, a)
			continue
		}
		if !slices.Contains(s.Approvers, w) {
			s.Approvers = append(s.Approvers, w)
		}
	}
	own := l.stepTimes(at, sf.RemindAfter, sf.EscalateAfter, sf.EscalateTo)
	s.RemindAfter, s.EscalateAfter, s.EscalateTo = defaults.remind, defaults.escalate, defaults.escalateTo
	if own.remind > 0 {
		s.RemindAfter = own.remind
	}
	if own.escalate > 0 {
		s.EscalateAfter = own.escalate
	}
	if own.escalateTo != "" {
		s.EscalateTo = own.escalateTo
	}
	if s.EscalateTo != "" && s.EscalateAfter == 0 {
		l.addf("%s: escalate_to needs escalate_after, such as `escalate_after: 1d`", at)
	}
	return s
}

// approverWord reads an approver as a policy writes it: U012AB3CD, <@U012AB3CD>, group:finance or manager.
func approverWord(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, ApproverManager) {
		return ApproverManager, true
	}
	if len(s) > len(groupPrefix) && strings.EqualFold(s[:len(groupPrefix)], groupPrefix) {
		g := normalizeGroup(s[len(groupPrefix):])
		return groupPrefix + g, groupNameRe.MatchString(g)
	}
	return userID(s)
}

// userID reads a Slack user ID, bare or as a mention.
func userID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if ref, ok := ParseUserRef(s); ok && ref.ID != "" {
		return ref.ID, true
	}
	return s, userIDRe.MatchString(s)
}

// humanName turns a field or type name into words: client_tier → client tier.
func humanName(name string) string { return strings.ReplaceAll(name, "_", " ") }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
