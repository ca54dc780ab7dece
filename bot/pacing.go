package bot

import (
	"sync"
	"time"
)

// pacer spaces chat.postMessage calls per channel with a token bucket, kept as a GCRA:
// each channel has a theoretical arrival time (tat); a call may go once tat minus the burst
// tolerance has passed, and each call pushes tat out by one interval. Channels never wait
// on each other.
type pacer struct {
	mu        sync.Mutex
	interval  time.Duration
	tolerance time.Duration // (burst-1) intervals: how far ahead of tat a call may go
	channels  map[string]*channelPace
	pruneAt   int
}

type channelPace struct {
	tat     time.Time // theoretical arrival time of the next call
	blocked time.Time // Slack answered 429: nothing goes before this
}

const minPruneAt = 1024

func newPacer(interval time.Duration, burst int) *pacer {
	return &pacer{
		interval:  interval,
		tolerance: time.Duration(burst-1) * interval,
		channels:  map[string]*channelPace{},
		pruneAt:   minPruneAt,
	}
}

// reservation is a booked slot for one call.
type reservation struct {
	channel string
	at      time.Time // when the call may go
	tat     time.Time // the channel's tat right after booking, to give the slot back
}

// reserve books the channel's next slot. When deadline is set and the slot falls after it,
// nothing is booked and ok is false.
func (p *pacer) reserve(channel string, now, deadline time.Time) (r reservation, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.prune(now)
	c := p.channels[channel]
	if c == nil {
		c = &channelPace{}
		p.channels[channel] = c
	}
	tat := later(c.tat, now)
	at := later(tat.Add(-p.tolerance), now, c.blocked)
	if !deadline.IsZero() && at.After(deadline) {
		return reservation{}, false
	}
	c.tat = later(tat, at).Add(p.interval)
	return reservation{channel: channel, at: at, tat: c.tat}, true
}

// release gives back an unused slot if no later call has been booked behind it.
func (p *pacer) release(r reservation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.channels[r.channel]; c != nil && c.tat.Equal(r.tat) {
		c.tat = r.tat.Add(-p.interval)
	}
}

// blockedUntil reports until when Slack asked us to stop posting to channel.
func (p *pacer) blockedUntil(channel string) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.channels[channel]; c != nil {
		return c.blocked
	}
	return time.Time{}
}

// block holds the channel until until (Slack's Retry-After); calls resume one interval
// apart, without a burst.
func (p *pacer) block(channel string, until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.channels[channel]
	if c == nil {
		c = &channelPace{}
		p.channels[channel] = c
	}
	c.blocked = later(c.blocked, until)
	c.tat = later(c.tat, until.Add(p.tolerance))
}

// prune forgets idle channels once the map has grown, so it stays bounded by the channels
// recently posted to.
func (p *pacer) prune(now time.Time) {
	if len(p.channels) < p.pruneAt {
		return
	}
	for id, c := range p.channels {
		if !c.tat.After(now) && !c.blocked.After(now) {
			delete(p.channels, id)
		}
	}
	p.pruneAt = max(minPruneAt, 2*len(p.channels))
}

func later(t time.Time, others ...time.Time) time.Time {
	for _, o := range others {
		if o.After(t) {
			t = o
		}
	}
	return t
}
