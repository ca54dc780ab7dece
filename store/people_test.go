package store_test

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
)

func TestGroupMembersAreAddedRemovedAndListed(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()

	added, err := db.AddGroupMembers(ctx, "TA", "Finance", []string{"UFAY", "UFRED"}, "UADM", now)
	if err != nil || !reflect.DeepEqual(added, []string{"UFAY", "UFRED"}) {
		t.Fatalf("add = %v, %v; want both added", added, err)
	}
	if added, err = db.AddGroupMembers(ctx, "TA", "finance", []string{"UFRED", "USUE"}, "UADM", now); err != nil || !reflect.DeepEqual(added, []string{"USUE"}) {
		t.Errorf("second add = %v, %v; want only Sue new", added, err)
	}
	if _, err := db.AddGroupMembers(ctx, "TA", "it-ops_2", []string{"UOPS"}, "UADM", now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddGroupMembers(ctx, "TB", "finance", []string{"UOTHER"}, "UADM", now); err != nil {
		t.Fatal(err)
	}
	groups, err := db.Groups(ctx, "TA")
	want := map[string][]string{"finance": {"UFAY", "UFRED", "USUE"}, "it-ops_2": {"UOPS"}}
	if err != nil || !reflect.DeepEqual(groups, want) {
		t.Fatalf("groups = %v, %v; want %v", groups, err, want)
	}

	removed, err := db.RemoveGroupMembers(ctx, "TA", "finance", []string{"USUE", "UNOBODY", "UFAY"})
	if err != nil || !reflect.DeepEqual(removed, []string{"USUE", "UFAY"}) {
		t.Errorf("remove = %v, %v; want Sue and Fay", removed, err)
	}
	if removed, _ = db.RemoveGroupMembers(ctx, "TA", "it-ops_2", []string{"UOPS"}); len(removed) != 1 {
		t.Errorf("remove the last member = %v", removed)
	}
	groups, _ = db.Groups(ctx, "TA")
	if want := map[string][]string{"finance": {"UFRED"}}; !reflect.DeepEqual(groups, want) {
		t.Errorf("after removals groups = %v, want %v (an empty group is gone)", groups, want)
	}
}

func TestGroupNamesAreChecked(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	for _, bad := range []string{"", "fin ance", "finance!", "größe", strings.Repeat("a", store.MaxGroupName+1)} {
		if _, err := db.AddGroupMembers(ctx, "TA", bad, []string{"UFAY"}, "UADM", now); baton.ErrorCode(err) != baton.EInvalid {
			t.Errorf("group %q: err = %v, want invalid", bad, err)
		}
	}
	if name, err := store.GroupName(" IT-Ops_2 "); err != nil || name != "it-ops_2" {
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

func TestDirectoryIsWhatRoutingReads(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	if _, err := db.AddGroupMembers(ctx, "TA", "finance", []string{"UCAL"}, "UADM", now); err != nil {
		t.Fatal(err)
	}
	if err := db.SetManager(ctx, "TA", "UANA", "UCAL", nil, "UADM", now); err != nil {
		t.Fatal(err)
	}
	d, err := db.Directory(ctx, "TA")
	if err != nil {
		t.Fatal(err)
	}
	want := baton.Directory{Groups: map[string][]string{"finance": {"UCAL"}}, Managers: map[string]string{"UANA": "UCAL"}}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("directory = %+v, want %+v", d, want)
	}
	if d, err = db.Directory(ctx, "TEMPTY"); err != nil || len(d.Groups) != 0 || len(d.Managers) != 0 {
		t.Errorf("empty workspace directory = %+v, %v", d, err)
	}
}
