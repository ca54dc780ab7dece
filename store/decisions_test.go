package store_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
)

func createDecision(t *testing.T, db *store.DB, team, author string, f baton.DecisionFields) baton.DecisionSave {
	t.Helper()
	d, v, err := baton.NewDecision(team, author, f, now)
	if err != nil {
		t.Fatalf("NewDecision: %v", err)
	}
	saved, err := db.CreateDecision(context.Background(), d, v, "please read")
	if err != nil {
		t.Fatalf("CreateDecision: %v", err)
	}
	return saved
}

func queueDecision() baton.DecisionFields {
	return baton.DecisionFields{Title: "Job queue", Context: "Redis may be flushed.", Decision: "Postgres keeps the truth; Redis indexes due times.",
		Status: baton.DecisionProposed, TaskNumber: 12, KRNumber: 7, Flagged: []string{"UANA"}}
}

func edit(db *store.DB, team string, number int64, editor string, base int, change func(f *baton.DecisionFields)) (baton.DecisionSave, error) {
	return db.EditDecision(context.Background(), team, number, "", func(d *baton.Decision) (baton.DecisionVersion, error) {
		f := d.DecisionFields
		f.Flagged = slices.Clone(f.Flagged)
		change(&f)
		return d.Edit(editor, false, base, f, now.Add(time.Hour))
	})
}

func TestDecisionsAreNumberedPerWorkspaceAndKeepEveryVersion(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	createTask(t, db, "TA", "U1", "U2", "A task takes T-1", dueNone)
	first := createDecision(t, db, "TA", "UBEA", queueDecision())
	other := createDecision(t, db, "TB", "UBEA", queueDecision())
	second := createDecision(t, db, "TA", "UBEA", queueDecision())
	if first.Decision.Ref() != "D-1" || other.Decision.Ref() != "D-1" || second.Decision.Ref() != "D-2" {
		t.Fatalf("numbers: %s, %s, %s", first.Decision.Ref(), other.Decision.Ref(), second.Decision.Ref())
	}
	if len(first.Flags) != 1 || first.Flags[0].UserID != "UANA" || first.Flags[0].Reason != "please read" || first.Flags[0].Version != 1 {
		t.Errorf("flags of the first version = %+v", first.Flags)
	}

	saved, err := edit(db, "TA", 1, "UANA", 1, func(f *baton.DecisionFields) {
		f.Status = baton.DecisionAccepted
		f.Decision += "\nJobs carry a deterministic key."
		f.Context = "Ask <@UCAL>."
	})
	if err != nil {
		t.Fatal(err)
	}
	if saved.Decision.Version != 2 || saved.Before.Version != 1 || saved.Decision.UpdatedBy != "UANA" {
		t.Errorf("edit saved %+v", saved.Decision)
	}
	if got := []string{saved.Flags[0].UserID}; len(saved.Flags) != 1 || got[0] != "UCAL" {
		t.Errorf("the edit flagged %+v, want the mentioned Cal (Ana edited it herself)", saved.Flags)
	}
	got, err := db.Decision(ctx, "TA", 1)
	if err != nil || got.Version != 2 || got.Status != baton.DecisionAccepted || got.KRNumber != 7 || !slices.Equal(got.Flagged, []string{"UANA"}) {
		t.Fatalf("read back %+v, %v", got, err)
	}
	versions, err := db.DecisionVersions(ctx, got.ID)
	if err != nil || len(versions) != 2 {
		t.Fatalf("versions = %+v, %v", versions, err)
	}
	if versions[0].Decision != queueDecision().Decision || versions[0].EditorID != "UBEA" ||
		!slices.Equal(versions[1].Changed, []string{baton.FieldStatus, baton.FieldDecision, baton.FieldContext}) {
		t.Errorf("versions = %+v", versions)
	}
	if _, err := db.Decision(ctx, "TA", 9); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("D-9 gave %v", err)
	}
	if _, err := edit(db, "TA", 9, "UBEA", 1, func(*baton.DecisionFields) {}); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("editing D-9 gave %v", err)
	}
}

func TestDecisionVersionsAreAppendOnly(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	saved := createDecision(t, db, "TA", "UBEA", queueDecision())
	if _, err := db.ExecContext(ctx, `UPDATE decision_versions SET title = 'rewritten'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("updating a version gave %v", err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM decision_versions`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("deleting a version gave %v", err)
	}
	versions, err := db.DecisionVersions(ctx, saved.Decision.ID)
	if err != nil || len(versions) != 1 || versions[0].Title != "Job queue" {
		t.Errorf("history after the attempts = %+v, %v", versions, err)
	}
}

