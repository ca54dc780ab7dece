package handlers

import (
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// recordSurfaces renders a track record and a backtest whose every name and reason is typed text:
// request type and field names come from a policy file, and a simulation repeats what was typed.
func recordSurfaces(typed string) []surface {
	item := baton.RecordItem{Ref: typed, Link: fxLink}
	fig := baton.Figure{N: 2, Items: []baton.RecordItem{item, {Ref: typed, Link: typed}}}
	rec := baton.Record{UserID: fxAlice, Period: baton.RecordPeriod{Label: typed},
		Tasks: baton.TaskRecord{Delegated: fig, Done: fig, DoneWithDue: fig, OnTime: fig, Blocked: fig, Unblocked: fig,
			InStatus: map[baton.Status]time.Duration{baton.StatusTodo: time.Hour}},
		Decisions: baton.DecisionRecord{Recorded: fig, Flagged: fig, Superseded: fig, Flags: 2},
		Requests: []baton.RequestTypeRecord{{Type: typed, Filed: fig, OutcomeFigures: baton.OutcomeFigures{ApprovedAfterChanges: fig, Pending: fig},
			Numbers: []baton.NumberFigure{{Field: typed, N: 2, Median: 3, Largest: 4, At: item}}}},
		Checkins: baton.CheckinRecord{Sent: fig, Seen: fig},
	}
	text, blocks := recordBlocks(rec, nil)
	bt := baton.Backtest{Grant: baton.Grant{UserID: fxAlice, RequestType: typed, Condition: typed, Reason: typed},
		Replayed: fig, AtOnce: fig, OutcomeFigures: baton.OutcomeFigures{Rejected: fig}, Unreplayable: fig, Why: []string{typed}}
	sugText, sugBlocks := suggestionBlocks(baton.Suggestion{ID: 3, UserID: fxAlice, RequestType: typed, Field: typed, Max: 4500,
		Evidence: []baton.RecordItem{item, {Ref: typed}}}, nil)
	return []surface{
		{"track record", blocks}, {"track record's text", text},
		{"suggestion", sugBlocks}, {"suggestion's text", sugText},
		{"grant form", grantForm(fxAlice, typed, typed, typed)},
		{"audit trail", auditText([]baton.AuditEvent{{ActorID: fxBob, Kind: baton.AuditRecordView, SubjectID: fxAlice, Detail: typed, At: fxNow},
			{ActorID: fxBob, Kind: baton.AuditPoliciesSimulate, Detail: typed, At: fxNow}}, "", fxBob)},
		{"backtest", backtestText(bt, fxNow, md.Code("/baton authority grant "+typed))},
		{"empty backtest", backtestText(baton.Backtest{Grant: bt.Grant}, fxNow, md.Code(typed))},
	}
}
