package main

import (
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// pgOutage stands between the bot and Postgres: a loopback proxy that forwards every byte until an
// outage cuts every connection and refuses new ones, as a Postgres failover or a restart does.
type pgOutage struct {
	mu    sync.Mutex
	down  bool
	conns map[net.Conn]bool
}

// proxy starts the proxy in front of the Postgres at dbURL and returns a URL that goes through it.
func (o *pgOutage) proxy(t testing.TB, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil || u.Host == "" {
		t.Fatalf("an outage needs TEST_DATABASE_URL as a postgres:// URL, not %q", dbURL)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5432")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o.conns = map[net.Conn]bool{}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		_ = l.Close()
		o.cut()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			client, err := l.Accept()
			if err != nil {
				return
			}
			o.mu.Lock()
			down := o.down
			o.mu.Unlock()
			if down {
				_ = client.Close()
				continue
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				_ = client.Close()
				continue
			}
			o.mu.Lock()
			o.conns[client], o.conns[server] = true, true
			o.mu.Unlock()
			for _, pair := range [][2]net.Conn{{client, server}, {server, client}} {
				wg.Go(func() {
					_, _ = io.Copy(pair[0], pair[1])
					_ = pair[0].Close()
					_ = pair[1].Close()
				})
			}
		}
	})
	u.Host = l.Addr().String()
	return u.String()
}

// cut closes every connection open through the proxy.
func (o *pgOutage) cut() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for c := range o.conns {
		_ = c.Close()
		delete(o.conns, c)
	}
}

// start cuts every connection and refuses new ones until end is called.
func (o *pgOutage) start() {
	o.mu.Lock()
	o.down = true
	o.mu.Unlock()
	o.cut()
}

func (o *pgOutage) end() {
	o.mu.Lock()
	o.down = false
	o.mu.Unlock()
}

// Postgres goes away for a few seconds (every connection cut, new ones refused): a person who makes
// a task or moves one meanwhile is told it was not done and to try again, nothing is half-written, a
// check-in that came due meanwhile is sent once Postgres is back, and Baton carries on by itself.
func TestPeopleAreToldToTryAgainWhilePostgresIsDown(t *testing.T) {
	o := &pgOutage{}
	h := newHarness(t, func(o2 *harnessOptions) { o2.pgOutage = o })
	h.command(bea, launc, "<@UANA> Before the outage")
	card := h.card(launc, 1)
	h.advanceTo(ckFri)
	h.ckCommand(bea, launc, "<@UANA> in 1h Are the launch slides ready?")
	h.ephemeral(bea, "Check-in *C-1* is set up")
	h.idle()

	o.start()
	h.advanceTo(ckFri.Add(time.Hour + time.Second))
	h.command(bea, launc, "<@UANA> During the outage")
	h.ephemeral(bea, "Baton's database did not answer just now, so this was not done. Try again in a minute.")
	if _, err := h.slack.SelectOption(h.waitCtx(), ana, card.Channel, card.TS, "task.status", "1:in_progress"); err != nil {
		t.Fatalf("the status change during the outage was not acknowledged: %v", err)
	}
	h.ephemeral(ana, "Baton's database did not answer just now, so this was not done. Try again in a minute.")
	o.end()

	h.dm(ana, "Check-in C-1* from <@UBEA>", "Are the launch slides ready?")
	h.command(bea, launc, "<@UANA> After the outage")
	h.card(launc, 2)
	h.selectStatus(ana, card, "in_progress")
	h.threadReply(card, "moved this from *To do* to *In progress*")
	h.idle()
	if n := h.taskCount(); n != 2 {
		t.Errorf("%d tasks, want the two made while Postgres answered", n)
	}
	if got := h.task(1); got.Status != "in_progress" || len(h.events(1)) != 2 {
		t.Errorf("T-1 is %s with %d events, want in_progress after one change", got.Status, len(h.events(1)))
	}
	if n := h.ckDeliveries(ana, "C-1"); n != 1 {
		t.Errorf("%d DMs of C-1, want one", n)
	}
	for _, e := range h.slack.Ephemerals(bea) {
		if strings.Contains(e.AllText(), "During the outage") && strings.Contains(e.AllText(), "Created") {
			t.Errorf("Bea was told the task made during the outage was created: %s", e.AllText())
		}
	}
}
