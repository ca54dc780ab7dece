package slackdouble

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

const (
	maxSockets  = 10
	maxAckBytes = 20 * 1024
	writeWait   = 5 * time.Second
)

// ErrNoConnection means no Socket Mode connection was open to deliver an envelope.
var ErrNoConnection = errors.New("slackdouble: no socket mode connection")

// DroppedAck is an acknowledgement Slack would silently drop (20 KB or more).
type DroppedAck struct {
	EnvelopeID string
	Size       int
	At         time.Time
}

type ackFrame struct {
	payload json.RawMessage
	dropped bool
	at      time.Time
}

// sockets holds the open Socket Mode connections and pending acks.
type sockets struct {
	mu      sync.Mutex
	conns   map[int]*sockConn
	nextID  int
	waiters map[string]chan ackFrame
	dropped []DroppedAck
	closed  bool
}

func (h *sockets) init() {
	h.conns = map[int]*sockConn{}
	h.waiters = map[string]chan ackFrame{}
}

type sockConn struct {
	id        int
	ws        *websocket.Conn
	wmu       sync.Mutex
	closeOnce sync.Once
	done      chan struct{}
}

func (c *sockConn) write(data []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	return c.ws.WriteMessage(websocket.TextMessage, data)
}

func (c *sockConn) close() {
	c.closeOnce.Do(func() {
		close(c.done)
		_ = c.ws.Close()
	})
}

func (s *Server) appsConnectionsOpen(*apiRequest) (map[string]any, *apiError) {
	ticket := randomHex(16)
	s.mu.Lock()
	s.ws.tickets[ticket] = true
	s.mu.Unlock()
	url := fmt.Sprintf("ws%s/link/?ticket=%s&app_id=%s", s.base[len("http"):], ticket, s.opts.AppID)
	return map[string]any{"url": url}, nil
}

func (s *Server) handleSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.ws.tickets[ticket]
	delete(s.ws.tickets, ticket)
	s.mu.Unlock()
	if !valid {
		http.Error(w, "invalid_ticket", http.StatusUnauthorized)
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.logf("socket upgrade: %v", err)
		return
	}
	c := &sockConn{ws: ws, done: make(chan struct{})}

	s.sock.mu.Lock()
	full := len(s.sock.conns) >= maxSockets
	n := len(s.sock.conns) + 1
	s.sock.mu.Unlock()
	if full {
		_ = c.write(mustJSON(map[string]any{"type": "disconnect", "reason": "too_many_websockets", "debug_info": map[string]any{"host": "double"}}))
		c.close()
		return
	}
	hello := map[string]any{
		"type":            "hello",
		"num_connections": n,
		"connection_info": map[string]any{"app_id": s.opts.AppID},
		"debug_info":      map[string]any{"host": "double", "build_number": 1, "approximate_connection_time": 18060},
	}
	if err := c.write(mustJSON(hello)); err != nil {
		c.close()
		return
	}

	s.sock.mu.Lock()
	if s.sock.closed {
		s.sock.mu.Unlock()
		c.close()
		return
	}
	s.wg.Add(1)
	defer s.wg.Done()
	s.sock.nextID++
	c.id = s.sock.nextID
	s.sock.conns[c.id] = c
	s.sock.mu.Unlock()
	s.logf("socket %d connected", c.id)
	s.notify()

	go s.pingLoop(c)
	s.readLoop(c)

	s.sock.mu.Lock()
	delete(s.sock.conns, c.id)
	s.sock.mu.Unlock()
	c.close()
	s.logf("socket %d closed", c.id)
	s.notify()
}

func (s *Server) pingLoop(c *sockConn) {
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				c.close()
				return
			}
		}
	}
}

