package baton

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Grant is delegated authority, G-3: requests of one type by one person that fall inside Condition
// are approved without anyone else, until the grant runs out or is revoked.
type Grant struct {
	ID          int64
	TeamID      string
	Number      int64
	UserID      string    // who holds the authority
	RequestType string    // the request type it covers
	Condition   string    // CEL over the type's fields
	UntilDate   string    // the last day, YYYY-MM-DD as the granter wrote it; "" when it does not run out
	Until       time.Time // the last moment the grant holds; zero when it does not run out
	Reason      string
	GrantedBy   string
	GrantedAt   time.Time
	RevokedBy   string
	RevokedAt   time.Time // zero unless revoked
	cond        *condition
}

// MaxGrantReasonLen bounds a grant's reason.
const MaxGrantReasonLen = 300

const grantUsage = "For example: `/baton authority grant @dana purchase amount<=5000 client_tier in (standard, premium) until 2026-12-31 Team budget`."

var (
	grantCmpRe   = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_-]{0,31})\s*(<=|>=|==|!=|=<|=>|<|>|=)\s*("[^"]*"|[^\s"]+)`)
	grantInRe    = regexp.MustCompile(`^(?i)([a-z][a-z0-9_-]{0,31})\s+(not\s+in|in)\s*\(([^)]*)\)`)
	grantUntilRe = regexp.MustCompile(`^(?i)until\s+(\S+)`)
	grantAndRe   = regexp.MustCompile(`^(?i)(and|&&)(\s|$)`)
	curlyQuotes  = strings.NewReplacer("“", `"`, "”", `"`, "‘", "'", "’", "'")
)

// ParseGrant reads the text after /baton authority grant: a mention, the request type, what the
// authority covers, then optionally `until YYYY-MM-DD` and a reason:
//
//	<@U123> purchase amount<=5000 client_tier in (standard, premium) until 2026-12-31 Team budget
//
// What it covers is one or more of `field<=value` (also <, >, >=, =, !=), `field in (a, b)`,
// `field not in (a, b)`, or raw CEL in backticks, all of which must hold. The until day is read in
// loc and the grant holds to the end of it. The condition is compiled against the type's fields.
func ParseGrant(text string, p *Policy, loc *time.Location, now time.Time) (Grant, error) {
	who, s := cutWord(UnescapeSlack(text))
	if who == "" {
		return Grant{}, Errorf(EInvalid, "Say who gets the authority and for what. %s", grantUsage)
	}
	ref, ok := ParseUserRef(who)
	if !ok {
		return Grant{}, Errorf(EInvalid, "%q isn't a person: start with a mention. %s", who, grantUsage)
	}
	if ref.ID == "" {
		return Grant{}, Errorf(EInvalid, "I can't tell who @%s is: pick them from the @ menu so Slack links their name.", ref.Name)
	}
	typeName, s := cutWord(s)
	if typeName == "" {
		return Grant{}, Errorf(EInvalid, "Say which kind of request the authority covers: %s. %s", strings.Join(p.TypeNames(), ", "), grantUsage)
	}
	t, ok := p.Type(typeName)
	if !ok {
		return Grant{}, p.UnknownTypeError(typeName)
	}
	g := Grant{UserID: ref.ID, RequestType: t.Name}
	var terms []grantTerm
	for {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		if s == "" {
			break
		}
		if strings.HasPrefix(s, "`") {
			rawCEL, after, ok := cutBackticks(s)
			if !ok {
				return Grant{}, Errorf(EInvalid, "Put raw CEL between two backticks, for example `amount <= 5000 && risk != \"high\"`.")
			}
			terms, s = append(terms, grantTerm{src: curlyQuotes.Replace(rawCEL), raw: true}), after
			continue
		}
		if m := grantAndRe.FindString(s); m != "" {
			s = s[len(m):]
			continue
		}
		if m := grantUntilRe.FindStringSubmatch(s); m != nil && g.Until.IsZero() {
			until, err := parseUntil(m[1], loc, now)
			if err != nil {
				return Grant{}, err
			}
			g.Until, s = until, s[len(m[0]):]
			continue
		}
		if m := grantInRe.FindStringSubmatch(s); m != nil {
			term, err := grantInTerm(t, m[1], strings.Join(strings.Fields(strings.ToLower(m[2])), " "), m[3])
			if err != nil {
				return Grant{}, err
			}
			terms, s = append(terms, grantTerm{src: term}), s[len(m[0]):]
			continue
		}
		if m := grantCmpRe.FindStringSubmatch(s); m != nil {
			term, err := grantCmpTerm(t, m[1], m[2], strings.Trim(m[3], `"`))
			if err != nil {
				return Grant{}, err
			}
			terms, s = append(terms, grantTerm{src: term}), s[len(m[0]):]
			continue
		}
		g.Reason = strings.TrimSpace(s)
		break
	}
	if len(terms) == 0 {
		return Grant{}, Errorf(EInvalid, "Say which %s requests the authority covers, such as %s; to cover them all, write `true`. %s", t.Name, grantExample(t), grantUsage)
	}
	if n := len([]rune(g.Reason)); n > MaxGrantReasonLen {
		return Grant{}, Errorf(EInvalid, "The reason is %d characters long; keep it to %d.", n, MaxGrantReasonLen)
	}
	parts := make([]string, len(terms))
	for i, term := range terms {
		parts[i] = term.src
		if term.raw && len(terms) > 1 {
			parts[i] = "(" + term.src + ")"
		}
	}
	g.Condition = strings.Join(parts, " && ")
	return p.CompileGrant(g)
}

