package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
)

var dueNone = baton.Due{}

func TestCreateTaskNumbersPerWorkspace(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()

	for want := int64(1); want <= 3; want++ {
		for _, team := range []string{"TA", "TB"} {
			task := createTask(t, db, team, "U1", "U2", "Task", dueNone)
			if task.Number != want || task.TeamID != team || task.ID == 0 {
				t.Fatalf("created %s #%d (id %d), want %s #%d", task.TeamID, task.Number, task.ID, team, want)
			}
		}
	}

	task, ev, err := baton.NewTask("TA", "U2", "U1", "  Ship the release  ", "Notes", dueNone, now)
	if err != nil {
		t.Fatal(err)
	}
	task.ChannelID, task.SourceChannelID, task.SourceTS, task.SourceLink = "C1", "C2", "171.1", "https://x.slack.com/p1"
	created, err := db.CreateTask(ctx, task, ev)
	if err != nil {
		t.Fatalf("CreateTask: %v", err)
	}
	got, err := db.Task(ctx, "TA", 4)
	if err != nil {
		t.Fatalf("Task: %v", err)
	}
	if got != created {
		t.Fatalf("Task = %+v\nwant %+v", got, created)
	}
	if got.Title != "Ship the release" || got.Status != baton.StatusTodo || got.SourceLink != "https://x.slack.com/p1" ||
		!got.CreatedAt.Equal(now) || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("stored task = %+v", got)
	}
	events, err := db.TaskEvents(ctx, created.ID)
	if err != nil {
		t.Fatalf("TaskEvents: %v", err)
	}
	if len(events) != 1 || events[0].Kind != baton.EventCreated || events[0].TaskID != created.ID ||
		events[0].TeamID != "TA" || events[0].To != "U1" || events[0].ID == 0 {
		t.Fatalf("events = %+v", events)
	}
}

func TestCreateTaskConcurrent(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	const n = 20

	got := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			task, ev, err := baton.NewTask("T1", "U2", "U1", "Parallel", "", dueNone, now)
			if err != nil {
				errs[i] = err
				return
			}
			created, err := db.CreateTask(context.Background(), task, ev)
			got[i], errs[i] = created.Number, err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("CreateTask: %v", err)
	}
	slices.Sort(got)
	for i, number := range got {
		if number != int64(i+1) {
			t.Fatalf("numbers = %v, want 1..%d", got, n)
		}
	}
}

func TestTaskNotFound(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	task := createTask(t, db, "TA", "U1", "U2", "Ours", dueNone)

	_, err := db.Task(ctx, "TB", task.Number)
	e := wantCode(t, err, baton.ENotFound)
	if want := "There is no task T-1 in this workspace. Check the number with /task list."; e.Message != want {
		t.Errorf("message = %q, want %q", e.Message, want)
	}
	_, _, err = db.UpdateTask(ctx, "TB", task.Number, func(task *baton.Task) (baton.TaskEvent, error) {
		t.Fatal("change ran for another workspace's task")
		return baton.TaskEvent{}, nil
	})
	wantCode(t, err, baton.ENotFound)
	wantCode(t, db.SetCard(ctx, task.ID+1000, "C1", "1.2", "", ""), baton.ENotFound)
}

