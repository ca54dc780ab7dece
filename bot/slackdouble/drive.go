package slackdouble

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"
)

// verificationToken is the deprecated token Slack still puts in payloads.
const verificationToken = "dbl-verification-token"

// Envelope is a Socket Mode envelope as sent to the bot.
type Envelope struct {
	EnvelopeID             string          `json:"envelope_id"`
	Type                   string          `json:"type"` // events_api, interactive, slash_commands
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	Payload                json.RawMessage `json:"payload"`
	RetryAttempt           int             `json:"retry_attempt"`
	RetryReason            string          `json:"retry_reason"`
}

// Ack is the bot's acknowledgement of an envelope.
type Ack struct {
	EnvelopeID string
	Payload    json.RawMessage // nil when the bot acked without a payload
	Latency    time.Duration
	Envelope   Envelope // the envelope as delivered, for Resend
}

var (
	// ErrLateAck means the bot acked after Options.AckTimeout; Slack would
	// already have shown the user an error, so the ack had no effect.
	ErrLateAck = errors.New("slackdouble: ack arrived after the ack timeout")
	// ErrAckDropped means the ack was 20 KB or more and Slack dropped it.
	ErrAckDropped = errors.New("slackdouble: ack of 20 KB or more was dropped")
)

func newEnvelope(typ string, payload any) Envelope {
	return Envelope{
		EnvelopeID:             newUUID(),
		Type:                   typ,
		AcceptsResponsePayload: typ != "events_api",
		Payload:                mustJSON(payload),
	}
}

// deliver sends the envelope to one socket (or, after DeliverOverHTTP, posts it) and waits for its ack.
func (s *Server) deliver(ctx context.Context, env Envelope) (Ack, error) {
	if bases, secret := s.httpTargets(); len(bases) > 0 {
		return s.deliverHTTP(ctx, env, bases, secret)
	}
	w := make(chan ackFrame, 1)
	s.sock.mu.Lock()
	s.sock.waiters[env.EnvelopeID] = w
	s.sock.mu.Unlock()
	defer func() {
		s.sock.mu.Lock()
		delete(s.sock.waiters, env.EnvelopeID)
		s.sock.mu.Unlock()
	}()
	start := time.Now()
	if err := s.sendFrame(ctx, mustJSON(env)); err != nil {
		s.inspectEnvelope(env, nil, err)
		return Ack{Envelope: env}, err
	}
	select {
	case f := <-w:
		ack := Ack{EnvelopeID: env.EnvelopeID, Payload: f.payload, Latency: f.at.Sub(start), Envelope: env}
		var err error
		switch {
		case f.dropped:
			err = ErrAckDropped
		case ack.Latency > s.opts.AckTimeout:
			err = fmt.Errorf("%w: %v", ErrLateAck, ack.Latency)
		}
		s.inspectEnvelope(env, ack.Payload, err)
		return ack, err
	case <-ctx.Done():
		s.inspectEnvelope(env, nil, ctx.Err())
		return Ack{Envelope: env}, fmt.Errorf("slackdouble: no ack for %s envelope %s: %w", env.Type, env.EnvelopeID, ctx.Err())
	case <-s.done:
		return Ack{Envelope: env}, errors.New("slackdouble: server closed")
	}
}

// Resend delivers the same envelope again (same envelope_id and payload, so
// the same event_id or trigger) with retry_attempt incremented, as Slack
// does when it redelivers. The ack has no further effect on the double.
func (s *Server) Resend(ctx context.Context, env Envelope) (Ack, error) {
	env.RetryAttempt++
	if env.Type == "events_api" {
		env.RetryReason = "timeout"
	}
	return s.deliver(ctx, env)
}

func (s *Server) teamJSON() map[string]any {
	return map[string]any{"id": s.opts.TeamID, "domain": s.opts.TeamDomain}
}

func (s *Server) userRefLocked(userID string) (map[string]any, error) {
	u, ok := s.ws.users[userID]
	if !ok {
		return nil, fmt.Errorf("slackdouble: unknown user %s", userID)
	}
	return map[string]any{"id": u.ID, "username": u.Name, "name": u.Name, "team_id": s.opts.TeamID}, nil
}

