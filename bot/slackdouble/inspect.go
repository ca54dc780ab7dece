package slackdouble

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// InspectEntry is one Web API call, response_url call or envelope with its JSON, as the page's
// inspector shows it to people building on Baton.
type InspectEntry struct {
	Seq      int64           `json:"seq"`
	Time     time.Time       `json:"time"`
	Kind     string          `json:"kind"` // "call", "response_url" or "envelope"
	Name     string          `json:"name"` // the method, or the envelope's type
	OK       bool            `json:"ok"`
	Error    string          `json:"error"`  // Slack's error code, or what went wrong with an envelope
	Detail   string          `json:"detail"` // Slack's explanation, such as invalid_blocks' pointers
	Request  json.RawMessage `json:"request"`
	Response json.RawMessage `json:"response"`
}

// recordCallLocked keeps a call for Calls, the oldest forgotten past Options.CallHistory.
func (s *Server) recordCallLocked(c Call) {
	s.ws.calls = append(s.ws.calls, c)
	if n := s.opts.CallHistory; n > 0 && len(s.ws.calls) > 2*n {
		s.ws.calls = slices.Delete(s.ws.calls, 0, len(s.ws.calls)-n)
	}
}

// inspectLocked keeps an entry for Inspector when Options.Inspect asks for it.
func (s *Server) inspectLocked(e InspectEntry) {
	n := s.opts.Inspect
	if n <= 0 {
		return
	}
	s.ws.inspectSeq++
	e.Seq, e.Time = s.ws.inspectSeq, s.opts.Now()
	s.ws.inspected = append(s.ws.inspected, e)
	if len(s.ws.inspected) > 2*n {
		s.ws.inspected = slices.Delete(s.ws.inspected, 0, len(s.ws.inspected)-n)
	}
}

// Inspector returns the last limit entries kept for the inspector, oldest first.
func (s *Server) Inspector(limit int) []InspectEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	from := max(0, len(s.ws.inspected)-limit)
	return slices.Clone(s.ws.inspected[from:])
}

// argsJSON shows a call's arguments as one JSON object; arguments that hold JSON (blocks, view)
// are shown as JSON, not as strings of it.
func argsJSON(args map[string]string) json.RawMessage {
	out := make(map[string]any, len(args))
	for k, v := range args {
		t := strings.TrimSpace(v)
		if (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)) {
			out[k] = json.RawMessage(t)
			continue
		}
		out[k] = v
	}
	return mustJSON(out)
}

// responseDetail is the explanation Slack gives with an error (response_metadata.messages).
func responseDetail(body map[string]any) string {
	meta, _ := body["response_metadata"].(map[string]any)
	msgs, _ := meta["messages"].([]string)
	return strings.Join(msgs, "\n")
}

// inspectEnvelope keeps an envelope sent to the bot, and its ack's payload, for the inspector.
func (s *Server) inspectEnvelope(env Envelope, ack json.RawMessage, err error) {
	if s.opts.Inspect <= 0 {
		return
	}
	e := InspectEntry{Kind: "envelope", Name: envelopeName(env), OK: err == nil, Request: env.Payload, Response: ack}
	if err != nil {
		e.Error = err.Error()
	}
	s.mu.Lock()
	s.inspectLocked(e)
	s.mu.Unlock()
}

// envelopeName says what an envelope carries: the interaction's type, the command, or the event's type.
func envelopeName(env Envelope) string {
	var p struct {
		Type    string `json:"type"`
		Command string `json:"command"`
		Event   struct {
			Type string `json:"type"`
		} `json:"event"`
	}
	if json.Unmarshal(env.Payload, &p) != nil {
		return env.Type
	}
	for _, name := range []string{p.Command, p.Event.Type, p.Type} {
		if name != "" {
			return env.Type + " · " + name
		}
	}
	return env.Type
}
