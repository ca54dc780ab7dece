package handlers

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
)

func sampleObjective(number, parentID int64, title string) baton.Objective {
	return baton.Objective{ID: 100 + number, TeamID: "T1", Number: number, Title: title, OwnerID: "UBEA", Period: "2026-Q4",
		ParentID: parentID, Status: baton.ObjectiveActive, CreatedBy: "UBEA", CreatedAt: fixedNow.Add(-240 * time.Hour)}
}

func sampleKRs(objectiveID int64) []baton.KeyResult {
	created := fixedNow.Add(-240 * time.Hour)
	return []baton.KeyResult{
		{ID: 7, TeamID: "T1", Number: 7, ObjectiveID: objectiveID, Title: "Reach 1,000 <paying> teams", OwnerID: "UANA", Kind: baton.KRMetric,
			Weight: 2, Start: 200, Target: 1000, Current: 680, Unit: "teams", CreatedAt: created, CheckedAt: fixedNow.Add(-72 * time.Hour), Checkins: 3},
		{ID: 8, TeamID: "T1", Number: 8, ObjectiveID: objectiveID, Title: "Cut churn", OwnerID: "UANA", Kind: baton.KRMetric,
			Weight: 1, Start: 8, Target: 4, Current: 8, Unit: "%", CreatedAt: created, CheckedAt: created},
		{ID: 9, TeamID: "T1", Number: 9, ObjectiveID: objectiveID, Title: "Ship the v2 launch tasks", OwnerID: "UBEA", Kind: baton.KRRollup,
			Weight: 1, RollDone: 3, RollTotal: 4, CreatedAt: created, CheckedAt: created},
	}
}

func sampleAlignment() baton.Alignment {
	return baton.Alignment{KR: sampleKRs(103)[0], Objectives: []baton.Objective{sampleObjective(3, 101, "Win the mid-market"), sampleObjective(1, 0, "Grow revenue 40%")}}
}

func sampleTree() okrTree {
	company := sampleObjective(1, 0, "Grow revenue 40%")
	company.Period = "2026"
	team := sampleObjective(3, company.ID, "Win the mid-market")
	person := sampleObjective(4, team.ID, "Close the 5 largest deals")
	person.OwnerID = "UANA"
	lonely := sampleObjective(5, 0, "Hire a VP of sales")
	return okrTree{period: "2026-Q4", objectives: []baton.Objective{company, team, person, lonely},
		krs: map[int64][]baton.KeyResult{team.ID: sampleKRs(team.ID), person.ID: sampleKRs(person.ID)[2:]}}
}

func TestRenderOKRGolden(t *testing.T) {
	task := sampleTask()
	task.KRID = 7
	goal := sampleAlignment()
	tree := sampleTree()
	k := sampleKRs(103)[0]
	history := []baton.KRCheckin{
		{ID: 2, KRID: 7, Value: 680, Comment: "Two <big> wins", Actor: "UANA", At: fixedNow.Add(-72 * time.Hour)},
		{ID: 1, KRID: 7, Value: 500, Actor: "UBEA", At: fixedNow.Add(-200 * time.Hour)},
	}
	home := sampleHome()
	home.mine[0].KRID = 7
	home.goals = map[int64]baton.Alignment{7: goal}
	home.krs = sampleKRs(103)
	cases := map[string]any{
		"okr_tree":           okrTreeBlocks(tree),
		"okr_tree_empty":     okrTreeBlocks(okrTree{period: "2027-Q1"}),
		"okr_objective":      objectiveBlocks(objectiveView{objective: tree.objectives[1], parents: tree.objectives[:1], krs: sampleKRs(103)}),
		"okr_objective_bare": objectiveBlocks(objectiveView{objective: tree.objectives[3]}),
		"okr_kr":             krBlocks(krView{kr: k, objectives: goal.Objectives, checkins: history, checkinTotal: 25, tasks: []baton.Task{task}, taskTotal: 1}, fixedNow),
		"okr_kr_rollup":      krBlocks(krView{kr: sampleKRs(103)[2]}, fixedNow),
		"okr_owner":          ownerOKRBlocks("UANA", tree.objectives[2:3], tree.krs, sampleKRs(103)[:2]),
		"okr_help":           okrHelpBlocks("I didn't understand `/okr frob`."),
		"okr_modal_new":      newObjectiveModal("UBEA", "2026-Q4"),
		"okr_modal_kr":       newKRModal(tree.objectives[1], "UBEA"),
		"okr_modal_checkin":  krCheckinModal(k),
		"okr_reminder":       krReminderBlocks(sampleKRs(103)[1], 9),
		"card_goal":          cardBlocks(task, &goal, fixedNow),
		"home_okrs":          homeBlocks(home, fixedNow),
	}
	for name, v := range cases {
		t.Run(name, func(t *testing.T) { golden(t, name, v) })
	}
}

