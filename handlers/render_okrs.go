package handlers

import (
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// Action IDs on OKR surfaces. The key result's number travels in the button's value.
const actKRUpdate = "okr.update"

// Callback IDs of the OKR modals.
const (
	cbNewObjective = "okr.new"
	cbNewKR        = "okr.kr"
	cbKRCheckin    = "okr.checkin"
	cbEditKR       = "okr.kr_edit"
)

// Input block and action IDs of the OKR modals.
const (
	fPeriod   = "period"
	fParent   = "parent"
	fKind     = "kind"
	fStart    = "start"
	fTarget   = "target"
	fUnit     = "unit"
	fWeight   = "weight"
	fValue    = "value"
	fComment  = "comment"
	fTaskGoal = "key_result"
)

// progressCells is how many cells a progress bar has.
const progressCells = 10

// progressBar draws a progress as text: ▰▰▰▰▰▰▱▱▱▱ 60%.
func progressBar(p float64) md.Text {
	pct := baton.Percent(p)
	full := pct * progressCells / 100
	return md.F("%s%s %d%%", strings.Repeat("▰", full), strings.Repeat("▱", progressCells-full), pct)
}

// objectiveProgressText is an objective's bar, or a plain note when it has no key results to measure it by.
func objectiveProgressText(krs []baton.KeyResult) md.Text {
	p, ok := baton.ObjectiveProgress(krs)
	if !ok {
		return "_no key results yet_"
	}
	return progressBar(p)
}

func objectiveHeadline(o baton.Objective) md.Text {
	return md.F("*%s · %s*", o.Ref(), md.Esc(clip(o.Title, 150)))
}

func krHeadline(k baton.KeyResult) md.Text {
	return md.F("*%s · %s*", k.Ref(), md.Esc(clip(k.Title, 150)))
}

// krMeasure says what a key result measures and where it stands: "at 680 teams · target 1000 · start 200"
// or "3 of 4 linked tasks done".
func krMeasure(k baton.KeyResult) md.Text {
	if k.Kind == baton.KRRollup {
		if k.RollTotal == 0 {
			return "no linked tasks yet"
		}
		return md.F("%s of %s linked tasks done", baton.FormatOKRNumber(k.RollDone), baton.FormatOKRNumber(k.RollTotal))
	}
	unit := md.Text("")
	if k.Unit != "" {
		unit = " " + md.Esc(k.Unit)
	}
	return md.F("at %s%s · target %s · start %s", baton.FormatOKRNumber(k.Current), unit, baton.FormatOKRNumber(k.Target), baton.FormatOKRNumber(k.Start))
}

// krLine is a key result in a list: bar, ID, title, measure, owner.
func krLine(k baton.KeyResult) md.Text {
	return md.F("%s  *%s* %s — %s · %s", progressBar(k.Progress()), k.Ref(), md.Esc(clip(k.Title, 90)), krMeasure(k), md.Mention(k.OwnerID))
}

// objectiveLine is an objective in a list: ID, title, owner, period and its progress.
func objectiveLine(o baton.Objective, krs []baton.KeyResult) md.Text {
	line := md.F("*%s* %s — %s · %s · %s", o.Ref(), md.Esc(clip(o.Title, 90)), md.Mention(o.OwnerID), o.Period, objectiveProgressText(krs))
	if o.Status != baton.ObjectiveActive {
		line += md.F(" · %s", o.Status)
	}
	return line
}

// okrTree is what /okr shows: a period's objectives, each with its key results, children under parents.
type okrTree struct {
	period     string
	objectives []baton.Objective
	more       bool // more objectives than were read
	krs        map[int64][]baton.KeyResult
}

// treeOrder puts objectives in tree order, each under its parent when the parent is shown, with its depth.
func treeOrder(objectives []baton.Objective) ([]baton.Objective, []int) {
	shown := map[int64]bool{}
	children := map[int64][]baton.Objective{}
	for _, o := range objectives {
		shown[o.ID] = true
	}
	var roots []baton.Objective
	for _, o := range objectives {
		if o.ParentID != 0 && shown[o.ParentID] {
			children[o.ParentID] = append(children[o.ParentID], o)
		} else {
			roots = append(roots, o)
		}
	}
	var out []baton.Objective
	var depths []int
	placed := map[int64]bool{}
	var walk func(o baton.Objective, depth int)
	walk = func(o baton.Objective, depth int) {
		if placed[o.ID] {
			return
		}
		placed[o.ID] = true
		out, depths = append(out, o), append(depths, depth)
		for _, c := range children[o.ID] {
			walk(c, depth+1)
		}
	}
	for _, o := range roots {
		walk(o, 0)
	}
	return out, depths
}

// treeObjectiveLimit is how many objectives one /okr message shows, one section each, within Slack's
// 50 blocks.
const treeObjectiveLimit = 40

// okrTreeBlocks renders the tree of a period, bounded: beyond treeObjectiveLimit it says how many more.
func okrTreeBlocks(tr okrTree) []slack.Block {
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain("OKRs · " + tr.period)),
	}
	if len(tr.objectives) == 0 {
		return append(blocks, slack.NewSectionBlock(mrkdwn(md.F("No objectives for %s yet. Set one with `/okr new`.", tr.period)), nil, nil,
			slack.SectionBlockOptionBlockID("okr_empty")))
	}
	ordered, depths := treeOrder(tr.objectives)
	for i, o := range ordered[:min(len(ordered), treeObjectiveLimit)] {
		indent := strings.Repeat("    ", min(depths[i], 4))
		arrow := ""
		if depths[i] > 0 {
			arrow = "↳ "
		}
		lines := []md.Text{md.F("%s%s%s — %s · %s", indent, arrow, objectiveHeadline(o), md.Mention(o.OwnerID), objectiveProgressText(tr.krs[o.ID]))}
		krs := tr.krs[o.ID]
		for j, k := range krs {
			if j == treeKRLimit {
				lines = append(lines, md.F("%s      _…and %d more key results: `/okr %s`_", indent, len(krs)-j, o.Ref()))
				break
			}
			lines = append(lines, md.F("%s      %s", indent, krLine(k)))
		}
		blocks = append(blocks, linesSection("okr_"+strconv.FormatInt(o.Number, 10), lines))
	}
	if tr.more || len(ordered) > treeObjectiveLimit {
		blocks = append(blocks, slack.NewContextBlock("okr_more",
			mrkdwn("More objectives are not shown. Open one with `/okr O-3`, or see someone's with `/okr list @person`.")))
	}
	return append(blocks, slack.NewContextBlock("okr_hint", mrkdwn("`/okr new` · `/okr kr O-3` · `/okr update KR-7 42` · `/okr help`")))
}

