// Package bot is Baton's Slack transport: the Socket Mode loop, the router that sends each
// Slack request to its handler, the ack and de-duplication policy, and the one client that
// every outbound Web API call goes through.
package bot

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// Kind says which kind of Slack request a Request carries.
type Kind int

// The kinds of request the router knows.
const (
	KindCommand Kind = iota + 1
	KindAction
	KindViewSubmission
	KindViewClosed
	KindShortcut
	KindMessageShortcut
	KindEvent
)

func (k Kind) String() string {
	switch k {
	case KindCommand:
		return "command"
	case KindAction:
		return "action"
	case KindViewSubmission:
		return "view_submission"
	case KindViewClosed:
		return "view_closed"
	case KindShortcut:
		return "shortcut"
	case KindMessageShortcut:
		return "message_shortcut"
	case KindEvent:
		return "event"
	default:
		return fmt.Sprintf("kind(%d)", int(k))
	}
}

// Request is one routed Slack request. Only the fields of its Kind are set.
type Request struct {
	Kind       Kind
	EnvelopeID string
	TeamID     string
	UserID     string
	ChannelID  string

	Command     *slack.SlashCommand         // KindCommand
	Interaction *slack.InteractionCallback  // actions, views, shortcuts
	Action      *slack.BlockAction          // KindAction: the one action being routed
	Event       *slackevents.EventsAPIEvent // KindEvent: the outer event; the inner one is Event.InnerEvent

	EventID      string // KindEvent: Slack's event_id, stable across redeliveries
	RetryAttempt int    // KindEvent: 0 on first delivery

	// Replayed is set when the envelope is handled again after the process that acked it stopped
	// before finishing: its trigger_id has long expired, so no modal can be opened for it.
	Replayed bool

	// Log carries envelope_id, team_id, user_id and route; handlers log through it.
	Log *slog.Logger
}

// Handler handles a request after it has been acked.
type Handler func(ctx context.Context, r *Request)

// SubmissionHandler validates and handles a view submission before it is acked. Its return
// value is the ack payload: nil closes the modal; slack.NewErrorsViewSubmissionResponse keeps
// it open with messages under the fields; update/push/clear responses work the same way.
type SubmissionHandler func(ctx context.Context, r *Request) any

// Router maps Slack requests to handlers. Register every route at set-up, before the
// dispatcher starts: registration is not safe for concurrent use with dispatching.
// Empty keys, nil handlers and duplicate keys panic with a message naming the route.
type Router struct {
	commands    map[string]Handler
	actions     []actionRoute // longest prefix first
	submissions map[string]SubmissionHandler
	closed      map[string]Handler
	shortcuts   map[string]Handler
	events      map[string]Handler
}

type actionRoute struct {
	prefix string
	h      Handler
}

// NewRouter returns an empty router.
func NewRouter() *Router {
	return &Router{
		commands:    map[string]Handler{},
		submissions: map[string]SubmissionHandler{},
		closed:      map[string]Handler{},
		shortcuts:   map[string]Handler{},
		events:      map[string]Handler{},
	}
}

// Command routes a slash command by its name, slash included ("/task").
func (r *Router) Command(name string, h Handler) {
	if !strings.HasPrefix(name, "/") || len(name) < 2 {
		panic(fmt.Sprintf("bot: slash command name %q must start with / and name the command, as in \"/task\"", name))
	}
	register(r.commands, "slash command", name, h, h == nil)
}

// Action routes block actions by action_id prefix. The longest matching prefix wins, so
// "task.status" takes precedence over "task." for action_id "task.status".
func (r *Router) Action(actionIDPrefix string, h Handler) {
	checkRoute("action_id prefix", actionIDPrefix, h == nil)
	if slices.ContainsFunc(r.actions, func(a actionRoute) bool { return a.prefix == actionIDPrefix }) {
		panic(fmt.Sprintf("bot: duplicate route for action_id prefix %q", actionIDPrefix))
	}
	i, _ := slices.BinarySearchFunc(r.actions, len(actionIDPrefix), func(a actionRoute, n int) int { return n - len(a.prefix) })
	r.actions = slices.Insert(r.actions, i, actionRoute{prefix: actionIDPrefix, h: h})
}

// ViewSubmission routes modal submissions by the view's callback_id.
func (r *Router) ViewSubmission(callbackID string, h SubmissionHandler) {
	register(r.submissions, "view_submission callback_id", callbackID, h, h == nil)
}

// ViewClosed routes view_closed payloads (views opened with notify_on_close) by callback_id.
func (r *Router) ViewClosed(callbackID string, h Handler) {
	register(r.closed, "view_closed callback_id", callbackID, h, h == nil)
}

// Shortcut routes global shortcuts and message shortcuts by callback_id.
func (r *Router) Shortcut(callbackID string, h Handler) {
	register(r.shortcuts, "shortcut callback_id", callbackID, h, h == nil)
}

// Event routes Events API events by inner event type ("app_home_opened", "message",
// "reaction_added"); events without an inner event (app_rate_limited) route by outer type.
func (r *Router) Event(eventType string, h Handler) {
	register(r.events, "event type", eventType, h, h == nil)
}

// HasAction reports whether a block action with this action_id would be routed.
func (r *Router) HasAction(actionID string) bool {
	_, _, ok := r.action(actionID)
	return ok
}

func (r *Router) command(name string) (Handler, string, bool) {
	h, ok := r.commands[name]
	return h, "command:" + name, ok
}

func (r *Router) action(actionID string) (Handler, string, bool) {
	for _, a := range r.actions {
		if strings.HasPrefix(actionID, a.prefix) {
			return a.h, "action:" + a.prefix, true
		}
	}
	return nil, "", false
}

func (r *Router) submission(callbackID string) (SubmissionHandler, string, bool) {
	h, ok := r.submissions[callbackID]
	return h, "view_submission:" + callbackID, ok
}

func (r *Router) viewClosed(callbackID string) (Handler, string, bool) {
	h, ok := r.closed[callbackID]
	return h, "view_closed:" + callbackID, ok
}

func (r *Router) shortcut(callbackID string) (Handler, string, bool) {
	h, ok := r.shortcuts[callbackID]
	return h, "shortcut:" + callbackID, ok
}

func (r *Router) event(eventType string) (Handler, string, bool) {
	h, ok := r.events[eventType]
	return h, "event:" + eventType, ok
}

func register[H any](routes map[string]H, what, key string, h H, nilHandler bool) {
	checkRoute(what, key, nilHandler)
	if _, dup := routes[key]; dup {
		panic(fmt.Sprintf("bot: duplicate route for %s %q", what, key))
	}
	routes[key] = h
}

func checkRoute(what, key string, nilHandler bool) {
	if key == "" {
		panic(fmt.Sprintf("bot: empty %s in route registration", what))
	}
	if nilHandler {
		panic(fmt.Sprintf("bot: nil handler for %s %q", what, key))
	}
}
