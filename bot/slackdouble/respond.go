package slackdouble

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// A response_url accepts at most responseURLUses successful posts within
// responseURLTTL. After that it answers HTTP 404 with a plain-text body
// "used_url" (uses exhausted) or "expired_url" (too old); an id the double
// never issued gets 404 "invalid_url". A rejected payload answers HTTP 400
// with the error code as plain text ("invalid_blocks", "no_text", ...), and
// does not count as a use.
const (
	responseURLUses = 5
	responseURLTTL  = 30 * time.Minute
)

type responseURL struct {
	channel   string
	user      string
	threadTS  string
	msgTS     string // message the interaction came from, or the last ephemeral reply
	ephemeral bool
	uses      int
	created   time.Time
}

func (s *Server) newResponseURLLocked(channel, user, msgTS, threadTS string, ephemeral bool) string {
	id := fmt.Sprintf("%s/%d/%s", s.opts.TeamID, s.seqLocked(), randomID(24))
	s.ws.responses[id] = &responseURL{channel: channel, user: user, msgTS: msgTS, threadTS: threadTS,
		ephemeral: ephemeral, created: time.Now()}
	return s.base + "/respond/" + id
}

type responsePayload struct {
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
	DeleteOriginal  bool            `json:"delete_original"`
	ThreadTS        string          `json:"thread_ts"`
}

func (s *Server) handleRespond(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/respond/")
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	status, msg := http.StatusBadRequest, "invalid_payload"
	if err == nil {
		status, msg = s.respond(id, r.Method, body)
	}
	s.recordURLCall("response_url", "url", id, status, msg, body)
	if status == http.StatusOK {
		writeJSON(w, status, map[string]any{"ok": true})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg)
}

// recordURLCall records a call to one of the URLs the double hands out (response_url, upload_url)
// with the Web API calls, so tests see it in Calls: its status, and its error text unless it is 200.
// body, when it is JSON, is kept for the inspector.
func (s *Server) recordURLCall(method, arg, id string, status int, msg string, body []byte) {
	call := Call{Method: method, Time: time.Now(), Status: status, Args: map[string]string{arg: id}}
	if status != http.StatusOK {
		call.Error = msg
	}
	s.mu.Lock()
	s.recordCallLocked(call)
	req := argsJSON(call.Args)
	if json.Valid(body) {
		req = body
	}
	s.inspectLocked(InspectEntry{Kind: "response_url", Name: method, OK: status == http.StatusOK, Error: call.Error, Request: req})
	s.notifyLocked()
	s.mu.Unlock()
	s.logf("%s %s -> %d %s", method, id, status, call.Error)
}

func (s *Server) respond(id, method string, body []byte) (int, string) {
	if method != http.MethodPost {
		return http.StatusMethodNotAllowed, "method_not_allowed"
	}
	var p responsePayload
	if err := json.Unmarshal(body, &p); err != nil {
		return http.StatusBadRequest, "invalid_payload"
	}
	var blocks json.RawMessage
	if raw := strings.TrimSpace(string(p.Blocks)); raw != "" && raw != "null" {
		norm, code, _ := checkMessageBlocks(raw, s.opts.PerBlockActionIDs)
		if code != "" {
			return http.StatusBadRequest, code
		}
		if string(norm) != "[]" {
			blocks = norm
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	ru, ok := s.ws.responses[id]
	switch {
	case !ok:
		return http.StatusNotFound, "invalid_url"
	case time.Since(ru.created) > responseURLTTL:
		return http.StatusNotFound, "expired_url"
	case ru.uses >= responseURLUses:
		return http.StatusNotFound, "used_url"
	}
	if p.DeleteOriginal {
		if !s.deleteOriginalLocked(ru) {
			return http.StatusNotFound, "message_not_found"
		}
		ru.uses++
		s.notifyLocked()
		return http.StatusOK, ""
	}
	if p.Text == "" && blocks == nil {
		return http.StatusBadRequest, "no_text"
	}
	if len(p.Text) > maxPostText {
		return http.StatusBadRequest, "msg_too_long"
	}
	mc := messageContent{text: p.Text, blocks: blocks, hasText: true, hasBlocks: true}
	threadTS := p.ThreadTS
	if threadTS == "" {
		threadTS = ru.threadTS
	}
	switch {
	case p.ReplaceOriginal && ru.msgTS != "":
		if code := s.replaceOriginalLocked(ru, mc); code != "" {
			return http.StatusBadRequest, code
		}
	case p.ResponseType == "in_channel":
		c := s.channelLocked(ru.channel)
		if c == nil {
			return http.StatusNotFound, "channel_not_found"
		}
		if _, e := s.appendMessageLocked(c, s.opts.BotUserID, s.opts.BotID, mc.text, mc.blocks, threadTS); e != nil {
			return http.StatusBadRequest, e.code
		}
	default:
		eph := &Ephemeral{Channel: ru.channel, User: ru.user, TS: s.nextTSLocked(), ThreadTS: threadTS,
			Text: mc.text, Blocks: mc.blocks, Source: "response_url"}
		s.ws.ephemerals[ru.user] = append(s.ws.ephemerals[ru.user], eph)
		if ru.msgTS == "" {
			ru.msgTS, ru.ephemeral = eph.TS, true
		}
	}
	ru.uses++
	s.notifyLocked()
	return http.StatusOK, ""
}

func (s *Server) ephemeralLocked(userID, channel, ts string) *Ephemeral {
	for _, e := range s.ws.ephemerals[userID] {
		if e.TS == ts && e.Channel == channel && !e.Deleted {
			return e
		}
	}
	return nil
}

func (s *Server) replaceOriginalLocked(ru *responseURL, mc messageContent) string {
	if ru.ephemeral {
		e := s.ephemeralLocked(ru.user, ru.channel, ru.msgTS)
		if e == nil {
			return "message_not_found"
		}
		e.Text, e.Blocks = mc.text, mc.blocks
		e.Replaced++
		return ""
	}
	c := s.channelLocked(ru.channel)
	if c == nil {
		return "channel_not_found"
	}
	m := c.find(ru.msgTS)
	if m == nil {
		return "message_not_found"
	}
	if m.BotID != s.opts.BotID {
		return "cant_update_message"
	}
	s.editMessageLocked(m, mc)
	return ""
}

func (s *Server) deleteOriginalLocked(ru *responseURL) bool {
	if ru.msgTS == "" {
		return false
	}
	if ru.ephemeral {
		e := s.ephemeralLocked(ru.user, ru.channel, ru.msgTS)
		if e == nil {
			return false
		}
		e.Deleted = true
		return true
	}
	c := s.channelLocked(ru.channel)
	if c == nil {
		return false
	}
	m := c.find(ru.msgTS)
	if m == nil || m.BotID != s.opts.BotID {
		return false
	}
	m.Deleted = true
	return true
}