func TestUpdateTask(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	task := createTask(t, db, "T1", "U1", "U2", "Review the contract", dueNone)
	later := now.Add(time.Hour)

	updated, ev, err := db.UpdateTask(ctx, "T1", task.Number, func(task *baton.Task) (baton.TaskEvent, error) {
		return task.ChangeStatus("U1", baton.StatusBlocked, "Waiting on legal", later)
	})
	if err != nil {
		t.Fatalf("UpdateTask: %v", err)
	}
	if updated.Status != baton.StatusBlocked || updated.BlockedReason != "Waiting on legal" ||
		!updated.StatusChangedAt.Equal(later) || !updated.UpdatedAt.Equal(later) || !updated.CreatedAt.Equal(now) {
		t.Fatalf("updated task = %+v", updated)
	}
	if ev.ID == 0 || ev.TaskID != task.ID || ev.TeamID != "T1" || ev.Kind != baton.EventStatus ||
		ev.From != "todo" || ev.To != "blocked" || ev.Note != "Waiting on legal" || ev.Actor != "U1" || !ev.At.Equal(later) {
		t.Fatalf("stored event = %+v", ev)
	}
	got, err := db.Task(ctx, "T1", task.Number)
	if err != nil || got != updated {
		t.Fatalf("Task after update = %+v, %v\nwant %+v", got, err, updated)
	}
	events, err := db.TaskEvents(ctx, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[1] != ev {
		t.Fatalf("events = %+v, want creation then %+v", events, ev)
	}

	failing := func(task *baton.Task) (baton.TaskEvent, error) {
		task.Title = "Changed before failing"
		return task.ChangeStatus("U1", baton.StatusBlocked, "again", later)
	}
	_, _, err = db.UpdateTask(ctx, "T1", task.Number, failing)
	if e := wantCode(t, err, baton.EConflict); e.Message != "The task is already Blocked." {
		t.Fatalf("message = %q", e.Message)
	}
	if got, _ := db.Task(ctx, "T1", task.Number); got != updated {
		t.Fatalf("failed change altered the task: %+v", got)
	}
	if events, _ := db.TaskEvents(ctx, task.ID); len(events) != 2 {
		t.Fatalf("failed change appended events: %+v", events)
	}
}

func TestUpdateTaskConcurrentOneWins(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	task := createTask(t, db, "T1", "U1", "U2", "Close the quarter", dueNone)
	setStatus(t, db, "T1", task.Number, baton.StatusInProgress)

	toDone := func(actor string) func(*baton.Task) (baton.TaskEvent, error) {
		return func(task *baton.Task) (baton.TaskEvent, error) {
			return task.ChangeStatus(actor, baton.StatusDone, "", now)
		}
	}
	entered, release := make(chan struct{}), make(chan struct{})
	var errFirst, errSecond error
	var wg sync.WaitGroup
	wg.Go(func() {
		_, _, errFirst = db.UpdateTask(ctx, "T1", task.Number, func(task *baton.Task) (baton.TaskEvent, error) {
			close(entered)
			select {
			case <-release:
			case <-ctx.Done():
			}
			return toDone("U1")(task)
		})
	})
	select {
	case <-entered:
	case <-ctx.Done():
		t.Fatal("first update never ran its change")
	}
	// The first update holds the row lock inside its change; the second must queue behind it.
	wg.Go(func() { _, _, errSecond = db.UpdateTask(ctx, "T1", task.Number, toDone("U2")) })
	waitForRowLockWaiter(ctx, t, db)
	close(release)
	wg.Wait()

	if errFirst != nil {
		t.Fatalf("first update: %v", errFirst)
	}
	if e := wantCode(t, errSecond, baton.EConflict); e.Message != "The task is already Done." {
		t.Fatalf("second update message = %q", e.Message)
	}
	events, err := db.TaskEvents(ctx, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	for _, ev := range events {
		if ev.To == string(baton.StatusDone) {
			done++
		}
	}
	if done != 1 {
		t.Fatalf("%d events moved the task to done, want 1: %+v", done, events)
	}
}

// waitForRowLockWaiter returns once a session waits for a row of this test's tasks table: Postgres
// holds a tuple lock on the row for each session queued behind the row's locker.
func waitForRowLockWaiter(ctx context.Context, t *testing.T, db *store.DB) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		var waiting int
		err := db.GetContext(ctx, &waiting,
			`SELECT count(*) FROM pg_locks WHERE locktype = 'tuple' AND relation = 'tasks'::regclass`)
		if ctx.Err() != nil {
			t.Fatal("the second update never waited for the row lock")
		}
		if err != nil {
			t.Fatalf("read locks: %v", err)
		}
		if waiting > 0 {
			return
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			t.Fatal("the second update never waited for the row lock")
		}
	}
}

