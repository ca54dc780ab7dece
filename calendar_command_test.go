package baton_test

import (
	"strings"
	"testing"

	"github.com/batonhq/baton"
)

func TestParseHolidayCommand(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	tests := []struct {
		text    string
		want    baton.HolidayCommand
		wantErr string
	}{
		{text: "", want: baton.HolidayCommand{Action: baton.HolidayList}},
		{text: " list ", want: baton.HolidayCommand{Action: baton.HolidayList}},
		{text: "LS", want: baton.HolidayCommand{Action: baton.HolidayList}},
		{text: "add 2026-12-25 Christmas  Day", want: baton.HolidayCommand{Action: baton.HolidayAdd, Holiday: baton.Holiday{Date: "2026-12-25", Name: "Christmas Day"}}},
		{text: "Add 2026-12-25", want: baton.HolidayCommand{Action: baton.HolidayAdd, Holiday: baton.Holiday{Date: "2026-12-25"}}},
		{text: "add 2026-12-31 Fish &amp; chips", want: baton.HolidayCommand{Action: baton.HolidayAdd, Holiday: baton.Holiday{Date: "2026-12-31", Name: "Fish & chips"}}},
		{text: "add today Team day", want: baton.HolidayCommand{Action: baton.HolidayAdd, Holiday: baton.Holiday{Date: "2026-11-27", Name: "Team day"}}},
		{text: "remove 2026-12-25", want: baton.HolidayCommand{Action: baton.HolidayRemove, Holiday: baton.Holiday{Date: "2026-12-25"}}},
		{text: "rm 2020-01-01", want: baton.HolidayCommand{Action: baton.HolidayRemove, Holiday: baton.Holiday{Date: "2020-01-01"}}},
		{text: "add", wantErr: "which day to add"},
		{text: "add 2026-02-30 Nope", wantErr: "not a date"},
		{text: "add 25.12.2026", wantErr: "YYYY-MM-DD"},
		{text: "add 2025-12-25 Christmas", wantErr: "in the past"},
		{text: "add 2026-12-25 " + strings.Repeat("x", 101), wantErr: "keep it to 100"},
		{text: "remove", wantErr: "which day to remove"},
		{text: "remove 2026-12-25 2026-12-26", wantErr: "which day to remove"},
		{text: "remove christmas", wantErr: "not a date"},
		{text: "list all", wantErr: "/baton holidays add"},
		{text: "clear", wantErr: "/baton holidays list"},
	}
	for _, tt := range tests {
		got, err := baton.ParseHolidayCommand(tt.text, berlin, friday)
		if tt.wantErr != "" {
			if baton.ErrorCode(err) != baton.EInvalid || !strings.Contains(baton.ErrorMessage(err), tt.wantErr) {
				t.Errorf("ParseHolidayCommand(%q) = %+v, %v; want an invalid error mentioning %q", tt.text, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseHolidayCommand(%q) = %+v, %v; want %+v", tt.text, got, err, tt.want)
		}
	}
}

func TestParseOOO(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	tests := []struct {
		text    string
		want    string
		wantErr string
	}{
		{text: "until 2026-12-02", want: "2026-12-02"},
		{text: "UNTIL 2026-12-02", want: "2026-12-02"},
		{text: "2026-12-02", want: "2026-12-02"},
		{text: "till tomorrow", want: "2026-11-28"},
		{text: "until today", want: "2026-11-27"},
		{text: "until wed", want: "2026-12-02"},
		{text: "off", want: ""},
		{text: " Off ", want: ""},
		{text: "back", want: ""},
		{text: "", wantErr: "/baton ooo until"},
		{text: "until", wantErr: "last day away"},
		{text: "until 2026-11-26", wantErr: "in the past"},
		{text: "until 2026-13-01", wantErr: "not a date"},
		{text: "until next week", wantErr: "/baton ooo off"},
		{text: "off now", wantErr: "/baton ooo off"},
		{text: "sometime", wantErr: "not a date"},
	}
	for _, tt := range tests {
		got, err := baton.ParseOOO(tt.text, berlin, friday)
		if tt.wantErr != "" {
			if baton.ErrorCode(err) != baton.EInvalid || !strings.Contains(baton.ErrorMessage(err), tt.wantErr) {
				t.Errorf("ParseOOO(%q) = %+v, %v; want an invalid error mentioning %q", tt.text, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.Until != tt.want {
			t.Errorf("ParseOOO(%q) = %+v, %v; want until %q", tt.text, got, err, tt.want)
		}
	}
}
