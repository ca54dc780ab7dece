package main

import (
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/bot/slackdouble"
)

// The dashboard's approval sections, as a person reads their headings.
const (
	hmAwaiting = "Waiting for your approval"
	hmRequests = "Your requests"
)

// hmOpenHomeWhere opens user's Home tab and waits for the published dashboard to say every one of want.
func (h *harness) hmOpenHomeWhere(user string, want ...string) slackdouble.View {
	h.t.Helper()
	h.hmOpen(user)
	return h.hmHomeWhere(user, strings.Join(want, ", "), func(v slackdouble.View) bool {
		for _, w := range want {
			if !v.Has(w) {
				return false
			}
		}
		return true
	})
}

// hmOpenHomeWithout opens user's Home tab and waits for a dashboard that says none of unwanted.
func (h *harness) hmOpenHomeWithout(user string, unwanted ...string) {
	h.t.Helper()
	h.hmOpen(user)
	h.hmHomeWhere(user, "nothing of "+strings.Join(unwanted, ", "), func(v slackdouble.View) bool {
		if !v.Has("Your Baton dashboard") {
			return false
		}
		for _, u := range unwanted {
			if v.Has(u) {
				return false
			}
		}
		return true
	})
}

func TestHomeShowsRequestsWaitingForTheApproverAndTheRequestersOwn(t *testing.T) {
	h := newRequestHarness(t)
	h.request(bea, launc, "purchase amount=12000 client_tier=enterprise risk=low New laptops")
	card := h.approverCard(fin1, "R-1 · Purchase")

	h.hmOpenHomeWhere(fin1, hmAwaiting+"* (1)", "*R-1 · Purchase* — <@UBEA> · waiting since today")
	h.hmOpenHomeWhere(bea, hmRequests, "*R-1 · Purchase* — step 1 of 2, waiting on <@UFIN1>, <@UFIN2>")
	h.hmOpenHomeWithout(cfo, hmAwaiting, hmRequests)

	h.rqClick(fin1, card, "request.approve")
	h.approverCard(cfo, "R-1 · Purchase")
	h.clock.Advance(50 * time.Hour)

	// The CFO's wait counts from the approval that made step 2 current.
	h.hmOpenHomeWhere(cfo, hmAwaiting+"* (1)", "*R-1 · Purchase* — <@UBEA> · waiting since Friday")
	h.hmOpenHomeWhere(bea, "*R-1 · Purchase* — step 2 of 2, waiting on <@UCFO>")
	h.hmOpenHomeWithout(fin1, hmAwaiting)
	h.hmOpenHomeWithout(fin2, hmAwaiting)

	h.request(bea, launc, "cancel R-1")
	h.dm(bea, "cancelled")
	h.hmOpenHomeWhere(bea, ":no_entry_sign: *R-1 · Purchase* — cancelled")
	h.hmOpenHomeWithout(cfo, hmAwaiting)
}

// Dashboards follow a request without anyone opening them: filing it and deciding a step republish the
// requester's and the approvers' homes.
func TestRequestsRefreshTheDashboardsTheyConcern(t *testing.T) {
	h := newRequestHarness(t)
	h.request(bea, launc, "purchase amount=12000 client_tier=enterprise risk=low New laptops")
	card := h.approverCard(fin1, "R-1 · Purchase")
	h.home(fin1, hmAwaiting, "*R-1 · Purchase*")
	h.home(bea, hmRequests, "step 1 of 2")

	h.rqClick(fin1, card, "request.approve")
	h.home(cfo, hmAwaiting, "*R-1 · Purchase*")
	h.home(bea, hmRequests, "step 2 of 2")
}
