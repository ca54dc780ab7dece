package baton_test

import (
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton"
)

const (
	team      = "T0TEAM"
	owner     = "U0OWNER"
	delegator = "U0DELEG"
	admin     = "U0ADMIN"
	stranger  = "U0STRANGER"
)

// created is the fixed clock the tests create tasks at; later steps move it forward explicitly.
var created = time.Date(2026, time.November, 27, 9, 0, 0, 0, time.UTC)

// newTask creates a valid task at the fixed clock and gives it an ID and number, as the store would.
func newTask(t *testing.T) baton.Task {
	t.Helper()
	task, _, err := baton.NewTask(team, delegator, owner, "Ship the thing", "", baton.Due{}, created)
	if err != nil {
		t.Fatalf("NewTask: %v", err)
	}
	task.ID = 42
	task.Number = 12
	return task
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := baton.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (err %v), want %q", got, err, code)
	}
	if code != "" && baton.ErrorMessage(err) == "" {
		t.Fatalf("error %v has no user-facing message", err)
	}
}

func TestNewTask(t *testing.T) {
	due := baton.Due{Date: "2026-12-04", At: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)}
	task, ev, err := baton.NewTask(team, delegator, owner, "  Ship the thing \n", "\t details  ", due, created)
	if err != nil {
		t.Fatalf("NewTask: %v", err)
	}
	if task.Title != "Ship the thing" {
		t.Errorf("Title = %q, want it trimmed", task.Title)
	}
	if task.Description != "details" {
		t.Errorf("Description = %q, want it trimmed", task.Description)
	}
	if task.TeamID != team || task.OwnerID != owner || task.DelegatorID != delegator {
		t.Errorf("task = %+v, want team %q owner %q delegator %q", task, team, owner, delegator)
	}
	if task.Status != baton.StatusTodo {
		t.Errorf("Status = %q, want %q", task.Status, baton.StatusTodo)
	}
	if task.BlockedReason != "" {
		t.Errorf("BlockedReason = %q, want empty", task.BlockedReason)
	}
	if !task.Due.Equal(due) {
		t.Errorf("Due = %+v, want %+v", task.Due, due)
	}
	for name, at := range map[string]time.Time{"CreatedAt": task.CreatedAt, "UpdatedAt": task.UpdatedAt, "StatusChangedAt": task.StatusChangedAt} {
		if !at.Equal(created) {
			t.Errorf("%s = %v, want %v", name, at, created)
		}
	}
	want := baton.TaskEvent{TeamID: team, Kind: baton.EventCreated, Actor: delegator, To: owner, At: created}
	if ev != want {
		t.Errorf("event = %+v, want %+v", ev, want)
	}
}

func TestNewTaskValidation(t *testing.T) {
	tests := []struct {
		name        string
		owner       string
		title       string
		description string
		wantErr     bool
	}{
		{name: "empty title", owner: owner, title: "", wantErr: true},
		{name: "whitespace title", owner: owner, title: " \t\n  ", wantErr: true},
		{name: "one rune title", owner: owner, title: "x"},
		{name: "200 ascii runes", owner: owner, title: strings.Repeat("a", 200)},
		{name: "201 ascii runes", owner: owner, title: strings.Repeat("a", 201), wantErr: true},
		// 200 runes of two bytes each is 400 bytes: the limit counts characters, not bytes.
		{name: "200 two-byte runes", owner: owner, title: strings.Repeat("é", 200)},
		{name: "201 two-byte runes", owner: owner, title: strings.Repeat("é", 201), wantErr: true},
		{name: "200 four-byte runes", owner: owner, title: strings.Repeat("🙂", 200)},
		{name: "201 four-byte runes", owner: owner, title: strings.Repeat("🙂", 201), wantErr: true},
		{name: "200 runes padded with spaces", owner: owner, title: "   " + strings.Repeat("ж", 200) + "   "},
		{name: "missing owner", owner: "", title: "Ship it", wantErr: true},
		{name: "description at limit", owner: owner, title: "Ship it", description: strings.Repeat("ü", baton.MaxDescriptionLen)},
		{name: "description over limit", owner: owner, title: "Ship it", description: strings.Repeat("ü", baton.MaxDescriptionLen+1), wantErr: true},
		{name: "description over limit ascii", owner: owner, title: "Ship it", description: strings.Repeat("d", 5000), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task, ev, err := baton.NewTask(team, delegator, tt.owner, tt.title, tt.description, baton.Due{}, created)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("NewTask: %v", err)
				}
				if task.Title != strings.TrimSpace(tt.title) {
					t.Errorf("Title = %q, want %q", task.Title, strings.TrimSpace(tt.title))
				}
				return
			}
			wantCode(t, err, baton.EInvalid)
			if task != (baton.Task{}) || ev != (baton.TaskEvent{}) {
				t.Errorf("refused NewTask returned task %+v event %+v, want zero values", task, ev)
			}
		})
	}
}

