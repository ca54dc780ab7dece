package handlers

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// Action and callback IDs of approval requests.
const (
	actReqApprove = "request.approve"
	actReqReject  = "request.reject"
	actReqChanges = "request.changes"

	cbReqPick    = "request.pick"
	cbReqNew     = "request.new"
	cbReqComment = "request.comment"

	fReqType    = "req_type"
	fReqSummary = "req_summary"
	fReqComment = "req_comment"
)

// fieldBlock is the block (and action) ID of a request field's input.
func fieldBlock(name string) string { return "rf_" + name }

// reqMeta travels in a request modal's private_metadata.
type reqMeta struct {
	Type      string `json:"t,omitempty"`
	ChannelID string `json:"c,omitempty"`
	Number    int64  `json:"n,omitempty"`
	Step      int    `json:"s,omitempty"`
	Action    string `json:"a,omitempty"`
}

func (m reqMeta) encode() string {
	b, _ := json.Marshal(m)
	return string(b)
}

func decodeReqMeta(s string) (reqMeta, error) {
	var m reqMeta
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return m, baton.Errorf(baton.EInvalid, "This form is out of date. Close it and start again.")
	}
	return m, nil
}

func reqModal(callbackID, title, submit string, meta reqMeta, blocks ...slack.Block) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackID,
		Title:           plain(clip(title, 24)),
		Submit:          plain(submit),
		Close:           plain("Cancel"),
		PrivateMetadata: meta.encode(),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// pickTypeModal lets the person choose which request to make.
func pickTypeModal(p *baton.Policy, channelID string) slack.ModalViewRequest {
	var opts []*slack.OptionBlockObject
	for _, t := range p.Types {
		if len(opts) == 100 {
			break
		}
		o := slack.NewOptionBlockObject(clip(t.Name, 75), plain(clip(t.Title, 75)), nil)
		if t.Description != "" {
			o.Description = plain(clip(t.Description, 75))
		}
		opts = append(opts, o)
	}
	el := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose a kind of request"), fReqType, opts...)
	in := slack.NewInputBlock(fReqType, plain("What do you need approved?"), nil, el)
	return reqModal(cbReqPick, "New request", "Next", reqMeta{ChannelID: channelID}, in)
}

// requestFormModal is a request type's form: one input per field, then free text.
func requestFormModal(t *baton.RequestType, channelID string) slack.ModalViewRequest {
	blocks := make([]slack.Block, 0, len(t.Fields)+1)
	for _, f := range t.Fields {
		id := fieldBlock(f.Name)
		var el slack.BlockElement
		switch f.Kind {
		case baton.FieldNumber:
			// Bounds are checked on submit, so the message under the field says what to write.
			el = slack.NewNumberInputBlockElement(nil, id, true)
		case baton.FieldSelect:
			opts := make([]*slack.OptionBlockObject, 0, len(f.Options))
			for _, o := range f.Options {
				opts = append(opts, slack.NewOptionBlockObject(o, plain(o), nil))
			}
			el = slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose"), id, opts...)
		case baton.FieldDate:
			el = slack.NewDatePickerBlockElement(id)
		case baton.FieldUser:
			el = slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Choose a person"), id)
		default:
			txt := slack.NewPlainTextInputBlockElement(nil, id)
			txt.Multiline = f.Kind == baton.FieldLongText
			txt.MaxLength = baton.MaxTextLen
			if txt.Multiline {
				txt.MaxLength = baton.MaxLongTextLen
			}
			el = txt
		}
		label := f.Label
		switch {
		case f.Currency != "":
			label += " (" + f.Currency + ")"
		case f.Unit != "":
			label += " (" + f.Unit + ")"
		}
		var hint *slack.TextBlockObject
		if f.Help != "" {
			hint = plain(clip(f.Help, 2000))
		}
		in := slack.NewInputBlock(id, plain(clip(label, 2000)), hint, el)
		in.Optional = !f.Required
		blocks = append(blocks, in)
	}
	blocks = append(blocks, textInput(fReqSummary, "Anything else approvers should know", "What is it for?", "", baton.MaxLongTextLen, true, true))
	return reqModal(cbReqNew, t.Title, "Submit", reqMeta{Type: t.Name, ChannelID: channelID}, blocks...)
}

