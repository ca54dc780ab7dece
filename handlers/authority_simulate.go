package handlers

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

var sinceRe = regexp.MustCompile(`(?i)(^|\s)since\s+(\S+)`)

// simulateAuthority is /baton authority simulate @ana purchase amount<=10000 [since DATE]: Ana's
// past purchase requests replayed against the proposed grant, each under the policy version it was
// filed with. Nothing is stored but the audit event; the answer ends with the command that gives
// the grant. Ana, her managers and admins may run it, as they may see her record.
func (h *Handlers) simulateAuthority(ctx context.Context, r *bot.Request, me Person, text string) error {
	p := h.policyNow(ctx)
	if p == nil {
		return errNoPolicy
	}
	now := h.now()
	since := now.AddDate(0, 0, -baton.MaxRecordDays)
	grantText := text
	if m := sinceRe.FindStringSubmatchIndex(text); m != nil {
		day, err := baton.ParseSince(text[m[4]:m[5]], me.Loc, now)
		if err != nil {
			return err
		}
		since, grantText = day, text[:m[0]]+" "+text[m[1]:]
	}
	grantText, err := h.mentionFirst(ctx, strings.Join(strings.Fields(grantText), " "))
	if err != nil {
		return err
	}
	g, err := baton.ParseGrant(grantText, p, me.Loc, now)
	if err != nil {
		return err
	}
	if g.Reason != "" {
		return baton.Errorf(baton.EInvalid, "I didn't understand %q. A simulation takes a person, a request type, what the grant covers and optionally `since 2026-06-01`, for example `/baton authority simulate @ana purchase amount<=10000`.", clip(g.Reason, 80))
	}
	dir, err := h.directory(ctx, r.TeamID)
	if err != nil {
		return err
	}
	if err := mayViewRecord(me, g.UserID, dir.Managers); err != nil {
		return err
	}
	holder, err := h.people.Get(ctx, g.UserID)
	if err != nil {
		return err
	}
	if err := h.audit(ctx, r.TeamID, me.ID, baton.AuditAuthoritySimulate, g.UserID, text); err != nil {
		return err
	}
	reqs, err := h.records.RequestsFiled(ctx, r.TeamID, g.UserID, g.RequestType, since, now)
	if err != nil {
		return err
	}
	policies, err := h.policiesFiledUnder(ctx, reqs)
	if err != nil {
		return err
	}
	bt := baton.RunBacktest(g, reqs, policies, dir)
	out := backtestText(bt, since.In(me.Loc), md.Code("/baton authority grant "+withHandle(grantText, holder)))
	h.reply(ctx, r, out, slack.NewSectionBlock(mrkdwn(out), nil, nil, slack.SectionBlockOptionBlockID("authority_simulate")))
	return nil
}

// policiesFiledUnder loads the policy of each version reqs were filed under. A version that no
// longer loads is left out: its requests are reported as not replayable.
func (h *Handlers) policiesFiledUnder(ctx context.Context, reqs []baton.RecordRequest) (map[string]*baton.Policy, error) {
	var versions []string
	for _, r := range reqs {
		versions = append(versions, r.PolicyVersion)
	}
	slices.Sort(versions)
	versions = slices.Compact(versions)
	out := make(map[string]*baton.Policy, len(versions))
	if cur := h.policy(); cur != nil && slices.Contains(versions, cur.Version) {
		out[cur.Version] = cur
	}
	var missing []string
	for _, v := range versions {
		if out[v] == nil {
			missing = append(missing, v)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	files, err := h.records.PolicyVersions(ctx, missing)
	if err != nil {
		return nil, err
	}
	for v, yaml := range files {
		p, err := baton.LoadPolicy([]byte(yaml))
		if err != nil {
			h.logger(ctx).WarnContext(ctx, "stored policy version no longer loads", "version", v, "err", err)
			continue
		}
		out[v] = p
	}
	return out, nil
}

// mentionFirst makes the first word of text, when it names a person as a bare @handle (pasted, not
// picked from Slack's menu), a mention of that person.
func (h *Handlers) mentionFirst(ctx context.Context, text string) (string, error) {
	first, rest, _ := strings.Cut(text, " ")
	ref, ok := baton.ParseUserRef(first)
	if !ok || ref.ID != "" {
		return text, nil
	}
	p, err := h.people.Resolve(ctx, ref)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace("<@" + p.ID + "> " + rest), nil
}

// withHandle writes text's leading mention as the person's @handle, so the command can be copied
// and pasted as it is.
func withHandle(text string, p Person) string {
	_, rest, _ := strings.Cut(text, " ")
	who := "@" + p.Handle
	if p.Handle == "" {
		who = "<@" + p.ID + ">"
	}
	return strings.TrimSpace(who + " " + baton.UnescapeSlack(rest))
}

// backtestText says what a proposed grant would have done to the requests it replayed.
func backtestText(bt baton.Backtest, since time.Time, grant md.Text) md.Text {
	g := bt.Grant
	head := md.F(":test_tube: *If %s could approve their own %s*", md.Mention(g.UserID), grantScope(g))
	if bt.Replayed.N == 0 {
		return head + md.F("\n%s filed no %s requests since %s, so there is nothing to replay. Try an earlier day with `since 2026-01-01`.\nNothing was stored. To give it anyway: %s",
			md.Mention(g.UserID), g.RequestType, since.Format("Mon 2 Jan 2006"), grant)
	}
	lines := []md.Text{
		head,
		md.F("Replayed %s since %s, each under the policy it was filed with%s:", plural(bt.Replayed.N, g.RequestType+" request"), since.Format("Mon 2 Jan 2006"), items(bt.Replayed)),
		md.F("• *Approved at once by this grant: %d*%s", bt.AtOnce.N, items(bt.AtOnce)),
	}
	if bt.AtOnce.N > 0 {
		lines = append(lines,
			md.F("    – in fact approved as filed: %d%s", bt.ApprovedUnchanged.N, items(bt.ApprovedUnchanged)),
			md.F("    – approved once filed again after changes: %d%s", bt.ApprovedAfterChanges.N, items(bt.ApprovedAfterChanges)),
			md.F("    – changes asked: %d%s", bt.ChangesAsked.N, items(bt.ChangesAsked)),
			md.F("    – rejected: %d%s", bt.Rejected.N, items(bt.Rejected)),
			md.F("    – cancelled: %d%s · still waiting: %d%s", bt.Cancelled.N, items(bt.Cancelled), bt.Pending.N, items(bt.Pending)))
	}
	lines = append(lines,
		md.F("• Approved at once anyway, by the policy or a grant held then: %d%s", bt.Already.N, items(bt.Already)),
		md.F("• Outside the grant, still to their approvers: %d%s", bt.Routed.N, items(bt.Routed)))
	if bt.Unreplayable.N > 0 {
		reasons := make([]md.Text, len(bt.Why))
		for i, w := range bt.Why {
			reasons[i] = md.Esc(w)
		}
		lines = append(lines, md.F("• Could not be replayed: %d%s — %s", bt.Unreplayable.N, items(bt.Unreplayable), md.Join(reasons, "; ")))
	}
	lines = append(lines, md.F("Nothing was stored. To give it: %s", grant))
	return md.Clip(md.Join(lines, "\n"), 3000)
}