func TestValidateTitleLimits(t *testing.T) {
	if baton.MaxTitleLen != 200 {
		t.Fatalf("MaxTitleLen = %d, the tests below assume 200", baton.MaxTitleLen)
	}
	if err := baton.ValidateTitle(strings.Repeat("字", 200)); err != nil {
		t.Errorf("200 CJK runes: %v", err)
	}
	err := baton.ValidateTitle(strings.Repeat("字", 201))
	wantCode(t, err, baton.EInvalid)
	if msg := baton.ErrorMessage(err); !strings.Contains(msg, "201") {
		t.Errorf("message %q should give the length in characters (201)", msg)
	}
}

func TestChangeStatus(t *testing.T) {
	task := newTask(t)
	t1 := created.Add(time.Hour)
	ev, err := task.ChangeStatus(delegator, baton.StatusInProgress, "  starting now  ", t1)
	if err != nil {
		t.Fatalf("ChangeStatus: %v", err)
	}
	want := baton.TaskEvent{TaskID: 42, TeamID: team, Kind: baton.EventStatus, Actor: delegator,
		From: string(baton.StatusTodo), To: string(baton.StatusInProgress), Note: "starting now", At: t1}
	if ev != want {
		t.Errorf("event = %+v, want %+v", ev, want)
	}
	if task.Status != baton.StatusInProgress {
		t.Errorf("Status = %q, want %q", task.Status, baton.StatusInProgress)
	}
	if !task.StatusChangedAt.Equal(t1) || !task.UpdatedAt.Equal(t1) {
		t.Errorf("StatusChangedAt = %v, UpdatedAt = %v, want both %v", task.StatusChangedAt, task.UpdatedAt, t1)
	}
	if !task.CreatedAt.Equal(created) {
		t.Errorf("CreatedAt moved to %v", task.CreatedAt)
	}

	// A note is optional for every status but Blocked.
	t2 := t1.Add(time.Hour)
	ev, err = task.ChangeStatus(owner, baton.StatusInReview, "", t2)
	if err != nil {
		t.Fatalf("ChangeStatus without a note: %v", err)
	}
	if ev.Note != "" || ev.From != string(baton.StatusInProgress) || ev.To != string(baton.StatusInReview) || ev.Actor != owner {
		t.Errorf("event = %+v", ev)
	}
}

