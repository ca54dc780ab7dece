package handlers

import (
	"context"

	baton "github.com/batonhq/baton"
)

// keepLinks fills in, and keeps, the permalinks of the cards a dashboard shows that were posted
// before Baton kept each card's link with it: each is asked of Slack once, the first time it is
// shown. Cards posted since have theirs already, and a dashboard then asks Slack for nothing.
func (h *Handlers) keepLinks(ctx context.Context, d *homeData) {
	shown := map[baton.Status]int{}
	for i := range d.delegated {
		t := &d.delegated[i]
		if shown[t.Status] < homeLimit {
			shown[t.Status]++
			h.keepTaskLink(ctx, t)
		}
	}
	for i := range d.attention[:min(len(d.attention), homeActLimit)] {
		h.keepTaskLink(ctx, &d.attention[i])
	}
	for i := range d.mine[:min(len(d.mine), homeLimit)] {
		h.keepTaskLink(ctx, &d.mine[i])
	}
	for i := range d.flags[:min(len(d.flags), homeFlagLimit)] {
		f := &d.flags[i]
		if f.CardLink != "" || f.CardTS == "" {
			continue
		}
		if f.CardLink = h.linkTo(ctx, f.ChannelID, f.CardTS); f.CardLink != "" {
			if err := h.decisions.SetDecisionCard(ctx, f.Flag.DecisionID, f.ChannelID, f.CardTS, f.CardLink); err != nil {
				h.logger(ctx).WarnContext(ctx, "decision card's link not kept", "decision", baton.DecisionRef(f.Number), "err", err)
			}
		}
	}
	for i := range d.requests[:min(len(d.requests), homeLimit)] {
		r := &d.requests[i]
		if r.link != "" || r.StatusTS == "" {
			continue
		}
		if r.link = h.linkTo(ctx, r.StatusChannel, r.StatusTS); r.link != "" {
			if err := h.approvals.SetRequestStatusCard(ctx, r.ID, r.StatusChannel, r.StatusTS, r.link); err != nil {
				h.logger(ctx).WarnContext(ctx, "status card's link not kept", "request", r.Ref(), "err", err)
			}
		}
	}
}

// keepTaskLink fills in, and keeps, the permalink of one task's card (see keepLinks).
func (h *Handlers) keepTaskLink(ctx context.Context, t *baton.Task) {
	if t.CardLink != "" || t.CardTS == "" {
		return
	}
	if t.CardLink = h.linkTo(ctx, t.ChannelID, t.CardTS); t.CardLink != "" {
		if err := h.tasks.SetCard(ctx, t.ID, t.ChannelID, t.CardTS, t.CardLink, t.SourceLink); err != nil {
			h.logger(ctx).WarnContext(ctx, "card's link not kept", "task", t.Ref(), "err", err)
		}
	}
}

// keptLink is the permalink of an approver's card, asked of Slack and kept the first time it is
// shown when the card was posted before Baton kept its cards' links.
func (h *Handlers) keptLink(ctx context.Context, c baton.ApprovalCard) string {
	if c.Link != "" || c.TS == "" {
		return c.Link
	}
	c.Link = h.linkTo(ctx, c.ChannelID, c.TS)
	if c.Link != "" {
		if err := h.approvals.AddRequestCard(ctx, c); err != nil {
			h.logger(ctx).WarnContext(ctx, "approver card's link not kept", "err", err)
		}
	}
	return c.Link
}
