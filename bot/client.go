package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/batonhq/baton/bot/md"
	"github.com/slack-go/slack"
)

// ClientConfig configures the outbound Slack client.
type ClientConfig struct {
	// PerChannelInterval spaces chat.postMessage calls to one channel once the burst is
	// spent. 0 means the default, 1.05s (Slack's ~1 message/s per channel, with a margin);
	// negative disables pacing.
	PerChannelInterval time.Duration
	// Burst is how many posts may go to an idle channel at once; 0: 3.
	Burst int
	// MaxAttempts bounds attempts per call, the first included; 0: 5.
	MaxAttempts int
	// MaxRetryWait is the longest Retry-After we wait out; a longer one fails the call. 0: 60s.
	MaxRetryWait time.Duration
	Log          *slog.Logger // nil: slog.Default()
	// Observer hears of every attempt at a call and every wait; nil: nobody.
	Observer Observer

	// Now and Sleep let tests drive time; nil means the real clock.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

const (
	// Slack allows about one message a second per channel and counts when a request arrives, while we
	// book slots when a call is scheduled: 5% more keeps a late arrival from making the next one early.
	defaultPerChannelInterval = 1050 * time.Millisecond
	defaultBurst              = 3
	defaultMaxAttempts        = 5
	defaultMaxRetryWait       = 60 * time.Second
	backoffBase               = 250 * time.Millisecond
	backoffMax                = 10 * time.Second
	minRetryAfter             = time.Second
	usersPageSize             = 200
)

// transientSlackErrors are Slack error codes that say "try again" rather than "you are wrong".
var transientSlackErrors = []string{"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited", "rate_limited"}

// Client is the one door for outbound Slack calls. Every call honours HTTP 429 Retry-After,
// retries transient failures (5xx, timeouts, dropped connections) with exponential backoff
// and jitter, never retries Slack's permanent errors, and on failure returns an error
// wrapping the last cause after logging it once. chat.postMessage is paced per channel.
type Client struct {
	api   *slack.Client
	cfg   ClientConfig
	log   *slog.Logger
	pacer *pacer // nil: pacing disabled

	mu    sync.Mutex
	dms   map[string]string // user ID → DM channel ID
	links map[string]string // channel/ts → permalink; a message's permalink never changes
}

// maxCachedLinks bounds the permalink cache; when full it starts over.
const maxCachedLinks = 4096

// NewClient wraps api. Do not set slack.OptionRetry or OptionRetryConfig on api: this
// client retries, and two retry layers multiply attempts and waits.
func NewClient(api *slack.Client, cfg ClientConfig) *Client {
	if cfg.PerChannelInterval == 0 {
		cfg.PerChannelInterval = defaultPerChannelInterval
	}
	if cfg.Burst <= 0 {
		cfg.Burst = defaultBurst
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = defaultMaxAttempts
	}
	if cfg.MaxRetryWait <= 0 {
		cfg.MaxRetryWait = defaultMaxRetryWait
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Observer == nil {
		cfg.Observer = noObserver{}
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	c := &Client{api: api, cfg: cfg, log: cfg.Log.With("component", "slack_client"), dms: map[string]string{}, links: map[string]string{}}
	if cfg.PerChannelInterval > 0 {
		c.pacer = newPacer(cfg.PerChannelInterval, cfg.Burst)
	}
	return c
}

// API returns the wrapped slack-go client for calls this client does not cover. Calls made
// on it directly get no pacing and no retries.
func (c *Client) API() *slack.Client { return c.api }

// PostMessage posts to a channel (or a user ID, which lands in the bot's DM), paced per channel.
func (c *Client) PostMessage(ctx context.Context, channelID string, opts ...slack.MsgOption) (channel, ts string, err error) {
	err = c.do(ctx, "chat.postMessage", channelID, func(ctx context.Context) error {
		var err error
		channel, ts, err = c.api.PostMessageContext(ctx, channelID, opts...)
		return err
	})
	return channel, ts, err
}

// UpdateMessage edits a message in place (chat.update).
func (c *Client) UpdateMessage(ctx context.Context, channelID, ts string, opts ...slack.MsgOption) error {
	return c.do(ctx, "chat.update", "", func(ctx context.Context) error {
		_, _, _, err := c.api.UpdateMessageContext(ctx, channelID, ts, opts...)
		return err
	})
}

// PostEphemeral shows a message to one user in a channel.
func (c *Client) PostEphemeral(ctx context.Context, channelID, userID string, opts ...slack.MsgOption) error {
	return c.do(ctx, "chat.postEphemeral", "", func(ctx context.Context) error {
		_, err := c.api.PostEphemeralContext(ctx, channelID, userID, opts...)
		return err
	})
}

// Respond posts to a response_url, ephemeral unless opts say otherwise
// (slack.MsgOptionResponseURL(url, slack.ResponseTypeInChannel), slack.MsgOptionReplaceOriginal(url)).
func (c *Client) Respond(ctx context.Context, responseURL string, opts ...slack.MsgOption) error {
	all := append([]slack.MsgOption{slack.MsgOptionResponseURL(responseURL, slack.ResponseTypeEphemeral)}, opts...)
	return c.do(ctx, "response_url", "", func(ctx context.Context) error {
		_, _, _, err := c.api.SendMessageContext(ctx, "", all...)
		return err
	})
}

// OpenView opens a modal. The trigger_id lives 3 seconds, so call this before slow work.
func (c *Client) OpenView(ctx context.Context, triggerID string, v slack.ModalViewRequest) (*slack.View, error) {
	var view *slack.View
	err := c.do(ctx, "views.open", "", func(ctx context.Context) error {
		resp, err := c.api.OpenViewContext(ctx, triggerID, v)
		if err == nil {
			view = &resp.View
		}
		return err
	})
	return view, err
}

// PushView pushes a modal onto the open stack (at most 3 views deep).
func (c *Client) PushView(ctx context.Context, triggerID string, v slack.ModalViewRequest) (*slack.View, error) {
	var view *slack.View
	err := c.do(ctx, "views.push", "", func(ctx context.Context) error {
		resp, err := c.api.PushViewContext(ctx, triggerID, v)
		if err == nil {
			view = &resp.View
		}
		return err
	})
	return view, err
}

// UpdateView replaces an open view; a stale hash fails with hash_conflict.
func (c *Client) UpdateView(ctx context.Context, v slack.ModalViewRequest, viewID, hash string) (*slack.View, error) {
	var view *slack.View
	err := c.do(ctx, "views.update", "", func(ctx context.Context) error {
		resp, err := c.api.UpdateViewContext(ctx, v, "", hash, viewID)
		if err == nil {
			view = &resp.View
		}
		return err
	})
	return view, err
}

// PublishHome publishes a user's App Home tab.
func (c *Client) PublishHome(ctx context.Context, userID string, v slack.HomeTabViewRequest) error {
	return c.do(ctx, "views.publish", "", func(ctx context.Context) error {
		_, err := c.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: v})
		return err
	})
}

// OpenDM returns the ID of the bot's DM with a user (conversations.open), cached per user.
func (c *Client) OpenDM(ctx context.Context, userID string) (string, error) {
	c.mu.Lock()
	id, ok := c.dms[userID]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	err := c.do(ctx, "conversations.open", "", func(ctx context.Context) error {
		ch, _, _, err := c.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{userID}, ReturnIM: true})
		if err == nil {
			id = ch.ID
		}
		return err
	})
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.dms[userID] = id
	c.mu.Unlock()
	return id, nil
}

