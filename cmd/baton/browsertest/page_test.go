package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Northwind, the local workspace's demo company (cmd/baton/local_seed.go).
const (
	maya    = "UMAYA"
	ana     = "UANA"
	kenji   = "UKENJI"
	farah   = "UFARAH"
	launch  = "CLAUNCH"
	general = "CGENERAL"
	lead    = "CLEAD"
)

func dm(person string) string { return "D" + person }

// js quotes a Go string for a script.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func conversation(id string) string { return fmt.Sprintf(`[data-conversation="%s"]`, id) }

// choose makes the page act as person, as the person picker does, and waits for their sidebar.
func choose(person string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(`[data-testid="person-picker"]`),
		poll(fmt.Sprintf(`(() => {
			const s = document.querySelector('[data-testid="person-picker"]');
			if (s.value !== %[1]s) { s.value = %[1]s; s.dispatchEvent(new Event('change', {bubbles: true})); }
			return !!document.querySelector(%[2]s) })()`, js(person), js(conversation(dm(person))))),
	)
}

// open opens a conversation (or "home") from the sidebar and waits until it is the one shown.
func open(id string) chromedp.Action[chromedp.Void] {
	return poll(fmt.Sprintf(`(() => {
		const item = document.querySelector(%s);
		if (!item) return false;
		if (item.getAttribute('aria-current') !== 'page') { item.click(); return false; }
		return true })()`, js(conversation(id))))
}

// waitConversation waits until the sidebar lists the conversation (the page has loaded its person).
func waitConversation(id string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(conversation(id))
}

// waitMessage waits until a message of the conversation on screen contains text.
func waitMessage(channel, text string) chromedp.Action[chromedp.Void] {
	return poll(fmt.Sprintf(`[...document.querySelectorAll('main [data-ts]')].some(m => m.textContent.includes(%s))`, js(text)))
}

// waitText waits until the element matching selector contains text.
func waitText(selector, text string) chromedp.Action[chromedp.Void] {
	return poll(fmt.Sprintf(`[...document.querySelectorAll(%s)].some(m => m.textContent.includes(%s))`, js(selector), js(text)))
}

func poll(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(20*time.Millisecond))(ctx, t)
		return err
	})
}

// say types a line in the composer and sends it with Enter.
func say(text string) chromedp.Action[chromedp.Void] {
	return typeInto(`main [data-testid="composer"]`, text+kb.Enter)
}

// typeInto focuses the text field matching selector once it is not busy sending, and types keys into
// it as a keyboard does. The keys go to the page, not to a node chromedp holds: chromedp's SendKeys
// reads its node's attributes while its event loop may be rewriting them (the composer sets and
// clears aria-busy around each send), which the race detector reports.
func typeInto(selector, keys string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(selector),
		poll(fmt.Sprintf(`(() => {
			const el = document.querySelector(%s);
			if (!el || el.hasAttribute('aria-busy')) return false;
			el.focus();
			return document.activeElement === el })()`, js(selector))),
		chromedp.KeyEvent(keys),
	)
}

// pick sets a native select (or input) inside the element matching scope to value, as a person
// choosing it does: the page hears a change.
func pick(scope, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](fmt.Sprintf(`(() => {
			const el = document.querySelector(%s);
			if (!el) return false;
			const input = el.matches('select, input, textarea') ? el : el.querySelector('select, input, textarea');
			if (!input) return false;
			input.value = %s;
			input.dispatchEvent(new Event('input', {bubbles: true}));
			input.dispatchEvent(new Event('change', {bubbles: true}));
			return true })()`, js(scope), js(value)), chromedp.WithPollingInterval(20*time.Millisecond))(ctx, t)
		return err
	})
}

// message finds the latest message on screen that contains text and returns a selector for it,
// by its ts, which stays when the page draws the message again.
func message(t testing.TB, ctx context.Context, text string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	ts, err := chromedp.Run(tctx, chromedp.Poll[string](fmt.Sprintf(`(() => {
		const m = [...document.querySelectorAll('main [data-ts]')].reverse().find(m => m.textContent.includes(%s));
		return m ? m.dataset.ts : false })()`, js(text)), chromedp.WithPollingInterval(20*time.Millisecond)))
	if err != nil {
		screenshot(t, ctx, "failed-"+strings.ReplaceAll(t.Name(), "/", "-"))
		t.Fatalf("no message saying %q: %v", text, err)
	}
	return fmt.Sprintf(`main [data-ts="%s"]`, ts)
}

// screenshot writes the window to $BATON_SCREENSHOTS/name.png when that directory is set.
func screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("BATON_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
