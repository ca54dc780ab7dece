package slackdouble

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// pageClient is a browser on the page: it reads and posts JSON as the page's script does.
type pageClient struct {
	t   *testing.T
	url string
}

func startPage(t *testing.T, s *Server, opts PageOptions) pageClient {
	t.Helper()
	if opts.Commands == nil {
		opts.Commands = []PageCommand{{Command: "/task", Description: "Hand over a task"}}
	}
	if opts.Shortcuts == nil {
		opts.Shortcuts = []PageShortcut{{CallbackID: "task.from_message", Name: "Make a task", Type: "message"}}
	}
	srv := httptest.NewServer(s.Page(opts))
	t.Cleanup(srv.Close)
	return pageClient{t: t, url: srv.URL}
}

func (c pageClient) get(path string, out any) int {
	c.t.Helper()
	res, err := http.Get(c.url + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			c.t.Fatalf("GET %s: %v", path, err)
		}
	}
	return res.StatusCode
}

type pageAnswer struct {
	OK     bool              `json:"ok"`
	Error  string            `json:"error"`
	Errors map[string]string `json:"errors"`
	Fired  int               `json:"fired"`
}

func (c pageClient) post(action string, body map[string]any) pageAnswer {
	c.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, c.url+"/local/api/"+action, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var a pageAnswer
	if err := json.NewDecoder(res.Body).Decode(&a); err != nil {
		c.t.Fatalf("POST %s: %v", action, err)
	}
	return a
}

type pageConversation struct {
	Messages []pageMessage `json:"messages"`
	Error    string        `json:"error"`
}

func TestThePageShowsEachPersonOnlyWhatTheyMaySee(t *testing.T) {
	s := startDouble(t, Options{})
	p := startPage(t, s, PageOptions{})
	api := apiFor(s)
	ctx := ctxFor(t, 10*time.Second)
	if _, _, err := api.PostMessageContext(ctx, "U1", slack.MsgOptionText("Only for Alice's DM", false)); err != nil {
		t.Fatal(err)
	}
	if _, err := api.PostEphemeralContext(ctx, "C1", "U1", slack.MsgOptionText("Alice alone sees this", false)); err != nil {
		t.Fatal(err)
	}

	var side struct {
		Channels []pageChannel `json:"channels"`
	}
	p.get("/local/api/sidebar?as=U2", &side)
	for _, c := range side.Channels {
		if c.ID == "G1" {
			t.Errorf("Bob's sidebar lists #secret, a private channel he is not in: %+v", side.Channels)
		}
	}
	var conv pageConversation
	p.get("/local/api/channel?as=U2&id=G1", &conv)
	if !strings.Contains(conv.Error, "private") {
		t.Errorf("Bob reading #secret: %q; want a refusal that says it is private", conv.Error)
	}
	conv = pageConversation{}
	p.get("/local/api/channel?as=U2&id=DU1", &conv)
	if !strings.Contains(conv.Error, "someone else's") || len(conv.Messages) != 0 {
		t.Errorf("Bob reading Alice's DM: %+v; want a refusal", conv)
	}
	conv = pageConversation{}
	p.get("/local/api/channel?as=U2&id=C1", &conv)
	if len(conv.Messages) != 0 {
		t.Errorf("Bob sees %+v in #general; Alice's ephemeral message is hers alone", conv.Messages)
	}
	conv = pageConversation{}
	p.get("/local/api/channel?as=U1&id=C1", &conv)
	if len(conv.Messages) != 1 || !conv.Messages[0].Ephemeral || conv.Messages[0].Text != "Alice alone sees this" {
		t.Errorf("Alice sees %+v in #general; want her ephemeral message, marked as one", conv.Messages)
	}
	if code := p.get("/local/api/sidebar?as=UBOT", nil); code != http.StatusNotFound {
		t.Errorf("reading as the bot answered %d; want 404", code)
	}
}

