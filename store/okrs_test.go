package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
)

func createObjective(t *testing.T, db *store.DB, team, owner, title, period string, parentID int64) baton.Objective {
	t.Helper()
	o, err := baton.NewObjective(team, owner, owner, title, period, now)
	if err != nil {
		t.Fatalf("NewObjective: %v", err)
	}
	o.ParentID = parentID
	created, err := db.CreateObjective(context.Background(), o)
	if err != nil {
		t.Fatalf("CreateObjective: %v", err)
	}
	return created
}

func createKR(t *testing.T, db *store.DB, o baton.Objective, owner string, spec baton.KRSpec) baton.KeyResult {
	t.Helper()
	spec.OwnerID = owner
	if spec.Title == "" {
		spec.Title = "A key result"
	}
	k, errs := baton.NewKeyResult(o, owner, spec, now)
	if errs != nil {
		t.Fatalf("NewKeyResult: %v", errs)
	}
	created, err := db.CreateKeyResult(context.Background(), k)
	if err != nil {
		t.Fatalf("CreateKeyResult: %v", err)
	}
	return created
}

func linkedTask(t *testing.T, db *store.DB, team string, kr baton.KeyResult, weight float64) baton.Task {
	t.Helper()
	task, ev, err := baton.NewTask(team, "UBEA", "UANA", "Linked work", "", baton.Due{}, now)
	if err != nil {
		t.Fatal(err)
	}
	task.KRID, task.KRWeight = kr.ID, weight
	created, err := db.CreateTask(context.Background(), task, ev)
	if err != nil {
		t.Fatalf("CreateTask: %v", err)
	}
	return created
}

func TestObjectivesAndKeyResultsAreNumberedPerWorkspace(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	for want := int64(1); want <= 2; want++ {
		for _, team := range []string{"TA", "TB"} {
			o := createObjective(t, db, team, "UBEA", "Grow", "2026-Q4", 0)
			k := createKR(t, db, o, "UANA", baton.KRSpec{Kind: baton.KRRollup})
			if o.Ref() != baton.ObjectiveRef(want) || k.Ref() != baton.KRRef(want) {
				t.Fatalf("%s: %s and %s, want O-%d and KR-%d", team, o.Ref(), k.Ref(), want, want)
			}
		}
	}
	got, err := db.KeyResult(ctx, "TA", 2)
	if err != nil || got.Kind != baton.KRRollup || got.OwnerID != "UANA" || got.Weight != 1 || !got.CheckedAt.Equal(now) {
		t.Fatalf("KR-2: %+v, %v", got, err)
	}
	if _, err := db.KeyResult(ctx, "TC", 1); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("KR-1 of another workspace: %v, want not found", err)
	}
	if _, err := db.KeyResultByID(ctx, "TB", got.ID); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("TA's key result read by TB: %v, want not found", err)
	}
	if _, err := db.Objective(ctx, "TA", 9); baton.ErrorCode(err) != baton.ENotFound || !strings.Contains(err.Error(), "O-9") {
		t.Errorf("O-9: %v", err)
	}
}

func TestATaskCannotServeAKeyResultOfAnotherWorkspace(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	other := createKR(t, db, createObjective(t, db, "TB", "UBEA", "Theirs", "2026-Q4", 0), "UANA", baton.KRSpec{Kind: baton.KRRollup})
	task, ev, _ := baton.NewTask("TA", "UBEA", "UANA", "Mine", "", baton.Due{}, now)
	task.KRID = other.ID
	if _, err := db.CreateTask(context.Background(), task, ev); baton.ErrorCode(err) != baton.ENotFound {
		t.Fatalf("task linked across workspaces: %v", err)
	}
	if n, _ := db.CountTasks(context.Background(), baton.TaskQuery{TeamID: "TA"}); n != 0 {
		t.Errorf("%d tasks stored", n)
	}
}

func TestParentsRefuseLoopsAtAnyDepth(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	company := createObjective(t, db, "T1", "UCEO", "Company", "2026", 0)
	team := createObjective(t, db, "T1", "UBEA", "Team", "2026-H2", company.ID)
	person := createObjective(t, db, "T1", "UANA", "Person", "2026-Q4", team.ID)
	chain, err := db.ObjectiveChain(ctx, person.ID)
	if err != nil || len(chain) != 3 || chain[0].Title != "Person" || chain[1].Title != "Team" || chain[2].Title != "Company" {
		t.Fatalf("chain %+v, %v", chain, err)
	}
	for _, tt := range []struct {
		child, parent int64
	}{{company.Number, team.Number}, {company.Number, person.Number}, {team.Number, team.Number}} {
		_, err := db.SetObjectiveParent(ctx, "T1", tt.child, tt.parent, now)
		if baton.ErrorCode(err) != baton.EInvalid {
			t.Errorf("O-%d under O-%d: %v, want refused", tt.child, tt.parent, err)
		}
	}
	if got, _ := db.Objective(ctx, "T1", company.Number); got.ParentID != 0 {
		t.Errorf("a refused parent was stored: %+v", got)
	}
	moved, err := db.SetObjectiveParent(ctx, "T1", person.Number, company.Number, now)
	if err != nil || moved.ParentID != company.ID {
		t.Fatalf("move under the company: %+v, %v", moved, err)
	}
	if cleared, err := db.SetObjectiveParent(ctx, "T1", person.Number, 0, now); err != nil || cleared.ParentID != 0 {
		t.Fatalf("clear the parent: %+v, %v", cleared, err)
	}
	if done, err := db.SetObjectiveStatus(ctx, "T1", person.Number, baton.ObjectiveAchieved, now); err != nil || done.Status != baton.ObjectiveAchieved {
		t.Fatalf("achieved: %+v, %v", done, err)
	}
	if _, err := db.SetObjectiveStatus(ctx, "T2", person.Number, baton.ObjectiveDropped, now); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("status set from another workspace: %v", err)
	}
	if _, err := db.SetObjectiveParent(ctx, "T1", person.Number, 99, now); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("unknown parent: %v", err)
	}
	createObjective(t, db, "T2", "UX", "Theirs", "2026", 0)
	if _, err := db.SetObjectiveParent(ctx, "T2", person.Number, 1, now); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("T1's objective moved from another workspace: %v", err)
	}
}

