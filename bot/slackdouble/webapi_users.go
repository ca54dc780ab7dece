package slackdouble

import (
	"strings"
	"time"
)

func (s *Server) userJSON(u *User) map[string]any {
	tzLabel := u.TZ
	if loc, err := time.LoadLocation(u.TZ); err == nil {
		tzLabel, _ = time.Now().In(loc).Zone()
	}
	display := u.DisplayName
	profile := map[string]any{
		"real_name":               u.RealName,
		"real_name_normalized":    u.RealName,
		"display_name":            display,
		"display_name_normalized": display,
		"team":                    s.opts.TeamID,
	}
	if u.Email != "" {
		profile["email"] = u.Email
	}
	if u.IsBot && u.ID == s.opts.BotUserID {
		profile["bot_id"] = s.opts.BotID
		profile["api_app_id"] = s.opts.AppID
	}
	return map[string]any{
		"id":                  u.ID,
		"team_id":             s.opts.TeamID,
		"name":                u.Name,
		"deleted":             u.Deleted,
		"color":               "9f69e7",
		"real_name":           u.RealName,
		"tz":                  u.TZ,
		"tz_label":            tzLabel,
		"tz_offset":           u.TZOffset,
		"profile":             profile,
		"is_bot":              u.IsBot,
		"is_admin":            u.IsAdmin,
		"is_owner":            u.IsOwner,
		"is_primary_owner":    false,
		"is_restricted":       false,
		"is_ultra_restricted": false,
		"is_app_user":         false,
		"is_email_confirmed":  u.Email != "",
		"updated":             time.Now().Unix(),
		"locale":              "en-US",
	}
}

func (s *Server) authTest(*apiRequest) (map[string]any, *apiError) {
	return map[string]any{
		"url":                   "https://" + s.opts.TeamDomain + ".slack.com/",
		"team":                  s.opts.TeamDomain,
		"user":                  s.opts.BotName,
		"team_id":               s.opts.TeamID,
		"user_id":               s.opts.BotUserID,
		"bot_id":                s.opts.BotID,
		"is_enterprise_install": false,
	}, nil
}

func (s *Server) usersInfo(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.ws.users[r.get("user")]
	if !ok {
		return nil, fail("user_not_found")
	}
	return map[string]any{"user": s.userJSON(u)}, nil
}

func (s *Server) usersList(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start, limit, e := pageArgs(r, "user", len(s.ws.userOrder))
	if e != nil {
		return nil, e
	}
	ids := s.ws.userOrder
	start = min(start, len(ids))
	end := min(start+max(limit, 1), len(ids))
	members := make([]map[string]any, 0, end-start)
	for _, id := range ids[start:end] {
		members = append(members, s.userJSON(s.ws.users[id]))
	}
	return map[string]any{
		"members":           members,
		"cache_ts":          time.Now().Unix(),
		"response_metadata": map[string]any{"next_cursor": nextCursor("user", end, len(ids))},
	}, nil
}

func (s *Server) usersLookupByEmail(r *apiRequest) (map[string]any, *apiError) {
	email := strings.ToLower(r.get("email"))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.ws.userOrder {
		if u := s.ws.users[id]; email != "" && strings.ToLower(u.Email) == email {
			return map[string]any{"user": s.userJSON(u)}, nil
		}
	}
	return nil, fail("users_not_found")
}
