package slackdouble

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // user time zones resolve without a system zoneinfo
)

// User is a workspace member as set up by a test.
type User struct {
	ID          string
	Name        string // handle, e.g. "alice"
	RealName    string
	DisplayName string
	Title       string // shown on the local workspace's page
	Email       string
	TZ          string // IANA zone, default "UTC"
	TZOffset    int    // seconds east of UTC, computed from TZ
	IsBot       bool
	Deleted     bool
	IsAdmin     bool
	IsOwner     bool
}

// Channel is a conversation as set up by a test. DMs are created by the double.
type Channel struct {
	ID          string
	Name        string
	Private     bool
	Members     []string // human members; the bot's membership is BotIsMember
	BotIsMember bool
	Archived    bool
}

// Message is a message stored in a channel (including thread replies).
type Message struct {
	Channel        string
	TS             string
	ThreadTS       string // parent ts for replies, and for a parent that has replies
	User           string // bot user id for bot posts
	BotID          string // set for bot posts
	Text           string
	Blocks         json.RawMessage // as Slack stores them: block_ids and action_ids filled in
	ReplyBroadcast bool
	Metadata       json.RawMessage // the message's metadata as posted (event_type, event_payload), if any
	Edits          int
	EditedTS       string     // ts of the last edit
	History        []Revision // earlier versions, oldest first; len(History) == Edits
	Deleted        bool
	Reactions      []string       // the bot's, by reactions.add
	ReactedBy      []UserReaction // people's, in the order they reacted
	Files          []File         // shared with the message through files.completeUploadExternal
}

// UserReaction is one person's reaction to a message.
type UserReaction struct {
	Name string
	User string
}

// Revision is an earlier version of an edited message.
type Revision struct {
	Text     string
	Blocks   json.RawMessage
	Replaced time.Time
}

// Ephemeral is a message only one user can see.
type Ephemeral struct {
	Channel  string
	User     string
	TS       string
	ThreadTS string
	Text     string
	Blocks   json.RawMessage
	// Source is "chat.postEphemeral", "response_url", or "ack" (a slash
	// command's acknowledgement shown as the immediate reply).
	Source   string
	Replaced int // times replaced through response_url replace_original
	Deleted  bool
}

// Call history, users, channels, messages, views and triggers. Guarded by Server.mu.
type workspace struct {
	users      map[string]*User
	userOrder  []string
	channels   map[string]*channelState
	ephemerals map[string][]*Ephemeral
	views      map[string]*view
	stacks     map[string][]*view
	homes      map[string]*view
	externals  map[string]*view
	triggers   map[string]*trigger
	responses  map[string]*responseURL
	uploads    map[string]*upload
	tickets    map[string]bool
	calls      []Call
	inspected  []InspectEntry
	inspectSeq int64
	lastMicros int64
	seq        int64
	version    uint64
}

type channelState struct {
	Channel
	im      bool
	imUser  string
	created int64
	msgs    []*Message
}

func (w *workspace) init() {
	w.users = map[string]*User{}
	w.channels = map[string]*channelState{}
	w.ephemerals = map[string][]*Ephemeral{}
	w.views = map[string]*view{}
	w.stacks = map[string][]*view{}
	w.homes = map[string]*view{}
	w.externals = map[string]*view{}
	w.triggers = map[string]*trigger{}
	w.responses = map[string]*responseURL{}
	w.uploads = map[string]*upload{}
	w.tickets = map[string]bool{}
}

func (s *Server) addBotUser() {
	s.AddUser(User{ID: s.opts.BotUserID, Name: s.opts.BotName, RealName: s.opts.BotName, IsBot: true})
}

// AddUser adds or replaces a workspace member. It panics on an unknown time zone.
func (s *Server) AddUser(u User) {
	if u.TZ == "" {
		u.TZ = "UTC"
	}
	loc, err := time.LoadLocation(u.TZ)
	if err != nil {
		panic(fmt.Sprintf("slackdouble: user %s: %v", u.ID, err))
	}
	_, u.TZOffset = time.Now().In(loc).Zone()
	if u.Name == "" {
		u.Name = strings.ToLower(u.ID)
	}
	if u.RealName == "" {
		u.RealName = u.Name
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ws.users[u.ID]; !ok {
		s.ws.userOrder = append(s.ws.userOrder, u.ID)
	}
	s.ws.users[u.ID] = &u
	s.notifyLocked()
}

// AddChannel adds or replaces a public or private channel.
func (s *Server) AddChannel(c Channel) {
	c.Members = slices.Clone(c.Members)
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := &channelState{Channel: c, created: time.Now().Unix()}
	if old, ok := s.ws.channels[c.ID]; ok {
		cs.msgs = old.msgs
	}
	s.ws.channels[c.ID] = cs
	s.notifyLocked()
}

// DMChannel is the id of the bot's direct-message channel with userID
// ("D"+userID). Drive methods open it on use; the Web API sees it once
// conversations.open or a post to the user id opened it.
func (s *Server) DMChannel(userID string) string { return "D" + userID }

// channelLocked finds an existing channel. The bot's DM with a user exists
// once conversations.open, a post to the user id, or something the user did
// (see userChannelLocked) opened it.
func (s *Server) channelLocked(id string) *channelState {
	return s.ws.channels[id]
}

// userChannelLocked finds a channel for something a user does; the user's
// DM with the bot ("D"+user id) opens on first use, as it does when the user
// visits the app.
func (s *Server) userChannelLocked(id string) *channelState {
	if c, ok := s.ws.channels[id]; ok {
		return c
	}
	if uid, ok := strings.CutPrefix(id, "D"); ok {
		if u, ok := s.ws.users[uid]; ok && !u.IsBot {
			return s.openDMLocked(uid)
		}
	}
	return nil
}

func (s *Server) openDMLocked(userID string) *channelState {
	id := s.DMChannel(userID)
	if c, ok := s.ws.channels[id]; ok {
		return c
	}
	c := &channelState{
		Channel: Channel{ID: id, Name: userID, Private: true, Members: []string{userID}, BotIsMember: true},
		im:      true, imUser: userID, created: time.Now().Unix(),
	}
	s.ws.channels[id] = c
	return c
}

func (c *channelState) isMember(userID string) bool {
	return slices.Contains(c.Members, userID)
}

func (c *channelState) find(ts string) *Message {
	for _, m := range c.msgs {
		if m.TS == ts && !m.Deleted {
			return m
		}
	}
	return nil
}

func copyMessage(m *Message) Message {
	out := *m
	out.History = slices.Clone(m.History)
	out.Reactions = slices.Clone(m.Reactions)
	out.ReactedBy = slices.Clone(m.ReactedBy)
	if len(m.Files) > 0 {
		out.Files = make([]File, len(m.Files))
		for i, f := range m.Files {
			out.Files[i] = copyFile(f)
		}
	}
	return out
}

// User returns a member by id.
func (s *Server) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.ws.users[id]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// Messages returns every message posted to a channel, thread replies and
// deleted messages included, in posting order.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.ws.channels[channelID]
	if !ok {
		return nil
	}
	out := make([]Message, 0, len(c.msgs))
	for _, m := range c.msgs {
		out = append(out, copyMessage(m))
	}
	return out
}

