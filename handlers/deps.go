package handlers

import (
	"context"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/store"
)

// Store is what handlers need from Postgres.
type Store interface {
	CreateTask(ctx context.Context, t baton.Task, ev baton.TaskEvent) (baton.Task, error)
	Task(ctx context.Context, teamID string, number int64) (baton.Task, error)
	UpdateTask(ctx context.Context, teamID string, number int64, change func(t *baton.Task) (baton.TaskEvent, error)) (baton.Task, baton.TaskEvent, error)
	SetCard(ctx context.Context, taskID int64, channelID, ts string) error
	TaskEvents(ctx context.Context, taskID int64) ([]baton.TaskEvent, error)
	ListTasks(ctx context.Context, q baton.TaskQuery) ([]baton.Task, error)
	CountTasks(ctx context.Context, q baton.TaskQuery) (int, error)

	AddHoliday(ctx context.Context, teamID string, h baton.Holiday, by string) error
	RemoveHoliday(ctx context.Context, teamID, date string) (bool, error)
	Holidays(ctx context.Context, teamID, from string) ([]baton.Holiday, error)
	SetOutOfOffice(ctx context.Context, teamID, userID, until string) error
	OutOfOffice(ctx context.Context, teamID, userID string) (string, error)
	WorkWeek(ctx context.Context, teamID string) (baton.WorkWeek, error)
	SetWorkWeek(ctx context.Context, teamID string, w baton.WorkWeek, by string) error
	ReminderOffsets(ctx context.Context, teamID string) ([]time.Duration, error)
	SetReminderOffsets(ctx context.Context, teamID string, offsets []time.Duration, by string) error

	Digest(ctx context.Context, teamID, userID string) (baton.DigestSetting, error)
	SetDigest(ctx context.Context, teamID, userID string, s baton.DigestSetting) error
	AddDigestItem(ctx context.Context, teamID, userID string, taskID int64, line string) error
	PendingDigest(ctx context.Context, teamID, userID string) ([]store.DigestItem, error)
	MarkDigestSent(ctx context.Context, ids []int64) error
}

// Slack is the outbound Slack client handlers talk through: one client, paced and retried.
type Slack interface {
	PostMessage(ctx context.Context, channelID string, opts ...slack.MsgOption) (string, string, error)
	UpdateMessage(ctx context.Context, channelID, ts string, opts ...slack.MsgOption) error
	PostEphemeral(ctx context.Context, channelID, userID string, opts ...slack.MsgOption) error
	Respond(ctx context.Context, responseURL string, opts ...slack.MsgOption) error
	OpenView(ctx context.Context, triggerID string, v slack.ModalViewRequest) (*slack.View, error)
	PublishHome(ctx context.Context, userID string, v slack.HomeTabViewRequest) error
	OpenDM(ctx context.Context, userID string) (string, error)
	UserInfo(ctx context.Context, userID string) (*slack.User, error)
	Users(ctx context.Context) ([]slack.User, error)
	JoinChannel(ctx context.Context, channelID string) error
	ChannelInfo(ctx context.Context, channelID string) (*slack.Channel, error)
	Permalink(ctx context.Context, channelID, ts string) (string, error)
}

// Scheduler runs delayed jobs: reminders, overdue signals, check-ins.
type Scheduler interface {
	Handle(kind string, h scheduler.HandlerFunc)
	EnqueueMany(ctx context.Context, jobs []scheduler.Job) error
	Cancel(ctx context.Context, key string) (scheduler.CancelResult, error)
	Parked(ctx context.Context, teamID string) ([]scheduler.ParkedJob, error)
	Retry(ctx context.Context, teamID, key string) error
	Drop(ctx context.Context, teamID, key string) error
}