// UserInfo returns a user (users.info), with tz for scheduling.
func (c *Client) UserInfo(ctx context.Context, userID string) (*slack.User, error) {
	var u *slack.User
	err := c.do(ctx, "users.info", "", func(ctx context.Context) error {
		var err error
		u, err = c.api.GetUserInfoContext(ctx, userID)
		return err
	})
	return u, err
}

// Users lists every user of the workspace (users.list, all pages; each page is retried on its own).
func (c *Client) Users(ctx context.Context) ([]slack.User, error) {
	var users []slack.User
	page := c.api.GetUsersPaginated(slack.GetUsersOptionLimit(usersPageSize))
	for {
		done := false
		err := c.do(ctx, "users.list", "", func(ctx context.Context) error {
			next, err := page.Next(ctx)
			if page.Done(err) {
				done = true
				return nil
			}
			if err == nil {
				page = next
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if done {
			return users, nil
		}
		users = append(users, page.Users...)
	}
}

// JoinChannel makes the bot a member of a public channel.
func (c *Client) JoinChannel(ctx context.Context, channelID string) error {
	return c.do(ctx, "conversations.join", "", func(ctx context.Context) error {
		_, _, _, err := c.api.JoinConversationContext(ctx, channelID)
		return err
	})
}

// ChannelInfo returns a conversation (conversations.info).
func (c *Client) ChannelInfo(ctx context.Context, channelID string) (*slack.Channel, error) {
	var ch *slack.Channel
	err := c.do(ctx, "conversations.info", "", func(ctx context.Context) error {
		var err error
		ch, err = c.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channelID})
		return err
	})
	return ch, err
}

// Permalink returns a message's permalink (chat.getPermalink).
func (c *Client) Permalink(ctx context.Context, channelID, ts string) (string, error) {
	key := channelID + "/" + ts
	c.mu.Lock()
	link, ok := c.links[key]
	c.mu.Unlock()
	if ok {
		return link, nil
	}
	err := c.do(ctx, "chat.getPermalink", "", func(ctx context.Context) error {
		var err error
		link, err = c.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channelID, Ts: ts})
		return err
	})
	// A message or channel that is gone stays gone: it is said once, and after that it has no link.
	if gone := IsSlackError(err, "message_not_found", "channel_not_found"); err == nil || gone {
		c.mu.Lock()
		if len(c.links) >= maxCachedLinks {
			c.links = map[string]string{}
		}
		c.links[key] = link
		c.mu.Unlock()
	}
	return link, err
}

