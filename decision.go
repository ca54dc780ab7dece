package baton

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on what people type into a decision record. Slack's plain text inputs take at most 3,000
// characters; a decision's title is kept short enough to read as a heading.
const (
	MaxDecisionTitleLen = 150
	MaxDecisionTextLen  = 3000
	MaxFlagNoteLen      = 500
	MaxFlagged          = 20
)

// DecisionStatus is where a decision stands.
type DecisionStatus string

// The statuses of a decision.
const (
	DecisionProposed   DecisionStatus = "proposed"
	DecisionAccepted   DecisionStatus = "accepted"
	DecisionRejected   DecisionStatus = "rejected"
	DecisionSuperseded DecisionStatus = "superseded"
)

// DecisionStatuses lists the statuses in the order a form offers them.
var DecisionStatuses = []DecisionStatus{DecisionProposed, DecisionAccepted, DecisionRejected, DecisionSuperseded}

// Label is the status as people read it.
func (s DecisionStatus) Label() string {
	switch s {
	case DecisionProposed:
		return "Proposed"
	case DecisionAccepted:
		return "Accepted"
	case DecisionRejected:
		return "Rejected"
	case DecisionSuperseded:
		return "Superseded"
	}
	return string(s)
}

// Emoji marks the status on cards and lists.
func (s DecisionStatus) Emoji() string {
	switch s {
	case DecisionAccepted:
		return ":white_check_mark:"
	case DecisionRejected:
		return ":no_entry_sign:"
	case DecisionSuperseded:
		return ":leftwards_arrow_with_hook:"
	}
	return ":thought_balloon:"
}

// ParseDecisionStatus reads a status value from a form.
func ParseDecisionStatus(v string) (DecisionStatus, error) {
	s := DecisionStatus(strings.ToLower(strings.TrimSpace(v)))
	if slices.Contains(DecisionStatuses, s) {
		return s, nil
	}
	return "", Errorf(EInvalid, "Choose a status: proposed, accepted, rejected or superseded.")
}

// The fields of a decision, by the names versions record as changed.
const (
	FieldTitle        = "title"
	FieldContext      = "context"
	FieldDecision     = "decision"
	FieldAlternatives = "alternatives"
	FieldStatus       = "status"
	FieldTask         = "task"
	FieldKR           = "kr"
	FieldRequest      = "request"
	FieldSupersedes   = "supersedes"
	FieldFlagged      = "flagged"
)

// DecisionFieldOrder is the order fields are shown and compared in.
var DecisionFieldOrder = []string{FieldTitle, FieldStatus, FieldDecision, FieldContext, FieldAlternatives,
	FieldTask, FieldKR, FieldRequest, FieldSupersedes, FieldFlagged}

// DecisionFieldLabel is a field's name as people read it.
func DecisionFieldLabel(field string) string {
	switch field {
	case FieldKR:
		return "Key result"
	case FieldAlternatives:
		return "Alternatives considered"
	case FieldFlagged:
		return "Flagged for"
	}
	return strings.ToUpper(field[:1]) + field[1:]
}

// DecisionFields are what one version of a decision says. Zero numbers are links not made.
type DecisionFields struct {
	Title        string         `db:"title"`
	Context      string         `db:"context"`
	Decision     string         `db:"decision"`
	Alternatives string         `db:"alternatives"`
	Status       DecisionStatus `db:"status"`
	TaskNumber   int64          `db:"task_number"`
	KRNumber     int64          `db:"kr_number"`
	// RequestNumber links an approval request, R-9.
	RequestNumber    int64    `db:"request_number"`
	SupersedesNumber int64    `db:"supersedes_number"`
	Flagged          []string `db:"-"`
}

