package store_test

import (
	"context"
	"os"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
)

// The history the record benchmarks read: one person with 5,000 tasks delegated to them (each made,
// started, blocked and moved on) and 10,000 purchase requests, all within the last 90 days.
const (
	benchTasks    = 5000
	benchRequests = 10000
)

var benchNow = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func seedRecordHistory(b *testing.B) (*store.DB, *baton.Policy) {
	b.Helper()
	db := storetest.New(b)
	ctx := context.Background()
	data, err := os.ReadFile("../deploy/policies.example.yaml")
	if err != nil {
		b.Fatal(err)
	}
	p, err := baton.LoadPolicy(data)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.SavePolicyVersion(ctx, p.Version, string(data), benchNow.AddDate(0, -6, 0)); err != nil {
		b.Fatal(err)
	}
	start := benchNow.AddDate(0, 0, -89)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO tasks (team_id, number, title, owner_id, delegator_id, status, due_date, due_at, created_at, status_changed_at)
			SELECT 'T1', g, 'Task ' || g, 'U01ENG0001', 'U01CTO0001', (ARRAY['todo','in_progress','in_review','blocked','done'])[1 + g % 5],
				($1::timestamptz + g * interval '25 minutes' + interval '5 days')::date,
				$1::timestamptz + g * interval '25 minutes' + interval '5 days',
				$1::timestamptz + g * interval '25 minutes', $1::timestamptz + g * interval '25 minutes' + interval '3 days'
			FROM generate_series(1, $2::int) g`, []any{start, benchTasks}},
		{`INSERT INTO task_events (task_id, team_id, kind, actor_id, from_value, to_value, at)
			SELECT id, team_id, 'created', delegator_id, '', owner_id, created_at FROM tasks
			UNION ALL SELECT id, team_id, 'status', owner_id, 'todo', 'in_progress', created_at + interval '1 day' FROM tasks
			UNION ALL SELECT id, team_id, 'status', owner_id, 'in_progress', 'blocked', created_at + interval '2 days' FROM tasks
			UNION ALL SELECT id, team_id, 'status', owner_id, 'blocked', status, created_at + interval '3 days' FROM tasks WHERE status <> 'blocked'`, nil},
		{`INSERT INTO requests (team_id, number, type, "values", requester_id, policy_version, status, created_at, decided_at)
			SELECT 'T1', g, 'purchase', jsonb_build_object('amount', (g * 37 % 20000)::text, 'vendor', 'Acme', 'category', 'software', 'risk', 'low'),
				'U01ENG0001', $3, (ARRAY['approved','approved','approved','rejected','changes_requested','cancelled','pending'])[1 + g % 7],
				$1::timestamptz + g * interval '12 minutes',
				CASE WHEN g % 7 = 6 THEN NULL ELSE $1::timestamptz + g * interval '12 minutes' + interval '2 hours' END
			FROM generate_series(1, $2::int) g`, []any{start, benchRequests, p.Version}},
		{`INSERT INTO approval_actions (request_id, actor, action, at)
			SELECT id, requester_id, 'submit', created_at FROM requests
			UNION ALL SELECT id, 'baton', 'auto_approve', created_at FROM requests WHERE ("values"->>'amount')::numeric <= 500 AND status = 'approved'`, nil},
		{`ANALYZE`, nil},
	} {
		if _, err := db.ExecContext(ctx, q.sql, q.args...); err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
	return db, p
}

// BenchmarkRecord is /baton record over 90 days of a person with 5,000 tasks and 10,000 requests:
// reading the history and computing the figures. Goal: under 200 ms.
func BenchmarkRecord(b *testing.B) {
	db, _ := seedRecordHistory(b)
	ctx := context.Background()
	period, err := baton.ParseRecordPeriod("90d", time.UTC, benchNow)
	if err != nil {
		b.Fatal(err)
	}
	numbers := func(typ string) []string {
		if typ == "purchase" {
			return []string{"amount"}
		}
		return nil
	}
	b.ResetTimer()
	for b.Loop() {
		h, err := db.RecordHistory(ctx, "T1", "U01ENG0001", period.From, period.To)
		if err != nil {
			b.Fatal(err)
		}
		rec := baton.BuildRecord(h, "U01ENG0001", period, benchNow, numbers)
		if rec.Tasks.Delegated.N != benchTasks || len(rec.Requests) != 1 || rec.Requests[0].Filed.N != benchRequests {
			b.Fatalf("the record counts %d tasks and %+v requests, want %d and %d", rec.Tasks.Delegated.N, len(rec.Requests), benchTasks, benchRequests)
		}
	}
}

// BenchmarkBacktest is /baton authority simulate over a person's 10,000 purchase requests: reading
// them and the policy they were filed under, and replaying each. Goal: under 1 s.
func BenchmarkBacktest(b *testing.B) {
	db, p := seedRecordHistory(b)
	ctx := context.Background()
	g, err := baton.ParseGrant("<@U01ENG0001> purchase amount<=10000", p, time.UTC, benchNow)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		reqs, err := db.RequestsFiled(ctx, "T1", "U01ENG0001", "purchase", benchNow.AddDate(0, 0, -baton.MaxRecordDays), benchNow)
		if err != nil {
			b.Fatal(err)
		}
		files, err := db.PolicyVersions(ctx, []string{p.Version})
		if err != nil {
			b.Fatal(err)
		}
		filed, err := baton.LoadPolicy([]byte(files[p.Version]))
		if err != nil {
			b.Fatal(err)
		}
		bt := baton.RunBacktest(g, reqs, map[string]*baton.Policy{p.Version: filed}, filed.Directory())
		if bt.Replayed.N != benchRequests || bt.AtOnce.N == 0 || bt.Already.N == 0 || bt.Routed.N == 0 || bt.Unreplayable.N != 0 {
			b.Fatalf("backtest = %d replayed, %d at once, %d already, %d routed, %d unreplayable %q",
				bt.Replayed.N, bt.AtOnce.N, bt.Already.N, bt.Routed.N, bt.Unreplayable.N, bt.Why)
		}
	}
}