// treeKRLimit is how many key results the tree shows under one objective.
const treeKRLimit = 8

// chainText is the goal a task serves, nearest first: KR-7 Title (45%) → O-3 Title → O-1 Title.
func chainText(a baton.Alignment) md.Text {
	parts := []md.Text{md.F("*%s* %s (%d%%)", a.KR.Ref(), md.Esc(clip(a.KR.Title, 60)), baton.Percent(a.KR.Progress()))}
	for _, o := range a.Objectives[:min(len(a.Objectives), chainObjectives)] {
		parts = append(parts, md.F("*%s* %s", o.Ref(), md.Esc(clip(o.Title, 60))))
	}
	if len(a.Objectives) > chainObjectives {
		parts = append(parts, "…")
	}
	return "→ " + md.Join(parts, " → ")
}

// chainObjectives is how many objectives a chain names above the key result; /okr O-n shows the rest.
const chainObjectives = 4

// objectiveView is what /okr O-3 shows.
type objectiveView struct {
	objective baton.Objective
	parents   []baton.Objective // above it, nearest first
	krs       []baton.KeyResult
}

func objectiveBlocks(v objectiveView) []slack.Block {
	o := v.objective
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(objectiveHeadline(o)), nil, nil, slack.SectionBlockOptionBlockID("objective_title")),
		slack.NewSectionBlock(nil, []*slack.TextBlockObject{
			mrkdwn("*Owner*\n" + md.Mention(o.OwnerID)),
			mrkdwn(md.F("*Period*\n%s", o.Period)),
			mrkdwn("*Progress*\n" + objectiveProgressText(v.krs)),
			mrkdwn(md.F("*Status*\n%s", o.Status)),
		}, nil, slack.SectionBlockOptionBlockID("objective_fields")),
	}
	if len(v.parents) > 0 {
		parts := make([]md.Text, 0, len(v.parents))
		for _, p := range v.parents {
			parts = append(parts, md.F("*%s* %s", p.Ref(), md.Esc(clip(p.Title, 60))))
		}
		blocks = append(blocks, slack.NewContextBlock("objective_parents", mrkdwn(md.Clip("Serves → "+md.Join(parts, " → "), 2900))))
	}
	if len(v.krs) == 0 {
		return append(blocks, slack.NewSectionBlock(mrkdwn(md.F("No key results yet. Add one with `/okr kr %s`.", o.Ref())), nil, nil,
			slack.SectionBlockOptionBlockID("objective_krs")))
	}
	lines := []md.Text{md.F("*Key results* (%d)", len(v.krs))}
	for _, k := range v.krs {
		lines = append(lines, "• "+krLine(k))
	}
	return append(blocks, linesSection("objective_krs", lines))
}

