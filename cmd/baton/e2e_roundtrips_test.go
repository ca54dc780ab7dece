package main

import (
	"fmt"
	"strings"
	"testing"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

// What one action asks of Postgres and Redis, everything it sets off included: the envelope kept,
// the change, the messages it owes sent from the outbox, the timers, the dashboards of the two people
// involved. These numbers are the bot's speed: the end-to-end benchmarks move with them. Change one on
// purpose, and say why in the commit; `go test -run RoundTrips -v ./cmd/baton/` lists the statements.
//
// A connection's care of its statements is not counted: each prepares a statement once (and closes
// one only when it keeps too many).
var (
	// A status change picked on a card: keep the envelope (1); BEGIN, mark it done, lock the task, update
	// it, write its event with its messages, COMMIT (6); claim the channel's lane, read its messages and
	// their task, mark them sent (4); each of the two dashboards (6 each: task lists, key results, flags,
	// check-ins, requests awaiting, own requests). The stale nudge stays where it is until it comes due.
	statusChangeCost = wireLoadCount{postgres: 23, redis: 0}
	// `/task @owner Title`: keep the envelope (1); BEGIN, mark it done, number the task, insert it, its
	// event with its messages, COMMIT (6); count the cards waiting in the channel, claim its lane, read
	// the messages and their task, record the card, schedule the stale nudge, mark them sent (7); two
	// dashboards (12).
	quickTaskCost = wireLoadCount{postgres: 26, redis: 1}
)

type wireLoadCount struct{ postgres, redis int }

func (l wireLoad) count() wireLoadCount {
	n := wireLoadCount{redis: len(l.redis)}
	for _, s := range l.postgres {
		if !strings.HasPrefix(s, "PREPARE ") && !strings.HasPrefix(s, "CLOSE ") {
			n.postgres++
		}
	}
	return n
}

func (l wireLoad) String() string {
	var b strings.Builder
	for _, s := range l.postgres {
		fmt.Fprintf(&b, "\n  postgres: %s", s)
	}
	for _, s := range l.redis {
		fmt.Fprintf(&b, "\n  redis:    %s", s)
	}
	return b.String()
}

func TestRoundTripsOfAStatusChangeAndANewTaskAreKnown(t *testing.T) {
	w := &wire{}
	h := newHarness(t, func(o *harnessOptions) { o.wire, o.quiet = w, true })
	// A first task and change warm up what a running bot has warm: its caches, its connections.
	first := delegated(h)
	h.changeStatus(ana, first, 1, baton.StatusInProgress)
	h.idle()
	w.take()

	h.command(bea, launc, "<@UANA> Draft the press release")
	h.ephemeral(bea, "Created T-2")
	card := h.card(launc, 2)
	h.idle()
	created := w.take()

	h.changeStatus(ana, card, 2, baton.StatusInProgress)
	h.idle()
	changed := w.take()

	for _, c := range []struct {
		what string
		load wireLoad
		want wireLoadCount
	}{
		{"/task @owner Title", created, quickTaskCost},
		{"a status change", changed, statusChangeCost},
	} {
		got := c.load.count()
		t.Logf("%s: %d Postgres round trips, %d Redis commands:%s", c.what, got.postgres, got.redis, c.load)
		if got != c.want {
			t.Errorf("%s took %d Postgres round trips and %d Redis commands, want %d and %d (listed above)",
				c.what, got.postgres, got.redis, c.want.postgres, c.want.redis)
		}
	}
}

// changeStatus has user pick a status on task number's card, and waits for the reply in its thread.
func (h *harness) changeStatus(user string, card slackdouble.Message, number int64, to baton.Status) {
	h.t.Helper()
	value := fmt.Sprintf("%d:%s", number, to)
	if _, err := h.slack.SelectOption(h.waitCtx(), user, card.Channel, card.TS, "task.status", value); err != nil {
		h.t.Fatalf("select %s on T-%d: %v", to, number, err)
	}
	h.threadReply(card, to.Label())
}
