package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/slack-go/slack"
)

// The message chat.postMessage and chat.update echo back is dropped before slack-go reads the answer;
// what Baton reads of it (channel, ts, errors) and every other method's answer are as Slack sent them.
func TestWithoutEchoesKeepsWhatBatonReads(t *testing.T) {
	s := newSlackServer(t)
	echo := `"message":{"type":"message","text":"T-1 · Plan","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*Plan*"}}]}`
	s.on("chat.postMessage", okJSON(`{"ok":true,"channel":"C1","ts":"1700000000.000100",`+echo+`}`),
		okJSON(`{"ok":false,"error":"channel_not_found"}`))
	s.on("chat.update", okJSON(`{"ok":true,"channel":"C1","ts":"1700000000.000100","text":"T-1 · Plan",`+echo+`}`))
	s.on("chat.getPermalink", okJSON(`{"ok":true,"channel":"C1","permalink":"https://example.slack.com/archives/C1/p1700000000000100"}`))
	api := slack.New("xoxb-test", slack.OptionAPIURL(s.URL+"/api/"), slack.OptionHTTPClient(&http.Client{Transport: WithoutEchoes(nil)}))
	ctx := context.Background()

	ch, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("T-1 · Plan", false))
	if err != nil || ch != "C1" || ts != "1700000000.000100" {
		t.Fatalf("post = %q, %q, %v; want C1, 1700000000.000100", ch, ts, err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("T-1 · Plan", false)); err != nil {
		t.Fatalf("update: %v", err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C404", slack.MsgOptionText("x", false)); !IsSlackError(err, "channel_not_found") {
		t.Fatalf("post to a missing channel: %v, want channel_not_found", err)
	}
	link, err := api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: "C1", Ts: ts})
	if err != nil || link != "https://example.slack.com/archives/C1/p1700000000000100" {
		t.Fatalf("permalink = %q, %v", link, err)
	}
}

func TestWithoutEchoesDropsTheEchoedMessage(t *testing.T) {
	s := newSlackServer(t)
	s.on("chat.update", okJSON(`{"ok":true,"channel":"C1","ts":"1.2","message":{"blocks":[{"type":"divider"}]}}`))
	s.on("views.publish", okJSON(`{"ok":true,"view":{"id":"V1","blocks":[{"type":"divider"}]}}`))
	rt := WithoutEchoes(nil)
	read := func(method string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/"+method, nil)
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := read("chat.update"); got["message"] != nil || got["ts"] != "1.2" || got["ok"] != true {
		t.Errorf("chat.update answer = %v; want ok and ts without the message", got)
	}
	if got := read("views.publish"); got["view"] == nil {
		t.Errorf("views.publish answer = %v; want it untouched", got)
	}
}
