package main

import "github.com/batonhq/baton/bot/slackdouble"

// manifestCommands and manifestShortcuts are the app's, as deploy/slack-app-manifest.yaml
// declares them (a test keeps them equal): the local workspace offers what Slack would.
var manifestCommands = []slackdouble.PageCommand{
	{Command: "/task", Description: "Hand over a task, list tasks, or open one",
		UsageHint: "[@owner Title due:fri kr:KR-7] | list [delegated|blocked|overdue|@person] | T-12 [history|kr:KR-7|kr:none] | help"},
	{Command: "/checkin", Description: "Ask people how things are going, on a schedule",
		UsageHint: "@person every weekday at 09:30 [for T-12] [remind after 2h] Question | list | C-5 | edit|pause|resume|cancel C-5 | help"},
	{Command: "/request", Description: "Ask for an approval; the rules route it to the right people",
		UsageHint: "[type field=value … text] | R-9 | list [pending] | why type field=value … | cancel R-9 | export [from] [to] | help"},
	{Command: "/okr", Description: "Objectives and key results, their progress, and check-ins",
		UsageHint: "[2026-Q4] | new | kr O-3 | update KR-7 42 [comment] | O-3 [parent O-1|status achieved] | KR-7 [edit] | list [@person] | help"},
	{Command: "/decision", Description: "Record a decision, its versions and who must know",
		UsageHint: "[D-4 [history]] | list [task T-12 | KR-7 | @person | words…] | help"},
	{Command: "/baton", Description: "Your settings, out-of-office, the workspace's working week, holidays and reminders",
		UsageHint: "settings | digest 08:30|off | ooo until DATE|off | holidays | workdays | hours | reminders | checkins limit N | okr-reminder-days | authority | group | manager | policies [reload] | jobs"},
}

var manifestShortcuts = []slackdouble.PageShortcut{
	{CallbackID: "task.from_message", Name: "Make a task", Description: "Turn this message into a task with an owner", Type: "message"},
}
