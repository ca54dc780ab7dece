package handlers

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/scheduler"
)

// Stores is what handlers keep in Postgres: one small interface per feature, declared by the
// feature that uses it. cmd/baton wires *store.DB into every one.
type Stores struct {
	Tasks         TaskStore
	Calendar      CalendarStore
	Digests       DigestStore
	Checkins      CheckinStore
	Deliveries    DeliveryStore
	Policies      PolicyStore
	Approvals     ApprovalStore
	ApprovalLists ApprovalListStore
	Grants        GrantStore
	People        PeopleStore
	Objectives    ObjectiveStore
	KeyResults    KeyResultStore
	Decisions     DecisionStore
	Outbox        OutboxStore
	Records       RecordStore
	Suggestions   SuggestionStore
	Simulations   PolicySimulationStore
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
	RecentMessages(ctx context.Context, channelID, threadTS, oldest string) ([]slack.Message, error)
	UploadFile(ctx context.Context, channelID string, f bot.FileUpload) (string, error)
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
