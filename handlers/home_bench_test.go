package handlers

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/batonhq/baton/store/storetest"
)

// homeSlack is the Slack a dashboard benchmark needs: it counts the dashboards published and the
// permalinks asked for, and keeps the last view. Any other call is a defect of the benchmark's path.
type homeSlack struct {
	Slack
	publishes, links atomic.Int64
	last             atomic.Value // slack.HomeTabViewRequest
}

func (s *homeSlack) PublishHome(_ context.Context, _ string, v slack.HomeTabViewRequest) error {
	s.publishes.Add(1)
	s.last.Store(v)
	return nil
}

func (s *homeSlack) Permalink(_ context.Context, channelID, ts string) (string, error) {
	s.links.Add(1)
	return "https://acme.slack.com/archives/" + channelID + "/p" + strings.ReplaceAll(ts, ".", ""), nil
}

func (s *homeSlack) UserInfo(_ context.Context, userID string) (*slack.User, error) {
	return &slack.User{ID: userID, Name: "maya", TZ: "Europe/Berlin"}, nil
}

// BenchmarkHomeOfAManagerWith5000Tasks builds and publishes, on a real Postgres, the dashboard of a
// manager who delegated 5,000 open tasks: a quarter of them blocked, a tenth overdue, every card's
// link kept. It reports the Slack calls each dashboard made: one views.publish, no permalink.
//
//	go test -run '^$' -bench HomeOfAManager -benchtime 200x -count 5 ./handlers/
func BenchmarkHomeOfAManagerWith5000Tasks(b *testing.B) {
	const team, manager, tasks = "T1", "UMAYA", 5000
	db := storetest.New(b)
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	if _, err := db.Exec(`INSERT INTO tasks (team_id, number, title, owner_id, delegator_id, status, blocked_reason,
			due_date, due_at, channel_id, card_ts, card_link, created_at, updated_at, status_changed_at)
		SELECT $1, n, 'Delegated item ' || n, 'UOWNER' || (n % 40), $2,
			(ARRAY['todo', 'in_progress', 'in_review', 'blocked'])[n % 4 + 1],
			CASE WHEN n % 4 = 3 THEN 'Waiting on the vendor' ELSE '' END,
			d::date, d, 'CLAUNCH', '1700000000.' || lpad(n::text, 6, '0'),
			'https://acme.slack.com/archives/CLAUNCH/p1700000000' || lpad(n::text, 6, '0'), $3, $3, $3
		FROM generate_series(1, $4) AS n,
			LATERAL (SELECT CASE WHEN n % 2 = 0 THEN NULL ELSE $3::timestamptz + (n % 10 - 1) * interval '1 day' END AS d) due`,
		team, manager, now.Add(-30*24*time.Hour), tasks); err != nil {
		b.Fatal(err)
	}
	sl := &homeSlack{}
	h := New(Config{Stores: Stores{Tasks: db, Calendar: db, Digests: db, Checkins: db, Deliveries: db, Approvals: db, ApprovalLists: db, Objectives: db, KeyResults: db, Decisions: db, Records: db}, Slack: sl, Now: func() time.Time { return now }})
	ctx := context.Background()
	for b.Loop() {
		h.publishHome(ctx, team, manager)
	}
	b.ReportMetric(float64(sl.publishes.Load())/float64(b.N), "publishes/op")
	b.ReportMetric(float64(sl.links.Load())/float64(b.N), "permalinks/op")
	v, _ := sl.last.Load().(slack.HomeTabViewRequest)
	raw, err := json.Marshal(v.Blocks)
	if err != nil {
		b.Fatal(err)
	}
	if n := len(v.Blocks.BlockSet); n == 0 || n > maxViewBlocks || !strings.Contains(string(raw), "(5000 open)") ||
		!strings.Contains(string(raw), "Show all 5000") || sl.publishes.Load() != int64(b.N) || sl.links.Load() != 0 {
		b.Fatalf("dashboard of %d blocks, %d publishes and %d permalinks for %d builds:\n%s", n, sl.publishes.Load(), sl.links.Load(), b.N, raw)
	}
}
