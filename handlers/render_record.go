package handlers

import (
	"fmt"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// recordItemsShown is how many items a figure lists before "and N more".
const recordItemsShown = 8

// recordBlocks is a person's track record: a section for tasks, decisions, each type of request
// and check-ins, every figure followed by the items behind it (linked to their cards when known).
// p, the policy in force, labels the number fields; nil shows them by name.
func recordBlocks(rec baton.Record, p *baton.Policy) (md.Text, []slack.Block) {
	head := md.F(":bar_chart: *Track record of %s* — %s", md.Mention(rec.UserID), rec.Period.Label)
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(head), nil, nil, slack.SectionBlockOptionBlockID("record_head"))}
	add := func(id string, lines []md.Text) {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(md.Clip(md.Join(lines, "\n"), 3000)), nil, nil, slack.SectionBlockOptionBlockID(id)))
	}
	add("record_tasks", taskRecordLines(rec.Tasks))
	add("record_decisions", decisionRecordLines(rec.Decisions))
	for i, tr := range rec.Requests {
		if len(blocks) >= 45 {
			break
		}
		add(fmt.Sprintf("record_requests_%d", i), requestRecordLines(tr, p))
	}
	if len(rec.Requests) == 0 {
		add("record_requests", []md.Text{"*Requests filed* — none"})
	}
	add("record_checkins", checkinRecordLines(rec.Checkins))
	blocks = append(blocks, slack.NewContextBlock("record_note", mrkdwn(md.F("Counted from Baton's history: tasks someone else delegated to %s, the decisions they recorded, the requests they filed and the check-ins sent to them. Times are medians.", md.Mention(rec.UserID)))))
	return head, blocks
}

func taskRecordLines(t baton.TaskRecord) []md.Text {
	lines := []md.Text{md.F("*Tasks delegated to them* — %d%s", t.Delegated.N, items(t.Delegated))}
	if t.Delegated.N == 0 {
		return lines
	}
	done := md.F("• Done: %d%s", t.Done.N, items(t.Done))
	if rate, ok := t.OnTimeRate(); ok {
		done += md.F(" · on time: %d of %d with a due date (%.0f%%)", t.OnTime.N, t.DoneWithDue.N, rate*100)
	}
	lines = append(lines, done, md.F("• Overdue now: %d%s", t.OverdueNow.N, items(t.OverdueNow)))
	var in []md.Text
	for _, s := range []baton.Status{baton.StatusTodo, baton.StatusInProgress, baton.StatusInReview, baton.StatusBlocked} {
		if d, ok := t.InStatus[s]; ok {
			in = append(in, md.F("%s %s", s.Label(), spanWords(d)))
		}
	}
	if len(in) > 0 {
		lines = append(lines, "• Time in each status before moving on: "+md.Join(in, " · "))
	}
	blocked := md.F("• Blocked: %s%s", plural(t.Blocked.N, "time"), items(t.Blocked))
	if t.Unblocked.N > 0 {
		blocked += md.F(" · unblocked after %s", spanWords(t.ToUnblock))
	}
	return append(lines, blocked, md.F("• Reassigned to someone else: %d%s", t.ReassignedAway.N, items(t.ReassignedAway)))
}

func decisionRecordLines(d baton.DecisionRecord) []md.Text {
	lines := []md.Text{md.F("*Decisions recorded* — %d%s", d.Recorded.N, items(d.Recorded))}
	if d.Recorded.N == 0 {
		return lines
	}
	return append(lines,
		md.F("• Versions: %d", d.Versions),
		md.F("• Flagged to people: %d decisions, %s, %d acknowledged%s", d.Flagged.N, plural(d.Flags, "flag"), d.Acknowledged, items(d.Flagged)),
		md.F("• Superseded: %d%s", d.Superseded.N, items(d.Superseded)))
}

func requestRecordLines(tr baton.RequestTypeRecord, p *baton.Policy) []md.Text {
	lines := []md.Text{
		md.F("*%s requests filed* — %d%s", tr.Type, tr.Filed.N, items(tr.Filed)),
		md.F("• Approved as filed: %d%s", tr.ApprovedUnchanged.N, items(tr.ApprovedUnchanged)),
	}
	if tr.ApprovedAfterChanges.N > 0 {
		lines = append(lines, md.F("• Approved once filed again after changes were asked: %d%s", tr.ApprovedAfterChanges.N, items(tr.ApprovedAfterChanges)))
	}
	lines = append(lines,
		md.F("• Changes asked: %d%s", tr.ChangesAsked.N, items(tr.ChangesAsked)),
		md.F("• Rejected: %d%s", tr.Rejected.N, items(tr.Rejected)),
		md.F("• Cancelled: %d%s", tr.Cancelled.N, items(tr.Cancelled)))
	if tr.Pending.N > 0 {
		lines = append(lines, md.F("• Waiting: %d%s", tr.Pending.N, items(tr.Pending)))
	}
	lines = append(lines, md.F("• Approved at once inside a grant of authority: %d%s", tr.ByGrant.N, items(tr.ByGrant)))
	for _, nf := range tr.Numbers {
		label, format := nf.Field, func(v float64) string { return fmt.Sprint(v) }
		if p != nil {
			if t, ok := p.Type(tr.Type); ok {
				if f, ok := t.Field(nf.Field); ok {
					label, format = f.Label, func(v float64) string { return f.FormatValue(v) }
				}
			}
		}
		lines = append(lines, md.F("• %s: median %s, largest %s (%s)", label, format(nf.Median), format(nf.Largest), item(nf.At)))
	}
	return lines
}

func checkinRecordLines(c baton.CheckinRecord) []md.Text {
	lines := []md.Text{md.F("*Check-ins sent to them* — %d%s", c.Sent.N, items(c.Sent))}
	if c.Sent.N == 0 {
		return lines
	}
	seen := md.F("• Seen: %d · answered: %d", c.Seen.N, c.Answered.N)
	if c.Seen.N > 0 {
		seen += md.F(" · seen after %s", spanWords(c.ToSeen))
	}
	return append(lines, seen)
}

// items lists the first items behind a figure, each linked to its card when the link is known:
// " (T-3, T-5 and 4 more)"; "" when there are none.
func items(f baton.Figure) md.Text {
	if len(f.Items) == 0 {
		return ""
	}
	shown := f.Items[:min(len(f.Items), recordItemsShown)]
	parts := make([]md.Text, len(shown))
	for i, it := range shown {
		parts[i] = item(it)
	}
	out := " (" + md.Join(parts, ", ")
	if more := len(f.Items) - len(shown); more > 0 {
		out += md.F(" and %d more", more)
	}
	return out + ")"
}

func item(it baton.RecordItem) md.Text { return md.Link(it.Link, md.Esc(it.Ref)) }
