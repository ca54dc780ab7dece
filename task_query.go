package baton

import "time"

// TaskQuery selects tasks of one workspace. Zero fields do not filter.
type TaskQuery struct {
	TeamID      string // required: a query never crosses workspaces
	OwnerID     string
	DelegatorID string
	Statuses    []Status
	Open        bool      // only tasks that are not Done
	DueBefore   time.Time // only tasks due at or before this moment
	// UrgentAt, when set, orders the tasks by urgency at that moment (see CompareUrgency) instead of
	// by due date alone.
	UrgentAt time.Time
	Limit    int // 0 = no limit
	Offset   int
}

// TaskSection is one list of a page that shows several: its first tasks and how many it holds in all.
type TaskSection struct {
	Tasks []Task
	Total int
}
