package baton

import (
	"regexp"
	"strings"
)

// MaxGroupName bounds the length of a group's name.
const MaxGroupName = 40

var typedGroupNameRe = regexp.MustCompile(`^[a-z0-9_-]{1,40}$`)

// GroupName checks a group's name as an admin typed it and returns it in lower case: letters, digits,
// - and _, at most MaxGroupName characters.
func GroupName(s string) (string, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if !typedGroupNameRe.MatchString(name) {
		return "", Errorf(EInvalid, "%q can't be a group name. Use lowercase letters, digits, - and _, at most %d characters, such as `finance` or `it-ops`.", clipName(s), MaxGroupName)
	}
	return name, nil
}

func clipName(s string) string {
	if r := []rune(s); len(r) > MaxGroupName+10 {
		return string(r[:MaxGroupName+10]) + "…"
	}
	return s
}