// krView is what /okr KR-7 shows.
type krView struct {
	kr           baton.KeyResult
	objectives   []baton.Objective // its objective and those above, nearest first
	checkins     []baton.KRCheckin // newest first
	checkinTotal int
	tasks        []baton.Task
	taskTotal    int
}

// krListLimit bounds the check-ins and the tasks one key result view lists.
const krListLimit = 20

func krBlocks(v krView, now time.Time) []slack.Block {
	k := v.kr
	last := lastCheckin(k)
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(krHeadline(k)+"\n"+progressBar(k.Progress())+" — "+krMeasure(k)), nil, nil, slack.SectionBlockOptionBlockID("kr_title")),
		slack.NewSectionBlock(nil, []*slack.TextBlockObject{
			mrkdwn("*Owner*\n" + md.Mention(k.OwnerID)),
			mrkdwn(md.F("*Weight*\n%s", baton.FormatOKRNumber(k.Weight))),
			mrkdwn("*Updates*\n" + last),
		}, nil, slack.SectionBlockOptionBlockID("kr_fields")),
	}
	if len(v.objectives) > 0 {
		parts := make([]md.Text, 0, len(v.objectives))
		for _, o := range v.objectives {
			parts = append(parts, md.F("*%s* %s", o.Ref(), md.Esc(clip(o.Title, 60))))
		}
		blocks = append(blocks, slack.NewContextBlock("kr_objectives", mrkdwn(md.Clip("Serves → "+md.Join(parts, " → "), 2900))))
	}
	if k.Kind == baton.KRMetric {
		lines := []md.Text{md.F("*History* (%d check-ins)", v.checkinTotal)}
		if v.checkinTotal == 0 {
			lines = append(lines, md.F("_None yet. Record one with_ `/okr update %s 42 what moved`.", k.Ref()))
		}
		for _, c := range v.checkins {
			line := md.F("%s · %s → *%s*", md.Date(c.At, "{date_short_pretty}"), md.Mention(c.Actor), baton.FormatOKRNumber(c.Value))
			if c.Comment != "" {
				line += " — " + md.Esc(clip(c.Comment, 200))
			}
			lines = append(lines, line)
		}
		if more := v.checkinTotal - len(v.checkins); more > 0 {
			lines = append(lines, md.F("_…and %d earlier_", more))
		}
		blocks = append(blocks, linesSection("kr_history", lines))
	}
	lines := []md.Text{md.F("*Linked tasks* (%d)", v.taskTotal)}
	if v.taskTotal == 0 {
		lines = append(lines, md.F("_None yet. Link one with_ `/task @owner Title kr:%s`.", k.Ref()))
	}
	for _, t := range v.tasks {
		lines = append(lines, taskLine(t, now))
	}
	if more := v.taskTotal - len(v.tasks); more > 0 {
		lines = append(lines, md.F("_…and %d more_", more))
	}
	blocks = append(blocks, linesSection("kr_tasks", lines))
	if k.Kind == baton.KRMetric {
		blocks = append(blocks, slack.NewActionBlock("kr_actions", krUpdateButton(k)))
	}
	return blocks
}