func (s *Server) readLoop(c *sockConn) {
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		parseErr := json.Unmarshal(data, &ack)
		if len(data) >= maxAckBytes {
			s.sock.mu.Lock()
			s.sock.dropped = append(s.sock.dropped, DroppedAck{EnvelopeID: ack.EnvelopeID, Size: len(data), At: time.Now()})
			w := s.sock.waiters[ack.EnvelopeID]
			s.sock.mu.Unlock()
			s.logf("dropped %d-byte ack for %s", len(data), ack.EnvelopeID)
			offerAck(w, ackFrame{dropped: true, at: time.Now()})
			s.notify()
			continue
		}
		if parseErr != nil || ack.EnvelopeID == "" {
			s.logf("socket %d: unreadable frame %q", c.id, data)
			continue
		}
		s.sock.mu.Lock()
		w := s.sock.waiters[ack.EnvelopeID]
		delete(s.sock.waiters, ack.EnvelopeID)
		s.sock.mu.Unlock()
		if w == nil {
			s.logf("socket %d: ack for unknown envelope %s", c.id, ack.EnvelopeID)
			continue
		}
		if string(ack.Payload) == "null" {
			ack.Payload = nil
		}
		offerAck(w, ackFrame{payload: ack.Payload, at: time.Now()})
	}
}

func offerAck(w chan ackFrame, f ackFrame) {
	if w == nil {
		return
	}
	select {
	case w <- f:
	default:
	}
}

// sendFrame writes a frame to one open connection, chosen at random as Slack
// does. It waits for a connection until ctx is done.
func (s *Server) sendFrame(ctx context.Context, frame []byte) error {
	for {
		s.sock.mu.Lock()
		conns := make([]*sockConn, 0, len(s.sock.conns))
		for _, c := range s.sock.conns {
			conns = append(conns, c)
		}
		s.sock.mu.Unlock()
		rand.Shuffle(len(conns), func(i, j int) { conns[i], conns[j] = conns[j], conns[i] })
		for _, c := range conns {
			if err := c.write(frame); err == nil {
				return nil
			}
		}
		if err := s.Wait(ctx, func() bool { return s.Connections() > 0 }); err != nil {
			return fmt.Errorf("%w: %w", ErrNoConnection, err)
		}
	}
}

// SendRaw writes an arbitrary frame to one open Socket Mode connection.
func (s *Server) SendRaw(ctx context.Context, frame []byte) error {
	return s.sendFrame(ctx, frame)
}

// Connections is the number of open Socket Mode connections.
func (s *Server) Connections() int {
	s.sock.mu.Lock()
	defer s.sock.mu.Unlock()
	return len(s.sock.conns)
}

// WaitConnected waits until at least n Socket Mode connections are open.
func (s *Server) WaitConnected(ctx context.Context, n int) error {
	return s.Wait(ctx, func() bool { return s.Connections() >= n })
}

// DroppedAcks lists acknowledgements dropped for being 20 KB or larger.
func (s *Server) DroppedAcks() []DroppedAck {
	s.sock.mu.Lock()
	defer s.sock.mu.Unlock()
	out := make([]DroppedAck, len(s.sock.dropped))
	copy(out, s.sock.dropped)
	return out
}

func (s *Server) takeConns() []*sockConn {
	s.sock.mu.Lock()
	defer s.sock.mu.Unlock()
	conns := make([]*sockConn, 0, len(s.sock.conns))
	for id, c := range s.sock.conns {
		conns = append(conns, c)
		delete(s.sock.conns, id)
	}
	return conns
}

// Disconnect sends a disconnect frame with the reason ("warning",
// "refresh_requested", "link_disabled", ...) to every connection and closes
// them, as Slack does when it recycles sockets.
func (s *Server) Disconnect(reason string) {
	conns := s.takeConns()
	frame := mustJSON(map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "double"}})
	for _, c := range conns {
		_ = c.write(frame)
		_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, reason), time.Now().Add(writeWait))
		time.AfterFunc(time.Second, c.close)
	}
	s.notify()
}

// DropConnections closes every connection's TCP stream without a frame.
func (s *Server) DropConnections() {
	for _, c := range s.takeConns() {
		c.close()
	}
	s.notify()
}

func (s *Server) closeAllSockets() {
	s.sock.mu.Lock()
	s.sock.closed = true
	s.sock.mu.Unlock()
	for _, c := range s.takeConns() {
		c.close()
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("slackdouble: marshal: %v", err))
	}
	return b
}
