package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/bot/slackdouble"
	"github.com/batonhq/baton/store/storetest"
)

// A token Slack refuses stops the start with one line naming the setting, instead of retrying forever.
func TestStartStopsOnATokenSlackRefuses(t *testing.T) {
	d, err := slackdouble.Start(slackdouble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	dbURL := storetest.URL(t)
	for _, c := range []struct{ app, bot, want string }{
		{"xapp-test", "xoxb-wrong", "SLACK_BOT_TOKEN"},
		{"xapp-wrong", "xoxb-test", "SLACK_APP_TOKEN"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := run(ctx, config{AppToken: c.app, BotToken: c.bot, APIURL: d.APIURL(), DatabaseURL: dbURL, RedisURL: testRedisURL()}, testLogger(t), runOptions{redisPrefix: redisPrefix(t)})
		cancel()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("app %s, bot %s: run = %v, want an error naming %s", c.app, c.bot, err, c.want)
		}
	}
}