// lastCheckin says when a key result was last updated: a date, "no check-in yet", or that tasks move it.
func lastCheckin(k baton.KeyResult) md.Text {
	switch {
	case k.Kind == baton.KRRollup:
		return "follows its linked tasks"
	case k.Checkins == 0:
		return "no check-in yet"
	}
	return "last check-in " + md.Date(k.CheckedAt, "{date_short_pretty}")
}

func krUpdateButton(k baton.KeyResult) *slack.ButtonBlockElement {
	b := slack.NewButtonBlockElement(actKRUpdate, strconv.FormatInt(k.Number, 10), plain("Update"))
	b.Style = slack.StylePrimary
	return b
}

// ownerOKRBlocks is what /okr list @person shows: the objectives and key results they own.
func ownerOKRBlocks(ownerID string, objectives []baton.Objective, objectiveKRs map[int64][]baton.KeyResult, krs []baton.KeyResult) []slack.Block {
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(md.F("*OKRs owned by %s*", md.Mention(ownerID))), nil, nil, slack.SectionBlockOptionBlockID("okr_owner")),
	}
	lines := []md.Text{md.F("*Objectives* (%d)", len(objectives))}
	if len(objectives) == 0 {
		lines = append(lines, "_none_")
	}
	for _, o := range objectives {
		lines = append(lines, "• "+objectiveLine(o, objectiveKRs[o.ID]))
	}
	blocks = append(blocks, linesSection("okr_owner_objectives", lines))
	lines = []md.Text{md.F("*Key results* (%d)", len(krs))}
	if len(krs) == 0 {
		lines = append(lines, "_none_")
	}
	for _, k := range krs {
		lines = append(lines, "• "+krLine(k))
	}
	return append(blocks, linesSection("okr_owner_krs", lines))
}

const okrHelpText = "Baton OKRs: /okr, /okr new, /okr kr O-3, /okr update KR-7 42, /okr O-3, /okr KR-7, /okr list @person"

func okrHelpBlocks(problem md.Text) []slack.Block {
	return commandHelp("/okr", problem,
		"*Objectives and key results with /okr*\n"+
			"• `/okr` — this quarter's objectives with their key results · `/okr 2026-Q3` — another period\n"+
			"• `/okr new` — set an objective · `/okr kr O-3` — add a key result to it\n"+
			"• `/okr update KR-7 42 what moved` — record a key result's new value\n"+
			"• `/okr O-3` · `/okr KR-7` — one of them, with its history and linked tasks · `/okr KR-7 edit` — change its title, owner, target or weight\n"+
			"• `/okr O-3 parent O-1` — put an objective under a broader one (`parent none` to clear)\n"+
			"• `/okr O-3 status achieved` — or `dropped`, `active`; only active objectives remind their owners\n"+
			"• `/okr list` · `/okr list @person` — what someone owns\n"+
			"• Link a task: `/task @owner Title kr:KR-7`, or the Key result field of the New task form")
}

// newObjectiveModal asks for an objective: title, owner, period (the current one by default), parent.
func newObjectiveModal(ownerID, period string) slack.ModalViewRequest {
	return modal(cbNewObjective, "New objective", "Create", modalMeta{},
		textInput(fTitle, "Objective", "Win the mid-market", "", baton.MaxOKRTitleLen, false, false),
		userInput(fOwner, "Owner", ownerID),
		textInput(fPeriod, "Period", "2026-Q4, 2026-H2 or 2026", period, 20, false, false),
		textInput(fParent, "Serves objective", "O-1 — leave empty for a top objective", "", 22, false, true),
	)
}

