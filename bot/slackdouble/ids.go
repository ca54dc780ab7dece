package slackdouble

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// nextTSLocked returns a fresh message timestamp: the workspace clock's
// microseconds, strictly increasing, formatted like "1700000000.000100".
func (s *Server) nextTSLocked() string {
	now := s.opts.Now().UnixMicro()
	if now <= s.ws.lastMicros {
		now = s.ws.lastMicros + 1
	}
	s.ws.lastMicros = now
	return fmt.Sprintf("%d.%06d", now/1e6, now%1e6)
}

func (s *Server) seqLocked() int64 {
	s.ws.seq++
	return s.ws.seq
}

// newUUID returns a random RFC 4122 version 4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomID returns n random alphanumeric characters, like the block and
// action ids Slack generates when an app leaves them out.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	var sb strings.Builder
	for _, c := range b {
		sb.WriteByte(alnum[int(c)%len(alnum)])
	}
	return sb.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}

func permalinkTS(ts string) string { return "p" + strings.ReplaceAll(ts, ".", "") }
