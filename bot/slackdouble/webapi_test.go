package slackdouble

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func slackErr(t *testing.T, err error) slack.SlackErrorResponse {
	t.Helper()
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want a Slack error response", err, err)
	}
	return se
}

func wantCode(t *testing.T, err error, code string) slack.SlackErrorResponse {
	t.Helper()
	se := slackErr(t, err)
	if se.Err != code {
		t.Fatalf("error = %q, want %q (messages %v)", se.Err, code, se.ResponseMetadata.Messages)
	}
	return se
}

func wantPointer(t *testing.T, se slack.SlackErrorResponse, pointer string) {
	t.Helper()
	for _, m := range se.ResponseMetadata.Messages {
		if strings.HasPrefix(m, "[ERROR] ") && strings.HasSuffix(m, "[json-pointer:"+pointer+"]") {
			return
		}
	}
	t.Fatalf("no message for %s in %v", pointer, se.ResponseMetadata.Messages)
}

func TestAuth(t *testing.T) {
	s := startDouble(t, Options{})
	api := apiFor(s)
	res, err := api.AuthTest()
	if err != nil {
		t.Fatal(err)
	}
	if res.UserID != "UBOT" || res.BotID != "B0001" || res.TeamID != "T0001" {
		t.Fatalf("auth.test = %+v", res)
	}
	_, err = slack.New("xoxb-wrong", slack.OptionAPIURL(s.APIURL())).AuthTest()
	wantCode(t, err, "invalid_auth")
	_, err = slack.New("", slack.OptionAPIURL(s.APIURL())).AuthTest()
	wantCode(t, err, "not_authed")
	_, _, err = slack.New(s.Options().AppToken, slack.OptionAPIURL(s.APIURL())).PostMessage("C1", slack.MsgOptionText("x", false))
	wantCode(t, err, "not_allowed_token_type")

	resp, err := http.Post(s.APIURL()+"no.such.method", "application/x-www-form-urlencoded", strings.NewReader("token=xoxb-test"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if s.Calls()[len(s.Calls())-1].Error != "unknown_method" {
		t.Fatalf("calls = %+v", s.Calls())
	}
}

func TestPostMessageBlockKitErrors(t *testing.T) {
	s := startDouble(t, Options{})
	api := apiFor(s)
	txt := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
	}

	many := make([]slack.Block, 51)
	for i := range many {
		many[i] = slack.NewDividerBlock()
	}
	cases := []struct {
		name    string
		blocks  []slack.Block
		pointer string
	}{
		{"51 blocks", many, "/blocks"},
		{"empty text", []slack.Block{slack.NewSectionBlock(txt(""), nil, nil)}, "/blocks/0/text/text"},
		{"duplicate block_id", []slack.Block{slack.NewSectionBlock(txt("a"), nil, nil, slack.SectionBlockOptionBlockID("x")),
			slack.NewSectionBlock(txt("b"), nil, nil, slack.SectionBlockOptionBlockID("x"))}, "/blocks/1/block_id"},
		{"header over 150", []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("h", 151), false, false))}, "/blocks/0/text/text"},
		{"input block", []slack.Block{slack.NewInputBlock("in", slack.NewTextBlockObject(slack.PlainTextType, "L", false, false), nil,
			slack.NewPlainTextInputBlockElement(nil, "v"))}, "/blocks/0/type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := api.PostMessage("C1", slack.MsgOptionText("fallback", false), slack.MsgOptionBlocks(tc.blocks...))
			wantPointer(t, wantCode(t, err, "invalid_blocks"), tc.pointer)
		})
	}
	_, _, err := api.PostMessage("C1")
	wantCode(t, err, "no_text")
	_, _, err = api.PostMessage("C1", slack.MsgOptionText(strings.Repeat("x", 40001), false))
	wantCode(t, err, "msg_too_long")
	_, _, err = api.PostMessage("C404", slack.MsgOptionText("x", false))
	wantCode(t, err, "channel_not_found")
	if got := len(s.Messages("C1")); got != 0 {
		t.Fatalf("%d messages stored after failures", got)
	}
}

