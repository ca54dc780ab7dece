package bot

import "time"

// Observer hears what the dispatcher and the client do, for metrics. Its methods are called on
// every envelope and every Slack call: they must be cheap and safe for concurrent use. Labels
// stay few: kinds, outcomes, routes and Web API methods, never a person, channel or task.
type Observer interface {
	// Envelope is one envelope (or HTTP-mode request) of kind (events_api, slash_commands,
	// interactive) and what became of it: handled, duplicate, unrouted or unreadable.
	Envelope(kind, outcome string)
	// Acked is the time from an envelope's arrival to its ack.
	Acked(kind string, latency time.Duration)
	// Handled is one handler run on route, and whether it failed (panicked or ran out of time).
	Handled(route string, took time.Duration, failed bool)
	// Called is one attempt at a Web API method: ok, Slack's error code, ratelimited, or
	// transport_error.
	Called(method, result string)
	// Waited is time spent before a Web API call: for a channel's send slot or before a retry.
	Waited(method string, d time.Duration)
}

// Envelope outcomes.
const (
	OutcomeHandled    = "handled"
	OutcomeDuplicate  = "duplicate"
	OutcomeUnrouted   = "unrouted"
	OutcomeUnreadable = "unreadable"
)

// noObserver is the Observer of a dispatcher or client given none.
type noObserver struct{}

func (noObserver) Envelope(string, string)             {}
func (noObserver) Acked(string, time.Duration)         {}
func (noObserver) Handled(string, time.Duration, bool) {}
func (noObserver) Called(string, string)               {}
func (noObserver) Waited(string, time.Duration)        {}
