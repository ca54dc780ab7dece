package baton

import (
	"regexp"
	"strings"
)

// DecisionCommandKind says what a /decision command asks for.
type DecisionCommandKind int

// What /decision can be asked to do.
const (
	DecisionOpenModal DecisionCommandKind = iota
	DecisionShow
	DecisionHistory
	DecisionList
	DecisionHelp
	DecisionUnknown
)

// DecisionCommand is a parsed /decision command.
type DecisionCommand struct {
	Kind    DecisionCommandKind
	Number  int64   // DecisionShow, DecisionHistory
	Task    int64   // DecisionList by task
	KR      int64   // DecisionList by key result
	User    UserRef // DecisionList by person
	Words   string  // DecisionList by words
	Problem string  // DecisionUnknown: what was not understood
}

var decisionRefRe = regexp.MustCompile(`^(?i)#?d-(\d{1,18})$`)

// ParseDecisionRef reads a short decision ID such as D-4 (any case, an optional leading #).
func ParseDecisionRef(word string) (int64, bool) { return parseRef(decisionRefRe, word) }

// ParseDecisionCommand reads the text after /decision: nothing (the form), D-4, D-4 history,
// list [task T-12 | KR-7 | @person | words…], or help.
func ParseDecisionCommand(text string) DecisionCommand {
	words := strings.Fields(text)
	if len(words) == 0 {
		return DecisionCommand{Kind: DecisionOpenModal}
	}
	first := strings.ToLower(words[0])
	switch {
	case first == "help" || first == "?":
		if len(words) == 1 {
			return DecisionCommand{Kind: DecisionHelp}
		}
	case first == "list" || first == "ls" || first == "search" || first == "find":
		return parseDecisionList(words[1:])
	}
	if n, ok := ParseDecisionRef(words[0]); ok {
		switch {
		case len(words) == 1:
			return DecisionCommand{Kind: DecisionShow, Number: n}
		case len(words) == 2 && strings.EqualFold(words[1], "history"):
			return DecisionCommand{Kind: DecisionHistory, Number: n}
		}
	}
	return DecisionCommand{Kind: DecisionUnknown, Problem: strings.Join(words, " ")}
}

func parseDecisionList(rest []string) DecisionCommand {
	list := DecisionCommand{Kind: DecisionList}
	if len(rest) == 0 {
		return list
	}
	if len(rest) == 2 {
		switch strings.ToLower(rest[0]) {
		case "task":
			if n, ok := ParseTaskRef(rest[1]); ok {
				list.Task = n
				return list
			}
			return DecisionCommand{Kind: DecisionUnknown, Problem: "list " + strings.Join(rest, " ")}
		case "kr":
			if n, ok := ParseKRRef(rest[1]); ok {
				list.KR = n
				return list
			}
			return DecisionCommand{Kind: DecisionUnknown, Problem: "list " + strings.Join(rest, " ")}
		}
	}
	if len(rest) == 1 {
		if n, ok := ParseTaskRef(rest[0]); ok {
			list.Task = n
			return list
		}
		if n, ok := ParseKRRef(rest[0]); ok {
			list.KR = n
			return list
		}
		if u, ok := ParseUserRef(rest[0]); ok {
			list.User = u
			return list
		}
	}
	list.Words = UnescapeSlack(strings.Join(rest, " "))
	return list
}
