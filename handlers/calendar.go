package handlers

import (
	"context"
	"time"

	baton "github.com/batonhq/baton"
)

// CalendarStore is the workspace's calendar: holidays, out-of-office days, the work week and reminder offsets.
type CalendarStore interface {
	AddHoliday(ctx context.Context, teamID string, h baton.Holiday, by string) error
	RemoveHoliday(ctx context.Context, teamID, date string) (bool, error)
	Holidays(ctx context.Context, teamID, from string) ([]baton.Holiday, error)
	SetOutOfOffice(ctx context.Context, teamID, userID, until string) error
	OutOfOffice(ctx context.Context, teamID, userID string) (string, error)
	WorkWeek(ctx context.Context, teamID string) (baton.WorkWeek, error)
	SetWorkWeek(ctx context.Context, teamID string, w baton.WorkWeek, by string) error
	ReminderOffsets(ctx context.Context, teamID string) ([]time.Duration, error)
	SetReminderOffsets(ctx context.Context, teamID string, offsets []time.Duration, by string) error
}

// calendar is when a person works: their Slack time zone, the workspace's working week and holidays,
// and their own out-of-office.
func (h *Handlers) calendar(ctx context.Context, teamID string, p Person) (baton.Calendar, error) {
	from := h.now().In(p.Loc).AddDate(0, 0, -1).Format(time.DateOnly)
	days, err := h.calendars.Holidays(ctx, teamID, from)
	if err != nil {
		return baton.Calendar{}, err
	}
	away, err := h.calendars.OutOfOffice(ctx, teamID, p.ID)
	if err != nil {
		return baton.Calendar{}, err
	}
	week, err := h.calendars.WorkWeek(ctx, teamID)
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
