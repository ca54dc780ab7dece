package baton

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Period is the stretch of time an objective is for: a year (2026), a half (2026-H2) or a quarter (2026-Q4).
type Period struct {
	Year    int
	Half    int // 1 or 2 for a half, else 0
	Quarter int // 1 to 4 for a quarter, else 0
}

var periodRe = regexp.MustCompile(`^(?i)(\d{4})(?:-?(q[1-4]|h[12]))?$`)

// ParsePeriod reads a period as typed: 2026-Q4, 2026q4, 2026-H2 or 2026.
func ParsePeriod(s string) (Period, error) {
	m := periodRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Period{}, Errorf(EInvalid, "`%s` is not a period. Write a quarter like `2026-Q4`, a half like `2026-H2`, or a year like `2026`.", clipWord(s))
	}
	y, _ := strconv.Atoi(m[1])
	if y < 2000 || y > 2199 {
		return Period{}, Errorf(EInvalid, "%d is too far off. Give a period between 2000 and 2199, like `2026-Q4`.", y)
	}
	p := Period{Year: y}
	if m[2] != "" {
		n := int(m[2][1] - '0')
		if m[2][0] == 'q' || m[2][0] == 'Q' {
			p.Quarter = n
		} else {
			p.Half = n
		}
	}
	return p, nil
}

func (p Period) String() string {
	switch {
	case p.Quarter != 0:
		return strconv.Itoa(p.Year) + "-Q" + strconv.Itoa(p.Quarter)
	case p.Half != 0:
		return strconv.Itoa(p.Year) + "-H" + strconv.Itoa(p.Half)
	}
	return strconv.Itoa(p.Year)
}

// CurrentQuarter is the quarter a moment falls in, read in loc.
func CurrentQuarter(now time.Time, loc *time.Location) Period {
	t := now.In(loc)
	return Period{Year: t.Year(), Quarter: (int(t.Month())-1)/3 + 1}
}

// Covering lists the periods that contain this one, itself first: 2026-Q4, 2026-H2, 2026.
func (p Period) Covering() []string {
	out := []string{p.String()}
	if p.Quarter != 0 {
		out = append(out, Period{Year: p.Year, Half: (p.Quarter + 1) / 2}.String())
	}
	if p.Quarter != 0 || p.Half != 0 {
		out = append(out, Period{Year: p.Year}.String())
	}
	return out
}

// OKRCommandKind says what an /okr command asks for.
type OKRCommandKind int

// What /okr can be asked to do.
const (
	OKRTree OKRCommandKind = iota
	OKRNewObjective
	OKRNewKR
	OKRUpdate
	OKRShowObjective
	OKRShowKR
	OKREditKR
	OKRSetParent
	OKRSetStatus
	OKRList
	OKRHelp
	OKRUnknown
)

// OKRCommand is a parsed /okr command.
type OKRCommand struct {
	Kind    OKRCommandKind
	Number  int64           // OKRNewKR, OKRShowObjective, OKRSetParent: the objective; OKRUpdate, OKRShowKR, OKREditKR: the key result
	Parent  int64           // OKRSetParent: the new parent objective, 0 for none
	Status  ObjectiveStatus // OKRSetStatus
	Value   float64         // OKRUpdate
	Comment string          // OKRUpdate
	User    UserRef         // OKRList: whose; empty for the person asking
	Period  string          // OKRTree: the period asked for, "" for the current one
	Problem string          // OKRUnknown: what was not understood
}

var (
	objectiveRefRe = regexp.MustCompile(`^(?i)#?o-(\d{1,18})$`)
	krRefRe        = regexp.MustCompile(`^(?i)#?kr-(\d{1,18})$`)
)

// ParseObjectiveRef reads a short objective ID such as O-3 (any case, an optional leading #).
func ParseObjectiveRef(word string) (int64, bool) { return parseRef(objectiveRefRe, word) }

// ParseKRRef reads a short key result ID such as KR-7 (any case, an optional leading #).
func ParseKRRef(word string) (int64, bool) { return parseRef(krRefRe, word) }

