package handlers

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// PolicyStore keeps every policy file loaded, and which version is in force for every process.
type PolicyStore interface {
	PolicyInForce(ctx context.Context) (version, yaml string, found bool, err error)
	PolicyVersionInForce(ctx context.Context) (version string, found bool, err error)
	SavePolicyVersion(ctx context.Context, version, yaml string, at time.Time) error
}

// PolicyLoader reads the approval policy file again: the loaded policy and the file's bytes, or an
// error whose text says what is wrong with the file.
type PolicyLoader func() (*baton.Policy, []byte, error)

// activePolicy is the approval policy in force and when this process loaded it.
type activePolicy struct {
	policy   *baton.Policy
	loadedAt time.Time
}

// policyHolder keeps the policy in force. Readers take it without locking; reloads are one at a time,
// so the versions stored and the one in force never disagree.
type policyHolder struct {
	cur    atomic.Pointer[activePolicy]
	reload sync.Mutex
	load   PolicyLoader // nil: no policy file is configured
}

// policy is the approval policy in force; nil when none is configured. A handler reads it once and
// works with that value, so a reload in the middle of a request doesn't mix two policies.
func (h *Handlers) policy() *baton.Policy {
	if a := h.policies.cur.Load(); a != nil {
		return a.policy
	}
	return nil
}

// PolicyReload says what a reload did.
type PolicyReload struct {
	Policy   *baton.Policy // in force after the reload
	Previous *baton.Policy // in force before it; nil when there was none
	LoadedAt time.Time     // when the policy in force was loaded
	Changed  bool          // the file's content differs from the policy that was in force
}

// ReloadPolicy reads the policy file again. A good file whose content changed is recorded as a new
// version and is in force at once; requests already filed keep the version and route they were filed
// with. A bad file is refused with what is wrong, and the policy in force stays.
func (h *Handlers) ReloadPolicy(ctx context.Context) (PolicyReload, error) {
	ph := &h.policies
	if ph.load == nil {
		return PolicyReload{}, baton.Errorf(baton.EInvalid, "No approval policy file is configured, so there is nothing to reload. Set BATON_POLICIES to the file and restart Baton.")
	}
	ph.reload.Lock()
	defer ph.reload.Unlock()
	prev := ph.cur.Load()
	out := PolicyReload{}
	if prev != nil {
		out.Previous, out.Policy, out.LoadedAt = prev.policy, prev.policy, prev.loadedAt
	}
	p, data, err := ph.load()
	if err != nil {
		if baton.ErrorMessage(err) != "" {
			return out, err
		}
		return out, baton.Errorf(baton.EInvalid, "%s", err.Error())
	}
	if prev != nil && prev.policy.Version == p.Version {
		// Unchanged here; it is still put in force again for every process, which may have followed another.
		if err := h.policyVersions.SavePolicyVersion(ctx, p.Version, string(data), h.now()); err != nil {
			return out, fmt.Errorf("record the approval policy: %w", err)
		}
		return out, nil
	}
	now := h.now()
	if err := h.policyVersions.SavePolicyVersion(ctx, p.Version, string(data), now); err != nil {
		return out, fmt.Errorf("record the approval policy: %w", err)
	}
	ph.cur.Store(&activePolicy{policy: p, loadedAt: now})
	out.Policy, out.LoadedAt, out.Changed = p, now, true
	return out, nil
}

// FollowPolicy puts in force the policy version another bot process put in force last (by its start
// or a reload), read from Postgres, so that every process routes by the same rules. It reports
// whether the policy in force changed. Asking costs one small read; the file is read only when the
// version in force is not the one this process has.
func (h *Handlers) FollowPolicy(ctx context.Context) (bool, error) {
	ph := &h.policies
	if ph.load == nil {
		return false, nil
	}
	version, found, err := h.policyVersions.PolicyVersionInForce(ctx)
	if err != nil || !found {
		return false, err
	}
	if cur := ph.cur.Load(); cur != nil && cur.policy.Version == version {
		return false, nil
	}
	ph.reload.Lock()
	defer ph.reload.Unlock()
	version, data, found, err := h.policyVersions.PolicyInForce(ctx)
	if err != nil || !found {
		return false, err
	}
	if cur := ph.cur.Load(); cur != nil && cur.policy.Version == version {
		return false, nil
	}
	p, err := baton.LoadPolicy([]byte(data))
	if err != nil {
		return false, fmt.Errorf("the policy version %s in force can't be loaded here: %w", shortVersion(version), err)
	}
	ph.cur.Store(&activePolicy{policy: p, loadedAt: h.now()})
	return true, nil
}

