package scheduler

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// benchJob is a job shaped like Baton's: a key naming the workspace, kind and entity, and a
// small JSON payload.
func benchJob(i int, due time.Time) Job {
	return Job{
		Kind:    "checkin",
		Key:     fmt.Sprintf("checkin:T%08d:C-%d", i%1000, i),
		TeamID:  fmt.Sprintf("T%08d", i%1000),
		Payload: []byte(`{"task":"T-12","user":"U0123ABCD"}`),
		DueAt:   due,
	}
}

// benchEnv is a test environment whose connection pool is sized like store.Open's, not like a
// test's: a pool that keeps too few idle connections reconnects all the time under load.
func benchEnv(b *testing.B) *env {
	e := newEnv(b)
	e.db.SetMaxOpenConns(20)
	e.db.SetMaxIdleConns(10)
	return e
}

// indexBytesPerJob enqueues n jobs an hour away and returns the size of the due set and the
// versions hash over n.
func indexBytesPerJob(tb testing.TB, e *env, s *Scheduler, n int) float64 {
	tb.Helper()
	ctx := context.Background()
	due := time.Now().Add(time.Hour)
	jobs := make([]Job, n)
	for i := range jobs {
		jobs[i] = benchJob(i, due.Add(time.Duration(i)*time.Millisecond))
	}
	if err := s.EnqueueMany(ctx, jobs); err != nil {
		tb.Fatalf("EnqueueMany: %v", err)
	}
	if err := s.WaitIndexed(ctx); err != nil {
		tb.Fatal(err)
	}
	k := newKeys(e.prefix)
	var total int64
	for _, key := range []string{k.due, k.versions} {
		bytes, err := e.rdb.MemoryUsage(ctx, key, 0).Result()
		if err != nil {
			tb.Fatalf("MEMORY USAGE %s: %v", key, err)
		}
		total += bytes
	}
	return float64(total) / float64(n)
}

// BenchmarkEnqueue enqueues one job per call, each written to Postgres then indexed.
func BenchmarkEnqueue(b *testing.B) {
	e := benchEnv(b)
	s := e.scheduler(b, nil)
	ctx := context.Background()
	due := time.Now().Add(time.Hour)
	i := 0
	for b.Loop() {
		if err := s.Enqueue(ctx, benchJob(i, due)); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "jobs/s")
}

// BenchmarkEnqueueParallel enqueues one job per call from 16 goroutines (concurrent calls are
// written in batches).
func BenchmarkEnqueueParallel(b *testing.B) { benchEnqueueParallel(b, 8) }

// BenchmarkEnqueueParallel64 enqueues one job per call from 64 goroutines.
func BenchmarkEnqueueParallel64(b *testing.B) { benchEnqueueParallel(b, 32) }

// benchEnqueueParallel enqueues one job per call from parallelism × GOMAXPROCS goroutines.
func benchEnqueueParallel(b *testing.B, parallelism int) {
	e := benchEnv(b)
	s := e.scheduler(b, nil)
	ctx := context.Background()
	due := time.Now().Add(time.Hour)
	var n atomic.Int64
	b.SetParallelism(parallelism)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.Enqueue(ctx, benchJob(int(n.Add(1)), due)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "jobs/s")
}

// BenchmarkEnqueueMany enqueues batches of 1,000 jobs.
func BenchmarkEnqueueMany(b *testing.B) {
	e := benchEnv(b)
	s := e.scheduler(b, nil)
	ctx := context.Background()
	due := time.Now().Add(time.Hour)
	const batch = 1000
	n := 0
	for b.Loop() {
		jobs := make([]Job, batch)
		for i := range jobs {
			jobs[i] = benchJob(n+i, due)
		}
		if err := s.EnqueueMany(ctx, jobs); err != nil {
			b.Fatal(err)
		}
		n += batch
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "jobs/s")
}

