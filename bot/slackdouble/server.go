// Package slackdouble is a strict, in-process stand-in for Slack used by
// Baton's end-to-end tests. It serves the Slack Web API and Socket Mode over
// real HTTP and WebSocket connections on 127.0.0.1, keeps a small workspace
// (users, channels, messages, views), enforces Slack's limits where Slack is
// strict, and lets tests drive the bot with faithful Slack payloads.
package slackdouble

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Options configures a Server. Zero values take the documented defaults.
type Options struct {
	TeamID     string // default "T0001"
	TeamDomain string // default "baton"
	BotUserID  string // default "UBOT"
	BotID      string // default "B0001"
	BotName    string // default "baton"
	AppID      string // default "A0001"
	BotToken   string // default "xoxb-test"
	AppToken   string // default "xapp-test"

	// RateLimits turns on Slack's per-method rate limits (see SetRateLimits).
	RateLimits bool
	// ChannelPostRate is how many chat.postMessage calls one channel takes per second once its
	// burst is spent: default 1, Slack's. Tests of long bursts raise it to play Slack's pace faster.
	ChannelPostRate float64
	// TriggerTTL is how long a trigger_id stays usable (default 3s).
	TriggerTTL time.Duration
	// AckTimeout is Slack's budget for acknowledging an envelope (default 3s).
	// Drive methods report ErrLateAck when the bot acks later than this.
	AckTimeout time.Duration
	// PingInterval is how often WebSocket PING frames are sent (default 5s).
	PingInterval time.Duration
	// PerBlockActionIDs accepts the same action_id in different blocks of a
	// message or view, which is all Slack itself requires. By default the
	// double is stricter and rejects any repeated action_id in a surface.
	PerBlockActionIDs bool
	// Logf, when set, receives one line per Web API call and socket event.
	Logf func(format string, args ...any)
	// Now is the workspace's clock: message timestamps and event times follow it (default
	// time.Now). Deadlines that measure a person's or the bot's speed (acks, trigger_ids, rate
	// limits) stay on the real clock.
	Now func() time.Time
	// CallHistory, when positive, keeps only the last CallHistory calls for Calls (a long-running
	// workspace must not grow without end); 0 keeps them all, as tests want.
	CallHistory int
	// Inspect, when positive, keeps the last Inspect Web API calls and envelopes with their JSON
	// for the page's inspector (Inspector); 0 keeps none.
	Inspect int
}

func (o *Options) setDefaults() {
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&o.TeamID, "T0001")
	def(&o.TeamDomain, "baton")
	def(&o.BotUserID, "UBOT")
	def(&o.BotID, "B0001")
	def(&o.BotName, "baton")
	def(&o.AppID, "A0001")
	def(&o.BotToken, "xoxb-test")
	def(&o.AppToken, "xapp-test")
	if o.ChannelPostRate <= 0 {
		o.ChannelPostRate = 1
	}
	if o.TriggerTTL <= 0 {
		o.TriggerTTL = 3 * time.Second
	}
	if o.AckTimeout <= 0 {
		o.AckTimeout = 3 * time.Second
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Server is a running Slack double. All methods are safe for concurrent use.
type Server struct {
	opts Options
	ln   net.Listener
	srv  *http.Server
	base string

	mu      sync.Mutex
	changed chan struct{}
	ws      workspace
	limits  *limiter

	sock     sockets
	upgrader websocket.Upgrader

	// httpBases and httpSecret, when set (DeliverOverHTTP), send envelopes as HTTP requests.
	httpBases  []string
	httpSecret string
	httpClient *http.Client

	wg        sync.WaitGroup
	closeOnce sync.Once
	done      chan struct{}
}

// Start listens on 127.0.0.1 on a free port and serves until Close.
func Start(opts Options) (*Server, error) {
	opts.setDefaults()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("slackdouble: listen: %w", err)
	}
	s := &Server{
		opts:    opts,
		ln:      ln,
		base:    "http://" + ln.Addr().String(),
		changed: make(chan struct{}),
		limits:  newLimiter(opts.RateLimits, opts.ChannelPostRate),
		done:    make(chan struct{}),
	}
	s.ws.init()
	s.sock.init()
	s.upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	s.httpClient = &http.Client{Timeout: 30 * time.Second}
	s.addBotUser()

	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.handleAPI)
	mux.HandleFunc("/link/", s.handleSocket)
	mux.HandleFunc("/respond/", s.handleRespond)
	mux.HandleFunc("/upload/", s.handleUpload)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.wg.Go(func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logf("serve: %v", err)
		}
	})
	return s, nil
}

// Close stops the server and closes every socket.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.closeAllSockets()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			_ = s.srv.Close()
		}
		s.wg.Wait()
	})
}

// APIURL is the Web API base for slack.OptionAPIURL, with a trailing slash.
func (s *Server) APIURL() string { return s.base + "/api/" }

// Options returns the effective options (defaults filled in).
func (s *Server) Options() Options { return s.opts }

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf("slackdouble: "+format, args...)
	}
}

// notifyLocked wakes every Wait. The caller holds s.mu.
func (s *Server) notifyLocked() {
	s.ws.version++
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) notify() {
	s.mu.Lock()
	s.notifyLocked()
	s.mu.Unlock()
}

// Wait blocks until cond returns true, re-evaluating it whenever the double's
// state changes (a call, a message, a view, a socket coming or going).
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("slackdouble: wait: %w", ctx.Err())
		case <-s.done:
			return errors.New("slackdouble: server closed")
		}
	}
}

// Changed returns a channel closed at the workspace's next change, and the workspace's Version.
func (s *Server) Changed() (<-chan struct{}, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed, s.ws.version
}
