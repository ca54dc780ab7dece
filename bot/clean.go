package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// cleanText removes from text a person typed the characters no one means to type and Postgres
// can't keep: control characters (NUL included) other than line breaks and tabs, and invalid
// UTF-8. Everything else stays as typed.
func cleanText(s string) string {
	if !needsCleaning(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\n' && r != '\t') {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

func needsCleaning(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\n' && r != '\t') {
			return true
		}
	}
	return false
}

func cleanCommand(cmd *slack.SlashCommand) { cmd.Text = cleanText(cmd.Text) }

// cleanInteraction cleans every value a person typed into a surface: view inputs, and the values
// and message text an action or shortcut carries.
func cleanInteraction(cb *slack.InteractionCallback) {
	if cb.View.State != nil {
		cleanValues(cb.View.State.Values)
	}
	if cb.BlockActionState != nil {
		cleanValues(cb.BlockActionState.Values)
	}
	for _, a := range cb.ActionCallback.BlockActions {
		a.Value = cleanText(a.Value)
	}
	cb.Message.Text = cleanText(cb.Message.Text)
}

func cleanValues(values map[string]map[string]slack.BlockAction) {
	for _, block := range values {
		for id, v := range block {
			v.Value = cleanText(v.Value)
			block[id] = v
		}
	}
}

// cleanEvent cleans the text of a message a person sent Baton.
func cleanEvent(ev *slackevents.EventsAPIEvent) {
	if msg, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent); ok {
		msg.Text = cleanText(msg.Text)
	}
}