func TestTwoParentChangesAtOnceCannotCloseALoop(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	a := createObjective(t, db, "T1", "U1", "A", "2026", 0)
	b := createObjective(t, db, "T1", "U1", "B", "2026", 0)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, pair := range [][2]int64{{a.Number, b.Number}, {b.Number, a.Number}} {
		wg.Go(func() { _, errs[i] = db.SetObjectiveParent(ctx, "T1", pair[0], pair[1], now) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("both or neither applied: %v / %v", errs[0], errs[1])
	}
}

func TestRollupFollowsLinkedTasksWithTheirWeights(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	o := createObjective(t, db, "T1", "UBEA", "Ship v2", "2026-Q4", 0)
	k := createKR(t, db, o, "UANA", baton.KRSpec{Kind: baton.KRRollup})
	heavy := linkedTask(t, db, "T1", k, 3)
	linkedTask(t, db, "T1", k, 0) // counts 1
	if got := heavy.KRID; got != k.ID || heavy.KRWeight != 3 {
		t.Fatalf("task link %d weight %v", got, heavy.KRWeight)
	}
	progress := func() float64 {
		t.Helper()
		got, err := db.KeyResult(ctx, "T1", k.Number)
		if err != nil {
			t.Fatal(err)
		}
		return got.Progress()
	}
	if p := progress(); p != 0 {
		t.Errorf("nothing done: %v", p)
	}
	setStatus(t, db, "T1", heavy.Number, baton.StatusDone)
	if p := progress(); p != 0.75 {
		t.Errorf("the heavy task done: %v, want 0.75", p)
	}
	setStatus(t, db, "T1", heavy.Number, baton.StatusInProgress)
	if p := progress(); p != 0 {
		t.Errorf("reopened: %v, want 0", p)
	}
	tasks, total, err := db.KRTasks(ctx, k.ID, 1)
	if err != nil || total != 2 || len(tasks) != 1 {
		t.Errorf("linked tasks %d of %d, %v", len(tasks), total, err)
	}
	krs, err := db.KeyResultsOf(ctx, []int64{o.ID})
	if err != nil || len(krs) != 1 || krs[0].RollTotal != 4 {
		t.Errorf("key results of O-1: %+v, %v", krs, err)
	}
}

func TestCheckInsAreAppendedAndMoveTheValue(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	o := createObjective(t, db, "T1", "UBEA", "Cut churn", "2026-Q4", 0)
	k := createKR(t, db, o, "UANA", baton.KRSpec{Kind: baton.KRMetric, Start: "10", Target: "5", Unit: "%"})
	later := now.Add(48 * time.Hour)
	for i, v := range []float64{8, 7.5} {
		at := later.Add(time.Duration(i) * time.Hour)
		got, c, err := db.CheckInKeyResult(ctx, "T1", k.Number, func(k *baton.KeyResult) (baton.KRCheckin, error) {
			return k.CheckIn("UANA", v, "note", at)
		})
		if err != nil || got.Current != v || !got.CheckedAt.Equal(at) || c.ID == 0 || c.Value != v || c.KRID != k.ID {
			t.Fatalf("check-in %v: %+v %+v %v", v, got, c, err)
		}
	}
	if got, _ := db.KeyResult(ctx, "T1", k.Number); got.Progress() != 0.5 || got.Checkins != 2 {
		t.Errorf("progress %v after %d check-ins, want 0.5 (10 → 7.5 of 10 → 5) after 2", got.Progress(), got.Checkins)
	}
	history, total, err := db.KRCheckins(ctx, k.ID, 1)
	if err != nil || total != 2 || len(history) != 1 || history[0].Value != 7.5 {
		t.Errorf("history %+v of %d, %v", history, total, err)
	}
	roll := createKR(t, db, o, "UANA", baton.KRSpec{Kind: baton.KRRollup})
	_, _, err = db.CheckInKeyResult(ctx, "T1", roll.Number, func(k *baton.KeyResult) (baton.KRCheckin, error) {
		return k.CheckIn("UANA", 3, "", later)
	})
	if baton.ErrorCode(err) != baton.EInvalid {
		t.Errorf("check-in of a roll-up: %v", err)
	}
	if _, n, _ := db.KRCheckins(ctx, roll.ID, 10); n != 0 {
		t.Errorf("a refused check-in was stored")
	}
	if _, _, err := db.CheckInKeyResult(ctx, "T2", k.Number, func(k *baton.KeyResult) (baton.KRCheckin, error) {
		return k.CheckIn("UX", 1, "", later)
	}); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("check-in from another workspace: %v", err)
	}
}

func TestTreeOwnerListsAlignmentAndReminderDays(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	year := createObjective(t, db, "T1", "UCEO", "Year", "2026", 0)
	q4 := createObjective(t, db, "T1", "UANA", "Quarter", "2026-Q4", year.ID)
	createObjective(t, db, "T1", "UANA", "Last quarter", "2026-Q3", 0)
	got, err := db.ObjectivesInPeriods(ctx, "T1", baton.Period{Year: 2026, Quarter: 4}.Covering(), 10)
	if err != nil || len(got) != 2 || got[0].Title != "Year" || got[1].Title != "Quarter" {
		t.Fatalf("tree of 2026-Q4: %+v, %v", got, err)
	}
	mine, err := db.ObjectivesByOwner(ctx, "T1", "UANA", 10)
	if err != nil || len(mine) != 2 || mine[0].Title != "Last quarter" {
		t.Errorf("Ana's objectives %+v, %v", mine, err)
	}
	k := createKR(t, db, q4, "UBO", baton.KRSpec{Kind: baton.KRMetric, Start: "0", Target: "10"})
	krs, err := db.KeyResultsByOwner(ctx, "T1", "UBO", 10)
	if err != nil || len(krs) != 1 || krs[0].ID != k.ID {
		t.Errorf("Bo's key results %+v, %v", krs, err)
	}
	a, err := db.Alignment(ctx, "T1", k.ID)
	if err != nil || a.KR.ID != k.ID || len(a.Objectives) != 2 || a.Objectives[0].ID != q4.ID || a.Objectives[1].ID != year.ID {
		t.Errorf("alignment %+v, %v", a, err)
	}
	if _, err := db.Alignment(ctx, "T2", k.ID); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("alignment read by another workspace: %v", err)
	}

	if d, err := db.OKRReminderDays(ctx, "T1"); err != nil || d != baton.DefaultOKRReminderDays {
		t.Errorf("default reminder days %d, %v", d, err)
	}
	if err := db.SetOKRReminderDays(ctx, "T1", 14, "UADM"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetOKRReminderDays(ctx, "T1", 0, "UADM"); baton.ErrorCode(err) != baton.EInvalid {
		t.Errorf("0 days: %v", err)
	}
	if d, _ := db.OKRReminderDays(ctx, "T1"); d != 14 {
		t.Errorf("reminder days %d, want 14", d)
	}
	if w, err := db.WorkWeek(ctx, "T1"); err != nil || w != baton.DefaultWorkWeek() {
		t.Errorf("setting reminder days changed the working week: %v, %v", w, err)
	}
}

func TestEditKeyResultKeepsItsValueAndHistory(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	o := createObjective(t, db, "T1", "UBEA", "Cut churn", "2026-Q4", 0)
	k := createKR(t, db, o, "UANA", baton.KRSpec{Kind: baton.KRMetric, Start: "10", Target: "5", Unit: "%"})
	if _, _, err := db.CheckInKeyResult(ctx, "T1", k.Number, func(k *baton.KeyResult) (baton.KRCheckin, error) {
		return k.CheckIn("UANA", 8, "", now.Add(time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	got, err := db.EditKeyResult(ctx, "T1", k.Number, func(k *baton.KeyResult) error {
		if errs := k.Edit(o, baton.KRSpec{Title: "Cut churn to 6%", OwnerID: "UCAL", Start: "10", Target: "6", Unit: "%", Weight: "3"}, now.Add(2*time.Hour)); errs != nil {
			return baton.Errorf(baton.EInvalid, "%v", errs)
		}
		return nil
	})
	if err != nil || got.Title != "Cut churn to 6%" || got.OwnerID != "UCAL" || got.Target != 6 || got.Weight != 3 || got.Current != 8 || got.Checkins != 1 || got.Progress() != 0.5 {
		t.Fatalf("edited: %+v (progress %v), %v", got, got.Progress(), err)
	}
	refused := baton.Errorf(baton.EConflict, "no")
	if _, err := db.EditKeyResult(ctx, "T1", k.Number, func(k *baton.KeyResult) error { k.Title = "lost"; return refused }); err != refused {
		t.Errorf("a refused edit: %v", err)
	}
	if again, _ := db.KeyResult(ctx, "T1", k.Number); again.Title != "Cut churn to 6%" {
		t.Errorf("a refused edit was saved: %q", again.Title)
	}
	if _, err := db.EditKeyResult(ctx, "T2", k.Number, func(*baton.KeyResult) error { return nil }); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("edit from another workspace: %v", err)
	}
}
