package slackdouble

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
)

// pageMessageLimit is how many of a conversation's latest messages the page is given.
const pageMessageLimit = 1000

type pageChannel struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Private bool   `json:"private"`
	Member  bool   `json:"member"`
}

type pageFile struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Title string `json:"title"`
	Size  int    `json:"size"`
	URL   string `json:"url"`
}

type pageReaction struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
	Me    bool   `json:"me"`
}

type pageMessage struct {
	TS          string          `json:"ts"`
	ThreadTS    string          `json:"thread_ts"`
	User        string          `json:"user"`
	UserName    string          `json:"user_name"`
	Bot         bool            `json:"bot"`
	Text        string          `json:"text"`
	Blocks      json.RawMessage `json:"blocks"`
	Edited      bool            `json:"edited"`
	ReplyCount  int             `json:"reply_count"`
	ReplyUsers  []string        `json:"reply_users"`
	LatestReply string          `json:"latest_reply"`
	Reactions   []pageReaction  `json:"reactions"`
	Files       []pageFile      `json:"files"`
	Ephemeral   bool            `json:"ephemeral"`
}

// visibleLocked is the conversation as as sees it: a public channel, a private one they are in,
// or their own DM with the bot.
func (p *page) visibleLocked(as, id string) (*channelState, error) {
	c := p.s.ws.channels[id]
	if c == nil && id == p.s.DMChannel(as) {
		c = p.s.openDMLocked(as)
	}
	switch {
	case c == nil:
		return nil, pageError{"That conversation does not exist in this workspace."}
	case c.im && c.imUser != as:
		return nil, pageError{"That is someone else's conversation with Baton; choose them to see it."}
	case !c.im && c.Private && !c.isMember(as):
		return nil, pageError{fmt.Sprintf("#%s is private and you are not in it.", c.Name)}
	}
	return c, nil
}

func (p *page) sidebar(w http.ResponseWriter, _ *http.Request, as string) {
	p.s.mu.Lock()
	chans := []pageChannel{}
	for _, c := range p.s.ws.channels {
		if c.im || c.Archived || (c.Private && !c.isMember(as)) {
			continue
		}
		chans = append(chans, pageChannel{ID: c.ID, Name: c.Name, Private: c.Private, Member: c.isMember(as)})
	}
	p.s.mu.Unlock()
	slices.SortFunc(chans, func(a, b pageChannel) int { return cmp.Compare(a.Name, b.Name) })
	reply(w, map[string]any{
		"channels": chans,
		"dm":       map[string]any{"id": p.s.DMChannel(as), "name": p.s.opts.BotName},
		"clock":    p.clock(),
	})
}

func (p *page) messageLocked(as string, m *Message, replies map[string][]*Message) pageMessage {
	pm := pageMessage{TS: m.TS, ThreadTS: m.ThreadTS, User: m.User, Bot: m.BotID != "", Text: m.Text,
		Blocks: m.Blocks, Edited: m.Edits > 0, Reactions: []pageReaction{}, Files: []pageFile{}, ReplyUsers: []string{}}
	if u, ok := p.s.ws.users[m.User]; ok {
		pm.UserName = u.RealName
	}
	for _, r := range replies[m.TS] {
		pm.ReplyCount++
		pm.LatestReply = r.TS
		if !slices.Contains(pm.ReplyUsers, r.User) {
			pm.ReplyUsers = append(pm.ReplyUsers, r.User)
		}
	}
	seen := map[string]int{}
	for _, name := range m.Reactions {
		pm.Reactions = tally(pm.Reactions, seen, name, false)
	}
	for _, r := range m.ReactedBy {
		pm.Reactions = tally(pm.Reactions, seen, r.Name, r.User == as)
	}
	for _, f := range m.Files {
		pm.Files = append(pm.Files, pageFile{ID: f.ID, Name: f.Name, Title: f.Title, Size: len(f.Content), URL: "/local/files/" + f.ID})
	}
	return pm
}

func tally(rs []pageReaction, seen map[string]int, name string, me bool) []pageReaction {
	i, ok := seen[name]
	if !ok {
		i = len(rs)
		seen[name] = i
		rs = append(rs, pageReaction{Name: name})
	}
	rs[i].Count++
	rs[i].Me = rs[i].Me || me
	return rs
}

func ephemeralMessage(e *Ephemeral, bot string) pageMessage {
	return pageMessage{TS: e.TS, ThreadTS: e.ThreadTS, User: bot, Bot: true, Text: e.Text, Blocks: e.Blocks,
		Ephemeral: true, Reactions: []pageReaction{}, Files: []pageFile{}, ReplyUsers: []string{}}
}

