package handlers

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store/storetest"
)

func testPolicy(t testing.TB, autoUpTo string) (*baton.Policy, []byte) {
	t.Helper()
	data := []byte(`types:
  - name: purchase
    fallback: UCFO
    fields:
      - {name: amount, type: number}
    branches:
      - {name: Small, when: amount <= ` + autoUpTo + `, auto_approve: true}
      - {steps: [{approvers: [UCFO]}]}
`)
	p, err := baton.LoadPolicy(data)
	if err != nil {
		t.Fatal(err)
	}
	return p, data
}

func TestReloadPolicyKeepsTheGoodPolicyAndStoresEachNewVersionOnce(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	first, firstYAML := testPolicy(t, "100")
	if err := db.SavePolicyVersion(ctx, first.Version, string(firstYAML), time.Now()); err != nil {
		t.Fatal(err)
	}
	var file struct {
		p    *baton.Policy
		data []byte
		err  error
	}
	file.p, file.data = first, firstYAML
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	h := New(Config{Stores: Stores{Policies: db}, Now: func() time.Time { return now }, Policy: first,
		ReloadPolicy: func() (*baton.Policy, []byte, error) { return file.p, file.data, file.err }})

	res, err := h.ReloadPolicy(ctx)
	if err != nil || res.Changed || res.Policy != first || !res.LoadedAt.Equal(now) {
		t.Fatalf("unchanged file: %+v, %v; want the same policy, unchanged", res, err)
	}

	file.p, file.data, file.err = nil, nil, errors.New("BATON_POLICIES: p.yaml is not a usable policy: purchase, branch 1: undeclared reference to 'amout'")
	res, err = h.ReloadPolicy(ctx)
	if baton.ErrorCode(err) != baton.EInvalid || !strings.Contains(baton.ErrorMessage(err), "purchase, branch 1: undeclared reference") {
		t.Fatalf("bad file: err = %v; want the loader's words as an invalid error", err)
	}
	if res.Policy != first || h.policy() != first {
		t.Fatalf("bad file: the policy in force changed to %v", h.policy())
	}

	second, secondYAML := testPolicy(t, "500")
	file.p, file.data, file.err = second, secondYAML, nil
	now = now.Add(time.Hour)
	res, err = h.ReloadPolicy(ctx)
	if err != nil || !res.Changed || res.Previous != first || h.policy() != second || !res.LoadedAt.Equal(now) {
		t.Fatalf("changed file: %+v, %v; want the new policy in force since now", res, err)
	}
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM policy_versions WHERE version IN ($1, $2)`, first.Version, second.Version); err != nil || n != 2 {
		t.Fatalf("stored versions = %d, %v; want both", n, err)
	}
}

func TestReloadPolicyWithoutAFileSaysSo(t *testing.T) {
	h := New(Config{})
	if _, err := h.ReloadPolicy(context.Background()); !strings.Contains(baton.ErrorMessage(err), "No approval policy file is configured") {
		t.Fatalf("err = %v", err)
	}
}

// Requests read the policy while reloads swap it: every read sees one whole policy (go test -race).
func TestPolicyReadsDuringReloadsSeeOneWholePolicy(t *testing.T) {
	db := storetest.New(t)
	small, smallYAML := testPolicy(t, "100")
	large, largeYAML := testPolicy(t, "1000")
	var mu sync.Mutex
	flip := false
	h := New(Config{Stores: Stores{Policies: db}, Policy: small, ReloadPolicy: func() (*baton.Policy, []byte, error) {
		mu.Lock()
		defer mu.Unlock()
		flip = !flip
		if flip {
			return large, largeYAML, nil
		}
		return small, smallYAML, nil
	}})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 10 {
				if _, err := h.ReloadPolicy(context.Background()); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range 200 {
				p := h.policy()
				route, err := p.Route("purchase", baton.Values{"amount": 500.0}, "UANA", baton.Directory{}, nil, time.Now())
				if err != nil || route.AutoApproved != (p == large) {
					t.Errorf("route by %s: %+v, %v", p.Version, route, err)
				}
			}
		})
	}
	wg.Wait()
}

func TestEveryProcessFollowsThePolicyPutInForceLast(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	first, firstYAML := testPolicy(t, "100")
	second, secondYAML := testPolicy(t, "500")
	if err := db.SavePolicyVersion(ctx, first.Version, string(firstYAML), time.Now()); err != nil {
		t.Fatal(err)
	}
	// Two bot processes share the database; each reads its own copy of the file.
	files := [2][]byte{firstYAML, firstYAML}
	process := func(i int) *Handlers {
		return New(Config{Stores: Stores{Policies: db}, Policy: first, ReloadPolicy: func() (*baton.Policy, []byte, error) {
			p, err := baton.LoadPolicy(files[i])
			return p, files[i], err
		}})
	}
	a, b := process(0), process(1)
	if changed, err := b.FollowPolicy(ctx); err != nil || changed {
		t.Fatalf("nothing new in force: changed %v, %v", changed, err)
	}

	files[0] = secondYAML
	if res, err := a.ReloadPolicy(ctx); err != nil || !res.Changed {
		t.Fatalf("reload on A: %+v, %v", res, err)
	}
	if changed, err := b.FollowPolicy(ctx); err != nil || !changed || b.policy().Version != second.Version {
		t.Fatalf("B after A's reload: changed %v, version %s, %v; want the second version", changed, b.policy().Version, err)
	}

	// B reloads its own file, still the first version: that is put in force again, for A too.
	if res, err := b.ReloadPolicy(ctx); err != nil || res.Policy.Version != first.Version {
		t.Fatalf("reload on B: %+v, %v", res, err)
	}
	if changed, err := a.FollowPolicy(ctx); err != nil || !changed || a.policy().Version != first.Version {
		t.Fatalf("A after B's reload: changed %v, version %s, %v; want the first version", changed, a.policy().Version, err)
	}
}
