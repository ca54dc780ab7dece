package baton

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ObjectiveStatus is where an objective stands.
type ObjectiveStatus string

// The objective statuses.
const (
	ObjectiveActive   ObjectiveStatus = "active"
	ObjectiveAchieved ObjectiveStatus = "achieved"
	ObjectiveDropped  ObjectiveStatus = "dropped"
)

// ParseObjectiveStatus reads an objective's status as typed.
func ParseObjectiveStatus(s string) (ObjectiveStatus, error) {
	switch st := ObjectiveStatus(strings.ToLower(strings.TrimSpace(s))); st {
	case ObjectiveActive, ObjectiveAchieved, ObjectiveDropped:
		return st, nil
	}
	return "", Errorf(EInvalid, "An objective is `active`, `achieved` or `dropped`.")
}

// Objective is a goal for a period: the company's, a team's or a person's. A parent objective is the
// broader goal it serves.
type Objective struct {
	ID        int64           `db:"id"`
	TeamID    string          `db:"team_id"`
	Number    int64           `db:"number"`
	Title     string          `db:"title"`
	OwnerID   string          `db:"owner_id"`
	Period    string          `db:"period"`
	ParentID  int64           `db:"parent_id"` // 0: no parent
	Status    ObjectiveStatus `db:"status"`
	CreatedBy string          `db:"created_by"`
	CreatedAt time.Time       `db:"created_at"`
	UpdatedAt time.Time       `db:"updated_at"`
}

// Ref is the short ID people type: O-3.
func (o *Objective) Ref() string { return ObjectiveRef(o.Number) }

// ObjectiveRef formats an objective number as its short ID.
func ObjectiveRef(n int64) string { return fmt.Sprintf("O-%d", n) }

// KRKind says how a key result measures progress.
type KRKind string

// The kinds of key result.
const (
	KRMetric KRKind = "metric" // a number moving from start to target
	KRRollup KRKind = "rollup" // the share of its linked tasks that are done
)

