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
	"strings"
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
	// httpAckMargin is how much longer than a form's own deadline (Dispatcher.SubmitTimeout) a
	// request waits for its ack, so that a slow form's "taking longer" error is what Slack gets;
	// the whole stays within Slack's 3 seconds.
	httpAckMargin = 300 * time.Millisecond
	// signatureWindow is how far a request's timestamp may be from now (slack-go checks it again).
	signatureWindow = 5 * time.Minute
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
// What can be refused without the body (no signature, an old timestamp, too long a body) is refused
// before reading it.
func (h *httpMode) verified(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts, err := strconv.ParseInt(r.Header.Get("X-Slack-Request-Timestamp"), 10, 64)
		if err != nil || r.Header.Get("X-Slack-Signature") == "" || time.Since(time.Unix(ts, 0)).Abs() > signatureWindow {
			h.log.Debug("request refused: no valid signature headers", "path", r.URL.Path)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		if r.ContentLength > maxRequestBody {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
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

// form reads a signed form body that must be one: Slack's forms are never JSON.
func form(r *http.Request, body []byte) (url.Values, bool) {
	if ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); strings.TrimSpace(ct) != "application/x-www-form-urlencoded" {
		return nil, false
	}
	values, err := url.ParseQuery(string(body))
	return values, err == nil
}

func (h *httpMode) events(w http.ResponseWriter, r *http.Request, body []byte) {
	if ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); strings.TrimSpace(ct) != "application/json" {
		http.Error(w, "events are JSON", http.StatusUnsupportedMediaType)
		return
	}
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
	values, ok := form(r, body)
	payload := values.Get("payload")
	if !ok || len(values) != 1 || len(values["payload"]) != 1 || payload == "" {
		http.Error(w, "no interaction payload", http.StatusBadRequest)
		return
	}
	h.dispatch(w, r, Envelope{Type: socketmode.RequestTypeInteractive, EnvelopeID: bodyID(body), Payload: json.RawMessage(payload)})
}

// commands turns a slash command's form into the JSON object Socket Mode carries for it.
func (h *httpMode) commands(w http.ResponseWriter, r *http.Request, body []byte) {
	values, ok := form(r, body)
	if ok && values.Get("ssl_check") == "1" {
		return // Slack checking the certificate: 200, nothing to run
	}
	if !ok || values.Get("command") == "" {
		http.Error(w, "no slash command", http.StatusBadRequest)
		return
	}
	fields := make(map[string]string, len(values))
	for k, v := range values {
		if len(v) != 1 {
			http.Error(w, "a slash command's fields come once each", http.StatusBadRequest)
			return
		}
		fields[k] = v[0]
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
		// Signed by Slack but unreadable: as in Socket Mode, answered and dropped, so that Slack
		// does not retry what will never be read.
		h.log.Error("signed request not readable; answered and dropped", "path", r.URL.Path, "envelope_id", e.EnvelopeID, "err", err)
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
	timer := time.NewTimer(h.d.SubmitTimeout + httpAckMargin)
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
		// Not kept, or not answered: Slack shows the person a failure (and retries an event, which
		// its event_id then keeps from running twice), rather than taking silence for success.
		h.log.Error("no ack in time; answered 503", "path", r.URL.Path, "envelope_id", e.EnvelopeID)
		http.Error(w, "not handled in time", http.StatusServiceUnavailable)
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
