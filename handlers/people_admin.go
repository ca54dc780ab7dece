package handlers

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// PeopleStore keeps what admins changed in Slack about groups and managers, over the policy file.
type PeopleStore interface {
	AddGroupMembers(ctx context.Context, teamID, group string, userIDs, file []string, by string, at time.Time) ([]string, error)
	RemoveGroupMembers(ctx context.Context, teamID, group string, userIDs, file []string, by string, at time.Time) ([]string, error)
	Groups(ctx context.Context, teamID string) (map[string]baton.GroupEdits, error)
	SetManager(ctx context.Context, teamID, userID, managerID string, base map[string]string, by string, at time.Time) error
	ClearManager(ctx context.Context, teamID, userID string) (bool, error)
	Managers(ctx context.Context, teamID string) (map[string]string, error)
	PeopleEdits(ctx context.Context, teamID string) (baton.PeopleEdits, error)
}

const peopleHelp = "`/baton group add finance @ana @bo` · `/baton group remove finance @ana` · `/baton group list [finance]` · " +
	"`/baton manager @ana @bo` — Bo is Ana's manager · `/baton manager @ana off` · `/baton manager list` — the groups and managers approvals are routed to (admins change them)"

// directory is the people data requests are routed by: the policy file's groups and managers with the
// changes admins made in Slack. People added in Slack join a file's group and people taken out leave
// it; a manager set in Slack replaces the file's.
func (h *Handlers) directory(ctx context.Context, teamID string) (baton.Directory, error) {
	edits, err := h.org.PeopleEdits(ctx, teamID)
	if err != nil {
		return baton.Directory{}, err
	}
	return h.policyDirectory().Apply(edits), nil
}

// policyDirectory is the people data the policy file declares; empty without a policy.
func (h *Handlers) policyDirectory() baton.Directory {
	p := h.policy()
	if p == nil {
		return baton.Directory{}
	}
	return p.Directory()
}

// peopleCommand is /baton group … and /baton manager …: the people data approval routing needs.
func (h *Handlers) peopleCommand(ctx context.Context, r *bot.Request, me Person, verb, text string) error {
	// The groups and managers the policy file declares are those of the version in force now.
	h.policyNow(ctx)
	if strings.HasPrefix(verb, "group") {
		return h.groupCommand(ctx, r, me, text)
	}
	return h.managerCommand(ctx, r, me, text)
}

func (h *Handlers) groupCommand(ctx context.Context, r *bot.Request, me Person, text string) error {
	verb, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
	verb = strings.ToLower(verb)
	switch verb {
	case "", "list":
		return h.listGroups(ctx, r, strings.TrimSpace(rest))
	case "add", "remove":
	default:
		return baton.Errorf(baton.EInvalid, "I don't know `/baton group %s`. Try `/baton group add finance @ana @bo`, `/baton group remove finance @ana` or `/baton group list`.", clip(verb, 40))
	}
	if !me.IsAdmin {
		return baton.Errorf(baton.EForbidden, "Only workspace admins can change who is in a group. Ask one of them.")
	}
	name, list, _ := strings.Cut(strings.TrimSpace(rest), " ")
	if name == "" || strings.TrimSpace(list) == "" {
		return baton.Errorf(baton.EInvalid, "Say which group and who: `/baton group %s finance @ana`.", verb)
	}
	group, err := baton.GroupName(name)
	if err != nil {
		return err
	}
	file := h.policyDirectory().Groups[group]
	if verb == "remove" {
		return h.removeFromGroup(ctx, r, me, group, list, file)
	}
	people, err := h.mentionedPeople(ctx, list, "be in a group")
	if err != nil {
		return err
	}
	added, err := h.org.AddGroupMembers(ctx, r.TeamID, group, people, file, me.ID, h.now())
	if err != nil {
		return err
	}
	dir, err := h.directory(ctx, r.TeamID)
	if err != nil {
		return err
	}
	msg := md.F(":busts_in_silhouette: *%s* now has %s.", group, mentionList(dir.Groups[group]))
	if already := without(people, added); len(already) > 0 {
		msg += md.F(" (Already in it: %s.)", mentionList(already))
	}
	h.reply(ctx, r, msg)
	return nil
}