// FileUpload is a file to share in a conversation.
type FileUpload struct {
	Filename string // with its extension, e.g. requests.csv
	Title    string
	Comment  md.Text // the message the file is shared with (mrkdwn)
	Content  []byte
}

// UploadFile shares a file in a channel or DM through Slack's upload flow: files.getUploadURLExternal,
// the bytes POSTed to the URL it returns, then files.completeUploadExternal, which posts the file with
// its comment. An upload URL takes its bytes once, so a failed attempt at the first two steps starts
// again from a new URL; the last step is retried on its own and paced like a post to the channel.
// It returns the file's ID.
func (c *Client) UploadFile(ctx context.Context, channelID string, f FileUpload) (string, error) {
	if len(f.Content) == 0 {
		return "", errors.New("slack files.upload: the file is empty")
	}
	var fileID string
	err := c.do(ctx, "files.getUploadURLExternal", "", func(ctx context.Context) error {
		u, err := c.api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: f.Filename, FileSize: len(f.Content)})
		if err != nil {
			return err
		}
		if err := c.api.UploadToURL(ctx, slack.UploadToURLParameters{UploadURL: u.UploadURL, Filename: f.Filename, Reader: bytes.NewReader(f.Content)}); err != nil {
			return err
		}
		fileID = u.FileID
		return nil
	})
	if err != nil {
		return "", err
	}
	err = c.do(ctx, "files.completeUploadExternal", channelID, func(ctx context.Context) error {
		_, err := c.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
			Files: []slack.FileSummary{{ID: fileID, Title: f.Title}}, Channel: channelID, InitialComment: string(f.Comment),
		})
		return err
	})
	return fileID, err
}

// RecentMessages returns, with their metadata, the messages of a channel posted since oldest (a
// Slack ts), newest first, or those of the thread under threadTS when it is set, oldest first. It
// reads one page of up to 200.
func (c *Client) RecentMessages(ctx context.Context, channelID, threadTS, oldest string) ([]slack.Message, error) {
	var msgs []slack.Message
	if threadTS != "" {
		err := c.do(ctx, "conversations.replies", "", func(ctx context.Context) error {
			var err error
			msgs, _, _, err = c.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
				ChannelID: channelID, Timestamp: threadTS, Oldest: oldest, Limit: 200, IncludeAllMetadata: true})
			return err
		})
		return msgs, err
	}
	err := c.do(ctx, "conversations.history", "", func(ctx context.Context) error {
		resp, err := c.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: channelID, Oldest: oldest, Limit: 200, IncludeAllMetadata: true})
		if err == nil {
			msgs = resp.Messages
		}
		return err
	})
	return msgs, err
}

// AuthTest returns the bot's own identity (user ID, bot ID, team ID).
func (c *Client) AuthTest(ctx context.Context) (*slack.AuthTestResponse, error) {
	var resp *slack.AuthTestResponse
	err := c.do(ctx, "auth.test", "", func(ctx context.Context) error {
		var err error
		resp, err = c.api.AuthTestContext(ctx)
		return err
	})
	return resp, err
}

// IsSlackError reports whether err carries a Slack error response with one of codes
// (any code when none are given), e.g. IsSlackError(err, "not_in_channel").
func IsSlackError(err error, codes ...string) bool {
	se, ok := errors.AsType[slack.SlackErrorResponse](err)
	if !ok {
		return false
	}
	return len(codes) == 0 || slices.Contains(codes, se.Err)
}

// IsPermanent reports whether err is Slack refusing a call for good (a channel not found, archived,
// closed to the bot…), as opposed to a failure that may pass: a timeout, a dropped connection, a
// 5xx or a rate limit outlasting the client's retries.
func IsPermanent(err error) bool {
	return IsSlackError(err) && !IsSlackError(err, transientSlackErrors...)
}

