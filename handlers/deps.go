package handlers

import (
	"context"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
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