func TestThePageActsAsThePersonWithSlacksPayloads(t *testing.T) {
	s := startDouble(t, Options{})
	p := startPage(t, s, PageOptions{})
	b := runBot(t, s, nil)

	if a := p.post("send", map[string]any{"as": "U1", "channel": "C1", "text": "/task help me"}); !a.OK {
		t.Fatalf("/task from the composer: %+v", a)
	}
	if a := p.post("send", map[string]any{"as": "U1", "channel": "C1", "text": "/frobnicate now"}); a.OK || !strings.Contains(a.Error, "/frobnicate is not a command here") || !strings.Contains(a.Error, "/task") {
		t.Errorf("an unknown command: %+v; want a refusal naming Baton's commands", a)
	}
	if a := p.post("send", map[string]any{"as": "U2", "channel": "G1", "text": "hello"}); a.OK {
		t.Errorf("Bob posted in #secret, which he is not in: %+v", a)
	}
	a := p.post("send", map[string]any{"as": "U2", "channel": "C1", "text": "<b>Launch</b> & more"})
	if !a.OK {
		t.Fatalf("a message from the composer: %+v", a)
	}
	msgs := s.Messages("C1")
	if len(msgs) != 1 || msgs[0].User != "U2" || msgs[0].Text != "<b>Launch</b> & more" {
		t.Fatalf("#general holds %+v; want Bob's message as typed", msgs)
	}
	if a := p.post("react", map[string]any{"as": "U2", "channel": "C1", "ts": msgs[0].TS, "name": "eyes"}); !a.OK {
		t.Fatalf("👀 on a message: %+v", a)
	}
	if a := p.post("react", map[string]any{"as": "U2", "channel": "C1", "ts": msgs[0].TS, "name": "tada"}); a.OK {
		t.Errorf("a reaction the page does not offer was added: %+v", a)
	}

	// A reply to a reply is filed under the thread's parent, and the bot hears it so.
	if a := p.post("send", map[string]any{"as": "U1", "channel": "C1", "text": "  indented\nand kept  ", "thread_ts": msgs[0].TS}); !a.OK {
		t.Fatalf("a thread reply: %+v", a)
	}
	reply := s.Messages("C1")[1]
	if a := p.post("send", map[string]any{"as": "U2", "channel": "C1", "text": "agreed", "thread_ts": reply.TS}); !a.OK {
		t.Fatalf("a reply to the reply: %+v", a)
	}
	if reply.Text != "  indented\nand kept  " {
		t.Errorf("the reply was stored as %q; want it as typed", reply.Text)
	}
	// Where the bot is not, it hears nothing, as with Slack: #random has no bot.
	if a := p.post("send", map[string]any{"as": "U1", "channel": "C2", "text": "just us"}); !a.OK {
		t.Fatalf("a message in #random: %+v", a)
	}

	var slash *slack.SlashCommand
	var inThread []*slackevents.MessageEvent
	var message *slackevents.MessageEvent
	var reaction *slackevents.ReactionAddedEvent
	for _, ev := range b.events() {
		switch d := ev.Data.(type) {
		case slack.SlashCommand:
			slash = &d
		case slackevents.EventsAPIEvent:
			switch in := d.InnerEvent.Data.(type) {
			case *slackevents.MessageEvent:
				if in.Channel == "C2" {
					t.Errorf("the bot heard %q in #random, where it is not", in.Text)
				}
				if in.ThreadTimeStamp != "" {
					inThread = append(inThread, in)
				} else {
					message = in
				}
			case *slackevents.ReactionAddedEvent:
				reaction = in
			}
		}
	}
	if slash == nil || slash.Command != "/task" || slash.Text != "help me" || slash.UserID != "U1" || slash.ChannelID != "C1" || slash.TriggerID == "" {
		t.Errorf("the bot got the slash command %+v; want /task \"help me\" from U1 in C1 with a trigger", slash)
	}
	if message == nil || message.User != "U2" || message.Text != "<b>Launch</b> & more" || message.TimeStamp != msgs[0].TS {
		t.Errorf("the bot heard %+v; want Bob's message", message)
	}
	if len(inThread) != 2 || inThread[1].ThreadTimeStamp != msgs[0].TS || inThread[1].Text != "agreed" {
		t.Errorf("the bot heard the thread as %+v; want both replies under %s", inThread, msgs[0].TS)
	}
	if reaction == nil || reaction.User != "U2" || reaction.Reaction != "eyes" || reaction.Item.Timestamp != msgs[0].TS {
		t.Errorf("the bot heard the reaction %+v; want Bob's 👀 on his message", reaction)
	}
	var conv pageConversation
	p.get("/local/api/channel?as=U2&id=C1", &conv)
	if len(conv.Messages) != 1 || len(conv.Messages[0].Reactions) != 1 || !conv.Messages[0].Reactions[0].Me {
		t.Errorf("Bob's page shows %+v; want his message with his 👀", conv.Messages)
	}
}

