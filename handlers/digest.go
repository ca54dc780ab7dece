package handlers

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
	"github.com/batonhq/baton/scheduler"
)

// DigestStore keeps each person's digest setting and the lines waiting for their next digest.
type DigestStore interface {
	Digest(ctx context.Context, teamID, userID string) (baton.DigestSetting, error)
	SetDigest(ctx context.Context, teamID, userID string, s baton.DigestSetting) error
	AddDigestItem(ctx context.Context, teamID, userID string, taskID int64, line md.Text) error
	PendingDigest(ctx context.Context, teamID, userID string) (ids []int64, lines []md.Text, err error)
	MarkDigestSent(ctx context.Context, ids []int64) error
}

type digestJob struct {
	UserID string `json:"u"`
}

// signal tells a person about a change as they chose: at once, or in their daily digest. Urgent news
// (blocked, overdue) goes through notify, at once.
func (h *Handlers) signal(ctx context.Context, t baton.Task, userID string, text md.Text, opts ...slack.MsgOption) error {
	if h.sched != nil {
		s, err := h.digests.Digest(ctx, t.TeamID, userID)
		if err != nil {
			h.logger(ctx).WarnContext(ctx, "digest setting unknown; telling at once", "user_id", userID, "err", err)
		}
		if s.Daily {
			if err := h.digests.AddDigestItem(ctx, t.TeamID, userID, t.ID, text); err == nil {
				return nil
			}
			h.logger(ctx).ErrorContext(ctx, "digest item not kept; telling at once", "user_id", userID, "task", t.Ref(), "err", err)
		}
	}
	return h.notify(ctx, t, userID, text, opts...)
}

// setDigest records a person's choice and keeps their digest timer in step with it. Turning the digest
// off sends what was waiting at once.
func (h *Handlers) setDigest(ctx context.Context, teamID string, me Person, s baton.DigestSetting) error {
	if err := h.digests.SetDigest(ctx, teamID, me.ID, s); err != nil {
		return err
	}
	if s.Daily {
		return h.scheduleDigest(ctx, teamID, me, s)
	}
	h.cancelJob(ctx, digestJobKey(teamID, me.ID))
	return h.sendDigest(ctx, teamID, me.ID)
}

// scheduleDigest sets the person's next digest: their chosen time on their next working day.
func (h *Handlers) scheduleDigest(ctx context.Context, teamID string, p Person, s baton.DigestSetting) error {
	cal, err := h.calendar(ctx, teamID, p)
	if err != nil {
		return err
	}
	next, ok := baton.Schedule{Repeat: baton.RepeatDaily, At: s.At, SkipNonWorking: true}.Next(h.now(), cal)
	if !ok {
		return baton.Errorf(baton.EInvalid, "Your calendar has no working day left for a digest. Check `/baton ooo` and the workspace's working days.")
	}
	payload, _ := json.Marshal(digestJob{UserID: p.ID})
	return h.sched.EnqueueMany(ctx, []scheduler.Job{{Kind: jobDigest, Key: digestJobKey(teamID, p.ID), TeamID: teamID, Payload: payload, DueAt: next}})
}

// onDigest sends a person's digest and schedules the next one.
func (h *Handlers) onDigest(ctx context.Context, j scheduler.Job) error {
	var p digestJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return fmt.Errorf("job %s: bad payload: %w", j.Key, err)
	}
	s, err := h.digests.Digest(ctx, j.TeamID, p.UserID)
	if err != nil || !s.Daily {
		return err
	}
	if err := h.sendDigest(ctx, j.TeamID, p.UserID); err != nil {
		return err
	}
	person, err := h.people.Get(ctx, p.UserID)
	if err != nil {
		return err
	}
	return h.scheduleDigest(ctx, j.TeamID, person, s)
}

// sendDigest sends the signals waiting for a person in one message, and the suggestions of authority
// waiting for them in one more, then marks them sent.
func (h *Handlers) sendDigest(ctx context.Context, teamID, userID string) error {
	ids, lines, err := h.digests.PendingDigest(ctx, teamID, userID)
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		title, blocks := digestMessage(lines)
		if err := h.sendDM(ctx, userID, msgText(title), slack.MsgOptionBlocks(blocks...)); err != nil {
			return err
		}
		if err := h.digests.MarkDigestSent(ctx, ids); err != nil {
			return err
		}
	}
	return h.sendSuggestions(ctx, teamID, userID, true)
}

// sendSuggestions sends the suggestions of authority waiting for a manager, one message each with
// its buttons, and marks each sent; inDigest says they come with the manager's digest.
func (h *Handlers) sendSuggestions(ctx context.Context, teamID, userID string, inDigest bool) error {
	waiting, err := h.suggestions.UnsentSuggestions(ctx, teamID, userID)
	if err != nil {
		return err
	}
	for _, s := range waiting {
		text, blocks := suggestionBlocks(s, h.requestType(s.RequestType))
		if inDigest {
			text = md.F(":newspaper: From your digest — %s", text)
		}
		if err := h.sendDM(ctx, userID, msgText(text), slack.MsgOptionBlocks(blocks...)); err != nil {
			return err
		}
		if err := h.suggestions.MarkSuggestionsSent(ctx, []int64{s.ID}, h.now()); err != nil {
			return err
		}
	}
	return nil
}

// digestMessage is the text and blocks of a digest of the signals kept as lines.
func digestMessage(kept []md.Text) (md.Text, []slack.Block) {
	lines := make([]md.Text, len(kept))
	for i, k := range kept {
		lines[i] = "• " + md.Replace(k, "\n", " ")
	}
	title := md.F(":newspaper: *Your Baton digest* — %s since the last one", plural(len(kept), "update"))
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(title), nil, nil, slack.SectionBlockOptionBlockID("digest_title"))}
	for i, text := range packLines(lines, 2900) {
		if len(blocks) >= maxMessageBlocks-1 {
			blocks = append(blocks, slack.NewContextBlock("digest_more", mrkdwn("…and more; see your App Home for the rest.")))
			break
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID(fmt.Sprintf("digest_%d", i))))
	}
	return title, blocks
}

// packLines joins lines into texts of at most size characters each.
func packLines(lines []md.Text, size int) []md.Text {
	var out []md.Text
	var cur md.Text
	for _, l := range lines {
		l = md.Clip(l, size)
		if cur != "" && len(cur)+1+len(l) > size {
			out = append(out, cur)
			cur = ""
		}
		if cur != "" {
			cur += "\n"
		}
		cur += l
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// onStaleDelegator is the second look at a stale task: still unchanged, it reaches the delegator,
// in their digest or at once as they chose.
func (h *Handlers) onStaleDelegator(ctx context.Context, j scheduler.Job) error {
	t, p, ok, err := h.loadJobTask(ctx, j)
	if !ok || err != nil {
		return err
	}
	if !t.Status.Open() || !t.StatusChangedAt.Equal(p.StatusAt) || t.DelegatorID == t.OwnerID {
		return nil
	}
	if err := h.signal(ctx, t, t.DelegatorID, staleDelegatorText(t)); err != nil {
		h.logger(ctx).ErrorContext(ctx, "stale task not told", "user_id", t.DelegatorID, "task", t.Ref(), "err", err)
	}
	return nil
}

// staleDelegatorText tells the delegator that a task has sat still even after its owner was nudged.
func staleDelegatorText(t baton.Task) md.Text {
	return md.F(":hourglass: *%s · %s* (owner %s) has been *%s* since %s.",
		t.Ref(), md.Esc(t.Title), md.Mention(t.OwnerID), t.Status.Label(), md.Date(t.StatusChangedAt, "{date_short_pretty}"))
}
