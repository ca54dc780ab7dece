package handlers

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// GrantStore keeps grants of delegated authority and their audit trail.
type GrantStore interface {
	CreateGrant(ctx context.Context, g baton.Grant) (baton.Grant, error)
	Grant(ctx context.Context, teamID string, number int64) (baton.Grant, error)
	Grants(ctx context.Context, teamID string) ([]baton.Grant, error)
	ActiveGrants(ctx context.Context, teamID, userID string, now time.Time) ([]baton.Grant, error)
	RevokeGrant(ctx context.Context, teamID string, number int64, revoke func(g *baton.Grant) error) (baton.Grant, error)
	RecordGrantUse(ctx context.Context, grantID int64, actor string, requestNumber int64, at time.Time) error
	RecordGrantExpiries(ctx context.Context, teamID string, now time.Time) (int, error)
}

// errNoPolicy refuses authority where no approval policy is configured.
var errNoPolicy = baton.Errorf(baton.EInvalid, "No request types are configured, so there is no authority to grant. Ask your Baton admin to set BATON_POLICIES to an approval policy file.")

const authorityHelp = "`/baton authority grant @ana purchase amount<=5000 until 2026-12-31 Team budget` — let someone approve their own requests that fall inside a condition (admins and their manager) · `/baton authority simulate @ana purchase amount<=10000 [since 2026-06-01]` — what that grant would have done to their past requests · `/baton authority list [@ana]` · `/baton authority revoke G-3`"

// authorityCommand is /baton authority: grant, list and revoke delegated authority.
func (h *Handlers) authorityCommand(ctx context.Context, r *bot.Request, me Person, text string) error {
	if h.policyNow(ctx) == nil {
		return errNoPolicy
	}
	verb, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(verb) {
	case "grant":
		return h.grantAuthority(ctx, r, me, rest)
	case "list", "":
		return h.listAuthority(ctx, r, me, rest)
	case "revoke":
		return h.revokeAuthority(ctx, r, me, rest)
	case "simulate", "backtest":
		return h.simulateAuthority(ctx, r, me, rest)
	}
	return baton.Errorf(baton.EInvalid, "I don't know `/baton authority %s`. Try %s", clip(baton.UnescapeSlack(verb), 40), authorityHelp)
}

func (h *Handlers) grantAuthority(ctx context.Context, r *bot.Request, me Person, text string) error {
	g, err := h.giveGrant(ctx, r.TeamID, me, text)
	if err != nil {
		return err
	}
	h.reply(ctx, r, grantedText(g))
	return nil
}

// giveGrant gives the grant text describes (as after /baton authority grant), for me: an admin, or
// the holder's manager. The holder is told by DM.
func (h *Handlers) giveGrant(ctx context.Context, teamID string, me Person, text string) (baton.Grant, error) {
	dir, err := h.directory(ctx, teamID)
	if err != nil {
		return baton.Grant{}, err
	}
	managers := dir.Managers
	if !me.IsAdmin && !managesAnyone(managers, me.ID) {
		return baton.Grant{}, baton.Errorf(baton.EForbidden, "Only workspace admins and a person's manager can grant them authority.")
	}
	p := h.policyNow(ctx)
	if p == nil {
		return baton.Grant{}, errNoPolicy
	}
	now := h.now()
	text, err = h.mentionFirst(ctx, text)
	if err != nil {
		return baton.Grant{}, err
	}
	g, err := baton.ParseGrant(text, p, me.Loc, now)
	if err != nil {
		return baton.Grant{}, err
	}
	if !me.IsAdmin && managers[g.UserID] != me.ID {
		return baton.Grant{}, baton.Errorf(baton.EForbidden, "Only workspace admins and %s's manager can grant them authority.", md.Mention(g.UserID))
	}
	holder, err := h.people.Get(ctx, g.UserID)
	if err != nil {
		return baton.Grant{}, err
	}
	switch {
	case holder.Deleted:
		return baton.Grant{}, baton.Errorf(baton.EInvalid, "%s has been deactivated, so they can't hold authority.", md.Mention(holder.ID))
	case holder.IsBot:
		return baton.Grant{}, baton.Errorf(baton.EInvalid, "%s is a bot, and bots can't hold authority. Choose a person.", md.Mention(holder.ID))
	}
	sg := baton.Grant{
		TeamID: teamID, UserID: g.UserID, RequestType: g.RequestType, Condition: g.Condition, Until: g.Until,
		Reason: g.Reason, GrantedBy: me.ID, GrantedAt: now,
	}
	if !g.Until.IsZero() {
		sg.UntilDate = g.Until.In(me.Loc).Format(time.DateOnly)
	}
	stored, err := h.grants.CreateGrant(ctx, sg)
	if err != nil {
		return baton.Grant{}, err
	}
	if stored.UserID != me.ID {
		h.background(ctx, func(ctx context.Context) {
			h.dm(ctx, stored.UserID, msgText(grantedDMText(stored)))
		})
	}
	return stored, nil
}

// grantedText confirms a grant to the person who gave it.
func grantedText(g baton.Grant) md.Text {
	return md.F(":key: %s may now approve their own %s (%s).", md.Mention(g.UserID), grantScope(g), g.Ref())
}

// grantedDMText tells the holder of a grant what it lets them do.
func grantedDMText(g baton.Grant) md.Text {
	return md.F(":key: %s gave you authority (%s): your %s are approved without waiting for anyone.%s",
		md.Mention(g.GrantedBy), g.Ref(), grantScope(g), grantReason(g))
}

// managesAnyone reports whether the workspace's directory (policy file and Slack) names user as someone's manager.
func managesAnyone(managers map[string]string, user string) bool {
	for _, m := range managers {
		if m == user {
			return true
		}
	}
	return false
}

