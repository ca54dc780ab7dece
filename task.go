package baton

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on what people type into a task.
const (
	MaxTitleLen       = 200
	MaxDescriptionLen = 2900
	MaxNoteLen        = 1000
)

// Task is a piece of delegated work: one owner does it, one delegator handed it over.
type Task struct {
	ID              int64     `db:"id"`
	TeamID          string    `db:"team_id"`
	Number          int64     `db:"number"`
	Title           string    `db:"title"`
	Description     string    `db:"description"`
	OwnerID         string    `db:"owner_id"`
	DelegatorID     string    `db:"delegator_id"`
	Status          Status    `db:"status"`
	BlockedReason   string    `db:"blocked_reason"`
	Due             Due       `db:"-"`
	ChannelID       string    `db:"channel_id"`
	CardTS          string    `db:"card_ts"`
	CardLink        string    `db:"card_link"` // the card's permalink, "" until it is known
	SourceChannelID string    `db:"source_channel_id"`
	SourceTS        string    `db:"source_ts"`
	SourceLink      string    `db:"source_link"`
	KRID            int64     `db:"kr_id"`     // the key result the task serves, 0 for none
	KRWeight        float64   `db:"kr_weight"` // how much the task counts in its key result's roll-up
	CreatedAt       time.Time `db:"created_at"`
	UpdatedAt       time.Time `db:"updated_at"`
	StatusChangedAt time.Time `db:"status_changed_at"`
	UpdateAskedAt   time.Time `db:"-"` // when the owner was last asked for an update; zero for never
}

// Ref is the short ID people type: T-12.
func (t *Task) Ref() string { return TaskRef(t.Number) }

// TaskRef formats a task number as its short ID.
func TaskRef(n int64) string { return fmt.Sprintf("T-%d", n) }

// Overdue reports whether an open task has passed its due moment.
func (t *Task) Overdue(now time.Time) bool {
	return t.Status.Open() && t.Due.Set() && !now.Before(t.Due.At)
}

// CanAct reports whether a user may change the task: its owner, its delegator, or a workspace admin.
func (t *Task) CanAct(userID string, isAdmin bool) bool {
	return isAdmin || userID == t.OwnerID || userID == t.DelegatorID
}

// ForbiddenError is the refusal shown to someone who may not change the task.
func (t *Task) ForbiddenError() *Error {
	return Errorf(EForbidden, "Only <@%s> (owner) or <@%s> (delegator) can change %s — ask one of them, or a workspace admin.",
		t.OwnerID, t.DelegatorID, t.Ref())
}

// EventKind names what happened to a task.
type EventKind string

// The kinds of task events.
const (
	EventCreated    EventKind = "created"
	EventStatus     EventKind = "status"
	EventReassigned EventKind = "reassigned"
	EventDue        EventKind = "due"
	EventUpdate     EventKind = "update"
	EventGoal       EventKind = "goal"  // From and To are the key results' short IDs, "" for none
	EventAsked      EventKind = "asked" // the delegator asked the owner (To) how the task stands
)

// TaskEvent is one append-only entry of a task's history.
type TaskEvent struct {
	ID     int64     `db:"id"`
	TaskID int64     `db:"task_id"`
	TeamID string    `db:"team_id"`
	Kind   EventKind `db:"kind"`
	Actor  string    `db:"actor_id"`
	From   string    `db:"from_value"`
	To     string    `db:"to_value"`
	Note   string    `db:"note"`
	At     time.Time `db:"at"`
}

// NewTask checks a task before it is created and returns it with its creation event.
func NewTask(teamID, delegatorID, ownerID, title, description string, due Due, now time.Time) (Task, TaskEvent, error) {
	title = strings.TrimSpace(title)
	description = strings.TrimSpace(description)
	if err := ValidateTitle(title); err != nil {
		return Task{}, TaskEvent{}, err
	}
	if utf8.RuneCountInString(description) > MaxDescriptionLen {
		return Task{}, TaskEvent{}, Errorf(EInvalid, "The description is %d characters long; keep it to %d at most.",
			utf8.RuneCountInString(description), MaxDescriptionLen)
	}
	if ownerID == "" {
		return Task{}, TaskEvent{}, Errorf(EInvalid, "Choose who owns the task.")
	}
	t := Task{
		TeamID: teamID, Title: title, Description: description, OwnerID: ownerID, DelegatorID: delegatorID,
		Status: StatusTodo, Due: due, CreatedAt: now, UpdatedAt: now, StatusChangedAt: now,
	}
	ev := TaskEvent{TeamID: teamID, Kind: EventCreated, Actor: delegatorID, To: ownerID, At: now}
	return t, ev, nil
}