// grantTerm is one part of what a grant covers: a friendly form already written as CEL, or raw CEL.
type grantTerm struct {
	src string
	raw bool
}

// CompileGrant checks a grant (one read back from storage, say) against the policy: its type must
// exist and its condition must compile against the type's fields.
func (p *Policy) CompileGrant(g Grant) (Grant, error) {
	t, ok := p.Type(g.RequestType)
	if !ok {
		return Grant{}, p.UnknownTypeError(g.RequestType)
	}
	c, err := compileCondition(t, g.Condition)
	if err != nil {
		return Grant{}, Errorf(EInvalid, "That condition doesn't fit %s requests: %v. %s", t.Name, err, grantUsage)
	}
	g.RequestType, g.cond = t.Name, c
	return g, nil
}

// Ref is the grant's short ID.
func (g Grant) Ref() string { return GrantRef(g.Number) }

// Revoked reports whether the grant was revoked.
func (g Grant) Revoked() bool { return !g.RevokedAt.IsZero() }

// Expired reports whether the grant ran out by now.
func (g Grant) Expired(now time.Time) bool { return !g.Until.IsZero() && now.After(g.Until) }

// Active reports whether the grant holds at now: neither revoked nor run out.
func (g Grant) Active(now time.Time) bool { return !g.Revoked() && !g.Expired(now) }

// Revoke ends the grant at once, for actor: a workspace admin (admin) or whoever granted it. One
// revoked already is refused.
func (g *Grant) Revoke(actor string, admin bool, at time.Time) error {
	if !admin && g.GrantedBy != actor {
		return Errorf(EForbidden, "Only workspace admins and <@%s>, who granted %s, can revoke it.", g.GrantedBy, g.Ref())
	}
	if g.Revoked() {
		return Errorf(EConflict, "%s was already revoked by <@%s>, so nothing changed.", g.Ref(), g.RevokedBy)
	}
	g.RevokedBy, g.RevokedAt = actor, at.UTC()
	return nil
}

// Describe is the grant in words: "purchase where amount <= 5000, until 2026-12-31".
func (g Grant) Describe() string {
	s := g.RequestType + " where " + g.Condition
	if !g.Until.IsZero() {
		s += ", until " + g.Until.Format(time.DateOnly)
	}
	return s
}

// grantFor finds the requester's first active grant for t whose condition holds. When none does but
// the requester holds one, why says what kept it from applying.
func (t *RequestType) grantFor(grants []Grant, values Values, req celRequester, vars map[string]any, now time.Time) (*Grant, string) {
	var why string
	for _, g := range grants {
		if g.UserID != req.ID || normalizeTypeName(g.RequestType) != t.Name {
			continue
		}
		if !g.Active(now) {
			why = fmt.Sprintf("<@%s>'s authority for %s where %s ended on %s.", g.UserID, g.RequestType, g.Condition, g.Until.Format(time.DateOnly))
			continue
		}
		c := g.cond
		if c == nil {
			var err error
			if c, err = compileCondition(t, g.Condition); err != nil {
				why = fmt.Sprintf("<@%s>'s authority for %s no longer fits the form (%v), so it was not used.", g.UserID, g.Describe(), err)
				continue
			}
		}
		inside, err := c.eval(vars)
		if err != nil {
			why = fmt.Sprintf("<@%s>'s authority for %s could not be checked (%v), so it was not used.", g.UserID, g.Describe(), err)
			continue
		}
		if !inside {
			why = fmt.Sprintf("The request is outside <@%s>'s authority for %s.", g.UserID, g.Describe())
			continue
		}
		g.cond = c
		reason := fmt.Sprintf("Inside <@%s>'s authority for %s", g.UserID, g.Describe())
		if looked := t.looked(c, values, req); looked != "" {
			reason += ", with " + looked
		}
		return &g, reason
	}
	return nil, why
}