func (h *Handlers) removeFromGroup(ctx context.Context, r *bot.Request, me Person, group, list string, file []string) error {
	var ids []string
	for _, word := range strings.Fields(list) {
		id, err := h.mentionedID(ctx, word)
		if err != nil {
			return err
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	removed, err := h.org.RemoveGroupMembers(ctx, r.TeamID, group, ids, file, me.ID, h.now())
	if err != nil {
		return err
	}
	if len(removed) == 0 {
		return baton.Errorf(baton.ENotFound, "%s isn't in the group *%s*, so nothing changed. See the groups with `/baton group list`.", mentionList(ids), group)
	}
	dir, err := h.directory(ctx, r.TeamID)
	if err != nil {
		return err
	}
	msg := md.F(":busts_in_silhouette: %s left *%s*, which now has %s.", mentionList(removed), group, mentionList(dir.Groups[group]))
	if len(dir.Groups[group]) == 0 {
		msg = md.F(":busts_in_silhouette: %s left *%s*, which now has no one in it: its approvals go to each request type's fallback approver.", mentionList(removed), group)
	}
	if inFile := among(removed, file); len(inFile) > 0 {
		msg += md.F(" The policy file lists %s, so they stay out of *%s* until an admin adds them back with `/baton group add %s`.", mentionList(inFile), group, group)
	}
	h.reply(ctx, r, msg)
	return nil
}

func (h *Handlers) listGroups(ctx context.Context, r *bot.Request, only string) error {
	if only != "" {
		name, err := baton.GroupName(only)
		if err != nil {
			return err
		}
		only = name
	}
	edits, err := h.org.Groups(ctx, r.TeamID)
	if err != nil {
		return err
	}
	file := h.policyDirectory().Groups
	var names []string
	for name := range edits {
		names = append(names, name)
	}
	for name := range file {
		names = append(names, name)
	}
	slices.Sort(names)
	names = slices.Compact(slices.DeleteFunc(names, func(n string) bool { return only != "" && n != only }))
	if len(names) == 0 {
		if only != "" {
			return baton.Errorf(baton.ENotFound, "There is no group *%s*. Admins make one with `/baton group add %s @ana`.", only, only)
		}
		h.reply(ctx, r, "No groups yet. Admins make one with `/baton group add finance @ana @bo`.")
		return nil
	}
	lines := []md.Text{md.F("*Groups* (%d)", len(names))}
	for _, name := range names {
		lines = append(lines, md.F("• *%s*: %s", name, groupSources(file[name], edits[name])))
	}
	text := md.Clip(md.Join(lines, "\n"), 3000)
	h.reply(ctx, r, text, slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("groups")))
	return nil
}

// groupSources says who is in a group and where each came from: the policy file's list, added in
// Slack, or on the file's list but taken out in Slack.
func groupSources(file []string, edits baton.GroupEdits) md.Text {
	members := edits.Apply(file)
	fromFile := among(members, file)
	var parts []md.Text
	if len(fromFile) > 0 {
		parts = append(parts, mentionList(fromFile)+" from the policy file")
	}
	if added := without(members, file); len(added) > 0 {
		parts = append(parts, mentionList(added)+" added in Slack")
	}
	out := md.Text("no one")
	if len(parts) > 0 {
		out = md.Join(parts, "; ")
	}
	if takenOut := without(file, members); len(takenOut) > 0 {
		out += " (taken out in Slack: " + mentionList(takenOut) + ")"
	}
	return out
}

func (h *Handlers) managerCommand(ctx context.Context, r *bot.Request, me Person, text string) error {
	words := strings.Fields(text)
	if len(words) == 0 || (len(words) == 1 && strings.EqualFold(words[0], "list")) {
		return h.listManagers(ctx, r)
	}
	if len(words) == 1 {
		return h.showManager(ctx, r, words[0])
	}
	if len(words) > 2 {
		return baton.Errorf(baton.EInvalid, "Name one person and their manager: `/baton manager @ana @bo` makes Bo Ana's manager.")
	}
	if !me.IsAdmin {
		return baton.Errorf(baton.EForbidden, "Only workspace admins can change who manages whom. Ask one of them.")
	}
	if strings.EqualFold(words[1], "off") {
		return h.clearManager(ctx, r, words[0])
	}
	people, err := h.mentionedPeople(ctx, strings.Join(words, " "), "have or be a manager")
	if err != nil {
		return err
	}
	if len(people) == 1 {
		return baton.Errorf(baton.EInvalid, "%s can't be their own manager. Name someone else.", md.Mention(people[0]))
	}
	user, manager := people[0], people[1]
	if err := h.org.SetManager(ctx, r.TeamID, user, manager, h.policyDirectory().Managers, me.ID, h.now()); err != nil {
		return err
	}
	msg := md.F(":busts_in_silhouette: %s is now %s's manager: approvals that go to %s's manager go to them.", md.Mention(manager), md.Mention(user), md.Mention(user))
	if old, ok := h.policyDirectory().Managers[user]; ok && old != manager {
		msg += md.F(" This replaces %s from the policy file.", md.Mention(old))
	}
	h.reply(ctx, r, msg)
	return nil
}

func (h *Handlers) clearManager(ctx context.Context, r *bot.Request, word string) error {
	id, err := h.mentionedID(ctx, word)
	if err != nil {
		return err
	}
	cleared, err := h.org.ClearManager(ctx, r.TeamID, id)
	if err != nil {
		return err
	}
	if !cleared {
		return baton.Errorf(baton.ENotFound, "%s has no manager set in Slack, so nothing changed. See the managers with `/baton manager list`.", md.Mention(id))
	}
	msg := md.F(":busts_in_silhouette: %s no longer has a manager set in Slack.", md.Mention(id))
	if m, ok := h.policyDirectory().Managers[id]; ok {
		msg += md.F(" The policy file's %s is their manager again.", md.Mention(m))
	} else {
		msg += " Approvals that need their manager go to the request type's fallback approver."
	}
	h.reply(ctx, r, msg)
	return nil
}

func (h *Handlers) showManager(ctx context.Context, r *bot.Request, word string) error {
	ref, ok := baton.ParseUserRef(word)
	if !ok {
		return notAPerson(word)
	}
	p, err := h.people.Resolve(ctx, ref)
	if err != nil {
		return err
	}
	stored, err := h.org.Managers(ctx, r.TeamID)
	if err != nil {
		return err
	}
	if m, ok := stored[p.ID]; ok {
		h.reply(ctx, r, md.F("%s's manager is %s (set in Slack).", md.Mention(p.ID), md.Mention(m)))
	} else if m, ok := h.policyDirectory().Managers[p.ID]; ok {
		h.reply(ctx, r, md.F("%s's manager is %s (from the policy file).", md.Mention(p.ID), md.Mention(m)))
	} else {
		h.reply(ctx, r, md.F("%s has no manager. Admins set one with `/baton manager %s @bo`.", md.Mention(p.ID), md.Mention(p.ID)))
	}
	return nil
}

func (h *Handlers) listManagers(ctx context.Context, r *bot.Request) error {
	stored, err := h.org.Managers(ctx, r.TeamID)
	if err != nil {
		return err
	}
	file := h.policyDirectory().Managers
	var users []string
	for _, src := range []map[string]string{stored, file} {
		for u := range src {
			if !slices.Contains(users, u) {
				users = append(users, u)
			}
		}
	}
	slices.Sort(users)
	if len(users) == 0 {
		h.reply(ctx, r, "No managers yet. Admins set one with `/baton manager @ana @bo` (Bo is Ana's manager).")
		return nil
	}
	lines := []md.Text{md.F("*Managers* (%d)", len(users))}
	for _, u := range users {
		if m, ok := stored[u]; ok {
			source := md.Text("set in Slack")
			if old, inFile := file[u]; inFile && old != m {
				source += ", replacing " + md.Mention(old) + " from the policy file"
			}
			lines = append(lines, md.F("• %s → %s (%s)", md.Mention(u), md.Mention(m), source))
			continue
		}
		lines = append(lines, md.F("• %s → %s (from the policy file)", md.Mention(u), md.Mention(file[u])))
	}
	text := md.Clip(md.Join(lines, "\n"), 3000)
	h.reply(ctx, r, text, slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("managers")))
	return nil
}

