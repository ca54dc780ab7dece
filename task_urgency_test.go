package baton_test

import (
	"slices"
	"testing"
	"time"

	"github.com/batonhq/baton"
)

func TestDashboardsListTheMostUrgentFirst(t *testing.T) {
	now := created.Add(10 * 24 * time.Hour)
	due := func(days int) baton.Due {
		return baton.Due{Date: "x", At: now.Add(time.Duration(days) * 24 * time.Hour)}
	}
	mk := func(number int64, s baton.Status, d baton.Due, since int) baton.Task {
		return baton.Task{Number: number, Status: s, Due: d, StatusChangedAt: now.Add(-time.Duration(since) * time.Hour)}
	}
	tasks := []baton.Task{
		mk(1, baton.StatusTodo, baton.Due{}, 1),
		mk(2, baton.StatusTodo, due(3), 1),
		mk(3, baton.StatusBlocked, baton.Due{}, 5),
		mk(4, baton.StatusInProgress, due(-1), 1),
		mk(5, baton.StatusBlocked, due(-2), 1),
		mk(6, baton.StatusTodo, due(1), 1),
		mk(7, baton.StatusBlocked, baton.Due{}, 50),
		mk(8, baton.StatusInProgress, due(-3), 1),
	}
	slices.SortStableFunc(tasks, func(a, b baton.Task) int { return baton.CompareUrgency(a, b, now) })
	var got []int64
	for _, x := range tasks {
		got = append(got, x.Number)
	}
	// Overdue and blocked; overdue, the longest overdue first; blocked, the longest blocked first;
	// then due soonest; then no due date.
	if want := []int64{5, 8, 4, 7, 3, 6, 2, 1}; !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}
