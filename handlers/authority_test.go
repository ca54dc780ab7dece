package handlers

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
)

// grantsInMemory is the GrantStore of one workspace's grants, kept in a map: what revoking needs,
// without a database. It applies a revocation as Postgres does, all or nothing.
type grantsInMemory struct {
	GrantStore
	mu     sync.Mutex
	grants map[int64]baton.Grant
}

func (g *grantsInMemory) RevokeGrant(_ context.Context, _ string, number int64, revoke func(g *baton.Grant) error) (baton.Grant, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	stored, ok := g.grants[number]
	if !ok {
		return baton.Grant{}, baton.Errorf(baton.ENotFound, "There is no grant %s in this workspace.", baton.GrantRef(number))
	}
	if err := revoke(&stored); err != nil {
		return baton.Grant{}, err
	}
	g.grants[number] = stored
	return stored, nil
}

// saidSlack keeps what Baton said: answers through a response_url and direct messages, by person.
type saidSlack struct {
	Slack
	mu   sync.Mutex
	said []string
}

func (s *saidSlack) keep(to string, opts []slack.MsgOption) {
	_, values, _ := slack.UnsafeApplyMsgOptions("", "", "", opts...)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.said = append(s.said, to+": "+values.Get("text"))
}

func (s *saidSlack) Respond(_ context.Context, _ string, opts ...slack.MsgOption) error {
	s.keep("answer", opts)
	return nil
}

func (s *saidSlack) OpenDM(_ context.Context, userID string) (string, error) {
	return "D" + userID, nil
}

func (s *saidSlack) PostMessage(_ context.Context, channelID string, opts ...slack.MsgOption) (string, string, error) {
	s.keep(channelID, opts)
	return channelID, "1.0", nil
}

func (s *saidSlack) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.said
	s.said = nil
	return out
}

func TestRevokingAGrant(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	grants := &grantsInMemory{grants: map[int64]baton.Grant{3: {ID: 30, Number: 3, UserID: "UANA", RequestType: "purchase",
		Condition: "amount <= 5000", GrantedBy: "UMGR", GrantedAt: now.Add(-24 * time.Hour)}}}
	said := &saidSlack{}
	h := New(Config{Stores: Stores{Grants: grants}, Slack: said, Now: func() time.Time { return now }})
	revoke := func(by Person, text string) error {
		r := &bot.Request{TeamID: "T1", UserID: by.ID, Command: &slack.SlashCommand{Command: "/baton", ResponseURL: "https://hooks.example/r"}}
		err := h.revokeAuthority(context.Background(), r, by, text)
		if err := h.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		return err
	}

	if err := revoke(Person{ID: "UCAL"}, "G-3"); baton.ErrorMessage(err) != "Only workspace admins and <@UMGR>, who granted G-3, can revoke it." {
		t.Errorf("someone else revoked: %v", err)
	}
	if err := revoke(Person{ID: "UMGR"}, "G-9"); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("revoking a grant that does not exist: %v", err)
	}
	if err := revoke(Person{ID: "UMGR"}, "which one"); baton.ErrorCode(err) != baton.EInvalid || !strings.Contains(baton.ErrorMessage(err), "/baton authority revoke G-3") {
		t.Errorf("revoking without a grant's ID: %v", err)
	}
	if got := said.take(); len(got) != 0 {
		t.Errorf("a refusal said something itself (the dispatcher's fail does): %q", got)
	}
	if grants.grants[3].Revoked() {
		t.Fatal("a refused revocation was kept")
	}

	if err := revoke(Person{ID: "UMGR"}, "g3"); err != nil {
		t.Fatal(err)
	}
	got := said.take()
	want := []string{
		"answer: :no_entry: G-3 is revoked: <@UANA>'s purchase requests when amount ≤ 5000 go to their approvers again.",
		"DUANA: :no_entry: <@UMGR> revoked your authority G-3: your purchase requests when amount ≤ 5000 go to their approvers again.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("said\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if g := grants.grants[3]; g.RevokedBy != "UMGR" || !g.RevokedAt.Equal(now) {
		t.Errorf("kept %+v", g)
	}
	if err := revoke(Person{ID: "UADM", IsAdmin: true}, "G-3"); baton.ErrorMessage(err) != "G-3 was already revoked by <@UMGR>, so nothing changed." {
		t.Errorf("revoked twice: %v", err)
	}
}