func (h *Handlers) listAuthority(ctx context.Context, r *bot.Request, me Person, text string) error {
	var only string
	if text != "" {
		ref, ok := baton.ParseUserRef(text)
		if !ok {
			return baton.Errorf(baton.EInvalid, "%q isn't a person. List someone's grants with `/baton authority list @ana`.", clip(baton.UnescapeSlack(text), 40))
		}
		p, err := h.people.Resolve(ctx, ref)
		if err != nil {
			return err
		}
		only = p.ID
	}
	now := h.now()
	if _, err := h.grants.RecordGrantExpiries(ctx, r.TeamID, now); err != nil {
		return err
	}
	all, err := h.grants.Grants(ctx, r.TeamID)
	if err != nil {
		return err
	}
	var lines []md.Text
	for _, g := range all {
		if (only != "" && g.UserID != only) || (!me.IsAdmin && g.UserID != me.ID && g.GrantedBy != me.ID) {
			continue
		}
		lines = append(lines, h.grantLine(g, now))
	}
	if len(lines) == 0 {
		h.reply(ctx, r, md.F("No grants of authority to show. Admins and managers grant one with %s", authorityHelp))
		return nil
	}
	out := grantListText(lines, me.IsAdmin)
	h.reply(ctx, r, out, slack.NewSectionBlock(mrkdwn(out), nil, nil, slack.SectionBlockOptionBlockID("authority")))
	return nil
}

// grantListText lists grants of authority, one line each: every grant for an admin, the grants a
// person holds or gave otherwise.
func grantListText(lines []md.Text, all bool) md.Text {
	title := md.F("*Grants of authority* (%d)", len(lines))
	if !all {
		title = md.F("*Grants of authority you hold or gave* (%d)", len(lines))
	}
	return md.Clip(title+"\n"+md.Join(lines, "\n"), 3000)
}

// grantLine is one grant in a list, with where it stands.
func (h *Handlers) grantLine(g baton.Grant, now time.Time) md.Text {
	var state md.Text
	switch {
	case g.Revoked():
		state = md.F("revoked by %s on %s", md.Mention(g.RevokedBy), g.RevokedAt.Format("Mon 2 Jan 2006"))
	case g.Expired(now):
		state = "expired"
	default:
		state = "active"
		if _, err := h.policy().CompileGrant(g); err != nil {
			state += ", but it no longer fits the policy, so it is not used: " + md.Esc(baton.ErrorMessage(err))
		}
	}
	return md.F("• *%s* %s: %s — %s · granted by %s%s", g.Ref(), md.Mention(g.UserID), grantScope(g), state, md.Mention(g.GrantedBy), grantReason(g))
}

func (h *Handlers) revokeAuthority(ctx context.Context, r *bot.Request, me Person, text string) error {
	n, ok := parseGrantRef(text)
	if !ok {
		return baton.Errorf(baton.EInvalid, "Say which grant to revoke, for example `/baton authority revoke G-3`. See them with `/baton authority list`.")
	}
	now := h.now()
	g, err := h.grants.RevokeGrant(ctx, r.TeamID, n, func(g *baton.Grant) error { return g.Revoke(me.ID, me.IsAdmin, now) })
	if err != nil {
		return err
	}
	h.reply(ctx, r, revokedText(g))
	if g.UserID != me.ID {
		h.background(ctx, func(ctx context.Context) {
			h.dm(ctx, g.UserID, msgText(revokedDMText(g)))
		})
	}
	return nil
}

// revokedText confirms a revocation to the person who revoked the grant.
func revokedText(g baton.Grant) md.Text {
	return md.F(":no_entry: %s is revoked: %s's %s go to their approvers again.", g.Ref(), md.Mention(g.UserID), grantScope(g))
}

// revokedDMText tells the holder of a grant that it was revoked.
func revokedDMText(g baton.Grant) md.Text {
	return md.F(":no_entry: %s revoked your authority %s: your %s go to their approvers again.", md.Mention(g.RevokedBy), g.Ref(), grantScope(g))
}

// parseGrantRef reads G-3 (or g3, 3).
func parseGrantRef(s string) (int64, bool) {
	s = strings.TrimSpace(strings.ToUpper(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "G"), "-")
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// grantScope says what a grant covers: "purchase requests when amount ≤ 5000, until Thu 31 Dec 2026".
func grantScope(g baton.Grant) md.Text {
	s := md.F("%s requests when %s", g.RequestType, conditionWords.Replace(g.Condition))
	if day, err := time.Parse(time.DateOnly, g.UntilDate); err == nil {
		s += md.F(", until %s", day.Format("Mon 2 Jan 2006"))
	}
	return s
}

var conditionWords = strings.NewReplacer(" <= ", " ≤ ", " >= ", " ≥ ", " != ", " ≠ ", " == ", " = ", " && ", " and ")

func grantReason(g baton.Grant) md.Text {
	if g.Reason == "" {
		return ""
	}
	return " · " + md.Esc(g.Reason)
}

// requesterGrants loads a requester's active grants for routing, compiled against policy p. One that
// no longer compiles is passed on uncompiled: the route skips it and notes why.
func (h *Handlers) requesterGrants(ctx context.Context, p *baton.Policy, teamID, requester string, now time.Time) ([]baton.Grant, error) {
	stored, err := h.grants.ActiveGrants(ctx, teamID, requester, now)
	if err != nil {
		return nil, err
	}
	grants := make([]baton.Grant, len(stored))
	for i, sg := range stored {
		g, err := p.CompileGrant(sg)
		if err != nil {
			h.logger(ctx).WarnContext(ctx, "grant no longer fits the policy", "grant", sg.Ref(), "err", err)
			g = sg
		}
		grants[i] = g
	}
	return grants, nil
}
