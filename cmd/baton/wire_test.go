package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// wire counts what the bot asks of Postgres and Redis, read off the connections between them: a
// loopback proxy in front of each server forwards every byte and notes each request as it passes.
//
//   - Postgres: one round trip per Query or Sync message (the points where lib/pq waits for an
//     answer), each named by the statement it runs, or by PREPARE or CLOSE and the statement when it
//     prepares or closes one;
//   - Redis: one entry per command (EVALSHA with the first characters of the script's hash).
type wire struct {
	mu       sync.Mutex
	postgres []string // statements, one per round trip, in order
	redis    []string // commands, in order
}

// wireLoad is what the bot asked between two reads of the counters.
type wireLoad struct{ postgres, redis []string }

// take returns what was counted since the last take and starts counting afresh.
func (w *wire) take() wireLoad {
	w.mu.Lock()
	defer w.mu.Unlock()
	l := wireLoad{postgres: w.postgres, redis: w.redis}
	w.postgres, w.redis = nil, nil
	return l
}

func (w *wire) note(list *[]string, what string) {
	w.mu.Lock()
	*list = append(*list, what)
	w.mu.Unlock()
}

// proxyPostgres starts a counting proxy in front of the Postgres at dbURL and returns a URL that goes
// through it.
func (w *wire) proxyPostgres(t testing.TB, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		t.Fatalf("counting round trips needs TEST_DATABASE_URL as a postgres:// URL, not %q", dbURL)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5432")
	}
	u.Host = startProxy(t, target, w.readPostgres)
	// The proxy reads the protocol in the clear.
	q := u.Query()
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	return u.String()
}

// proxyRedis starts a counting proxy in front of the Redis at redisURL and returns a URL that goes
// through it.
func (w *wire) proxyRedis(t testing.TB, redisURL string) string {
	t.Helper()
	u, err := url.Parse(redisURL)
	if err != nil || u.Scheme != "redis" || u.Host == "" {
		t.Fatalf("counting round trips needs TEST_REDIS_URL as a redis:// URL, not %q", redisURL)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "6379")
	}
	u.Host = startProxy(t, target, w.readRedis)
	return u.String()
}

// startProxy listens on a loopback port and joins each connection to target: answers are copied back
// untouched, requests go through read, which forwards them to the server as it parses them.
func startProxy(t testing.TB, target string, read func(client *bufio.Reader, server io.Writer) error) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	keep := func(c ...net.Conn) {
		mu.Lock()
		conns = append(conns, c...)
		mu.Unlock()
	}
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			client, err := l.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				_ = client.Close()
				continue
			}
			keep(client, server)
			wg.Go(func() {
				_, _ = io.Copy(client, server)
				_ = client.Close()
			})
			wg.Go(func() {
				if err := read(bufio.NewReaderSize(client, 64<<10), server); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
					t.Logf("wire proxy to %s: %v", target, err)
				}
				_ = server.Close()
			})
		}
	})
	return l.Addr().String()
}

// readPostgres forwards a client's messages (the frontend side of Postgres's protocol v3) and notes a
// round trip at each simple Query and each Sync, named by the statement last parsed.
func (w *wire) readPostgres(client *bufio.Reader, server io.Writer) error {
	// The startup message has a length and no type byte.
	head := make([]byte, 4)
	if _, err := io.ReadFull(client, head); err != nil {
		return err
	}
	body := make([]byte, binary.BigEndian.Uint32(head)-4)
	if _, err := io.ReadFull(client, body); err != nil {
		return err
	}
	if _, err := server.Write(append(head, body...)); err != nil {
		return err
	}
	statements := map[string]string{} // prepared statement name → query, for this connection
	var current string                // what the round trip under way runs
	for {
		head := make([]byte, 5)
		if _, err := io.ReadFull(client, head); err != nil {
			return err
		}
		body := make([]byte, binary.BigEndian.Uint32(head[1:])-4)
		if _, err := io.ReadFull(client, body); err != nil {
			return err
		}
		switch head[0] {
		case 'Q':
			w.note(&w.postgres, statementName(string(body)))
		case 'P': // statement name, then the query
			if name, q, ok := strings.Cut(string(body), "\x00"); ok {
				statements[name] = statementName(q)
				current = "PREPARE " + statements[name]
			}
		case 'B': // portal name, then the statement's
			if _, rest, ok := strings.Cut(string(body), "\x00"); ok {
				if name, _, ok := strings.Cut(rest, "\x00"); ok {
					current = statements[name]
				}
			}
		case 'C': // closing a statement ('S') or a portal ('P'), then its name
			if len(body) > 1 && body[0] == 'S' {
				current = "CLOSE " + statements[strings.TrimRight(string(body[1:]), "\x00")]
			}
		case 'S':
			w.note(&w.postgres, current)
		}
		if _, err := server.Write(append(head, body...)); err != nil {
			return err
		}
	}
}

// statementName is a statement on one line, cut short: enough to tell one from another in a failure.
func statementName(q string) string {
	q = strings.Join(strings.Fields(strings.TrimRight(q, "\x00")), " ")
	if len(q) > 110 {
		q = q[:110] + "…"
	}
	return q
}

// readRedis forwards a client's commands (RESP arrays of bulk strings, as go-redis sends them) and notes
// each one.
func (w *wire) readRedis(client *bufio.Reader, server io.Writer) error {
	for {
		var raw []byte
		line, err := client.ReadBytes('\n')
		if err != nil {
			return err
		}
		raw = append(raw, line...)
		if line[0] != '*' {
			return fmt.Errorf("redis: a command that is not an array: %q", line)
		}
		n, err := strconv.Atoi(strings.TrimSpace(string(line[1:])))
		if err != nil {
			return fmt.Errorf("redis: bad array length %q", line)
		}
		var args []string
		for range n {
			line, err := client.ReadBytes('\n')
			if err != nil {
				return err
			}
			raw = append(raw, line...)
			size, err := strconv.Atoi(strings.TrimSpace(string(line[1:])))
			if err != nil || line[0] != '$' {
				return fmt.Errorf("redis: bad bulk string header %q", line)
			}
			data := make([]byte, size+2)
			if _, err := io.ReadFull(client, data); err != nil {
				return err
			}
			raw = append(raw, data...)
			args = append(args, string(data[:size]))
		}
		if len(args) > 0 {
			name := strings.ToUpper(args[0])
			if name == "EVALSHA" && len(args) > 1 {
				name += " " + args[1][:min(8, len(args[1]))]
			}
			w.note(&w.redis, name)
		}
		if _, err := server.Write(raw); err != nil {
			return err
		}
	}
}
