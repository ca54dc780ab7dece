package baton

// Status is where a task stands.
type Status string

// The task statuses, in the order people move through them.
const (
	StatusTodo       Status = "todo"
	StatusInProgress Status = "in_progress"
	StatusInReview   Status = "in_review"
	StatusBlocked    Status = "blocked"
	StatusDone       Status = "done"
)

// Statuses lists every status in display order.
var Statuses = []Status{StatusTodo, StatusInProgress, StatusInReview, StatusBlocked, StatusDone}

// Label is the status as people read it.
func (s Status) Label() string {
	switch s {
	case StatusTodo:
		return "To do"
	case StatusInProgress:
		return "In progress"
	case StatusInReview:
		return "In review"
	case StatusBlocked:
		return "Blocked"
	case StatusDone:
		return "Done"
	}
	return string(s)
}

// Emoji is the status's marker on cards and lists.
func (s Status) Emoji() string {
	switch s {
	case StatusTodo:
		return ":white_circle:"
	case StatusInProgress:
		return ":large_blue_circle:"
	case StatusInReview:
		return ":eyes:"
	case StatusBlocked:
		return ":red_circle:"
	case StatusDone:
		return ":white_check_mark:"
	}
	return ""
}

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// Open reports whether work on the task is still going on.
func (s Status) Open() bool { return s.Valid() && s != StatusDone }

// ParseStatus reads a status value as rendered in a status select.
func ParseStatus(v string) (Status, error) {
	s := Status(v)
	if !s.Valid() {
		return "", Errorf(EInvalid, "%q is not a task status. Pick one of To do, In progress, In review, Blocked or Done.", v)
	}
	return s, nil
}

// transitions is the one table of allowed status moves. Any open status may move to any other
// status; a finished task can only be reopened (to To do or In progress).
var transitions = map[Status][]Status{
	StatusTodo:       {StatusInProgress, StatusInReview, StatusBlocked, StatusDone},
	StatusInProgress: {StatusTodo, StatusInReview, StatusBlocked, StatusDone},
	StatusInReview:   {StatusTodo, StatusInProgress, StatusBlocked, StatusDone},
	StatusBlocked:    {StatusTodo, StatusInProgress, StatusInReview, StatusDone},
	StatusDone:       {StatusTodo, StatusInProgress},
}

// CheckTransition says whether a task may move from one status to another, and why not.
func CheckTransition(from, to Status) error {
	if !to.Valid() {
		return Errorf(EInvalid, "%q is not a task status.", to)
	}
	if from == to {
		return Errorf(EConflict, "The task is already %s.", to.Label())
	}
	for _, s := range transitions[from] {
		if s == to {
			return nil
		}
	}
	if from == StatusDone {
		return Errorf(EInvalid, "This task is Done. Reopen it (To do or In progress) before moving it to %s.", to.Label())
	}
	return Errorf(EInvalid, "A task cannot move from %s to %s.", from.Label(), to.Label())
}
