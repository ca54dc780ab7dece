package handlers

import (
	"encoding/json"
	"strconv"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// Callback IDs of the task modals.
const (
	cbNewTask  = "task.new"
	cbBlocked  = "task.blocked"
	cbLog      = "task.log"
	cbReassign = "task.reassign"
	cbDue      = "task.due"
)

// Input block and action IDs (a field's errors are keyed by its block ID).
const (
	fTitle       = "title"
	fOwner       = "owner"
	fDueDate     = "due_date"
	fDueTime     = "due_time"
	fDescription = "description"
	fChannel     = "channel"
	fNote        = "note"
)

// modalMeta travels in a modal's private_metadata: which task, and where the modal came from.
type modalMeta struct {
	Number    int64  `json:"n,omitempty"`
	ChannelID string `json:"c,omitempty"`
	SourceCh  string `json:"sc,omitempty"`
	SourceTS  string `json:"sts,omitempty"`
	Status    string `json:"s,omitempty"`
}

func (m modalMeta) encode() string {
	b, _ := json.Marshal(m)
	return string(b)
}

func decodeMeta(s string) (modalMeta, error) {
	var m modalMeta
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return m, baton.Errorf(baton.EInvalid, "This form is out of date. Close it and start again.")
	}
	return m, nil
}

func modal(callbackID, title, submit string, meta modalMeta, blocks ...slack.Block) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackID,
		Title:           plain(title),
		Submit:          plain(submit),
		Close:           plain("Cancel"),
		PrivateMetadata: meta.encode(),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

func textInput(blockID, label, placeholder, initial string, maxLen int, multiline, optional bool) *slack.InputBlock {
	el := slack.NewPlainTextInputBlockElement(plain(placeholder), blockID)
	el.InitialValue = initial
	el.MaxLength = maxLen
	el.Multiline = multiline
	in := slack.NewInputBlock(blockID, plain(label), nil, el)
	in.Optional = optional
	return in
}

func userInput(blockID, label, initial string) *slack.InputBlock {
	el := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Choose a person"), blockID)
	el.InitialUser = initial
	return slack.NewInputBlock(blockID, plain(label), nil, el)
}

func dueInputs(due baton.Due) []slack.Block {
	date := slack.NewDatePickerBlockElement(fDueDate)
	date.InitialDate = due.Date
	dateIn := slack.NewInputBlock(fDueDate, plain("Due date"), plain("Leave empty for no due date."), date)
	dateIn.Optional = true
	clock := slack.NewTimePickerBlockElement(fDueTime)
	clock.InitialTime = due.Time
	clockIn := slack.NewInputBlock(fDueTime, plain("Due time"), plain("Optional. In your time zone; leave empty for the end of the day."), clock)
	clockIn.Optional = true
	return []slack.Block{dateIn, clockIn}
}

// newTaskModal asks for everything a task needs. Title and channel may come prefilled (from a message).
func newTaskModal(title, description, channelID string, meta modalMeta) slack.ModalViewRequest {
	blocks := []slack.Block{
		textInput(fTitle, "Title", "What has to be done?", clip(title, baton.MaxTitleLen), baton.MaxTitleLen, false, false),
		userInput(fOwner, "Owner", ""),
	}
	blocks = append(blocks, dueInputs(baton.Due{})...)
	blocks = append(blocks, textInput(fDescription, "Description", "Context, links, what done looks like", clip(description, baton.MaxDescriptionLen), baton.MaxDescriptionLen, true, true))
	blocks = append(blocks, textInput(fTaskGoal, "Key result", "KR-7 — optional: the goal this task serves; KR-7*3 counts it three times", "", 24, false, true))
	ch := slack.NewOptionsSelectBlockElement(slack.OptTypeConversations, plain("Choose a channel"), fChannel)
	ch.InitialConversation = channelID
	ch.Filter = &slack.SelectBlockElementFilter{Include: []string{"public", "private"}}
	blocks = append(blocks, slack.NewInputBlock(fChannel, plain("Post the card in"), nil, ch))
	return modal(cbNewTask, "New task", "Create", meta, blocks...)
}

func numberMeta(n int64) modalMeta { return modalMeta{Number: n} }

func blockedModal(t baton.Task) slack.ModalViewRequest {
	v := modal(cbBlocked, "Blocked: "+clip(t.Ref(), 14), "Mark blocked", modalMeta{Number: t.Number, Status: string(baton.StatusBlocked)},
		slack.NewSectionBlock(mrkdwn(taskHeadline(t)), nil, nil, slack.SectionBlockOptionBlockID("task_title")),
		textInput(fNote, "What is blocking it?", "Waiting on legal sign-off for the contract", "", baton.MaxNoteLen, true, false),
	)
	v.NotifyOnClose = true
	return v
}

func logModal(t baton.Task) slack.ModalViewRequest {
	return modal(cbLog, "Log update", "Log", numberMeta(t.Number),
		slack.NewSectionBlock(mrkdwn(taskHeadline(t)), nil, nil, slack.SectionBlockOptionBlockID("task_title")),
		textInput(fNote, "Update", "Where things stand", "", baton.MaxNoteLen, true, false),
	)
}

func reassignModal(t baton.Task) slack.ModalViewRequest {
	return modal(cbReassign, "Reassign", "Reassign", numberMeta(t.Number),
		slack.NewSectionBlock(mrkdwn(taskHeadline(t)+"\nNow owned by "+md.Mention(t.OwnerID)), nil, nil, slack.SectionBlockOptionBlockID("task_title")),
		userInput(fOwner, "New owner", ""),
		textInput(fNote, "Note", "Why the hand-over, anything they should know", "", baton.MaxNoteLen, true, true),
	)
}

func dueModal(t baton.Task) slack.ModalViewRequest {
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(taskHeadline(t)+"\nDue: "+dueText(t.Due)), nil, nil, slack.SectionBlockOptionBlockID("task_title"))}
	blocks = append(blocks, dueInputs(t.Due)...)
	blocks = append(blocks, textInput(fNote, "Note", "Why it moves", "", baton.MaxNoteLen, true, true))
	return modal(cbDue, "Change due date", "Save", numberMeta(t.Number), blocks...)
}

func numberString(n int64) string { return strconv.FormatInt(n, 10) }