// policyNow is the approval policy in force, for a handler about to route, grant or show by it: a
// version another process put in force (an admin's reload there) is followed first, so a reload
// holds in every process at once. When Postgres can't say, the policy this process has is used.
func (h *Handlers) policyNow(ctx context.Context) *baton.Policy {
	if _, err := h.FollowPolicy(ctx); err != nil {
		h.logger(ctx).WarnContext(ctx, "approval policy in force not followed; using the one this process has", "err", err)
	}
	return h.policy()
}

// policiesCommand is /baton policies: the policy in force, and simulate and reload for admins.
func (h *Handlers) policiesCommand(ctx context.Context, r *bot.Request, me Person, text string) error {
	switch strings.ToLower(strings.TrimSpace(text)) {
	case "", "show", "list":
		h.showPolicy(ctx, r)
		return nil
	case "reload":
		if !me.IsAdmin {
			return baton.Errorf(baton.EForbidden, "Only workspace admins can reload the approval policy. Ask one of them once the file is updated.")
		}
		res, err := h.ReloadPolicy(ctx)
		if msg := baton.ErrorMessage(err); msg != "" && res.Policy != nil {
			return baton.Errorf(baton.EInvalid, "The policy file was not loaded, so version `%s` stays in force. Fix the file and reload again.\n%s", shortVersion(res.Policy.Version), msg)
		}
		if err != nil {
			return err
		}
		h.reply(ctx, r, reloadText(res))
		return nil
	case "simulate":
		return h.simulatePolicy(ctx, r, me, text)
	}
	return baton.Errorf(baton.EInvalid, "I don't know `/baton policies %s`. Try `/baton policies`, `/baton policies simulate` or `/baton policies reload`.", clip(baton.UnescapeSlack(text), 40))
}

func (h *Handlers) showPolicy(ctx context.Context, r *bot.Request) {
	h.policyNow(ctx)
	a := h.policies.cur.Load()
	if a == nil {
		h.reply(ctx, r, noPolicyText)
		return
	}
	text := md.Clip(policyText(a.policy, a.loadedAt), 3000)
	h.reply(ctx, r, text, slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("policy")))
}

// policyText describes the policy in force: its version, when it was loaded and its request types.
func policyText(p *baton.Policy, loadedAt time.Time) md.Text {
	lines := []md.Text{md.F("*Approval policy in force*: version `%s`, loaded %s", shortVersion(p.Version), md.Date(loadedAt, "{date_short_pretty} at {time}"))}
	for _, t := range p.Types {
		branches := fmt.Sprintf("%d branches", len(t.Branches))
		if len(t.Branches) == 1 {
			branches = "1 branch"
		}
		lines = append(lines, md.F("• `%s` — %s (%s)", t.Name, t.Title, branches))
	}
	lines = append(lines, "Admins see what an edited file would change with `/baton policies simulate`, then put it in force with `/baton policies reload`.")
	return md.Join(lines, "\n")
}

func reloadText(res PolicyReload) md.Text {
	if !res.Changed {
		return md.F(":information_source: The policy file hasn't changed: version `%s`, loaded %s, stays in force.", shortVersion(res.Policy.Version), md.Date(res.LoadedAt, "{date_short_pretty} at {time}"))
	}
	var was md.Text
	if res.Previous != nil {
		was = md.F(" (was `%s`)", shortVersion(res.Previous.Version))
	}
	return md.F(":white_check_mark: Version `%s` of the approval policy is in force now%s, with request types %s. Requests already filed keep the version and route they were filed with.",
		shortVersion(res.Policy.Version), was, "`"+strings.Join(res.Policy.TypeNames(), "`, `")+"`")
}

// shortVersion is the start of a policy version, enough to tell versions apart.
func shortVersion(v string) string { return v[:min(len(v), 12)] }
