package slackdouble

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// View is a modal or App Home view as the user sees it.
type View struct {
	ID              string
	Type            string // "modal" or "home"
	UserID          string
	CallbackID      string
	ExternalID      string
	PrivateMetadata string
	Hash            string
	Title           string // text of the title, submit and close text objects
	Submit          string
	Close           string
	Blocks          json.RawMessage
	RootViewID      string
	PreviousViewID  string
	NotifyOnClose   bool
	ClearOnClose    bool
	// Errors are the field errors of the last submission acked with
	// response_action "errors", keyed by input block_id.
	Errors map[string]string
}

type view struct {
	id, userID, hash, rootID, prevID string
	obj                              map[string]any // normalized view object as the app sent it
	errors                           map[string]string
}

func (v *view) str(key string) string {
	s, _ := v.obj[key].(string)
	return s
}

func (v *view) flag(key string) bool {
	b, _ := v.obj[key].(bool)
	return b
}

func (v *view) textOf(key string) string {
	m, _ := v.obj[key].(map[string]any)
	s, _ := m["text"].(string)
	return s
}

func (v *view) blocks() []any {
	b, _ := v.obj["blocks"].([]any)
	return b
}

func (v *view) export() View {
	return View{
		ID: v.id, Type: v.str("type"), UserID: v.userID,
		CallbackID: v.str("callback_id"), ExternalID: v.str("external_id"), PrivateMetadata: v.str("private_metadata"),
		Hash: v.hash, Title: v.textOf("title"), Submit: v.textOf("submit"), Close: v.textOf("close"),
		Blocks:     mustJSON(v.blocks()),
		RootViewID: v.rootID, PreviousViewID: v.prevID,
		NotifyOnClose: v.flag("notify_on_close"), ClearOnClose: v.flag("clear_on_close"),
		Errors: maps.Clone(v.errors),
	}
}

// viewJSON renders the view object Slack returns and sends in payloads.
func (s *Server) viewJSON(v *view, state map[string]any) map[string]any {
	if state == nil {
		state = map[string]any{"values": map[string]any{}}
	}
	nullable := func(x string) any {
		if x == "" {
			return nil
		}
		return x
	}
	out := map[string]any{
		"id":                    v.id,
		"team_id":               s.opts.TeamID,
		"type":                  v.str("type"),
		"blocks":                v.blocks(),
		"private_metadata":      v.str("private_metadata"),
		"callback_id":           v.str("callback_id"),
		"external_id":           v.str("external_id"),
		"state":                 state,
		"hash":                  v.hash,
		"title":                 v.obj["title"],
		"submit":                v.obj["submit"],
		"close":                 v.obj["close"],
		"clear_on_close":        v.flag("clear_on_close"),
		"notify_on_close":       v.flag("notify_on_close"),
		"root_view_id":          nullable(v.rootID),
		"previous_view_id":      nullable(v.prevID),
		"app_id":                s.opts.AppID,
		"app_installed_team_id": s.opts.TeamID,
		"bot_id":                s.opts.BotID,
	}
	return out
}

// trigger is a trigger_id minted for a user interaction.
type trigger struct {
	userID  string
	created time.Time
	used    bool
}

func (s *Server) newTriggerLocked(userID string) string {
	id := fmt.Sprintf("%d.%d.%s", 10000000000+s.seqLocked(), time.Now().Unix(), randomHex(16))
	s.ws.triggers[id] = &trigger{userID: userID, created: time.Now()}
	return id
}

func (s *Server) checkTriggerLocked(id string) (*trigger, *apiError) {
	t, ok := s.ws.triggers[id]
	switch {
	case !ok:
		return nil, fail("invalid_trigger_id")
	case t.used:
		return nil, fail("exchanged_trigger_id")
	case time.Since(t.created) > s.opts.TriggerTTL:
		return nil, fail("expired_trigger_id")
	}
	return t, nil
}

func (s *Server) newHashLocked() string {
	return fmt.Sprintf("%d.%s", time.Now().Unix(), randomID(8))
}

func (s *Server) newViewLocked(userID string, obj map[string]any) *view {
	v := &view{id: fmt.Sprintf("V%09d", s.seqLocked()), userID: userID, obj: obj, hash: s.newHashLocked()}
	s.ws.views[v.id] = v
	if ext := v.str("external_id"); ext != "" {
		s.ws.externals[ext] = v
	}
	return v
}

func (s *Server) forgetViewLocked(v *view) {
	delete(s.ws.views, v.id)
	if ext := v.str("external_id"); ext != "" && s.ws.externals[ext] == v {
		delete(s.ws.externals, ext)
	}
}

func (s *Server) externalTakenLocked(obj map[string]any, self *view) bool {
	ext, _ := obj["external_id"].(string)
	if ext == "" {
		return false
	}
	other, ok := s.ws.externals[ext]
	return ok && other != self
}

func viewArg(r *apiRequest) (string, *apiError) {
	raw := r.get("view")
	if raw == "" {
		return "", fail("invalid_arguments", kitError{"/view", "missing required field: view"}.String())
	}
	return raw, nil
}

