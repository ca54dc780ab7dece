package slackdouble

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

func (s *Server) channelJSON(c *channelState) map[string]any {
	out := map[string]any{
		"id":              c.ID,
		"created":         c.created,
		"is_channel":      !c.im && !c.Private,
		"is_group":        !c.im && c.Private,
		"is_im":           c.im,
		"is_mpim":         false,
		"is_private":      c.Private,
		"is_archived":     c.Archived,
		"is_member":       c.BotIsMember,
		"is_general":      false,
		"is_ext_shared":   false,
		"is_org_shared":   false,
		"context_team_id": s.opts.TeamID,
	}
	if c.im {
		out["user"] = c.imUser
		out["is_open"] = true
		out["is_user_deleted"] = false
		if u, ok := s.ws.users[c.imUser]; ok {
			out["is_user_deleted"] = u.Deleted
		}
		return out
	}
	out["name"] = c.Name
	out["name_normalized"] = c.Name
	members := len(c.Members)
	if c.BotIsMember {
		members++
	}
	out["num_members"] = members
	return out
}

// visibleChannelLocked finds a channel the bot can see: private channels
// and DMs only when the bot is a member, as with Slack's bot tokens.
func (s *Server) visibleChannelLocked(id string) *channelState {
	c := s.channelLocked(id)
	if c == nil || (c.Private && !c.BotIsMember) {
		return nil
	}
	return c
}

func (s *Server) conversationsOpen(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch := r.get("channel"); ch != "" {
		c := s.visibleChannelLocked(ch)
		if c == nil || !c.im {
			return nil, fail("channel_not_found")
		}
		return map[string]any{"channel": s.channelJSON(c), "no_op": true, "already_open": true}, nil
	}
	var users []string
	for u := range strings.SplitSeq(r.get("users"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			users = append(users, u)
		}
	}
	switch {
	case len(users) == 0:
		return nil, fail("users_list_not_supplied")
	case len(users) > 8:
		return nil, fail("too_many_users")
	case len(users) > 1:
		return nil, fail("mpim_not_supported")
	}
	u, ok := s.ws.users[users[0]]
	switch {
	case !ok:
		return nil, fail("user_not_found")
	case u.Deleted:
		return nil, fail("user_disabled")
	case u.IsBot:
		return nil, fail("cannot_dm_bot")
	}
	_, existed := s.ws.channels[s.DMChannel(u.ID)]
	c := s.openDMLocked(u.ID)
	s.notifyLocked()
	ch := map[string]any{"id": c.ID}
	if r.flag("return_im") {
		ch = s.channelJSON(c)
	}
	return map[string]any{"channel": ch, "no_op": existed, "already_open": existed}, nil
}

func (s *Server) conversationsJoin(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.visibleChannelLocked(r.get("channel"))
	switch {
	case c == nil:
		return nil, fail("channel_not_found")
	case c.im || c.Private:
		return nil, fail("method_not_supported_for_channel_type")
	case c.Archived:
		return nil, fail("is_archived")
	}
	res := map[string]any{}
	if c.BotIsMember {
		res["warning"] = "already_in_channel"
		res["response_metadata"] = map[string]any{"warnings": []string{"already_in_channel"}}
	}
	c.BotIsMember = true
	s.notifyLocked()
	res["channel"] = s.channelJSON(c)
	return res, nil
}

func (s *Server) conversationsInfo(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.visibleChannelLocked(r.get("channel"))
	if c == nil {
		return nil, fail("channel_not_found")
	}
	return map[string]any{"channel": s.channelJSON(c)}, nil
}

func (s *Server) conversationsReplies(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.visibleChannelLocked(r.get("channel"))
	if c == nil {
		return nil, fail("channel_not_found")
	}
	parent := c.find(r.get("ts"))
	if parent == nil {
		return nil, fail("thread_not_found")
	}
	root := parent.TS
	if parent.ThreadTS != "" {
		root = parent.ThreadTS
	}
	var msgs []*Message
	for _, m := range c.msgs {
		if !m.Deleted && (m.TS == root || m.ThreadTS == root) {
			msgs = append(msgs, m)
		}
	}
	return s.pageMessagesLocked(r, msgs)
}

func (s *Server) conversationsHistory(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.visibleChannelLocked(r.get("channel"))
	if c == nil {
		return nil, fail("channel_not_found")
	}
	oldest, latest := r.get("oldest"), r.get("latest")
	var msgs []*Message
	for _, m := range slices.Backward(c.msgs) {
		if m.Deleted || (m.ThreadTS != "" && m.ThreadTS != m.TS && !m.ReplyBroadcast) {
			continue
		}
		if (oldest != "" && tsLess(m.TS, oldest)) || (latest != "" && tsLess(latest, m.TS)) {
			continue
		}
		msgs = append(msgs, m)
	}
	return s.pageMessagesLocked(r, msgs)
}

func tsLess(a, b string) bool {
	fa, _ := strconv.ParseFloat(a, 64)
	fb, _ := strconv.ParseFloat(b, 64)
	return fa < fb
}

func (s *Server) pageMessagesLocked(r *apiRequest, msgs []*Message) (map[string]any, *apiError) {
	start, limit, e := pageArgs(r, "ts", 1000)
	if e != nil {
		return nil, e
	}
	start = min(start, len(msgs))
	end := min(start+limit, len(msgs))
	out := make([]map[string]any, 0, end-start)
	for _, m := range msgs[start:end] {
		j := s.messageJSON(m)
		if len(m.Metadata) > 0 && r.flag("include_all_metadata") {
			j["metadata"] = m.Metadata
		}
		out = append(out, j)
	}
	res := map[string]any{"messages": out, "has_more": end < len(msgs)}
	res["response_metadata"] = map[string]any{"next_cursor": nextCursor("ts", end, len(msgs))}
	return res, nil
}

// pageArgs decodes cursor and limit; cursors are opaque base64 offsets.
func pageArgs(r *apiRequest, kind string, defLimit int) (int, int, *apiError) {
	limit := defLimit
	if l := r.get("limit"); l != "" && l != "0" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			return 0, 0, fail("invalid_limit")
		}
		limit = min(n, 1000)
	}
	start := 0
	if cur := r.get("cursor"); cur != "" {
		raw, err := base64.StdEncoding.DecodeString(cur)
		rest, ok := strings.CutPrefix(string(raw), kind+":")
		n, aerr := strconv.Atoi(rest)
		if err != nil || !ok || aerr != nil || n < 0 {
			return 0, 0, fail("invalid_cursor")
		}
		start = n
	}
	return start, limit, nil
}

func nextCursor(kind string, next, total int) string {
	if next >= total {
		return ""
	}
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "%s:%d", kind, next))
}
