package main

import (
	"encoding/json"
	"regexp"
	"slices"

	"github.com/batonhq/baton/bot/md"
)

// bakedMarkup is the only markup Baton makes: mentions of people, links to conversations, dates
// each reader sees in their own zone, and links to Slack messages.
var bakedMarkup = []*regexp.Regexp{
	regexp.MustCompile(`^<@[UW][A-Z0-9]+>$`),
	regexp.MustCompile(`^<#[CGD][A-Z0-9]+>$`),
	regexp.MustCompile(`^<!date\^\d+\^[a-z_{} ]+\|[^<>|]+>$`),
	regexp.MustCompile(`^<https://[a-z0-9-]+\.slack\.com/archives/[A-Z0-9]+/p\d+\|[^<>]*>$`),
}

// auditMarkup fails the test when anything Baton sent holds markup Baton never makes: a @here,
// @channel or @everyone, a user-group ping, a disguised link, a stray tag. It reads every message
// (with the versions each edit replaced), ephemeral, App Home and open view the double holds, in
// every channel and direct message of the test workspace: whatever a test typed, it must have come
// back as text.
func (h *harness) auditMarkup() {
	h.t.Helper()
	users := []string{bea, ana, cal, adm, robo, gone, dup1, dup2}
	channels := []string{launc, open_, priv}
	for _, u := range users {
		channels = append(channels, h.slack.DMChannel(u))
	}
	check := func(where, text string, blocks json.RawMessage) {
		texts := []string{text}
		if len(blocks) > 0 {
			var v any
			if err := json.Unmarshal(blocks, &v); err != nil {
				h.t.Errorf("%s: blocks %s: %v", where, blocks, err)
				return
			}
			texts = append(texts, md.MrkdwnTexts(v)...)
		}
		for _, s := range texts {
			for _, tok := range md.Markup(s) {
				if !slices.ContainsFunc(bakedMarkup, func(re *regexp.Regexp) bool { return re.MatchString(tok) }) {
					h.t.Errorf("%s holds markup Baton does not make: %q in %q", where, tok, s)
				}
			}
		}
	}
	for _, ch := range channels {
		for _, m := range h.slack.Messages(ch) {
			check("message "+m.TS+" in "+ch, m.Text, m.Blocks)
			for _, r := range m.History {
				check("an earlier version of message "+m.TS+" in "+ch, r.Text, r.Blocks)
			}
		}
	}
	for _, u := range users {
		for _, e := range h.slack.Ephemerals(u) {
			check("ephemeral to "+u, e.Text, e.Blocks)
		}
		if v, ok := h.slack.HomeView(u); ok {
			check("App Home of "+u, "", v.Blocks)
		}
		for _, v := range h.slack.OpenViews(u) {
			check("view "+v.CallbackID+" of "+u, "", v.Blocks)
		}
	}
}
