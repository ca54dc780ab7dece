package slackdouble

import (
	"encoding/json"
	"fmt"
)

// snapshotVersion is the layout of Snapshot's JSON; Restore refuses another.
const snapshotVersion = 1

type snapshot struct {
	Version    int               `json:"version"`
	LastMicros int64             `json:"last_micros"`
	Seq        int64             `json:"seq"`
	Channels   []snapshotChannel `json:"channels"`
}

type snapshotChannel struct {
	ID       string    `json:"id"`
	IMUser   string    `json:"im_user,omitempty"` // set for the bot's DM with a person
	Messages []Message `json:"messages"`
}

// Snapshot is the workspace's conversations as JSON: every channel's and DM's messages, thread
// replies, files and reactions. People and channels are not in it: whoever starts the double adds
// them again before Restore.
func (s *Server) Snapshot() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := snapshot{Version: snapshotVersion, LastMicros: s.ws.lastMicros, Seq: s.ws.seq}
	for _, c := range s.ws.channels {
		if len(c.msgs) == 0 {
			continue
		}
		sc := snapshotChannel{ID: c.ID, Messages: make([]Message, len(c.msgs))}
		if c.im {
			sc.IMUser = c.imUser
		}
		for i, m := range c.msgs {
			sc.Messages[i] = *m
		}
		snap.Channels = append(snap.Channels, sc)
	}
	return json.Marshal(snap)
}

// Restore puts back the conversations of a Snapshot into the channels and DMs of the people added
// since Start. A channel or person no longer in the workspace is left out, and said so in the error
// after everything else was restored.
func (s *Server) Restore(data []byte) error {
	var snap snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return fmt.Errorf("slackdouble: the saved workspace is not readable: %w", err)
	}
	if snap.Version != snapshotVersion {
		return fmt.Errorf("slackdouble: the saved workspace has layout %d; this version reads %d", snap.Version, snapshotVersion)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	s.ws.lastMicros = max(s.ws.lastMicros, snap.LastMicros)
	s.ws.seq = max(s.ws.seq, snap.Seq)
	var missing []string
	for _, sc := range snap.Channels {
		c := s.ws.channels[sc.ID]
		if c == nil && sc.IMUser != "" {
			if _, ok := s.ws.users[sc.IMUser]; ok {
				c = s.openDMLocked(sc.IMUser)
			}
		}
		if c == nil {
			missing = append(missing, sc.ID)
			continue
		}
		c.msgs = make([]*Message, len(sc.Messages))
		for i := range sc.Messages {
			c.msgs[i] = &sc.Messages[i]
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("slackdouble: the conversations of %v are no longer in the workspace; the rest was restored", missing)
	}
	return nil
}

// Version counts the workspace's changes: it moves whenever anything a Wait would see changes.
func (s *Server) Version() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ws.version
}
