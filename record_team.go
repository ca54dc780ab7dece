package baton

import "slices"

// TeamLine is one direct report as their manager's dashboard shows them: the few figures that say
// whether their delegated work is on track.
type TeamLine struct {
	UserID      string `db:"user_id"`
	Open        int    `db:"open"`
	Overdue     int    `db:"overdue"`
	Blocked     int    `db:"blocked"`
	DoneWithDue int    `db:"done_with_due"` // done in the last TeamLineDays that had a due date
	OnTime      int    `db:"on_time"`       // of those, done by it
	Waiting     int    `db:"waiting"`       // their requests waiting for approval
}

// TeamLineDays is how far back a dashboard's on-time rate looks.
const TeamLineDays = 90

// OnTimeRate is the share of DoneWithDue done on time, and whether there was any.
func (l TeamLine) OnTimeRate() (float64, bool) {
	if l.DoneWithDue == 0 {
		return 0, false
	}
	return float64(l.OnTime) / float64(l.DoneWithDue), true
}

// DirectReports are the people whose manager is managerID, in user ID order: in file (the policy
// file's managers) unless stored (the managers set in Slack) names another manager for them, and in
// stored.
func DirectReports(file, stored map[string]string, managerID string) []string {
	var out []string
	for user, m := range file {
		if _, replaced := stored[user]; m == managerID && !replaced {
			out = append(out, user)
		}
	}
	for user, m := range stored {
		if m == managerID {
			out = append(out, user)
		}
	}
	slices.Sort(out)
	return out
}