// do runs call with pacing (when pacedChannel is set) and retries, and logs a final failure once.
func (c *Client) do(ctx context.Context, method, pacedChannel string, call func(context.Context) error) error {
	log := c.log.With("method", method)
	if pacedChannel != "" {
		log = log.With("channel_id", pacedChannel)
	}
	for attempt := 1; ; attempt++ {
		if pacedChannel != "" && c.pacer != nil {
			waitFrom := c.cfg.Now()
			err := c.pace(ctx, pacedChannel)
			c.cfg.Observer.Waited(method, c.cfg.Now().Sub(waitFrom))
			if err != nil {
				return c.fail(log, attempt-1, fmt.Errorf("slack %s: waiting for the channel's send slot: %w", method, err))
			}
		}
		err := call(ctx)
		c.cfg.Observer.Called(method, callResult(err))
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return c.fail(log, attempt, fmt.Errorf("slack %s: %w", method, err))
		}
		wait, retry := c.retryWait(err, attempt)
		if !retry {
			return c.fail(log, attempt, fmt.Errorf("slack %s: %w", method, err))
		}
		if attempt >= c.cfg.MaxAttempts {
			return c.fail(log, attempt, fmt.Errorf("slack %s: giving up after %d attempts: %w", method, attempt, err))
		}
		rl, limited := errors.AsType[*slack.RateLimitedError](err)
		if limited && wait > c.cfg.MaxRetryWait {
			return c.fail(log, attempt, fmt.Errorf("slack %s: rate limited for %s, longer than the %s we wait: %w", method, wait, c.cfg.MaxRetryWait, err))
		}
		if deadline, ok := ctx.Deadline(); ok && c.cfg.Now().Add(wait).After(deadline) {
			return c.fail(log, attempt, fmt.Errorf("slack %s: retry in %s would pass the deadline: %w", method, wait, err))
		}
		log.Warn("slack call failed; retrying", "attempt", attempt, "wait_ms", wait.Milliseconds(), "err", err)
		if limited && pacedChannel != "" && c.pacer != nil {
			// The channel's next slot moves past Retry-After for every sender; pace waits for it.
			c.pacer.block(pacedChannel, c.cfg.Now().Add(rl.RetryAfter))
			continue
		}
		c.cfg.Observer.Waited(method, wait)
		if serr := c.cfg.Sleep(ctx, wait); serr != nil {
			return c.fail(log, attempt, fmt.Errorf("slack %s: stopped waiting to retry (%w) after: %w", method, serr, err))
		}
	}
}

// callResult names an attempt's outcome for metrics: ok, ratelimited, Slack's error code, or
// transport_error (the call did not get Slack's answer).
func callResult(err error) string {
	if err == nil {
		return "ok"
	}
	if _, limited := errors.AsType[*slack.RateLimitedError](err); limited {
		return "ratelimited"
	}
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok && se.Err != "" {
		return se.Err
	}
	return "transport_error"
}

// pace waits for the channel's next send slot. A slot booked before a 429 blocked the
// channel is given up and a new one booked after the block.
func (c *Client) pace(ctx context.Context, channel string) error {
	for {
		deadline, _ := ctx.Deadline()
		r, ok := c.pacer.reserve(channel, c.cfg.Now(), deadline)
		if !ok {
			return fmt.Errorf("next slot at %s is past the deadline: %w", r.at.Format(time.RFC3339Nano), context.DeadlineExceeded)
		}
		if wait := r.at.Sub(c.cfg.Now()); wait > 0 {
			if err := c.cfg.Sleep(ctx, wait); err != nil {
				c.pacer.release(r)
				return err
			}
		}
		if !c.pacer.blockedUntil(channel).After(c.cfg.Now()) {
			return nil
		}
	}
}

// retryWait says whether err is worth another attempt and how long to wait first.
func (c *Client) retryWait(err error, attempt int) (time.Duration, bool) {
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return max(rl.RetryAfter, minRetryAfter), true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return 0, false
	}
	if IsSlackError(err, transientSlackErrors...) || transientTransportError(err) {
		return backoff(attempt), true
	}
	return 0, false
}

// transientTransportError reports HTTP 5xx, 429 without Retry-After, timeouts and dropped
// or refused connections.
func transientTransportError(err error) bool {
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok {
		return sc.Code >= 500 || sc.Code == 429
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return true
	}
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// backoff is exponential from backoffBase, capped at backoffMax, with jitter in [d/2, d).
func backoff(attempt int) time.Duration {
	d := min(backoffBase<<min(attempt-1, 16), backoffMax)
	return d/2 + rand.N(d/2)
}

func (c *Client) fail(log *slog.Logger, attempts int, err error) error {
	level := slog.LevelError
	if IsSlackError(err) && !IsSlackError(err, transientSlackErrors...) {
		level = slog.LevelWarn // Slack refused the call; the caller decides what that means
	}
	log.Log(context.Background(), level, "slack call failed", "attempts", attempts, "err", err)
	return err
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
