package baton

// Announcement is one message Baton owes the people around a task, a decision or a request after a
// change: a card posted or redrawn, a reply in a thread, a direct message to one person, or a timer
// set. Announcements are kept with the change that caused them and sent later, in order, at Slack's
// pace.
type Announcement struct {
	Kind AnnounceKind
	// To is the person a direct message is for; empty for cards and threads.
	To string
	// About is the ID of the decision a message is about when it is not the one changed (the decision
	// a new one supersedes); 0 otherwise.
	About int64
	// Ref says which flag a flag's message sends, which version an edit's thread reply tells of, or
	// which step of a request a message is about.
	Ref int64
}

// AnnounceKind says what an announcement sends.
type AnnounceKind string

// The kinds of announcements.
const (
	// AnnounceCard posts the task's card when it has none yet, and otherwise redraws it as the task
	// stands when it is sent.
	AnnounceCard AnnounceKind = "task.card"
	// AnnounceThread replies under the card with what the event changed.
	AnnounceThread AnnounceKind = "task.thread"
	// AnnounceAssigned tells To the task is now theirs.
	AnnounceAssigned AnnounceKind = "task.assigned"
	// AnnounceNotice tells To about the event at once.
	AnnounceNotice AnnounceKind = "task.notice"
	// AnnounceSignal tells To about the event at once or in their daily digest, as they chose.
	AnnounceSignal AnnounceKind = "task.signal"
	// AnnounceUrgent tells To at once about an event that cannot wait for a digest (a block).
	AnnounceUrgent AnnounceKind = "task.urgent"
	// AnnounceTaskTimers sets the task's timers (deadline reminders, the stale nudge) after the event;
	// nothing is posted.
	AnnounceTaskTimers AnnounceKind = "task.timers"
)

// Announcements lists, in the order they are to be sent, the messages ev owes: the card first, then
// its thread, then the people involved other than the one who acted, then the task's timers when ev
// moves them. before is the task as it was before ev; for a creation it is not used. A request for an
// update leaves the card as it is: it is said in the thread and to the owner.
func (t Task) Announcements(before Task, ev TaskEvent) []Announcement {
	if ev.Kind == EventAsked {
		return []Announcement{{Kind: AnnounceThread}, {Kind: AnnounceNotice, To: ev.To}}
	}
	out := []Announcement{{Kind: AnnounceCard}}
	if ev.Kind == EventCreated {
		if t.OwnerID != ev.Actor {
			out = append(out, Announcement{Kind: AnnounceAssigned, To: t.OwnerID})
		}
		return append(out, Announcement{Kind: AnnounceTaskTimers})
	}
	out = append(out, Announcement{Kind: AnnounceThread})
	switch ev.Kind {
	case EventReassigned:
		if t.OwnerID != ev.Actor {
			out = append(out, Announcement{Kind: AnnounceAssigned, To: t.OwnerID})
		}
		for _, p := range OthersThan(ev.Actor, t.DelegatorID, before.OwnerID) {
			out = append(out, Announcement{Kind: AnnounceNotice, To: p})
		}
	case EventStatus, EventDue:
		kind := AnnounceSignal
		if ev.Kind == EventStatus && ev.To == string(StatusBlocked) {
			kind = AnnounceUrgent
		}
		for _, p := range OthersThan(ev.Actor, t.OwnerID, t.DelegatorID) {
			out = append(out, Announcement{Kind: kind, To: p})
		}
	}
	if ev.Kind == EventStatus || ev.Kind == EventDue || ev.Kind == EventReassigned {
		out = append(out, Announcement{Kind: AnnounceTaskTimers})
	}
	return out
}

// OthersThan is people without actor and without blanks, each once, in the order given.
func OthersThan(actor string, people ...string) []string {
	seen := map[string]bool{actor: true, "": true}
	var out []string
	for _, p := range people {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// AnnounceLane is the queue a task's announcements wait in: the channel its card is in, whose pace
// Slack sets, so that a card is posted before its thread replies and the direct messages that point
// to it. A task with no channel queues by its delegator.
func (t Task) AnnounceLane() string {
	if t.ChannelID != "" {
		return t.ChannelID
	}
	return t.DelegatorID
}