// ParseOKRCommand reads the text after /okr. Words it does not know give OKRUnknown; a known command
// with a wrong argument (a value that is not a number, a missing ID) gives an error saying what to type.
func ParseOKRCommand(text string) (OKRCommand, error) {
	text = UnescapeSlack(text)
	words := strings.Fields(text)
	if len(words) == 0 {
		return OKRCommand{Kind: OKRTree}, nil
	}
	first := strings.ToLower(words[0])
	rest := words[1:]
	switch first {
	case "help", "?":
		if len(rest) == 0 {
			return OKRCommand{Kind: OKRHelp}, nil
		}
	case "new":
		if len(rest) == 0 {
			return OKRCommand{Kind: OKRNewObjective}, nil
		}
	case "kr":
		return parseNewKR(rest)
	case "update", "checkin", "check-in":
		return parseUpdate(rest)
	case "list", "ls":
		return parseOKRList(rest)
	}
	if n, ok := ParseObjectiveRef(words[0]); ok {
		switch {
		case len(rest) == 0:
			return OKRCommand{Kind: OKRShowObjective, Number: n}, nil
		case strings.EqualFold(rest[0], "parent"):
			return parseSetParent(n, rest[1:])
		case strings.EqualFold(rest[0], "status"):
			return parseSetStatus(n, rest[1:])
		}
	}
	if n, ok := ParseKRRef(words[0]); ok {
		switch {
		case len(rest) == 0:
			return OKRCommand{Kind: OKRShowKR, Number: n}, nil
		case len(rest) == 1 && strings.EqualFold(rest[0], "edit"):
			return OKRCommand{Kind: OKREditKR, Number: n}, nil
		}
	}
	if p, err := ParsePeriod(words[0]); err == nil && len(rest) == 0 {
		return OKRCommand{Kind: OKRTree, Period: p.String()}, nil
	}
	return OKRCommand{Kind: OKRUnknown, Problem: strings.Join(words, " ")}, nil
}

func parseNewKR(rest []string) (OKRCommand, error) {
	if len(rest) != 1 {
		return OKRCommand{}, Errorf(EInvalid, "Say which objective the key result is for: `/okr kr O-3`.")
	}
	n, ok := ParseObjectiveRef(rest[0])
	if !ok {
		return OKRCommand{}, Errorf(EInvalid, "`%s` is not an objective. Write its short ID, like `/okr kr O-3`; `/okr` lists them.", clipWord(rest[0]))
	}
	return OKRCommand{Kind: OKRNewKR, Number: n}, nil
}

func parseSetParent(n int64, rest []string) (OKRCommand, error) {
	if len(rest) == 1 && strings.EqualFold(rest[0], "none") {
		return OKRCommand{Kind: OKRSetParent, Number: n}, nil
	}
	if len(rest) == 1 {
		if p, ok := ParseObjectiveRef(rest[0]); ok {
			return OKRCommand{Kind: OKRSetParent, Number: n, Parent: p}, nil
		}
	}
	return OKRCommand{}, Errorf(EInvalid, "Say which objective %s serves: `/okr %s parent O-1`, or `/okr %s parent none`.", ObjectiveRef(n), ObjectiveRef(n), ObjectiveRef(n))
}

func parseSetStatus(n int64, rest []string) (OKRCommand, error) {
	if len(rest) == 1 {
		if s, err := ParseObjectiveStatus(rest[0]); err == nil {
			return OKRCommand{Kind: OKRSetStatus, Number: n, Status: s}, nil
		}
	}
	return OKRCommand{}, Errorf(EInvalid, "Say where %s stands: `/okr %s status active`, `achieved` or `dropped`.", ObjectiveRef(n), ObjectiveRef(n))
}

func parseUpdate(rest []string) (OKRCommand, error) {
	if len(rest) < 2 {
		return OKRCommand{}, Errorf(EInvalid, "Give the key result and its new value: `/okr update KR-7 42 optional comment`.")
	}
	n, ok := ParseKRRef(rest[0])
	if !ok {
		return OKRCommand{}, Errorf(EInvalid, "`%s` is not a key result. Write its short ID, like `/okr update KR-7 42`.", clipWord(rest[0]))
	}
	v, err := ParseOKRNumber(rest[1])
	if err != nil {
		return OKRCommand{}, Errorf(EInvalid, "`%s` is not a number, so %s was not updated. Give the new value like `/okr update %s 42 optional comment`.",
			clipWord(rest[1]), KRRef(n), KRRef(n))
	}
	return OKRCommand{Kind: OKRUpdate, Number: n, Value: v, Comment: strings.Join(rest[2:], " ")}, nil
}

func parseOKRList(rest []string) (OKRCommand, error) {
	if len(rest) == 0 {
		return OKRCommand{Kind: OKRList}, nil
	}
	if len(rest) != 1 {
		return OKRCommand{}, Errorf(EInvalid, "Say whose objectives and key results to list: `/okr list @person`.")
	}
	u, ok := ParseUserRef(rest[0])
	if !ok {
		return OKRCommand{}, Errorf(EInvalid, "`%s` is not a person. Mention them: `/okr list @person`.", clipWord(rest[0]))
	}
	return OKRCommand{Kind: OKRList, User: u}, nil
}