// BenchmarkDispatch fires jobs that are all due: claim, load, run a no-op handler and record
// the fire in Postgres, in one process.
func BenchmarkDispatch(b *testing.B) {
	e := benchEnv(b)
	s := e.scheduler(b, nil)
	const n = 50000
	fired := make(chan struct{}, n)
	s.Handle("checkin", func(context.Context, Job) error {
		fired <- struct{}{}
		return nil
	})
	ctx := context.Background()
	jobs := make([]Job, n)
	for b.Loop() {
		b.StopTimer()
		now := time.Now()
		for i := range jobs {
			jobs[i] = benchJob(i, now)
		}
		if err := s.EnqueueMany(ctx, jobs); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		stop := start(b, s)
		for range n {
			<-fired
		}
		stop()
		b.StopTimer()
		if left := e.stored(b); left != 0 {
			b.Fatalf("%d fired jobs still stored", left)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "jobs/s")
}

// BenchmarkLateness fires 5,000 jobs a second for 4 seconds and reports how late they fire. An
// early fire fails the benchmark.
func BenchmarkLateness(b *testing.B) {
	e := benchEnv(b)
	s := e.scheduler(b, nil)
	const rate, n = 5000, 20000
	type fired struct {
		due time.Time
		at  time.Time
	}
	fires := make(chan fired, n)
	s.Handle("checkin", func(_ context.Context, j Job) error {
		fires <- fired{due: j.DueAt, at: time.Now()}
		return nil
	})
	stop := start(b, s)
	defer stop()
	ctx := context.Background()
	var late []time.Duration
	for b.Loop() {
		first := time.Now().Add(time.Second)
		jobs := make([]Job, n)
		for i := range jobs {
			jobs[i] = benchJob(i, first.Add(time.Duration(i)*time.Second/rate))
		}
		if err := s.EnqueueMany(ctx, jobs); err != nil {
			b.Fatal(err)
		}
		for range n {
			f := <-fires
			if f.at.Before(f.due) {
				b.Fatalf("a job fired %v early", f.due.Sub(f.at))
			}
			late = append(late, f.at.Sub(f.due))
		}
	}
	slices.Sort(late)
	quantile := func(q float64) float64 {
		return float64(late[int(q*float64(len(late)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(quantile(0.5), "p50-ms")
	b.ReportMetric(quantile(0.99), "p99-ms")
	b.ReportMetric(quantile(1), "max-ms")
}

// BenchmarkIndexMemory reports the Redis bytes per pending job with 100,000 jobs indexed.
func BenchmarkIndexMemory(b *testing.B) {
	e := benchEnv(b)
	var perJob float64
	for b.Loop() {
		b.StopTimer()
		if _, err := e.db.ExecContext(context.Background(), `DELETE FROM jobs`); err != nil {
			b.Fatal(err)
		}
		if err := e.rdb.Del(context.Background(), newKeys(e.prefix).due, newKeys(e.prefix).versions).Err(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		perJob = indexBytesPerJob(b, e, e.scheduler(b, nil), 100000)
	}
	b.ReportMetric(perJob, "bytes/job")
}

// BenchmarkCancelParallel cancels pending jobs by key from 16 goroutines (concurrent calls are
// carried out in batches), among 100,000 other pending jobs.
func BenchmarkCancelParallel(b *testing.B) {
	e := benchEnv(b)
	s := e.scheduler(b, nil)
	ctx := context.Background()
	due := time.Now().Add(time.Hour)
	const others = 100000
	jobs := make([]Job, 0, others+b.N)
	for i := range others + b.N {
		jobs = append(jobs, benchJob(i, due))
	}
	if err := s.EnqueueMany(ctx, jobs); err != nil {
		b.Fatal(err)
	}
	if err := s.WaitIndexed(ctx); err != nil {
		b.Fatal(err)
	}
	var n, cancelled atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := s.Cancel(ctx, jobs[others+int(n.Add(1))-1].Key)
			if err != nil {
				b.Error(err)
				return
			}
			if res == Cancelled {
				cancelled.Add(1)
			}
		}
	})
	b.StopTimer()
	if got := cancelled.Load(); got != int64(b.N) {
		b.Fatalf("%d of %d cancels answered cancelled", got, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
}
