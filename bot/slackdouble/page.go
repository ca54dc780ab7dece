package slackdouble

import (
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The local workspace's page: a Slack-like client in the browser over this double, for trying
// Baton without a Slack workspace. Page serves it; its JSON API (under /local/api/) reads the
// workspace as one person sees it and acts as that person through the same drive methods the
// tests use, so what the page does is what Slack would send.

//go:embed page
var pageFiles embed.FS

// PageOptions configures Page.
type PageOptions struct {
	TeamName string
	// Commands and Shortcuts are the app's, as its manifest declares them (for the composer's
	// autocomplete and the message menu).
	Commands  []PageCommand
	Shortcuts []PageShortcut
	// Clock moves the bot's clock; nil hides the clock's controls.
	Clock PageClock
	// Password, when set, is asked of every visitor (HTTP basic authentication, any user name).
	// Without one, only requests addressed to this machine by name or loopback address (or to
	// Host) are served: a web page elsewhere can't reach the workspace by pointing its own name
	// at 127.0.0.1.
	Password string
	// Host is the host the page listens on, when it is a name people type (empty: loopback only).
	Host string
	// Notice is shown on the page: the local workspace has no real sign-in.
	Notice string
	// Files serves the page's assets instead of the embedded ones (nil: embedded).
	Files fs.FS
	// Log receives what went wrong behind a sentence the page showed (nil: slog.Default()).
	Log *slog.Logger
}

// PageCommand is a slash command of the app.
type PageCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
	UsageHint   string `json:"usage_hint"`
}

