package slackdouble

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// blockStrings collects every string stored under key anywhere inside
// blocks, block by block and element by element.
func blockStrings(blocks json.RawMessage, key string) []string {
	if len(blocks) == 0 {
		return nil
	}
	v, err := decodeGeneric(blocks)
	if err != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch t := x.(type) {
		case map[string]any:
			if s, ok := t[key].(string); ok {
				out = append(out, s)
			}
			for _, k := range slices.Sorted(maps.Keys(t)) {
				if _, ok := t[k].(string); ok && k == key {
					continue
				}
				walk(t[k])
			}
		case []any:
			for _, child := range t {
				walk(child)
			}
		}
	}
	walk(v)
	return out
}

func allText(text string, blocks json.RawMessage) string {
	parts := append([]string{text}, blockStrings(blocks, "text")...)
	parts = append(parts, blockStrings(blocks, "initial_value")...)
	return strings.Join(parts, "\n")
}

// AllText is the message text plus every text found in its blocks (and the prefilled values of its
// inputs), one per line.
func (m Message) AllText() string { return allText(m.Text, m.Blocks) }

// Has reports whether s occurs in the message text or any text in its blocks.
func (m Message) Has(s string) bool { return strings.Contains(m.AllText(), s) }

// ActionIDs lists the action_ids of the message's interactive elements.
func (m Message) ActionIDs() []string { return blockStrings(m.Blocks, "action_id") }

// AllText is the ephemeral text plus every text found in its blocks.
func (e Ephemeral) AllText() string { return allText(e.Text, e.Blocks) }

// Has reports whether s occurs in the ephemeral text or its blocks.
func (e Ephemeral) Has(s string) bool { return strings.Contains(e.AllText(), s) }

// ActionIDs lists the action_ids of the ephemeral's interactive elements.
func (e Ephemeral) ActionIDs() []string { return blockStrings(e.Blocks, "action_id") }

// AllText is the view title plus every text found in its blocks.
func (v View) AllText() string { return allText(v.Title, v.Blocks) }

// Has reports whether s occurs in the view title or its blocks, as sent or as a person reads it:
// a link reads as its label.
func (v View) Has(s string) bool {
	all := v.AllText()
	return strings.Contains(all, s) || strings.Contains(ReadText(all), s)
}

// ReadText is mrkdwn text as a person reads it: each link shows its label.
func ReadText(mrkdwn string) string { return linkRe.ReplaceAllString(mrkdwn, "$2") }

// LinkOf is where the first link labelled label in the view's text leads, "" when there is none.
func (v View) LinkOf(label string) string {
	for _, m := range linkRe.FindAllStringSubmatch(v.AllText(), -1) {
		if m[2] == label {
			return m[1]
		}
	}
	return ""
}

// linkRe finds the links of mrkdwn text: <url|label>.
var linkRe = regexp.MustCompile(`<(https?://[^|>]*)\|([^>]*)>`)

// ActionIDs lists the action_ids of the view's interactive elements.
func (v View) ActionIDs() []string { return blockStrings(v.Blocks, "action_id") }
