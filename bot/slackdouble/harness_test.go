package slackdouble

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func startDouble(t *testing.T, opts Options) *Server {
	t.Helper()
	if testing.Verbose() {
		opts.Logf = t.Logf
	}
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.AddUser(User{ID: "U1", Name: "alice", RealName: "Alice A", TZ: "Europe/Berlin", Email: "alice@example.com"})
	s.AddUser(User{ID: "U2", Name: "bob", RealName: "Bob B", TZ: "America/New_York"})
	s.AddChannel(Channel{ID: "C1", Name: "general", Members: []string{"U1", "U2"}, BotIsMember: true})
	s.AddChannel(Channel{ID: "C2", Name: "random", Members: []string{"U1"}})
	s.AddChannel(Channel{ID: "G1", Name: "secret", Private: true, Members: []string{"U1"}})
	return s
}

func apiFor(s *Server) *slack.Client {
	o := s.Options()
	return slack.New(o.BotToken, slack.OptionAPIURL(s.APIURL()), slack.OptionAppLevelToken(o.AppToken))
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// testBot is a minimal Socket Mode app: it acks every request with the
// payload reply returns and records what it received.
type testBot struct {
	api *slack.Client
	sm  *socketmode.Client

	mu       sync.Mutex
	received []socketmode.Event
	reply    func(socketmode.Event) any
}

func runBot(t *testing.T, s *Server, reply func(socketmode.Event) any) *testBot {
	t.Helper()
	b := &testBot{api: apiFor(s), reply: reply}
	b.sm = socketmode.New(b.api)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = b.sm.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-b.sm.Events:
				if evt.Request == nil || evt.Type == socketmode.EventTypeHello {
					continue
				}
				b.mu.Lock()
				b.received = append(b.received, evt)
				b.mu.Unlock()
				var payload any
				if b.reply != nil {
					payload = b.reply(evt)
				}
				if payload != nil {
					_ = b.sm.Ack(*evt.Request, payload)
				} else {
					_ = b.sm.Ack(*evt.Request)
				}
			}
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	if err := s.WaitConnected(ctxFor(t, 5*time.Second), 1); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *testBot) events() []socketmode.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]socketmode.Event(nil), b.received...)
}

// lastInteraction returns the interaction callback of the last interactive envelope.
func (b *testBot) lastInteraction(t *testing.T) slack.InteractionCallback {
	t.Helper()
	evs := b.events()
	for i := len(evs) - 1; i >= 0; i-- {
		if cb, ok := evs[i].Data.(slack.InteractionCallback); ok {
			return cb
		}
	}
	t.Fatal("no interaction received")
	return slack.InteractionCallback{}
}