func channelName(c *channelState) string {
	switch {
	case c.im:
		return "directmessage"
	case c.Private && !c.BotIsMember:
		return "privategroup"
	}
	return c.Name
}

func (s *Server) actionTS() string {
	now := s.opts.Now().UnixMicro()
	return fmt.Sprintf("%d.%06d", now/1e6, now%1e6)
}

// SlashCommand is a slash command typed by a user.
type SlashCommand struct {
	UserID    string
	ChannelID string // C…, G… or D… (D+user id for the bot's DM)
	Command   string // with the leading slash
	Text      string
}

// SlashCommand delivers a slash_commands envelope. A text/blocks ack payload
// becomes the command's immediate reply: an ephemeral (Source "ack") or, with
// response_type "in_channel", a channel message. An ack payload with invalid
// blocks is reported as an error, as Slack shows the user a failure.
func (s *Server) SlashCommand(ctx context.Context, cmd SlashCommand) (Ack, error) {
	if !strings.HasPrefix(cmd.Command, "/") {
		return Ack{}, fmt.Errorf("slackdouble: command %q must start with /", cmd.Command)
	}
	s.mu.Lock()
	u, uok := s.ws.users[cmd.UserID]
	c := s.userChannelLocked(cmd.ChannelID)
	if !uok || c == nil {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("slackdouble: unknown user %s or channel %s", cmd.UserID, cmd.ChannelID)
	}
	payload := map[string]any{
		"token":                 verificationToken,
		"team_id":               s.opts.TeamID,
		"team_domain":           s.opts.TeamDomain,
		"channel_id":            c.ID,
		"channel_name":          channelName(c),
		"user_id":               u.ID,
		"user_name":             u.Name,
		"command":               cmd.Command,
		"text":                  cmd.Text,
		"api_app_id":            s.opts.AppID,
		"is_enterprise_install": "false",
		"response_url":          s.newResponseURLLocked(c.ID, u.ID, "", "", false),
		"trigger_id":            s.newTriggerLocked(u.ID),
	}
	s.mu.Unlock()

	ack, err := s.deliver(ctx, newEnvelope("slash_commands", payload))
	if err != nil || len(ack.Payload) == 0 {
		return ack, err
	}
	return ack, s.applyCommandReply(c.ID, u.ID, ack.Payload)
}

func (s *Server) applyCommandReply(channelID, userID string, payload json.RawMessage) error {
	var p responsePayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return fmt.Errorf("slackdouble: slash command ack payload: %w", err)
	}
	var blocks json.RawMessage
	if raw := strings.TrimSpace(string(p.Blocks)); raw != "" && raw != "null" {
		norm, code, msgs := checkMessageBlocks(raw, s.opts.PerBlockActionIDs)
		if code != "" {
			return fmt.Errorf("slackdouble: slash command ack payload: %s %v", code, msgs)
		}
		if string(norm) != "[]" {
			blocks = norm
		}
	}
	if p.Text == "" && blocks == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channelLocked(channelID)
	if p.ResponseType == "in_channel" {
		if _, e := s.appendMessageLocked(c, s.opts.BotUserID, s.opts.BotID, p.Text, blocks, ""); e != nil {
			return fmt.Errorf("slackdouble: slash command reply: %s", e.code)
		}
	} else {
		eph := &Ephemeral{Channel: channelID, User: userID, TS: s.nextTSLocked(), Text: p.Text, Blocks: blocks, Source: "ack"}
		s.ws.ephemerals[userID] = append(s.ws.ephemerals[userID], eph)
	}
	s.notifyLocked()
	return nil
}

