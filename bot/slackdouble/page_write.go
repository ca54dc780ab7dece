package slackdouble

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// pageActTimeout bounds one thing a person does on the page: the envelope, its ack, and what
// the double does with the ack.
const pageActTimeout = 15 * time.Second

// pageClockTimeout bounds one move of the clock, with everything that comes due on the way.
const pageClockTimeout = 10 * time.Minute

// pageRequest is the body of every POST from the page; each action reads the fields it needs.
type pageRequest struct {
	As       string `json:"as"`
	Channel  string `json:"channel"`
	TS       string `json:"ts"`
	ThreadTS string `json:"thread_ts"`
	Text     string `json:"text"`
	Surface  string `json:"surface"`
	ViewID   string `json:"view_id"`
	ActionID string `json:"action_id"`
	Kind     string `json:"kind"`
	Value    string `json:"value"`
	// Values is the options chosen in a multi-select (action), or a modal's inputs (submit):
	// block_id → action_id → pageInput.
	Values     json.RawMessage `json:"values"`
	CallbackID string          `json:"callback_id"`
	Name       string          `json:"name"`
	Move       string          `json:"move"`
}

// pageInput is what a person entered in one input of a modal.
type pageInput struct {
	Value                 *string  `json:"value"`
	SelectedOption        string   `json:"selected_option"`
	SelectedOptions       []string `json:"selected_options"`
	SelectedUser          string   `json:"selected_user"`
	SelectedUsers         []string `json:"selected_users"`
	SelectedConversation  string   `json:"selected_conversation"`
	SelectedConversations []string `json:"selected_conversations"`
	SelectedChannel       string   `json:"selected_channel"`
	SelectedChannels      []string `json:"selected_channels"`
	SelectedDate          string   `json:"selected_date"`
	SelectedTime          string   `json:"selected_time"`
	SelectedDateTime      int64    `json:"selected_date_time"`
	Clear                 bool     `json:"clear"`
}

func (in pageInput) value() InputValue {
	return InputValue{Value: in.Value, SelectedOption: in.SelectedOption, SelectedOptions: in.SelectedOptions,
		SelectedUser: in.SelectedUser, SelectedUsers: in.SelectedUsers,
		SelectedConversation: in.SelectedConversation, SelectedConversations: in.SelectedConversations,
		SelectedChannel: in.SelectedChannel, SelectedChannels: in.SelectedChannels,
		SelectedDate: in.SelectedDate, SelectedTime: in.SelectedTime, SelectedDateTime: in.SelectedDateTime, Clear: in.Clear}
}

