package handlers

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// listLimit is how many tasks one list message shows; the count says when there are more.
const listLimit = 100

func (h *Handlers) listTasks(ctx context.Context, r *bot.Request, cmd baton.TaskCommand) {
	title, tasks, total, err := h.queryList(ctx, r.TeamID, r.UserID, cmd)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.reply(ctx, r, title, listBlocks(title, tasks, total, h.now())...)
}

// queryList finds the first page of one list, and how many tasks the list has in all.
func (h *Handlers) queryList(ctx context.Context, teamID, userID string, cmd baton.TaskCommand) (md.Text, []baton.Task, int, error) {
	return h.queryListPage(ctx, teamID, userID, cmd, 0)
}

// queryListPage finds listLimit tasks of one list from offset on, and how many the list has in all.
func (h *Handlers) queryListPage(ctx context.Context, teamID, userID string, cmd baton.TaskCommand, offset int) (md.Text, []baton.Task, int, error) {
	q := baton.TaskQuery{TeamID: teamID, Open: true, Limit: listLimit, Offset: offset}
	switch cmd.Scope {
	case baton.ListMine:
		q.OwnerID = userID
		return h.runList(ctx, "Your open tasks", q)
	case baton.ListDelegated:
		q.DelegatorID = userID
		return h.runList(ctx, "Open tasks you delegated", q)
	case baton.ListUser:
		p, err := h.people.Resolve(ctx, cmd.User)
		if err != nil {
			return "", nil, 0, err
		}
		q.OwnerID = p.ID
		return h.runList(ctx, "Open tasks owned by "+md.Mention(p.ID), q)
	case baton.ListBlocked:
		q.Statuses = []baton.Status{baton.StatusBlocked}
		return h.involvedList(ctx, "Blocked tasks you own or delegated", userID, q)
	default:
		q.DueBefore = h.now()
		return h.involvedList(ctx, "Overdue tasks you own or delegated", userID, q)
	}
}

func (h *Handlers) runList(ctx context.Context, title md.Text, q baton.TaskQuery) (md.Text, []baton.Task, int, error) {
	tasks, err := h.tasks.ListTasks(ctx, q)
	if err != nil {
		return "", nil, 0, err
	}
	total := q.Offset + len(tasks)
	if len(tasks) == q.Limit || (len(tasks) == 0 && q.Offset > 0) {
		if total, err = h.tasks.CountTasks(ctx, q); err != nil {
			return "", nil, 0, err
		}
	}
	return title, tasks, total, nil
}

// involvedList is a list of the tasks a person owns plus those they delegated, each once.
func (h *Handlers) involvedList(ctx context.Context, title md.Text, userID string, q baton.TaskQuery) (md.Text, []baton.Task, int, error) {
	owned, delegated := q, q
	owned.OwnerID, delegated.DelegatorID = userID, userID
	_, a, na, err := h.runList(ctx, title, owned)
	if err != nil {
		return "", nil, 0, err
	}
	_, b, nb, err := h.runList(ctx, title, delegated)
	if err != nil {
		return "", nil, 0, err
	}
	seen := map[int64]bool{}
	var all []baton.Task
	both := 0
	for _, t := range append(a, b...) {
		if seen[t.Number] {
			both++
			continue
		}
		seen[t.Number] = true
		all = append(all, t)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Number < all[j].Number })
	return title, all, na + nb - both, nil
}

func (h *Handlers) showTask(ctx context.Context, r *bot.Request, number int64) {
	t, err := h.tasks.Task(ctx, r.TeamID, number)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.reply(ctx, r, taskSummary(t), h.cardOf(ctx, t)...)
}

func (h *Handlers) taskHistory(ctx context.Context, r *bot.Request, number int64) {
	t, err := h.tasks.Task(ctx, r.TeamID, number)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	events, err := h.tasks.TaskEvents(ctx, t.ID)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.reply(ctx, r, md.F("History of %s", t.Ref()), historyBlocks(t, events)...)
}

func (h *Handlers) onShowButton(ctx context.Context, r *bot.Request) {
	number, err := parseNumber(r.Action.Value)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.showTask(ctx, r, number)
}

// taskLine is one task in a list: status, ID, title, owner, due date.
func taskLine(t baton.Task, now time.Time) md.Text {
	line := md.F("%s *%s* %s — %s", t.Status.Emoji(), t.Ref(), md.Esc(clip(t.Title, 120)), md.Mention(t.OwnerID))
	if t.Due.Set() {
		line += " · due " + dueText(t.Due)
		if t.Overdue(now) {
			line += " :alarm_clock:"
		}
	}
	return line
}

// listBlocks renders a list of tasks within one message's limits, saying how many are not shown.
func listBlocks(title md.Text, tasks []baton.Task, total int, now time.Time) []slack.Block {
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(md.F("*%s* (%d)", title, total)), nil, nil, slack.SectionBlockOptionBlockID("list_title"))}
	if len(tasks) == 0 {
		return append(blocks, slack.NewContextBlock("list_empty", mrkdwn("Nothing here. :tada:")))
	}
	shown := 0
	for i, chunk := range chunkLines(tasks, now, 2900) {
		if len(blocks) >= maxMessageBlocks-1 {
			break
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(chunk.text), nil, nil, slack.SectionBlockOptionBlockID(fmt.Sprintf("list_%d", i))))
		shown += chunk.n
	}
	if total > shown {
		blocks = append(blocks, slack.NewContextBlock("list_more", mrkdwn(md.F("Showing %d of %d. Narrow it down with `/task list blocked`, `/task list overdue` or `/task list @person`.", shown, total))))
	}
	return blocks
}

type lineChunk struct {
	text md.Text
	n    int
}

// chunkLines packs task lines into texts of at most size characters each.
func chunkLines(tasks []baton.Task, now time.Time, size int) []lineChunk {
	var out []lineChunk
	cur := lineChunk{}
	for _, t := range tasks {
		line := taskLine(t, now)
		if cur.n > 0 && len(cur.text)+1+len(line) > size {
			out = append(out, cur)
			cur = lineChunk{}
		}
		if cur.n > 0 {
			cur.text += "\n"
		}
		cur.text += line
		cur.n++
	}
	if cur.n > 0 {
		out = append(out, cur)
	}
	return out
}