func TestProgressBar(t *testing.T) {
	for p, want := range map[float64]string{0: "▱▱▱▱▱▱▱▱▱▱ 0%", 0.6: "▰▰▰▰▰▰▱▱▱▱ 60%", 0.57: "▰▰▰▰▰▱▱▱▱▱ 57%", 1: "▰▰▰▰▰▰▰▰▰▰ 100%", 0.999: "▰▰▰▰▰▰▰▰▰▱ 99%"} {
		if got := string(progressBar(p)); got != want {
			t.Errorf("progressBar(%v) = %q, want %q", p, got, want)
		}
	}
}

func TestTreeOrderPutsChildrenUnderTheirParents(t *testing.T) {
	tr := sampleTree()
	// Listed children first: the order must not depend on it.
	objs := []baton.Objective{tr.objectives[2], tr.objectives[3], tr.objectives[1], tr.objectives[0]}
	got, depths := treeOrder(objs)
	var order []string
	for i, o := range got {
		order = append(order, fmt.Sprintf("%s@%d", o.Ref(), depths[i]))
	}
	if strings.Join(order, " ") != "O-5@0 O-1@0 O-3@1 O-4@2" {
		t.Errorf("tree order %v", order)
	}
}

func TestOKRMessagesStayWithinSlackLimits(t *testing.T) {
	var tr okrTree
	tr.period, tr.krs, tr.more = "2026-Q4", map[int64][]baton.KeyResult{}, true
	long := strings.Repeat("long title ", 20)
	for i := int64(1); i <= treeObjectiveLimit; i++ {
		o := sampleObjective(i, 0, long)
		tr.objectives = append(tr.objectives, o)
		for j := 0; j < 30; j++ {
			k := sampleKRs(o.ID)[0]
			k.Title = long
			tr.krs[o.ID] = append(tr.krs[o.ID], k)
		}
	}
	var tasks []baton.Task
	var checkins []baton.KRCheckin
	for i := 0; i < krListLimit; i++ {
		x := sampleTask()
		x.Title = long
		tasks = append(tasks, x)
		checkins = append(checkins, baton.KRCheckin{Value: 1, Comment: strings.Repeat("comment ", 120), Actor: "UANA", At: fixedNow})
	}
	goal := sampleAlignment()
	for i := 0; i < 20; i++ {
		goal.Objectives = append(goal.Objectives, sampleObjective(int64(50+i), 0, long))
	}
	surfaces := map[string][]slack.Block{
		"tree":  okrTreeBlocks(tr),
		"kr":    krBlocks(krView{kr: sampleKRs(1)[0], objectives: goal.Objectives, checkins: checkins, checkinTotal: 500, tasks: tasks, taskTotal: 500}, fixedNow),
		"card":  cardBlocks(sampleTask(), &goal, fixedNow),
		"owner": ownerOKRBlocks("UANA", tr.objectives[:ownerListLimit], tr.krs, tr.krs[101][:ownerListLimit]),
	}
	for name, blocks := range surfaces {
		if len(blocks) > maxMessageBlocks {
			t.Errorf("%s has %d blocks, Slack allows %d", name, len(blocks), maxMessageBlocks)
		}
		for _, b := range blocks {
			for _, text := range blockStrings(t, b, "text") {
				if n := len([]rune(text)); n > 3000 {
					t.Errorf("%s: a text of %d characters, Slack allows 3000", name, n)
				}
			}
		}
	}
	raw, _ := json.Marshal(surfaces["tree"])
	if !strings.Contains(string(raw), "More objectives are not shown") || !strings.Contains(string(raw), "…and 22 more key results") {
		t.Errorf("the tree does not say what it left out")
	}

	home := sampleHome()
	for i := 0; i < homeKRLimit+1; i++ {
		k := sampleKRs(1)[0]
		k.Title = long
		home.krs = append(home.krs, k)
	}
	for i := range home.mine {
		home.mine[i].KRID = 7
	}
	home.goals = map[int64]baton.Alignment{7: goal}
	if n := len(homeBlocks(home, fixedNow)); n > maxViewBlocks {
		t.Errorf("home has %d blocks", n)
	}
}

func TestEveryOKRActionHasARoute(t *testing.T) {
	r := bot.NewRouter()
	New(Config{}).Register(r)
	home := sampleHome()
	home.krs = sampleKRs(1)
	for _, blocks := range [][]slack.Block{
		krBlocks(krView{kr: sampleKRs(1)[0]}, fixedNow),
		krReminderBlocks(sampleKRs(1)[0], 7),
		homeBlocks(home, fixedNow),
	} {
		for _, id := range actionIDs(t, blocks) {
			if !r.HasAction(id) {
				t.Errorf("action_id %q is rendered but has no route", id)
			}
		}
	}
}

func TestAChainOfManyObjectivesStaysShort(t *testing.T) {
	a := baton.Alignment{KR: sampleKRs(1)[0]}
	for i := range 20 {
		a.Objectives = append(a.Objectives, baton.Objective{Number: int64(i + 1), Title: strings.Repeat("&", 200)})
	}
	got := string(chainText(a))
	if n := len([]rune(got)); n > 1600 || !strings.HasSuffix(got, "→ …") || strings.Contains(got, "O-5") {
		t.Errorf("a chain of 20 objectives is %d characters and ends %q", n, got[max(0, len(got)-20):])
	}
}