// KeyResult is a measurable result an objective is reached through.
type KeyResult struct {
	ID          int64     `db:"id"`
	TeamID      string    `db:"team_id"`
	Number      int64     `db:"number"`
	ObjectiveID int64     `db:"objective_id"`
	Title       string    `db:"title"`
	OwnerID     string    `db:"owner_id"`
	Kind        KRKind    `db:"kind"`
	Weight      float64   `db:"weight"`
	Start       float64   `db:"start_value"`
	Target      float64   `db:"target_value"`
	Current     float64   `db:"current_value"`
	Unit        string    `db:"unit"`
	CreatedBy   string    `db:"created_by"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
	// CheckedAt is when its value last moved: the latest check-in, or its creation.
	CheckedAt time.Time `db:"checked_at"`
	// RollDone and RollTotal are the weights of its done and of all its linked tasks.
	RollDone  float64 `db:"roll_done"`
	RollTotal float64 `db:"roll_total"`
	// Checkins is how many check-ins it has had.
	Checkins int `db:"checkins"`
}

// Ref is the short ID people type: KR-7.
func (k *KeyResult) Ref() string { return KRRef(k.Number) }

// KRRef formats a key result number as its short ID.
func KRRef(n int64) string { return fmt.Sprintf("KR-%d", n) }

// Progress is how far the key result has come, from 0 to 1.
func (k *KeyResult) Progress() float64 {
	if k.Kind == KRRollup {
		return RollupProgress(k.RollDone, k.RollTotal)
	}
	return MetricProgress(k.Start, k.Target, k.Current)
}

// MetricProgress is (current − start) / (target − start), held within [0, 1]. It works the same way
// for a target below the start (cutting costs). A target equal to the start measures nothing: 0.
func MetricProgress(start, target, current float64) float64 {
	if target == start {
		return 0
	}
	return clamp01((current - start) / (target - start))
}

// RollupProgress is the weight of done linked tasks over the weight of all of them; 0 without any.
func RollupProgress(done, total float64) float64 {
	if total <= 0 {
		return 0
	}
	return clamp01(done / total)
}

func clamp01(p float64) float64 {
	switch {
	case math.IsNaN(p) || p < 0:
		return 0
	case p > 1:
		return 1
	}
	return p
}

// ObjectiveProgress is the weighted average of its key results' progress. It reports false when the
// objective has no key results to measure it by.
func ObjectiveProgress(krs []KeyResult) (float64, bool) {
	var sum, weights float64
	for i := range krs {
		w := krs[i].Weight
		if w <= 0 {
			w = 1
		}
		sum += w * krs[i].Progress()
		weights += w
	}
	if weights == 0 {
		return 0, false
	}
	return clamp01(sum / weights), true
}

// Percent is a progress as a whole percentage, rounded down so that 100% means done.
func Percent(p float64) int { return int(math.Floor(clamp01(p)*100 + 1e-9)) }

// Limits on what people type into OKRs.
const (
	MaxOKRTitleLen = 200
	MaxUnitLen     = 20
	MaxKRWeight    = 100
)

// ValidateOKRTitle checks the title of an objective or key result.
func ValidateOKRTitle(what, title string) error {
	n := utf8.RuneCountInString(strings.TrimSpace(title))
	if n == 0 {
		return Errorf(EInvalid, "The %s needs a title: say in a few words what it is.", what)
	}
	if n > MaxOKRTitleLen {
		return Errorf(EInvalid, "The title is %d characters long; keep it to %d.", n, MaxOKRTitleLen)
	}
	return nil
}

// NewObjective builds an objective owned by ownerID for a period, checked as typed.
func NewObjective(teamID, actor, ownerID, title, period string, now time.Time) (Objective, error) {
	title = strings.TrimSpace(title)
	if err := ValidateOKRTitle("objective", title); err != nil {
		return Objective{}, err
	}
	if ownerID == "" {
		return Objective{}, Errorf(EInvalid, "Choose who owns the objective.")
	}
	p, err := ParsePeriod(period)
	if err != nil {
		return Objective{}, err
	}
	return Objective{TeamID: teamID, Title: title, OwnerID: ownerID, Period: p.String(), Status: ObjectiveActive,
		CreatedBy: actor, CreatedAt: now, UpdatedAt: now}, nil
}

// KRSpec is a key result as typed into its form.
type KRSpec struct {
	Title   string
	OwnerID string
	Kind    KRKind
	Start   string
	Target  string
	Unit    string
	Weight  string
}

// KRField names the field of a KRSpec an error is about.
type KRField string

// The fields of a key result's form.
const (
	KRFieldTitle  KRField = "title"
	KRFieldOwner  KRField = "owner"
	KRFieldStart  KRField = "start"
	KRFieldTarget KRField = "target"
	KRFieldUnit   KRField = "unit"
	KRFieldWeight KRField = "weight"
)

// NewKeyResult builds a key result of an objective from its form. Errors come per field, every
// problem at once, so the form can show each under its field.
func NewKeyResult(o Objective, actor string, s KRSpec, now time.Time) (KeyResult, map[KRField]error) {
	errs := map[KRField]error{}
	title := strings.TrimSpace(s.Title)
	if err := ValidateOKRTitle("key result", title); err != nil {
		errs[KRFieldTitle] = err
	}
	if s.OwnerID == "" {
		errs[KRFieldOwner] = Errorf(EInvalid, "Choose who owns the key result.")
	}
	k := KeyResult{TeamID: o.TeamID, ObjectiveID: o.ID, Title: title, OwnerID: s.OwnerID, Kind: s.Kind, Weight: 1,
		CreatedBy: actor, CreatedAt: now, UpdatedAt: now, CheckedAt: now}
	if strings.TrimSpace(s.Weight) != "" {
		w, err := ParseKRWeight(s.Weight)
		if err != nil {
			errs[KRFieldWeight] = err
		}
		k.Weight = w
	}
	switch s.Kind {
	case KRRollup:
	case KRMetric:
		start, err := ParseOKRNumber(s.Start)
		if err != nil {
			errs[KRFieldStart] = err
		}
		target, err := ParseOKRNumber(s.Target)
		if err != nil {
			errs[KRFieldTarget] = err
		}
		if errs[KRFieldStart] == nil && errs[KRFieldTarget] == nil && start == target {
			errs[KRFieldTarget] = Errorf(EInvalid, "The target equals the start, so there is nothing to measure. Give a target above or below %s.", FormatOKRNumber(start))
		}
		unit := strings.TrimSpace(s.Unit)
		if utf8.RuneCountInString(unit) > MaxUnitLen {
			errs[KRFieldUnit] = Errorf(EInvalid, "Keep the unit to %d characters, like `%%`, `users` or `€k`.", MaxUnitLen)
		}
		k.Start, k.Target, k.Current, k.Unit = start, target, start, unit
	default:
		errs[KRFieldTarget] = Errorf(EInvalid, "Choose how the key result is measured: a number, or its linked tasks.")
	}
	if len(errs) > 0 {
		return KeyResult{}, errs
	}
	return k, nil
}

// Edit changes what a key result is: its title, owner and weight and, for a number, its start, target
// and unit. How it is measured, its current value and its history stay. Errors come per field, like
// NewKeyResult's, and leave the key result as it was.
func (k *KeyResult) Edit(o Objective, s KRSpec, now time.Time) map[KRField]error {
	s.Kind = k.Kind
	next, errs := NewKeyResult(o, k.CreatedBy, s, now)
	if errs != nil {
		return errs
	}
	k.Title, k.OwnerID, k.Weight, k.UpdatedAt = next.Title, next.OwnerID, next.Weight, now
	if k.Kind == KRMetric {
		k.Start, k.Target, k.Unit = next.Start, next.Target, next.Unit
	}
	return nil
}

// KRCheckin is one append-only entry of a key result's history: the value someone reported.
type KRCheckin struct {
	ID      int64     `db:"id"`
	KRID    int64     `db:"kr_id"`
	TeamID  string    `db:"team_id"`
	Value   float64   `db:"value"`
	Comment string    `db:"comment"`
	Actor   string    `db:"actor_id"`
	At      time.Time `db:"at"`
}

// CanCheckIn reports whether a person may record a key result's value: its owner, the owner of its
// objective, or a workspace admin.
func (k *KeyResult) CanCheckIn(userID, objectiveOwner string, isAdmin bool) bool {
	return isAdmin || userID == k.OwnerID || userID == objectiveOwner
}

// CheckIn records a new value of a metric key result. A roll-up key result moves with its tasks only.
func (k *KeyResult) CheckIn(actor string, value float64, comment string, now time.Time) (KRCheckin, error) {
	if k.Kind == KRRollup {
		return KRCheckin{}, Errorf(EInvalid, "%s follows its linked tasks: its progress moves when they are done or reopened, so there is no value to record.", k.Ref())
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return KRCheckin{}, Errorf(EInvalid, "Give the new value as a number, like `42` or `12.5`.")
	}
	comment = strings.TrimSpace(comment)
	if n := utf8.RuneCountInString(comment); n > MaxNoteLen {
		return KRCheckin{}, Errorf(EInvalid, "The comment is %d characters long; keep it to %d.", n, MaxNoteLen)
	}
	k.Current, k.UpdatedAt, k.CheckedAt = value, now, now
	return KRCheckin{KRID: k.ID, TeamID: k.TeamID, Value: value, Comment: comment, Actor: actor, At: now}, nil
}

var (
	okrNumberRe    = regexp.MustCompile(`^[+-]?(\d{1,15}(\.\d{1,6})?|\.\d{1,6})%?$`)
	okrThousandsRe = regexp.MustCompile(`^[+-]?\d{1,3}(,\d{3})+(\.\d+)?%?$`)
)

// ParseOKRNumber reads a value people type: 42, -3.5, 12.5%, 1,200 (a thousands separator).
func ParseOKRNumber(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, Errorf(EInvalid, "Give a number, like `42` or `12.5`.")
	}
	plain := strings.ReplaceAll(t, "_", "")
	if okrThousandsRe.MatchString(plain) {
		plain = strings.ReplaceAll(plain, ",", "")
	}
	if !okrNumberRe.MatchString(plain) {
		return 0, Errorf(EInvalid, "`%s` is not a number. Give one like `42`, `-3.5` or `12.5`.", clipWord(t))
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(plain, "%"), 64)
	if err != nil {
		return 0, Errorf(EInvalid, "`%s` is not a number. Give one like `42`, `-3.5` or `12.5`.", clipWord(t))
	}
	return v, nil
}

// FormatOKRNumber shows a value without needless decimals: 42, 12.5, 1200.
func FormatOKRNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ParseKRWeight reads a key result's weight: a number above 0, at most MaxKRWeight.
func ParseKRWeight(s string) (float64, error) {
	w, err := ParseOKRNumber(s)
	if err != nil || w <= 0 || w > MaxKRWeight {
		return 1, Errorf(EInvalid, "The weight is how much this key result counts in its objective: a number above 0 and at most %d (1 when left empty).", MaxKRWeight)
	}
	return w, nil
}

// clipWord keeps a word the user typed short enough to quote back, with no backquote to break the
// code span it is quoted in.
func clipWord(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return strings.ReplaceAll(s, "`", "'")
	}
	return strings.ReplaceAll(string([]rune(s)[:40]), "`", "'") + "…"
}

