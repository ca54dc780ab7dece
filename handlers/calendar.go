package handlers

import (
	"context"
	"time"

	baton "github.com/batonhq/baton"
)

// calendar is when a person works: their Slack time zone, the workspace's working week and holidays,
// and their own out-of-office.
func (h *Handlers) calendar(ctx context.Context, teamID string, p Person) (baton.Calendar, error) {
	from := h.now().In(p.Loc).AddDate(0, 0, -1).Format(time.DateOnly)
	days, err := h.store.Holidays(ctx, teamID, from)
	if err != nil {
		return baton.Calendar{}, err
	}
	away, err := h.store.OutOfOffice(ctx, teamID, p.ID)
	if err != nil {
		return baton.Calendar{}, err
	}
	week, err := h.store.WorkWeek(ctx, teamID)
	if err != nil {
		return baton.Calendar{}, err
	}
	cal := baton.Calendar{Loc: p.Loc, Week: week, Holidays: map[string]string{}, OutOfOfficeUntil: away}
	for _, d := range days {
		cal.Holidays[d.Date] = d.Name
	}
	return cal, nil
}

// calendarOf is the working calendar of the person with this ID.
func (h *Handlers) calendarOf(ctx context.Context, teamID, userID string) (baton.Calendar, error) {
	p, err := h.people.Get(ctx, userID)
	if err != nil {
		return baton.Calendar{}, err
	}
	return h.calendar(ctx, teamID, p)
}