// A form the bot refuses shows Baton's words under the fields, as Slack does, and stays open.
func TestAModalTheBotRefusesShowsItsErrorsUnderTheFields(t *testing.T) {
	s := startDouble(t, Options{})
	p := startPage(t, s, PageOptions{})
	var api *slack.Client
	runBot(t, s, func(ev socketmode.Event) any {
		switch d := ev.Data.(type) {
		case slack.SlashCommand:
			modal := slack.ModalViewRequest{Type: slack.VTModal, CallbackID: "task.new",
				Title:  slack.NewTextBlockObject(slack.PlainTextType, "New task", false, false),
				Submit: slack.NewTextBlockObject(slack.PlainTextType, "Create", false, false),
				Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewInputBlock("title",
					slack.NewTextBlockObject(slack.PlainTextType, "Title", false, false), nil,
					slack.NewPlainTextInputBlockElement(nil, "title"))}}}
			if _, err := api.OpenView(d.TriggerID, modal); err != nil {
				t.Errorf("views.open: %v", err)
			}
		case slack.InteractionCallback:
			if d.Type == slack.InteractionTypeViewSubmission {
				return map[string]any{"response_action": "errors", "errors": map[string]string{"title": "Give the task a title people will recognise."}}
			}
		}
		return nil
	})
	api = apiFor(s)
	if a := p.post("send", map[string]any{"as": "U1", "channel": "C1", "text": "/task"}); !a.OK {
		t.Fatalf("/task: %+v", a)
	}
	var modals struct {
		Stack []map[string]any `json:"stack"`
	}
	if err := s.Wait(ctxFor(t, 5*time.Second), func() bool { return len(s.OpenViews("U1")) == 1 }); err != nil {
		t.Fatal(err)
	}
	p.get("/local/api/modals?as=U1", &modals)
	if len(modals.Stack) != 1 || modals.Stack[0]["callback_id"] != "task.new" {
		t.Fatalf("Alice's modals: %+v", modals.Stack)
	}
	id := modals.Stack[0]["id"]
	a := p.post("submit", map[string]any{"as": "U1", "view_id": id, "values": map[string]any{"title": map[string]any{"title": map[string]any{"value": "x"}}}})
	if a.OK || a.Errors["title"] != "Give the task a title people will recognise." {
		t.Errorf("the refused form answered %+v; want Baton's words under the title", a)
	}
	if open := s.OpenViews("U1"); len(open) != 1 {
		t.Errorf("the refused form closed: %+v", open)
	}
	if a := p.post("close", map[string]any{"as": "U1", "view_id": id}); !a.OK || len(s.OpenViews("U1")) != 0 {
		t.Errorf("Cancel: %+v, open views %d", a, len(s.OpenViews("U1")))
	}
}

