package slackdouble

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// HTTP mode: instead of a socket, the double posts each envelope to the app as Slack does, signed
// with the app's signing secret: events as JSON to /slack/events, interactions as a form with a
// payload field to /slack/interactivity, slash commands as a form to /slack/commands. The answer
// is the ack.

// DeliverOverHTTP makes every drive method post to the app instead of using a Socket Mode
// connection, signed with secret. With several bases (such as http://127.0.0.1:8080), each request
// goes to one of them chosen at random, as a load balancer in front of replicas sends it; one that
// can't be reached is skipped for the next, as a load balancer's health checks do.
func (s *Server) DeliverOverHTTP(secret string, bases ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.httpBases, s.httpSecret = slices.Clone(bases), secret
}

// httpTargets are the bases to try, in the order to try them, and the signing secret.
func (s *Server) httpTargets() ([]string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	bases := slices.Clone(s.httpBases)
	rand.Shuffle(len(bases), func(i, j int) { bases[i], bases[j] = bases[j], bases[i] })
	return bases, s.httpSecret
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

// deliverHTTP posts the envelope to the first of bases that can be reached and takes its answer as
// the ack.
func (s *Server) deliverHTTP(ctx context.Context, env Envelope, bases []string, secret string) (Ack, error) {
	var ack Ack
	var err error
	for _, base := range bases {
		var reached bool
		if ack, reached, err = s.postEnvelope(ctx, env, base, secret); reached {
			break
		}
	}
	s.inspectEnvelope(env, ack.Payload, err)
	return ack, err
}

// postEnvelope posts the envelope to the app at base; reached is false when no connection could be
// made, so nothing of the request reached the app.
func (s *Server) postEnvelope(ctx context.Context, env Envelope, base, secret string) (_ Ack, reached bool, _ error) {
	path, contentType, body, err := httpRequestOf(env)
	if err != nil {
		return Ack{Envelope: env}, true, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(body))
	if err != nil {
		return Ack{Envelope: env}, true, err
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
		var op *net.OpError
		return Ack{Envelope: env}, !errors.As(err, &op) || op.Op != "dial", fmt.Errorf("slackdouble: post the %s envelope: %w", env.Type, err)
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
	return ack, true, err
}