func (s *Server) viewsOpen(r *apiRequest) (map[string]any, *apiError) {
	return s.openOrPush(r, false)
}

func (s *Server) viewsPush(r *apiRequest) (map[string]any, *apiError) {
	return s.openOrPush(r, true)
}

func (s *Server) openOrPush(r *apiRequest, push bool) (map[string]any, *apiError) {
	trig := r.get("trigger_id")
	if trig == "" {
		return nil, fail("invalid_arguments", kitError{"/trigger_id", "missing required field: trigger_id"}.String())
	}
	raw, e := viewArg(r)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, e := s.checkTriggerLocked(trig)
	if e != nil {
		return nil, e
	}
	obj, code, msgs := checkView(raw, s.opts.PerBlockActionIDs, "modal")
	if code != "" {
		return nil, fail(code, msgs...)
	}
	if s.externalTakenLocked(obj, nil) {
		return nil, fail("duplicate_external_id")
	}
	stack := s.ws.stacks[t.userID]
	if push && len(stack) >= 3 {
		return nil, fail("push_limit_reached")
	}
	t.used = true
	v := s.newViewLocked(t.userID, obj)
	if push && len(stack) > 0 {
		v.rootID = stack[0].id
		v.prevID = stack[len(stack)-1].id
		s.ws.stacks[t.userID] = append(stack, v)
	} else {
		for _, old := range stack {
			s.forgetViewLocked(old)
		}
		v.rootID = v.id
		s.ws.stacks[t.userID] = []*view{v}
	}
	s.notifyLocked()
	return map[string]any{"view": s.viewJSON(v, nil)}, nil
}

func (s *Server) viewsUpdate(r *apiRequest) (map[string]any, *apiError) {
	raw, e := viewArg(r)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var v *view
	switch {
	case r.get("view_id") != "":
		v = s.ws.views[r.get("view_id")]
	case r.get("external_id") != "":
		v = s.ws.externals[r.get("external_id")]
	default:
		return nil, fail("invalid_arguments", kitError{"/view_id", "must provide view_id or external_id"}.String())
	}
	if v == nil {
		return nil, fail("not_found")
	}
	if h := r.get("hash"); h != "" && h != v.hash {
		return nil, fail("hash_conflict")
	}
	obj, code, msgs := checkView(raw, s.opts.PerBlockActionIDs, v.str("type"))
	if code != "" {
		return nil, fail(code, msgs...)
	}
	if s.externalTakenLocked(obj, v) {
		return nil, fail("duplicate_external_id")
	}
	s.replaceViewLocked(v, obj)
	s.notifyLocked()
	return map[string]any{"view": s.viewJSON(v, nil)}, nil
}

func (s *Server) replaceViewLocked(v *view, obj map[string]any) {
	s.forgetViewLocked(v)
	v.obj = obj
	v.hash = s.newHashLocked()
	v.errors = nil
	s.ws.views[v.id] = v
	if ext := v.str("external_id"); ext != "" {
		s.ws.externals[ext] = v
	}
}

func (s *Server) viewsPublish(r *apiRequest) (map[string]any, *apiError) {
	userID := r.get("user_id")
	raw, e := viewArg(r)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.ws.users[userID]; !ok || u.Deleted {
		return nil, fail("user_not_found")
	}
	obj, code, msgs := checkView(raw, s.opts.PerBlockActionIDs, "home")
	if code != "" {
		return nil, fail(code, msgs...)
	}
	v := s.ws.homes[userID]
	if h := r.get("hash"); h != "" && v != nil && h != v.hash {
		return nil, fail("hash_conflict")
	}
	if s.externalTakenLocked(obj, v) {
		return nil, fail("duplicate_external_id")
	}
	if v == nil {
		v = s.newViewLocked(userID, obj)
		v.rootID = v.id
		s.ws.homes[userID] = v
	} else {
		s.replaceViewLocked(v, obj)
	}
	s.notifyLocked()
	return map[string]any{"view": s.viewJSON(v, nil)}, nil
}

// topViewLocked finds an open modal of the user; it must be the top of the stack.
func (s *Server) topViewLocked(userID, viewID string) (*view, error) {
	stack := s.ws.stacks[userID]
	i := slices.IndexFunc(stack, func(v *view) bool { return v.id == viewID })
	if i < 0 {
		return nil, fmt.Errorf("slackdouble: user %s has no open view %s", userID, viewID)
	}
	if i != len(stack)-1 {
		return nil, fmt.Errorf("slackdouble: view %s is covered by a pushed view", viewID)
	}
	return stack[i], nil
}

// popViewLocked closes the top view of the user's stack, or the whole stack.
func (s *Server) popViewLocked(userID string, all bool) {
	stack := s.ws.stacks[userID]
	if len(stack) == 0 {
		return
	}
	n := len(stack) - 1
	if all {
		n = 0
	}
	for _, v := range stack[n:] {
		s.forgetViewLocked(v)
	}
	if n == 0 {
		delete(s.ws.stacks, userID)
	} else {
		s.ws.stacks[userID] = stack[:n]
	}
}
