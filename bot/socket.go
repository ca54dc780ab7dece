package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

const (
	defaultShutdownTimeout = 10 * time.Second
	// ackTimeout bounds queueing an ack behind slack-go's response sender, which only
	// drains while a socket is open.
	ackTimeout = 2 * time.Second
	// closeTimeout bounds waiting for slack-go to close the socket after we stop it.
	closeTimeout = 5 * time.Second
	// ackFlushGrace is how long the socket stays open after the last ack was queued, at
	// shutdown: slack-go queues acks and has no flush, and closing drops what is queued.
	ackFlushGrace = 250 * time.Millisecond
)

// SocketConfig configures RunSocketMode.
type SocketConfig struct {
	// API is the Slack client, made with slack.OptionAppLevelToken (xapp-…). Do not set
	// slack.OptionDebug on it in production: it makes Slack recycle the socket every ~6 minutes.
	API        *slack.Client
	Dispatcher *Dispatcher
	// Log receives lifecycle logs; at debug level slack-go's own socket debug output is
	// routed here too (payloads included, credentials redacted). nil: slog.Default().
	Log *slog.Logger
	// PingInterval is how long without a ping from Slack before the socket counts as dead
	// and is replaced; 0 keeps slack-go's default (30s).
	PingInterval time.Duration
	// ShutdownTimeout bounds waiting for in-flight handlers once ctx is cancelled; 0: 10s.
	ShutdownTimeout time.Duration
	// Connected, when set, holds whether a socket is open (for readiness probes).
	Connected *atomic.Bool
}

// RunSocketMode connects to Slack over Socket Mode and feeds every envelope to the
// dispatcher until ctx is cancelled. slack-go reconnects on its own after a disconnect
// request (refresh_requested, warning), a dropped socket or a ping timeout.
//
// On cancellation it stops taking envelopes (those left unacked are redelivered by Slack),
// keeps the socket open while in-flight handlers finish (so late view-submission acks still
// go out), bounded by ShutdownTimeout, then closes the socket and returns nil, or an error
// if handlers were still running. It returns early with an error when Slack rejects the
// app-level token, since reconnecting cannot fix that.
func RunSocketMode(ctx context.Context, cfg SocketConfig) error {
	if cfg.API == nil {
		return errors.New("socket mode: SocketConfig.API is nil")
	}
	if cfg.Dispatcher == nil {
		return errors.New("socket mode: SocketConfig.Dispatcher is nil")
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "socket_mode")
	timeout := cfg.ShutdownTimeout
	if timeout <= 0 {
		timeout = defaultShutdownTimeout
	}

	opts := []socketmode.Option{
		socketmode.OptionLog(slackGoLogger{log: log}),
		socketmode.OptionDebug(log.Enabled(ctx, slog.LevelDebug)),
	}
	if cfg.PingInterval > 0 {
		opts = append(opts, socketmode.OptionPingInterval(cfg.PingInterval))
	}
	connected := cfg.Connected
	if connected == nil {
		connected = new(atomic.Bool)
	}
	defer connected.Store(false)
	l := &socketLoop{sm: socketmode.New(cfg.API, opts...), d: cfg.Dispatcher, log: log, connected: connected}

	// The socket outlives ctx so in-flight handlers can still ack while we drain.
	runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRun()
	runErr := make(chan error, 1)
	go func() { runErr <- l.sm.RunContext(runCtx) }()

	for {
		select {
		case <-ctx.Done():
			log.Info("socket mode stopping", "reason", context.Cause(ctx).Error())
			return l.drain(timeout, stopRun, runErr, false)
		case err := <-runErr:
			fatal := fatalRunError(err)
			log.Error("socket mode client stopped", "err", fatal)
			if derr := l.drain(timeout, stopRun, runErr, true); derr != nil {
				return errors.Join(fatal, derr)
			}
			return fatal
		case evt := <-l.sm.Events:
			l.handle(ctx, evt)
		}
	}
}

type socketLoop struct {
	sm      *socketmode.Client
	d       *Dispatcher
	log     *slog.Logger
	lastAck atomic.Int64 // unix nanoseconds of the last queued ack
	// connected is true from Slack's hello until the socket is being replaced.
	connected *atomic.Bool
}

// handle logs lifecycle events and hands envelopes to the dispatcher, which acks and
// returns without waiting for handlers: this loop must keep draining sm.Events.
func (l *socketLoop) handle(ctx context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive, socketmode.EventTypeErrorBadMessage:
		l.d.Handle(ctx, evt, l.acker(evt))
	default:
		l.logLifecycle(evt)
	}
}

// acker acks evt through slack-go; for a message slack-go could not parse, it uses the
// envelope_id found in the raw JSON.
func (l *socketLoop) acker(evt socketmode.Event) func(payload any) error {
	return func(payload any) error {
		id := envelopeID(evt)
		if id == "" {
			return errors.New("no envelope_id to ack")
		}
		ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
		defer cancel()
		defer l.lastAck.Store(time.Now().UnixNano())
		if evt.Request != nil {
			return l.sm.AckCtx(ctx, id, payload)
		}
		return l.sm.SendCtx(ctx, socketmode.Response{EnvelopeID: id, Payload: payload})
	}
}