// commentModal asks for the comment of a rejection or a request for changes.
func commentModal(r baton.ApprovalRequest, step int, action string) slack.ModalViewRequest {
	title, label, submit := "Reject "+r.Ref(), "Why are you rejecting it?", "Reject"
	if action == baton.ActChanges {
		title, label, submit = "Changes to "+r.Ref(), "What should change?", "Send"
	}
	in := textInput(fReqComment, label, "The requester sees this.", "", 2000, true, false)
	return reqModal(cbReqComment, title, submit, reqMeta{Number: r.Number, Step: step, Action: action}, in)
}

// decisionValue is what a card's buttons carry: the request's number and the step the card is for.
func decisionValue(number int64, step int) string { return fmt.Sprintf("%d:%d", number, step) }

func parseDecisionValue(v string) (int64, int, error) {
	n, s, ok := strings.Cut(v, ":")
	number, err1 := strconv.ParseInt(n, 10, 64)
	step, err2 := strconv.Atoi(s)
	if !ok || err1 != nil || err2 != nil || number <= 0 || step < 0 {
		return 0, 0, baton.Errorf(baton.EInvalid, "This button is out of date. See the request with /request list pending.")
	}
	return number, step, nil
}

// requestTitle is "R-9 · Purchase".
func requestTitle(r baton.ApprovalRequest, t *baton.RequestType) string {
	name := r.Type
	if t != nil {
		name = t.Title
	}
	return r.Ref() + " · " + name
}

// valueLines lists a request's values as "*Label:* value" lines, in the type's field order.
func valueLines(r baton.ApprovalRequest, t *baton.RequestType) md.Text {
	var lines []md.Text
	if t != nil {
		for _, f := range t.Fields {
			raw, ok := r.Values[f.Name]
			if !ok {
				continue
			}
			lines = append(lines, md.F("*%s:* %s", f.Label, md.Clip(fieldValueText(&f, raw), 300)))
		}
	} else {
		for _, k := range sortedValueKeys(r.Values) {
			lines = append(lines, md.F("*%s:* %s", k, md.Clip(md.Esc(r.Values[k]), 300)))
		}
	}
	if r.Summary != "" {
		lines = append(lines, "_"+md.Clip(md.Esc(r.Summary), 500)+"_")
	}
	return md.Join(lines, "\n")
}

// fieldValueText is a stored value as people read it: a person field mentions the person.
func fieldValueText(f *baton.Field, raw string) md.Text {
	v, err := f.ParseValue(raw)
	if err != nil {
		return md.Esc(raw)
	}
	if id, ok := v.(string); ok && f.Kind == baton.FieldUser {
		return md.Mention(id)
	}
	return md.Esc(f.FormatValue(v))
}

func sortedValueKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// stepLine says where one step stands.
func stepLine(r baton.ApprovalRequest, s baton.ApprovalStep, final *baton.ApprovalAction) md.Text {
	label := capitalizeFirst(s.Label())
	switch {
	case s.Decided && final != nil && final.Step == s.Index && final.Action != baton.ActApprove:
		return md.F(":x: %s — %s by %s", label, actionWords(final.Action), md.Mention(final.Actor))
	case s.Decided:
		return md.F(":white_check_mark: %s — approved by %s", label, mentionList(s.Approved))
	case r.Status == baton.ApprovalPending && s.Index == r.CurrentStep:
		line := md.F(":hourglass_flowing_sand: %s — waiting on %s", label, mentionList(s.Approvers))
		if s.Mode == baton.ModeAll {
			line = md.F(":hourglass_flowing_sand: %s — %d of %d approved; everyone must approve (%s)", label, len(s.Approved), len(s.Approvers), mentionList(s.Approvers))
		}
		if e := escalationLine(s); e != "" {
			line += " · " + e
		}
		return line
	case r.Status == baton.ApprovalPending:
		return md.F(":white_circle: %s — then %s", label, mentionList(s.Approvers))
	}
	return md.F(":heavy_minus_sign: %s — not reached", label)
}

