package slackdouble

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// InputValue is what a user enters in one element. Set the field that
// matches the element type; unset fields leave the element's initial value.
type InputValue struct {
	Value                 *string  // plain_text_input, email/url_text_input, number_input, rich_text_input; "" submits empty
	SelectedOption        string   // option value: static_select, external_select, radio_buttons, overflow
	SelectedOptions       []string // option values: multi_static_select, multi_external_select, checkboxes
	SelectedUser          string   // users_select
	SelectedUsers         []string // multi_users_select
	SelectedConversation  string   // conversations_select
	SelectedConversations []string // multi_conversations_select
	SelectedChannel       string   // channels_select
	SelectedChannels      []string // multi_channels_select
	SelectedDate          string   // datepicker, YYYY-MM-DD
	SelectedTime          string   // timepicker, HH:mm
	SelectedDateTime      int64    // datetimepicker, Unix seconds
	Clear                 bool     // submit the element empty despite an initial value
}

// Str returns a pointer to s, for InputValue.Value.
func Str(s string) *string { return &s }

func (in InputValue) setFields() []string {
	var f []string
	add := func(set bool, name string) {
		if set {
			f = append(f, name)
		}
	}
	add(in.Value != nil, "Value")
	add(in.SelectedOption != "", "SelectedOption")
	add(in.SelectedOptions != nil, "SelectedOptions")
	add(in.SelectedUser != "", "SelectedUser")
	add(in.SelectedUsers != nil, "SelectedUsers")
	add(in.SelectedConversation != "", "SelectedConversation")
	add(in.SelectedConversations != nil, "SelectedConversations")
	add(in.SelectedChannel != "", "SelectedChannel")
	add(in.SelectedChannels != nil, "SelectedChannels")
	add(in.SelectedDate != "", "SelectedDate")
	add(in.SelectedTime != "", "SelectedTime")
	add(in.SelectedDateTime != 0, "SelectedDateTime")
	return f
}

// fieldFor names the InputValue field each element type reads.
var fieldFor = map[string]string{
	"plain_text_input": "Value", "email_text_input": "Value", "url_text_input": "Value",
	"number_input": "Value", "rich_text_input": "Value",
	"static_select": "SelectedOption", "external_select": "SelectedOption", "radio_buttons": "SelectedOption", "overflow": "SelectedOption",
	"multi_static_select": "SelectedOptions", "multi_external_select": "SelectedOptions", "checkboxes": "SelectedOptions",
	"users_select": "SelectedUser", "multi_users_select": "SelectedUsers",
	"conversations_select": "SelectedConversation", "multi_conversations_select": "SelectedConversations",
	"channels_select": "SelectedChannel", "multi_channels_select": "SelectedChannels",
	"datepicker": "SelectedDate", "timepicker": "SelectedTime", "datetimepicker": "SelectedDateTime",
}

// stateful reports whether an element keeps a value in view/message state.
func stateful(typ string) bool {
	_, ok := fieldFor[typ]
	return ok && typ != "overflow"
}