// ValidateTitle checks a task title as typed.
func ValidateTitle(title string) error {
	n := utf8.RuneCountInString(strings.TrimSpace(title))
	if n == 0 {
		return Errorf(EInvalid, "A task needs a title: say in a few words what has to be done.")
	}
	if n > MaxTitleLen {
		return Errorf(EInvalid, "The title is %d characters long; keep it to %d and put the rest in the description.", n, MaxTitleLen)
	}
	return nil
}

func checkNote(note string, required bool, what string) (string, error) {
	note = strings.TrimSpace(note)
	if required && note == "" {
		return "", Errorf(EInvalid, "%s", what)
	}
	if n := utf8.RuneCountInString(note); n > MaxNoteLen {
		return "", Errorf(EInvalid, "The note is %d characters long; keep it to %d at most.", n, MaxNoteLen)
	}
	return note, nil
}

// ChangeStatus moves the task to another status. Blocked needs a reason.
func (t *Task) ChangeStatus(actor string, to Status, note string, now time.Time) (TaskEvent, error) {
	if err := CheckTransition(t.Status, to); err != nil {
		return TaskEvent{}, err
	}
	note, err := checkNote(note, to == StatusBlocked, "Say what is blocking the task, so the delegator can help.")
	if err != nil {
		return TaskEvent{}, err
	}
	ev := TaskEvent{TaskID: t.ID, TeamID: t.TeamID, Kind: EventStatus, Actor: actor, From: string(t.Status), To: string(to), Note: note, At: now}
	t.Status = to
	t.BlockedReason = ""
	if to == StatusBlocked {
		t.BlockedReason = note
	}
	t.StatusChangedAt = now
	t.UpdatedAt = now
	return ev, nil
}

// Reassign hands the task to another owner.
func (t *Task) Reassign(actor, newOwner, note string, now time.Time) (TaskEvent, error) {
	if newOwner == "" {
		return TaskEvent{}, Errorf(EInvalid, "Choose who should own the task.")
	}
	if newOwner == t.OwnerID {
		return TaskEvent{}, Errorf(EConflict, "<@%s> already owns %s.", newOwner, t.Ref())
	}
	note, err := checkNote(note, false, "")
	if err != nil {
		return TaskEvent{}, err
	}
	ev := TaskEvent{TaskID: t.ID, TeamID: t.TeamID, Kind: EventReassigned, Actor: actor, From: t.OwnerID, To: newOwner, Note: note, At: now}
	t.OwnerID = newOwner
	t.UpdatedAt = now
	t.UpdateAskedAt = time.Time{} // the new owner has not been asked yet
	return ev, nil
}

// ChangeDue sets or clears the due date.
func (t *Task) ChangeDue(actor string, due Due, note string, now time.Time) (TaskEvent, error) {
	if due.Equal(t.Due) {
		if !due.Set() {
			return TaskEvent{}, Errorf(EConflict, "%s has no due date already.", t.Ref())
		}
		return TaskEvent{}, Errorf(EConflict, "%s is already due %s.", t.Ref(), due.Text())
	}
	note, err := checkNote(note, false, "")
	if err != nil {
		return TaskEvent{}, err
	}
	ev := TaskEvent{TaskID: t.ID, TeamID: t.TeamID, Kind: EventDue, Actor: actor, From: t.Due.String(), To: due.String(), Note: note, At: now}
	t.Due = due
	t.UpdatedAt = now
	return ev, nil
}

// ServeGoal links the task to the key result it serves (krID 0: none), counting weight in its
// roll-up. from and to are the key results' short IDs as people see them, "" for none.
func (t *Task) ServeGoal(actor string, krID int64, weight float64, from, to string, now time.Time) (TaskEvent, error) {
	if krID == t.KRID && (krID == 0 || weight == t.KRWeight) {
		if krID == 0 {
			return TaskEvent{}, Errorf(EConflict, "%s serves no key result already.", t.Ref())
		}
		return TaskEvent{}, Errorf(EConflict, "%s already serves %s.", t.Ref(), to)
	}
	ev := TaskEvent{TaskID: t.ID, TeamID: t.TeamID, Kind: EventGoal, Actor: actor, From: from, To: to, At: now}
	t.KRID, t.KRWeight, t.UpdatedAt = krID, weight, now
	return ev, nil
}

// LogUpdate records a progress note without changing anything else.
func (t *Task) LogUpdate(actor, note string, now time.Time) (TaskEvent, error) {
	note, err := checkNote(note, true, "Write the update you want to log.")
	if err != nil {
		return TaskEvent{}, err
	}
	t.UpdatedAt = now
	return TaskEvent{TaskID: t.ID, TeamID: t.TeamID, Kind: EventUpdate, Actor: actor, Note: note, At: now}, nil
}