// Validate checks the fields as typed. The map, keyed by field name, says what is wrong with each
// and how to fix it; it is nil when all is well.
func (f DecisionFields) Validate() map[string]string {
	errs := map[string]string{}
	switch n := utf8.RuneCountInString(f.Title); {
	case strings.TrimSpace(f.Title) == "":
		errs[FieldTitle] = "Give the decision a short title, for example “Use Postgres for the job queue”."
	case n > MaxDecisionTitleLen:
		errs[FieldTitle] = fmt.Sprintf("The title is %d characters long; keep it to %d and put the rest in the context.", n, MaxDecisionTitleLen)
	}
	if strings.TrimSpace(f.Decision) == "" {
		errs[FieldDecision] = "Write down what was decided."
	}
	for field, text := range map[string]string{FieldContext: f.Context, FieldDecision: f.Decision, FieldAlternatives: f.Alternatives} {
		if n := utf8.RuneCountInString(text); n > MaxDecisionTextLen {
			errs[field] = fmt.Sprintf("This is %d characters long; Slack takes at most %d. Shorten it or link to a document.", n, MaxDecisionTextLen)
		}
	}
	if !slices.Contains(DecisionStatuses, f.Status) {
		errs[FieldStatus] = "Choose a status: proposed, accepted, rejected or superseded."
	}
	if len(f.Flagged) > MaxFlagged {
		errs[FieldFlagged] = fmt.Sprintf("Flag at most %d people; mention a channel in the text for a wider audience.", MaxFlagged)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// Decision is a decision record, D-4: its current version and where its card lives.
type Decision struct {
	ID     int64  `db:"id"`
	TeamID string `db:"team_id"`
	Number int64  `db:"number"`
	DecisionFields
	AuthorID           string    `db:"author_id"`
	Version            int       `db:"version"`
	SupersededByNumber int64     `db:"superseded_by_number"`
	ChannelID          string    `db:"channel_id"`
	CardTS             string    `db:"card_ts"`
	CardLink           string    `db:"card_link"` // the card's permalink, "" until it is known
	CreatedAt          time.Time `db:"created_at"`
	UpdatedAt          time.Time `db:"updated_at"`
	UpdatedBy          string    `db:"updated_by"`
}

// DecisionRef formats a decision number as its short ID.
func DecisionRef(n int64) string { return "D-" + strconv.FormatInt(n, 10) }

// Ref is the decision's short ID.
func (d *Decision) Ref() string { return DecisionRef(d.Number) }

// CanEdit reports whether a person may edit the decision: its author, someone it flags, or an admin.
func (d *Decision) CanEdit(userID string, isAdmin bool) bool {
	return isAdmin || userID == d.AuthorID || slices.Contains(d.Flagged, userID)
}

// ForbiddenError is the refusal shown to someone who may not edit the decision.
func (d *Decision) ForbiddenError() *Error {
	return Errorf(EForbidden, "Only <@%s> (author), the people %s is flagged for, or a workspace admin can edit %s — ask one of them.",
		d.AuthorID, d.Ref(), d.Ref())
}

// DecisionVersion is one append-only entry of a decision's history: what it said after an edit.
type DecisionVersion struct {
	ID         int64     `db:"id"`
	DecisionID int64     `db:"decision_id"`
	TeamID     string    `db:"team_id"`
	Version    int       `db:"version"`
	EditorID   string    `db:"editor_id"`
	At         time.Time `db:"at"`
	DecisionFields
	Changed []string `db:"-"`
}

// NewDecision checks the fields of a new decision and returns it with its first version.
func NewDecision(teamID, author string, f DecisionFields, now time.Time) (Decision, DecisionVersion, error) {
	f = f.normalized()
	if errs := f.Validate(); errs != nil {
		return Decision{}, DecisionVersion{}, fieldsError(errs)
	}
	d := Decision{TeamID: teamID, DecisionFields: f, AuthorID: author, Version: 1, CreatedAt: now, UpdatedAt: now, UpdatedBy: author}
	v := DecisionVersion{TeamID: teamID, Version: 1, EditorID: author, At: now, DecisionFields: f, Changed: ChangedFields(DecisionFields{}, f)}
	return d, v, nil
}

// Edit applies a new version typed by editor on top of version base. A base that is no longer the
// current version is refused as a conflict, so two editors never overwrite each other silently.
func (d *Decision) Edit(editor string, isAdmin bool, base int, f DecisionFields, now time.Time) (DecisionVersion, error) {
	if !d.CanEdit(editor, isAdmin) {
		return DecisionVersion{}, d.ForbiddenError()
	}
	if base != d.Version {
		return DecisionVersion{}, d.ConflictError(base)
	}
	f = f.normalized()
	if errs := f.Validate(); errs != nil {
		return DecisionVersion{}, fieldsError(errs)
	}
	if d.SupersedesNumber != 0 && f.SupersedesNumber != d.SupersedesNumber {
		return DecisionVersion{}, Errorf(EInvalid, "%s supersedes %s, and that link stays. Record a new decision to supersede it instead.",
			d.Ref(), DecisionRef(d.SupersedesNumber))
	}
	changed := ChangedFields(d.DecisionFields, f)
	if len(changed) == 0 {
		return DecisionVersion{}, Errorf(EInvalid, "Nothing changed, so no new version was saved.")
	}
	d.DecisionFields = f
	d.Version++
	d.UpdatedAt, d.UpdatedBy = now, editor
	return DecisionVersion{DecisionID: d.ID, TeamID: d.TeamID, Version: d.Version, EditorID: editor, At: now, DecisionFields: f, Changed: changed}, nil
}

// ConflictError is the refusal of an edit based on a version that is no longer current.
func (d *Decision) ConflictError(base int) *Error {
	return Errorf(EConflict, "%s changed while you were editing it: you started from version %d, and <@%s> saved version %d. Your changes were not saved; reload to start from the latest version.",
		d.Ref(), base, d.UpdatedBy, d.Version)
}

// Supersede marks the decision as superseded by decision number by, as a new version edited by editor.
func (d *Decision) Supersede(by int64, editor string, now time.Time) (DecisionVersion, error) {
	switch {
	case by == d.Number:
		return DecisionVersion{}, Errorf(EInvalid, "A decision cannot supersede itself.")
	case d.SupersededByNumber != 0 && d.SupersededByNumber != by:
		return DecisionVersion{}, Errorf(EConflict, "%s is already superseded by %s. Supersede %s instead.",
			d.Ref(), DecisionRef(d.SupersededByNumber), DecisionRef(d.SupersededByNumber))
	case d.SupersedesNumber == by:
		return DecisionVersion{}, Errorf(EInvalid, "%s supersedes %s, so %s cannot supersede it back.", d.Ref(), DecisionRef(by), DecisionRef(by))
	}
	d.SupersededByNumber = by
	f := d.DecisionFields
	f.Status = DecisionSuperseded
	changed := ChangedFields(d.DecisionFields, f)
	d.DecisionFields = f
	if len(changed) == 0 {
		return DecisionVersion{}, nil
	}
	d.Version++
	d.UpdatedAt, d.UpdatedBy = now, editor
	return DecisionVersion{DecisionID: d.ID, TeamID: d.TeamID, Version: d.Version, EditorID: editor, At: now, DecisionFields: f, Changed: changed}, nil
}

func (f DecisionFields) normalized() DecisionFields {
	f.Title = strings.TrimSpace(f.Title)
	f.Context = strings.TrimSpace(f.Context)
	f.Decision = strings.TrimSpace(f.Decision)
	f.Alternatives = strings.TrimSpace(f.Alternatives)
	var flagged []string
	for _, u := range f.Flagged {
		if u != "" && !slices.Contains(flagged, u) {
			flagged = append(flagged, u)
		}
	}
	f.Flagged = flagged
	return f
}

// fieldsError joins field errors into one domain error, in the form's order.
func fieldsError(errs map[string]string) *Error {
	var msgs []string
	for _, f := range DecisionFieldOrder {
		if m, ok := errs[f]; ok {
			msgs = append(msgs, DecisionFieldLabel(f)+": "+m)
		}
	}
	return &Error{Code: EInvalid, Message: strings.Join(msgs, " ")}
}

// ChangedFields lists the fields that differ between two versions, in DecisionFieldOrder.
func ChangedFields(prev, next DecisionFields) []string {
	var out []string
	for _, field := range DecisionFieldOrder {
		if prev.Value(field) != next.Value(field) {
			out = append(out, field)
		}
	}
	return out
}

// Value is a field's value as text: what a diff compares and a history shows.
func (f DecisionFields) Value(field string) string {
	ref := func(n int64, format func(int64) string) string {
		if n == 0 {
			return ""
		}
		return format(n)
	}
	switch field {
	case FieldTitle:
		return f.Title
	case FieldContext:
		return f.Context
	case FieldDecision:
		return f.Decision
	case FieldAlternatives:
		return f.Alternatives
	case FieldStatus:
		return f.Status.Label()
	case FieldTask:
		return ref(f.TaskNumber, TaskRef)
	case FieldKR:
		return ref(f.KRNumber, KRRef)
	case FieldRequest:
		return ref(f.RequestNumber, RequestRef)
	case FieldSupersedes:
		return ref(f.SupersedesNumber, DecisionRef)
	case FieldFlagged:
		mentions := make([]string, len(f.Flagged))
		for i, u := range f.Flagged {
			mentions[i] = "<@" + u + ">"
		}
		return strings.Join(mentions, " ")
	}
	return ""
}

var textMentionRe = regexp.MustCompile(`<@([UW][A-Z0-9]+)(?:\|[^>]*)?>`)

// Mentions lists the people mentioned in text as <@U123> or <@U123|name>, each once, in order.
func Mentions(text string) []string {
	var out []string
	for _, m := range textMentionRe.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// ToTell is who a new version puts the decision in front of: the people it is flagged for and those
// mentioned in its text, each once, never the editor.
func (v DecisionVersion) ToTell() []string {
	var out []string
	add := func(ids []string) {
		for _, id := range ids {
			if id != v.EditorID && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	add(v.Flagged)
	add(Mentions(v.Title + "\n" + v.Context + "\n" + v.Decision + "\n" + v.Alternatives))
	return out
}

// DecisionFlag puts one version of a decision in front of one person until they acknowledge it.
type DecisionFlag struct {
	ID             int64     `db:"id"`
	DecisionID     int64     `db:"decision_id"`
	UserID         string    `db:"user_id"`
	FlaggedBy      string    `db:"flagged_by"`
	Version        int       `db:"version"`
	Reason         string    `db:"reason"`
	FlaggedAt      time.Time `db:"flagged_at"`
	AcknowledgedAt time.Time `db:"-"`
	RemindedAt     time.Time `db:"-"`
}

// Acknowledged reports whether the person has acknowledged the flag.
func (f DecisionFlag) Acknowledged() bool { return !f.AcknowledgedAt.IsZero() }

// FlagReminderAfter is how long an unacknowledged flag waits before its one reminder.
const FlagReminderAfter = 24 * time.Hour

// DecisionQuery selects decisions of one workspace. Zero fields do not filter.
type DecisionQuery struct {
	TeamID     string
	TaskNumber int64
	KRNumber   int64
	UserID     string // author or flagged
	Words      string // full-text search over title, context and decision
	Limit      int
}

// DecisionSave is what storing a new decision, or a new version of one, did.
type DecisionSave struct {
	Before   Decision // the decision as it was; zero for a new one
	Decision Decision // as stored now
	Version  DecisionVersion
	// Superseded is the decision this one newly supersedes, as stored now: it points back and its
	// status is superseded.
	Superseded *Decision
	Flags      []DecisionFlag // the flags the new version raised
}

// PendingFlag is a decision waiting for a person's acknowledgement, with their latest flag on it.
type PendingFlag struct {
	Flag   DecisionFlag
	Number int64
	Title  string
	// ChannelID, CardTS and CardLink are where the decision's card is, "" until it is posted.
	ChannelID, CardTS, CardLink string
}
