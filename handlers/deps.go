package handlers

import (
	"context"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
	"github.com/batonhq/baton/scheduler"
)

// Store is what handlers need from Postgres.
type Store interface {
	OutboxStore

	CreateTask(ctx context.Context, t baton.Task, ev baton.TaskEvent) (baton.Task, error)
	Task(ctx context.Context, teamID string, number int64) (baton.Task, error)
	UpdateTask(ctx context.Context, teamID string, number int64, change func(t *baton.Task) (baton.TaskEvent, error)) (baton.Task, baton.TaskEvent, error)
	SetCard(ctx context.Context, taskID int64, channelID, ts, cardLink, sourceLink string) error
	TaskEvents(ctx context.Context, taskID int64) ([]baton.TaskEvent, error)
	ListTasks(ctx context.Context, q baton.TaskQuery) ([]baton.Task, error)
	ListTaskSections(ctx context.Context, qs ...baton.TaskQuery) ([]baton.TaskSection, error)
	CountTasks(ctx context.Context, q baton.TaskQuery) (int, error)
	CountByStatus(ctx context.Context, q baton.TaskQuery) (map[baton.Status]int, error)

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
	AddDigestItem(ctx context.Context, teamID, userID string, taskID int64, line md.Text) error
	PendingDigest(ctx context.Context, teamID, userID string) ([]baton.DigestItem, error)
	MarkDigestSent(ctx context.Context, ids []int64) error

	CreateCheckin(ctx context.Context, c baton.Checkin) (baton.Checkin, error)
	Checkin(ctx context.Context, teamID string, number int64) (baton.Checkin, error)
	CheckinByID(ctx context.Context, id int64) (baton.Checkin, error)
	CheckinsBySender(ctx context.Context, teamID, senderID string, finishedSince time.Time, limit int) ([]baton.Checkin, error)
	CountCheckinsBySender(ctx context.Context, teamID, senderID string, finishedSince time.Time) (int, error)
	SetCheckinState(ctx context.Context, teamID string, number int64, to baton.CheckinState, from []baton.CheckinState, at time.Time) (baton.Checkin, bool, error)
	FinishCheckinIfDone(ctx context.Context, checkinID int64, at time.Time) (bool, error)
	MuteCheckinRecipient(ctx context.Context, checkinID int64, userID string, at time.Time) (bool, error)
	ClaimDelivery(ctx context.Context, d baton.CheckinDelivery, now time.Time, lease time.Duration) (baton.CheckinDelivery, bool, error)
	ClaimSnoozed(ctx context.Context, id int64, until, now time.Time, lease time.Duration) (baton.CheckinDelivery, bool, error)
	ReleaseDelivery(ctx context.Context, id int64) error
	MarkDelivered(ctx context.Context, id int64, channelID, ts string, at time.Time) (baton.CheckinDelivery, error)
	MarkDeliverySeen(ctx context.Context, id int64, at time.Time) (baton.CheckinDelivery, bool, error)
	AnswerDelivery(ctx context.Context, id int64, answer string, at time.Time) (baton.CheckinDelivery, bool, error)
	SnoozeDelivery(ctx context.Context, id int64, until time.Time) (baton.CheckinDelivery, bool, error)
	Delivery(ctx context.Context, id int64) (baton.CheckinDelivery, error)
	DeliveryByMessage(ctx context.Context, channelID, ts string) (baton.CheckinDelivery, bool, error)
	LatestDeliveries(ctx context.Context, checkinIDs []int64) (map[int64][]baton.CheckinDelivery, error)
	UpdateCheckin(ctx context.Context, c baton.Checkin, at time.Time) (baton.Checkin, error)
	ClaimReminder(ctx context.Context, id int64, at time.Time) (baton.CheckinDelivery, bool, error)
	RecordReminder(ctx context.Context, id int64, channelID, ts string) error
	ReleaseReminder(ctx context.Context, id int64) error
	CheckinMaxRecipients(ctx context.Context, teamID string) (int, error)
	SetCheckinMaxRecipients(ctx context.Context, teamID string, n int, by string) error

	PolicyInForce(ctx context.Context) (version, yaml string, found bool, err error)
	SavePolicyVersion(ctx context.Context, version, yaml string, at time.Time) error
	CreateRequest(ctx context.Context, r baton.ApprovalRequest, actions []baton.ApprovalAction) (baton.ApprovalRequest, error)
	Request(ctx context.Context, teamID string, number int64) (baton.ApprovalRequest, error)
	RequestActions(ctx context.Context, requestID int64) ([]baton.ApprovalAction, error)
	DecideRequest(ctx context.Context, teamID string, number int64, step int, actor, action, comment string, at time.Time) (baton.ApprovalRequest, baton.ApprovalOutcome, error)
	CancelRequest(ctx context.Context, teamID string, number int64, actor string, at time.Time) (baton.ApprovalRequest, error)
	SetRequestStatusCard(ctx context.Context, requestID int64, channelID, ts, link string) error
	SetRequestThread(ctx context.Context, requestID int64, ts string) error
	AddRequestCard(ctx context.Context, c baton.ApprovalCard) error
	RequestCards(ctx context.Context, requestID int64) ([]baton.ApprovalCard, error)
	RequestsByRequester(ctx context.Context, teamID, userID string, limit int) ([]baton.ApprovalRequest, error)
	RequestsAwaiting(ctx context.Context, teamID, userID string, limit int) ([]baton.ApprovalRequest, error)
	AwaitingApproval(ctx context.Context, teamID, userID string, limit int) ([]baton.PendingApproval, int, error)
	ExportRequests(ctx context.Context, teamID, userID string, from, to time.Time, limit int) ([]baton.ApprovalRequest, map[int64][]baton.ApprovalAction, error)
	RecordRequestAction(ctx context.Context, a baton.ApprovalAction) error
	EscalateRequest(ctx context.Context, teamID string, number int64, step int, at time.Time) (baton.ApprovalRequest, []string, error)

	CreateGrant(ctx context.Context, g baton.Grant) (baton.Grant, error)
	Grant(ctx context.Context, teamID string, number int64) (baton.Grant, error)
	Grants(ctx context.Context, teamID string) ([]baton.Grant, error)
	ActiveGrants(ctx context.Context, teamID, userID string, now time.Time) ([]baton.Grant, error)
	RevokeGrant(ctx context.Context, teamID string, number int64, actor string, at time.Time) (baton.Grant, error)
	RecordGrantUse(ctx context.Context, grantID int64, actor string, requestNumber int64, at time.Time) error
	RecordGrantExpiries(ctx context.Context, teamID string, now time.Time) (int, error)

	AddGroupMembers(ctx context.Context, teamID, group string, userIDs, file []string, by string, at time.Time) ([]string, error)
	RemoveGroupMembers(ctx context.Context, teamID, group string, userIDs, file []string, by string, at time.Time) ([]string, error)
	Groups(ctx context.Context, teamID string) (map[string]baton.GroupEdits, error)
	SetManager(ctx context.Context, teamID, userID, managerID string, base map[string]string, by string, at time.Time) error
	ClearManager(ctx context.Context, teamID, userID string) (bool, error)
	Managers(ctx context.Context, teamID string) (map[string]string, error)
	PeopleEdits(ctx context.Context, teamID string) (baton.PeopleEdits, error)

	CreateObjective(ctx context.Context, o baton.Objective) (baton.Objective, error)
	Objective(ctx context.Context, teamID string, number int64) (baton.Objective, error)
	SetObjectiveParent(ctx context.Context, teamID string, number, parent int64, at time.Time) (baton.Objective, error)
	SetObjectiveStatus(ctx context.Context, teamID string, number int64, status baton.ObjectiveStatus, at time.Time) (baton.Objective, error)
	ObjectivesInPeriods(ctx context.Context, teamID string, periods []string, limit int) ([]baton.Objective, error)
	ObjectivesByOwner(ctx context.Context, teamID, ownerID string, limit int) ([]baton.Objective, error)
	ObjectiveChain(ctx context.Context, id int64) ([]baton.Objective, error)
	CreateKeyResult(ctx context.Context, k baton.KeyResult) (baton.KeyResult, error)
	KeyResult(ctx context.Context, teamID string, number int64) (baton.KeyResult, error)
	KeyResultByID(ctx context.Context, teamID string, id int64) (baton.KeyResult, error)
	EditKeyResult(ctx context.Context, teamID string, number int64, change func(k *baton.KeyResult) error) (baton.KeyResult, error)
	KeyResultsOf(ctx context.Context, objectiveIDs []int64) ([]baton.KeyResult, error)
	KeyResultsByOwner(ctx context.Context, teamID, ownerID string, limit int) ([]baton.KeyResult, error)
	CheckInKeyResult(ctx context.Context, teamID string, number int64, change func(k *baton.KeyResult) (baton.KRCheckin, error)) (baton.KeyResult, baton.KRCheckin, error)
	KRCheckins(ctx context.Context, krID int64, limit int) ([]baton.KRCheckin, int, error)
	KRTasks(ctx context.Context, krID int64, limit int) ([]baton.Task, int, error)
	Alignment(ctx context.Context, teamID string, krID int64) (baton.Alignment, error)
	OKRReminderDays(ctx context.Context, teamID string) (int, error)
	SetOKRReminderDays(ctx context.Context, teamID string, days int, by string) error

	CreateDecision(ctx context.Context, d baton.Decision, v baton.DecisionVersion, reason string) (baton.DecisionSave, error)
	EditDecision(ctx context.Context, teamID string, number int64, reason string, change func(d *baton.Decision) (baton.DecisionVersion, error)) (baton.DecisionSave, error)
	Decision(ctx context.Context, teamID string, number int64) (baton.Decision, error)
	DecisionVersions(ctx context.Context, decisionID int64) ([]baton.DecisionVersion, error)
	SetDecisionCard(ctx context.Context, decisionID int64, channelID, ts, link string) error
	DecisionFlags(ctx context.Context, decisionID int64) ([]baton.DecisionFlag, error)
	DecisionFlag(ctx context.Context, id int64) (baton.DecisionFlag, error)
	AcknowledgeDecision(ctx context.Context, teamID string, number int64, userID string, version int, at time.Time) (baton.Decision, []int64, error)
	MarkFlagReminded(ctx context.Context, id int64, at time.Time) (bool, error)
	ListDecisions(ctx context.Context, q baton.DecisionQuery) ([]baton.Decision, error)
	PendingFlags(ctx context.Context, teamID, userID string, limit int) ([]baton.PendingFlag, int, error)
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

// OutboxStore keeps the messages changes owe until they are sent (see outbox.go).
type OutboxStore interface {
	ClaimLane(ctx context.Context, l baton.Lane, claim string, lease time.Duration) (baton.ClaimedLane, bool, error)
	ClaimLanes(ctx context.Context, claim string, lease time.Duration, limit int) ([]baton.ClaimedLane, error)
	OutgoingIn(ctx context.Context, l baton.Lane, limit int) ([]baton.Outgoing, error)
	FinishOutgoing(ctx context.Context, l baton.Lane, claim string, ids []int64, settled bool) (bool, error)
	DeferOutgoing(ctx context.Context, l baton.Lane, claim string, id int64, reason string, wait time.Duration) error
	ExtendLanes(ctx context.Context, claim string, lease time.Duration) error
	LetGoLane(ctx context.Context, l baton.Lane, claim string, wait time.Duration, suspect bool) error
	LanePosts(ctx context.Context, l baton.Lane) (int, error)
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
