package scheduler

import (
	"context"
	"maps"
	"testing"
	"time"
)

// Every script that moves members in or out of the due set keeps the versions hash naming due
// members only: a claimed member's key leaves it, a member put back (lease expired, retry) comes
// back, and a new version that a worker holds already leaves no entry.
func TestScriptsKeepTheVersionsHash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, nil)
	ctx := context.Background()
	k := newKeys(e.prefix)
	check := func(step string, want map[string]int64) {
		t.Helper()
		if got := e.versions(t); !maps.Equal(got, want) {
			t.Fatalf("after %s the versions hash is %v, want %v", step, got, want)
		}
		e.checkVersionsNameDue(t)
	}
	now := time.Now()
	claim := func() []any {
		t.Helper()
		res, err := claimScript.Run(ctx, e.rdb, []string{k.due, k.lease, k.built, k.versions},
			now.UnixMicro(), now.Add(-time.Second).UnixMicro(), 10).Slice()
		if err != nil {
			t.Fatal(err)
		}
		return res[2:]
	}

	if err := s.index(ctx, []JobVersion{{Key: "a|b", Version: 1, DueAt: now}, {Key: "c", Version: 5, DueAt: now.Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	check("indexing", map[string]int64{"a|b": 1, "c": 5})
	if got := claim(); len(got) != 1 || got[0] != member("a|b", 1) {
		t.Fatalf("claimed %v, want a|b at version 1", got)
	}
	check("a claim", map[string]int64{"c": 5})
	// The claim's lease has expired already: the recoverer puts the member back.
	if _, err := recoverScript.Run(ctx, e.rdb, []string{k.lease, k.due, k.versions}, now.UnixMicro(), k.wake, 10).Slice(); err != nil {
		t.Fatal(err)
	}
	check("recovering an expired lease", map[string]int64{"a|b": 1, "c": 5})
	claim()
	s.releaseLeases(ctx, []releaseEntry{{leased: member("a|b", 1), next: member("a|b", 2), due: now.Add(time.Hour)}})
	check("a retry", map[string]int64{"a|b": 2, "c": 5})
	// A rebuild indexed version 6 of c and a worker claimed it before the enqueue that made it
	// indexed it: that index call leaves the member leased and no entry.
	if err := e.rdb.ZAdd(ctx, k.lease, redisZ(float64(now.Add(time.Minute).UnixMicro()), member("c", 6))).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.index(ctx, []JobVersion{{Key: "c", Version: 6, Prev: 5, DueAt: now}}); err != nil {
		t.Fatal(err)
	}
	check("indexing a leased version", map[string]int64{"a|b": 2})
}