// PageShortcut is a shortcut of the app.
type PageShortcut struct {
	CallbackID  string `json:"callback_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Type        string `json:"type"` // "message" or "global"
}

// PageClock is the bot's clock as the page moves it.
type PageClock interface {
	// Now is the bot's time; Offset how far it is ahead of the real clock.
	Now() time.Time
	Offset() time.Duration
	// AdvanceTo moves the clock forward to t, firing in order whatever comes due on the way, and
	// returns how many scheduled things fired.
	AdvanceTo(ctx context.Context, t time.Time) (int, error)
}

// Page returns the local workspace's web page and its API.
func (s *Server) Page(opts PageOptions) http.Handler {
	files := opts.Files
	if files == nil {
		sub, err := fs.Sub(pageFiles, "page")
		if err != nil {
			panic(err)
		}
		files = sub
	}
	p := &page{s: s, opts: opts, files: files, clockMoved: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", p.index)
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(files)))
	mux.HandleFunc("GET /local/api/session", p.session)
	mux.HandleFunc("GET /local/api/sidebar", p.person(p.sidebar))
	mux.HandleFunc("GET /local/api/channel", p.person(p.channel))
	mux.HandleFunc("GET /local/api/thread", p.person(p.thread))
	mux.HandleFunc("GET /local/api/home", p.person(p.home))
	mux.HandleFunc("GET /local/api/modals", p.person(p.modals))
	mux.HandleFunc("GET /local/api/events", p.person(p.events))
	mux.HandleFunc("GET /local/api/inspector", p.inspector)
	mux.HandleFunc("GET /local/files/{id}", p.person(p.file))
	mux.HandleFunc("POST /local/api/{action}", p.post)
	return p.guard(mux)
}

type page struct {
	s     *Server
	opts  PageOptions
	files fs.FS

	// clockMoved is closed and replaced each time the clock moves (guarded by s.mu).
	clockMoved chan struct{}
	// moving is held while the clock moves: one move at a time; busy says so to every page.
	moving sync.Mutex
	busy   atomic.Bool
}

// guard asks for the password when one is set, and keeps the page's answers out of caches and frames.
func (p *page) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'")
		w.Header().Set("Referrer-Policy", "no-referrer")
		if p.opts.Password != "" {
			_, pw, ok := r.BasicAuth()
			if !ok || subtle.ConstantTimeCompare([]byte(pw), []byte(p.opts.Password)) != 1 {
				w.Header().Set("WWW-Authenticate", `Basic realm="Baton local workspace", charset="UTF-8"`)
				http.Error(w, "This local workspace asks for its password (BATON_LOCAL_PASSWORD).", http.StatusUnauthorized)
				return
			}
		} else if !p.localHost(r.Host) {
			http.Error(w, "This local workspace answers only at 127.0.0.1 or localhost.", http.StatusMisdirectedRequest)
			return
		}
		if r.Method == http.MethodPost && !sameOrigin(r) {
			http.Error(w, "Requests from other sites are refused.", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// localHost reports whether a request's Host names this machine: a loopback address, localhost, or
// the host the page was told it listens on.
func (p *page) localHost(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	host = strings.Trim(host, "[]")
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback() || (p.opts.Host != "" && ip.Equal(net.ParseIP(p.opts.Host)))
	}
	return strings.EqualFold(host, "localhost") || (p.opts.Host != "" && strings.EqualFold(host, p.opts.Host))
}

// sameOrigin refuses cross-site posts: a page elsewhere must not act as someone here.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" || site == "none"
	}
	origin := r.Header.Get("Origin")
	return origin == "" || strings.TrimPrefix(strings.TrimPrefix(origin, "http://"), "https://") == r.Host
}

func (p *page) index(w http.ResponseWriter, _ *http.Request) {
	f, err := p.files.Open("index.html")
	if err != nil {
		http.Error(w, "the page is missing from this build", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.Copy(w, f)
}

// pageError is what the page shows a person when what they did could not be done.
type pageError struct{ msg string }

func (e pageError) Error() string { return e.msg }

func reply(w http.ResponseWriter, body any) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, body)
}

// replyError answers a request the page made with ok:false and a sentence a person can act on.
// What the workspace itself refused (the page drew something that has changed since) is said in
// words; its own details, with their IDs, go to the log.
func (p *page) replyError(w http.ResponseWriter, err error) {
	var pe pageError
	msg := "Slack would not do that: what you acted on has changed since the page drew it. Reload the page and try again."
	if errors.As(err, &pe) {
		msg = pe.msg
	} else {
		p.log().Warn("the local workspace refused a person's action", "err", err)
	}
	reply(w, map[string]any{"ok": false, "error": msg})
}

func (p *page) log() *slog.Logger {
	if p.opts.Log != nil {
		return p.opts.Log
	}
	return slog.Default()
}

// person wraps a read that is about one person (?as=U…), who must be in the workspace.
func (p *page) person(h func(w http.ResponseWriter, r *http.Request, as string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		as := r.URL.Query().Get("as")
		if err := p.checkPerson(as); err != nil {
			w.Header().Set("Cache-Control", "no-store")
			writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error": err.Error()})
			return
		}
		h(w, r, as)
	}
}

func (p *page) checkPerson(as string) error {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	u, ok := p.s.ws.users[as]
	if !ok || u.IsBot || u.Deleted {
		return pageError{"Choose someone in this workspace to be first."}
	}
	return nil
}

type pagePerson struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	RealName string `json:"real_name"`
	Title    string `json:"title"`
	TZ       string `json:"tz"`
	IsAdmin  bool   `json:"is_admin"`
}

func (p *page) session(w http.ResponseWriter, _ *http.Request) {
	p.s.mu.Lock()
	people := []pagePerson{}
	for _, id := range p.s.ws.userOrder {
		u := p.s.ws.users[id]
		if u.IsBot || u.Deleted {
			continue
		}
		people = append(people, pagePerson{ID: u.ID, Name: u.Name, RealName: u.RealName, Title: u.Title, TZ: u.TZ, IsAdmin: u.IsAdmin || u.IsOwner})
	}
	p.s.mu.Unlock()
	reply(w, map[string]any{
		"team":      map[string]any{"id": p.s.opts.TeamID, "name": p.opts.TeamName, "domain": p.s.opts.TeamDomain},
		"bot":       map[string]any{"id": p.s.opts.BotUserID, "name": p.s.opts.BotName},
		"people":    people,
		"commands":  orEmpty(p.opts.Commands),
		"shortcuts": orEmpty(p.opts.Shortcuts),
		"notice":    p.opts.Notice,
		"clock":     p.opts.Clock != nil,
	})
}

func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

type pageClock struct {
	Now           time.Time `json:"now"`
	OffsetSeconds int64     `json:"offset_seconds"`
	Busy          bool      `json:"busy"` // a move is under way
}

func (p *page) clock() *pageClock {
	if p.opts.Clock == nil {
		return nil
	}
	return &pageClock{Now: p.opts.Clock.Now().UTC(), OffsetSeconds: int64(p.opts.Clock.Offset() / time.Second), Busy: p.busy.Load()}
}

func (p *page) inspector(w http.ResponseWriter, r *http.Request) {
	limit := 200
	if n, err := positiveInt(r.URL.Query().Get("limit")); err == nil {
		limit = min(n, 1000)
	}
	reply(w, map[string]any{"entries": orEmpty(p.s.Inspector(limit))})
}

// decodeBody reads a page request's JSON body (at most 1 MiB).
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		return pageError{"The page sent something this workspace cannot read; reload the page."}
	}
	return nil
}
