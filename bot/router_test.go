package bot

import (
	"context"
	"strings"
	"testing"
)

func noop(context.Context, *Request) {}

func TestRouterActionLongestPrefixWins(t *testing.T) {
	r := NewRouter()
	var got string
	r.Action("task.", func(context.Context, *Request) { got = "task." })
	r.Action("task.status", func(context.Context, *Request) { got = "task.status" })
	r.Action("t", func(context.Context, *Request) { got = "t" })

	for actionID, want := range map[string]string{
		"task.status":       "task.status",
		"task.status.done":  "task.status",
		"task.assign":       "task.",
		"tally":             "t",
		"task.":             "task.",
		"task.statu_prefix": "task.",
	} {
		h, route, ok := r.action(actionID)
		if !ok {
			t.Fatalf("action %q: no route", actionID)
		}
		h(context.Background(), &Request{})
		if got != want {
			t.Errorf("action %q routed to %q, want %q", actionID, got, want)
		}
		if route != "action:"+want {
			t.Errorf("action %q route name %q, want %q", actionID, route, "action:"+want)
		}
	}
}

func TestRouterHasAction(t *testing.T) {
	r := NewRouter()
	r.Action("task.", noop)
	r.Action("approval.approve", noop)

	for actionID, want := range map[string]bool{
		"task.status":      true,
		"approval.approve": true,
		"approval.reject":  false,
		"okr.checkin":      false,
		"":                 false,
	} {
		if got := r.HasAction(actionID); got != want {
			t.Errorf("HasAction(%q) = %v, want %v", actionID, got, want)
		}
	}
}

func TestRouterRejectsBadRegistrations(t *testing.T) {
	sub := func(context.Context, *Request) any { return nil }
	cases := map[string]struct {
		register func(r *Router)
		want     string
	}{
		"duplicate command":   {func(r *Router) { r.Command("/task", noop); r.Command("/task", noop) }, `duplicate route for slash command "/task"`},
		"command no slash":    {func(r *Router) { r.Command("task", noop) }, `must start with /`},
		"empty command":       {func(r *Router) { r.Command("", noop) }, `must start with /`},
		"nil command handler": {func(r *Router) { r.Command("/task", nil) }, `nil handler for slash command "/task"`},
		"duplicate action":    {func(r *Router) { r.Action("task.", noop); r.Action("task.", noop) }, `duplicate route for action_id prefix "task."`},
		"empty action":        {func(r *Router) { r.Action("", noop) }, `empty action_id prefix`},
		"nil action handler":  {func(r *Router) { r.Action("task.", nil) }, `nil handler for action_id prefix "task."`},
		"duplicate submission": {func(r *Router) { r.ViewSubmission("new_task", sub); r.ViewSubmission("new_task", sub) },
			`duplicate route for view_submission callback_id "new_task"`},
		"nil submission":     {func(r *Router) { r.ViewSubmission("new_task", nil) }, `nil handler for view_submission callback_id`},
		"duplicate closed":   {func(r *Router) { r.ViewClosed("x", noop); r.ViewClosed("x", noop) }, `duplicate route for view_closed callback_id "x"`},
		"duplicate shortcut": {func(r *Router) { r.Shortcut("x", noop); r.Shortcut("x", noop) }, `duplicate route for shortcut callback_id "x"`},
		"empty shortcut":     {func(r *Router) { r.Shortcut("", noop) }, `empty shortcut callback_id`},
		"duplicate event":    {func(r *Router) { r.Event("message", noop); r.Event("message", noop) }, `duplicate route for event type "message"`},
		"empty event":        {func(r *Router) { r.Event("", noop) }, `empty event type`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				p := recover()
				if p == nil {
					t.Fatal("registration did not panic")
				}
				if msg, _ := p.(string); !strings.Contains(msg, tc.want) {
					t.Fatalf("panic %q does not mention %q", p, tc.want)
				}
			}()
			tc.register(NewRouter())
		})
	}
}

func TestRouterExactRoutes(t *testing.T) {
	r := NewRouter()
	r.Command("/task", noop)
	r.ViewSubmission("new_task", func(context.Context, *Request) any { return nil })
	r.ViewClosed("new_task", noop)
	r.Shortcut("task_from_message", noop)
	r.Event("app_home_opened", noop)

	checks := []struct {
		name  string
		route string
		ok    bool
	}{
		{"command", routeOf(r.command("/task")), true},
		{"unknown command", routeOf(r.command("/okr")), false},
		{"submission", submissionRouteOf(r.submission("new_task")), true},
		{"closed", routeOf(r.viewClosed("new_task")), true},
		{"shortcut", routeOf(r.shortcut("task_from_message")), true},
		{"event", routeOf(r.event("app_home_opened")), true},
		{"unknown event", routeOf(r.event("reaction_added")), false},
	}
	for _, c := range checks {
		if (c.route != "") != c.ok {
			t.Errorf("%s: route %q, want routed=%v", c.name, c.route, c.ok)
		}
	}
}

func routeOf(_ Handler, route string, ok bool) string {
	if !ok {
		return ""
	}
	return route
}

func submissionRouteOf(_ SubmissionHandler, route string, ok bool) string {
	if !ok {
		return ""
	}
	return route
}
