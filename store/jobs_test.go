package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
)

func upsert(t *testing.T, db *store.DB, jobs ...store.Job) map[string]store.JobVersion {
	t.Helper()
	vs, err := db.UpsertJobs(context.Background(), jobs)
	if err != nil {
		t.Fatalf("UpsertJobs: %v", err)
	}
	if len(vs) != len(jobs) {
		t.Fatalf("UpsertJobs returned %d versions for %d jobs", len(vs), len(jobs))
	}
	byKey := make(map[string]store.JobVersion, len(vs))
	for _, v := range vs {
		byKey[v.Key] = v
	}
	return byKey
}

func jobByKey(t *testing.T, db *store.DB, key string) store.Job {
	t.Helper()
	j, ok, err := db.JobByKey(context.Background(), key)
	if err != nil || !ok {
		t.Fatalf("JobByKey(%q) = %v, %v", key, ok, err)
	}
	return j
}

func TestUpsertJobsInsertsAndReschedules(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	due := now.Add(time.Hour).Add(1500 * time.Nanosecond).Truncate(time.Microsecond)

	first := upsert(t, db,
		store.Job{Key: "checkin:T1:1", TeamID: "T1", Kind: "checkin", Payload: []byte(`{"n":1}`), DueAt: due},
		store.Job{Key: "checkin:T1:2", TeamID: "T1", Kind: "checkin", DueAt: due.Add(time.Minute + 700*time.Nanosecond)},
	)
	v1 := first["checkin:T1:1"]
	if v1.Prev != 0 || v1.Version == 0 || !v1.DueAt.Equal(due) {
		t.Fatalf("new job version = %+v, want a version, no previous one and due %v", v1, due)
	}
	got := jobByKey(t, db, "checkin:T1:2")
	if got.State != store.JobPending || len(got.Payload) != 0 || got.Payload == nil {
		t.Fatalf("job without payload = %+v, want pending with an empty payload", got)
	}
	// A due time finer than Postgres keeps comes back as stored, to the microsecond.
	if v := first["checkin:T1:2"]; !v.DueAt.Equal(got.DueAt) || !got.DueAt.Equal(due.Add(time.Minute)) {
		t.Fatalf("version due %v, stored due %v, want both %v", v.DueAt, got.DueAt, due.Add(time.Minute))
	}

	later := due.Add(24 * time.Hour)
	second := upsert(t, db, store.Job{Key: "checkin:T1:1", TeamID: "T1", Kind: "nudge", Payload: []byte(`{"n":2}`), DueAt: later})
	v2 := second["checkin:T1:1"]
	if v2.Prev != v1.Version || v2.Version <= v1.Version || !v2.DueAt.Equal(later) {
		t.Fatalf("rescheduled version = %+v, want previous %d, a newer version and due %v", v2, v1.Version, later)
	}
	got = jobByKey(t, db, "checkin:T1:1")
	if got.Kind != "nudge" || string(got.Payload) != `{"n":2}` || !got.DueAt.Equal(later) || got.Version != v2.Version {
		t.Fatalf("rescheduled job = %+v", got)
	}
	if _, ok, err := db.JobByKey(ctx, "missing"); ok || err != nil {
		t.Fatalf("JobByKey(missing) = %v, %v", ok, err)
	}
}

func TestUpsertJobsResetsFailures(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	v := upsert(t, db, store.Job{Key: "k", TeamID: "T1", Kind: "x", DueAt: now})["k"]
	if _, ok, err := db.FailJob(ctx, store.JobRef{Key: "k", Version: v.Version}, "boom", now, true); err != nil || !ok {
		t.Fatalf("FailJob = %v, %v", ok, err)
	}
	upsert(t, db, store.Job{Key: "k", TeamID: "T1", Kind: "x", DueAt: now.Add(time.Hour)})
	got := jobByKey(t, db, "k")
	if got.State != store.JobPending || got.Attempts != 0 || got.LastError != "" {
		t.Fatalf("re-enqueued parked job = %+v, want pending with no failures", got)
	}
}