func actionWords(action string) string {
	switch action {
	case baton.ActApprove:
		return "approved"
	case baton.ActReject:
		return "rejected"
	case baton.ActChanges:
		return "changes requested"
	case baton.ActCancel:
		return "cancelled"
	case baton.ActAutoApprove:
		return "auto-approved"
	case baton.ActRoute:
		return "routed"
	case baton.ActSubmit:
		return "submitted"
	case baton.ActRemind:
		return "reminded"
	case baton.ActEscalate:
		return "escalated to"
	}
	return action
}

func statusEmoji(s baton.ApprovalStatus) string {
	switch s {
	case baton.ApprovalApproved:
		return ":white_check_mark:"
	case baton.ApprovalRejected:
		return ":x:"
	case baton.ApprovalChangesRequested:
		return ":leftwards_arrow_with_hook:"
	case baton.ApprovalCancelled:
		return ":no_entry_sign:"
	}
	return ":hourglass_flowing_sand:"
}

// lastDecision is the action that ended the request, when one did.
func lastDecision(trail []baton.ApprovalAction) *baton.ApprovalAction {
	for i := len(trail) - 1; i >= 0; i-- {
		switch trail[i].Action {
		case baton.ActReject, baton.ActChanges, baton.ActCancel, baton.ActAutoApprove:
			return &trail[i]
		}
	}
	return nil
}

// statusCardBlocks is the requester's card: the request and where each step stands.
func statusCardBlocks(r baton.ApprovalRequest, t *baton.RequestType, trail []baton.ApprovalAction) []slack.Block {
	final := lastDecision(trail)
	head := md.F("%s *%s* — %s", statusEmoji(r.Status), requestTitle(r, t), r.Status.Words())
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(head), nil, nil, slack.SectionBlockOptionBlockID("req_head"))}
	if v := valueLines(r, t); v != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(md.Clip(v, 3000)), nil, nil, slack.SectionBlockOptionBlockID("req_values")))
	}
	var lines []md.Text
	for _, s := range r.Steps {
		lines = append(lines, stepLine(r, s, final))
	}
	if final != nil && final.Comment != "" && final.Action != baton.ActAutoApprove {
		lines = append(lines, md.F("%s said: “%s”", md.Mention(final.Actor), md.Clip(md.Esc(final.Comment), 1000)))
	}
	if r.Status == baton.ApprovalApproved && len(r.Steps) == 0 {
		lines = append(lines, ":white_check_mark: Approved automatically.")
	}
	if len(lines) > 0 {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(md.Clip(md.Join(lines, "\n"), 3000)), nil, nil, slack.SectionBlockOptionBlockID("req_steps")))
	}
	blocks = append(blocks, slack.NewContextBlock("req_why", mrkdwn(md.Clip(md.WithMentions(r.Explanation), 2000))))
	return blocks
}

func statusCardText(r baton.ApprovalRequest, t *baton.RequestType) md.Text {
	return md.F("%s — %s", requestTitle(r, t), r.Status.Words())
}

