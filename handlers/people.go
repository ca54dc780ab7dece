package handlers

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// Person is what Baton needs to know about a member of the workspace.
type Person struct {
	ID      string
	Name    string
	Handle  string // the Slack username, which a pasted @handle names them by
	Loc     *time.Location
	IsBot   bool
	Deleted bool
	IsAdmin bool
}

// slackProfiles answers who someone is, from Slack's users.info, remembered for a while.
type slackProfiles struct {
	slack Slack
	now   func() time.Time
	ttl   time.Duration

	mu    sync.Mutex
	cache map[string]cachedPerson
}

type cachedPerson struct {
	p  Person
	at time.Time
}

func newSlackProfiles(s Slack, now func() time.Time, ttl time.Duration) *slackProfiles {
	return &slackProfiles{slack: s, now: now, ttl: ttl, cache: map[string]cachedPerson{}}
}

func personOf(u *slack.User) Person {
	loc, err := time.LoadLocation(u.TZ)
	if err != nil || u.TZ == "" {
		loc = time.FixedZone("UTC", u.TZOffset)
	}
	name := u.Profile.DisplayName
	if name == "" {
		name = u.RealName
	}
	if name == "" {
		name = u.Name
	}
	return Person{ID: u.ID, Name: name, Handle: u.Name, Loc: loc, IsBot: u.IsBot || u.ID == "USLACKBOT", Deleted: u.Deleted, IsAdmin: u.IsAdmin || u.IsOwner}
}

// Get returns a person, or a not-found error that says so in words.
func (d *slackProfiles) Get(ctx context.Context, userID string) (Person, error) {
	d.mu.Lock()
	c, ok := d.cache[userID]
	d.mu.Unlock()
	if ok && d.now().Sub(c.at) < d.ttl {
		return c.p, nil
	}
	u, err := d.slack.UserInfo(ctx, userID)
	if err != nil {
		if bot.IsSlackError(err, "user_not_found", "user_not_visible") {
			return Person{}, baton.Errorf(baton.ENotFound, "I can't find %s in this workspace.", md.Mention(userID))
		}
		return Person{}, err
	}
	p := personOf(u)
	d.mu.Lock()
	d.cache[userID] = cachedPerson{p: p, at: d.now()}
	d.mu.Unlock()
	return p, nil
}

// Owner checks that a person can own a task: a current, human member of the workspace.
func (d *slackProfiles) Owner(ctx context.Context, userID string) (Person, error) {
	p, err := d.Get(ctx, userID)
	if err != nil {
		return p, err
	}
	switch {
	case p.Deleted:
		return p, baton.Errorf(baton.EInvalid, "%s has been deactivated, so they can't own a task. Choose someone who is still in the workspace.", md.Mention(p.ID))
	case p.IsBot:
		return p, baton.Errorf(baton.EInvalid, "%s is a bot, and bots can't own tasks. Choose a person.", md.Mention(p.ID))
	}
	return p, nil
}

// Resolve turns a mention or a bare @name into a person.
func (d *slackProfiles) Resolve(ctx context.Context, ref baton.UserRef) (Person, error) {
	if ref.ID != "" {
		return d.Get(ctx, ref.ID)
	}
	users, err := d.slack.Users(ctx)
	if err != nil {
		return Person{}, err
	}
	var found []slack.User
	for _, u := range users {
		if strings.EqualFold(u.Name, ref.Name) || strings.EqualFold(u.Profile.DisplayName, ref.Name) || strings.EqualFold(u.RealName, ref.Name) {
			found = append(found, u)
		}
	}
	switch len(found) {
	case 0:
		return Person{}, baton.Errorf(baton.ENotFound, "I can't find anyone called @%s. Type @ and pick the person from the list so Slack sends a mention.", ref.Name)
	case 1:
		p := personOf(&found[0])
		d.mu.Lock()
		d.cache[p.ID] = cachedPerson{p: p, at: d.now()}
		d.mu.Unlock()
		return p, nil
	}
	return Person{}, baton.Errorf(baton.EInvalid, "More than one person is called @%s. Type @ and pick the right one from the list.", ref.Name)
}

// actor returns the person who acted, with their zone and admin flag.
func (h *Handlers) actor(ctx context.Context, r *bot.Request) (Person, error) {
	return h.people.Get(ctx, r.UserID)
}
