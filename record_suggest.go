package baton

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Suggestion proposes to a person's manager the authority the record supports: the person's last
// requests of a type, up to a value of a number field, were all approved as filed. It never grants
// anything by itself.
type Suggestion struct {
	ID          int64
	TeamID      string
	UserID      string // whose requests
	ManagerID   string // who is told
	RequestType string
	Field       string
	Max         float64 // the largest value among the evidence: the band is up to it
	Evidence    []RecordItem
	CreatedAt   time.Time
}

// DefaultSuggestAfter is how many requests in a row, approved as filed, make a suggestion.
const DefaultSuggestAfter = 10

// SuggestEvery is how often, at most, one person and request type is suggested.
const SuggestEvery = 30 * 24 * time.Hour

// Condition is the grant's condition as /baton authority grant takes it: `amount<=4500`.
func (s Suggestion) Condition() string {
	return s.Field + "<=" + strconv.FormatFloat(s.Max, 'f', -1, 64)
}

// GrantText is what follows /baton authority grant (or simulate) for this suggestion.
func (s Suggestion) GrantText() string {
	return fmt.Sprintf("<@%s> %s %s", s.UserID, s.RequestType, s.Condition())
}

// SuggestGrant looks at one person's requests of one type (oldest first) for a suggestion: the last
// n of them that went to approvers and were decided (requests approved at once, still pending or
// cancelled by the person do not count) were all approved as filed, and all give a value to one of
// numberFields. The band runs up to the largest of those values.
func SuggestGrant(rs []RecordRequest, numberFields []string, n int) (Suggestion, bool) {
	if n < 1 || len(rs) == 0 {
		return Suggestion{}, false
	}
	outcomes := Outcomes(rs)
	var last []int
	for i := len(rs) - 1; i >= 0 && len(last) < n; i-- {
		r := rs[i]
		if r.AutoApproved || r.Status == ApprovalPending || r.Status == ApprovalCancelled {
			continue
		}
		if outcomes[i] != OutcomeApprovedUnchanged {
			return Suggestion{}, false
		}
		last = append(last, i)
	}
	if len(last) < n {
		return Suggestion{}, false
	}
	for _, f := range numberFields {
		s := Suggestion{UserID: rs[0].RequesterID, RequestType: rs[0].Type, Field: f}
		ok := true
		for j := len(last) - 1; j >= 0 && ok; j-- {
			r := rs[last[j]]
			v, err := strconv.ParseFloat(strings.TrimSpace(r.Values[f]), 64)
			if ok = err == nil; ok {
				s.Max = max(s.Max, v)
				s.Evidence = append(s.Evidence, RecordItem{Ref: RequestRef(r.Number), Link: r.Link})
			}
		}
		if ok {
			return s, true
		}
	}
	return Suggestion{}, false
}