// newKRModal asks for a key result of objective o.
func newKRModal(o baton.Objective, ownerID string) slack.ModalViewRequest {
	metric := slack.NewOptionBlockObject(string(baton.KRMetric), plain("A number from start to target"), nil)
	rollup := slack.NewOptionBlockObject(string(baton.KRRollup), plain("Its linked tasks done"), nil)
	kind := slack.NewRadioButtonsBlockElement(fKind, metric, rollup)
	kind.InitialOption = metric
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(objectiveHeadline(o)), nil, nil, slack.SectionBlockOptionBlockID("objective_title")),
		textInput(fTitle, "Key result", "Reach 1,000 paying teams", "", baton.MaxOKRTitleLen, false, false),
		userInput(fOwner, "Owner", ownerID),
		slack.NewInputBlock(fKind, plain("Measured by"), nil, kind),
	}
	blocks = append(blocks, krMeasureInputs(baton.KeyResult{Kind: baton.KRMetric}, false)...)
	return modal(cbNewKR, "Key result for "+clip(o.Ref(), 9), "Add", modalMeta{Number: o.Number}, blocks...)
}

// krEditModal is the key result form filled in with what k is now. How it is measured cannot change:
// a roll-up's form has no start, target or unit.
func krEditModal(k baton.KeyResult, o baton.Objective) slack.ModalViewRequest {
	measured := md.F("Measured by a number from start to target, now at %s.", baton.FormatOKRNumber(k.Current))
	if k.Kind == baton.KRRollup {
		measured = "Measured by its linked tasks done."
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(objectiveHeadline(o)), nil, nil, slack.SectionBlockOptionBlockID("objective_title")),
		textInput(fTitle, "Key result", "Reach 1,000 paying teams", k.Title, baton.MaxOKRTitleLen, false, false),
		userInput(fOwner, "Owner", k.OwnerID),
		slack.NewContextBlock("kr_measured", mrkdwn(measured+md.F(" That stays; record new values with `/okr update %s`.", k.Ref()))),
	}
	blocks = append(blocks, krMeasureInputs(k, true)...)
	return modal(cbEditKR, "Edit "+clip(k.Ref(), 18), "Save", modalMeta{Number: k.Number}, blocks...)
}

// krMeasureInputs are the form's start, target, unit (for a number) and weight fields, filled in from
// k when filled is true.
func krMeasureInputs(k baton.KeyResult, filled bool) []slack.Block {
	start, target, weight := "", "", ""
	if filled {
		start, target, weight = baton.FormatOKRNumber(k.Start), baton.FormatOKRNumber(k.Target), baton.FormatOKRNumber(k.Weight)
	}
	var blocks []slack.Block
	if k.Kind == baton.KRMetric {
		unit := ""
		if filled {
			unit = k.Unit
		}
		blocks = append(blocks,
			textInput(fStart, "Start", "200 — for a number", start, 24, false, true),
			textInput(fTarget, "Target", "1000 — below the start works too", target, 24, false, true),
			textInput(fUnit, "Unit", "teams, %, €k", unit, baton.MaxUnitLen, false, true))
	}
	return append(blocks, textInput(fWeight, "Weight", "1 — how much it counts in the objective", weight, 8, false, true))
}

// krCheckinModal asks for a key result's new value and what moved it.
func krCheckinModal(k baton.KeyResult) slack.ModalViewRequest {
	unit := ""
	if k.Unit != "" {
		unit = " (" + k.Unit + ")"
	}
	return modal(cbKRCheckin, "Update "+clip(k.Ref(), 16), "Save", modalMeta{Number: k.Number},
		slack.NewSectionBlock(mrkdwn(krHeadline(k)+"\n"+progressBar(k.Progress())+" — "+krMeasure(k)), nil, nil, slack.SectionBlockOptionBlockID("kr_title")),
		textInput(fValue, "New value"+clip(unit, 20), baton.FormatOKRNumber(k.Current), "", 24, false, false),
		textInput(fComment, "What moved it", "Optional", "", baton.MaxNoteLen, true, true),
	)
}

