package bot

import (
	"fmt"
	"testing"
	"time"
)

func TestPacerBurstThenInterval(t *testing.T) {
	p := newPacer(time.Second, 3)
	now := time.Unix(1700000000, 0)
	var got []time.Duration
	for range 5 {
		r, ok := p.reserve("C1", now, time.Time{})
		if !ok {
			t.Fatal("reserve refused without a deadline")
		}
		got = append(got, r.at.Sub(now))
	}
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("slots %v, want %v", got, want)
	}
	if r, _ := p.reserve("C2", now, time.Time{}); !r.at.Equal(now) {
		t.Errorf("another channel waits until +%v", r.at.Sub(now))
	}
	// An idle channel earns its burst back.
	later := now.Add(10 * time.Second)
	for i := range 3 {
		if r, _ := p.reserve("C1", later, time.Time{}); !r.at.Equal(later) {
			t.Errorf("post %d after idling waits until +%v", i, r.at.Sub(later))
		}
	}
}

func TestPacerBlockAndRelease(t *testing.T) {
	p := newPacer(time.Second, 3)
	now := time.Unix(1700000000, 0)
	p.block("C1", now.Add(30*time.Second))
	r1, _ := p.reserve("C1", now, time.Time{})
	r2, _ := p.reserve("C1", now, time.Time{})
	if r1.at.Sub(now) != 30*time.Second || r2.at.Sub(now) != 31*time.Second {
		t.Errorf("after a 30s block slots are +%v, +%v; want +30s, +31s (no burst)", r1.at.Sub(now), r2.at.Sub(now))
	}
	if _, ok := p.reserve("C1", now, now.Add(time.Minute/2)); ok {
		t.Error("booked a slot past the deadline")
	}
	p.release(r2)
	if r3, _ := p.reserve("C1", now, time.Time{}); r3.at.Sub(now) != 31*time.Second {
		t.Errorf("released slot not reused: +%v", r3.at.Sub(now))
	}
}

func TestPacerForgetsIdleChannels(t *testing.T) {
	p := newPacer(time.Second, 1)
	now := time.Unix(1700000000, 0)
	for i := range minPruneAt {
		p.reserve(fmt.Sprintf("C%d", i), now, time.Time{})
	}
	p.reserve("fresh", now.Add(time.Hour), time.Time{})
	if n := len(p.channels); n != 1 {
		t.Errorf("%d channels remembered after they went idle, want 1", n)
	}
}
