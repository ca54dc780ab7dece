package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/internal/redisurl"
)

// config is Baton's settings, all from the environment.
type config struct {
	AppToken string
	BotToken string
	// SigningSecret, set instead of AppToken, runs HTTP mode: Slack posts to Baton on HTTPAddr.
	SigningSecret string
	APIURL        string
	DatabaseURL   string
	RedisURL      string
	HTTPAddr      string
	LogLevel      slog.Level
	// Policies is the path of the approval policy file; "" when approvals are not configured.
	Policies string
	// PoliciesManual leaves an edited policy file alone until an admin runs /baton policies reload
	// (or the process gets SIGHUP), so /baton policies simulate can show what it would change
	// first. Otherwise a changed file is put in force within seconds.
	PoliciesManual bool
	// Local runs Baton against the local workspace instead of Slack: no Slack settings were given,
	// or `baton run --local` asked for it.
	Local bool
	// LocalPassword is asked of the local workspace's visitors; it must be set when the page listens
	// beyond this machine.
	LocalPassword string
	// ShutdownDelay is how long HTTP mode goes on answering Slack after it is told to stop, while
	// /readyz already says it is stopping: a load balancer's time to stop sending it requests.
	ShutdownDelay time.Duration
	// DBPoolSize is how many Postgres connections the process keeps at most; 0: the store's default.
	DBPoolSize int
	// DBStatementTimeout ends a statement that runs longer; 0: none but Postgres's own.
	DBStatementTimeout time.Duration
	// addrDefaulted says HTTPAddr is HTTP mode's default, not a setting.
	addrDefaulted bool
}

// defaultHTTPModeAddr is where HTTP mode listens for Slack unless BATON_HTTP_ADDR says otherwise.
const defaultHTTPModeAddr = ":8080"

// maxShutdownDelay bounds BATON_SHUTDOWN_DELAY to what a platform's grace period is set to at most in
// practice; the delay plus the stop that follows (up to ~20 s) must fit in the one actually given
// (Kubernetes: 30 s unless terminationGracePeriodSeconds says more, as the Helm chart does).
const maxShutdownDelay = 2 * time.Minute

// maxDBPoolSize bounds BATON_DB_POOL_SIZE: far past it, Postgres runs out of connections first.
const maxDBPoolSize = 500

// defaultLocalAddr is where the local workspace's page listens unless BATON_HTTP_ADDR says otherwise.
const defaultLocalAddr = "127.0.0.1:8080"

// settingError names the setting that stops the start, and how to fix it.
type settingError struct{ name, fix string }

func (e *settingError) Error() string { return e.name + ": " + e.fix }

// loadConfig reads the settings that command needs; the first missing or malformed one is an error.
func loadConfig(getenv func(string) string, needSlack bool) (config, error) {
	c := config{
		AppToken:      strings.TrimSpace(getenv("SLACK_APP_TOKEN")),
		SigningSecret: strings.TrimSpace(getenv("SLACK_SIGNING_SECRET")),
		BotToken:      strings.TrimSpace(getenv("SLACK_BOT_TOKEN")),
		APIURL:        strings.TrimSpace(getenv("SLACK_API_URL")),
		DatabaseURL:   strings.TrimSpace(getenv("DATABASE_URL")),
		RedisURL:      strings.TrimSpace(getenv("REDIS_URL")),
		HTTPAddr:      strings.TrimSpace(getenv("BATON_HTTP_ADDR")),
		Policies:      strings.TrimSpace(getenv("BATON_POLICIES")),
	}
	if needSlack && c.AppToken == "" && c.BotToken == "" && c.APIURL == "" && c.SigningSecret == "" {
		c.Local = true
	}
	if needSlack {
		if err := checkRedisURL(c.RedisURL); err != nil {
			return c, err
		}
	}
	if needSlack && !c.Local {
		switch {
		case c.AppToken != "" && c.SigningSecret != "":
			return c, &settingError{"SLACK_SIGNING_SECRET", "set it for HTTP mode or SLACK_APP_TOKEN for Socket Mode, not both; unset one of them"}
		case c.SigningSecret != "":
			if c.HTTPAddr == "" {
				c.HTTPAddr, c.addrDefaulted = defaultHTTPModeAddr, true
			}
			if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
				return c, &settingError{"BATON_HTTP_ADDR", fmt.Sprintf("%q is not host:port; Slack's requests need an address such as :8080", c.HTTPAddr)}
			}
		case !strings.HasPrefix(c.AppToken, "xapp-"):
			return c, &settingError{"SLACK_APP_TOKEN", "set it to the app-level token (xapp-…) from Basic Information → App-Level Tokens, with the connections:write scope; or, for HTTP mode, set SLACK_SIGNING_SECRET instead"}
		}
		if !strings.HasPrefix(c.BotToken, "xoxb-") {
			return c, &settingError{"SLACK_BOT_TOKEN", "set it to the bot token (xoxb-…) from OAuth & Permissions after installing the app"}
		}
		if c.APIURL != "" {
			u, err := url.Parse(c.APIURL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return c, &settingError{"SLACK_API_URL", "set it to an http(s) URL such as https://slack.com/api/, or leave it unset"}
			}
			if !strings.HasSuffix(c.APIURL, "/") {
				c.APIURL += "/"
			}
		}
	}
	if c.DatabaseURL == "" {
		return c, &settingError{"DATABASE_URL", "set it to a Postgres URL such as postgres://baton@127.0.0.1:5432/baton?sslmode=disable"}
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return c, &settingError{"DATABASE_URL", "it must be a postgres:// URL such as postgres://baton@127.0.0.1:5432/baton?sslmode=disable"}
	}
	if v := strings.TrimSpace(getenv("BATON_DB_POOL_SIZE")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 || n > maxDBPoolSize {
			return c, &settingError{"BATON_DB_POOL_SIZE", fmt.Sprintf("%q is not a number of connections from 2 to %d; use one like 20, or leave it unset", v, maxDBPoolSize)}
		}
		c.DBPoolSize = n
	}
	if v := strings.TrimSpace(getenv("BATON_DB_STATEMENT_TIMEOUT")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || (d > 0 && d < time.Second) || d > time.Hour {
			return c, &settingError{"BATON_DB_STATEMENT_TIMEOUT", fmt.Sprintf("%q is not a duration from 1s to 1h (or 0s for none); use one like 10s, or leave it unset", v)}
		}
		c.DBStatementTimeout = d
	}
	if v := strings.TrimSpace(getenv("BATON_SHUTDOWN_DELAY")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > maxShutdownDelay {
			return c, &settingError{"BATON_SHUTDOWN_DELAY", fmt.Sprintf("%q is not a duration from 0s to %s; use one like 10s, or leave it unset", v, maxShutdownDelay)}
		}
		c.ShutdownDelay = d
	}
	switch v := strings.ToLower(strings.TrimSpace(getenv("BATON_POLICIES_RELOAD"))); v {
	case "", "auto":
	case "manual":
		c.PoliciesManual = true
	default:
		return c, &settingError{"BATON_POLICIES_RELOAD", fmt.Sprintf("%q is not a way to reload; use auto (a changed file is put in force within seconds) or manual (only /baton policies reload does)", v)}
	}
	switch lvl := strings.ToLower(strings.TrimSpace(getenv("BATON_LOG_LEVEL"))); lvl {
	case "", "info":
		c.LogLevel = slog.LevelInfo
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "warn", "warning":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		return c, &settingError{"BATON_LOG_LEVEL", fmt.Sprintf("%q is not a level; use debug, info, warn or error", lvl)}
	}
	if c.Local {
		if err := c.useLocal(getenv); err != nil {
			return c, err
		}
	}
	return c, nil
}