func TestSetCard(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	task := createTask(t, db, "T1", "U1", "U2", "Post me", dueNone)

	card := "https://example.slack.com/archives/C9/p1700000000000100"
	if err := db.SetCard(ctx, task.ID, "C9", "1700000000.000100", card, "https://example.slack.com/archives/C1/p1"); err != nil {
		t.Fatalf("SetCard: %v", err)
	}
	got, err := db.Task(ctx, "T1", task.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.ChannelID != "C9" || got.CardTS != "1700000000.000100" || got.CardLink != card || got.SourceLink != "https://example.slack.com/archives/C1/p1" || !got.UpdatedAt.Equal(task.UpdatedAt) {
		t.Fatalf("task after SetCard = %+v", got)
	}
}

func TestDueRoundTrip(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		due  baton.Due
	}{
		{"none", dueNone},
		{"date only", due(t, "2026-03-10", "", newYork)},
		{"date and time", due(t, "2026-03-10", "15:30", tokyo)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			created := createTask(t, db, "T1", "U1", "U2", tc.name, tc.due)
			got, err := db.Task(ctx, "T1", created.Number)
			if err != nil {
				t.Fatal(err)
			}
			d := got.Due
			if !d.Equal(tc.due) || d.HasTime != tc.due.HasTime || d.Set() != tc.due.Set() || d.String() != tc.due.String() {
				t.Fatalf("due = %+v, want %+v", d, tc.due)
			}
			if d.Set() && d.At.Location() != time.UTC {
				t.Fatalf("due instant read in %v, want UTC", d.At.Location())
			}
			if !d.Set() && d != (baton.Due{}) {
				t.Fatalf("no due date read as %+v, want the zero Due", d)
			}
		})
	}

	withTime := due(t, "2026-03-10", "15:30", tokyo)
	if want := time.Date(2026, 3, 10, 6, 30, 0, 0, time.UTC); !withTime.At.Equal(want) {
		t.Fatalf("test premise: %v is not %v", withTime.At, want)
	}
	task := createTask(t, db, "T1", "U1", "U2", "Clear me", withTime)
	cleared, _, err := db.UpdateTask(ctx, "T1", task.Number, func(task *baton.Task) (baton.TaskEvent, error) {
		return task.ChangeDue("U2", baton.Due{}, "", now)
	})
	if err != nil {
		t.Fatalf("clear due: %v", err)
	}
	if cleared.Due != (baton.Due{}) {
		t.Fatalf("cleared due = %+v", cleared.Due)
	}
}