// MessageCount is len(Messages(channelID)) without copying them: cheap enough for a Wait condition
// evaluated at every change.
func (s *Server) MessageCount(channelID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.ws.channels[channelID]; ok {
		return len(c.msgs)
	}
	return 0
}

// Edits is how many times the message at channelID and ts was edited, -1 when there is none; like
// MessageCount, it copies nothing.
func (s *Server) Edits(channelID, ts string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.ws.channels[channelID]; ok {
		for _, m := range c.msgs {
			if m.TS == ts {
				return m.Edits
			}
		}
	}
	return -1
}

// Message returns one message by channel and ts.
func (s *Server) Message(channelID, ts string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.ws.channels[channelID]
	if !ok {
		return Message{}, false
	}
	for _, m := range c.msgs {
		if m.TS == ts {
			return copyMessage(m), true
		}
	}
	return Message{}, false
}

// Thread returns the parent message ts and its replies, in order.
func (s *Server) Thread(channelID, ts string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.ws.channels[channelID]
	if !ok {
		return nil
	}
	return threadLocked(c, ts)
}

func threadLocked(c *channelState, ts string) []Message {
	var out []Message
	for _, m := range c.msgs {
		if m.TS == ts || m.ThreadTS == ts {
			out = append(out, copyMessage(m))
		}
	}
	return out
}

// Ephemerals returns the ephemeral messages shown to a user, in order.
func (s *Server) Ephemerals(userID string) []Ephemeral {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Ephemeral, 0, len(s.ws.ephemerals[userID]))
	for _, e := range s.ws.ephemerals[userID] {
		out = append(out, *e)
	}
	return out
}

// OpenViews returns the user's modal stack, root first.
func (s *Server) OpenViews(userID string) []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]View, 0, len(s.ws.stacks[userID]))
	for _, v := range s.ws.stacks[userID] {
		out = append(out, v.export())
	}
	return out
}

// HomeView returns the user's published App Home view.
func (s *Server) HomeView(userID string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.ws.homes[userID]
	if !ok {
		return View{}, false
	}
	return v.export(), true
}

// CallCount is the number of requests made to a Web API method.
func (s *Server) CallCount(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.ws.calls {
		if c.Method == method {
			n++
		}
	}
	return n
}

// Calls returns every Web API request so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.ws.calls))
	for i, c := range s.ws.calls {
		c.Args = maps.Clone(c.Args)
		out[i] = c
	}
	return out
}

// WaitMessage waits for a message in the channel matching pred and returns it.
func (s *Server) WaitMessage(ctx context.Context, channelID string, pred func(Message) bool) (Message, error) {
	var found Message
	err := s.Wait(ctx, func() bool {
		for _, m := range s.Messages(channelID) {
			if pred(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found, err
}

// WaitEphemeral waits for an ephemeral message to the user matching pred.
func (s *Server) WaitEphemeral(ctx context.Context, userID string, pred func(Ephemeral) bool) (Ephemeral, error) {
	var found Ephemeral
	err := s.Wait(ctx, func() bool {
		for _, e := range s.Ephemerals(userID) {
			if pred(e) {
				found = e
				return true
			}
		}
		return false
	})
	return found, err
}

// WaitView waits for an open modal view of the user matching pred.
func (s *Server) WaitView(ctx context.Context, userID string, pred func(View) bool) (View, error) {
	var found View
	err := s.Wait(ctx, func() bool {
		for _, v := range s.OpenViews(userID) {
			if pred(v) {
				found = v
				return true
			}
		}
		return false
	})
	return found, err
}

// WaitHome waits for the user's App Home view to match pred.
func (s *Server) WaitHome(ctx context.Context, userID string, pred func(View) bool) (View, error) {
	var found View
	err := s.Wait(ctx, func() bool {
		v, ok := s.HomeView(userID)
		if ok && pred(v) {
			found = v
			return true
		}
		return false
	})
	return found, err
}
