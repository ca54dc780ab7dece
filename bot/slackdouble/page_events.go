package slackdouble

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

const (
	// pageEventGap coalesces changes: the page hears of them at most this often.
	pageEventGap = 50 * time.Millisecond
	// pageHeartbeat keeps an idle event stream open through proxies.
	pageHeartbeat = 25 * time.Second
	// pageMaxMove is the furthest the clock moves at once.
	pageMaxMove = 92 * 24 * time.Hour
	// pageMorning is the hour "next morning" and a chosen date move the clock to, in the person's zone.
	pageMorning = 9
)

// events streams Server-Sent Events: "change" whenever the workspace changed, "clock" when the
// clock moved. The page fetches again what it shows.
func (p *page) events(w http.ResponseWriter, r *http.Request, _ string) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming is not supported here", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	ctx := r.Context()
	heartbeat := time.NewTicker(pageHeartbeat)
	defer heartbeat.Stop()
	_, _ = fmt.Fprint(w, "retry: 1000\n\n")
	flusher.Flush()
	var sent uint64
	// moved is taken again only once it fired, so no move of the clock goes untold.
	moved := p.clockChanged()
	for {
		changed, version := p.s.Changed()
		if version != sent {
			sent = version
			_, _ = fmt.Fprintf(w, "event: change\ndata: {\"seq\":%d}\n\n", version)
			flusher.Flush()
			if !pause(ctx, pageEventGap) {
				return
			}
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-p.s.done:
			return
		case <-changed:
		case <-moved:
			moved = p.clockChanged()
			b, _ := json.Marshal(p.clock())
			_, _ = fmt.Fprintf(w, "event: clock\ndata: %s\n\n", b)
			flusher.Flush()
		case <-heartbeat.C:
			_, _ = fmt.Fprint(w, ": still here\n\n")
			flusher.Flush()
		}
	}
}

func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// moveClock moves the bot's clock forward: by a duration ("1h", "30m"), to the person's next
// morning ("morning"), or to a date at 09:00 in their zone ("2026-12-14").
func (p *page) moveClock(ctx context.Context, req pageRequest) (map[string]any, error) {
	clock := p.opts.Clock
	if clock == nil {
		return nil, pageError{"This workspace's clock can't be moved."}
	}
	p.s.mu.Lock()
	zone := p.s.ws.users[req.As].TZ
	p.s.mu.Unlock()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	if !p.moving.TryLock() {
		return nil, pageError{"The clock is already moving; wait until it stops."}
	}
	defer p.moving.Unlock()
	to, err := clockTarget(clock.Now(), strings.TrimSpace(req.Move), loc)
	if err != nil {
		return nil, err
	}
	p.busy.Store(true)
	p.announceClock()
	fired, err := clock.AdvanceTo(ctx, to)
	p.busy.Store(false)
	p.announceClock()
	if err != nil {
		p.log().Error("the clock stopped before all that came due had run", "err", err)
		return nil, pageError{fmt.Sprintf("The clock stopped at %s, before all that came due had run. Move it again to go on; Baton's log says what stopped it.",
			clock.Now().In(loc).Format("Mon 2 Jan 15:04"))}
	}
	return map[string]any{"clock": p.clock(), "fired": fired}, nil
}

// clockTarget reads where a person asked the clock to go, from now, in their zone.
func clockTarget(now time.Time, move string, loc *time.Location) (time.Time, error) {
	local := now.In(loc)
	var to time.Time
	switch {
	case move == "morning":
		to = time.Date(local.Year(), local.Month(), local.Day(), pageMorning, 0, 0, 0, loc)
		if !to.After(now) {
			to = time.Date(local.Year(), local.Month(), local.Day()+1, pageMorning, 0, 0, 0, loc)
		}
	case strings.Count(move, "-") == 2:
		d, err := time.ParseInLocation("2006-01-02", move, loc)
		if err != nil {
			return to, pageError{fmt.Sprintf("%q is not a date; use one like 2026-12-14.", move)}
		}
		to = time.Date(d.Year(), d.Month(), d.Day(), pageMorning, 0, 0, 0, loc)
		if !to.After(now) {
			return to, pageError{fmt.Sprintf("Baton's clock is already past 09:00 on %s; the clock only moves forward.", d.Format("Mon 2 Jan"))}
		}
	default:
		d, err := time.ParseDuration(move)
		if err != nil || d <= 0 {
			return to, pageError{fmt.Sprintf("%q is not a way forward; use 1h, morning, or a date like 2026-12-14.", move)}
		}
		to = now.Add(d)
	}
	if to.Sub(now) > pageMaxMove {
		return to, pageError{"That is more than three months ahead; move the clock in smaller steps."}
	}
	return to, nil
}

// announceClock tells every page that the clock moved, or started or stopped moving.
func (p *page) announceClock() {
	p.s.mu.Lock()
	close(p.clockMoved)
	p.clockMoved = make(chan struct{})
	p.s.notifyLocked()
	p.s.mu.Unlock()
}

// clockChanged is closed at the clock's next move.
func (p *page) clockChanged() <-chan struct{} {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	return p.clockMoved
}
