package baton

import (
	"strings"
	"time"
	"unicode/utf8"
)

// MaxHolidayNameLen is the longest holiday name.
const MaxHolidayNameLen = 100

// HolidayAction says what /baton holidays asks for.
type HolidayAction string

// The /baton holidays actions.
const (
	HolidayList   HolidayAction = "list"
	HolidayAdd    HolidayAction = "add"
	HolidayRemove HolidayAction = "remove"
)

// HolidayCommand is a parsed /baton holidays command.
type HolidayCommand struct {
	Action  HolidayAction
	Holiday Holiday // add: date and name; remove: date
}

const holidayUsage = "Try `/baton holidays add 2026-12-25 Christmas`, `/baton holidays list` or `/baton holidays remove 2026-12-25`."

// ParseHolidayCommand reads the text after /baton holidays: "add DATE [name]", "list" (or nothing) and
// "remove DATE". A holiday can be added from today on (today in loc); any date can be removed.
func ParseHolidayCommand(text string, loc *time.Location, now time.Time) (HolidayCommand, error) {
	verb, rest := cutWord(text)
	date, name := cutWord(rest)
	switch strings.ToLower(verb) {
	case "", "list", "ls":
		if strings.TrimSpace(rest) != "" {
			return HolidayCommand{}, Errorf(EInvalid, "%s", holidayUsage)
		}
		return HolidayCommand{Action: HolidayList}, nil
	case "add":
		if date == "" {
			return HolidayCommand{}, Errorf(EInvalid, "Say which day to add, for example `/baton holidays add 2026-12-25 Christmas`.")
		}
		d, err := ParseDueWord(date, loc, now)
		if err != nil {
			return HolidayCommand{}, err
		}
		name = strings.Join(strings.Fields(UnescapeSlack(name)), " ")
		if n := utf8.RuneCountInString(name); n > MaxHolidayNameLen {
			return HolidayCommand{}, Errorf(EInvalid, "The holiday's name is %d characters long; keep it to %d at most.", n, MaxHolidayNameLen)
		}
		return HolidayCommand{Action: HolidayAdd, Holiday: Holiday{Date: d.Date, Name: name}}, nil
	case "remove", "rm", "delete":
		if date == "" || strings.TrimSpace(name) != "" {
			return HolidayCommand{}, Errorf(EInvalid, "Say which day to remove, for example `/baton holidays remove 2026-12-25`.")
		}
		d, err := time.Parse(time.DateOnly, date)
		if err != nil {
			return HolidayCommand{}, Errorf(EInvalid, "%q is not a date. Write it as YYYY-MM-DD, for example 2026-12-25.", date)
		}
		return HolidayCommand{Action: HolidayRemove, Holiday: Holiday{Date: d.Format(time.DateOnly)}}, nil
	}
	return HolidayCommand{}, Errorf(EInvalid, "I don't know %q for holidays. %s", verb, holidayUsage)
}

// OOOCommand is a parsed /baton ooo command.
type OOOCommand struct {
	Until string // YYYY-MM-DD, the last day away (inclusive); "" turns out-of-office off
}

const oooUsage = "Try `/baton ooo until 2026-12-02` (your last day away) or `/baton ooo off`."

// ParseOOO reads the text after /baton ooo: "until DATE" (or just DATE; a weekday, today or tomorrow
// work too) and "off". The last day away must be today or later, in loc.
func ParseOOO(text string, loc *time.Location, now time.Time) (OOOCommand, error) {
	first, rest := cutWord(text)
	switch strings.ToLower(first) {
	case "":
		return OOOCommand{}, Errorf(EInvalid, "%s", oooUsage)
	case "off", "clear", "back", "none":
		if strings.TrimSpace(rest) != "" {
			return OOOCommand{}, Errorf(EInvalid, "%s", oooUsage)
		}
		return OOOCommand{}, nil
	case "until", "till", "til":
		first, rest = cutWord(rest)
		if first == "" {
			return OOOCommand{}, Errorf(EInvalid, "Say your last day away: `/baton ooo until 2026-12-02`.")
		}
	}
	if strings.TrimSpace(rest) != "" {
		return OOOCommand{}, Errorf(EInvalid, "%s", oooUsage)
	}
	d, err := ParseDueWord(first, loc, now)
	if err != nil {
		return OOOCommand{}, err
	}
	return OOOCommand{Until: d.Date}, nil
}
