package slackdouble

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// HTTP mode: instead of a socket, the double posts each envelope to the app as Slack does, signed
// with the app's signing secret: events as JSON to /slack/events, interactions as a form with a
// payload field to /slack/interactivity, slash commands as a form to /slack/commands. The answer
// is the ack.

// DeliverOverHTTP makes every drive method post to the app at base (such as http://127.0.0.1:8080)
// instead of using a Socket Mode connection, signed with secret.
func (s *Server) DeliverOverHTTP(base, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.httpBase, s.httpSecret = base, secret
}

func (s *Server) httpTarget() (string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.httpBase, s.httpSecret
}

// Sign computes Slack's v0 signature of body at ts (Unix seconds) with secret.
func Sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:", ts)
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// httpRequestOf is the request Slack makes of an envelope in HTTP mode.
func httpRequestOf(env Envelope) (path, contentType string, body []byte, err error) {
	switch env.Type {
	case "events_api":
		return "/slack/events", "application/json", env.Payload, nil
	case "interactive":
		return "/slack/interactivity", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(env.Payload)}}.Encode()), nil
	case "slash_commands":
		var fields map[string]any
		if err := json.Unmarshal(env.Payload, &fields); err != nil {
			return "", "", nil, err
		}
		form := url.Values{}
		for k, v := range fields {
			switch v := v.(type) {
			case string:
				form.Set(k, v)
			case nil:
			default:
				b, _ := json.Marshal(v)
				form.Set(k, string(b))
			}
		}
		return "/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()), nil
	}
	return "", "", nil, fmt.Errorf("slackdouble: no HTTP request for a %s envelope", env.Type)
}

// deliverHTTP posts the envelope to the app and takes its answer as the ack.
func (s *Server) deliverHTTP(ctx context.Context, env Envelope, base, secret string) (Ack, error) {
	path, contentType, body, err := httpRequestOf(env)
	if err != nil {
		return Ack{Envelope: env}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(body))
	if err != nil {
		return Ack{Envelope: env}, err
	}
	ts := time.Now().Unix()
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", Sign(secret, ts, body))
	if env.RetryAttempt > 0 {
		req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(env.RetryAttempt))
		req.Header.Set("X-Slack-Retry-Reason", env.RetryReason)
	}
	start := time.Now()
	res, err := s.httpClient.Do(req)
	if err != nil {
		s.inspectEnvelope(env, nil, err)
		return Ack{Envelope: env}, fmt.Errorf("slackdouble: post the %s envelope: %w", env.Type, err)
	}
	answer, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	res.Body.Close()
	ack := Ack{EnvelopeID: env.EnvelopeID, Latency: time.Since(start), Envelope: env}
	if len(bytes.TrimSpace(answer)) > 0 && json.Valid(answer) {
		ack.Payload = answer
	}
	switch {
	case err != nil:
	case res.StatusCode != http.StatusOK:
		err = fmt.Errorf("slackdouble: the app answered the %s envelope with %d: %s", env.Type, res.StatusCode, bytes.TrimSpace(answer))
	case ack.Latency > s.opts.AckTimeout:
		err = fmt.Errorf("%w: %v", ErrLateAck, ack.Latency)
	}
	s.inspectEnvelope(env, ack.Payload, err)
	return ack, err
}
