package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// HTTP mode: Slack posts the Events API, interactivity and slash commands to Baton. Each request's
// signature is checked before anything in it is read; the request then becomes the envelope Socket
// Mode would have carried and goes to the same dispatcher, so de-duplication, the inbox and the
// ack policy are the same. The ack is the HTTP response.
const (
	// EventsPath, InteractivityPath and CommandsPath are the request URLs to give Slack (see
	// deploy/slack-app-manifest.http.yaml).
	EventsPath        = "/slack/events"
	InteractivityPath = "/slack/interactivity"
	CommandsPath      = "/slack/commands"

	// maxRequestBody bounds what Slack may post: its largest payloads (a view submission with
	// every input filled) are well under it.
	maxRequestBody = 1 << 20
	// httpAckWait is how long a request waits for its ack before answering empty: within Slack's
	// 3 seconds.
	httpAckWait = 2500 * time.Millisecond
)

// HTTPConfig configures NewHTTPHandler.
type HTTPConfig struct {
	Dispatcher *Dispatcher
	// SigningSecret is the app's signing secret (Basic Information → App Credentials).
	SigningSecret string
	Log           *slog.Logger
}

// NewHTTPHandler serves Slack's requests on EventsPath, InteractivityPath and CommandsPath.
func NewHTTPHandler(cfg HTTPConfig) http.Handler {
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	h := &httpMode{d: cfg.Dispatcher, secret: cfg.SigningSecret, log: log.With("component", "http_mode")}
	mux := http.NewServeMux()
	mux.Handle("POST "+EventsPath, h.verified(h.events))
	mux.Handle("POST "+InteractivityPath, h.verified(h.interactivity))
	mux.Handle("POST "+CommandsPath, h.verified(h.commands))
	return mux
}

type httpMode struct {
	d      *Dispatcher
	secret string
	log    *slog.Logger
}

// verified reads a request's body and hands it on only when Slack signed it, within five minutes.
func (h *httpMode) verified(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read the request body", http.StatusBadRequest)
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, h.secret)
		if err == nil {
			_, _ = sv.Write(body)
			err = sv.Ensure()
		}
		if err != nil {
			h.log.Warn("request refused: not signed by Slack", "path", r.URL.Path, "err", err)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		next(w, r, body)
	})
}

func (h *httpMode) events(w http.ResponseWriter, r *http.Request, body []byte) {
	var head struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		http.Error(w, "not a JSON event", http.StatusBadRequest)
		return
	}
	if head.Type == "url_verification" {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, head.Challenge)
		return
	}
	// A retry carries the same event_id: the envelope's key (event:<id>) de-duplicates it.
	h.dispatch(w, r, Envelope{Type: socketmode.RequestTypeEventsAPI, EnvelopeID: bodyID(body), Payload: body})
}

func (h *httpMode) interactivity(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	payload := form.Get("payload")
	if err != nil || payload == "" {
		http.Error(w, "no interaction payload", http.StatusBadRequest)
		return
	}
	h.dispatch(w, r, Envelope{Type: socketmode.RequestTypeInteractive, EnvelopeID: bodyID(body), Payload: json.RawMessage(payload)})
}

// commands turns a slash command's form into the JSON object Socket Mode carries for it.
func (h *httpMode) commands(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("command") == "" {
		http.Error(w, "no slash command", http.StatusBadRequest)
		return
	}
	fields := make(map[string]string, len(form))
	for k := range form {
		fields[k] = form.Get(k)
	}
	payload, err := json.Marshal(fields)
	if err != nil {
		http.Error(w, "unreadable slash command", http.StatusBadRequest)
		return
	}
	h.dispatch(w, r, Envelope{Type: socketmode.RequestTypeSlashCommands, EnvelopeID: bodyID(body), Payload: payload})
}

// dispatch hands an envelope to the dispatcher and answers with its ack.
func (h *httpMode) dispatch(w http.ResponseWriter, r *http.Request, e Envelope) {
	evt, err := parseEnvelope(e)
	if err != nil {
		h.log.Warn("request refused: unreadable payload", "path", r.URL.Path, "err", err)
		http.Error(w, "unreadable payload", http.StatusBadRequest)
		return
	}
	if n, err := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num")); err == nil {
		evt.Request.RetryAttempt = n
	}
	acked := make(chan any, 1)
	var once sync.Once
	ack := func(payload any) error {
		once.Do(func() { acked <- payload })
		return nil
	}
	h.d.Handle(context.WithoutCancel(r.Context()), evt, ack)
	timer := time.NewTimer(httpAckWait)
	defer timer.Stop()
	select {
	case payload := <-acked:
		if payload == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		b, err := json.Marshal(payload)
		if err != nil {
			h.log.Error("ack payload not sent: cannot encode it", "err", err)
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	case <-timer.C:
		h.log.Warn("no ack in time; answered empty", "path", r.URL.Path, "envelope_id", e.EnvelopeID)
		w.WriteHeader(http.StatusOK)
	case <-r.Context().Done():
	}
}

// bodyID names a request by its body: the same request posted again (a proxy's or a load
// balancer's retry) is the same envelope, which the dispatcher runs once. Every interaction and
// command Slack sends differs from the last (its trigger_id, its action_ts).
func bodyID(body []byte) string {
	sum := sha256.Sum256(body)
	return "http-" + hex.EncodeToString(sum[:16])
}