func TestMembershipAndJoin(t *testing.T) {
	s := startDouble(t, Options{})
	api := apiFor(s)
	_, _, err := api.PostMessage("C2", slack.MsgOptionText("hi", false))
	wantCode(t, err, "not_in_channel")
	if _, _, _, err := api.JoinConversation("C2"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessage("C2", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatal(err)
	}
	_, _, err = api.PostMessage("G1", slack.MsgOptionText("hi", false))
	wantCode(t, err, "not_in_channel")
	_, _, _, err = api.JoinConversation("G1")
	wantCode(t, err, "channel_not_found")
	s.AddChannel(Channel{ID: "G2", Name: "ops", Private: true, Members: []string{"U1"}, BotIsMember: true})
	_, _, _, err = api.JoinConversation("G2")
	wantCode(t, err, "method_not_supported_for_channel_type")
	s.AddChannel(Channel{ID: "C9", Name: "old", BotIsMember: true, Archived: true})
	_, _, err = api.PostMessage("C9", slack.MsgOptionText("hi", false))
	wantCode(t, err, "is_archived")

	_, _, err = api.PostMessage("DU1", slack.MsgOptionText("guessed id", false))
	wantCode(t, err, "channel_not_found")
	ch, _, err := api.PostMessage("U1", slack.MsgOptionText("psst", false))
	if err != nil || ch != "DU1" {
		t.Fatalf("post to user id: channel %q err %v", ch, err)
	}
	info, err := api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: "C2"})
	if err != nil || !info.IsMember || info.Name != "random" || info.IsPrivate {
		t.Fatalf("conversations.info = %+v, %v", info, err)
	}
}