// SendEvent wraps inner (whose "type" defaults to eventType) in an
// event_callback and delivers it as an events_api envelope. The returned
// Ack.Envelope can be passed to Resend to simulate a redelivery.
func (s *Server) SendEvent(ctx context.Context, eventType string, inner map[string]any) (string, Ack, error) {
	ev := maps.Clone(inner)
	if ev == nil {
		ev = map[string]any{}
	}
	if _, ok := ev["type"]; !ok {
		ev["type"] = eventType
	}
	if _, ok := ev["event_ts"]; !ok {
		ev["event_ts"] = s.actionTS()
	}
	s.mu.Lock()
	eventID := fmt.Sprintf("Ev%08X%s", s.seqLocked(), strings.ToUpper(randomID(2)))
	s.mu.Unlock()
	outer := map[string]any{
		"token":      verificationToken,
		"team_id":    s.opts.TeamID,
		"api_app_id": s.opts.AppID,
		"event":      ev,
		"type":       "event_callback",
		"event_id":   eventID,
		"event_time": s.opts.Now().Unix(),
		"authorizations": []any{map[string]any{
			"enterprise_id": nil, "team_id": s.opts.TeamID, "user_id": s.opts.BotUserID,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
		"event_context":         "4-" + randomID(40),
	}
	ack, err := s.deliver(ctx, newEnvelope("events_api", outer))
	return eventID, ack, err
}

// AppHomeOpened sends app_home_opened for the Home tab, with the user's
// published view when there is one.
func (s *Server) AppHomeOpened(ctx context.Context, userID string) (string, Ack, error) {
	s.mu.Lock()
	if _, ok := s.ws.users[userID]; !ok {
		s.mu.Unlock()
		return "", Ack{}, fmt.Errorf("slackdouble: unknown user %s", userID)
	}
	c := s.openDMLocked(userID)
	inner := map[string]any{"user": userID, "channel": c.ID, "tab": "home"}
	if v, ok := s.ws.homes[userID]; ok {
		inner["view"] = s.viewJSON(v, nil)
	}
	s.mu.Unlock()
	return s.SendEvent(ctx, "app_home_opened", inner)
}

// PostUserMessage stores a message written by a person and returns its ts.
// It delivers no event; pair it with SendEvent when the bot should hear it.
// It panics when the channel, user or thread does not exist.
func (s *Server) PostUserMessage(channelID, userID, text, threadTS string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.userChannelLocked(channelID)
	if c == nil {
		panic(fmt.Sprintf("slackdouble: PostUserMessage: unknown channel %s", channelID))
	}
	if _, ok := s.ws.users[userID]; !ok {
		panic(fmt.Sprintf("slackdouble: PostUserMessage: unknown user %s", userID))
	}
	m, e := s.appendMessageLocked(c, userID, "", text, nil, threadTS)
	if e != nil {
		panic(fmt.Sprintf("slackdouble: PostUserMessage: %s", e.code))
	}
	s.notifyLocked()
	return m.TS
}

// MessageShortcut delivers a message_action payload for a message shortcut
// used on a channel message.
func (s *Server) MessageShortcut(ctx context.Context, userID, channelID, messageTS, callbackID string) (Ack, error) {
	s.mu.Lock()
	user, err := s.userRefLocked(userID)
	c := s.userChannelLocked(channelID)
	if err != nil || c == nil {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("slackdouble: unknown user %s or channel %s", userID, channelID)
	}
	m := c.find(messageTS)
	if m == nil {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("slackdouble: no message %s in %s", messageTS, channelID)
	}
	payload := map[string]any{
		"type":                  "message_action",
		"token":                 verificationToken,
		"action_ts":             s.actionTS(),
		"team":                  s.teamJSON(),
		"user":                  user,
		"channel":               map[string]any{"id": c.ID, "name": channelName(c)},
		"is_enterprise_install": false,
		"enterprise":            nil,
		"callback_id":           callbackID,
		"trigger_id":            s.newTriggerLocked(userID),
		"response_url":          s.newResponseURLLocked(c.ID, userID, "", m.ThreadTS, false),
		"message_ts":            m.TS,
		"message":               s.messageJSON(m),
	}
	s.mu.Unlock()
	return s.deliver(ctx, newEnvelope("interactive", payload))
}

// GlobalShortcut delivers a shortcut payload (no channel, no response_url).
func (s *Server) GlobalShortcut(ctx context.Context, userID, callbackID string) (Ack, error) {
	s.mu.Lock()
	user, err := s.userRefLocked(userID)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	payload := map[string]any{
		"type":                  "shortcut",
		"token":                 verificationToken,
		"action_ts":             s.actionTS(),
		"team":                  s.teamJSON(),
		"user":                  user,
		"is_enterprise_install": false,
		"enterprise":            nil,
		"callback_id":           callbackID,
		"trigger_id":            s.newTriggerLocked(userID),
	}
	s.mu.Unlock()
	return s.deliver(ctx, newEnvelope("interactive", payload))
}
