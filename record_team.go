package baton

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

// DirectReports are the people whose manager is managerID in the policy file's managers, before
// the managers set in Slack are laid over them.
func DirectReports(managers map[string]string, managerID string) []string {
	var out []string
	for user, m := range managers {
		if m == managerID {
			out = append(out, user)
		}
	}
	return out
}
