package baton

// The kinds of announcements of a decision.
const (
	// AnnounceDecisionCard posts the decision's card when it has none yet, and otherwise redraws it as
	// the decision stands when it is sent.
	AnnounceDecisionCard AnnounceKind = "decision.card"
	// AnnounceDecisionTask replies in the thread of the decision's task that the decision was recorded.
	AnnounceDecisionTask AnnounceKind = "decision.task"
	// AnnounceDecisionEdited replies under the card with what version Ref changed.
	AnnounceDecisionEdited AnnounceKind = "decision.edited"
	// AnnounceSuperseded replies under the card of the decision About that a newer one supersedes it.
	AnnounceSuperseded AnnounceKind = "decision.superseded"
	// AnnounceFlag asks To, in a direct message, to acknowledge the decision (flag Ref).
	AnnounceFlag AnnounceKind = "decision.flag"
)

// DecisionChange is a saved version of a decision, as far as its announcements go.
type DecisionChange struct {
	Created bool
	// Superseded is the ID of the decision this version newly supersedes, 0 for none.
	Superseded int64
	Version    int
	// Flags are the flags the version raised.
	Flags []DecisionFlag
}

// Announcements lists, in the order they are to be sent, the messages a saved version of d owes: its
// card, the word in its task's thread (when it is new) or in its own (when it is edited), the card
// and thread of the decision it newly supersedes, and a direct message to each person it flags.
func (d Decision) Announcements(c DecisionChange) []Announcement {
	out := []Announcement{{Kind: AnnounceDecisionCard}}
	switch {
	case c.Created && d.TaskNumber != 0:
		out = append(out, Announcement{Kind: AnnounceDecisionTask})
	case !c.Created:
		out = append(out, Announcement{Kind: AnnounceDecisionEdited, Ref: int64(c.Version)})
	}
	if c.Superseded != 0 {
		out = append(out, Announcement{Kind: AnnounceDecisionCard, About: c.Superseded},
			Announcement{Kind: AnnounceSuperseded, About: c.Superseded})
	}
	for _, f := range c.Flags {
		out = append(out, Announcement{Kind: AnnounceFlag, To: f.UserID, Ref: f.ID})
	}
	return out
}

// AnnounceLane is the queue a decision's announcements wait in: the channel of its card, or its
// author's when it has none.
func (d Decision) AnnounceLane() string {
	if d.ChannelID != "" {
		return d.ChannelID
	}
	return d.AuthorID
}
