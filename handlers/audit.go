package handlers

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

const auditHelp = "`/baton audit [@ana]` — who looked at whose record and who simulated what: the workspace's for admins, who looked at yours for anyone"

// auditShown is how many audit events /baton audit lists.
const auditShown = 30

// auditCommand is /baton audit [@ana]: admins read the workspace's audit trail, or one person's;
// anyone reads who looked at their own record.
func (h *Handlers) auditCommand(ctx context.Context, r *bot.Request, me Person, text string) error {
	subject := ""
	if text = strings.TrimSpace(text); text != "" {
		ref, ok := baton.ParseUserRef(text)
		if !ok {
			return baton.Errorf(baton.EInvalid, "%q isn't a person. Try %s", clip(baton.UnescapeSlack(text), 40), auditHelp)
		}
		p, err := h.people.Resolve(ctx, ref)
		if err != nil {
			return err
		}
		subject = p.ID
	}
	if !me.IsAdmin {
		if subject != "" && subject != me.ID {
			return baton.Errorf(baton.EForbidden, "Only workspace admins can read who looked at someone else's record. `/baton audit` shows who looked at yours.")
		}
		subject = me.ID
	}
	events, err := h.records.AuditEvents(ctx, r.TeamID, subject, auditShown)
	if err != nil {
		return err
	}
	out := auditText(events, subject, me.ID)
	h.reply(ctx, r, out, slack.NewSectionBlock(mrkdwn(out), nil, nil, slack.SectionBlockOptionBlockID("audit")))
	return nil
}

// auditText lists audit events, newest first.
func auditText(events []baton.AuditEvent, subject, me string) md.Text {
	var title md.Text
	switch {
	case subject == me:
		title = "*Who looked at your record*"
	case subject != "":
		title = md.F("*Who looked at %s's record*", md.Mention(subject))
	default:
		title = "*Audit trail* — records looked at and simulations run"
	}
	if len(events) == 0 {
		return title + "\nNobody yet."
	}
	lines := []md.Text{md.F("%s (the latest %d)", title, len(events))}
	for _, e := range events {
		var what md.Text
		switch e.Kind {
		case baton.AuditRecordView:
			what = md.F("looked at %s's record", md.Mention(e.SubjectID))
		case baton.AuditAuthoritySimulate:
			what = md.F("simulated authority for %s", md.Mention(e.SubjectID))
		default:
			what = "simulated the approval policy file"
		}
		line := md.F("• %s %s %s", md.Date(e.At, "{date_short_pretty} at {time}"), md.Mention(e.ActorID), what)
		if e.Detail != "" {
			line += " · " + md.Code(clip(e.Detail, 120))
		}
		lines = append(lines, line)
	}
	return md.Clip(md.Join(lines, "\n"), 3000)
}