func TestTwoEditsOfTheSameVersionOnlyOneWins(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	createDecision(t, db, "TA", "UBEA", queueDecision())
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, editor := range []string{"UBEA", "UANA"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = edit(db, "TA", 1, editor, 1, func(f *baton.DecisionFields) { f.Decision = "Edited by " + editor })
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch baton.ErrorCode(err) {
		case "":
			won++
		case baton.EConflict:
		default:
			t.Errorf("an edit failed with %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d edits won (%v), want exactly one", won, errs)
	}
	d, _ := db.Decision(context.Background(), "TA", 1)
	versions, _ := db.DecisionVersions(context.Background(), d.ID)
	if d.Version != 2 || len(versions) != 2 || versions[1].Decision != d.Decision {
		t.Errorf("after the race: decision %+v, %d versions", d, len(versions))
	}
}

func TestSupersedeLinksBothDecisionsInOneTransaction(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	createDecision(t, db, "TA", "UBEA", queueDecision())
	f := queueDecision()
	f.Title, f.SupersedesNumber = "Job queue, revisited", 1
	saved := createDecision(t, db, "TA", "UCAL", f)
	if saved.Superseded == nil || saved.Superseded.Number != 1 || saved.Superseded.SupersededByNumber != 2 || saved.Superseded.Status != baton.DecisionSuperseded {
		t.Fatalf("superseded = %+v", saved.Superseded)
	}
	old, _ := db.Decision(ctx, "TA", 1)
	versions, _ := db.DecisionVersions(ctx, old.ID)
	if old.Version != 2 || len(versions) != 2 || versions[1].EditorID != "UCAL" || versions[1].Status != baton.DecisionSuperseded {
		t.Errorf("D-1 after being superseded: %+v, versions %+v", old, versions)
	}

	// A decision cannot be superseded twice; the failed attempt leaves nothing behind.
	f.Title = "Third try"
	d, v, _ := baton.NewDecision("TA", "UCAL", f, now)
	if _, err := db.CreateDecision(ctx, d, v, ""); baton.ErrorCode(err) != baton.EConflict {
		t.Errorf("superseding D-1 again gave %v", err)
	}
	f.SupersedesNumber = 42
	d, v, _ = baton.NewDecision("TA", "UCAL", f, now)
	if _, err := db.CreateDecision(ctx, d, v, ""); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("superseding D-42 gave %v", err)
	}
	if list, _ := db.ListDecisions(ctx, baton.DecisionQuery{TeamID: "TA"}); len(list) != 2 {
		t.Errorf("failed creations left decisions behind: %d", len(list))
	}
}

func TestAcknowledgeAndRemindFlags(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	saved := createDecision(t, db, "TA", "UBEA", queueDecision())
	flag := saved.Flags[0]
	if _, _, err := db.AcknowledgeDecision(ctx, "TA", 1, "UCAL", 1, now); baton.ErrorCode(err) != baton.EForbidden {
		t.Errorf("Cal, never flagged, acknowledged: %v", err)
	}
	if ok, err := db.MarkFlagReminded(ctx, flag.ID, now); !ok || err != nil {
		t.Fatalf("first reminder: %v %v", ok, err)
	}
	if ok, _ := db.MarkFlagReminded(ctx, flag.ID, now); ok {
		t.Error("a flag was reminded twice")
	}
	_, opened, err := db.AcknowledgeDecision(ctx, "TA", 1, "UANA", 1, now.Add(time.Minute))
	if err != nil || !slices.Equal(opened, []int64{flag.ID}) {
		t.Fatalf("acknowledge: %v %v", opened, err)
	}
	if _, again, _ := db.AcknowledgeDecision(ctx, "TA", 1, "UANA", 1, now); len(again) != 0 {
		t.Errorf("acknowledging twice acknowledged %v again", again)
	}
	// Version 2 flags Ana again: her latest flag is open until she acknowledges that version too.
	if _, err := edit(db, "TA", 1, "UBEA", 1, func(f *baton.DecisionFields) { f.Decision = "Changed" }); err != nil {
		t.Fatal(err)
	}
	flags, err := db.DecisionFlags(ctx, saved.Decision.ID)
	if err != nil || len(flags) != 1 || flags[0].Version != 2 || flags[0].Acknowledged() {
		t.Fatalf("latest flags = %+v, %v", flags, err)
	}
	got, err := db.DecisionFlag(ctx, flag.ID)
	if err != nil || !got.Acknowledged() || got.RemindedAt.IsZero() {
		t.Errorf("first flag = %+v, %v", got, err)
	}
	if ok, _ := db.MarkFlagReminded(ctx, flags[0].ID+100, now); ok {
		t.Error("an unknown flag was reminded")
	}
}