// useLocal turns c to the local workspace: the page's address and its password.
func (c *config) useLocal(getenv func(string) string) error {
	c.Local = true
	c.LocalPassword = getenv("BATON_LOCAL_PASSWORD")
	if c.addrDefaulted {
		// HTTP mode's default address was chosen before --local asked for the local workspace.
		c.HTTPAddr, c.addrDefaulted = "", false
	}
	if strings.TrimSpace(getenv("BATON_LOG_LEVEL")) == "" {
		// The terminal shows where to open the page; the bot's own news would bury it.
		c.LogLevel = slog.LevelWarn
	}
	if c.HTTPAddr == "" {
		c.HTTPAddr = defaultLocalAddr
	}
	host, _, err := net.SplitHostPort(c.HTTPAddr)
	if err != nil {
		return &settingError{"BATON_HTTP_ADDR", fmt.Sprintf("%q is not host:port; use one like %s", c.HTTPAddr, defaultLocalAddr)}
	}
	if ip := net.ParseIP(host); (ip == nil || !ip.IsLoopback()) && host != "localhost" && c.LocalPassword == "" {
		return &settingError{"BATON_LOCAL_PASSWORD", "Baton runs the local workspace (no Slack tokens are set, or --local asked for it), which has no real sign-in, so listening on " + c.HTTPAddr + " needs a password; set one, or listen on 127.0.0.1"}
	}
	return nil
}

func checkRedisURL(u string) error {
	if u == "" {
		return &settingError{"REDIS_URL", "set it to the Redis that holds the delayed message queues, such as " + redisurl.Example}
	}
	if _, _, err := redisurl.Options(u); err != nil {
		return &settingError{"REDIS_URL", err.Error()}
	}
	return nil
}

// loadPolicy reads the approval policy file named by BATON_POLICIES; nil when it is unset.
// A file that can't be read or loaded is a settingError naming BATON_POLICIES with the loader's message.
func loadPolicy(path string) (*baton.Policy, []byte, error) {
	if path == "" {
		return nil, nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, &settingError{"BATON_POLICIES", fmt.Sprintf("cannot read %s (%v); point it at an approval policy file such as deploy/policies.example.yaml, or leave it unset", path, err)}
	}
	p, err := baton.LoadPolicy(data)
	if err != nil {
		msg := baton.ErrorMessage(err)
		if msg == "" {
			msg = err.Error()
		}
		return nil, nil, &settingError{"BATON_POLICIES", fmt.Sprintf("%s is not a usable policy: %s", path, msg)}
	}
	return p, data, nil
}

func newLogger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// httpMode reports whether Slack posts to Baton (HTTP mode) rather than Baton opening a socket.
func (c config) httpMode() bool { return !c.Local && c.SigningSecret != "" }
