package slackdouble

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	maxPostText   = 40000
	maxUpdateText = 4000
)

// messageJSON renders a message the way Slack returns it in API responses
// and interaction payloads.
func (s *Server) messageJSON(m *Message) map[string]any {
	out := map[string]any{"type": "message", "text": m.Text, "ts": m.TS, "team": s.opts.TeamID, "user": m.User}
	if m.BotID != "" {
		out["bot_id"] = m.BotID
		out["app_id"] = s.opts.AppID
	}
	if len(m.Blocks) > 0 {
		out["blocks"] = m.Blocks
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if m.Edits > 0 {
		out["edited"] = map[string]any{"user": m.User, "ts": m.EditedTS}
	}
	if len(m.Files) > 0 {
		files := make([]map[string]any, len(m.Files))
		for i, f := range m.Files {
			files[i] = map[string]any{"id": f.ID, "name": f.Name, "title": f.Title, "size": len(f.Content)}
		}
		out["files"] = files
		out["upload"] = true
	}
	return out
}

// messageContent reads and validates text and blocks of a message request.
// present reports which of the two fields the request carried.
type messageContent struct {
	text      string
	blocks    json.RawMessage
	hasText   bool
	hasBlocks bool
}

func (s *Server) readContent(r *apiRequest, maxText int) (messageContent, *apiError) {
	mc := messageContent{text: r.get("text"), hasText: r.has("text"), hasBlocks: r.has("blocks")}
	raw := strings.TrimSpace(r.get("blocks"))
	if raw != "" {
		norm, code, msgs := checkMessageBlocks(raw, s.opts.PerBlockActionIDs)
		if code != "" {
			return mc, fail(code, msgs...)
		}
		if string(norm) != "[]" {
			mc.blocks = norm
		}
	}
	if mc.text == "" && mc.blocks == nil && r.get("attachments") == "" {
		return mc, fail("no_text")
	}
	if utf8.RuneCountInString(mc.text) > maxText {
		return mc, fail("msg_too_long")
	}
	return mc, nil
}

// postTargetLocked resolves a channel argument for posting: a channel id,
// or a user id meaning the bot's DM with that user.
func (s *Server) postTargetLocked(id string) (*channelState, *apiError) {
	if strings.HasPrefix(id, "U") || strings.HasPrefix(id, "W") {
		u, ok := s.ws.users[id]
		if !ok || u.IsBot {
			return nil, fail("channel_not_found")
		}
		s.openDMLocked(id)
		id = s.DMChannel(id)
	}
	c := s.channelLocked(id)
	if c == nil {
		return nil, fail("channel_not_found")
	}
	if c.Archived {
		return nil, fail("is_archived")
	}
	if !c.BotIsMember {
		return nil, fail("not_in_channel")
	}
	return c, nil
}

func (s *Server) chatPostMessage(r *apiRequest) (map[string]any, *apiError) {
	mc, e := s.readContent(r, maxPostText)
	if e != nil {
		return nil, e
	}
	meta, e := readMetadata(r.get("metadata"))
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.postTargetLocked(r.get("channel"))
	if e != nil {
		return nil, e
	}
	m, e := s.appendMessageLocked(c, s.opts.BotUserID, s.opts.BotID, mc.text, mc.blocks, r.get("thread_ts"))
	if e != nil {
		return nil, e
	}
	m.ReplyBroadcast = m.ThreadTS != "" && r.flag("reply_broadcast")
	m.Metadata = meta
	s.notifyLocked()
	return map[string]any{"channel": c.ID, "ts": m.TS, "message": s.messageJSON(m)}, nil
}

// readMetadata checks a message's metadata as Slack does: a JSON object with an event_type of
// letters, digits and underscores, and an event_payload object.
func readMetadata(raw string) (json.RawMessage, *apiError) {
	if raw == "" {
		return nil, nil
	}
	var meta struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	if err := json.Unmarshal([]byte(raw), &meta); err != nil || meta.EventPayload == nil || !eventType.MatchString(meta.EventType) {
		return nil, fail("invalid_metadata_format")
	}
	return json.RawMessage(raw), nil
}

var eventType = regexp.MustCompile(`^[A-Za-z0-9_]{1,255}$`)

// appendMessageLocked stores a new message, threading it under threadTS
// (a reply's ts threads under that reply's parent, as in Slack).
func (s *Server) appendMessageLocked(c *channelState, user, botID, text string, blocks json.RawMessage, threadTS string) (*Message, *apiError) {
	var parent *Message
	if threadTS != "" {
		parent = c.find(threadTS)
		if parent == nil {
			return nil, fail("thread_not_found")
		}
		if parent.ThreadTS != "" && parent.ThreadTS != parent.TS {
			parent = c.find(parent.ThreadTS)
			if parent == nil {
				return nil, fail("thread_not_found")
			}
		}
	}
	m := &Message{Channel: c.ID, TS: s.nextTSLocked(), User: user, BotID: botID, Text: text, Blocks: blocks}
	if parent != nil {
		parent.ThreadTS = parent.TS
		m.ThreadTS = parent.TS
	}
	c.msgs = append(c.msgs, m)
	return m, nil
}

func (s *Server) chatUpdate(r *apiRequest) (map[string]any, *apiError) {
	mc, e := s.readContent(r, maxUpdateText)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, e := s.messageLocked(r.get("channel"), r.get("ts"))
	if e != nil {
		return nil, e
	}
	if m.BotID != s.opts.BotID {
		return nil, fail("cant_update_message")
	}
	if c.Archived {
		return nil, fail("is_archived")
	}
	s.editMessageLocked(m, mc)
	s.notifyLocked()
	return map[string]any{"channel": c.ID, "ts": m.TS, "text": m.Text, "message": s.messageJSON(m)}, nil
}

// messageLocked finds a message by channel and ts, answering as Slack does when either is unknown.
func (s *Server) messageLocked(channelID, ts string) (*channelState, *Message, *apiError) {
	c := s.channelLocked(channelID)
	if c == nil {
		return nil, nil, fail("channel_not_found")
	}
	m := c.find(ts)
	if m == nil {
		return nil, nil, fail("message_not_found")
	}
	return c, m, nil
}

// editMessageLocked replaces the fields the edit carries and keeps the
// previous version in the history.
func (s *Server) editMessageLocked(m *Message, mc messageContent) {
	m.History = append(m.History, Revision{Text: m.Text, Blocks: m.Blocks, Replaced: time.Now()})
	m.Edits++
	m.EditedTS = s.nextTSLocked()
	if mc.hasText {
		m.Text = mc.text
	}
	if mc.hasBlocks {
		m.Blocks = mc.blocks
	}
}

func (s *Server) chatDelete(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, e := s.messageLocked(r.get("channel"), r.get("ts"))
	if e != nil {
		return nil, e
	}
	if m.BotID != s.opts.BotID {
		return nil, fail("cant_delete_message")
	}
	m.Deleted = true
	s.notifyLocked()
	return map[string]any{"channel": c.ID, "ts": m.TS}, nil
}

func (s *Server) chatPostEphemeral(r *apiRequest) (map[string]any, *apiError) {
	mc, e := s.readContent(r, maxPostText)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	userID := r.get("user")
	u, ok := s.ws.users[userID]
	if !ok || u.Deleted {
		return nil, fail("user_not_found")
	}
	c, e := s.postTargetLocked(r.get("channel"))
	if e != nil {
		return nil, e
	}
	if !c.isMember(userID) {
		return nil, fail("user_not_in_channel")
	}
	eph := &Ephemeral{Channel: c.ID, User: userID, TS: s.nextTSLocked(), ThreadTS: r.get("thread_ts"),
		Text: mc.text, Blocks: mc.blocks, Source: "chat.postEphemeral"}
	s.ws.ephemerals[userID] = append(s.ws.ephemerals[userID], eph)
	s.notifyLocked()
	return map[string]any{"message_ts": eph.TS}, nil
}

func (s *Server) chatGetPermalink(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channelLocked(r.get("channel"))
	if c == nil {
		return nil, fail("channel_not_found")
	}
	m := c.find(r.get("message_ts"))
	if m == nil {
		return nil, fail("message_not_found")
	}
	link := fmt.Sprintf("https://%s.slack.com/archives/%s/%s", s.opts.TeamDomain, c.ID, permalinkTS(m.TS))
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		link += fmt.Sprintf("?thread_ts=%s&cid=%s", m.ThreadTS, c.ID)
	}
	return map[string]any{"channel": c.ID, "permalink": link}, nil
}

func (s *Server) reactionsAdd(r *apiRequest) (map[string]any, *apiError) {
	name := r.get("name")
	if name == "" || strings.Contains(name, ":") {
		return nil, fail("invalid_name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, m, e := s.messageLocked(r.get("channel"), r.get("timestamp"))
	if e != nil {
		return nil, e
	}
	if slices.Contains(m.Reactions, name) {
		return nil, fail("already_reacted")
	}
	m.Reactions = append(m.Reactions, name)
	s.notifyLocked()
	return nil, nil
}
