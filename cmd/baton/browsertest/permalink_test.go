package browsertest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// A message made into a task gets Baton's "Tracked as T-n" reply, whose link is the card's Slack
// permalink: clicked, it opens #launch at the card, lit, instead of a tab on slack.com. The owner's
// "Open card" button in his DM does the same.
func TestACardsPermalinkOpensTheCardInThePage(t *testing.T) {
	bt := startBaton(t)
	ctx := browser(t)
	run(t, ctx, "say something in #general as Maya", chromedp.Navigate(bt.url), choose(maya), open(general),
		say("Order the launch banners"), waitMessage(general, "Order the launch banners"))
	asked := message(t, ctx, "Order the launch banners")
	run(t, ctx, "make it a task for Kenji with its card in #launch", messageAction(asked, "Make a task"),
		chromedp.WaitVisible(`[data-testid="modal"]`), pick(`[data-block-id="owner"]`, kenji), pick(`[data-block-id="channel"]`, launch),
		chromedp.Click(`[data-testid="modal-submit"]`), chromedp.WaitNotPresent(`[data-testid="modal"]`))
	run(t, ctx, "open Baton's reply", waitText(asked+` [data-testid="replies"]`, "1 reply"),
		chromedp.Click(asked+` [data-testid="replies"]`), waitText(`[data-testid="thread"]`, "Tracked as T-"))

	const tracked = `[data-testid="thread"] a[href*="/archives/"]`
	href := evaluate[string](t, ctx, `document.querySelector(`+js(tracked)+`).href`)
	card := permalinkTS(t, href, launch)
	// The card is no longer the newest message of #launch: following the link has to find it.
	for i := range 12 {
		bt.post(t, "send", map[string]any{"as": ana, "channel": launch, "text": fmt.Sprintf("Venue note %d\n—\n—\n—", i+1)})
	}
	tabs := pages(t, ctx)
	run(t, ctx, "follow the link to the card", chromedp.Click(tracked), shown(launch), lit("main", card))
	screenshot(t, ctx, "permalink-card")
	run(t, ctx, "see the card", waitText(fmt.Sprintf(`main [data-ts="%s"]`, card), "Order the launch banners"))
	if n := pages(t, ctx); n != tabs {
		t.Errorf("the browser has %d tabs after the click, %d before; want the link followed in the page", n, tabs)
	}

	run(t, ctx, "open Kenji's DM", choose(kenji), open(dm(kenji)))
	notice := message(t, ctx, "Order the launch banners")
	run(t, ctx, "open the card from his notice", chromedp.Click(notice+` [data-action-id="task.open"]`), shown(launch), lit("main", card))
	if n := pages(t, ctx); n != tabs {
		t.Errorf("the browser has %d tabs after Open card, %d before; want the card opened in the page", n, tabs)
	}
}