// elementOptions lists an element's options, including grouped ones.
func elementOptions(el map[string]any) []map[string]any {
	var out []map[string]any
	add := func(v any) {
		arr, _ := v.([]any)
		for _, o := range arr {
			if m, ok := o.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	add(el["options"])
	groups, _ := el["option_groups"].([]any)
	for _, g := range groups {
		if gm, ok := g.(map[string]any); ok {
			add(gm["options"])
		}
	}
	return out
}

func (s *Server) findOptionLocked(el map[string]any, value string) (map[string]any, error) {
	typ, _ := el["type"].(string)
	if strings.HasPrefix(typ, "multi_external") || typ == "external_select" {
		return map[string]any{"text": map[string]any{"type": "plain_text", "text": value}, "value": value}, nil
	}
	for _, o := range elementOptions(el) {
		if o["value"] == value {
			return o, nil
		}
	}
	return nil, fmt.Errorf("slackdouble: %s %q has no option with value %q", typ, el["action_id"], value)
}

func (s *Server) checkUserLocked(id string) error {
	if _, ok := s.ws.users[id]; !ok {
		return fmt.Errorf("slackdouble: unknown user %s", id)
	}
	return nil
}

func (s *Server) checkConversationLocked(id string) error {
	if s.userChannelLocked(id) == nil {
		return fmt.Errorf("slackdouble: unknown conversation %s", id)
	}
	return nil
}

// elementState renders an element's current value as Slack reports it in
// state.values and in block actions: the user's input when given, else the
// initial value, else null or [].
func (s *Server) elementStateLocked(el map[string]any, in InputValue) (map[string]any, error) {
	typ, _ := el["type"].(string)
	want := fieldFor[typ]
	for _, f := range in.setFields() {
		if f != want {
			return nil, fmt.Errorf("slackdouble: %s %q takes %s, not %s", typ, el["action_id"], want, f)
		}
	}
	out := map[string]any{"type": typ}
	switch typ {
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		v, _ := el["initial_value"].(string)
		if in.Value != nil {
			v = *in.Value
		}
		if in.Clear {
			v = ""
		}
		if err := checkTextValue(el, v); err != nil {
			return nil, err
		}
		out["value"] = nullIfEmpty(v)
	case "rich_text_input":
		out["rich_text_value"] = el["initial_value"]
		if in.Value != nil && *in.Value != "" {
			out["rich_text_value"] = map[string]any{"type": "rich_text", "elements": []any{map[string]any{
				"type": "rich_text_section", "elements": []any{map[string]any{"type": "text", "text": *in.Value}},
			}}}
		}
		if in.Clear || (in.Value != nil && *in.Value == "") {
			out["rich_text_value"] = nil
		}
	case "static_select", "external_select", "radio_buttons", "overflow":
		out["selected_option"] = el["initial_option"]
		if in.SelectedOption != "" {
			o, err := s.findOptionLocked(el, in.SelectedOption)
			if err != nil {
				return nil, err
			}
			out["selected_option"] = o
		}
		if in.Clear {
			out["selected_option"] = nil
		}
	case "multi_static_select", "multi_external_select", "checkboxes":
		opts := []any{}
		if init, ok := el["initial_options"].([]any); ok {
			opts = init
		}
		if in.SelectedOptions != nil {
			opts = []any{}
			for _, v := range in.SelectedOptions {
				o, err := s.findOptionLocked(el, v)
				if err != nil {
					return nil, err
				}
				opts = append(opts, o)
			}
		}
		if in.Clear {
			opts = []any{}
		}
		out["selected_options"] = opts
	case "users_select", "conversations_select", "channels_select":
		key := map[string]string{"users_select": "user", "conversations_select": "conversation", "channels_select": "channel"}[typ]
		v, _ := el["initial_"+key].(string)
		pick := map[string]string{"user": in.SelectedUser, "conversation": in.SelectedConversation, "channel": in.SelectedChannel}[key]
		if pick != "" {
			check := s.checkConversationLocked
			if key == "user" {
				check = s.checkUserLocked
			}
			if err := check(pick); err != nil {
				return nil, err
			}
			v = pick
		}
		if in.Clear {
			v = ""
		}
		out["selected_"+key] = nullIfEmpty(v)
	case "multi_users_select", "multi_conversations_select", "multi_channels_select":
		key := map[string]string{"multi_users_select": "users", "multi_conversations_select": "conversations", "multi_channels_select": "channels"}[typ]
		vals := []any{}
		if init, ok := el["initial_"+key].([]any); ok {
			vals = init
		}
		pick := map[string][]string{"users": in.SelectedUsers, "conversations": in.SelectedConversations, "channels": in.SelectedChannels}[key]
		if pick != nil {
			vals = []any{}
			for _, id := range pick {
				check := s.checkConversationLocked
				if key == "users" {
					check = s.checkUserLocked
				}
				if err := check(id); err != nil {
					return nil, err
				}
				vals = append(vals, id)
			}
		}
		if in.Clear {
			vals = []any{}
		}
		out["selected_"+key] = vals
	case "datepicker":
		v, _ := el["initial_date"].(string)
		if in.SelectedDate != "" {
			if !validLayout("2006-01-02", in.SelectedDate) {
				return nil, fmt.Errorf("slackdouble: date %q is not YYYY-MM-DD", in.SelectedDate)
			}
			v = in.SelectedDate
		}
		if in.Clear {
			v = ""
		}
		out["selected_date"] = nullIfEmpty(v)
	case "timepicker":
		v, _ := el["initial_time"].(string)
		if in.SelectedTime != "" {
			if !validLayout("15:04", in.SelectedTime) {
				return nil, fmt.Errorf("slackdouble: time %q is not HH:mm", in.SelectedTime)
			}
			v = in.SelectedTime
		}
		if in.Clear {
			v = ""
		}
		out["selected_time"] = nullIfEmpty(v)
		if tz, ok := el["timezone"]; ok {
			out["timezone"] = tz
		}
	case "datetimepicker":
		out["selected_date_time"] = el["initial_date_time"]
		if in.SelectedDateTime != 0 {
			out["selected_date_time"] = in.SelectedDateTime
		}
		if in.Clear {
			out["selected_date_time"] = nil
		}
	default:
		return nil, fmt.Errorf("slackdouble: element type %s holds no value", typ)
	}
	return out, nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// checkTextValue applies the checks the Slack client makes before it lets a
// user submit a text or number field.
func checkTextValue(el map[string]any, v string) error {
	if v == "" {
		return nil
	}
	typ, _ := el["type"].(string)
	id := el["action_id"]
	n := utf8.RuneCountInString(v)
	if lo, ok := intOf(el["min_length"]); ok && n < lo {
		return fmt.Errorf("slackdouble: %q needs at least %d characters", id, lo)
	}
	if hi, ok := intOf(el["max_length"]); ok && n > hi {
		return fmt.Errorf("slackdouble: %q allows at most %d characters", id, hi)
	}
	switch typ {
	case "number_input":
		dec, _ := el["is_decimal_allowed"].(bool)
		f, err := parseNumber(v, dec)
		if err != nil {
			return fmt.Errorf("slackdouble: %q: %w", id, err)
		}
		if lo, _ := el["min_value"].(string); lo != "" {
			if l, err := parseNumber(lo, true); err == nil && f < l {
				return fmt.Errorf("slackdouble: %q must be at least %s", id, lo)
			}
		}
		if hi, _ := el["max_value"].(string); hi != "" {
			if h, err := parseNumber(hi, true); err == nil && f > h {
				return fmt.Errorf("slackdouble: %q must be at most %s", id, hi)
			}
		}
	case "email_text_input":
		if _, err := mail.ParseAddress(v); err != nil {
			return fmt.Errorf("slackdouble: %q: %q is not an email address", id, v)
		}
	case "url_text_input":
		if u, err := url.Parse(v); err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("slackdouble: %q: %q is not a URL", id, v)
		}
	}
	return nil
}

// stateValuesLocked builds state.values for a surface. inputsOnly limits it
// to input blocks (view_submission); otherwise stateful elements of actions
// blocks and section accessories are included too (block_actions).
func (s *Server) stateValuesLocked(blocks []any, inputsOnly bool, given map[string]map[string]InputValue) (map[string]any, error) {
	values := map[string]any{}
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		if inputsOnly && bm["type"] != "input" {
			continue
		}
		blockID, _ := bm["block_id"].(string)
		var err error
		forEachElement(bm, func(el map[string]any) {
			typ, _ := el["type"].(string)
			if err != nil || !stateful(typ) {
				return
			}
			actionID, _ := el["action_id"].(string)
			st, e := s.elementStateLocked(el, given[blockID][actionID])
			if e != nil {
				err = e
				return
			}
			row, _ := values[blockID].(map[string]any)
			if row == nil {
				row = map[string]any{}
				values[blockID] = row
			}
			row[actionID] = st
		})
		if err != nil {
			return nil, err
		}
	}
	return values, nil
}

// target is an interactive element found on a surface.
type target struct {
	blockID string
	el      map[string]any
}

func findTargets(blocks []any, actionID string) []target {
	var out []target
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		blockID, _ := bm["block_id"].(string)
		forEachElement(bm, func(el map[string]any) {
			if el["action_id"] == actionID {
				out = append(out, target{blockID: blockID, el: el})
			}
		})
	}
	return out
}

