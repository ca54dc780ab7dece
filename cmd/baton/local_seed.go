package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/batonhq/baton/bot/slackdouble"
)

// The local workspace's demo company, Northwind: a manager (Maya), her reports, finance, legal
// and an admin, spread over time zones, in #launch, #sales, #general and a private #leadership
// without Baton. The people match local_policies.yaml.
const (
	localTeam     = "TLOCAL"
	localTeamName = "Northwind (local)"

	demoMaya   = "UMAYA"
	demoAna    = "UANA"
	demoBen    = "UBEN"
	demoKenji  = "UKENJI"
	demoPriya  = "UPRIYA"
	demoFarah  = "UFARAH"
	demoLeo    = "ULEO"
	demoSasha  = "USASHA"
	demoLaunch = "CLAUNCH"
	demoSales  = "CSALES"
	demoGen    = "CGENERAL"
	demoLead   = "CLEAD"
)

// demoPeople are Northwind's people, the manager first: the page offers them in this order.
var demoPeople = []slackdouble.User{
	{ID: demoMaya, Name: "maya", RealName: "Maya Okafor", Title: "Head of Operations (manager)", TZ: "Europe/London"},
	{ID: demoAna, Name: "ana", RealName: "Ana Ruiz", Title: "Launch lead, reports to Maya", TZ: "America/New_York"},
	{ID: demoBen, Name: "ben", RealName: "Ben Carter", Title: "Sales lead, reports to Maya", TZ: "America/Chicago"},
	{ID: demoKenji, Name: "kenji", RealName: "Kenji Sato", Title: "Engineer, reports to Ana", TZ: "Asia/Tokyo"},
	{ID: demoPriya, Name: "priya", RealName: "Priya Nair", Title: "Marketing, reports to Maya", TZ: "Asia/Kolkata"},
	{ID: demoFarah, Name: "farah", RealName: "Farah Haddad", Title: "Finance", TZ: "Europe/Berlin"},
	{ID: demoLeo, Name: "leo", RealName: "Leo Martin", Title: "Legal", TZ: "Europe/Paris"},
	{ID: demoSasha, Name: "sasha", RealName: "Sasha Ivanova", Title: "Workspace admin", TZ: "Europe/Warsaw", IsAdmin: true},
}

// seedPeople adds Northwind's people and channels to the double; they are the same at every start.
func seedPeople(d *slackdouble.Server) {
	everyone := make([]string, len(demoPeople))
	for i, u := range demoPeople {
		d.AddUser(u)
		everyone[i] = u.ID
	}
	d.AddChannel(slackdouble.Channel{ID: demoLaunch, Name: "launch", Members: everyone, BotIsMember: true})
	d.AddChannel(slackdouble.Channel{ID: demoSales, Name: "sales", Members: []string{demoMaya, demoAna, demoBen, demoFarah}, BotIsMember: true})
	d.AddChannel(slackdouble.Channel{ID: demoGen, Name: "general", Members: everyone, BotIsMember: true})
	// A private channel Baton was never invited to: what it cannot post there shows as Slack's error.
	d.AddChannel(slackdouble.Channel{ID: demoLead, Name: "leadership", Private: true, Members: []string{demoMaya, demoFarah, demoSasha}})
}

// demo acts in the local workspace as Northwind's people, through the same payloads Slack sends,
// and waits after each step until Baton has done everything it set off.
type demo struct {
	d    *slackdouble.Server
	idle func(context.Context) error
	now  func() time.Time
}

