package baton

import (
	"regexp"
	"strconv"
	"strings"
)

// parseRef reads a short ID whose number is re's first group: a positive number of at most 18 digits.
func parseRef(re *regexp.Regexp, word string) (int64, bool) {
	m := re.FindStringSubmatch(strings.TrimSpace(word))
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}