// choice is what the user does with the element: press a button (value
// optionally picks among buttons sharing the action_id) or set a value.
type choice struct {
	button bool
	values []string
	input  func(typ, v string) (InputValue, error)
	raw    string
}

func clickChoice(value []string) choice { return choice{button: true, values: value} }

func selectChoice(v string) choice {
	return choice{raw: v, input: func(typ, v string) (InputValue, error) {
		var in InputValue
		switch fieldFor[typ] {
		case "SelectedOption":
			in.SelectedOption = v
		case "SelectedUser":
			in.SelectedUser = v
		case "SelectedConversation":
			in.SelectedConversation = v
		case "SelectedChannel":
			in.SelectedChannel = v
		case "SelectedDate":
			in.SelectedDate = v
		case "SelectedTime":
			in.SelectedTime = v
		case "SelectedDateTime":
			secs, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return in, fmt.Errorf("slackdouble: a datetimepicker takes Unix seconds, not %q", v)
			}
			in.SelectedDateTime = secs
		case "Value":
			in.Value = &v
		default:
			return in, fmt.Errorf("slackdouble: cannot select a single value in a %s", typ)
		}
		return in, nil
	}}
}

// buildActionLocked finds the element the user acts on and renders the
// action object, plus state overrides for a stateful element.
func (s *Server) buildActionLocked(blocks []any, actionID string, ch choice) (map[string]any, map[string]map[string]InputValue, error) {
	var cands []target
	for _, t := range findTargets(blocks, actionID) {
		isButton := t.el["type"] == "button"
		if isButton != ch.button {
			continue
		}
		if ch.button && len(ch.values) > 0 && t.el["value"] != ch.values[0] {
			continue
		}
		cands = append(cands, t)
	}
	switch {
	case len(cands) == 0 && ch.button:
		return nil, nil, fmt.Errorf("slackdouble: no button with action_id %q%s on this surface", actionID, valueNote(ch.values))
	case len(cands) == 0:
		return nil, nil, fmt.Errorf("slackdouble: no selectable element with action_id %q on this surface", actionID)
	case len(cands) > 1:
		return nil, nil, fmt.Errorf("slackdouble: %d elements share action_id %q; pass a value to pick one", len(cands), actionID)
	}
	t := cands[0]
	typ, _ := t.el["type"].(string)
	if ch.button {
		act := map[string]any{"type": "button", "action_id": actionID, "block_id": t.blockID, "text": t.el["text"], "action_ts": s.actionTS()}
		for _, k := range []string{"value", "style", "url"} {
			if v, ok := t.el[k]; ok {
				act[k] = v
			}
		}
		return act, nil, nil
	}
	in, err := ch.input(typ, ch.raw)
	if err != nil {
		return nil, nil, err
	}
	act, err := s.elementStateLocked(t.el, in)
	if err != nil {
		return nil, nil, err
	}
	act["action_id"], act["block_id"], act["action_ts"] = actionID, t.blockID, s.actionTS()
	for _, k := range []string{"placeholder", "initial_option", "initial_user", "initial_date", "initial_time"} {
		if v, ok := t.el[k]; ok {
			act[k] = v
		}
	}
	var over map[string]map[string]InputValue
	if stateful(typ) {
		over = map[string]map[string]InputValue{t.blockID: {actionID: in}}
	}
	return act, over, nil
}