func TestUpdateEphemeralPermalinkAndReplies(t *testing.T) {
	s := startDouble(t, Options{})
	api := apiFor(s)
	_, ts, err := api.PostMessage("C1", slack.MsgOptionText("card v1", false))
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"card v2", "card v3"} {
		if _, _, _, err := api.UpdateMessage("C1", ts, slack.MsgOptionText(text, false)); err != nil {
			t.Fatal(err)
		}
	}
	m, ok := s.Message("C1", ts)
	if !ok || m.Text != "card v3" || m.Edits != 2 || m.History[0].Text != "card v1" || m.User != "UBOT" || m.BotID != "B0001" {
		t.Fatalf("message = %+v", m)
	}
	if n, e, none := s.MessageCount("C1"), s.Edits("C1", ts), s.Edits("C1", "1.000000"); n != 1 || e != 2 || none != -1 {
		t.Fatalf("MessageCount = %d, Edits = %d and %d for no message; want 1, 2, -1", n, e, none)
	}
	_, _, _, err = api.UpdateMessage("C1", ts, slack.MsgOptionText(strings.Repeat("x", 4001), false))
	wantCode(t, err, "msg_too_long")

	userTS := s.PostUserMessage("C1", "U1", "written by alice", "")
	_, _, _, err = api.UpdateMessage("C1", userTS, slack.MsgOptionText("hijack", false))
	wantCode(t, err, "cant_update_message")

	ephTS, err := api.PostEphemeral("C1", "U2", slack.MsgOptionText("only bob", false))
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = api.UpdateMessage("C1", ephTS, slack.MsgOptionText("edit", false))
	wantCode(t, err, "message_not_found")
	s.AddChannel(Channel{ID: "C3", Name: "small", Members: []string{"U1"}, BotIsMember: true})
	_, err = api.PostEphemeral("C3", "U2", slack.MsgOptionText("x", false))
	wantCode(t, err, "user_not_in_channel")
	_, err = api.PostEphemeral("C2", "U1", slack.MsgOptionText("x", false))
	wantCode(t, err, "not_in_channel")
	if e := s.Ephemerals("U2"); len(e) != 1 || e[0].Source != "chat.postEphemeral" || e[0].TS != ephTS {
		t.Fatalf("ephemerals = %+v", e)
	}

	link, err := api.GetPermalink(&slack.PermalinkParameters{Channel: "C1", Ts: ts})
	want := fmt.Sprintf("https://baton.slack.com/archives/C1/p%s", strings.ReplaceAll(ts, ".", ""))
	if err != nil || link != want {
		t.Fatalf("permalink %q, %v; want %q", link, err, want)
	}
	_, err = api.GetPermalink(&slack.PermalinkParameters{Channel: "C1", Ts: "1.000000"})
	wantCode(t, err, "message_not_found")

	for i := range 3 {
		if _, _, err := api.PostMessage("C1", slack.MsgOptionText(fmt.Sprintf("reply %d", i), false), slack.MsgOptionTS(ts)); err != nil {
			t.Fatal(err)
		}
	}
	msgs, hasMore, cursor, err := api.GetConversationReplies(&slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: ts, Limit: 2})
	if err != nil || len(msgs) != 2 || !hasMore || cursor == "" || msgs[0].Timestamp != ts {
		t.Fatalf("replies page 1: %d %v %q %v", len(msgs), hasMore, cursor, err)
	}
	msgs, hasMore, _, err = api.GetConversationReplies(&slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: ts, Limit: 2, Cursor: cursor})
	if err != nil || len(msgs) != 2 || hasMore || msgs[1].Text != "reply 2" {
		t.Fatalf("replies page 2: %+v %v %v", msgs, hasMore, err)
	}
	if th := s.Thread("C1", ts); len(th) != 4 || th[1].ThreadTS != ts {
		t.Fatalf("thread = %+v", th)
	}
	_, _, err = api.PostMessage("C1", slack.MsgOptionText("orphan", false), slack.MsgOptionTS("1.000000"))
	wantCode(t, err, "thread_not_found")

	hist, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C1"})
	if err != nil || len(hist.Messages) != 2 || hist.Messages[0].Text != "written by alice" {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	if err := api.AddReaction("white_check_mark", slack.NewRefToMessage("C1", userTS)); err != nil {
		t.Fatal(err)
	}
	err = api.AddReaction("white_check_mark", slack.NewRefToMessage("C1", userTS))
	wantCode(t, err, "already_reacted")
	if _, _, err := api.DeleteMessage("C1", ts); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Message("C1", ts); !m.Deleted {
		t.Fatalf("message not deleted: %+v", m)
	}
	_, _, err = api.DeleteMessage("C1", userTS)
	wantCode(t, err, "cant_delete_message")
}