func TestChangeStatusBlocked(t *testing.T) {
	for _, note := range []string{"", "   ", "\n\t"} {
		task := newTask(t)
		before := task
		_, err := task.ChangeStatus(owner, baton.StatusBlocked, note, created.Add(time.Hour))
		wantCode(t, err, baton.EInvalid)
		if task != before {
			t.Errorf("refused block (note %q) changed the task: %+v", note, task)
		}
	}

	task := newTask(t)
	t1 := created.Add(time.Hour)
	ev, err := task.ChangeStatus(owner, baton.StatusBlocked, "  waiting on legal  ", t1)
	if err != nil {
		t.Fatalf("block: %v", err)
	}
	if task.Status != baton.StatusBlocked || task.BlockedReason != "waiting on legal" {
		t.Errorf("after block: status %q reason %q", task.Status, task.BlockedReason)
	}
	if ev.Kind != baton.EventStatus || ev.Note != "waiting on legal" || ev.From != "todo" || ev.To != "blocked" || ev.Actor != owner || !ev.At.Equal(t1) {
		t.Errorf("block event = %+v", ev)
	}
	if !task.StatusChangedAt.Equal(t1) {
		t.Errorf("StatusChangedAt = %v, want %v", task.StatusChangedAt, t1)
	}

	// Blocked to Blocked is a conflict, not a way to rewrite the reason.
	_, err = task.ChangeStatus(owner, baton.StatusBlocked, "another reason", t1.Add(time.Minute))
	wantCode(t, err, baton.EConflict)
	if task.BlockedReason != "waiting on legal" {
		t.Errorf("refused re-block changed the reason to %q", task.BlockedReason)
	}

	// Leaving Blocked clears the reason, whatever the note says.
	t2 := t1.Add(2 * time.Hour)
	ev, err = task.ChangeStatus(delegator, baton.StatusInProgress, "legal said yes", t2)
	if err != nil {
		t.Fatalf("unblock: %v", err)
	}
	if task.BlockedReason != "" {
		t.Errorf("BlockedReason = %q after leaving Blocked, want empty", task.BlockedReason)
	}
	if ev.From != "blocked" || ev.To != "in_progress" || ev.Note != "legal said yes" || ev.Actor != delegator {
		t.Errorf("unblock event = %+v", ev)
	}
	if !task.StatusChangedAt.Equal(t2) {
		t.Errorf("StatusChangedAt = %v, want %v", task.StatusChangedAt, t2)
	}
}

func TestChangeStatusRefused(t *testing.T) {
	task := newTask(t)
	if _, err := task.ChangeStatus(owner, baton.StatusDone, "", created.Add(time.Hour)); err != nil {
		t.Fatalf("finish: %v", err)
	}
	tests := []struct {
		name string
		to   baton.Status
		note string
		code string
	}{
		{"done to done", baton.StatusDone, "", baton.EConflict},
		{"done to blocked", baton.StatusBlocked, "a reason", baton.EInvalid},
		{"done to review", baton.StatusInReview, "", baton.EInvalid},
		{"unknown status", "archived", "", baton.EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := task
			ev, err := tk.ChangeStatus(owner, tt.to, tt.note, created.Add(2*time.Hour))
			wantCode(t, err, tt.code)
			if tk != task {
				t.Errorf("refused change altered the task: %+v", tk)
			}
			if ev != (baton.TaskEvent{}) {
				t.Errorf("refused change returned event %+v", ev)
			}
		})
	}
	// Reopening a finished task is allowed.
	if _, err := task.ChangeStatus(delegator, baton.StatusTodo, "not quite", created.Add(3*time.Hour)); err != nil {
		t.Fatalf("reopen: %v", err)
	}
}

func TestNoteLimit(t *testing.T) {
	if baton.MaxNoteLen != 1000 {
		t.Fatalf("MaxNoteLen = %d, the tests below assume 1000", baton.MaxNoteLen)
	}
	at := strings.Repeat("ñ", baton.MaxNoteLen)
	over := strings.Repeat("ñ", baton.MaxNoteLen+1)
	later := created.Add(time.Hour)
	nextDue := baton.Due{Date: "2026-12-04", At: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)}

	ops := map[string]func(task *baton.Task, note string) (baton.TaskEvent, error){
		"ChangeStatus": func(task *baton.Task, note string) (baton.TaskEvent, error) {
			return task.ChangeStatus(owner, baton.StatusBlocked, note, later)
		},
		"Reassign": func(task *baton.Task, note string) (baton.TaskEvent, error) {
			return task.Reassign(delegator, "U0NEW", note, later)
		},
		"ChangeDue": func(task *baton.Task, note string) (baton.TaskEvent, error) {
			return task.ChangeDue(delegator, nextDue, note, later)
		},
		"LogUpdate": func(task *baton.Task, note string) (baton.TaskEvent, error) {
			return task.LogUpdate(owner, note, later)
		},
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			task := newTask(t)
			ev, err := op(&task, "  "+at+"  ")
			if err != nil {
				t.Fatalf("note of %d runes: %v", baton.MaxNoteLen, err)
			}
			if ev.Note != at {
				t.Errorf("note not kept trimmed: %d bytes", len(ev.Note))
			}

			task = newTask(t)
			before := task
			_, err = op(&task, over)
			wantCode(t, err, baton.EInvalid)
			if task != before {
				t.Errorf("refused %s changed the task", name)
			}
		})
	}
}

