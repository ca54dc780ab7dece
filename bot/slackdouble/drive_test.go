package slackdouble

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func taskModal(title string) slack.ModalViewRequest {
	input := slack.NewInputBlock("title", plain("Title"), nil, slack.NewPlainTextInputBlockElement(nil, "value"))
	prio := slack.NewInputBlock("prio", plain("Priority"), nil, slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "pick",
		slack.NewOptionBlockObject("low", plain("Low"), nil), slack.NewOptionBlockObject("high", plain("High"), nil)))
	due := slack.NewInputBlock("due", plain("Due"), nil, slack.NewDatePickerBlockElement("date"))
	due.Optional = true
	owner := slack.NewInputBlock("owner", plain("Owner"), nil, &slack.SelectBlockElement{Type: slack.OptTypeUser, ActionID: "user", InitialUser: "U2"})
	return slack.ModalViewRequest{
		Type: slack.VTModal, Title: plain(title), Submit: plain("Create"), Close: plain("Cancel"),
		CallbackID: "new_task", PrivateMetadata: "C1", NotifyOnClose: true,
		Blocks: slack.Blocks{BlockSet: []slack.Block{input, prio, due, owner}},
	}
}

func TestTriggerIDs(t *testing.T) {
	s := startDouble(t, Options{TriggerTTL: 300 * time.Millisecond})
	b := runBot(t, s, nil)
	ctx := ctxFor(t, 5*time.Second)
	trigger := func() string {
		if _, err := s.SlashCommand(ctx, SlashCommand{UserID: "U1", ChannelID: "C1", Command: "/task"}); err != nil {
			t.Fatal(err)
		}
		evs := b.events()
		return evs[len(evs)-1].Data.(slack.SlashCommand).TriggerID
	}

	tr := trigger()
	_, err := b.api.OpenView(tr, taskModal(strings.Repeat("t", 25)))
	wantPointer(t, wantCode(t, err, "invalid_arguments"), "/view/title/text")
	v, err := b.api.OpenView(tr, taskModal("New task"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v.ID, "V") || v.Hash == "" || v.CallbackID != "new_task" {
		t.Fatalf("view = %+v", v.View)
	}
	_, err = b.api.OpenView(tr, taskModal("Again"))
	wantCode(t, err, "exchanged_trigger_id")

	late := trigger()
	time.Sleep(350 * time.Millisecond)
	_, err = b.api.OpenView(late, taskModal("Late"))
	wantCode(t, err, "expired_trigger_id")
	_, err = b.api.OpenView("123.456.abc", taskModal("Bogus"))
	wantCode(t, err, "invalid_trigger_id")

	if open := s.OpenViews("U1"); len(open) != 1 || open[0].Title != "New task" {
		t.Fatalf("open views = %+v", open)
	}
}

func TestViewStackUpdateAndPushLimit(t *testing.T) {
	s := startDouble(t, Options{})
	b := runBot(t, s, nil)
	ctx := ctxFor(t, 5*time.Second)
	if _, err := s.GlobalShortcut(ctx, "U1", "new_task"); err != nil {
		t.Fatal(err)
	}
	tr := b.lastInteraction(t).TriggerID
	root, err := b.api.OpenView(tr, taskModal("Root"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := s.ClickViewButton(ctx, "U1", s.OpenViews("U1")[i].ID, "more"); err == nil {
			t.Fatal("clicked a button that is not there")
		}
		if _, err := s.GlobalShortcut(ctx, "U1", "push"); err != nil {
			t.Fatal(err)
		}
		_, err := b.api.PushView(b.lastInteraction(t).TriggerID, taskModal("Pushed"))
		if i < 2 && err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			wantCode(t, err, "push_limit_reached")
		}
	}
	_, err = b.api.UpdateView(taskModal("Renamed"), "", "stale-hash", root.ID)
	wantCode(t, err, "hash_conflict")
	up, err := b.api.UpdateView(taskModal("Renamed"), "", root.Hash, root.ID)
	if err != nil || up.ID != root.ID || up.Hash == root.Hash {
		t.Fatalf("views.update = %+v, %v", up, err)
	}
	_, err = b.api.UpdateView(taskModal("Gone"), "", "", "V404")
	wantCode(t, err, "not_found")
	if open := s.OpenViews("U1"); len(open) != 3 || open[0].Title != "Renamed" || open[2].PreviousViewID != open[1].ID || open[2].RootViewID != root.ID {
		t.Fatalf("stack = %+v", open)
	}
}

func TestClickButtonAndResponseURL(t *testing.T) {
	s := startDouble(t, Options{})
	b := runBot(t, s, nil)
	ctx := ctxFor(t, 5*time.Second)
	card := []slack.Block{
		slack.NewSectionBlock(plain("Task 41"), nil, nil, slack.SectionBlockOptionBlockID("task_41")),
		slack.NewActionBlock("act_41", slack.NewButtonBlockElement("approve", "41", plain("Approve"))),
		slack.NewActionBlock("act_42", slack.NewButtonBlockElement("approve", "42", plain("Approve")),
			slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Owner"), "prio",
				slack.NewOptionBlockObject("low", plain("Low"), nil), slack.NewOptionBlockObject("high", plain("High"), nil))),
	}
	_, _, err := b.api.PostMessage("C1", slack.MsgOptionText("tasks", false), slack.MsgOptionBlocks(card...))
	if err == nil {
		t.Fatal("surface-unique action ids: repeated approve accepted")
	}
	wantCode(t, err, "invalid_blocks")

	s2 := startDouble(t, Options{PerBlockActionIDs: true})
	b = runBot(t, s2, nil)
	s = s2
	_, ts, err := b.api.PostMessage("C1", slack.MsgOptionText("tasks", false), slack.MsgOptionBlocks(card...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClickButton(ctx, "U1", "C1", ts, "approve"); err == nil || !strings.Contains(err.Error(), "share action_id") {
		t.Fatalf("ambiguous click: %v", err)
	}
	if _, err := s.ClickButton(ctx, "U1", "C1", ts, "reject"); err == nil {
		t.Fatal("clicked a button that is not on screen")
	}
	if _, err := s.ClickButton(ctx, "U1", "C1", ts, "approve", "42"); err != nil {
		t.Fatal(err)
	}
	cb := b.lastInteraction(t)
	act := cb.ActionCallback.BlockActions
	if cb.Type != slack.InteractionTypeBlockActions || len(act) != 1 || act[0].BlockID != "act_42" || act[0].Value != "42" ||
		act[0].ActionID != "approve" || cb.Container.Type != "message" || cb.Container.MessageTs != ts || cb.Channel.ID != "C1" ||
		cb.Message.Timestamp != ts || len(cb.Message.Blocks.BlockSet) != 3 || cb.TriggerID == "" || cb.ResponseURL == "" {
		t.Fatalf("block_actions = %+v", cb)
	}
	if _, ok := cb.BlockActionState.Values["act_42"]["prio"]; !ok {
		t.Fatalf("state = %+v", cb.BlockActionState)
	}

	if _, err := s.SelectOption(ctx, "U1", "C1", ts, "prio", "urgent"); err == nil {
		t.Fatal("selected an option that does not exist")
	}
	if _, err := s.SelectOption(ctx, "U1", "C1", ts, "prio", "high"); err != nil {
		t.Fatal(err)
	}
	sel := b.lastInteraction(t).ActionCallback.BlockActions[0]
	if sel.SelectedOption.Value != "high" || sel.SelectedOption.Text.Text != "High" || sel.Type != "static_select" {
		t.Fatalf("select action = %+v", sel)
	}

	url := cb.ResponseURL
	post := func(opts ...slack.MsgOption) error {
		_, _, err := b.api.PostMessage("C1", opts...)
		return err
	}
	if err := post(slack.MsgOptionText("approved", false), slack.MsgOptionReplaceOriginal(url)); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Message("C1", ts); m.Text != "approved" || m.Edits != 1 {
		t.Fatalf("replace_original: %+v", m)
	}
	bad := slack.NewHeaderBlock(plain(strings.Repeat("h", 151)))
	err = post(slack.MsgOptionBlocks(bad), slack.MsgOptionResponseURL(url, slack.ResponseTypeEphemeral))
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != http.StatusBadRequest {
		t.Fatalf("invalid blocks via response_url: %v", err)
	}
	for i := range 4 {
		rt := slack.ResponseTypeEphemeral
		if i == 3 {
			rt = slack.ResponseTypeInChannel
		}
		if err := post(slack.MsgOptionText("follow-up", false), slack.MsgOptionResponseURL(url, rt)); err != nil {
			t.Fatalf("use %d: %v", i+2, err)
		}
	}
	err = post(slack.MsgOptionText("sixth", false), slack.MsgOptionResponseURL(url, slack.ResponseTypeEphemeral))
	if !errors.As(err, &sc) || sc.Code != http.StatusNotFound {
		t.Fatalf("sixth use: %v", err)
	}
	if e := s.Ephemerals("U1"); len(e) != 3 || e[0].Source != "response_url" {
		t.Fatalf("ephemerals = %+v", e)
	}
	if msgs := s.Messages("C1"); len(msgs) != 2 || msgs[1].Text != "follow-up" {
		t.Fatalf("messages = %+v", msgs)
	}

	ephTS, err := b.api.PostEphemeral("C1", "U2", slack.MsgOptionText("undo?", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("undo_b", slack.NewButtonBlockElement("undo", "41", plain("Undo")))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClickButton(ctx, "U1", "C1", ephTS, "undo"); err == nil {
		t.Fatal("clicked another user's ephemeral")
	}
	if _, err := s.ClickButton(ctx, "U2", "C1", ephTS, "undo"); err != nil {
		t.Fatal(err)
	}
	ecb := b.lastInteraction(t)
	if !ecb.Container.IsEphemeral || ecb.Message.Timestamp != "" {
		t.Fatalf("ephemeral click = %+v", ecb.Container)
	}
	if err := post(slack.MsgOptionText("undone", false), slack.MsgOptionReplaceOriginal(ecb.ResponseURL)); err != nil {
		t.Fatal(err)
	}
	if e := s.Ephemerals("U2"); len(e) != 1 || e[0].Text != "undone" || e[0].Replaced != 1 {
		t.Fatalf("replaced ephemeral = %+v", e)
	}
}

func TestSubmitView(t *testing.T) {
	s := startDouble(t, Options{})
	b := runBot(t, s, func(evt socketmode.Event) any {
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || cb.Type != slack.InteractionTypeViewSubmission {
			return nil
		}
		if cb.View.State.Values["title"]["value"].Value == "x" {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{"title": "Too short"})
		}
		return nil
	})
	ctx := ctxFor(t, 5*time.Second)
	if _, err := s.GlobalShortcut(ctx, "U1", "new_task"); err != nil {
		t.Fatal(err)
	}
	v, err := b.api.OpenView(b.lastInteraction(t).TriggerID, taskModal("New task"))
	if err != nil {
		t.Fatal(err)
	}
	in := func(title string) map[string]map[string]InputValue {
		return map[string]map[string]InputValue{
			"title": {"value": {Value: Str(title)}},
			"prio":  {"pick": {SelectedOption: "high"}},
		}
	}
	if _, err := s.SubmitView(ctx, "U1", v.ID, map[string]map[string]InputValue{"nope": {"x": {}}}); err == nil {
		t.Fatal("submitted an input that is not in the view")
	}
	if _, err := s.SubmitView(ctx, "U1", v.ID, map[string]map[string]InputValue{"title": {"value": {Value: Str("t")}}}); err == nil {
		t.Fatal("submitted with a required input empty")
	}
	if _, err := s.SubmitView(ctx, "U1", v.ID, map[string]map[string]InputValue{"prio": {"pick": {SelectedUser: "U1"}}}); err == nil {
		t.Fatal("accepted a value of the wrong kind")
	}
	if _, err := s.SubmitView(ctx, "U1", v.ID, in("x")); err != nil {
		t.Fatal(err)
	}
	open := s.OpenViews("U1")
	if len(open) != 1 || open[0].Errors["title"] != "Too short" {
		t.Fatalf("after errors: %+v", open)
	}
	sub := b.lastInteraction(t)
	vals := sub.View.State.Values
	if sub.View.ID != v.ID || sub.View.CallbackID != "new_task" || sub.View.PrivateMetadata != "C1" ||
		vals["prio"]["pick"].SelectedOption.Value != "high" || vals["owner"]["user"].SelectedUser != "U2" || vals["due"]["date"].SelectedDate != "" {
		t.Fatalf("view_submission = %+v", sub.View)
	}
	if _, err := s.SubmitView(ctx, "U1", v.ID, in("Write docs")); err != nil {
		t.Fatal(err)
	}
	if open := s.OpenViews("U1"); len(open) != 0 {
		t.Fatalf("view still open: %+v", open)
	}

	if _, err := s.GlobalShortcut(ctx, "U1", "new_task"); err != nil {
		t.Fatal(err)
	}
	v, err = b.api.OpenView(b.lastInteraction(t).TriggerID, taskModal("Another"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CloseView(ctx, "U1", v.ID); err != nil {
		t.Fatal(err)
	}
	if closed := b.lastInteraction(t); closed.Type != slack.InteractionTypeViewClosed || closed.View.ID != v.ID {
		t.Fatalf("view_closed = %+v", closed)
	}
}

func TestHomeTab(t *testing.T) {
	s := startDouble(t, Options{})
	b := runBot(t, s, nil)
	ctx := ctxFor(t, 5*time.Second)
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, PrivateMetadata: "page=1", Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewSectionBlock(plain("Your tasks"), nil, nil),
		slack.NewActionBlock("filters", slack.NewButtonBlockElement("refresh", "r", plain("Refresh")),
			slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "filter",
				slack.NewOptionBlockObject("open", plain("Open"), nil), slack.NewOptionBlockObject("done", plain("Done"), nil))),
	}}}
	if _, err := s.ClickHomeButton(ctx, "U1", "refresh"); err == nil {
		t.Fatal("clicked a home view that was never published")
	}
	v, err := b.api.PublishView("U1", home, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.api.PublishView("U1", home, "stale")
	wantCode(t, err, "hash_conflict")
	v2, err := b.api.PublishView("U1", home, v.Hash)
	if err != nil || v2.ID != v.ID {
		t.Fatalf("republish = %+v, %v", v2, err)
	}
	_, err = b.api.PublishView("U1", slack.HomeTabViewRequest{Type: slack.VTModal}, "")
	wantCode(t, err, "invalid_arguments")

	if _, err := s.ClickHomeButton(ctx, "U1", "refresh"); err != nil {
		t.Fatal(err)
	}
	cb := b.lastInteraction(t)
	if cb.Container.Type != "view" || cb.Container.ViewID != v.ID || cb.View.Hash != v2.Hash || cb.View.PrivateMetadata != "page=1" ||
		cb.ActionCallback.BlockActions[0].BlockID != "filters" {
		t.Fatalf("home click = %+v", cb)
	}
	if _, err := s.SelectHomeOption(ctx, "U1", "filter", "done"); err != nil {
		t.Fatal(err)
	}
	if a := b.lastInteraction(t).ActionCallback.BlockActions[0]; a.SelectedOption.Value != "done" {
		t.Fatalf("home select = %+v", a)
	}
	hv, ok := s.HomeView("U1")
	if !ok || !hv.Has("Your tasks") || strings.Join(hv.ActionIDs(), ",") != "refresh,filter" {
		t.Fatalf("home view = %+v %v", hv, hv.ActionIDs())
	}
	if _, _, err := s.AppHomeOpened(ctx, "U1"); err != nil {
		t.Fatal(err)
	}
}

func TestMessageShortcut(t *testing.T) {
	s := startDouble(t, Options{})
	b := runBot(t, s, nil)
	ctx := ctxFor(t, 5*time.Second)
	ts := s.PostUserMessage("C1", "U2", "please fix the build", "")
	if _, err := s.MessageShortcut(ctx, "U1", "C1", ts, "task_from_message"); err != nil {
		t.Fatal(err)
	}
	cb := b.lastInteraction(t)
	if cb.Type != slack.InteractionTypeMessageAction || cb.CallbackID != "task_from_message" || cb.Message.Text != "please fix the build" ||
		cb.Message.User != "U2" || cb.Channel.ID != "C1" || cb.ResponseURL == "" || cb.TriggerID == "" || cb.MessageTs != ts {
		t.Fatalf("message_action = %+v", cb)
	}
}
