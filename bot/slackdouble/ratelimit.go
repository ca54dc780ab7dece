package slackdouble

import (
	"math"
	"net/http"
	"sync"
	"time"
)

// Failure is an injected Web API failure (see FailNext).
type Failure struct {
	// Status is the HTTP status; 0 means HTTP 200 with ok:false.
	Status int
	// RetryAfter is sent as a Retry-After header (whole seconds, rounded up)
	// when positive. A 429 without it reaches slack-go as a StatusCodeError
	// instead of a RateLimitedError.
	RetryAfter time.Duration
	// SlackError is the body's error code. Defaults: "ratelimited" for 429,
	// "fatal_error" otherwise.
	SlackError string
}

func (f Failure) response() (int, map[string]string, map[string]any) {
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	code := f.SlackError
	if code == "" {
		code = "fatal_error"
		if status == http.StatusTooManyRequests {
			code = "ratelimited"
		}
	}
	var header map[string]string
	if f.RetryAfter > 0 {
		header = map[string]string{"Retry-After": retryAfterSeconds(f.RetryAfter)}
	}
	return status, header, map[string]any{"ok": false, "error": code}
}

// rule is a token bucket: rate tokens per second, holding at most burst.
type rule struct {
	rate       float64
	burst      float64
	perChannel bool
}

var (
	tier2 = rule{rate: 20.0 / 60, burst: 20}
	tier3 = rule{rate: 50.0 / 60, burst: 50}
	tier4 = rule{rate: 100.0 / 60, burst: 100}

	// rateRules are Slack's published tiers; methods not listed (auth.test,
	// chat.getPermalink, apps.connections.open) are not limited.
	rateRules = map[string]rule{
		"chat.postMessage":             {rate: 1, burst: 3, perChannel: true},
		"chat.update":                  tier3,
		"chat.delete":                  tier3,
		"conversations.open":           tier3,
		"conversations.join":           tier3,
		"conversations.info":           tier3,
		"conversations.replies":        tier3,
		"conversations.history":        tier3,
		"reactions.add":                tier3,
		"users.lookupByEmail":          tier3,
		"users.list":                   tier2,
		"users.info":                   tier4,
		"chat.postEphemeral":           tier4,
		"files.getUploadURLExternal":   tier4,
		"files.completeUploadExternal": tier4,
		"views.open":                   tier4,
		"views.push":                   tier4,
		"views.update":                 tier4,
		"views.publish":                tier4,
	}
)

type bucket struct {
	tokens float64
	last   time.Time
}

type limiter struct {
	mu       sync.Mutex
	enabled  bool
	postRate float64 // chat.postMessage calls per second per channel
	buckets  map[string]*bucket
	failures map[string][]Failure
}

func newLimiter(enabled bool, postRate float64) *limiter {
	return &limiter{enabled: enabled, postRate: postRate, buckets: map[string]*bucket{}, failures: map[string][]Failure{}}
}

// allow takes a token for the call, or reports how long to wait.
func (l *limiter) allow(method, channel string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := rateRules[method]
	if !l.enabled || !ok {
		return 0, false
	}
	if r.perChannel {
		r.rate = l.postRate
	}
	key := method
	if r.perChannel {
		key += ":" + channel
	}
	now := time.Now()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: r.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(r.burst, b.tokens+now.Sub(b.last).Seconds()*r.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0, false
	}
	return time.Duration((1 - b.tokens) / r.rate * float64(time.Second)), true
}

// SetRateLimits turns rate limiting on or off; turning it on starts with full buckets.
func (s *Server) SetRateLimits(on bool) {
	l := s.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	if on && !l.enabled {
		l.buckets = map[string]*bucket{}
	}
	l.enabled = on
}

// FailNext makes the next n calls of a Web API method fail with f, before
// authentication and rate limiting are considered.
func (s *Server) FailNext(method string, n int, f Failure) {
	l := s.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	for range n {
		l.failures[method] = append(l.failures[method], f)
	}
}

func (s *Server) takeFailure(method string) (Failure, bool) {
	l := s.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	q := l.failures[method]
	if len(q) == 0 {
		return Failure{}, false
	}
	l.failures[method] = q[1:]
	return q[0], true
}
