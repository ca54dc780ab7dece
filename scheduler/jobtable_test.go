package scheduler

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/internal/pgtest"
)

// tableNow is the clock of the job table's tests.
var tableNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// newJobTable returns the job table of a fresh, migrated schema of the test's own.
func newJobTable(t *testing.T) *JobTable {
	t.Helper()
	return NewJobTable(pgtest.New(t))
}

func wantNotFound(t *testing.T, err error) {
	t.Helper()
	if code := baton.ErrorCode(err); code != baton.ENotFound {
		t.Fatalf("error %v has code %s, want %s", err, code, baton.ENotFound)
	}
}

func upsertRows(t *testing.T, tbl *JobTable, jobs ...JobRow) map[string]JobVersion {
	t.Helper()
	vs, err := tbl.UpsertJobs(context.Background(), jobs)
	if err != nil {
		t.Fatalf("UpsertJobs: %v", err)
	}
	if len(vs) != len(jobs) {
		t.Fatalf("UpsertJobs returned %d versions for %d jobs", len(vs), len(jobs))
	}
	byKey := make(map[string]JobVersion, len(vs))
	for _, v := range vs {
		byKey[v.Key] = v
	}
	return byKey
}

func rowByKey(t *testing.T, tbl *JobTable, key string) JobRow {
	t.Helper()
	j, ok, err := tbl.JobByKey(context.Background(), key)
	if err != nil || !ok {
		t.Fatalf("JobByKey(%q) = %v, %v", key, ok, err)
	}
	return j
}

func TestUpsertJobsInsertsAndReschedules(t *testing.T) {
	t.Parallel()
	tbl := newJobTable(t)
	ctx := context.Background()
	due := tableNow.Add(time.Hour).Add(1500 * time.Nanosecond).Truncate(time.Microsecond)

	first := upsertRows(t, tbl,
		JobRow{Key: "checkin:T1:1", TeamID: "T1", Kind: "checkin", Payload: []byte(`{"n":1}`), DueAt: due},
		JobRow{Key: "checkin:T1:2", TeamID: "T1", Kind: "checkin", DueAt: due.Add(time.Minute + 700*time.Nanosecond)},
	)
	v1 := first["checkin:T1:1"]
	if v1.Prev != 0 || v1.Version == 0 || !v1.DueAt.Equal(due) {
		t.Fatalf("new job version = %+v, want a version, no previous one and due %v", v1, due)
	}
	got := rowByKey(t, tbl, "checkin:T1:2")
	if got.State != StatePending || len(got.Payload) != 0 || got.Payload == nil {
		t.Fatalf("job without payload = %+v, want pending with an empty payload", got)
	}
	// A due time finer than Postgres keeps comes back as stored, to the microsecond.
	if v := first["checkin:T1:2"]; !v.DueAt.Equal(got.DueAt) || !got.DueAt.Equal(due.Add(time.Minute)) {
		t.Fatalf("version due %v, stored due %v, want both %v", v.DueAt, got.DueAt, due.Add(time.Minute))
	}

	later := due.Add(24 * time.Hour)
	second := upsertRows(t, tbl, JobRow{Key: "checkin:T1:1", TeamID: "T1", Kind: "nudge", Payload: []byte(`{"n":2}`), DueAt: later})
	v2 := second["checkin:T1:1"]
	if v2.Prev != v1.Version || v2.Version <= v1.Version || !v2.DueAt.Equal(later) {
		t.Fatalf("rescheduled version = %+v, want previous %d, a newer version and due %v", v2, v1.Version, later)
	}
	got = rowByKey(t, tbl, "checkin:T1:1")
	if got.Kind != "nudge" || string(got.Payload) != `{"n":2}` || !got.DueAt.Equal(later) || got.Version != v2.Version {
		t.Fatalf("rescheduled job = %+v", got)
	}
	if _, ok, err := tbl.JobByKey(ctx, "missing"); ok || err != nil {
		t.Fatalf("JobByKey(missing) = %v, %v", ok, err)
	}
}

