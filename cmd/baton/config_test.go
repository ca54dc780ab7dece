package main

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
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
		{"missing redis", "REDIS_URL", "", "REDIS_URL"},
		{"redis not a url", "REDIS_URL", "127.0.0.1:6379", "REDIS_URL"},
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
	if _, err := loadConfig(envOf(map[string]string{"DATABASE_URL": "postgres://x@y/z"}), false); err != nil {
		t.Errorf("migrate needs no Slack tokens, got %v", err)
	}
}
