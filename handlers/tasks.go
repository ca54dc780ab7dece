package handlers

import (
	"context"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// TaskStore is what the task features keep in Postgres: tasks, their history and their cards.
type TaskStore interface {
	CreateTask(ctx context.Context, t baton.Task, ev baton.TaskEvent) (baton.Task, error)
	Task(ctx context.Context, teamID string, number int64) (baton.Task, error)
	UpdateTask(ctx context.Context, teamID string, number int64, change func(t *baton.Task) (baton.TaskEvent, error)) (baton.Task, baton.TaskEvent, error)
	SetCard(ctx context.Context, taskID int64, channelID, ts, cardLink, sourceLink string) error
	TaskEvents(ctx context.Context, taskID int64) ([]baton.TaskEvent, error)
	ListTasks(ctx context.Context, q baton.TaskQuery) ([]baton.Task, error)
	ListTaskSections(ctx context.Context, qs ...baton.TaskQuery) ([]baton.TaskSection, error)
	CountTasks(ctx context.Context, q baton.TaskQuery) (int, error)
	CountByStatus(ctx context.Context, q baton.TaskQuery) (map[baton.Status]int, error)
}

// Shortcut callback ID of "Make a task" on a message.
const scFromMessage = "task.from_message"

func (h *Handlers) registerTasks(r *bot.Router) {
	r.Command("/task", h.onTaskCommand)
	r.Shortcut(scFromMessage, h.onMessageShortcut)
	r.ViewSubmission(cbNewTask, h.onNewTaskSubmit)
	r.Action(actStatus, h.onStatusSelect)
	r.Action(actLog, h.onOpenChangeModal(logModal))
	r.Action(actReassign, h.onOpenChangeModal(reassignModal))
	r.Action(actDue, h.onOpenChangeModal(dueModal))
	r.Action(actAsk, h.onAskUpdate)
	r.Action(actOpen, func(context.Context, *bot.Request) {})
	r.Action(actShow, h.onShowButton)
	r.ViewSubmission(cbBlocked, h.onBlockedSubmit)
	r.ViewClosed(cbBlocked, h.onBlockedClosed)
	r.ViewSubmission(cbLog, h.onLogSubmit)
	r.ViewSubmission(cbReassign, h.onReassignSubmit)
	r.ViewSubmission(cbDue, h.onDueSubmit)
}

func (h *Handlers) onTaskCommand(ctx context.Context, r *bot.Request) {
	cmd := baton.ParseTaskCommand(r.Command.Text)
	switch cmd.Kind {
	case baton.TaskOpenModal:
		h.openModal(ctx, r, newTaskModal("", "", r.ChannelID, modalMeta{ChannelID: r.ChannelID}))
	case baton.TaskQuick:
		h.quickTask(ctx, r, cmd)
	case baton.TaskList:
		h.listTasks(ctx, r, cmd)
	case baton.TaskShow:
		h.showTask(ctx, r, cmd.Number)
	case baton.TaskHistory:
		h.taskHistory(ctx, r, cmd.Number)
	case baton.TaskLinkGoal:
		h.linkGoal(ctx, r, cmd)
	case baton.TaskHelp:
		h.reply(ctx, r, helpText, helpBlocks("")...)
	default:
		h.reply(ctx, r, helpText, helpBlocks(taskProblem(cmd.Problem))...)
	}
}

// taskProblem says which /task text was not understood; problem is that text as Slack sent it.
func taskProblem(problem string) md.Text {
	return md.F("I didn't understand `/task %s`.", md.Clip(md.Esc(baton.UnescapeSlack(problem)), 200))
}

const helpText = "Baton tasks: /task, /task @owner Title due:fri, /task list, /task T-12"

func helpBlocks(problem md.Text) []slack.Block {
	return commandHelp("/task", problem,
		"*Hand work over with /task*\n"+
			"• `/task` — open the New task form\n"+
			"• `/task @owner Title words due:2026-12-04` — create at once (due: also takes `today`, `tomorrow`, `mon`…`sun`)\n"+
			"• `/task @owner Title kr:KR-7` — the task serves key result KR-7 (see `/okr`); `kr:KR-7*3` counts it three times in its roll-up · `/task T-12 kr:KR-7` links a task you have, `kr:none` unlinks it\n"+
			"• `/task list` — your open tasks · `/task list delegated` — what you handed over\n"+
			"• `/task list blocked` · `/task list overdue` · `/task list @person`\n"+
			"• `/task T-12` — one task with its buttons · `/task T-12 history` — everything that happened to it\n"+
			"• On any message: ⋯ → *Make a task*")
}