func TestUpsertJobsResetsFailures(t *testing.T) {
	t.Parallel()
	tbl := newJobTable(t)
	ctx := context.Background()
	v := upsertRows(t, tbl, JobRow{Key: "k", TeamID: "T1", Kind: "x", DueAt: tableNow})["k"]
	if _, ok, err := tbl.FailJob(ctx, JobRef{Key: "k", Version: v.Version}, "boom", tableNow, true); err != nil || !ok {
		t.Fatalf("FailJob = %v, %v", ok, err)
	}
	upsertRows(t, tbl, JobRow{Key: "k", TeamID: "T1", Kind: "x", DueAt: tableNow.Add(time.Hour)})
	got := rowByKey(t, tbl, "k")
	if got.State != StatePending || got.Attempts != 0 || got.LastError != "" {
		t.Fatalf("re-enqueued parked job = %+v, want pending with no failures", got)
	}
}

func TestUpsertJobsConcurrentOverlappingBatches(t *testing.T) {
	t.Parallel()
	tbl := newJobTable(t)
	const batches, size = 8, 50
	var wg sync.WaitGroup
	errs := make([]error, batches)
	for b := range batches {
		jobs := make([]JobRow, size)
		for i := range size {
			jobs[i] = JobRow{Key: fmt.Sprintf("k%03d", i), TeamID: "T1", Kind: "x", DueAt: tableNow.Add(time.Duration(b) * time.Second)}
		}
		if b%2 == 1 {
			slices.Reverse(jobs)
		}
		wg.Go(func() { _, errs[b] = tbl.UpsertJobs(context.Background(), jobs) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("UpsertJobs: %v", err)
		}
	}
	page, err := tbl.PendingJobsAfter(context.Background(), "", 1000)
	if err != nil || len(page) != size {
		t.Fatalf("PendingJobsAfter = %d jobs, %v, want %d", len(page), err, size)
	}
}

func TestPendingJobsLeavesOutParkedAndMissing(t *testing.T) {
	t.Parallel()
	tbl := newJobTable(t)
	ctx := context.Background()
	vs := upsertRows(t, tbl,
		JobRow{Key: "a", TeamID: "T1", Kind: "x", DueAt: tableNow},
		JobRow{Key: "b", TeamID: "T1", Kind: "x", DueAt: tableNow},
	)
	if _, _, err := tbl.FailJob(ctx, JobRef{Key: "b", Version: vs["b"].Version}, "boom", tableNow, true); err != nil {
		t.Fatal(err)
	}
	jobs, err := tbl.PendingJobs(ctx, []string{"a", "b", "c"})
	if err != nil {
		t.Fatalf("PendingJobs: %v", err)
	}
	if len(jobs) != 1 || jobs[0].Key != "a" || jobs[0].Version != vs["a"].Version {
		t.Fatalf("PendingJobs = %+v, want only a", jobs)
	}
}

func TestJobsByKeyReadsPendingAndParked(t *testing.T) {
	t.Parallel()
	tbl := newJobTable(t)
	ctx := context.Background()
	vs := upsertRows(t, tbl,
		JobRow{Key: "a", TeamID: "T1", Kind: "x", DueAt: tableNow},
		JobRow{Key: "b", TeamID: "T1", Kind: "x", DueAt: tableNow},
	)
	parked, ok, err := tbl.FailJob(ctx, JobRef{Key: "b", Version: vs["b"].Version}, "boom", tableNow, true)
	if err != nil || !ok {
		t.Fatalf("FailJob = %v, %v", ok, err)
	}
	// Twice: the statement is prepared by the first call and reused by the second.
	for range 2 {
		jobs, err := tbl.JobsByKey(ctx, []string{"a", "b", "missing"})
		if err != nil {
			t.Fatalf("JobsByKey: %v", err)
		}
		got := make(map[string]JobStateRef)
		for _, j := range jobs {
			got[j.Key] = j
		}
		want := map[string]JobStateRef{
			"a": {JobRef: JobRef{Key: "a", Version: vs["a"].Version}, State: StatePending},
			"b": {JobRef: JobRef{Key: "b", Version: parked.Version}, State: StateParked},
		}
		if len(jobs) != 2 || got["a"] != want["a"] || got["b"] != want["b"] {
			t.Fatalf("JobsByKey = %+v, want %+v", jobs, want)
		}
	}
}

func TestDeleteAndFinishJobsOnlyTouchTheirVersion(t *testing.T) {
	t.Parallel()
	tbl := newJobTable(t)
	ctx := context.Background()
	old := upsertRows(t, tbl,
		JobRow{Key: "a", TeamID: "T1", Kind: "x", DueAt: tableNow},
		JobRow{Key: "b", TeamID: "T1", Kind: "x", DueAt: tableNow},
		JobRow{Key: "c", TeamID: "T1", Kind: "x", DueAt: tableNow},
	)
	newer := upsertRows(t, tbl, JobRow{Key: "b", TeamID: "T1", Kind: "x", DueAt: tableNow.Add(time.Hour)})

	if deleted, err := tbl.DeleteJobs(ctx, []JobRef{{Key: "b", Version: old["b"].Version}}); err != nil || len(deleted) != 0 {
		t.Fatalf("DeleteJobs of an old version = %v, %v, want none deleted", deleted, err)
	}
	n, err := tbl.FinishJobs(ctx, []JobRef{
		{Key: "a", Version: old["a"].Version},
		{Key: "b", Version: old["b"].Version},
		{Key: "c", Version: old["c"].Version},
	})
	if err != nil || n != 2 {
		t.Fatalf("FinishJobs = %d, %v, want 2", n, err)
	}
	if got := rowByKey(t, tbl, "b"); got.Version != newer["b"].Version {
		t.Fatalf("rescheduled job b = %+v, want it kept", got)
	}
	deleted, err := tbl.DeleteJobs(ctx, []JobRef{{Key: "b", Version: newer["b"].Version}, {Key: "missing", Version: 1}})
	if err != nil || !slices.Equal(deleted, []string{"b"}) {
		t.Fatalf("DeleteJobs = %v, %v, want [b]", deleted, err)
	}
	if _, ok, _ := tbl.JobByKey(ctx, "b"); ok {
		t.Fatal("deleted job is still stored")
	}
}

func TestFailJobRetriesThenParks(t *testing.T) {
	t.Parallel()
	tbl := newJobTable(t)
	ctx := context.Background()
	v := upsertRows(t, tbl, JobRow{Key: "k", TeamID: "T1", Kind: "x", DueAt: tableNow})["k"]

	retryAt := tableNow.Add(2 * time.Second)
	r, ok, err := tbl.FailJob(ctx, JobRef{Key: "k", Version: v.Version}, "slack down", retryAt, false)
	if err != nil || !ok {
		t.Fatalf("FailJob = %v, %v", ok, err)
	}
	if r.Prev != v.Version || r.Version <= v.Version || !r.DueAt.Equal(retryAt) {
		t.Fatalf("retry version = %+v, want due %v after version %d", r, retryAt, v.Version)
	}
	got := rowByKey(t, tbl, "k")
	if got.State != StatePending || got.Attempts != 1 || got.LastError != "slack down" {
		t.Fatalf("retried job = %+v", got)
	}
	if _, ok, err := tbl.FailJob(ctx, JobRef{Key: "k", Version: v.Version}, "stale", tableNow, true); err != nil || ok {
		t.Fatalf("FailJob of an old version = %v, %v, want false", ok, err)
	}

	p, ok, err := tbl.FailJob(ctx, JobRef{Key: "k", Version: r.Version}, "still down", tableNow.Add(time.Hour), true)
	if err != nil || !ok {
		t.Fatalf("FailJob to park = %v, %v", ok, err)
	}
	got = rowByKey(t, tbl, "k")
	if got.State != StateParked || got.Attempts != 2 || got.LastError != "still down" || !got.DueAt.Equal(retryAt) || got.Version != p.Version {
		t.Fatalf("parked job = %+v", got)
	}
}

func TestPendingJobsAfterPages(t *testing.T) {
	t.Parallel()
	tbl := newJobTable(t)
	ctx := context.Background()
	var jobs []JobRow
	for i := range 7 {
		jobs = append(jobs, JobRow{Key: fmt.Sprintf("k%d", i), TeamID: "T1", Kind: "x", DueAt: tableNow.Add(time.Duration(i) * time.Minute)})
	}
	vs := upsertRows(t, tbl, jobs...)
	if _, _, err := tbl.FailJob(ctx, JobRef{Key: "k3", Version: vs["k3"].Version}, "boom", tableNow, true); err != nil {
		t.Fatal(err)
	}
	var keys []string
	after := ""
	for {
		page, err := tbl.PendingJobsAfter(ctx, after, 2)
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
	tbl := newJobTable(t)
	ctx := context.Background()
	vs := upsertRows(t, tbl,
		JobRow{Key: "a", TeamID: "T1", Kind: "x", DueAt: tableNow},
		JobRow{Key: "b", TeamID: "T1", Kind: "x", DueAt: tableNow},
		JobRow{Key: "c", TeamID: "T2", Kind: "x", DueAt: tableNow},
		JobRow{Key: "d", TeamID: "T1", Kind: "x", DueAt: tableNow},
	)
	for _, k := range []string{"a", "b", "c"} {
		if _, _, err := tbl.FailJob(ctx, JobRef{Key: k, Version: vs[k].Version}, "boom "+k, tableNow, true); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := tbl.CountParked(ctx); err != nil || n != 3 {
		t.Fatalf("CountParked = %d, %v, want the 3 of both workspaces", n, err)
	}
	parked, err := tbl.ParkedJobs(ctx, "T1")
	if err != nil {
		t.Fatalf("ParkedJobs: %v", err)
	}
	if len(parked) != 2 || parked[0].Key != "a" || parked[1].Key != "b" || parked[0].LastError != "boom a" {
		t.Fatalf("ParkedJobs(T1) = %+v, want a and b", parked)
	}

	wantNotFound(t, tbl.DropParkedJob(ctx, "T1", "c"))
	wantNotFound(t, tbl.DropParkedJob(ctx, "T1", "d"))
	_, err = tbl.RetryParkedJob(ctx, "T2", "a", tableNow)
	wantNotFound(t, err)

	at := tableNow.Add(time.Minute)
	r, err := tbl.RetryParkedJob(ctx, "T1", "a", at)
	if err != nil {
		t.Fatalf("RetryParkedJob: %v", err)
	}
	got := rowByKey(t, tbl, "a")
	if got.State != StatePending || got.Attempts != 0 || got.LastError != "" || !got.DueAt.Equal(at) || got.Version != r.Version {
		t.Fatalf("retried job = %+v, version %+v", got, r)
	}
	if err := tbl.DropParkedJob(ctx, "T1", "b"); err != nil {
		t.Fatalf("DropParkedJob: %v", err)
	}
	if parked, err := tbl.ParkedJobs(ctx, "T1"); err != nil || len(parked) != 0 {
		t.Fatalf("ParkedJobs after retry and drop = %+v, %v", parked, err)
	}
	if parked, err := tbl.ParkedJobs(ctx, "T2"); err != nil || len(parked) != 1 {
		t.Fatalf("ParkedJobs(T2) = %+v, %v", parked, err)
	}
	if n, err := tbl.CountParked(ctx); err != nil || n != 1 {
		t.Fatalf("CountParked after retry and drop = %d, %v, want 1", n, err)
	}
}

func TestPreparedUpsertJobs(t *testing.T) {
	t.Parallel()
	tbl := newJobTable(t)
	ctx := context.Background()
	u, err := tbl.PrepareUpsertJobs(ctx)
	if err != nil {
		t.Fatalf("PrepareUpsertJobs: %v", err)
	}
	var wg sync.WaitGroup
	versions := make([][]JobVersion, 8)
	for i := range versions {
		wg.Go(func() {
			var err error
			versions[i], err = u.UpsertJobs(ctx, []JobRow{
				{Key: fmt.Sprintf("k%d", i), TeamID: "T1", Kind: "x", DueAt: tableNow},
				{Key: "shared", TeamID: "T1", Kind: "x", Payload: []byte{byte(i)}, DueAt: tableNow.Add(time.Duration(i) * time.Second)},
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
	got := rowByKey(t, tbl, "shared")
	if got.Version != slices.Max(shared) || !got.DueAt.Equal(tableNow.Add(time.Duration(got.Payload[0])*time.Second)) {
		t.Fatalf("shared job = %+v, want the last of versions %v", got, shared)
	}
	if err := u.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := u.UpsertJobs(ctx, []JobRow{{Key: "late", TeamID: "T1", Kind: "x", DueAt: tableNow}}); err == nil {
		t.Fatal("UpsertJobs on a closed statement succeeded")
	}
}