func valueNote(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return fmt.Sprintf(" and value %q", v[0])
}

func decodeBlocks(raw json.RawMessage) []any {
	if len(raw) == 0 {
		return nil
	}
	v, err := decodeGeneric(raw)
	if err != nil {
		return nil
	}
	arr, _ := v.([]any)
	return arr
}

// ClickButton presses a button on a channel message, thread reply, or an
// ephemeral message shown to the user. value picks among buttons that share
// the action_id. It fails when no such button is on screen.
func (s *Server) ClickButton(ctx context.Context, userID, channelID, messageTS, actionID string, value ...string) (Ack, error) {
	return s.messageAction(ctx, userID, channelID, messageTS, actionID, clickChoice(value))
}

// SelectOption chooses a value in a message element: an option value for a
// static_select, overflow or radio_buttons; a user, conversation or channel
// id for the matching select; a date or time for a picker (Unix seconds for a
// datetimepicker). It fails when the option does not exist.
func (s *Server) SelectOption(ctx context.Context, userID, channelID, messageTS, actionID, optionValue string) (Ack, error) {
	return s.messageAction(ctx, userID, channelID, messageTS, actionID, selectChoice(optionValue))
}

func (s *Server) messageAction(ctx context.Context, userID, channelID, messageTS, actionID string, ch choice) (Ack, error) {
	s.mu.Lock()
	payload, err := s.messageActionPayloadLocked(userID, channelID, messageTS, actionID, ch)
	s.mu.Unlock()
	if err != nil {
		return Ack{}, err
	}
	return s.deliver(ctx, newEnvelope("interactive", payload))
}

func (s *Server) messageActionPayloadLocked(userID, channelID, messageTS, actionID string, ch choice) (map[string]any, error) {
	user, err := s.userRefLocked(userID)
	if err != nil {
		return nil, err
	}
	c := s.userChannelLocked(channelID)
	if c == nil {
		return nil, fmt.Errorf("slackdouble: unknown channel %s", channelID)
	}
	var (
		blocks   json.RawMessage
		threadTS string
		message  map[string]any
	)
	m := c.find(messageTS)
	eph := s.ephemeralLocked(userID, channelID, messageTS)
	switch {
	case m != nil:
		blocks, threadTS, message = m.Blocks, m.ThreadTS, s.messageJSON(m)
	case eph != nil:
		blocks, threadTS = eph.Blocks, eph.ThreadTS
	default:
		return nil, fmt.Errorf("slackdouble: user %s sees no message %s in %s", userID, messageTS, channelID)
	}
	decoded := decodeBlocks(blocks)
	act, over, err := s.buildActionLocked(decoded, actionID, ch)
	if err != nil {
		return nil, err
	}
	state, err := s.stateValuesLocked(decoded, false, over)
	if err != nil {
		return nil, err
	}
	container := map[string]any{"type": "message", "message_ts": messageTS, "channel_id": c.ID, "is_ephemeral": eph != nil && m == nil}
	if threadTS != "" {
		container["thread_ts"] = threadTS
	}
	payload := map[string]any{
		"type":                  "block_actions",
		"token":                 verificationToken,
		"api_app_id":            s.opts.AppID,
		"team":                  s.teamJSON(),
		"user":                  user,
		"is_enterprise_install": false,
		"enterprise":            nil,
		"container":             container,
		"channel":               map[string]any{"id": c.ID, "name": channelName(c)},
		"trigger_id":            s.newTriggerLocked(userID),
		"response_url":          s.newResponseURLLocked(c.ID, userID, messageTS, threadTS, m == nil),
		"state":                 map[string]any{"values": state},
		"actions":               []any{act},
	}
	if message != nil {
		payload["message"] = message
	}
	return payload, nil
}