func (p *page) post(w http.ResponseWriter, r *http.Request) {
	var req pageRequest
	if err := decodeBody(r, &req); err != nil {
		p.replyError(w, err)
		return
	}
	if err := p.checkPerson(req.As); err != nil {
		p.replyError(w, err)
		return
	}
	act, ok := map[string]func(context.Context, pageRequest) (map[string]any, error){
		"home_opened": p.homeOpened,
		"send":        p.send,
		"action":      p.action,
		"submit":      p.submit,
		"close":       p.close,
		"shortcut":    p.shortcut,
		"react":       p.react,
		"clock":       p.moveClock,
	}[r.PathValue("action")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	base, timeout := r.Context(), pageActTimeout
	if r.PathValue("action") == "clock" {
		// A move half done would leave the clock where it stopped: it finishes even when the
		// page that asked is closed.
		base, timeout = context.WithoutCancel(base), pageClockTimeout
	}
	ctx, cancel := context.WithTimeout(base, timeout)
	defer cancel()
	out, err := act(ctx, req)
	if err != nil {
		p.replyError(w, ackProblem(err))
		return
	}
	if out == nil {
		out = map[string]any{}
	}
	if _, said := out["ok"]; !said {
		out["ok"] = true
	}
	reply(w, out)
}

// ackProblem says what a person would have seen in Slack when Baton's answer went wrong.
func ackProblem(err error) error {
	switch {
	case errors.Is(err, ErrLateAck):
		return pageError{"Baton did not answer within 3 seconds, so Slack would have shown you an error. Try again; the inspector shows the envelope."}
	case errors.Is(err, ErrAckDropped):
		return pageError{"Baton's answer was too large for Slack, which would have shown you an error. The inspector shows it."}
	case errors.Is(err, ErrNoConnection):
		return pageError{"Baton is not connected to this workspace right now. Wait a moment and try again."}
	case errors.Is(err, context.DeadlineExceeded):
		return pageError{"Baton did not answer in time. Try again; if it keeps happening, look at its log."}
	}
	return err
}

func (p *page) homeOpened(ctx context.Context, req pageRequest) (map[string]any, error) {
	_, _, err := p.s.AppHomeOpened(ctx, req.As)
	return nil, err
}

// send is what a person types in a composer: a slash command, or a message (in a thread with thread_ts).
func (p *page) send(ctx context.Context, req pageRequest) (map[string]any, error) {
	// The text is kept as typed; only the test for a command and for nothing at all trims it.
	text, trimmed := req.Text, strings.TrimSpace(req.Text)
	if trimmed == "" {
		return nil, pageError{"Type a message or a command first."}
	}
	p.s.mu.Lock()
	c, err := p.visibleLocked(req.As, req.Channel)
	p.s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if cmd, ok := strings.CutPrefix(trimmed, "/"); ok {
		name, args := cmd, ""
		if i := strings.IndexFunc(cmd, unicode.IsSpace); i >= 0 {
			name, args = cmd[:i], cmd[i:]
		}
		name = "/" + name
		if !slices.ContainsFunc(p.opts.Commands, func(c PageCommand) bool { return c.Command == name }) {
			return nil, pageError{fmt.Sprintf("%s is not a command here. Baton's are %s.", name, p.commandNames())}
		}
		if req.ThreadTS != "" {
			return nil, pageError{"Slash commands can't be used in threads; use the channel's composer."}
		}
		_, err := p.s.SlashCommand(ctx, SlashCommand{UserID: req.As, ChannelID: c.ID, Command: name, Text: strings.TrimSpace(args)})
		return nil, err
	}
	if utf8.RuneCountInString(text) > maxPostText {
		return nil, pageError{fmt.Sprintf("That message is longer than Slack takes (%d characters); shorten it.", maxPostText)}
	}
	p.s.mu.Lock()
	if req.ThreadTS != "" && c.find(req.ThreadTS) == nil {
		p.s.mu.Unlock()
		return nil, pageError{"The thread you are answering is no longer there."}
	}
	m, e := p.s.appendMessageLocked(c, req.As, "", text, nil, req.ThreadTS)
	if e != nil {
		p.s.mu.Unlock()
		return nil, pageError{"Slack would not take that message (" + e.code + ")."}
	}
	p.s.notifyLocked()
	ev := map[string]any{"user": req.As, "text": text, "channel": c.ID, "ts": m.TS, "channel_type": channelType(c)}
	if m.ThreadTS != "" {
		ev["thread_ts"] = m.ThreadTS // the thread's parent, also when answering a reply
	}
	hears := c.im || c.BotIsMember
	p.s.mu.Unlock()
	if hears {
		// Slack tells an app of messages only where it is.
		_, _, err = p.s.SendEvent(ctx, "message", ev)
	}
	return map[string]any{"ts": m.TS}, err
}

func channelType(c *channelState) string {
	switch {
	case c.im:
		return "im"
	case c.Private:
		return "group"
	}
	return "channel"
}

func (p *page) commandNames() string {
	names := make([]string, len(p.opts.Commands))
	for i, c := range p.opts.Commands {
		names[i] = c.Command
	}
	return strings.Join(names, ", ")
}

// action is a Block Kit element used on a message, the Home tab or a modal.
func (p *page) action(ctx context.Context, req pageRequest) (map[string]any, error) {
	if req.ActionID == "" {
		return nil, pageError{"The page sent an action without its element; reload the page."}
	}
	var ch choice
	switch {
	case req.Kind == "click" && req.Value != "":
		ch = clickChoice([]string{req.Value})
	case req.Kind == "click":
		ch = clickChoice(nil)
	case req.Kind == "select" && len(req.Values) > 0 && string(req.Values) != "null":
		var values []string
		if err := json.Unmarshal(req.Values, &values); err != nil {
			return nil, pageError{"The page sent choices this workspace cannot read; reload the page."}
		}
		ch = multiChoice(values)
	case req.Kind == "select":
		ch = selectChoice(req.Value)
	default:
		return nil, pageError{"The page sent an action this workspace does not know; reload the page."}
	}
	var err error
	switch req.Surface {
	case "message":
		p.s.mu.Lock()
		_, err = p.visibleLocked(req.As, req.Channel)
		p.s.mu.Unlock()
		if err == nil {
			_, err = p.s.messageAction(ctx, req.As, req.Channel, req.TS, req.ActionID, ch)
		}
	case "home":
		_, err = p.s.viewAction(ctx, req.As, "", req.ActionID, ch)
	case "modal":
		if req.ViewID == "" {
			return nil, pageError{"The page sent a modal action without its modal; reload the page."}
		}
		_, err = p.s.viewAction(ctx, req.As, req.ViewID, req.ActionID, ch)
	default:
		return nil, pageError{"The page sent an action on an unknown surface; reload the page."}
	}
	return nil, err
}

// multiChoice sets the values of a multi-select or checkboxes outside an input block.
func multiChoice(values []string) choice {
	return choice{raw: strings.Join(values, ","), input: func(typ, _ string) (InputValue, error) {
		var in InputValue
		switch fieldFor[typ] {
		case "SelectedOptions":
			in.SelectedOptions = values
		case "SelectedUsers":
			in.SelectedUsers = values
		case "SelectedConversations":
			in.SelectedConversations = values
		case "SelectedChannels":
			in.SelectedChannels = values
		default:
			return in, fmt.Errorf("slackdouble: cannot select several values in a %s", typ)
		}
		return in, nil
	}}
}

// submit sends a modal's inputs. Field errors from Baton come back keyed by input block.
func (p *page) submit(ctx context.Context, req pageRequest) (map[string]any, error) {
	var inputs map[string]map[string]pageInput
	if len(req.Values) > 0 {
		if err := json.Unmarshal(req.Values, &inputs); err != nil {
			return nil, pageError{"The page sent a form this workspace cannot read; reload the page."}
		}
	}
	values := make(map[string]map[string]InputValue, len(inputs))
	for blockID, row := range inputs {
		values[blockID] = make(map[string]InputValue, len(row))
		for actionID, in := range row {
			values[blockID][actionID] = in.value()
		}
	}
	if _, err := p.s.SubmitView(ctx, req.As, req.ViewID, values); err != nil {
		if errors.Is(err, ErrViewErrors) {
			return nil, pageError{"Baton answered with errors for fields this form does not have, so Slack would have shown a generic failure. The inspector shows the answer."}
		}
		return nil, err
	}
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	for _, v := range p.s.ws.stacks[req.As] {
		if v.id == req.ViewID && len(v.errors) > 0 {
			return map[string]any{"ok": false, "errors": v.errors}, nil
		}
	}
	return nil, nil
}

func (p *page) close(ctx context.Context, req pageRequest) (map[string]any, error) {
	_, err := p.s.CloseView(ctx, req.As, req.ViewID)
	return nil, err
}

func (p *page) shortcut(ctx context.Context, req pageRequest) (map[string]any, error) {
	if !slices.ContainsFunc(p.opts.Shortcuts, func(s PageShortcut) bool { return s.CallbackID == req.CallbackID }) {
		return nil, pageError{"That shortcut is not one of Baton's; reload the page."}
	}
	p.s.mu.Lock()
	_, err := p.visibleLocked(req.As, req.Channel)
	p.s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	_, err = p.s.MessageShortcut(ctx, req.As, req.Channel, req.TS, req.CallbackID)
	return nil, err
}

// pageReactions are the reactions the page offers.
var pageReactions = []string{"eyes", "white_check_mark"}

// react adds a person's reaction to a message and tells the bot, as Slack's reaction_added does.
func (p *page) react(ctx context.Context, req pageRequest) (map[string]any, error) {
	if !slices.Contains(pageReactions, req.Name) {
		return nil, pageError{"Only 👀 and ✅ can be added here."}
	}
	p.s.mu.Lock()
	c, err := p.visibleLocked(req.As, req.Channel)
	if err != nil {
		p.s.mu.Unlock()
		return nil, err
	}
	m := c.find(req.TS)
	if m == nil {
		p.s.mu.Unlock()
		return nil, pageError{"That message is no longer there."}
	}
	mine := UserReaction{Name: req.Name, User: req.As}
	if slices.Contains(m.ReactedBy, mine) {
		p.s.mu.Unlock()
		return nil, nil
	}
	m.ReactedBy = append(m.ReactedBy, mine)
	p.s.notifyLocked()
	ev := map[string]any{"user": req.As, "reaction": req.Name, "item_user": m.User,
		"item": map[string]any{"type": "message", "channel": c.ID, "ts": m.TS}}
	hears := c.im || c.BotIsMember
	p.s.mu.Unlock()
	if !hears {
		return nil, nil
	}
	_, _, err = p.s.SendEvent(ctx, "reaction_added", ev)
	return nil, err
}
