package handlers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// exportLimit bounds how many requests one export holds.
const exportLimit = 5000

// exportRequests is /request export [from] [to]: a CSV of requests and their trails, uploaded to the
// person's direct messages with Baton. Admins get every request of the workspace; anyone else the
// requests they filed or acted on.
func (h *Handlers) exportRequests(ctx context.Context, r *bot.Request, text string) {
	me, err := h.actor(ctx, r)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	rng, err := baton.ParseExportRange(text, me.Loc, h.now())
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	who, whose := me.ID, "you filed or acted on"
	if me.IsAdmin {
		who, whose = "", "of the workspace"
	}
	reqs, trails, err := h.approvalLists.ExportRequests(ctx, r.TeamID, who, rng.Start, rng.End, exportLimit+1)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	if len(reqs) == 0 {
		h.reply(ctx, r, md.F(":page_facing_up: No requests %s were created from %s to %s, so there is nothing to export. Try other dates: `/request export 2026-01-01 2026-06-30`.", whose, rng.From, rng.To))
		return
	}
	cut := len(reqs) > exportLimit
	if cut {
		reqs = reqs[:exportLimit]
	}
	events := 0
	for _, req := range reqs {
		events += len(trails[req.ID])
	}
	// The comment is the text of the message the file is shared with: mrkdwn, as Slack reads it.
	comment := exportComment(whose, rng, len(reqs), events, cut)
	f := bot.FileUpload{Filename: exportName(rng.From, rng.To), Title: fmt.Sprintf("Requests %s to %s", rng.From, rng.To), Comment: comment,
		Content: exportCSV(reqs, trails, h.exportNames(ctx, reqs, trails))}
	ch, err := h.slack.OpenDM(ctx, me.ID)
	if err == nil {
		_, err = h.slack.UploadFile(ctx, ch, f)
	}
	if err != nil {
		h.fail(ctx, r, fmt.Errorf("upload the export of requests: %w", err))
		return
	}
	h.reply(ctx, r, md.F(":page_facing_up: Sent: %s with %s, in your direct messages with Baton.", plural(len(reqs), "request"), plural(events, "event")))
}

// exportComment is the message an export is shared with.
func exportComment(whose string, rng baton.ExportRange, requests, events int, cut bool) md.Text {
	var note md.Text
	if cut {
		note = md.F(" Only the first %d are in it; export a shorter range for the rest.", exportLimit)
	}
	return md.F(":page_facing_up: Requests %s created from %s to %s (your time zone): %s, %s, one row per event of each request's trail; times are in UTC.%s",
		whose, rng.From, rng.To, plural(requests, "request"), plural(events, "event"), note)
}

// exportNames looks up the names of everyone an export mentions.
func (h *Handlers) exportNames(ctx context.Context, reqs []baton.ApprovalRequest, trails map[int64][]baton.ApprovalAction) map[string]string {
	var ids []string
	for _, req := range reqs {
		ids = append(ids, req.RequesterID)
		for _, a := range trails[req.ID] {
			ids = append(ids, a.Actor)
			if a.Action == baton.ActRemind || a.Action == baton.ActEscalate {
				ids = append(ids, strings.Split(a.Comment, ",")...)
			}
		}
	}
	return h.names(ctx, ids)
}

// names looks up the names of people for a file, by user ID. A person Slack can't tell us about is
// left out and shows as their ID.
func (h *Handlers) names(ctx context.Context, ids []string) map[string]string {
	slices.Sort(ids)
	names := map[string]string{}
	for _, id := range slices.Compact(ids) {
		if id == "" || id == baton.ActorBaton {
			continue
		}
		p, err := h.people.Get(ctx, id)
		if err != nil {
			h.logger(ctx).WarnContext(ctx, "name not found for a file", "user_id", id, "err", err)
			continue
		}
		names[id] = p.Name
	}
	return names
}
