package baton

import (
	"fmt"
	"time"
)

// AskEvery is how often, at most, an owner is asked for an update on one task.
const AskEvery = 24 * time.Hour

// AskForUpdate records that someone who may change the task (its delegator, or an admin) asked its
// owner how it stands: one direct message to the owner, shown in the card's thread too. An owner is
// asked at most once every AskEvery per task, and only about an open task.
func (t *Task) AskForUpdate(actor string, now time.Time) (TaskEvent, error) {
	switch {
	case actor == t.OwnerID:
		return TaskEvent{}, Errorf(EInvalid, "You own %s: post an update on its card instead of asking yourself.", t.Ref())
	case !t.Status.Open():
		return TaskEvent{}, Errorf(EConflict, "%s is already done, so there is no update to ask for.", t.Ref())
	}
	if next := t.UpdateAskedAt.Add(AskEvery); !t.UpdateAskedAt.IsZero() && now.Before(next) {
		return TaskEvent{}, Errorf(EConflict, "<@%s> was already asked for an update on %s %s ago; Baton asks at most once a day per task, so you can ask again in %s.",
			t.OwnerID, t.Ref(), DescribeDuration(now.Sub(t.UpdateAskedAt)), waitWords(next.Sub(now)))
	}
	t.UpdateAskedAt = now
	return TaskEvent{TaskID: t.ID, TeamID: t.TeamID, Kind: EventAsked, Actor: actor, To: t.OwnerID, At: now}, nil
}

// waitWords says how long a wait is, rounded up: "20 hours", "45 minutes", "a minute".
func waitWords(d time.Duration) string {
	if d > time.Hour {
		return fmt.Sprintf("%d hours", int((d+time.Hour-1)/time.Hour))
	}
	if m := int((d + time.Minute - 1) / time.Minute); m > 1 {
		return fmt.Sprintf("%d minutes", m)
	}
	return "a minute"
}
