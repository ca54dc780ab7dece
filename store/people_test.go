package store_test

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store/storetest"
)

func TestGroupMembersAreAddedRemovedAndListed(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()

	added, err := db.AddGroupMembers(ctx, "TA", "Finance", []string{"UFAY", "UFRED"}, nil, "UADM", now)
	if err != nil || !reflect.DeepEqual(added, []string{"UFAY", "UFRED"}) {
		t.Fatalf("add = %v, %v; want both added", added, err)
	}
	if added, err = db.AddGroupMembers(ctx, "TA", "finance", []string{"UFRED", "USUE", "USUE"}, nil, "UADM", now); err != nil || !reflect.DeepEqual(added, []string{"USUE"}) {
		t.Errorf("second add = %v, %v; want only Sue new", added, err)
	}
	if _, err := db.AddGroupMembers(ctx, "TA", "it-ops_2", []string{"UOPS"}, nil, "UADM", now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddGroupMembers(ctx, "TB", "finance", []string{"UOTHER"}, nil, "UADM", now); err != nil {
		t.Fatal(err)
	}
	groups, err := db.Groups(ctx, "TA")
	want := map[string]baton.GroupEdits{"finance": {Added: []string{"UFAY", "UFRED", "USUE"}}, "it-ops_2": {Added: []string{"UOPS"}}}
	if err != nil || !reflect.DeepEqual(groups, want) {
		t.Fatalf("groups = %v, %v; want %v", groups, err, want)
	}

	removed, err := db.RemoveGroupMembers(ctx, "TA", "finance", []string{"USUE", "UNOBODY", "UFAY"}, nil, "UADM", now)
	if err != nil || !reflect.DeepEqual(removed, []string{"USUE", "UFAY"}) {
		t.Errorf("remove = %v, %v; want Sue and Fay", removed, err)
	}
	if removed, _ = db.RemoveGroupMembers(ctx, "TA", "it-ops_2", []string{"UOPS"}, nil, "UADM", now); len(removed) != 1 {
		t.Errorf("remove the last member = %v", removed)
	}
	groups, _ = db.Groups(ctx, "TA")
	if want := map[string]baton.GroupEdits{"finance": {Added: []string{"UFRED"}}}; !reflect.DeepEqual(groups, want) {
		t.Errorf("after removals groups = %v, want %v (nothing is kept of a group added in Slack and emptied)", groups, want)
	}
}

// A group of the policy file is edited: people of the file's list are taken out and let back in, and
// others are added, each recorded once.
func TestGroupEditsOfThePolicyFilesGroup(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	file := []string{"UFIN1", "UFIN2"}

	added, err := db.AddGroupMembers(ctx, "TA", "finance", []string{"UFIN1", "UCAL"}, file, "UADM", now)
	if err != nil || !reflect.DeepEqual(added, []string{"UCAL"}) {
		t.Fatalf("add = %v, %v; want only Cal (Fin1 is on the file's list)", added, err)
	}
	removed, err := db.RemoveGroupMembers(ctx, "TA", "finance", []string{"UFIN2", "UNOBODY"}, file, "UADM", now)
	if err != nil || !reflect.DeepEqual(removed, []string{"UFIN2"}) {
		t.Fatalf("remove = %v, %v; want Fin2", removed, err)
	}
	if removed, _ = db.RemoveGroupMembers(ctx, "TA", "finance", []string{"UFIN2"}, file, "UADM", now); len(removed) != 0 {
		t.Errorf("second remove = %v; Fin2 is out already", removed)
	}
	groups, _ := db.Groups(ctx, "TA")
	want := baton.GroupEdits{Added: []string{"UCAL"}, Removed: []string{"UFIN2"}}
	if !reflect.DeepEqual(groups["finance"], want) {
		t.Fatalf("edits = %+v, want %+v", groups["finance"], want)
	}
	if got := groups["finance"].Apply(file); !reflect.DeepEqual(got, []string{"UFIN1", "UCAL"}) {
		t.Errorf("members = %v", got)
	}

	if added, _ = db.AddGroupMembers(ctx, "TA", "finance", []string{"UFIN2"}, file, "UADM", now); !reflect.DeepEqual(added, []string{"UFIN2"}) {
		t.Errorf("letting Fin2 back in = %v", added)
	}
	if removed, _ = db.RemoveGroupMembers(ctx, "TA", "finance", []string{"UCAL"}, file, "UADM", now); !reflect.DeepEqual(removed, []string{"UCAL"}) {
		t.Errorf("removing Cal = %v", removed)
	}
	if groups, _ = db.Groups(ctx, "TA"); len(groups) != 0 {
		t.Errorf("edits = %v; want none once the group is back to the file's list", groups)
	}
}

// Two admins editing a group at once both land.
func TestConcurrentGroupEditsBothLand(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	file := []string{"UFIN1", "UFIN2"}
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := db.RemoveGroupMembers(ctx, "TA", "finance", []string{"UFIN1"}, file, "UADM", now); err != nil {
			t.Error(err)
		}
	})
	wg.Go(func() {
		if _, err := db.AddGroupMembers(ctx, "TA", "finance", []string{"UCAL"}, file, "UADM2", now); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	groups, _ := db.Groups(ctx, "TA")
	if got := groups["finance"].Apply(file); !reflect.DeepEqual(got, []string{"UFIN2", "UCAL"}) {
		t.Errorf("members = %v, want Fin2 and Cal", got)
	}
}

func TestGroupNamesAreChecked(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	for _, bad := range []string{"", "fin ance", "finance!", "größe", strings.Repeat("a", baton.MaxGroupName+1)} {
		if _, err := db.AddGroupMembers(ctx, "TA", bad, []string{"UFAY"}, nil, "UADM", now); baton.ErrorCode(err) != baton.EInvalid {
			t.Errorf("group %q: err = %v, want invalid", bad, err)
		}
	}
	if name, err := baton.GroupName(" IT-Ops_2 "); err != nil || name != "it-ops_2" {
		t.Errorf("GroupName = %q, %v", name, err)
	}
	if groups, _ := db.Groups(ctx, "TA"); len(groups) != 0 {
		t.Errorf("bad names stored %v", groups)
	}
}

func TestManagersAreSetReplacedAndCleared(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()

	if err := db.SetManager(ctx, "TA", "UANA", "UBO", nil, "UADM", now); err != nil {
		t.Fatal(err)
	}
	if err := db.SetManager(ctx, "TA", "UANA", "UCAL", nil, "UADM", now); err != nil {
		t.Fatal(err)
	}
	if err := db.SetManager(ctx, "TB", "UANA", "UBO", nil, "UADM", now); err != nil {
		t.Fatal(err)
	}
	m, err := db.Managers(ctx, "TA")
	if err != nil || !reflect.DeepEqual(m, map[string]string{"UANA": "UCAL"}) {
		t.Fatalf("managers = %v, %v; want Ana → Cal", m, err)
	}
	if ok, err := db.ClearManager(ctx, "TA", "UANA"); !ok || err != nil {
		t.Errorf("clear = %v, %v", ok, err)
	}
	if ok, err := db.ClearManager(ctx, "TA", "UANA"); ok || err != nil {
		t.Errorf("second clear = %v, %v; want nothing to clear", ok, err)
	}
	if m, _ = db.Managers(ctx, "TA"); len(m) != 0 {
		t.Errorf("after clearing managers = %v", m)
	}
}

func TestManagerLoopsAreRefused(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()

	e := wantCode(t, db.SetManager(ctx, "TA", "UANA", "UANA", nil, "UADM", now), baton.EInvalid)
	if !strings.Contains(e.Message, "own manager") {
		t.Errorf("self: %s", e.Message)
	}
	if err := db.SetManager(ctx, "TA", "UANA", "UBO", nil, "UADM", now); err != nil {
		t.Fatal(err)
	}
	e = wantCode(t, db.SetManager(ctx, "TA", "UBO", "UANA", nil, "UADM", now), baton.EInvalid)
	if !strings.Contains(e.Message, "<@UBO> can't report to <@UANA>: <@UANA> reports to <@UBO>") {
		t.Errorf("A→B→A: %s", e.Message)
	}
	// Through a manager the policy file declares: Bo → Cal in the file, Cal → Ana would close the loop.
	base := map[string]string{"UBO": "UCAL"}
	e = wantCode(t, db.SetManager(ctx, "TA", "UCAL", "UANA", base, "UADM", now), baton.EInvalid)
	if !strings.Contains(e.Message, "<@UANA> reports to <@UBO>, who reports to <@UCAL>") {
		t.Errorf("A→B→C→A: %s", e.Message)
	}
	// A stored manager replaces the file's, so replacing Bo's breaks the loop.
	if err := db.SetManager(ctx, "TA", "UBO", "UDEE", nil, "UADM", now); err != nil {
		t.Fatal(err)
	}
	if err := db.SetManager(ctx, "TA", "UCAL", "UANA", base, "UADM", now); err != nil {
		t.Errorf("no loop once Bo reports to Dee: %v", err)
	}
	m, _ := db.Managers(ctx, "TA")
	if want := map[string]string{"UANA": "UBO", "UBO": "UDEE", "UCAL": "UANA"}; !reflect.DeepEqual(m, want) {
		t.Errorf("managers = %v, want %v (nothing refused was stored)", m, want)
	}
}

func TestManagersSetAtOnceCantMakeALoop(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	for range 10 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Go(func() { errs[0] = db.SetManager(ctx, "TA", "UANA", "UBO", nil, "UADM", now) })
		wg.Go(func() { errs[1] = db.SetManager(ctx, "TA", "UBO", "UANA", nil, "UADM", now) })
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("errors = %v; want exactly one refused", errs)
		}
		for _, u := range []string{"UANA", "UBO"} {
			if _, err := db.ClearManager(ctx, "TA", u); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestPeopleEditsAreWhatRoutingReads(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	if _, err := db.AddGroupMembers(ctx, "TA", "finance", []string{"UCAL"}, nil, "UADM", now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RemoveGroupMembers(ctx, "TA", "legal", []string{"ULEG"}, []string{"ULEG"}, "UADM", now); err != nil {
		t.Fatal(err)
	}
	if err := db.SetManager(ctx, "TA", "UANA", "UCAL", nil, "UADM", now); err != nil {
		t.Fatal(err)
	}
	e, err := db.PeopleEdits(ctx, "TA")
	if err != nil {
		t.Fatal(err)
	}
	want := baton.PeopleEdits{
		Groups:   map[string]baton.GroupEdits{"finance": {Added: []string{"UCAL"}}, "legal": {Removed: []string{"ULEG"}}},
		Managers: map[string]string{"UANA": "UCAL"},
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("edits = %+v, want %+v", e, want)
	}
	if e, err = db.PeopleEdits(ctx, "TEMPTY"); err != nil || len(e.Groups) != 0 || len(e.Managers) != 0 {
		t.Errorf("empty workspace edits = %+v, %v", e, err)
	}
}
