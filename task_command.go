package baton

import (
	"regexp"
	"strings"
)

// TaskCommandKind says what a /task command asks for.
type TaskCommandKind int

// What /task can be asked to do.
const (
	TaskOpenModal TaskCommandKind = iota
	TaskQuick
	TaskList
	TaskShow
	TaskHistory
	TaskLinkGoal
	TaskHelp
	TaskUnknown
)

// ListScope is which tasks /task list shows.
type ListScope string

// The task lists.
const (
	ListMine      ListScope = "mine"
	ListDelegated ListScope = "delegated"
	ListBlocked   ListScope = "blocked"
	ListOverdue   ListScope = "overdue"
	ListUser      ListScope = "user"
)

// TaskCommand is a parsed /task command.
type TaskCommand struct {
	Kind    TaskCommandKind
	Scope   ListScope // TaskList
	User    UserRef   // TaskList with ListUser
	Number  int64     // TaskShow, TaskHistory, TaskLinkGoal
	Owner   UserRef   // TaskQuick
	Title   string    // TaskQuick
	DueWord string    // TaskQuick: the word after due:, "" when absent
	HasDue  bool      // TaskQuick: a due: token was given
	KRWord  string    // TaskQuick, TaskLinkGoal: the word after kr:, "" when absent
	HasKR   bool      // TaskQuick, TaskLinkGoal: a kr: token was given
	Problem string    // TaskUnknown: what was not understood
}

var taskRefRe = regexp.MustCompile(`^(?i)#?t-(\d{1,18})$`)

// ParseTaskRef reads a short task ID such as T-12 (any case, an optional leading #).
func ParseTaskRef(word string) (int64, bool) { return parseRef(taskRefRe, word) }

// ParseTaskCommand reads the text after /task.
func ParseTaskCommand(text string) TaskCommand {
	words := strings.Fields(text)
	if len(words) == 0 {
		return TaskCommand{Kind: TaskOpenModal}
	}
	first := strings.ToLower(words[0])
	switch {
	case first == "help" || first == "?":
		return TaskCommand{Kind: TaskHelp}
	case first == "list" || first == "ls":
		return parseList(words[1:])
	}
	if n, ok := ParseTaskRef(words[0]); ok {
		switch {
		case len(words) == 1:
			return TaskCommand{Kind: TaskShow, Number: n}
		case len(words) == 2 && strings.EqualFold(words[1], "history"):
			return TaskCommand{Kind: TaskHistory, Number: n}
		case len(words) == 2 && len(words[1]) >= 3 && strings.EqualFold(words[1][:3], "kr:"):
			return TaskCommand{Kind: TaskLinkGoal, Number: n, KRWord: words[1][3:], HasKR: true}
		}
		return TaskCommand{Kind: TaskUnknown, Problem: text}
	}
	if owner, ok := ParseUserRef(words[0]); ok {
		return parseQuick(owner, words[1:])
	}
	return TaskCommand{Kind: TaskUnknown, Problem: text}
}

func parseList(rest []string) TaskCommand {
	if len(rest) == 0 {
		return TaskCommand{Kind: TaskList, Scope: ListMine}
	}
	if len(rest) > 1 {
		return TaskCommand{Kind: TaskUnknown, Problem: "list " + strings.Join(rest, " ")}
	}
	switch w := strings.ToLower(rest[0]); w {
	case "mine", "my":
		return TaskCommand{Kind: TaskList, Scope: ListMine}
	case "delegated":
		return TaskCommand{Kind: TaskList, Scope: ListDelegated}
	case "blocked":
		return TaskCommand{Kind: TaskList, Scope: ListBlocked}
	case "overdue":
		return TaskCommand{Kind: TaskList, Scope: ListOverdue}
	}
	if u, ok := ParseUserRef(rest[0]); ok {
		return TaskCommand{Kind: TaskList, Scope: ListUser, User: u}
	}
	return TaskCommand{Kind: TaskUnknown, Problem: "list " + rest[0]}
}

func parseQuick(owner UserRef, rest []string) TaskCommand {
	c := TaskCommand{Kind: TaskQuick, Owner: owner}
	title := make([]string, 0, len(rest))
	for _, w := range rest {
		if len(w) >= 4 && strings.EqualFold(w[:4], "due:") {
			c.HasDue = true
			c.DueWord = w[4:]
			continue
		}
		if len(w) >= 3 && strings.EqualFold(w[:3], "kr:") {
			c.HasKR = true
			c.KRWord = w[3:]
			continue
		}
		title = append(title, w)
	}
	c.Title = UnescapeSlack(strings.Join(title, " "))
	return c
}