// What Slack would refuse is shown in the inspector with Slack's explanation.
func TestTheInspectorShowsWhatSlackWouldRefuse(t *testing.T) {
	s := startDouble(t, Options{Inspect: 50})
	p := startPage(t, s, PageOptions{})
	api := apiFor(s)
	_, _, err := api.PostMessageContext(ctxFor(t, 5*time.Second), "C1", slack.MsgOptionBlocks(slack.NewHeaderBlock(
		slack.NewTextBlockObject(slack.MarkdownType, "*not plain*", false, false))))
	if err == nil {
		t.Fatal("a header with mrkdwn text was posted")
	}
	var got struct {
		Entries []InspectEntry `json:"entries"`
	}
	p.get("/local/api/inspector", &got)
	if len(got.Entries) != 1 {
		t.Fatalf("inspector: %+v; want the refused call", got.Entries)
	}
	e := got.Entries[0]
	if e.OK || e.Name != "chat.postMessage" || e.Error != "invalid_blocks" || !strings.Contains(e.Detail, "/blocks/0/text") {
		t.Errorf("the inspector shows %+v; want invalid_blocks with its pointer", e)
	}
	var req map[string]any
	if json.Unmarshal(e.Request, &req) != nil {
		t.Fatalf("the request is not JSON: %s", e.Request)
	}
	if _, ok := req["blocks"].([]any); !ok {
		t.Errorf("the request's blocks are shown as %T; want the JSON itself", req["blocks"])
	}
}

func TestThePageAsksForItsPasswordAndRefusesOtherSites(t *testing.T) {
	s := startDouble(t, Options{})
	p := startPage(t, s, PageOptions{Password: "s3cret"})
	if code := p.get("/local/api/session", nil); code != http.StatusUnauthorized {
		t.Errorf("without the password: %d; want 401", code)
	}
	req, _ := http.NewRequest(http.MethodGet, p.url+"/local/api/session", nil)
	req.SetBasicAuth("anyone", "s3cret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("with the password: %d; want 200", res.StatusCode)
	}

	// Without a password, a page elsewhere that points its own name at 127.0.0.1 is not answered.
	open := startPage(t, s, PageOptions{})
	req, _ = http.NewRequest(http.MethodGet, open.url+"/local/api/session", nil)
	req.Host = "evil.example:8080"
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("a request for evil.example: %d; want 421", res.StatusCode)
	}
	for _, host := range []string{"localhost:8080", "127.0.0.1:8080", "[::1]:8080"} {
		req, _ = http.NewRequest(http.MethodGet, open.url+"/local/api/session", nil)
		req.Host = host
		if res, err = http.DefaultClient.Do(req); err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("a request for %s: %d; want 200", host, res.StatusCode)
		}
	}
	req, _ = http.NewRequest(http.MethodPost, open.url+"/local/api/send", strings.NewReader(`{"as":"U1","channel":"C1","text":"hi"}`))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || len(s.Messages("C1")) != 0 {
		t.Errorf("a post from another site: %d, %d messages; want 403 and nothing posted", res.StatusCode, len(s.Messages("C1")))
	}
}

func TestTheClockGoesForwardToWhereThePersonAsked(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	now := time.Date(2026, 12, 7, 10, 30, 0, 0, time.UTC) // Monday 10:30 in London, 19:30 in Tokyo
	cases := []struct {
		move string
		loc  *time.Location
		want time.Time
		err  string
	}{
		{"1h", london, now.Add(time.Hour), ""},
		{"morning", london, time.Date(2026, 12, 8, 9, 0, 0, 0, london), ""},
		{"morning", tokyo, time.Date(2026, 12, 8, 9, 0, 0, 0, tokyo), ""},
		{"2026-12-14", tokyo, time.Date(2026, 12, 14, 9, 0, 0, 0, tokyo), ""},
		{"2026-12-07", london, time.Time{}, "already past 09:00"},
		{"-1h", london, time.Time{}, "not a way forward"},
		{"2026-13-01", london, time.Time{}, "not a date"},
		{"2400h", london, time.Time{}, "more than three months"},
	}
	for _, c := range cases {
		got, err := clockTarget(now, c.move, c.loc)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s in %s: %v, %v; want an error saying %q", c.move, c.loc, got, err, c.err)
		case c.err == "" && (err != nil || !got.Equal(c.want)):
			t.Errorf("%s in %s: %v, %v; want %v", c.move, c.loc, got, err, c.want)
		}
	}
}

