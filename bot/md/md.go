// Package md builds Slack mrkdwn, the text of every message, Home and modal section Baton sends.
//
// A Text is mrkdwn that is safe to send: anything that is not a Text (a title a person typed, a
// name from Slack, a number) enters it escaped, so it is shown as typed and never becomes a
// mention, a @here or @channel ping, a user-group ping or a disguised link. The only markup in a
// Text is what the constructors of this package make: Mention, Channel, Date and Link. The
// formatting characters of mrkdwn (*bold*, _italic_, `code`) stay as they are.
//
// A Text comes from a string constant ("*Owner*"), from F (a constant format whose arguments are
// escaped unless they are Texts), or from the constructors below. A test of the module refuses
// any other conversion of a string to Text.
package md

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Text is mrkdwn made only of escaped text and markup this package built.
type Text string

func (t Text) String() string { return string(t) }

// Len is the length of t in characters, as Slack counts its limits.
func (t Text) Len() int { return utf8.RuneCountInString(string(t)) }

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Esc makes any text safe inside mrkdwn: Slack reads &, < and > as markup.
func Esc(s string) Text { return Text(escaper.Replace(s)) }

// F formats like fmt.Sprintf. The format must be a constant; each argument that is a Text is
// inserted as it is, and every other argument is formatted with its verb and then escaped.
func F(format string, args ...any) Text {
	wrapped := make([]any, len(args))
	for i, a := range args {
		if t, ok := a.(Text); ok {
			wrapped[i] = whole(t)
			continue
		}
		wrapped[i] = escaped{a}
	}
	return Text(fmt.Sprintf(format, wrapped...))
}

// whole formats a Text as it is, whatever the verb's width or precision: cut, it could leave
// markup open.
type whole Text

func (w whole) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(w)) }

// escaped formats a value with the verb it was given, then escapes the result.
type escaped struct{ v any }

func (e escaped) Format(f fmt.State, verb rune) {
	_, _ = f.Write([]byte(escaper.Replace(fmt.Sprintf(fmt.FormatString(f, verb), e.v))))
}

var (
	userIDRe    = regexp.MustCompile(`^[UW][A-Z0-9]{1,20}$`)
	channelIDRe = regexp.MustCompile(`^[CGD][A-Z0-9]{1,20}$`)
	mentionRe   = regexp.MustCompile(`<@([UW][A-Z0-9]{1,20})(?:\|[^<>]{0,80})?>`)
)

// Mention is a Slack mention of one person. Anything that is not a user ID is shown as text.
func Mention(userID string) Text {
	if !userIDRe.MatchString(userID) {
		return Esc("@" + userID)
	}
	return Text("<@" + userID + ">")
}

// Channel is a link to a conversation. Anything that is not a conversation ID is shown as text.
func Channel(id string) Text {
	if !channelIDRe.MatchString(id) {
		return Esc("#" + id)
	}
	return Text("<#" + id + ">")
}

var dateFormatRe = regexp.MustCompile(`^[a-z_{} ]*$`)

// Date is a moment that each viewer's Slack client shows in their own time zone, with format
// made of Slack's date tokens ("{date_short_pretty} at {time}"). Clients that cannot show it
// read the UTC fallback.
func Date(t time.Time, format string) Text {
	fallback := t.UTC().Format("Mon 2 Jan 2006 15:04 UTC")
	if !dateFormatRe.MatchString(format) || format == "" {
		return Esc(fallback)
	}
	return Text("<!date^" + strconv.FormatInt(t.Unix(), 10) + "^" + format + "|" + fallback + ">")
}

var linkURLRe = regexp.MustCompile(`^https?://[^\s<>|]+$`)

// Link shows label and opens url. A url that is not a plain http(s) address is not linked: the
// label is shown alone.
func Link(url string, label Text) Text {
	if !linkURLRe.MatchString(url) {
		return label
	}
	return Text("<" + escaper.Replace(url) + "|" + string(label) + ">")
}