// krReminderBlocks is the DM to the owner of a key result that has not been updated for a while.
func krReminderBlocks(k baton.KeyResult, days int) []slack.Block {
	text := md.F(":dart: %s has not been updated for %s. Where does it stand?\n%s — %s",
		krHeadline(k), plural(days, "day"), progressBar(k.Progress()), krMeasure(k))
	return []slack.Block{
		slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("kr_reminder")),
		slack.NewActionBlock("kr_reminder_actions", krUpdateButton(k)),
	}
}

// homeKRLimit is how many key results the dashboard lists.
const homeKRLimit = 5

// krHomeBlocks is the "Your key results" section of the dashboard; nothing when the person owns none.
// krs holds one more than homeKRLimit when there are more.
func krHomeBlocks(krs []baton.KeyResult) []slack.Block {
	if len(krs) == 0 {
		return nil
	}
	blocks := []slack.Block{slack.NewDividerBlock()}
	blocks = append(blocks, homeSection("home_krs", ":dart: *Your key results*")...)
	for _, k := range krs[:min(len(krs), homeKRLimit)] {
		line := md.F("%s  *%s* %s — %s · %s", progressBar(k.Progress()), k.Ref(), md.Esc(clip(k.Title, 80)), krMeasure(k), lastCheckin(k))
		open := slack.NewButtonBlockElement(homeActionID(actHomeKR, k.Number), strconv.FormatInt(k.Number, 10), plain("Open"))
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(line), nil, slack.NewAccessory(open),
			slack.SectionBlockOptionBlockID(homeBlockID("home_kr", k.Number))))
	}
	if len(krs) > homeKRLimit {
		blocks = append(blocks, slack.NewContextBlock("home_krs_more", mrkdwn("More: `/okr list`.")))
	}
	return blocks
}

// okrProblemText says what part of /okr was not understood.
func okrProblemText(problem string) md.Text {
	return md.F("I didn't understand `/okr %s`.", clip(problem, 200))
}

// objectiveText is the notification text of /okr O-3: its ID and title.
func objectiveText(o baton.Objective) md.Text {
	return md.F("%s %s", o.Ref(), o.Title)
}

// krText is the notification text of /okr KR-7: its ID and title.
func krText(k baton.KeyResult) md.Text {
	return md.F("%s %s", k.Ref(), k.Title)
}

// objectiveCreatedText is the DM to the person who set an objective.
func objectiveCreatedText(o baton.Objective) md.Text {
	return md.F(":dart: Created %s for %s, owned by %s. Add key results with `/okr kr %s`.",
		objectiveHeadline(o), o.Period, md.Mention(o.OwnerID), o.Ref())
}

// objectiveOwnerText is the DM to the owner of an objective someone else set.
func objectiveOwnerText(byID string, o baton.Objective) md.Text {
	return md.F(":dart: %s made you the owner of objective %s for %s. Add key results with `/okr kr %s`.",
		md.Mention(byID), objectiveHeadline(o), o.Period, o.Ref())
}

// krAddedText is the DM to the person who added key result k to objective o.
func krAddedText(k baton.KeyResult, o baton.Objective) md.Text {
	return md.F(":dart: Added %s to %s — %s.", krHeadline(k), o.Ref(), krMeasure(k))
}

// krSavedText is the DM to the person who edited key result k.
func krSavedText(k baton.KeyResult) md.Text {
	return md.F(":dart: Saved %s — %s.", krHeadline(k), krMeasure(k))
}

// krOwnerText is the DM to the new owner of key result k of objective o, made so by byID.
func krOwnerText(byID string, k baton.KeyResult, o baton.Objective) md.Text {
	return md.F(":dart: %s made you the owner of key result %s of %s — %s.",
		md.Mention(byID), krHeadline(k), objectiveHeadline(o), krMeasure(k))
}

// krReminderText is the notification text of krReminderBlocks.
func krReminderText(k baton.KeyResult, days int) md.Text {
	return md.F("%s %s has not been updated for %s.", k.Ref(), k.Title, plural(days, "day"))
}
