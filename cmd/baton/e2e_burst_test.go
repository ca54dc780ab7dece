package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/bot/slackdouble"
)

// burstCard finds a card's number at the start of its fallback text ("T-12 Title — To do, owner …").
var burstCard = regexp.MustCompile(`^T-(\d+) `)

// TestABurstOfTasksInOneChannelWaitsItsTurnThere types 300 quick-form tasks within about five seconds
// in one channel. Slack takes about one post a second in a channel (played here 50 times faster, so
// the test runs in seconds rather than minutes): every card must still land in that channel, once,
// in the order the tasks were made, none in anyone's direct messages, and the person typing is told
// when a card will appear later than usual.
func TestABurstOfTasksInOneChannelWaitsItsTurnThere(t *testing.T) {
	if testing.Short() {
		t.Skip("a burst of 300 tasks")
	}
	const tasks, rate = 300, 50.0
	h := newHarness(t, func(o *harnessOptions) { o.postRate = rate })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	work := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range work {
				if _, err := h.slack.SlashCommand(ctx, slackdouble.SlashCommand{UserID: bea, ChannelID: launc, Command: "/task",
					Text: fmt.Sprintf("<@%s> Burst %03d", ana, i)}); err != nil {
					t.Errorf("task %d not acknowledged: %v", i, err)
				}
			}
		})
	}
	for i := range tasks {
		work <- i
		time.Sleep(5 * time.Second / tasks)
	}
	close(work)
	wg.Wait()

	if err := h.slack.Wait(ctx, func() bool { return len(cardsIn(h.slack, launc)) >= tasks }); err != nil {
		t.Fatalf("%d of %d cards reached the channel: %v", len(cardsIn(h.slack, launc)), tasks, err)
	}
	h.idle()
	cards := cardsIn(h.slack, launc)
	if len(cards) != tasks {
		t.Errorf("%d cards in the channel for %d tasks", len(cards), tasks)
	}
	for i, n := range cards {
		if n != int64(i+1) {
			t.Fatalf("card %d in the channel is T-%d: the cards are not in the order the tasks were made (%v)", i+1, n, cards)
		}
	}
	if n := len(cardsIn(h.slack, h.slack.DMChannel(bea))); n != 0 {
		t.Errorf("%d cards went to the typist's direct messages", n)
	}
	late := 0
	for _, e := range h.slack.Ephemerals(bea) {
		if e.Has("Its card will appear in") {
			late++
		}
	}
	if late == 0 {
		t.Error("nobody was told that a card would appear later than usual")
	}
	t.Logf("%d cards posted in order at %.0f posts/s; %d confirmations said when the card would appear", len(cards), rate, late)
}

// cardsIn lists the task numbers of the cards in a channel, oldest first.
func cardsIn(d *slackdouble.Server, channel string) []int64 {
	var out []int64
	for _, m := range d.Messages(channel) {
		if m.ThreadTS != "" && m.ThreadTS != m.TS {
			continue
		}
		if g := burstCard.FindStringSubmatch(m.Text); g != nil {
			n, _ := strconv.ParseInt(g[1], 10, 64)
			out = append(out, n)
		}
	}
	return out
}
