package handlers

import (
	"context"
	"strings"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
)

const recordHelp = "`/baton record @ana [30d|90d|2026-09-01..2026-11-30]` — how the work delegated to someone went: tasks, decisions, requests and check-ins (themselves, their managers and admins)"

// recordCommand is /baton record [@ana] [period]: a person's track record, shown privately to them,
// to their managers and to admins. Every view is an audit event.
func (h *Handlers) recordCommand(ctx context.Context, r *bot.Request, me Person, text string) error {
	subject, period, err := h.recordTarget(ctx, me, text)
	if err != nil {
		return err
	}
	return h.checkAndShowRecord(ctx, r, me, subject, period, text)
}

// recordOf shows the default period of the record of the person userID names, as a dashboard's
// button asks.
func (h *Handlers) recordOf(ctx context.Context, r *bot.Request, me Person, userID, detail string) error {
	subject, err := h.people.Get(ctx, userID)
	if err != nil {
		return err
	}
	period, err := baton.ParseRecordPeriod("", me.Loc, h.now())
	if err != nil {
		return err
	}
	return h.checkAndShowRecord(ctx, r, me, subject, period, detail)
}

// checkAndShowRecord shows subject's record to me if they may see it.
func (h *Handlers) checkAndShowRecord(ctx context.Context, r *bot.Request, me, subject Person, period baton.RecordPeriod, detail string) error {
	dir, err := h.directory(ctx, r.TeamID)
	if err != nil {
		return err
	}
	if err := mayViewRecord(me, subject.ID, dir.Managers); err != nil {
		return err
	}
	return h.showRecord(ctx, r, me, subject, period, detail)
}

// recordTarget reads whose record, and over which period: the person named first (the one asking
// when none is), then the period.
func (h *Handlers) recordTarget(ctx context.Context, me Person, text string) (Person, baton.RecordPeriod, error) {
	text = strings.TrimSpace(text)
	subject := me
	if first, rest, _ := strings.Cut(text, " "); strings.HasPrefix(first, "<@") || strings.HasPrefix(first, "@") {
		ref, ok := baton.ParseUserRef(first)
		if !ok {
			return Person{}, baton.RecordPeriod{}, baton.Errorf(baton.EInvalid, "%q isn't a person. Try %s", clip(baton.UnescapeSlack(first), 40), recordHelp)
		}
		p, err := h.people.Resolve(ctx, ref)
		if err != nil {
			return Person{}, baton.RecordPeriod{}, err
		}
		subject, text = p, strings.TrimSpace(rest)
	}
	period, err := baton.ParseRecordPeriod(baton.UnescapeSlack(text), me.Loc, h.now())
	if err != nil {
		return Person{}, baton.RecordPeriod{}, err
	}
	return subject, period, nil
}

// mayViewRecord lets a person see their own record, and their managers (up the chain) and admins
// see it; anyone else is told who can.
func mayViewRecord(me Person, subject string, managers map[string]string) error {
	if me.IsAdmin || me.ID == subject {
		return nil
	}
	chain := managerChain(managers, subject)
	for _, m := range chain {
		if m == me.ID {
			return nil
		}
	}
	if len(chain) == 0 {
		return baton.Errorf(baton.EForbidden, "Only <@%s> and workspace admins can see <@%s>'s record.", subject, subject)
	}
	return baton.Errorf(baton.EForbidden, "Only <@%s>, their manager <@%s> (and managers above) and workspace admins can see <@%s>'s record.", subject, chain[0], subject)
}

// managerChain is a person's manager, that manager's manager, and so on, each once.
func managerChain(managers map[string]string, user string) []string {
	var chain []string
	seen := map[string]bool{user: true}
	for m := managers[user]; m != "" && !seen[m]; m = managers[m] {
		seen[m] = true
		chain = append(chain, m)
	}
	return chain
}

// showRecord records the view, then builds and shows subject's record.
func (h *Handlers) showRecord(ctx context.Context, r *bot.Request, me Person, subject Person, period baton.RecordPeriod, detail string) error {
	if err := h.audit(ctx, r.TeamID, me.ID, baton.AuditRecordView, subject.ID, detail); err != nil {
		return err
	}
	hist, err := h.records.RecordHistory(ctx, r.TeamID, subject.ID, period.From, period.To)
	if err != nil {
		return err
	}
	p := h.policyNow(ctx)
	rec := baton.BuildRecord(hist, subject.ID, period, h.now(), func(typ string) []string { return numberFields(p, typ) })
	text, blocks := recordBlocks(rec, p)
	h.reply(ctx, r, text, blocks...)
	return nil
}

// numberFields names the number fields of a request type in policy p; none when p has no such type.
func numberFields(p *baton.Policy, typ string) []string {
	if p == nil {
		return nil
	}
	t, ok := p.Type(typ)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range t.Fields {
		if f.Kind == baton.FieldNumber {
			out = append(out, f.Name)
		}
	}
	return out
}