// Permalinks pasted in a message: one to a reply opens its thread with the reply lit. Kenji, who
// may not see Maya's DM with Baton nor #leadership, is told so and the page stays; so it does for
// a message that is not there. A link elsewhere still opens a tab.
func TestAPastedPermalinkOpensItsThreadOrSaysWhyNot(t *testing.T) {
	bt := startBaton(t)
	ctx := browser(t)
	run(t, ctx, "ask in #launch as Maya", chromedp.Navigate(bt.url), choose(maya), open(dm(maya)), open(launch),
		say("Who books the venue?"), waitMessage(launch, "Who books the venue?"))
	q := message(t, ctx, "Who books the venue?")
	const threadComposer = `[data-testid="thread"] [data-testid="composer"]`
	run(t, ctx, "answer in its thread", chromedp.Focus(q), chromedp.Click(q+` [data-testid="reply-in-thread"]`),
		typeInto(threadComposer, "Kenji does, by Friday"+kb.Enter),
		waitText(`[data-testid="thread"] .msg-list`, "Kenji does, by Friday"))
	parent := evaluate[string](t, ctx, `document.querySelector('[data-testid="thread"]').dataset.ts`)
	reply := evaluate[string](t, ctx, `[...document.querySelectorAll('[data-testid="thread"] .msg-list [data-ts]')].find(m => m.textContent.includes('Kenji does')).dataset.ts`)

	base := "https://northwind.slack.com/archives/"
	toReply := fmt.Sprintf("%s%s/p%s?thread_ts=%s&cid=%s", base, launch, strings.ReplaceAll(reply, ".", ""), parent, launch)
	toDM := base + dm(maya) + "/p1700000000000100"
	private := base + lead + "/p1700000000000200"
	gone := base + launch + "/p1000000000000100"
	elsewhere := "https://example.com/venue"
	run(t, ctx, "paste the links in #general", chromedp.Click(`[data-testid="thread-close"]`), open(general),
		say("Venue: "+toReply), say("Maya's: "+toDM), say("Board: "+private), say("Old: "+gone), say("Map: "+elsewhere),
		chromedp.WaitVisible(link(elsewhere)))
	tabs := pages(t, ctx)

	run(t, ctx, "follow the link to the reply", chromedp.Click(link(toReply)), shown(launch),
		chromedp.WaitVisible(fmt.Sprintf(`[data-testid="thread"][data-ts="%s"]`, parent)), lit(`[data-testid="thread"]`, reply))
	screenshot(t, ctx, "permalink-reply")

	run(t, ctx, "follow the link to Maya's DM as Kenji", choose(kenji), open(general), chromedp.Click(link(toDM)),
		waitText(`[data-testid="toast"]`, "someone else's conversation"), shown(general))
	run(t, ctx, "follow the link to #leadership", chromedp.Click(link(private)),
		waitText(`[data-testid="toast"]`, "#leadership is private and you are not in it"), shown(general))
	run(t, ctx, "follow the link to a message that is not there", chromedp.Click(link(gone)),
		waitText(`[data-testid="toast"]`, "no longer in #launch"), shown(general))
	screenshot(t, ctx, "permalink-notice")
	if n := pages(t, ctx); n != tabs {
		t.Errorf("the browser has %d tabs after the permalinks, %d before; want them followed in the page", n, tabs)
	}

	run(t, ctx, "follow the link elsewhere", chromedp.Click(link(elsewhere)), shown(general))
	tctx, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	for pages(t, tctx) == tabs {
		if tctx.Err() != nil {
			t.Fatalf("a link to %s opened no tab", elsewhere)
		}
	}
}

// messageAction runs one of the app's message actions ("Make a task") from a message's ⋮ menu.
func messageAction(msg, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Focus(msg), // a message draws its toolbar when first focused or hovered
		chromedp.Click(msg+` [data-testid="more-actions"]`),
		poll(fmt.Sprintf(`(() => {
			const item = [...document.querySelectorAll('.menu-item')].find(b => b.textContent.includes(%s));
			if (item) item.click();
			return !!item })()`, js(name))),
	)
}

// link selects the link of a message on screen to href.
func link(href string) string { return fmt.Sprintf(`main a[href="%s"]`, href) }

// shown waits until the page shows the conversation, its sidebar item marked as the current one.
func shown(id string) chromedp.Action[chromedp.Void] {
	return poll(fmt.Sprintf(`document.querySelector(%s)?.getAttribute('aria-current') === 'page'`, js(conversation(id))))
}

// lit waits until the message ts, inside the pane matching scope, is lit up and in view.
func lit(scope, ts string) chromedp.Action[chromedp.Void] {
	return poll(fmt.Sprintf(`(() => {
		const m = document.querySelector(%s);
		if (!m || !m.classList.contains('is-lit')) return false;
		const pane = m.closest('.scroller').getBoundingClientRect(), r = m.getBoundingClientRect();
		return r.top >= pane.top && r.bottom <= pane.bottom })()`, js(fmt.Sprintf(`%s .msg[data-ts="%s"]`, scope, ts))))
}

var permalinkRE = regexp.MustCompile(`^https://northwind\.slack\.com/archives/([A-Z0-9]+)/p(\d+)(\d{6})$`)

// permalinkTS checks that href is the Slack permalink of a message in channel and returns its ts.
func permalinkTS(t testing.TB, href, channel string) string {
	t.Helper()
	m := permalinkRE.FindStringSubmatch(href)
	if m == nil || m[1] != channel {
		t.Fatalf("the link is to %q; want the Slack permalink of a message in %s", href, channel)
	}
	return m[2] + "." + m[3]
}

// pages counts the browser's tabs.
func pages(t testing.TB, ctx context.Context) int {
	t.Helper()
	infos, err := chromedp.Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, i := range infos {
		if i.Type == "page" {
			n++
		}
	}
	return n
}

func evaluate[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}