// ClickHomeButton presses a button in the user's published App Home view.
func (s *Server) ClickHomeButton(ctx context.Context, userID, actionID string, value ...string) (Ack, error) {
	return s.viewAction(ctx, userID, "", actionID, clickChoice(value))
}

// SelectHomeOption chooses a value in an App Home element (see SelectOption).
func (s *Server) SelectHomeOption(ctx context.Context, userID, actionID, optionValue string) (Ack, error) {
	return s.viewAction(ctx, userID, "", actionID, selectChoice(optionValue))
}

// ClickViewButton presses a button in the user's top open modal.
func (s *Server) ClickViewButton(ctx context.Context, userID, viewID, actionID string, value ...string) (Ack, error) {
	return s.viewAction(ctx, userID, viewID, actionID, clickChoice(value))
}

// SelectViewOption chooses a value in an element of the user's top open
// modal (see SelectOption); in an input block the element must set
// dispatch_action for Slack to send the action.
func (s *Server) SelectViewOption(ctx context.Context, userID, viewID, actionID, optionValue string) (Ack, error) {
	return s.viewAction(ctx, userID, viewID, actionID, selectChoice(optionValue))
}

// viewAction acts on the home view (viewID "") or an open modal.
func (s *Server) viewAction(ctx context.Context, userID, viewID, actionID string, ch choice) (Ack, error) {
	s.mu.Lock()
	payload, err := s.viewActionPayloadLocked(userID, viewID, actionID, ch)
	s.mu.Unlock()
	if err != nil {
		return Ack{}, err
	}
	return s.deliver(ctx, newEnvelope("interactive", payload))
}

func (s *Server) viewActionPayloadLocked(userID, viewID, actionID string, ch choice) (map[string]any, error) {
	user, err := s.userRefLocked(userID)
	if err != nil {
		return nil, err
	}
	var v *view
	if viewID == "" {
		v = s.ws.homes[userID]
		if v == nil {
			return nil, fmt.Errorf("slackdouble: user %s has no published home view", userID)
		}
	} else if v, err = s.topViewLocked(userID, viewID); err != nil {
		return nil, err
	}
	blocks := v.blocks()
	if !ch.button {
		for _, t := range findTargets(blocks, actionID) {
			if b := blockOf(blocks, t.blockID); b["type"] == "input" && b["dispatch_action"] != true {
				return nil, fmt.Errorf("slackdouble: input %q does not set dispatch_action, so Slack sends no action", t.blockID)
			}
		}
	}
	act, over, err := s.buildActionLocked(blocks, actionID, ch)
	if err != nil {
		return nil, err
	}
	state, err := s.stateValuesLocked(blocks, false, over)
	if err != nil {
		return nil, err
	}
	stateObj := map[string]any{"values": state}
	return map[string]any{
		"type":                  "block_actions",
		"token":                 verificationToken,
		"api_app_id":            s.opts.AppID,
		"team":                  s.teamJSON(),
		"user":                  user,
		"is_enterprise_install": false,
		"enterprise":            nil,
		"container":             map[string]any{"type": "view", "view_id": v.id},
		"trigger_id":            s.newTriggerLocked(userID),
		"view":                  s.viewJSON(v, stateObj),
		"state":                 stateObj,
		"actions":               []any{act},
	}, nil
}

func blockOf(blocks []any, blockID string) map[string]any {
	i := slices.IndexFunc(blocks, func(b any) bool {
		bm, _ := b.(map[string]any)
		return bm["block_id"] == blockID
	})
	if i < 0 {
		return nil
	}
	bm, _ := blocks[i].(map[string]any)
	return bm
}
