package handlers

import (
	"github.com/slack-go/slack"

	"github.com/batonhq/baton/bot/md"
)

// Every piece of text Baton sends to Slack is made here, from md.Text: what a person typed can
// only reach Slack escaped (see package md).

// maxMessageText is the most of a message's text Baton sends: chat.update refuses more than 4,000
// characters, and the text is the fallback of blocks that say the rest.
const maxMessageText = 3000

// mrkdwn is a mrkdwn text object.
func mrkdwn(t md.Text) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, string(t), false, false)
}

// plain is a plain_text object: Slack shows it as it is and reads no markup in it.
func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

// msgText is a message's text: its notification and the fallback of its blocks.
func msgText(t md.Text) slack.MsgOption {
	return slack.MsgOptionText(string(md.Clip(t, maxMessageText)), false)
}
