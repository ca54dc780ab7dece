package baton

import (
	"regexp"
	"strings"
	"unicode"
)

// UserRef is a person named in a command: a Slack mention (<@U123> or <@U123|name>) gives an ID,
// a bare @name gives only a name to look up.
type UserRef struct {
	ID   string
	Name string
}

var (
	mentionRe = regexp.MustCompile(`^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$`)
	bareAtRe  = regexp.MustCompile(`^@([\p{L}\p{N}._\-]+)$`)
)

// ParseUserRef reads one word as a person: <@U123>, <@U123|name> or @name.
func ParseUserRef(word string) (UserRef, bool) {
	if m := mentionRe.FindStringSubmatch(word); m != nil {
		return UserRef{ID: m[1], Name: m[2]}, true
	}
	if m := bareAtRe.FindStringSubmatch(word); m != nil {
		return UserRef{Name: m[1]}, true
	}
	return UserRef{}, false
}

// UnescapeSlack turns Slack's escaped command text (&amp; &lt; &gt;) back into what the person typed.
func UnescapeSlack(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// cutWord splits off the first whitespace-separated word of s; rest keeps the text after it as typed.
func cutWord(s string) (word, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}
