package main

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigNamesTheSettingThatStopsTheStart(t *testing.T) {
	good := map[string]string{
		"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1",
		"DATABASE_URL": "postgres://baton@127.0.0.1/baton", "SLACK_API_URL": "http://127.0.0.1:9/api",
		"REDIS_URL": "redis://127.0.0.1:6379/0",
	}
	cases := []struct {
		name, key, value, wantSetting string
	}{
		{"missing app token", "SLACK_APP_TOKEN", "", "SLACK_APP_TOKEN"},
		{"bot token in app token", "SLACK_APP_TOKEN", "xoxb-1", "SLACK_APP_TOKEN"},
		{"missing bot token", "SLACK_BOT_TOKEN", "", "SLACK_BOT_TOKEN"},
		{"user token as bot token", "SLACK_BOT_TOKEN", "xoxp-1", "SLACK_BOT_TOKEN"},
		{"api url not a url", "SLACK_API_URL", "slack.com/api", "SLACK_API_URL"},
		{"missing database", "DATABASE_URL", "", "DATABASE_URL"},
		{"mysql database", "DATABASE_URL", "mysql://x", "DATABASE_URL"},
		{"bad log level", "BATON_LOG_LEVEL", "loud", "BATON_LOG_LEVEL"},
		{"shutdown delay without a unit", "BATON_SHUTDOWN_DELAY", "10", "BATON_SHUTDOWN_DELAY"},
		{"negative shutdown delay", "BATON_SHUTDOWN_DELAY", "-5s", "BATON_SHUTDOWN_DELAY"},
		{"shutdown delay past any grace period", "BATON_SHUTDOWN_DELAY", "1h", "BATON_SHUTDOWN_DELAY"},
		{"missing redis", "REDIS_URL", "", "REDIS_URL"},
		{"redis not a url", "REDIS_URL", "127.0.0.1:6379", "REDIS_URL"},
		{"redis cluster with a database", "REDIS_URL", "redis+cluster://10.0.0.1:7000/2", "REDIS_URL"},
		{"pool of words", "BATON_DB_POOL_SIZE", "many", "BATON_DB_POOL_SIZE"},
		{"pool of one", "BATON_DB_POOL_SIZE", "1", "BATON_DB_POOL_SIZE"},
		{"pool past Postgres", "BATON_DB_POOL_SIZE", "5000", "BATON_DB_POOL_SIZE"},
		{"statement timeout without a unit", "BATON_DB_STATEMENT_TIMEOUT", "10", "BATON_DB_STATEMENT_TIMEOUT"},
		{"statement timeout under a second", "BATON_DB_STATEMENT_TIMEOUT", "50ms", "BATON_DB_STATEMENT_TIMEOUT"},
		{"policy reload neither auto nor manual", "BATON_POLICIES_RELOAD", "sometimes", "BATON_POLICIES_RELOAD"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range good {
				env[k] = v
			}
			env[c.key] = c.value
			_, err := loadConfig(envOf(env), true)
			var se *settingError
			if !errors.As(err, &se) || se.name != c.wantSetting {
				t.Fatalf("err = %v, want one naming %s", err, c.wantSetting)
			}
			if line := err.Error(); strings.Contains(line, "\n") || !strings.HasPrefix(line, c.wantSetting+": ") {
				t.Errorf("error %q is not one line starting with the setting", line)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(envOf(map[string]string{
		"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1",
		"DATABASE_URL": "postgres://baton@127.0.0.1/baton", "SLACK_API_URL": "http://127.0.0.1:9/api",
		"REDIS_URL": "redis://127.0.0.1:6379/0",
	}), true)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.APIURL != "http://127.0.0.1:9/api/" {
		t.Errorf("API URL %q should end with a slash, as slack-go concatenates method names", cfg.APIURL)
	}
	if cfg.LogLevel != slog.LevelInfo {
		t.Errorf("log level %v, want info", cfg.LogLevel)
	}
	if cfg.ShutdownDelay != 0 {
		t.Errorf("shutdown delay %v, want none unless set", cfg.ShutdownDelay)
	}
	if cfg.DBPoolSize != 0 || cfg.DBStatementTimeout != 0 {
		t.Errorf("pool %d and statement timeout %v, want the store's defaults unless set", cfg.DBPoolSize, cfg.DBStatementTimeout)
	}
	set, err := loadConfig(envOf(map[string]string{"DATABASE_URL": "postgres://x@y/z", "BATON_DB_POOL_SIZE": "40",
		"BATON_DB_STATEMENT_TIMEOUT": "15s"}), false)
	if err != nil || set.DBPoolSize != 40 || set.DBStatementTimeout != 15*time.Second {
		t.Errorf("pool and timeout set: %d, %v, %v", set.DBPoolSize, set.DBStatementTimeout, err)
	}
	if _, err := loadConfig(envOf(map[string]string{"DATABASE_URL": "postgres://x@y/z"}), false); err != nil {
		t.Errorf("migrate needs no Slack tokens, got %v", err)
	}
}

// Without Slack settings Baton runs the local workspace, on loopback unless a password is set; some
// Slack settings without the others are a mistake to name, not a reason to run the local workspace.
func TestConfigRunsTheLocalWorkspaceWithoutSlackSettings(t *testing.T) {
	base := map[string]string{"DATABASE_URL": "postgres://baton@127.0.0.1/baton", "REDIS_URL": "redis://127.0.0.1:6379/0"}
	with := func(kv ...string) map[string]string {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	cfg, err := loadConfig(envOf(with()), true)
	if err != nil || !cfg.Local || cfg.HTTPAddr != defaultLocalAddr || cfg.LogLevel != slog.LevelWarn {
		t.Errorf("no Slack settings: %+v, %v; want the local workspace on %s, logging warnings", cfg, err, defaultLocalAddr)
	}
	for _, c := range []struct {
		name        string
		env         map[string]string
		wantSetting string
	}{
		{"app token alone", with("SLACK_APP_TOKEN", "xapp-1"), "SLACK_BOT_TOKEN"},
		{"bot token alone", with("SLACK_BOT_TOKEN", "xoxb-1"), "SLACK_APP_TOKEN"},
		{"api url alone", with("SLACK_API_URL", "http://127.0.0.1:9/api/"), "SLACK_APP_TOKEN"},
		{"every interface without a password", with("BATON_HTTP_ADDR", "0.0.0.0:8080"), "BATON_LOCAL_PASSWORD"},
		{"a port alone is every interface", with("BATON_HTTP_ADDR", ":8080"), "BATON_LOCAL_PASSWORD"},
		{"not host:port", with("BATON_HTTP_ADDR", "8080"), "BATON_HTTP_ADDR"},
		{"no redis", with("REDIS_URL", ""), "REDIS_URL"},
	} {
		_, err := loadConfig(envOf(c.env), true)
		var se *settingError
		if !errors.As(err, &se) || se.name != c.wantSetting {
			t.Errorf("%s: %v; want an error naming %s", c.name, err, c.wantSetting)
		}
	}
	for _, env := range []map[string]string{
		with("BATON_HTTP_ADDR", "0.0.0.0:8080", "BATON_LOCAL_PASSWORD", "s3cret"),
		with("BATON_HTTP_ADDR", "[::1]:9000"),
		with("BATON_HTTP_ADDR", "localhost:9000"),
	} {
		if cfg, err := loadConfig(envOf(env), true); err != nil || !cfg.Local {
			t.Errorf("%v: %+v, %v; want the local workspace", env, cfg, err)
		}
	}
}

// A signing secret instead of the app-level token is HTTP mode; both, or a secret without the bot
// token, stop the start naming what to fix.
func TestConfigChoosesHTTPModeByTheSigningSecret(t *testing.T) {
	env := func(kv ...string) map[string]string {
		m := map[string]string{"DATABASE_URL": "postgres://baton@127.0.0.1/baton", "REDIS_URL": "redis://127.0.0.1:6379/0"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cfg, err := loadConfig(envOf(env("SLACK_SIGNING_SECRET", "s", "SLACK_BOT_TOKEN", "xoxb-1")), true)
	if err != nil || !cfg.httpMode() || cfg.Local || cfg.HTTPAddr != defaultHTTPModeAddr {
		t.Errorf("secret and bot token: %+v, %v; want HTTP mode on %s", cfg, err, defaultHTTPModeAddr)
	}
	for _, c := range []struct {
		name, wantSetting string
		env               map[string]string
	}{
		{"both modes", "SLACK_SIGNING_SECRET", env("SLACK_SIGNING_SECRET", "s", "SLACK_APP_TOKEN", "xapp-1", "SLACK_BOT_TOKEN", "xoxb-1")},
		{"secret without bot token", "SLACK_BOT_TOKEN", env("SLACK_SIGNING_SECRET", "s")},
		{"secret with a bad address", "BATON_HTTP_ADDR", env("SLACK_SIGNING_SECRET", "s", "SLACK_BOT_TOKEN", "xoxb-1", "BATON_HTTP_ADDR", "8080")},
	} {
		_, err := loadConfig(envOf(c.env), true)
		var se *settingError
		if !errors.As(err, &se) || se.name != c.wantSetting {
			t.Errorf("%s: %v; want an error naming %s", c.name, err, c.wantSetting)
		}
	}
}

// --local wins over Slack settings, and keeps the local workspace on loopback even when HTTP mode
// would have listened everywhere.
func TestLocalFlagKeepsThePageOnLoopback(t *testing.T) {
	env := map[string]string{"DATABASE_URL": "postgres://baton@127.0.0.1/baton", "REDIS_URL": "redis://127.0.0.1:6379/0",
		"SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1"}
	cfg, err := loadConfig(envOf(env), true)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.useLocal(envOf(env)); err != nil || cfg.HTTPAddr != defaultLocalAddr || !cfg.Local || cfg.httpMode() {
		t.Errorf("--local with a signing secret: %+v, %v; want the local workspace on %s", cfg, err, defaultLocalAddr)
	}
}