// ParseKRLink reads the key result a task is to serve as typed: KR-7, or KR-7*3 for a task that counts
// three times in its roll-up. The weight is 1 when not given.
func ParseKRLink(s string) (int64, float64, error) {
	ref, w, weighted := strings.Cut(strings.TrimSpace(s), "*")
	n, ok := ParseKRRef(ref)
	if !ok {
		return 0, 0, Errorf(EInvalid, "`%s` is not a key result. Write its short ID, like KR-7 (or KR-7*3 for a task that counts three times); `/okr` lists them.", clipWord(s))
	}
	if !weighted {
		return n, 1, nil
	}
	weight, err := ParseOKRNumber(w)
	if err != nil || weight <= 0 || weight > MaxKRWeight {
		return 0, 0, Errorf(EInvalid, "After the * comes how much the task counts in %s: a number above 0 and at most %d, like KR-7*3.", KRRef(n), MaxKRWeight)
	}
	return n, weight, nil
}

// CheckParent refuses to make parentID the parent of childID when that would close a loop: parentID
// is childID itself, or childID is already above parentID. parentOf gives each objective's current
// parent (0 for none); a chain longer than the map (a loop already stored) is refused too.
func CheckParent(childID, parentID int64, parentOf map[int64]int64, childRef, parentRef string) error {
	if parentID == 0 {
		return nil
	}
	seen := map[int64]bool{}
	for at := parentID; at != 0; at = parentOf[at] {
		if at == childID {
			if parentID == childID {
				return Errorf(EInvalid, "%s cannot be its own parent objective. Choose a broader objective.", childRef)
			}
			return Errorf(EInvalid, "%s already sits under %s, so %s cannot be its parent: that would make a loop. Choose an objective above both, or none.", parentRef, childRef, parentRef)
		}
		if seen[at] {
			return Errorf(EInvalid, "The objectives above %s already form a loop. Ask an admin to fix their parents.", parentRef)
		}
		seen[at] = true
	}
	return nil
}

// Alignment is the goal a task serves: its key result, then that key result's objective and every
// objective above it, nearest first.
type Alignment struct {
	KR         KeyResult
	Objectives []Objective
}

// DefaultOKRReminderDays is how many days a key result may go without a check-in before its owner is
// reminded, unless the workspace says otherwise.
const DefaultOKRReminderDays = 7

// ValidateOKRReminderDays checks a workspace's key result reminder interval: 1 to 90 days.
func ValidateOKRReminderDays(days int) error {
	if days < 1 || days > 90 {
		return Errorf(EInvalid, "Give a number of days from 1 to 90, like `/baton okr-reminder-days 7`.")
	}
	return nil
}

// ParseOKRReminderDays reads the days of `/baton okr-reminder-days 7`.
func ParseOKRReminderDays(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(strings.ToLower(s)), "d")))
	if err != nil {
		return 0, Errorf(EInvalid, "Give a number of days from 1 to 90, like `/baton okr-reminder-days 7`.")
	}
	return n, ValidateOKRReminderDays(n)
}

// CheckInDue is when the owner of a metric key result checked at checkedAt should be reminded.
func CheckInDue(checkedAt time.Time, days int) time.Time {
	return checkedAt.Add(time.Duration(days) * 24 * time.Hour)
}