func TestRateLimitsAndInjectedFailures(t *testing.T) {
	s := startDouble(t, Options{RateLimits: true})
	api := apiFor(s)
	for i := range 3 {
		if _, _, err := api.PostMessage("C1", slack.MsgOptionText(fmt.Sprint(i), false)); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := api.PostMessage("C1", slack.MsgOptionText("burst", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter < time.Second {
		t.Fatalf("err = %v, want RateLimitedError", err)
	}
	if _, _, err := api.PostMessage("U1", slack.MsgOptionText("other channel", false)); err != nil {
		t.Fatalf("other channel limited too: %v", err)
	}
	s.SetRateLimits(false)
	if _, _, err := api.PostMessage("C1", slack.MsgOptionText("unlimited", false)); err != nil {
		t.Fatal(err)
	}

	s.FailNext("chat.update", 1, Failure{Status: http.StatusTooManyRequests, RetryAfter: 2 * time.Second})
	s.FailNext("chat.update", 1, Failure{Status: http.StatusServiceUnavailable})
	s.FailNext("chat.update", 1, Failure{SlackError: "fatal_error"})
	_, _, _, err = api.UpdateMessage("C1", "1.0", slack.MsgOptionText("x", false))
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Fatalf("injected 429: %v", err)
	}
	_, _, _, err = api.UpdateMessage("C1", "1.0", slack.MsgOptionText("x", false))
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != http.StatusServiceUnavailable {
		t.Fatalf("injected 503: %v", err)
	}
	_, _, _, err = api.UpdateMessage("C1", "1.0", slack.MsgOptionText("x", false))
	wantCode(t, err, "fatal_error")
	_, _, _, err = api.UpdateMessage("C1", "1.0", slack.MsgOptionText("x", false))
	wantCode(t, err, "message_not_found")
}

func TestUsers(t *testing.T) {
	s := startDouble(t, Options{})
	for i := range 5 {
		s.AddUser(User{ID: fmt.Sprintf("U10%d", i), Name: fmt.Sprintf("user%d", i)})
	}
	api := apiFor(s)
	users, err := api.GetUsersContext(context.Background(), slack.GetUsersOptionLimit(2))
	if err != nil || len(users) != 8 {
		t.Fatalf("users.list: %d users, %v", len(users), err)
	}
	if s.CallCount("users.list") != 4 {
		t.Fatalf("users.list pages = %d", s.CallCount("users.list"))
	}
	u, err := api.GetUserInfo("U1")
	if err != nil || u.TZ != "Europe/Berlin" || (u.TZOffset != 3600 && u.TZOffset != 7200) || u.Profile.Email != "alice@example.com" || u.RealName != "Alice A" {
		t.Fatalf("users.info = %+v, %v", u, err)
	}
	bot, err := api.GetUserInfo("UBOT")
	if err != nil || !bot.IsBot {
		t.Fatalf("bot user = %+v, %v", bot, err)
	}
	_, err = api.GetUserInfo("U404")
	wantCode(t, err, "user_not_found")
	byMail, err := api.GetUserByEmail("ALICE@example.com")
	if err != nil || byMail.ID != "U1" {
		t.Fatalf("lookupByEmail = %+v, %v", byMail, err)
	}
	ch, _, _, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"U2"}, ReturnIM: true})
	if err != nil || ch.ID != "DU2" || !ch.IsIM {
		t.Fatalf("conversations.open = %+v, %v", ch, err)
	}
	_, _, _, err = api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"U404"}})
	wantCode(t, err, "user_not_found")
}

func TestWaitWakesOnStateChange(t *testing.T) {
	s := startDouble(t, Options{})
	api := apiFor(s)
	go func() {
		time.Sleep(20 * time.Millisecond)
		_, _, _ = api.PostMessage("C1", slack.MsgOptionText("later", false))
	}()
	m, err := s.WaitMessage(ctxFor(t, 2*time.Second), "C1", func(m Message) bool { return m.Has("later") })
	if err != nil || m.User != "UBOT" {
		t.Fatalf("WaitMessage = %+v, %v", m, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if err := s.Wait(ctx, func() bool { return false }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait err = %v", err)
	}
}

func TestMessageMetadataIsKeptAndReadBackOnRequest(t *testing.T) {
	s := startDouble(t, Options{})
	api := apiFor(s)
	meta := slack.SlackMetadata{EventType: "baton_outbox", EventPayload: map[string]any{"id": "42"}}
	_, parent, err := api.PostMessage("C1", slack.MsgOptionText("card", false), slack.MsgOptionMetadata(meta))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessage("C1", slack.MsgOptionText("reply", false), slack.MsgOptionTS(parent),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "baton_outbox", EventPayload: map[string]any{"id": "43"}})); err != nil {
		t.Fatal(err)
	}
	_, _, err = api.PostMessage("C1", slack.MsgOptionText("bad", false), slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "has space", EventPayload: map[string]any{}}))
	wantCode(t, err, "invalid_metadata_format")

	plain, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(plain.Messages) != 1 || plain.Messages[0].Metadata.EventType != "" {
		t.Fatalf("history without include_all_metadata = %+v", plain.Messages)
	}
	hist, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C1", IncludeAllMetadata: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := hist.Messages[0].Metadata; got.EventType != "baton_outbox" || got.EventPayload["id"] != "42" {
		t.Fatalf("history metadata = %+v", got)
	}
	replies, _, _, err := api.GetConversationReplies(&slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: parent, IncludeAllMetadata: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != 2 || replies[1].Metadata.EventPayload["id"] != "43" {
		t.Fatalf("replies = %+v", replies)
	}
}