// Code is s in a code span.
func Code(s string) Text { return Text("`" + strings.ReplaceAll(escaper.Replace(s), "`", "'") + "`") }

// WithMentions is a person's text made safe, keeping the mentions of people in it (<@U123> or
// <@U123|name>) as mentions: for the text of a decision, where mentioning someone flags it to them.
// Nothing else becomes markup.
func WithMentions(s string) Text {
	var b strings.Builder
	last := 0
	for _, m := range mentionRe.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(escaper.Replace(s[last:m[0]]))
		b.WriteString(string(Mention(s[m[2]:m[3]])))
		last = m[1]
	}
	b.WriteString(escaper.Replace(s[last:]))
	return Text(b.String())
}

// Join concatenates parts with sep between them.
func Join(parts []Text, sep Text) Text {
	ss := make([]string, len(parts))
	for i, p := range parts {
		ss[i] = string(p)
	}
	return Text(strings.Join(ss, string(sep)))
}

// Replace replaces old by new in the text of t, never inside its markup or its escapes. old is
// matched against the text as sent (escaped); new is escaped.
func Replace(t Text, old, new string) Text { return replace(t, old, escaper.Replace(new)) }

// Quote sets t as a block quote, every line of it.
func Quote(t Text) Text { return "> " + replace(t, "\n", "\n> ") }

func replace(t Text, old, new string) Text {
	if old == "" {
		return t
	}
	var b strings.Builder
	for _, p := range pieces(t) {
		if p.atomic {
			b.WriteString(p.s)
			continue
		}
		b.WriteString(strings.ReplaceAll(p.s, old, new))
	}
	return Text(b.String())
}

// Clip shortens t to at most n characters, ending with an ellipsis when cut. It cuts between
// characters, never inside a mention, a date, a link or an escape.
func Clip(t Text, n int) Text {
	if t.Len() <= n {
		return t
	}
	if n < 1 {
		return ""
	}
	var b strings.Builder
	room := n - 1
	for _, p := range pieces(t) {
		l := utf8.RuneCountInString(p.s)
		if l <= room {
			b.WriteString(p.s)
			room -= l
			continue
		}
		if !p.atomic {
			r := []rune(p.s)
			b.WriteString(string(r[:room]))
		}
		break
	}
	return Text(b.String() + "…")
}

// piece is a run of plain characters, or one unit that must stay whole (markup or an escape).
type piece struct {
	s      string
	atomic bool
}

// pieces splits t into plain runs and whole units. In a Text, every < opens markup that the
// next > closes, and every & opens an escape that the next ; closes.
func pieces(t Text) []piece {
	s := string(t)
	var out []piece
	for s != "" {
		i := strings.IndexAny(s, "<&")
		if i < 0 {
			out = append(out, piece{s: s})
			break
		}
		if i > 0 {
			out = append(out, piece{s: s[:i]})
		}
		closer := byte('>')
		if s[i] == '&' {
			closer = ';'
		}
		end := strings.IndexByte(s[i:], closer)
		if end < 0 {
			out = append(out, piece{s: s[i:], atomic: true})
			break
		}
		out = append(out, piece{s: s[i : i+end+1], atomic: true})
		s = s[i+end+1:]
	}
	return out
}

// Markup lists the pieces of markup in mrkdwn text as Slack reads them: every <…>.
func Markup[S ~string](text S) []string {
	var out []string
	s := string(text)
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return out
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			return append(out, s[i:])
		}
		out = append(out, s[i:i+end+1])
		s = s[i+end+1:]
	}
}

// MrkdwnTexts lists the text of every text object Slack reads as mrkdwn in v: Block Kit (blocks,
// a view, a message) as encoding/json decodes it into any.
func MrkdwnTexts(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if text, ok := v["text"].(string); ok && v["type"] == "mrkdwn" {
				out = append(out, text)
			}
			for _, child := range v {
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(v)
	return out
}