// mentionedPeople resolves the people a command mentions, in order and without repeats. Each must be a
// current, human member of the workspace; what is refused says what they can't do.
func (h *Handlers) mentionedPeople(ctx context.Context, list, role string) ([]string, error) {
	var ids []string
	for _, word := range strings.Fields(list) {
		ref, ok := baton.ParseUserRef(word)
		if !ok {
			return nil, notAPerson(word)
		}
		p, err := h.people.Resolve(ctx, ref)
		if err != nil {
			return nil, err
		}
		switch {
		case p.Deleted:
			return nil, baton.Errorf(baton.EInvalid, "%s has been deactivated, so they can't %s. Nothing was changed.", md.Mention(p.ID), role)
		case p.IsBot:
			return nil, baton.Errorf(baton.EInvalid, "%s is a bot, and bots can't %s. Choose a person; nothing was changed.", md.Mention(p.ID), role)
		}
		if !slices.Contains(ids, p.ID) {
			ids = append(ids, p.ID)
		}
	}
	return ids, nil
}

func notAPerson(word string) error {
	return baton.Errorf(baton.EInvalid, "%q isn't a person. Type @ and pick them from the list so Slack sends a mention; nothing was changed.", clip(word, 40))
}

// without returns the ids not in drop, in order.
func without(ids, drop []string) []string {
	var out []string
	for _, id := range ids {
		if !slices.Contains(drop, id) {
			out = append(out, id)
		}
	}
	return out
}

// among returns the ids that are also in set, in order.
func among(ids, set []string) []string {
	return without(ids, without(ids, set))
}

// mentionedID is the user a word names: a mention's ID as it stands (the person may have left), or a
// bare @name looked up in the directory.
func (h *Handlers) mentionedID(ctx context.Context, word string) (string, error) {
	ref, ok := baton.ParseUserRef(word)
	if !ok {
		return "", notAPerson(word)
	}
	if ref.ID != "" {
		return ref.ID, nil
	}
	p, err := h.people.Resolve(ctx, ref)
	return p.ID, err
}
