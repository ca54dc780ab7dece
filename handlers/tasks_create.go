package handlers

import (
	"context"
	"strings"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// newTask is a task about to be created, with where its card goes and where it came from.
type newTask struct {
	task     baton.Task
	event    baton.TaskEvent
	sourceCh string
	sourceTS string
}

func (h *Handlers) quickTask(ctx context.Context, r *bot.Request, cmd baton.TaskCommand) {
	me, err := h.actor(ctx, r)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	owner, err := h.people.Resolve(ctx, cmd.Owner)
	if err == nil {
		owner, err = h.people.Owner(ctx, owner.ID)
	}
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	var due baton.Due
	if cmd.HasDue {
		if due, err = baton.ParseDueWord(cmd.DueWord, me.Loc, h.now()); err != nil {
			h.fail(ctx, r, err)
			return
		}
	}
	var (
		goal   baton.KeyResult
		weight float64
	)
	if cmd.HasKR {
		if cmd.KRWord == "" {
			h.fail(ctx, r, baton.Errorf(baton.EInvalid, "Say which key result the task serves, like `kr:KR-7`, or leave `kr:` out."))
			return
		}
		if goal, weight, err = h.resolveGoal(ctx, r.TeamID, cmd.KRWord); err != nil {
			h.fail(ctx, r, err)
			return
		}
	}
	t, ev, err := baton.NewTask(r.TeamID, me.ID, owner.ID, cmd.Title, "", due, h.now())
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	t.ChannelID = r.ChannelID
	t.KRID, t.KRWeight = goal.ID, weight
	created, notice, err := h.createTask(ctx, newTask{task: t, event: ev})
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.reply(ctx, r, createdText(created, notice))
}

// createdText confirms a task made with /task to the person who made it; notice says where its card went.
func createdText(t baton.Task, notice md.Text) md.Text {
	return md.F(":white_check_mark: Created %s *%s* for %s.%s", t.Ref(), md.Esc(t.Title), md.Mention(t.OwnerID), notice)
}

// createdFromFormText confirms a task made with the New task form, when its card needs a word.
func createdFromFormText(t baton.Task, notice md.Text) md.Text {
	return md.F(":white_check_mark: Created %s *%s*.%s", t.Ref(), md.Esc(t.Title), notice)
}

func (h *Handlers) onMessageShortcut(ctx context.Context, r *bot.Request) {
	msg := r.Interaction.Message
	text := baton.UnescapeSlack(msg.Text)
	title, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	meta := modalMeta{ChannelID: r.ChannelID, SourceCh: r.ChannelID, SourceTS: msg.Timestamp}
	h.openModal(ctx, r, newTaskModal(title, text, r.ChannelID, meta))
}

// onNewTaskSubmit validates the New task form before Slack closes it, so mistakes show under the field.
func (h *Handlers) onNewTaskSubmit(ctx context.Context, r *bot.Request) any {
	view := r.Interaction.View
	meta, err := decodeMeta(view.PrivateMetadata)
	if err != nil {
		return fieldErrors(map[string]string{fTitle: baton.ErrorMessage(err)})
	}
	v := formValues(view.State)
	errs := map[string]string{}
	me, err := h.actor(ctx, r)
	if err != nil {
		return h.submitFailure(ctx, r, err, fTitle)
	}
	if err := baton.ValidateTitle(v.text(fTitle)); err != nil {
		errs[fTitle] = baton.ErrorMessage(err)
	}
	owner := v.user(fOwner)
	if owner == "" {
		errs[fOwner] = "Choose who owns the task."
	} else if resp := h.checkOwnerField(ctx, r, owner, errs); resp != nil {
		return resp
	}
	due, err := baton.NewDue(v.date(fDueDate), v.clock(fDueTime), me.Loc, h.now())
	if err != nil {
		errs[h.dueField(v, me.Loc)] = baton.ErrorMessage(err)
	}
	goal, weight, err := h.resolveGoal(ctx, r.TeamID, v.text(fTaskGoal))
	if err != nil {
		if baton.ErrorMessage(err) == "" {
			return h.submitFailure(ctx, r, err, fTaskGoal)
		}
		errs[fTaskGoal] = baton.ErrorMessage(err)
	}
	channel := v.conversation(fChannel)
	if channel == "" {
		channel = meta.ChannelID
	}
	if channel == "" {
		errs[fChannel] = "Choose the channel where the card should live."
	}
	if len(errs) > 0 {
		return fieldErrors(errs)
	}
	t, ev, err := baton.NewTask(r.TeamID, me.ID, owner, v.text(fTitle), v.text(fDescription), due, h.now())
	if err != nil {
		return fieldErrors(map[string]string{fDescription: baton.ErrorMessage(err)})
	}
	t.ChannelID = channel
	t.KRID, t.KRWeight = goal.ID, weight
	nt := newTask{task: t, event: ev, sourceCh: meta.SourceCh, sourceTS: meta.SourceTS}
	stored, err := h.store.CreateTask(ctx, nt.task, nt.event)
	if err != nil {
		return h.submitFailure(ctx, r, err, fTitle)
	}
	nt.task = stored
	h.background(ctx, func(ctx context.Context) {
		if notice := h.deliverNewTask(ctx, nt); notice != "" {
			h.dm(ctx, me.ID, msgText(createdFromFormText(stored, notice)))
		}
	})
	return nil
}

// dueField is the form field a due date error belongs under: the time when the day itself is fine.
func (h *Handlers) dueField(v formState, loc *time.Location) string {
	if v.date(fDueDate) == "" {
		return fDueDate
	}
	if _, err := baton.NewDue(v.date(fDueDate), "", loc, h.now()); err == nil {
		return fDueTime
	}
	return fDueDate
}

// createTask stores the task, then posts its card and tells the owner. The notice says where the card
// went when it could not go where it was asked.
func (h *Handlers) createTask(ctx context.Context, nt newTask) (baton.Task, md.Text, error) {
	stored, err := h.store.CreateTask(ctx, nt.task, nt.event)
	if err != nil {
		return baton.Task{}, "", err
	}
	nt.task = stored
	notice := h.deliverNewTask(ctx, nt)
	return stored, notice, nil
}

// deliverNewTask posts the card, links it to the message it came from, tells the owner and refreshes
// both dashboards. The task is already stored: a failure here is reported, never fatal.
func (h *Handlers) deliverNewTask(ctx context.Context, nt newTask) md.Text {
	t := nt.task
	if nt.sourceCh != "" && nt.sourceTS != "" {
		if link, err := h.slack.Permalink(ctx, nt.sourceCh, nt.sourceTS); err == nil {
			t.SourceLink = link
		} else {
			h.log.WarnContext(ctx, "no permalink for the source message", "task", t.Ref(), "err", err)
		}
	}
	t, notice := h.postCard(ctx, t)
	if nt.sourceCh != "" && nt.sourceTS != "" && t.CardTS != "" {
		link, _ := h.slack.Permalink(ctx, t.ChannelID, t.CardTS)
		if _, _, err := h.slack.PostMessage(ctx, nt.sourceCh, msgText(trackedText(t, link)), slack.MsgOptionTS(nt.sourceTS)); err != nil {
			h.log.WarnContext(ctx, "could not reply in the source thread", "task", t.Ref(), "err", err)
		}
	}
	h.notifyAssigned(ctx, t, nt.event.Actor, "")
	h.watch(ctx, t, nt.event)
	h.homes.Refresh(t.TeamID, t.OwnerID, t.DelegatorID)
	return notice
}

// trackedText is the reply under the message a task was made from; link is the card's, when known.
func trackedText(t baton.Task, link string) md.Text {
	if link != "" {
		return md.F(":baton: Tracked as %s, owned by %s.", md.Link(link, md.Esc(t.Ref())), md.Mention(t.OwnerID))
	}
	return md.F(":baton: Tracked as %s, owned by %s.", t.Ref(), md.Mention(t.OwnerID))
}

// postCard posts the task card in its channel. Baton joins a public channel it is not in; for a private
// channel or a DM it cannot post in, the card goes to the delegator's DM and the notice says how to fix it.
func (h *Handlers) postCard(ctx context.Context, t baton.Task) (baton.Task, md.Text) {
	opts := []slack.MsgOption{msgText(taskSummary(t)), slack.MsgOptionBlocks(h.cardOf(ctx, t)...)}
	asked := t.ChannelID
	ch, ts, err := h.postOrDM(ctx, asked, t.DelegatorID, opts...)
	if err != nil {
		h.log.ErrorContext(ctx, "card not posted anywhere", "task", t.Ref(), "err", err)
		return t, notPostedNotice(t, asked)
	}
	var notice md.Text
	if ch != asked {
		t.ChannelID = ch
		notice = movedToDMNotice(asked)
	}
	t.CardTS = ts
	if err := h.store.SetCard(ctx, t.ID, t.ChannelID, ts); err != nil {
		h.log.ErrorContext(ctx, "card posted but not recorded", "task", t.Ref(), "err", err)
	}
	return t, notice
}

// notPostedNotice says that a task's card could not be posted in the channel asked, nor anywhere else.
func notPostedNotice(t baton.Task, asked string) md.Text {
	return md.F(" The task is saved, but I couldn't post its card in %s; see it any time with `/task %s`.", md.Channel(asked), t.Ref())
}

// movedToDMNotice says that a task's card went to direct messages, as Baton cannot post in the channel asked.
func movedToDMNotice(asked string) md.Text {
	return md.F(" I can't post in %s — it's private or I'm not a member. Invite me there with `/invite @Baton`; for now the card is in our direct messages.", md.Channel(asked))
}

// postOrDM posts a message in a channel, joining it first when it is public and Baton is not a member.
// When the channel will not take it, the message goes to fallbackUser's DM instead. It returns the
// conversation the message went to and its ts.
func (h *Handlers) postOrDM(ctx context.Context, channelID, fallbackUser string, opts ...slack.MsgOption) (string, string, error) {
	_, ts, err := h.slack.PostMessage(ctx, channelID, opts...)
	if bot.IsSlackError(err, "not_in_channel") {
		if info, ierr := h.slack.ChannelInfo(ctx, channelID); ierr == nil && !info.IsPrivate && !info.IsIM && !info.IsMpIM {
			if jerr := h.slack.JoinChannel(ctx, channelID); jerr == nil {
				_, ts, err = h.slack.PostMessage(ctx, channelID, opts...)
			}
		}
	}
	if err == nil {
		return channelID, ts, nil
	}
	h.log.WarnContext(ctx, "message not posted in its channel; sending it by direct message", "channel_id", channelID, "err", err)
	dm, err := h.slack.OpenDM(ctx, fallbackUser)
	if err == nil {
		_, ts, err = h.slack.PostMessage(ctx, dm, opts...)
	}
	return dm, ts, err
}