func TestUpsertJobsConcurrentOverlappingBatches(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	const batches, size = 8, 50
	var wg sync.WaitGroup
	errs := make([]error, batches)
	for b := range batches {
		jobs := make([]store.Job, size)
		for i := range size {
			jobs[i] = store.Job{Key: fmt.Sprintf("k%03d", i), TeamID: "T1", Kind: "x", DueAt: now.Add(time.Duration(b) * time.Second)}
		}
		if b%2 == 1 {
			slices.Reverse(jobs)
		}
		wg.Go(func() { _, errs[b] = db.UpsertJobs(context.Background(), jobs) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("UpsertJobs: %v", err)
		}
	}
	page, err := db.PendingJobsAfter(context.Background(), "", 1000)
	if err != nil || len(page) != size {
		t.Fatalf("PendingJobsAfter = %d jobs, %v, want %d", len(page), err, size)
	}
}

func TestPendingJobsLeavesOutParkedAndMissing(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	vs := upsert(t, db,
		store.Job{Key: "a", TeamID: "T1", Kind: "x", DueAt: now},
		store.Job{Key: "b", TeamID: "T1", Kind: "x", DueAt: now},
	)
	if _, _, err := db.FailJob(ctx, store.JobRef{Key: "b", Version: vs["b"].Version}, "boom", now, true); err != nil {
		t.Fatal(err)
	}
	jobs, err := db.PendingJobs(ctx, []string{"a", "b", "c"})
	if err != nil {
		t.Fatalf("PendingJobs: %v", err)
	}
	if len(jobs) != 1 || jobs[0].Key != "a" || jobs[0].Version != vs["a"].Version {
		t.Fatalf("PendingJobs = %+v, want only a", jobs)
	}
}

func TestDeleteAndFinishJobsOnlyTouchTheirVersion(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	old := upsert(t, db,
		store.Job{Key: "a", TeamID: "T1", Kind: "x", DueAt: now},
		store.Job{Key: "b", TeamID: "T1", Kind: "x", DueAt: now},
		store.Job{Key: "c", TeamID: "T1", Kind: "x", DueAt: now},
	)
	newer := upsert(t, db, store.Job{Key: "b", TeamID: "T1", Kind: "x", DueAt: now.Add(time.Hour)})

	if ok, err := db.DeleteJob(ctx, store.JobRef{Key: "b", Version: old["b"].Version}); err != nil || ok {
		t.Fatalf("DeleteJob of an old version = %v, %v, want false", ok, err)
	}
	n, err := db.FinishJobs(ctx, []store.JobRef{
		{Key: "a", Version: old["a"].Version},
		{Key: "b", Version: old["b"].Version},
		{Key: "c", Version: old["c"].Version},
	})
	if err != nil || n != 2 {
		t.Fatalf("FinishJobs = %d, %v, want 2", n, err)
	}
	if got := jobByKey(t, db, "b"); got.Version != newer["b"].Version {
		t.Fatalf("rescheduled job b = %+v, want it kept", got)
	}
	if ok, err := db.DeleteJob(ctx, store.JobRef{Key: "b", Version: newer["b"].Version}); err != nil || !ok {
		t.Fatalf("DeleteJob = %v, %v, want true", ok, err)
	}
	if _, ok, _ := db.JobByKey(ctx, "b"); ok {
		t.Fatal("deleted job is still stored")
	}
}

func TestFailJobRetriesThenParks(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	v := upsert(t, db, store.Job{Key: "k", TeamID: "T1", Kind: "x", DueAt: now})["k"]

	retryAt := now.Add(2 * time.Second)
	r, ok, err := db.FailJob(ctx, store.JobRef{Key: "k", Version: v.Version}, "slack down", retryAt, false)
	if err != nil || !ok {
		t.Fatalf("FailJob = %v, %v", ok, err)
	}
	if r.Prev != v.Version || r.Version <= v.Version || !r.DueAt.Equal(retryAt) {
		t.Fatalf("retry version = %+v, want due %v after version %d", r, retryAt, v.Version)
	}
	got := jobByKey(t, db, "k")
	if got.State != store.JobPending || got.Attempts != 1 || got.LastError != "slack down" {
		t.Fatalf("retried job = %+v", got)
	}
	if _, ok, err := db.FailJob(ctx, store.JobRef{Key: "k", Version: v.Version}, "stale", now, true); err != nil || ok {
		t.Fatalf("FailJob of an old version = %v, %v, want false", ok, err)
	}

	p, ok, err := db.FailJob(ctx, store.JobRef{Key: "k", Version: r.Version}, "still down", now.Add(time.Hour), true)
	if err != nil || !ok {
		t.Fatalf("FailJob to park = %v, %v", ok, err)
	}
	got = jobByKey(t, db, "k")
	if got.State != store.JobParked || got.Attempts != 2 || got.LastError != "still down" || !got.DueAt.Equal(retryAt) || got.Version != p.Version {
		t.Fatalf("parked job = %+v", got)
	}
}

func TestPendingJobsAfterPages(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	var jobs []store.Job
	for i := range 7 {
		jobs = append(jobs, store.Job{Key: fmt.Sprintf("k%d", i), TeamID: "T1", Kind: "x", DueAt: now.Add(time.Duration(i) * time.Minute)})
	}
	vs := upsert(t, db, jobs...)
	if _, _, err := db.FailJob(ctx, store.JobRef{Key: "k3", Version: vs["k3"].Version}, "boom", now, true); err != nil {
		t.Fatal(err)
	}
	var keys []string
	after := ""
	for {
		page, err := db.PendingJobsAfter(ctx, after, 2)
		if err != nil {
			t.Fatalf("PendingJobsAfter: %v", err)
		}
		if len(page) == 0 {
			break
		}
		for _, v := range page {
			keys = append(keys, v.Key)
			if v.Version != vs[v.Key].Version || !v.DueAt.Equal(vs[v.Key].DueAt) {
				t.Fatalf("page entry %+v, want %+v", v, vs[v.Key])
			}
		}
		after = page[len(page)-1].Key
	}
	if want := []string{"k0", "k1", "k2", "k4", "k5", "k6"}; !slices.Equal(keys, want) {
		t.Fatalf("pending keys = %v, want %v", keys, want)
	}
}

func TestParkedJobsRetryAndDrop(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	vs := upsert(t, db,
		store.Job{Key: "a", TeamID: "T1", Kind: "x", DueAt: now},
		store.Job{Key: "b", TeamID: "T1", Kind: "x", DueAt: now},
		store.Job{Key: "c", TeamID: "T2", Kind: "x", DueAt: now},
		store.Job{Key: "d", TeamID: "T1", Kind: "x", DueAt: now},
	)
	for _, k := range []string{"a", "b", "c"} {
		if _, _, err := db.FailJob(ctx, store.JobRef{Key: k, Version: vs[k].Version}, "boom "+k, now, true); err != nil {
			t.Fatal(err)
		}
	}
	parked, err := db.ParkedJobs(ctx, "T1")
	if err != nil {
		t.Fatalf("ParkedJobs: %v", err)
	}
	if len(parked) != 2 || parked[0].Key != "a" || parked[1].Key != "b" || parked[0].LastError != "boom a" {
		t.Fatalf("ParkedJobs(T1) = %+v, want a and b", parked)
	}

	wantCode(t, db.DropParkedJob(ctx, "T1", "c"), baton.ENotFound)
	wantCode(t, db.DropParkedJob(ctx, "T1", "d"), baton.ENotFound)
	_, err = db.RetryParkedJob(ctx, "T2", "a", now)
	wantCode(t, err, baton.ENotFound)

	at := now.Add(time.Minute)
	r, err := db.RetryParkedJob(ctx, "T1", "a", at)
	if err != nil {
		t.Fatalf("RetryParkedJob: %v", err)
	}
	got := jobByKey(t, db, "a")
	if got.State != store.JobPending || got.Attempts != 0 || got.LastError != "" || !got.DueAt.Equal(at) || got.Version != r.Version {
		t.Fatalf("retried job = %+v, version %+v", got, r)
	}
	if err := db.DropParkedJob(ctx, "T1", "b"); err != nil {
		t.Fatalf("DropParkedJob: %v", err)
	}
	if parked, err := db.ParkedJobs(ctx, "T1"); err != nil || len(parked) != 0 {
		t.Fatalf("ParkedJobs after retry and drop = %+v, %v", parked, err)
	}
	if parked, err := db.ParkedJobs(ctx, "T2"); err != nil || len(parked) != 1 {
		t.Fatalf("ParkedJobs(T2) = %+v, %v", parked, err)
	}
}

func TestPreparedUpsertJobs(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	u, err := db.PrepareUpsertJobs(ctx)
	if err != nil {
		t.Fatalf("PrepareUpsertJobs: %v", err)
	}
	var wg sync.WaitGroup
	versions := make([][]store.JobVersion, 8)
	for i := range versions {
		wg.Go(func() {
			var err error
			versions[i], err = u.UpsertJobs(ctx, []store.Job{
				{Key: fmt.Sprintf("k%d", i), TeamID: "T1", Kind: "x", DueAt: now},
				{Key: "shared", TeamID: "T1", Kind: "x", Payload: []byte{byte(i)}, DueAt: now.Add(time.Duration(i) * time.Second)},
			})
			if err != nil {
				t.Errorf("UpsertJobs: %v", err)
			}
		})
	}
	wg.Wait()
	var shared []int64
	for _, vs := range versions {
		if len(vs) != 2 {
			t.Fatalf("UpsertJobs returned %+v, want two versions", vs)
		}
		for _, v := range vs {
			if v.Key == "shared" {
				shared = append(shared, v.Version)
			}
		}
	}
	got := jobByKey(t, db, "shared")
	if got.Version != slices.Max(shared) || !got.DueAt.Equal(now.Add(time.Duration(got.Payload[0])*time.Second)) {
		t.Fatalf("shared job = %+v, want the last of versions %v", got, shared)
	}
	if err := u.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := u.UpsertJobs(ctx, []store.Job{{Key: "late", TeamID: "T1", Kind: "x", DueAt: now}}); err == nil {
		t.Fatal("UpsertJobs on a closed statement succeeded")
	}
}