func TestListAndCountTasks(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	utc := time.UTC

	// Due instants: T-3 at the end of 3 March, T-4 on 4 March 15:00, T-2 at the end of 5 March,
	// T-5 at the end of 10 March; T-1 has no due date.
	createTask(t, db, "TA", "U1", "D1", "one", dueNone)
	createTask(t, db, "TA", "U1", "D2", "two", due(t, "2026-03-05", "", utc))
	createTask(t, db, "TA", "U2", "D1", "three", due(t, "2026-03-03", "", utc))
	createTask(t, db, "TA", "U2", "D2", "four", due(t, "2026-03-04", "15:00", utc))
	createTask(t, db, "TA", "U1", "D1", "five", due(t, "2026-03-10", "", utc))
	createTask(t, db, "TB", "U1", "D1", "other workspace", due(t, "2026-03-03", "", utc))
	setStatus(t, db, "TA", 2, baton.StatusInProgress)
	setStatus(t, db, "TA", 3, baton.StatusDone)
	setStatus(t, db, "TA", 4, baton.StatusBlocked)

	cases := []struct {
		name string
		q    baton.TaskQuery
		want []int64
	}{
		{"all", baton.TaskQuery{}, []int64{3, 4, 2, 5, 1}},
		{"owner", baton.TaskQuery{OwnerID: "U1"}, []int64{2, 5, 1}},
		{"delegator", baton.TaskQuery{DelegatorID: "D1"}, []int64{3, 5, 1}},
		{"owner and delegator", baton.TaskQuery{OwnerID: "U2", DelegatorID: "D2"}, []int64{4}},
		{"statuses", baton.TaskQuery{Statuses: []baton.Status{baton.StatusTodo, baton.StatusBlocked}}, []int64{4, 5, 1}},
		{"open", baton.TaskQuery{Open: true}, []int64{4, 2, 5, 1}},
		{"due before", baton.TaskQuery{DueBefore: time.Date(2026, 3, 5, 12, 0, 0, 0, utc)}, []int64{3, 4}},
		{"overdue", baton.TaskQuery{Open: true, DueBefore: time.Date(2026, 3, 6, 0, 0, 0, 0, utc)}, []int64{4, 2}},
		{"due before, other zone", baton.TaskQuery{DueBefore: time.Date(2026, 3, 4, 10, 0, 0, 0, time.FixedZone("UTC-5", -5*3600))}, []int64{3, 4}},
		{"limit", baton.TaskQuery{Limit: 2}, []int64{3, 4}},
		{"limit and offset", baton.TaskQuery{Limit: 2, Offset: 1}, []int64{4, 2}},
		{"offset", baton.TaskQuery{Offset: 3}, []int64{5, 1}},
		{"nothing", baton.TaskQuery{OwnerID: "U9"}, []int64{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.TeamID = "TA"
			tasks, err := db.ListTasks(ctx, q)
			if err != nil {
				t.Fatalf("ListTasks: %v", err)
			}
			if got := numbers(tasks); !slices.Equal(got, tc.want) {
				t.Fatalf("ListTasks = %v, want %v", got, tc.want)
			}
			q.Limit, q.Offset = 0, 0
			all, err := db.ListTasks(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			n, err := db.CountTasks(ctx, q)
			if err != nil {
				t.Fatalf("CountTasks: %v", err)
			}
			if n != len(all) {
				t.Fatalf("CountTasks = %d, want %d", n, len(all))
			}
		})
	}

	if _, err := db.ListTasks(ctx, baton.TaskQuery{OwnerID: "U1"}); err == nil {
		t.Fatal("ListTasks without a team ID succeeded")
	}
	if _, err := db.CountTasks(ctx, baton.TaskQuery{OwnerID: "U1"}); err == nil {
		t.Fatal("CountTasks without a team ID succeeded")
	}
	if _, err := db.CountByStatus(ctx, baton.TaskQuery{OwnerID: "U1"}); err == nil {
		t.Fatal("CountByStatus without a team ID succeeded")
	}
}

func TestCountByStatus(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	for range 3 {
		createTask(t, db, "TA", "U1", "D1", "mine", dueNone)
	}
	createTask(t, db, "TA", "U2", "D1", "theirs", dueNone)
	createTask(t, db, "TB", "U1", "D1", "other workspace", dueNone)
	setStatus(t, db, "TA", 1, baton.StatusInProgress)
	setStatus(t, db, "TA", 2, baton.StatusDone)
	setStatus(t, db, "TA", 4, baton.StatusDone)

	cases := []struct {
		name string
		q    baton.TaskQuery
		want map[baton.Status]int
	}{
		{"workspace", baton.TaskQuery{TeamID: "TA"},
			map[baton.Status]int{baton.StatusTodo: 1, baton.StatusInProgress: 1, baton.StatusDone: 2}},
		{"owner", baton.TaskQuery{TeamID: "TA", OwnerID: "U1"},
			map[baton.Status]int{baton.StatusTodo: 1, baton.StatusInProgress: 1, baton.StatusDone: 1}},
		{"open", baton.TaskQuery{TeamID: "TA", Open: true},
			map[baton.Status]int{baton.StatusTodo: 1, baton.StatusInProgress: 1}},
		{"empty", baton.TaskQuery{TeamID: "TC"}, map[baton.Status]int{}},
	}
	for _, tc := range cases {
		got, err := db.CountByStatus(ctx, tc.q)
		if err != nil {
			t.Fatalf("%s: CountByStatus: %v", tc.name, err)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%s: CountByStatus = %v, want %v", tc.name, got, tc.want)
		}
		for s, n := range tc.want {
			if got[s] != n {
				t.Fatalf("%s: CountByStatus = %v, want %v", tc.name, got, tc.want)
			}
		}
	}
}

// ListTaskSections reads in one statement what ListTasks and CountTasks read for each of its queries.
func TestListTaskSectionsReadsWhatEachListWould(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	createTask(t, db, "TA", "U1", "D1", "no date", dueNone)
	createTask(t, db, "TA", "U1", "D1", "late", due(t, "2026-12-03", "", time.UTC))
	createTask(t, db, "TA", "U1", "D1", "soon", due(t, "2026-12-01", "", time.UTC))
	createTask(t, db, "TA", "U2", "D1", "theirs", due(t, "2026-11-30", "", time.UTC))
	createTask(t, db, "TA", "D1", "U1", "turned round", dueNone)
	createTask(t, db, "TB", "U1", "D1", "other workspace", dueNone)
	setStatus(t, db, "TA", 2, baton.StatusBlocked)
	setStatus(t, db, "TA", 3, baton.StatusDone)

	qs := []baton.TaskQuery{
		{TeamID: "TA", DelegatorID: "D1", Open: true, Limit: 2},
		{TeamID: "TA", OwnerID: "U1", Limit: 10},
		{TeamID: "TA", DelegatorID: "D1", Statuses: []baton.Status{baton.StatusBlocked}, Limit: 5},
		{TeamID: "TA", OwnerID: "nobody", Limit: 5},
		{TeamID: "TA", DelegatorID: "D1", Open: true, DueBefore: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), Limit: 5},
	}
	got, err := db.ListTaskSections(ctx, qs...)
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range qs {
		want, err := db.ListTasks(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		total, err := db.CountTasks(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var gotN, wantN []int64
		for _, t := range got[i].Tasks {
			gotN = append(gotN, t.Number)
		}
		for _, t := range want {
			wantN = append(wantN, t.Number)
		}
		if !slices.Equal(gotN, wantN) || got[i].Total != total {
			t.Errorf("section %d: tasks %v of %d, want %v of %d", i, gotN, got[i].Total, wantN, total)
		}
	}
	if got[0].Total != 3 || len(got[0].Tasks) != 2 {
		t.Errorf("the first section should show 2 of the 3 tasks D1 delegated that are open, shows %d of %d", len(got[0].Tasks), got[0].Total)
	}
	if _, err := db.ListTaskSections(ctx, baton.TaskQuery{TeamID: "TA"}); err == nil {
		t.Error("a section without a limit was read")
	}
}

// A section read by urgency holds the most urgent first (overdue and blocked, overdue, blocked, then
// by due date), so its limit keeps those; sections after it number their placeholders right.
func TestListTaskSectionsByUrgency(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	createTask(t, db, "TA", "U1", "D1", "someday", dueNone)                                  // T-1
	createTask(t, db, "TA", "U1", "D1", "next week", due(t, "2026-12-09", "", time.UTC))     // T-2
	createTask(t, db, "TA", "U1", "D1", "blocked", dueNone)                                  // T-3
	createTask(t, db, "TA", "U1", "D1", "late", due(t, "2026-12-01", "", time.UTC))          // T-4
	createTask(t, db, "TA", "U1", "D1", "late, blocked", due(t, "2026-12-02", "", time.UTC)) // T-5
	createTask(t, db, "TA", "U1", "D1", "tomorrow", due(t, "2026-12-05", "", time.UTC))      // T-6
	setStatus(t, db, "TA", 3, baton.StatusBlocked)
	setStatus(t, db, "TA", 5, baton.StatusBlocked)
	at := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

	got, err := db.ListTaskSections(ctx,
		baton.TaskQuery{TeamID: "TA", DelegatorID: "D1", Open: true, Limit: 4, UrgentAt: at},
		baton.TaskQuery{TeamID: "TA", OwnerID: "U1", Open: true, DueBefore: at, Limit: 5, UrgentAt: at},
		baton.TaskQuery{TeamID: "TA", OwnerID: "U1", Open: true, Limit: 10},
	)
	if err != nil {
		t.Fatal(err)
	}
	numbers := func(s baton.TaskSection) []int64 {
		var out []int64
		for _, t := range s.Tasks {
			out = append(out, t.Number)
		}
		return out
	}
	for i, want := range [][]int64{{5, 4, 3, 6}, {5, 4}, {4, 5, 6, 2, 1, 3}} {
		if got := numbers(got[i]); !slices.Equal(got, want) {
			t.Errorf("section %d = %v, want %v", i, got, want)
		}
	}
	if got[0].Total != 6 {
		t.Errorf("the urgent section counts %d, want all 6", got[0].Total)
	}
}