// approverCardBlocks is one approver's card for one step: the request, why it came to them, and the
// buttons while they can still act on it.
func approverCardBlocks(r baton.ApprovalRequest, t *baton.RequestType, step int, approver string, trail []baton.ApprovalAction) []slack.Block {
	s := r.Steps[step]
	head := md.F("*%s* from %s needs your approval (%s)", requestTitle(r, t), md.Mention(r.RequesterID), s.Label())
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(head), nil, nil, slack.SectionBlockOptionBlockID("req_head"))}
	if v := valueLines(r, t); v != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(md.Clip(v, 3000)), nil, nil, slack.SectionBlockOptionBlockID("req_values")))
	}
	blocks = append(blocks, slack.NewContextBlock("req_why", mrkdwn(md.Clip("Why you: "+md.WithMentions(r.Explanation), 2000))))
	final := lastDecision(trail)
	open := r.Status == baton.ApprovalPending && r.CurrentStep == step && !slices.Contains(s.Approved, approver)
	var state md.Text
	switch {
	case final != nil && final.Step == step && final.Action != baton.ActAutoApprove:
		state = md.F("%s %s by %s.", statusEmoji(r.Status), capitalizeFirst(actionWords(final.Action)), md.Mention(final.Actor))
		if final.Comment != "" {
			state += md.F(" “%s”", md.Clip(md.Esc(final.Comment), 1000))
		}
	case s.Decided:
		state = md.F(":white_check_mark: Approved by %s.", mentionList(s.Approved))
		if r.Status == baton.ApprovalApproved && step == len(r.Steps)-1 {
			state += " The request is approved."
		} else if r.Status == baton.ApprovalPending {
			state += md.F(" It moved on to %s.", r.Steps[r.CurrentStep].Label())
		}
	case s.Mode == baton.ModeAll:
		state = md.F(":hourglass_flowing_sand: %d of %d approved", len(s.Approved), len(s.Approvers))
		if len(s.Approved) > 0 {
			state += " (" + mentionList(s.Approved) + ")"
		}
		state += "; everyone must approve."
	}
	if e := escalationWords(s, "Escalated"); e != "" && r.Status == baton.ApprovalPending && r.CurrentStep == step {
		if state != "" {
			state += " "
		}
		state += ":arrow_double_up: " + e + "."
		if s.Mode == baton.ModeAll {
			state += md.F(" An approval by %s alone is enough.", mentionList(s.EscalatedTo))
		}
	}
	if state != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(state), nil, nil, slack.SectionBlockOptionBlockID("req_state")))
	}
	if open {
		v := decisionValue(r.Number, step)
		approve := slack.NewButtonBlockElement(actReqApprove, v, plain("Approve"))
		approve.Style = slack.StylePrimary
		reject := slack.NewButtonBlockElement(actReqReject, v, plain("Reject"))
		reject.Style = slack.StyleDanger
		changes := slack.NewButtonBlockElement(actReqChanges, v, plain("Ask for changes"))
		blocks = append(blocks, slack.NewActionBlock("req_actions", approve, reject, changes))
	}
	return blocks
}

func approverCardText(r baton.ApprovalRequest, t *baton.RequestType) md.Text {
	return md.F("%s from %s needs your approval", requestTitle(r, t), md.Mention(r.RequesterID))
}

// trailLines is a request's history, one line per action.
func trailLines(r baton.ApprovalRequest, trail []baton.ApprovalAction) md.Text {
	var b md.Text
	for _, a := range trail {
		b += md.F("• %s %s %s", md.Date(a.At, "{date_short_pretty} at {time}"), trailActor(a), actionWords(a.Action))
		if a.Action == baton.ActRemind || a.Action == baton.ActEscalate {
			b += " " + trailPeople(a)
		}
		if a.Action != baton.ActSubmit && a.Action != baton.ActRoute && a.Action != baton.ActAutoApprove && a.Step < len(r.Steps) {
			b += md.F(" (%s)", r.Steps[a.Step].Label())
		}
		if a.Comment != "" && a.Action != baton.ActRoute && a.Action != baton.ActRemind && a.Action != baton.ActEscalate {
			b += md.F(": “%s”", md.Clip(md.Esc(a.Comment), 300))
		}
		b += "\n"
	}
	return b
}

// requestLine is one request in a list.
func requestLine(r baton.ApprovalRequest, t *baton.RequestType) md.Text {
	line := md.F("%s *%s* from %s, %s — %s", statusEmoji(r.Status), requestTitle(r, t), md.Mention(r.RequesterID), md.Date(r.CreatedAt, "{date_short_pretty}"), r.Status.Words())
	if s, ok := r.Step(); ok {
		line += md.F(" · %s", s.Label())
	}
	return line
}

// mentionList mentions each person: "<@U1>, <@U2>".
func mentionList(ids []string) md.Text {
	parts := make([]md.Text, len(ids))
	for i, id := range ids {
		parts[i] = md.Mention(id)
	}
	return md.Join(parts, ", ")
}

func capitalizeFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