// A restart keeps the conversations: a Snapshot restored into a new double holds the same messages.
func TestASnapshotRestoresTheConversations(t *testing.T) {
	s := startDouble(t, Options{})
	api := apiFor(s)
	ctx := ctxFor(t, 10*time.Second)
	_, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("T-1 Draft the plan", false))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("moved to In progress", false), slack.MsgOptionTS(ts)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessageContext(ctx, "U2", slack.MsgOptionText("You were handed T-1", false)); err != nil {
		t.Fatal(err)
	}
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}

	again := startDouble(t, Options{})
	if err := again.Restore(snap); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []string{"C1", "DU2"} {
		want, got := s.Messages(ch), again.Messages(ch)
		wj, _ := json.Marshal(want)
		gj, _ := json.Marshal(got)
		if len(want) == 0 || !bytes.Equal(wj, gj) {
			t.Errorf("%s after the restore:\n%s\nwant\n%s", ch, gj, wj)
		}
	}
	// New messages come after the restored ones.
	_, next, err := apiFor(again).PostMessageContext(ctx, "C1", slack.MsgOptionText("after the restart", false))
	if err != nil {
		t.Fatal(err)
	}
	if compareTS(next, ts) <= 0 {
		t.Errorf("a message after the restart has ts %s, not after %s", next, ts)
	}
	if err := again.Restore([]byte(`{"version":99}`)); err == nil {
		t.Error("a snapshot of another layout was restored")
	}
}

// A file Baton shares (the CSV export) downloads from the page for whoever sees its conversation.
func TestAFileSharedInADMDownloadsForItsPersonAlone(t *testing.T) {
	s := startDouble(t, Options{})
	p := startPage(t, s, PageOptions{})
	api := apiFor(s)
	ch, _, _, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"U1"}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := api.UploadFileContext(ctxFor(t, 5*time.Second), slack.UploadFileParameters{Filename: "requests.csv", FileSize: 4,
		Content: "a,b\n", Title: "Requests", Channel: ch.ID})
	if err != nil {
		t.Fatal(err)
	}
	var conv pageConversation
	p.get("/local/api/channel?as=U1&id="+ch.ID, &conv)
	if len(conv.Messages) != 1 || len(conv.Messages[0].Files) != 1 || conv.Messages[0].Files[0].Name != "requests.csv" {
		t.Fatalf("Alice's DM shows %+v; want the shared file", conv.Messages)
	}
	url := conv.Messages[0].Files[0].URL
	for as, want := range map[string]int{"U1": http.StatusOK, "U2": http.StatusNotFound} {
		res, err := http.Get(p.url + url + "?as=" + as)
		if err != nil {
			t.Fatal(err)
		}
		body := new(bytes.Buffer)
		_, _ = body.ReadFrom(res.Body)
		res.Body.Close()
		if res.StatusCode != want || (want == http.StatusOK && (body.String() != "a,b\n" || !strings.Contains(res.Header.Get("Content-Disposition"), "requests.csv"))) {
			t.Errorf("%s downloading %s (%s): %d %q; want %d", as, f.ID, url, res.StatusCode, body.String(), want)
		}
	}
}

// What the workspace refuses because the page is out of date is said in words, without its IDs.
func TestAStaleActionIsRefusedInWords(t *testing.T) {
	s := startDouble(t, Options{})
	p := startPage(t, s, PageOptions{})
	runBot(t, s, nil)
	a := p.post("action", map[string]any{"as": "U1", "surface": "message", "channel": "C1", "ts": "1700000000.000100",
		"action_id": "task.status", "kind": "select", "value": "1:done"})
	if a.OK || !strings.Contains(a.Error, "Reload the page") || strings.Contains(a.Error, "U1") || strings.Contains(a.Error, "C1") {
		t.Errorf("a click on a message that is gone: %+v; want words that say to reload, no IDs", a)
	}
}