// repliesLocked groups a conversation's live thread replies by their parent's ts.
func repliesLocked(c *channelState) map[string][]*Message {
	out := map[string][]*Message{}
	for _, m := range c.msgs {
		if m.ThreadTS != "" && m.ThreadTS != m.TS && !m.Deleted {
			out[m.ThreadTS] = append(out[m.ThreadTS], m)
		}
	}
	return out
}

func (p *page) channel(w http.ResponseWriter, r *http.Request, as string) {
	p.s.mu.Lock()
	c, err := p.visibleLocked(as, r.URL.Query().Get("id"))
	if err != nil {
		p.s.mu.Unlock()
		p.replyError(w, err)
		return
	}
	replies := repliesLocked(c)
	msgs := []pageMessage{}
	for _, m := range c.msgs {
		top := m.ThreadTS == "" || m.ThreadTS == m.TS || m.ReplyBroadcast
		if top && !m.Deleted {
			msgs = append(msgs, p.messageLocked(as, m, replies))
		}
	}
	for _, e := range p.s.ws.ephemerals[as] {
		if e.Channel == c.ID && e.ThreadTS == "" && !e.Deleted {
			msgs = append(msgs, ephemeralMessage(e, p.s.opts.BotUserID))
		}
	}
	out := map[string]any{"id": c.ID, "name": c.Name, "im": c.im}
	p.s.mu.Unlock()
	slices.SortStableFunc(msgs, func(a, b pageMessage) int { return compareTS(a.TS, b.TS) })
	earlier := max(0, len(msgs)-pageMessageLimit)
	out["messages"], out["earlier"] = msgs[earlier:], earlier
	reply(w, out)
}

func (p *page) thread(w http.ResponseWriter, r *http.Request, as string) {
	q := r.URL.Query()
	p.s.mu.Lock()
	c, err := p.visibleLocked(as, q.Get("channel"))
	if err != nil {
		p.s.mu.Unlock()
		p.replyError(w, err)
		return
	}
	parent := c.find(q.Get("ts"))
	if parent == nil {
		p.s.mu.Unlock()
		p.replyError(w, pageError{"That message is no longer there."})
		return
	}
	replies := repliesLocked(c)
	out := []pageMessage{}
	for _, m := range replies[parent.TS] {
		out = append(out, p.messageLocked(as, m, nil))
	}
	for _, e := range p.s.ws.ephemerals[as] {
		if e.Channel == c.ID && e.ThreadTS == parent.TS && !e.Deleted {
			out = append(out, ephemeralMessage(e, p.s.opts.BotUserID))
		}
	}
	pm := p.messageLocked(as, parent, replies)
	p.s.mu.Unlock()
	slices.SortStableFunc(out, func(a, b pageMessage) int { return compareTS(a.TS, b.TS) })
	reply(w, map[string]any{"parent": pm, "replies": out})
}

// compareTS orders message timestamps ("seconds.micros") by time.
func compareTS(a, b string) int {
	fa, _ := strconv.ParseFloat(a, 64)
	fb, _ := strconv.ParseFloat(b, 64)
	if c := cmp.Compare(fa, fb); c != 0 {
		return c
	}
	return cmp.Compare(a, b)
}

// pageView is a view as the app sent it, with its id and the errors shown under its inputs.
func (p *page) pageViewLocked(v *view) map[string]any {
	out := make(map[string]any, len(v.obj)+2)
	for k, val := range v.obj {
		out[k] = val
	}
	out["id"] = v.id
	errs := v.errors
	if errs == nil {
		errs = map[string]string{}
	}
	out["errors"] = errs
	return out
}

func (p *page) home(w http.ResponseWriter, _ *http.Request, as string) {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	var out any
	if v, ok := p.s.ws.homes[as]; ok {
		out = p.pageViewLocked(v)
	}
	reply(w, map[string]any{"view": out})
}

func (p *page) modals(w http.ResponseWriter, _ *http.Request, as string) {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	stack := []any{}
	for _, v := range p.s.ws.stacks[as] {
		stack = append(stack, p.pageViewLocked(v))
	}
	reply(w, map[string]any{"stack": stack})
}

// file sends a shared file's content to someone who can see the conversation it was shared in.
func (p *page) file(w http.ResponseWriter, r *http.Request, as string) {
	id := r.PathValue("id")
	p.s.mu.Lock()
	f, found := File{}, false
	for _, c := range p.s.ws.channels {
		for _, m := range c.msgs {
			for _, mf := range m.Files {
				if mf.ID == id && !m.Deleted {
					if _, err := p.visibleLocked(as, c.ID); err == nil {
						f, found = copyFile(mf), true
					}
				}
			}
		}
	}
	p.s.mu.Unlock()
	if !found {
		http.Error(w, "That file is not there, or not shared where you can see it.", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", f.Name))
	_, _ = w.Write(f.Content)
}

func positiveInt(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("not a positive number: %q", s)
	}
	return n, nil
}