func TestReassign(t *testing.T) {
	task := newTask(t)
	before := task
	_, err := task.Reassign(delegator, owner, "", created.Add(time.Hour))
	wantCode(t, err, baton.EConflict)
	if !strings.Contains(baton.ErrorMessage(err), "T-12") {
		t.Errorf("message %q should name the task", baton.ErrorMessage(err))
	}
	_, err = task.Reassign(delegator, "", "", created.Add(time.Hour))
	wantCode(t, err, baton.EInvalid)
	if task != before {
		t.Errorf("refused reassign changed the task: %+v", task)
	}

	t1 := created.Add(2 * time.Hour)
	ev, err := task.Reassign(delegator, "U0NEW", " over to you ", t1)
	if err != nil {
		t.Fatalf("Reassign: %v", err)
	}
	want := baton.TaskEvent{TaskID: 42, TeamID: team, Kind: baton.EventReassigned, Actor: delegator,
		From: owner, To: "U0NEW", Note: "over to you", At: t1}
	if ev != want {
		t.Errorf("event = %+v, want %+v", ev, want)
	}
	if task.OwnerID != "U0NEW" || task.DelegatorID != delegator {
		t.Errorf("owner %q delegator %q after reassign", task.OwnerID, task.DelegatorID)
	}
	if !task.UpdatedAt.Equal(t1) {
		t.Errorf("UpdatedAt = %v, want %v", task.UpdatedAt, t1)
	}
	if !task.StatusChangedAt.Equal(created) {
		t.Errorf("StatusChangedAt moved to %v on reassign", task.StatusChangedAt)
	}
}