func grantCmpTerm(t *RequestType, name, op, value string) (string, error) {
	f, ok := t.Field(name)
	if !ok {
		return "", noFieldError(t, name)
	}
	switch op {
	case "=":
		op = "=="
	case "=<":
		op = "<="
	case "=>":
		op = ">="
	}
	ordered := f.Kind == FieldNumber || f.Kind == FieldDate
	if !ordered && op != "==" && op != "!=" {
		return "", Errorf(EInvalid, "%s can only be compared with = or !=, or listed as `%s in (a, b)`.", f.Name, f.Name)
	}
	lit, err := celLiteral(f, value)
	if err != nil {
		return "", err
	}
	return f.Name + " " + op + " " + lit, nil
}

func grantInTerm(t *RequestType, name, op, list string) (string, error) {
	f, ok := t.Field(name)
	if !ok {
		return "", noFieldError(t, name)
	}
	var lits []string
	for _, item := range strings.Split(list, ",") {
		item = strings.Trim(strings.TrimSpace(item), `"'`)
		if item == "" {
			continue
		}
		lit, err := celLiteral(f, item)
		if err != nil {
			return "", err
		}
		lits = append(lits, lit)
	}
	if len(lits) == 0 {
		return "", Errorf(EInvalid, "List the values in the brackets, for example `%s in (%s)`.", f.Name, f.example())
	}
	term := f.Name + " in [" + strings.Join(lits, ", ") + "]"
	if op == "not in" {
		term = "!(" + term + ")"
	}
	return term, nil
}

// celLiteral reads a typed value for f and writes it as a CEL literal.
func celLiteral(f *Field, value string) (string, error) {
	v, err := f.ParseValue(value)
	if err != nil {
		return "", err
	}
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case time.Time:
		return fmt.Sprintf("timestamp(%q)", x.Format(time.RFC3339)), nil
	}
	return strconv.Quote(fmt.Sprint(v)), nil
}

func noFieldError(t *RequestType, name string) *Error {
	return Errorf(EInvalid, "%s has no field %q. Its fields are %s.", t.Title, name, strings.Join(t.FieldNames(), ", "))
}

func grantExample(t *RequestType) string {
	for _, f := range t.Fields {
		if f.Kind == FieldNumber {
			return "`" + f.Name + "<=5000`"
		}
	}
	if len(t.Fields) == 0 {
		return "`true`"
	}
	return "`" + t.Fields[0].Name + "=" + t.Fields[0].example() + "`"
}

func parseUntil(s string, loc *time.Location, now time.Time) (time.Time, error) {
	day, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, Errorf(EInvalid, "%q isn't a day: write until as YYYY-MM-DD, for example `until 2026-12-31`.", s)
	}
	until := dayStart(day.AddDate(0, 0, 1), loc).Add(-time.Nanosecond)
	if until.Before(now) {
		return time.Time{}, Errorf(EInvalid, "%s has passed; pick a day from today on.", s)
	}
	return until, nil
}

// cutBackticks takes `raw CEL` off the front of s; ok is false when the backticks don't close round
// some text.
func cutBackticks(s string) (inner, rest string, ok bool) {
	after, found := strings.CutPrefix(s, "`")
	if !found {
		return "", s, false
	}
	inner, rest, ok = strings.Cut(after, "`")
	return strings.TrimSpace(inner), rest, ok && strings.TrimSpace(inner) != ""
}

// The kinds of a grant's events.
const (
	GrantGranted = "granted"
	GrantUsed    = "used"
	GrantRevoked = "revoked"
	GrantExpired = "expired"
)

// GrantRef is the short ID people type: G-3.
func GrantRef(n int64) string { return fmt.Sprintf("G-%d", n) }

// GrantEvent is one entry of a grant's audit trail.
type GrantEvent struct {
	ID            int64     `db:"id"`
	GrantID       int64     `db:"grant_id"`
	Kind          string    `db:"kind"`
	Actor         string    `db:"actor"`
	RequestNumber int64     `db:"request_number"`
	At            time.Time `db:"at"`
}
