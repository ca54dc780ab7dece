package main

// BenchmarkReplicas compares one bot process with three on the same Postgres and Redis, each a
// `baton run` of its own (see runChildBot), the double writing each envelope to one of their sockets
// at random, with its rate limits off, the bots' outbound pacing off and Baton's own leases:
//
//	go test -run '^$' -bench Replicas -benchtime 1x -count 3 ./cmd/baton/
//
//   - status-change/N: replicaClickers owners pick the next status on their tasks' cards, each waiting
//     until the change is seen end to end (card edited, thread reply, the delegator's DM) before the
//     next, as BenchmarkStatusChange does against one in-process bot. Each owner's tasks live in a
//     channel of their own, so the cards' outbox lanes spread over the processes. changes/s counts
//     until the last change is seen; every card, thread and DM is checked afterwards. -benchtime
//     sets the number of changes (1x is raised to replicaMinChanges).
//   - checkin-burst/N: 1,000 people due at the same instant, from fifty /checkin "in 1m" commands of
//     twenty people each: s-to-all is the time from the due time to the last DM in the double, and
//     each person is checked to have their DM once. One round per iteration (each waits its minute).

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/bot/slackdouble"
	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
)

const (
	// replicaClickers is how many owners change statuses at once: enough to keep three processes busy.
	replicaClickers = 64
	// replicaMinChanges is the fewest changes a status-change run makes, so that -benchtime 1x
	// measures a rate rather than one change.
	replicaMinChanges = 3000
	// replicaBurst is how many people one check-in burst asks, replicaBurstPer at a time.
	replicaBurst    = 1000
	replicaBurstPer = 20
)

func BenchmarkReplicas(b *testing.B) {
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("status-change/%d", n), func(b *testing.B) { benchReplicaStatus(b, n) })
	}
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("checkin-burst/%d", n), func(b *testing.B) { benchReplicaBurst(b, n) })
	}
}

// benchFleet starts the double (rate limits off), the workspace and n bot processes.
func benchFleet(b *testing.B, n int) (*slackdouble.Server, *store.DB, context.Context) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), benchRunTimeout+5*time.Minute)
	b.Cleanup(cancel)
	d, err := slackdouble.Start(slackdouble.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(d.Close)
	seedWorkspace(d)
	dbURL := storetest.URL(b)
	startFleet(ctx, b, d, n, false, []string{childBotEnv + "=" + redisPrefix(b), "DATABASE_URL=" + dbURL, "REDIS_URL=" + testRedisURL(), "BATON_POLICIES=",
		childProductionLeases + "=1"})
	return d, storetest.Open(b, dbURL), ctx
}

func benchReplicaStatus(b *testing.B, n int) {
	d, _, ctx := benchFleet(b, n)
	total := max(b.N, replicaMinChanges)
	h := &harness{t: b, slack: d}
	people, tasks, changes, err := h.benchTasks(ctx, "RS", replicaClickers, total)
	if err != nil {
		b.Fatal(err)
	}
	// The owners' DMs of their new tasks are out before the timer starts.
	dmBase := make([]int, replicaClickers)
	for w, p := range people {
		if err := d.Wait(ctx, func() bool { return d.MessageCount(d.DMChannel(p.owner)) >= len(tasks[w]) }); err != nil {
			b.Fatal(err)
		}
		dmBase[w] = d.MessageCount(d.DMChannel(p.delegator))
	}

	lat := make([][]benchTiming, replicaClickers)
	b.ResetTimer()
	start := time.Now()
	err = runBenchSenders(ctx, replicaClickers, func(ctx context.Context, w int) error {
		dm := d.DMChannel(people[w].delegator)
		for k := range changes[w] {
			t := tasks[w][k/benchChangesPerTask]
			tm, err := h.benchChangeStatus(ctx, people[w].owner, t, dm, dmBase[w]+k+1)
			if err != nil {
				return err
			}
			lat[w] = append(lat[w], tm)
		}
		return nil
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	for w, p := range people {
		if err := verifyBenchChanges(d, p, tasks[w], dmBase[w], changes[w]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "changes/s")
	reportBenchTimings(b, slices.Concat(lat...), "change-")
}

func benchReplicaBurst(b *testing.B, n int) {
	d, db, ctx := benchFleet(b, n)
	users := make([]string, replicaBurst)
	for i := range users {
		users[i] = fmt.Sprintf("UBURST%04d", i)
		d.AddUser(slackdouble.User{ID: users[i], Name: fmt.Sprintf("burst%04d", i), RealName: fmt.Sprintf("Burst %04d", i), TZ: "America/New_York"})
	}
	b.StopTimer()
	var total time.Duration
	for round := range b.N {
		message := fmt.Sprintf("Burst round %d?", round)
		for part := 0; part < replicaBurst; part += replicaBurstPer {
			text := "<@" + strings.Join(users[part:part+replicaBurstPer], "> <@") + "> in 1m " + message
			if _, err := d.SlashCommand(ctx, slackdouble.SlashCommand{UserID: bea, ChannelID: launc, Command: "/checkin", Text: text}); err != nil {
				b.Fatal(err)
			}
		}
		var due time.Time
		if err := waitFor(ctx, func() (bool, error) {
			var scheduled int
			err := db.GetContext(ctx, &scheduled, `SELECT count(*) FROM jobs WHERE kind = 'checkin.deliver'`)
			return scheduled == replicaBurst, err
		}); err != nil {
			b.Fatalf("the round's check-ins were not all scheduled: %v", err)
		}
		if err := db.GetContext(ctx, &due, `SELECT max(due_at) FROM jobs WHERE kind = 'checkin.deliver'`); err != nil {
			b.Fatal(err)
		}
		got := func() int {
			n := 0
			for _, u := range users {
				for _, m := range d.Messages(d.DMChannel(u)) {
					if m.Has(message) {
						n++
					}
				}
			}
			return n
		}
		b.StartTimer()
		if err := d.Wait(ctx, func() bool { return got() >= replicaBurst }); err != nil {
			b.Fatalf("%d of %d DMs: %v", got(), replicaBurst, err)
		}
		total += time.Since(due)
		b.StopTimer()
		for _, u := range users {
			n := 0
			for _, m := range d.Messages(d.DMChannel(u)) {
				if m.Has(message) {
					n++
				}
			}
			if n != 1 {
				b.Fatalf("%s got %d DMs of round %d, want one", u, n, round)
			}
		}
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s-to-all")
}