func TestChangeDue(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	now := created // Fri 27 Nov 2026, 10:00 in Berlin
	day, err := baton.NewDue("2026-12-04", "", berlin, now)
	if err != nil {
		t.Fatal(err)
	}
	timed, err := baton.NewDue("2026-12-04", "15:00", berlin, now)
	if err != nil {
		t.Fatal(err)
	}

	task := newTask(t)

	// Clearing a due date that is not set is a conflict.
	_, err = task.ChangeDue(delegator, baton.Due{}, "", now)
	wantCode(t, err, baton.EConflict)

	t1 := now.Add(time.Minute)
	ev, err := task.ChangeDue(delegator, day, "", t1)
	if err != nil {
		t.Fatalf("set day: %v", err)
	}
	want := baton.TaskEvent{TaskID: 42, TeamID: team, Kind: baton.EventDue, Actor: delegator, From: "", To: "2026-12-04", At: t1}
	if ev != want {
		t.Errorf("event = %+v, want %+v", ev, want)
	}
	if !task.Due.Equal(day) || !task.UpdatedAt.Equal(t1) {
		t.Errorf("after set: due %+v updated %v", task.Due, task.UpdatedAt)
	}

	// The same day again is a conflict, even as a freshly built value.
	again, err := baton.NewDue("2026-12-04", "", berlin, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	before := task
	_, err = task.ChangeDue(owner, again, "", now.Add(time.Hour))
	wantCode(t, err, baton.EConflict)
	if !strings.Contains(baton.ErrorMessage(err), "Fri 4 Dec 2026") {
		t.Errorf("message %q should give the due date in words", baton.ErrorMessage(err))
	}
	if task != before {
		t.Errorf("refused ChangeDue changed the task")
	}

	// Adding a time to the same day is a change; the event carries Due.String() on both sides.
	t2 := now.Add(2 * time.Hour)
	ev, err = task.ChangeDue(owner, timed, "after the review", t2)
	if err != nil {
		t.Fatalf("set time: %v", err)
	}
	if ev.From != day.String() || ev.To != timed.String() {
		t.Errorf("event From/To = %q/%q, want %q/%q", ev.From, ev.To, day.String(), timed.String())
	}
	if ev.To != "2026-12-04T14:00:00Z" { // 15:00 in Berlin (CET, UTC+1)
		t.Errorf("event To = %q, want the UTC instant 2026-12-04T14:00:00Z", ev.To)
	}
	if ev.Note != "after the review" || ev.Actor != owner || ev.Kind != baton.EventDue {
		t.Errorf("event = %+v", ev)
	}

	_, err = task.ChangeDue(owner, timed, "", t2)
	wantCode(t, err, baton.EConflict)

	// Clearing it records the old value and an empty new one.
	t3 := now.Add(3 * time.Hour)
	ev, err = task.ChangeDue(delegator, baton.Due{}, "", t3)
	if err != nil {
		t.Fatalf("clear: %v", err)
	}
	if ev.From != "2026-12-04T14:00:00Z" || ev.To != "" {
		t.Errorf("clear event From/To = %q/%q", ev.From, ev.To)
	}
	if task.Due.Set() {
		t.Errorf("due still set after clear: %+v", task.Due)
	}
}

func TestLogUpdate(t *testing.T) {
	task := newTask(t)
	before := task
	for _, note := range []string{"", "  ", "\n"} {
		_, err := task.LogUpdate(owner, note, created.Add(time.Hour))
		wantCode(t, err, baton.EInvalid)
	}
	if task != before {
		t.Errorf("refused update changed the task")
	}

	t1 := created.Add(time.Hour)
	ev, err := task.LogUpdate(owner, "  halfway there ", t1)
	if err != nil {
		t.Fatalf("LogUpdate: %v", err)
	}
	want := baton.TaskEvent{TaskID: 42, TeamID: team, Kind: baton.EventUpdate, Actor: owner, Note: "halfway there", At: t1}
	if ev != want {
		t.Errorf("event = %+v, want %+v", ev, want)
	}
	if task.Status != before.Status || task.OwnerID != before.OwnerID || !task.StatusChangedAt.Equal(before.StatusChangedAt) {
		t.Errorf("LogUpdate changed more than UpdatedAt: %+v", task)
	}
	if !task.UpdatedAt.Equal(t1) {
		t.Errorf("UpdatedAt = %v, want %v", task.UpdatedAt, t1)
	}
}

func TestCanAct(t *testing.T) {
	task := newTask(t)
	tests := []struct {
		name    string
		user    string
		isAdmin bool
		want    bool
	}{
		{"owner", owner, false, true},
		{"delegator", delegator, false, true},
		{"admin", admin, true, true},
		{"owner who is admin", owner, true, true},
		{"stranger", stranger, false, false},
		{"empty user", "", false, false},
	}
	for _, tt := range tests {
		if got := task.CanAct(tt.user, tt.isAdmin); got != tt.want {
			t.Errorf("%s: CanAct(%q, %v) = %v, want %v", tt.name, tt.user, tt.isAdmin, got, tt.want)
		}
	}

	// After a reassignment the old owner loses the right.
	if _, err := task.Reassign(delegator, "U0NEW", "", created.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if task.CanAct(owner, false) {
		t.Errorf("former owner can still act")
	}
	if !task.CanAct("U0NEW", false) {
		t.Errorf("new owner cannot act")
	}

	err := task.ForbiddenError()
	wantCode(t, err, baton.EForbidden)
	msg := err.Message
	for _, s := range []string{"<@U0NEW>", "<@" + delegator + ">", "T-12"} {
		if !strings.Contains(msg, s) {
			t.Errorf("forbidden message %q should mention %s", msg, s)
		}
	}
}

func TestOverdue(t *testing.T) {
	dueAt := time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)
	due := baton.Due{Date: "2026-12-04", Time: "15:00", At: dueAt, HasTime: true}
	tests := []struct {
		name   string
		status baton.Status
		due    baton.Due
		now    time.Time
		want   bool
	}{
		{"open before due", baton.StatusInProgress, due, dueAt.Add(-time.Second), false},
		{"open at due moment", baton.StatusInProgress, due, dueAt, true},
		{"open past due", baton.StatusTodo, due, dueAt.Add(time.Hour), true},
		{"blocked past due", baton.StatusBlocked, due, dueAt.Add(time.Hour), true},
		{"review past due", baton.StatusInReview, due, dueAt.Add(time.Hour), true},
		{"done past due", baton.StatusDone, due, dueAt.Add(time.Hour), false},
		{"no due", baton.StatusTodo, baton.Due{}, dueAt.Add(24 * time.Hour), false},
	}
	for _, tt := range tests {
		task := newTask(t)
		task.Status = tt.status
		task.Due = tt.due
		if got := task.Overdue(tt.now); got != tt.want {
			t.Errorf("%s: Overdue(%v) = %v, want %v", tt.name, tt.now, got, tt.want)
		}
	}

	// A whole-day due date is overdue only once that day has ended in its zone.
	berlin := mustLoad(t, "Europe/Berlin")
	day, err := baton.NewDue("2026-12-04", "", berlin, created)
	if err != nil {
		t.Fatal(err)
	}
	task := newTask(t)
	task.Due = day
	lastMinute := time.Date(2026, 12, 4, 23, 59, 0, 0, berlin)
	if task.Overdue(lastMinute) {
		t.Errorf("overdue at %v, still on the due day", lastMinute)
	}
	if !task.Overdue(time.Date(2026, 12, 5, 0, 0, 0, 0, berlin)) {
		t.Errorf("not overdue at midnight after the due day")
	}
}

func TestTaskRef(t *testing.T) {
	task := newTask(t)
	if task.Ref() != "T-12" || baton.TaskRef(7) != "T-7" {
		t.Errorf("Ref = %q, TaskRef(7) = %q", task.Ref(), baton.TaskRef(7))
	}
	n, ok := baton.ParseTaskRef(task.Ref())
	if !ok || n != task.Number {
		t.Errorf("ParseTaskRef(%q) = %d, %v", task.Ref(), n, ok)
	}
}

func TestServeGoal(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	task := baton.Task{Number: 12, KRWeight: 1}
	ev, err := task.ServeGoal("UBEA", 7, 3, "", "KR-7", now)
	if err != nil || task.KRID != 7 || task.KRWeight != 3 || ev.Kind != baton.EventGoal || ev.From != "" || ev.To != "KR-7" || ev.Actor != "UBEA" {
		t.Fatalf("link: %+v, %+v, %v", task, ev, err)
	}
	if _, err := task.ServeGoal("UBEA", 7, 3, "KR-7", "KR-7", now); baton.ErrorCode(err) != baton.EConflict {
		t.Errorf("the same link again: %v, want a conflict", err)
	}
	if _, err := task.ServeGoal("UBEA", 7, 1, "KR-7", "KR-7", now); err != nil || task.KRWeight != 1 {
		t.Errorf("a new weight: %v, weight %v", err, task.KRWeight)
	}
	if ev, err := task.ServeGoal("UBEA", 0, 1, "KR-7", "", now); err != nil || task.KRID != 0 || ev.From != "KR-7" || ev.To != "" {
		t.Errorf("unlink: %+v, %v", ev, err)
	}
	if _, err := task.ServeGoal("UBEA", 0, 1, "", "", now); baton.ErrorCode(err) != baton.EConflict {
		t.Errorf("unlinking an unlinked task: %v, want a conflict", err)
	}
}
