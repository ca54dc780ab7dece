package handlers

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// CheckinStore keeps check-ins: what they ask, of whom, on which schedule, and where they stand.
type CheckinStore interface {
	CreateCheckin(ctx context.Context, c baton.Checkin) (baton.Checkin, error)
	Checkin(ctx context.Context, teamID string, number int64) (baton.Checkin, error)
	CheckinByID(ctx context.Context, id int64) (baton.Checkin, error)
	CheckinsBySender(ctx context.Context, teamID, senderID string, finishedSince time.Time, limit int) ([]baton.Checkin, error)
	CountCheckinsBySender(ctx context.Context, teamID, senderID string, finishedSince time.Time) (int, error)
	MoveCheckin(ctx context.Context, teamID string, number int64, move func(c *baton.Checkin) bool) (baton.Checkin, bool, error)
	FinishCheckinIfDone(ctx context.Context, checkinID int64, at time.Time) (bool, error)
	MuteCheckinRecipient(ctx context.Context, checkinID int64, userID string, at time.Time) (bool, error)
	UpdateCheckin(ctx context.Context, c baton.Checkin, at time.Time) (baton.Checkin, error)
	LatestDeliveries(ctx context.Context, checkinIDs []int64) (map[int64][]baton.CheckinDelivery, error)
	CheckinMaxRecipients(ctx context.Context, teamID string) (int, error)
	SetCheckinMaxRecipients(ctx context.Context, teamID string, n int, by string) error
}

// Routes of check-ins.
const (
	cmdCheckin      = "/checkin"
	actCheckinGotIt = "checkin.got_it"
	actCheckinReply = "checkin.reply"
	actCheckinMore  = "checkin.more"
	actCheckinEdit  = "checkin.edit"
	cbCheckinNew    = "checkin.new"
	cbCheckinEdit   = "checkin.edit"
	cbCheckinReply  = "checkin.answer"
)

func (h *Handlers) registerCheckins(r *bot.Router) {
	r.Command(cmdCheckin, h.onCheckinCommand)
	r.ViewSubmission(cbCheckinNew, h.onCheckinModalSubmit)
	r.ViewSubmission(cbCheckinEdit, h.onCheckinEditSubmit)
	r.ViewSubmission(cbCheckinReply, h.onCheckinReplySubmit)
	r.Action(actCheckinEdit, h.onCheckinEditButton)
	r.Action(actCheckinGotIt, h.onCheckinGotIt)
	r.Action(actCheckinReply, h.onCheckinReplyButton)
	r.Action(actCheckinMore, h.onCheckinMore)
	r.Event("reaction_added", h.onCheckinReaction)
	if h.sched != nil {
		h.sched.Handle(jobCheckinDeliver, h.tracked(h.onCheckinDeliver))
		h.sched.Handle(jobCheckinSnooze, h.tracked(h.onCheckinSnoozeEnd))
		h.sched.Handle(jobCheckinRemind, h.tracked(h.onCheckinRemind))
	}
}

var checkinRefRe = regexp.MustCompile(`^(?i)#?c-(\d{1,18})$`)

// parseCheckinRef reads a short check-in ID such as C-5 (any case, an optional leading #).
func parseCheckinRef(word string) (int64, bool) {
	m := checkinRefRe.FindStringSubmatch(strings.TrimSpace(word))
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	return n, err == nil && n > 0
}

// onCheckinCommand reads /checkin: nothing opens the form; list, help, C-5, pause|resume|cancel C-5;
// anything else is the quick form.
func (h *Handlers) onCheckinCommand(ctx context.Context, r *bot.Request) {
	text := strings.TrimSpace(r.Command.Text)
	words := strings.Fields(text)
	if len(words) == 0 {
		h.openModal(ctx, r, checkinModal())
		return
	}
	first := strings.ToLower(words[0])
	switch first {
	case "help", "?":
		h.reply(ctx, r, checkinHelpText, checkinHelpBlocks("")...)
		return
	case "list", "ls":
		h.listCheckins(ctx, r)
		return
	case "pause", "resume", "cancel", "stop", "edit":
		n, ok := int64(0), len(words) == 2
		if ok {
			n, ok = parseCheckinRef(words[1])
		}
		if !ok {
			h.reply(ctx, r, checkinHelpText, checkinHelpBlocks(md.F("Say which check-in, like `/checkin %s C-5`.", first))...)
			return
		}
		if first == "edit" {
			h.openCheckinEdit(ctx, r, n)
			return
		}
		h.changeCheckinState(ctx, r, first, n)
		return
	}
	if n, ok := parseCheckinRef(words[0]); ok {
		if len(words) == 1 {
			h.showCheckin(ctx, r, n)
			return
		}
		h.reply(ctx, r, checkinHelpText, checkinHelpBlocks(checkinNotUnderstood(text))...)
		return
	}
	h.quickCheckin(ctx, r, text)
}

// checkinNotUnderstood says which /checkin text was not understood, as the person typed it.
func checkinNotUnderstood(text string) md.Text {
	return md.F("I didn't understand `/checkin %s`.", md.Clip(md.Esc(baton.UnescapeSlack(text)), 200))
}