// seedDemo gives Northwind something to look at on the first screen: an objective with two key
// results, four tasks (one in progress, one blocked), a decision flagged to Maya and Ben, a
// purchase request waiting for Maya, and a daily check-in for Ana.
func (m demo) seedDemo(ctx context.Context) error {
	steps := []struct {
		what string
		do   func(context.Context) error
	}{
		{"the objective", m.objective},
		{"the tasks", m.tasks},
		{"the progress", m.progress},
		{"the decision", m.decision},
		{"the purchase request", m.request},
		{"the check-in", m.checkin},
	}
	for _, s := range steps {
		if err := s.do(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
		if err := m.idle(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	return nil
}

func (m demo) command(ctx context.Context, user, channel, command, text string) error {
	_, err := m.d.SlashCommand(ctx, slackdouble.SlashCommand{UserID: user, ChannelID: channel, Command: command, Text: text})
	return err
}

// form answers the modal a command opened.
func (m demo) form(ctx context.Context, user, callbackID string, values map[string]slackdouble.InputValue) error {
	if err := m.idle(ctx); err != nil {
		return err
	}
	for _, v := range m.d.OpenViews(user) {
		if v.CallbackID != callbackID {
			continue
		}
		in := make(map[string]map[string]slackdouble.InputValue, len(values))
		for id, val := range values {
			in[id] = map[string]slackdouble.InputValue{id: val}
		}
		ack, err := m.d.SubmitView(ctx, user, v.ID, in)
		if err != nil {
			return err
		}
		if len(ack.Payload) > 0 && strings.Contains(string(ack.Payload), `"errors"`) {
			return fmt.Errorf("the %s form was refused: %s", callbackID, ack.Payload)
		}
		return nil
	}
	return fmt.Errorf("the %s form did not open", callbackID)
}

func text(s string) slackdouble.InputValue { return slackdouble.InputValue{Value: slackdouble.Str(s)} }

func (m demo) objective(ctx context.Context) error {
	if err := m.command(ctx, demoMaya, demoLaunch, "/okr", "new"); err != nil {
		return err
	}
	if err := m.form(ctx, demoMaya, "okr.new", map[string]slackdouble.InputValue{
		"title": text("Launch Northwind 2.0 without a slip"), "owner": {SelectedUser: demoMaya},
	}); err != nil {
		return err
	}
	for _, kr := range []map[string]slackdouble.InputValue{
		{"title": text("Sign-ups in launch week"), "owner": {SelectedUser: demoPriya}, "kind": {SelectedOption: "metric"},
			"start": text("0"), "target": text("5000"), "unit": text("sign-ups")},
		{"title": text("Launch checklist done"), "owner": {SelectedUser: demoAna}, "kind": {SelectedOption: "rollup"}},
	} {
		if err := m.command(ctx, demoMaya, demoLaunch, "/okr", "kr O-1"); err != nil {
			return err
		}
		if err := m.form(ctx, demoMaya, "okr.kr", kr); err != nil {
			return err
		}
	}
	return nil
}

// due is a date n days from now, as /task's due: takes it.
func (m demo) due(n int) string { return m.now().AddDate(0, 0, n).Format("2006-01-02") }

func (m demo) tasks(ctx context.Context) error {
	for _, t := range []struct{ user, channel, text string }{
		{demoMaya, demoLaunch, fmt.Sprintf("<@%s> Draft the launch plan due:%s kr:KR-2", demoAna, m.due(1))},
		{demoMaya, demoLaunch, fmt.Sprintf("<@%s> Load-test the sign-up flow due:%s kr:KR-2", demoKenji, m.due(3))},
		{demoMaya, demoLaunch, fmt.Sprintf("<@%s> Write the launch announcement due:%s", demoPriya, m.due(5))},
		{demoBen, demoSales, fmt.Sprintf("<@%s> Prepare the Acme pricing deck due:%s", demoAna, m.due(2))},
	} {
		if err := m.command(ctx, t.user, t.channel, "/task", t.text); err != nil {
			return err
		}
		if err := m.idle(ctx); err != nil {
			return err
		}
	}
	return nil
}

// card finds a task's card in a channel.
func (m demo) card(channel, ref string) (slackdouble.Message, error) {
	for _, msg := range m.d.Messages(channel) {
		if msg.ThreadTS == "" && msg.BotID != "" && strings.HasPrefix(msg.Text, ref+" ") {
			return msg, nil
		}
	}
	return slackdouble.Message{}, fmt.Errorf("no card of %s in %s", ref, channel)
}

func (m demo) progress(ctx context.Context) error {
	plan, err := m.card(demoLaunch, "T-1")
	if err != nil {
		return err
	}
	if _, err := m.d.SelectOption(ctx, demoAna, demoLaunch, plan.TS, "task.status", "1:in_progress"); err != nil {
		return err
	}
	load, err := m.card(demoLaunch, "T-2")
	if err != nil {
		return err
	}
	if _, err := m.d.SelectOption(ctx, demoKenji, demoLaunch, load.TS, "task.status", "2:blocked"); err != nil {
		return err
	}
	if err := m.form(ctx, demoKenji, "task.blocked", map[string]slackdouble.InputValue{
		"note": text("Waiting for the staging database from IT"),
	}); err != nil {
		return err
	}
	return m.command(ctx, demoPriya, demoLaunch, "/okr", "update KR-1 1200 Waiting-list sign-ups before the launch")
}

func (m demo) decision(ctx context.Context) error {
	if err := m.command(ctx, demoAna, demoLaunch, "/decision", ""); err != nil {
		return err
	}
	return m.form(ctx, demoAna, "decision.new", map[string]slackdouble.InputValue{
		"d_title":    text("Launch day"),
		"d_decision": text("We launch on a Tuesday morning, European time, so support has the whole week."),
		"d_context":  text("Fridays leave no one to answer customers; Mondays clash with the sales call."),
		"d_flagged":  {SelectedUsers: []string{demoMaya, demoBen}},
		"d_channel":  {SelectedConversation: demoLaunch},
	})
}

func (m demo) request(ctx context.Context) error {
	return m.command(ctx, demoAna, demoLaunch, "/request", "purchase amount=1200 vendor=Figma category=software Design seats for the launch team")
}

func (m demo) checkin(ctx context.Context) error {
	return m.command(ctx, demoMaya, demoLaunch, "/checkin", fmt.Sprintf("<@%s> every weekday at 16:00 for T-1 How is the launch plan going?", demoAna))
}