func (l *socketLoop) logLifecycle(evt socketmode.Event) {
	switch data := evt.Data.(type) {
	case *slack.ConnectingEvent:
		l.connected.Store(false)
		if data.ConnectionCount > 0 && data.Attempt == 1 {
			l.log.Info("socket mode disconnected; reconnecting", "connection_count", data.ConnectionCount)
			return
		}
		l.log.Info("socket mode connecting", "attempt", data.Attempt, "connection_count", data.ConnectionCount)
	case *slack.ConnectionErrorEvent:
		l.log.Warn("socket mode connection failed; retrying", "attempt", data.Attempt, "backoff_ms", data.Backoff.Milliseconds(), "err", data.ErrorObj)
	case *socketmode.ConnectedEvent:
		l.log.Info("socket mode connected", "connection_count", data.ConnectionCount)
	case *slack.InvalidAuthEvent:
		l.log.Error("socket mode authentication rejected")
	case *slack.IncomingEventError:
		l.log.Warn("socket mode read failed; the socket will be replaced", "err", data.ErrorObj)
	case *socketmode.ErrorWriteFailed:
		envID := ""
		if data.Response != nil {
			envID = data.Response.EnvelopeID
		}
		l.log.Error("socket mode ack write failed", "envelope_id", envID, "err", data.Cause)
	default:
		if evt.Type == socketmode.EventTypeHello {
			l.connected.Store(true)
		}
		if evt.Type == socketmode.EventTypeHello && evt.Request != nil {
			r := evt.Request
			l.log.Info("socket mode hello", "num_connections", r.NumConnections, "app_id", r.ConnectionInfo.AppID,
				"host", r.DebugInfo.Host, "approximate_connection_time_s", r.DebugInfo.ApproximateConnectionTime)
			return
		}
		l.log.Debug("socket mode event", "event_type", string(evt.Type))
	}
}

// drain waits for in-flight handlers while still reading sm.Events, so slack-go keeps
// answering pings and sending acks; envelopes that arrive meanwhile are left unacked for
// Slack to redeliver. Then it closes the socket.
func (l *socketLoop) drain(timeout time.Duration, stopRun context.CancelFunc, runErr <-chan error, runDone bool) error {
	// Envelopes that arrive now are refused: not ready for more.
	l.connected.Store(false)
	waitCtx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	waited := make(chan error, 1)
	go func() { waited <- l.d.Wait(waitCtx) }()

	var waitErr error
	for waiting := true; waiting; {
		select {
		case waitErr = <-waited:
			waiting = false
		case <-runErr:
			runDone = true
		case evt := <-l.sm.Events:
			if id := envelopeID(evt); id != "" {
				l.log.Debug("shutting down; envelope left for redelivery", "envelope_id", id, "event_type", string(evt.Type))
				continue
			}
			l.logLifecycle(evt)
		}
	}
	if flush := ackFlushGrace - time.Since(time.Unix(0, l.lastAck.Load())); !runDone && flush > 0 {
		timer := time.NewTimer(flush)
		<-timer.C
	}
	stopRun()
	if !runDone {
		timer := time.NewTimer(closeTimeout)
		defer timer.Stop()
		select {
		case <-runErr:
		case <-timer.C:
			l.log.Warn("socket mode client did not stop in time", "timeout_ms", closeTimeout.Milliseconds())
		}
	}
	if waitErr != nil {
		l.log.Error("shutdown gave up waiting for handlers", "timeout_ms", timeout.Milliseconds(), "err", waitErr)
		return fmt.Errorf("socket mode shutdown: %w", waitErr)
	}
	l.log.Info("socket mode stopped")
	return nil
}

// fatalRunError explains why slack-go's run loop gave up: it only returns for errors that
// reconnecting cannot fix.
func fatalRunError(err error) error {
	if IsSlackError(err, "invalid_auth", "not_authed", "account_inactive", "token_revoked") {
		return fmt.Errorf("socket mode: Slack rejected the app-level token (%w); check SLACK_APP_TOKEN (xapp-…, scope connections:write)", err)
	}
	if code, ok := errors.AsType[slack.StatusCodeError](err); ok && code.Code == http.StatusNotFound {
		return fmt.Errorf("socket mode: apps.connections.open not found (%w); check SLACK_API_URL", err)
	}
	return fmt.Errorf("socket mode: client stopped: %w", err)
}

// slackGoLogger routes slack-go's socketmode debug output (only produced when our logger
// is at debug level) to slog.
type slackGoLogger struct{ log *slog.Logger }

func (s slackGoLogger) Output(_ int, msg string) error {
	s.log.Debug(strings.TrimSpace(msg), "source", "slack-go")
	return nil
}