func TestListDecisionsByTaskKRPersonAndWords(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	createDecision(t, db, "TA", "UBEA", queueDecision())
	pricing := baton.DecisionFields{Title: "Pricing tiers", Decision: "Three tiers, billed yearly.", Context: "Customers asked for invoices.",
		Status: baton.DecisionAccepted, TaskNumber: 3, Flagged: []string{"UCAL"}}
	createDecision(t, db, "TA", "UANA", pricing)
	createDecision(t, db, "TB", "UBEA", pricing)
	mention := baton.DecisionFields{Title: "Logo", Decision: "Blue, as <@UDEE> proposed.", Status: baton.DecisionProposed}
	createDecision(t, db, "TA", "UANA", mention)

	refs := func(q baton.DecisionQuery) []string {
		t.Helper()
		q.TeamID = "TA"
		list, err := db.ListDecisions(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range list {
			out = append(out, d.Ref())
		}
		return out
	}
	for name, tt := range map[string]struct {
		q    baton.DecisionQuery
		want []string
	}{
		"all, newest first": {baton.DecisionQuery{}, []string{"D-3", "D-2", "D-1"}},
		"by task":           {baton.DecisionQuery{TaskNumber: 12}, []string{"D-1"}},
		"by KR":             {baton.DecisionQuery{KRNumber: 7}, []string{"D-1"}},
		"by author":         {baton.DecisionQuery{UserID: "UANA"}, []string{"D-3", "D-2", "D-1"}},
		"by flagged":        {baton.DecisionQuery{UserID: "UCAL"}, []string{"D-2"}},
		"by mention":        {baton.DecisionQuery{UserID: "UDEE"}, []string{"D-3"}},
		"by words in title": {baton.DecisionQuery{Words: "pricing"}, []string{"D-2"}},
		"stemmed context":   {baton.DecisionQuery{Words: "invoice"}, []string{"D-2"}},
		"words in decision": {baton.DecisionQuery{Words: "postgres redis"}, []string{"D-1"}},
		"nothing matches":   {baton.DecisionQuery{Words: "kubernetes"}, nil},
		"odd words":         {baton.DecisionQuery{Words: `"unclosed -- & | !`}, nil},
		"limit":             {baton.DecisionQuery{Limit: 1}, []string{"D-3"}},
	} {
		if got := refs(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", name, got, tt.want)
		}
	}
}

func TestPendingFlagsListWhatAPersonHasNotAcknowledged(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	createDecision(t, db, "TA", "UBEA", queueDecision())
	second := queueDecision()
	second.Title, second.Flagged = "Retry policy", []string{"UANA", "UCAL"}
	createDecision(t, db, "TA", "UBEA", second)
	createDecision(t, db, "TB", "UBEA", queueDecision())

	pending, total, err := db.PendingFlags(ctx, "TA", "UANA", 10)
	if err != nil || total != 2 || len(pending) != 2 || pending[0].Number != 1 || pending[1].Title != "Retry policy" || pending[0].Flag.FlaggedBy != "UBEA" {
		t.Fatalf("Ana's pending flags = %+v (%d), %v", pending, total, err)
	}
	if pending, total, _ := db.PendingFlags(ctx, "TA", "UANA", 1); len(pending) != 1 || total != 2 {
		t.Errorf("limited to 1: %d shown of %d, want 1 of 2", len(pending), total)
	}

	// A new version flags her again: still one line for D-1, for its latest version.
	if _, err := edit(db, "TA", 1, "UBEA", 1, func(f *baton.DecisionFields) { f.Decision = "Changed" }); err != nil {
		t.Fatal(err)
	}
	if pending, total, _ := db.PendingFlags(ctx, "TA", "UANA", 10); total != 2 || pending[1].Number != 1 || pending[1].Flag.Version != 2 {
		t.Errorf("after version 2: %+v (%d)", pending, total)
	}
	if _, _, err := db.AcknowledgeDecision(ctx, "TA", 1, "UANA", 2, now); err != nil {
		t.Fatal(err)
	}
	if pending, total, _ := db.PendingFlags(ctx, "TA", "UANA", 10); total != 1 || pending[0].Number != 2 {
		t.Errorf("after acknowledging D-1: %+v (%d)", pending, total)
	}
	if _, total, _ := db.PendingFlags(ctx, "TA", "UBEA", 10); total != 0 {
		t.Errorf("the author, never flagged, has %d pending", total)
	}
}

func TestANewVersionWithdrawsTheFlagsOfPeopleItNoLongerNames(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	f := queueDecision()
	f.Flagged = []string{"UANA", "UCAL"}
	saved := createDecision(t, db, "TA", "UBEA", f)
	var calFlag int64
	for _, fl := range saved.Flags {
		if fl.UserID == "UCAL" {
			calFlag = fl.ID
		}
	}
	// Ana, flagged, edits it and leaves Cal out: her flag counts as read, Cal's is withdrawn.
	if _, err := db.EditDecision(ctx, "TA", 1, "", func(d *baton.Decision) (baton.DecisionVersion, error) {
		g := d.DecisionFields
		g.Flagged = []string{"UANA"}
		return d.Edit("UANA", false, 1, g, now.Add(time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	flags, err := db.DecisionFlags(ctx, saved.Decision.ID)
	if err != nil || len(flags) != 1 || flags[0].UserID != "UANA" || !flags[0].Acknowledged() {
		t.Fatalf("flags after the edit = %+v, %v; want Ana's, acknowledged", flags, err)
	}
	if _, total, _ := db.PendingFlags(ctx, "TA", "UCAL", 10); total != 0 {
		t.Errorf("Cal still has %d decisions to acknowledge", total)
	}
	if ok, _ := db.MarkFlagReminded(ctx, calFlag, now.Add(25*time.Hour)); ok {
		t.Error("Cal's withdrawn flag was reminded")
	}
}
