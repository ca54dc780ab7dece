package baton_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/batonhq/baton"
)

func examplePolicy(t testing.TB) *baton.Policy {
	t.Helper()
	data, err := os.ReadFile("deploy/policies.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := baton.LoadPolicy(data)
	if err != nil {
		t.Fatalf("LoadPolicy(example): %v", err)
	}
	return p
}

func TestLoadExamplePolicy(t *testing.T) {
	p := examplePolicy(t)
	if got, want := p.TypeNames(), []string{"purchase", "discount", "contract", "time_off"}; !slices.Equal(got, want) {
		t.Fatalf("types = %v, want %v", got, want)
	}
	if len(p.Version) != 64 {
		t.Errorf("Version = %q, want a SHA-256 in hex", p.Version)
	}
	purchase, ok := p.Type("Purchase")
	if !ok || purchase.Title != "Purchase" || len(purchase.Branches) != 6 || purchase.Fallback != "U01CFO0001" {
		t.Fatalf("purchase = %+v", purchase)
	}
	amount, ok := purchase.Field("amount")
	if !ok || amount.Kind != baton.FieldNumber || amount.Currency != "USD" || !amount.Required || amount.Label != "Amount" {
		t.Errorf("amount = %+v", amount)
	}
	finance := purchase.Branches[2].Steps[0]
	if finance.Mode != baton.ModeAny || finance.RemindAfter.Hours() != 4 || finance.EscalateAfter.Hours() != 24 || finance.EscalateTo != "U01CFO0001" {
		t.Errorf("finance step = %+v", finance)
	}
	manager := purchase.Branches[5].Steps[0]
	if manager.RemindAfter.Hours() != 24 || manager.EscalateAfter.Hours() != 72 || manager.EscalateTo != "" {
		t.Errorf("default step should take the type's times: %+v", manager)
	}
	if _, ok := p.Type("time-off"); !ok {
		t.Error(`Type("time-off") should find time_off`)
	}
	if got := p.Groups["finance"]; !slices.Equal(got, []string{"U01FIN0001", "U01FIN0002"}) {
		t.Errorf("finance = %v", got)
	}
	if p.Managers["U01ENG0001"] != "U01CTO0001" {
		t.Errorf("managers = %v", p.Managers)
	}
}

func TestPolicyVersionIsTheContentHash(t *testing.T) {
	data, err := os.ReadFile("deploy/policies.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := baton.LoadPolicy(data)
	b, _ := baton.LoadPolicy(data)
	c, err := baton.LoadPolicy(append(slices.Clone(data), []byte("\n# a comment\n")...))
	if err != nil {
		t.Fatal(err)
	}
	if a.Version != b.Version || a.Version == c.Version {
		t.Errorf("versions: %s %s %s", a.Version, b.Version, c.Version)
	}
}

const badBase = `types:
  - name: purchase
    fallback: UOPS
    fields:
      - {name: amount, type: number, currency: USD}
      - {name: client_tier, type: select, options: [standard, enterprise]}
    branches:
`

const defaultBranch = "      - {steps: [{approvers: [manager]}]}\n"

func TestLoadPolicyRefusesBadFiles(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"undeclared field", badBase + "      - {when: amount > 10, auto_approve: true}\n      - {when: amout > 10, auto_approve: true}\n" + defaultBranch,
			"purchase, branch 2: undeclared reference to 'amout' (did you mean 'amount'?)"},
		{"undeclared name without a near miss", badBase + "      - {when: 'foo', auto_approve: true}\n" + defaultBranch,
			"purchase, branch 1: undeclared reference to 'foo'; conditions can use amount, client_tier, requester.id, requester.groups, requester.manager, now"},
		{"unknown requester attribute", badBase + "      - {when: 'requester.team == \"x\"', auto_approve: true}\n" + defaultBranch,
			"purchase, branch 1: undefined field 'team'; requester has id, groups and manager"},
		{"not bool", badBase + "      - {when: amount + 1, auto_approve: true}\n" + defaultBranch,
			"purchase, branch 1: the condition must be true or false, but `amount + 1` gives a number"},
		{"syntax error", badBase + "      - {when: amount > , auto_approve: true}\n" + defaultBranch,
			"purchase, branch 1: syntax error at column 9: mismatched input '<EOF>'"},
		{"select option not in options", badBase + "      - {when: 'client_tier == \"gold\"', auto_approve: true}\n" + defaultBranch,
			`purchase, branch 1: client_tier is compared with "gold", which is not one of its options; pick one of standard, enterprise`},
		{"select option in a list", badBase + "      - {when: 'client_tier in [\"standard\", \"gold\"]', auto_approve: true}\n" + defaultBranch,
			`purchase, branch 1: client_tier is compared with "gold", which is not one of its options; pick one of standard, enterprise`},
		{"select option in the wrong case", badBase + "      - {when: '\"Enterprise\" != client_tier', auto_approve: true}\n" + defaultBranch,
			`purchase, branch 1: client_tier is compared with "Enterprise", which is not one of its options; write it as "enterprise"`},
		{"missing default branch", badBase + "      - {when: amount > 10, auto_approve: true}\n",
			"purchase: the last branch must be the default: add a final branch with `when: true` (or no `when`) so every request has a route"},
		{"default before the end", badBase + "      - {when: 'true', auto_approve: true}\n" + defaultBranch,
			"purchase, branch 1: matches every request, so the branches after it never apply; give it a condition or move it to the end"},
		{"no branches", badBase,
			"purchase: add branches; the last one, with `when: true`, is the default route"},
		{"empty step", badBase + "      - {steps: [{approvers: []}]}\n",
			"purchase, branch 1, step 1: no approvers; list user IDs such as U012AB3CD, group:finance or manager"},
		{"branch with neither", badBase + "      - {}\n",
			"purchase, branch 1: give it `auto_approve: true` or a list of steps"},
		{"branch with both", badBase + "      - {auto_approve: true, steps: [{approvers: [manager]}]}\n",
			"purchase, branch 1: has both auto_approve and steps; keep one"},
		{"bad mode", badBase + "      - {steps: [{approvers: [manager], mode: most}]}\n",
			`purchase, branch 1, step 1: mode "most" must be any (the first decision wins) or all (everyone must approve)`},
		{"bad duration", badBase + "      - {steps: [{approvers: [manager], remind_after: 4x}]}\n",
			`purchase, branch 1, step 1: remind_after "4x" is not a duration between 1m and 90d; write it like 30m, 4h or 2d`},
		{"escalate_to without escalate_after", badBase + "      - {steps: [{approvers: [manager], escalate_to: U9}]}\n",
			"purchase, branch 1, step 1: escalate_to needs escalate_after, such as `escalate_after: 1d`"},
		{"bad approver", badBase + "      - {steps: [{approvers: [bob]}]}\n",
			`purchase, branch 1, step 1: approver "bob" must be a user ID such as U012AB3CD, group:name or manager`},
		{"misspelt key", badBase + "      - {steps: [{aprovers: [manager]}]}\n",
			"the policy file has the wrong shape: line 8: unknown key aprovers in a step; check its spelling"},
		{"not YAML", "types: [\n",
			"the policy file is not valid YAML: line 1: did not find expected node content"},
		{"no types", "types: []\n",
			"the file declares no request types: add a list under `types:`, each with a name, fields and branches"},
		{"unknown field type", "types:\n  - {name: purchase, fallback: U1, fields: [{name: amount, type: money}], branches: [{auto_approve: true}]}\n",
			`purchase, field amount: unknown type "money"; use one of number, select, text, long_text, date, user`},
		{"select without options", "types:\n  - {name: purchase, fallback: U1, fields: [{name: tier, type: select}], branches: [{auto_approve: true}]}\n",
			"purchase, field tier: a select needs options, such as `options: [standard, enterprise]`"},
		{"reserved field name", "types:\n  - {name: purchase, fallback: U1, fields: [{name: requester, type: text}], branches: [{auto_approve: true}]}\n",
			`purchase, field 1: "requester" is a reserved word in conditions; pick another name`},
		{"duplicate field", "types:\n  - {name: purchase, fallback: U1, fields: [{name: a, type: text}, {name: A, type: text}], branches: [{auto_approve: true}]}\n",
			"purchase, field a: declared twice; rename or remove one"},
		{"no fallback", "types:\n  - {name: purchase, branches: [{auto_approve: true}]}\n",
			"purchase: give it a fallback approver (a user ID or group:name) for when a step has no one left to approve"},
		{"manager as fallback", "types:\n  - {name: purchase, fallback: manager, branches: [{auto_approve: true}]}\n",
			`purchase: fallback "manager" must be a user ID such as U012AB3CD or a group such as group:ops`},
		{"reserved type name", "types:\n  - {name: why, fallback: U1, branches: [{auto_approve: true}]}\n",
			"why: /request why already means something else; pick another name"},
		{"export is a command", "types:\n  - {name: export, fallback: U1, branches: [{auto_approve: true}]}\n",
			"export: /request export already means something else; pick another name"},
		{"duplicate type", "types:\n  - {name: a, fallback: U1, branches: [{auto_approve: true}]}\n  - {name: a, fallback: U1, branches: [{auto_approve: true}]}\n",
			"a: the name is used by two request types; rename one"},
		{"bad group member", "groups: {finance: [bob]}\ntypes:\n  - {name: a, fallback: U1, branches: [{auto_approve: true}]}\n",
			`groups: finance: "bob" is not a Slack user ID; list members as IDs such as U012AB3CD`},
		{"every problem at once", badBase + "      - {when: amout > 1, steps: [{approvers: []}]}\n",
			"purchase: the last branch must be the default: add a final branch with `when: true` (or no `when`) so every request has a route; " +
				"purchase, branch 1: undeclared reference to 'amout' (did you mean 'amount'?); " +
				"purchase, branch 1, step 1: no approvers; list user IDs such as U012AB3CD, group:finance or manager"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := baton.LoadPolicy([]byte(tc.yaml))
			if err == nil {
				t.Fatalf("loaded %d types, want an error", len(p.Types))
			}
			if baton.ErrorCode(err) != baton.EInvalid {
				t.Errorf("code = %q, want invalid", baton.ErrorCode(err))
			}
			if got := baton.ErrorMessage(err); got != tc.want {
				t.Errorf("message:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestLoadPolicyRefusesHugeFiles(t *testing.T) {
	_, err := baton.LoadPolicy([]byte(strings.Repeat("#", baton.MaxPolicyBytes+1)))
	if !strings.Contains(baton.ErrorMessage(err), "keep it under") {
		t.Errorf("err = %v", err)
	}
}

func TestDirectoryMerge(t *testing.T) {
	file := baton.Directory{
		Groups:   map[string][]string{"finance": {"U1", "U2"}, "legal": {"U3"}},
		Managers: map[string]string{"U5": "U6", "U7": "U8"},
	}
	slack := baton.Directory{
		Groups:   map[string][]string{"Finance": {"U9"}},
		Managers: map[string]string{"U5": "U10"},
	}
	got := file.Merge(slack)
	if !slices.Equal(got.Groups["finance"], []string{"U9"}) || !slices.Equal(got.Groups["legal"], []string{"U3"}) {
		t.Errorf("groups = %v", got.Groups)
	}
	if got.Managers["U5"] != "U10" || got.Managers["U7"] != "U8" {
		t.Errorf("managers = %v", got.Managers)
	}
	got.Groups["legal"][0] = "X"
	if file.Groups["legal"][0] != "U3" {
		t.Error("Merge must not share member slices with its inputs")
	}
}

func TestGroupEditsApply(t *testing.T) {
	file := []string{"U1", "U2"}
	for _, tc := range []struct {
		name  string
		edits baton.GroupEdits
		want  []string
	}{
		{"no edits is the file's list", baton.GroupEdits{}, []string{"U1", "U2"}},
		{"added after the file's", baton.GroupEdits{Added: []string{"U9"}}, []string{"U1", "U2", "U9"}},
		{"taken out of the file's", baton.GroupEdits{Removed: []string{"U1"}}, []string{"U2"}},
		{"added and taken out", baton.GroupEdits{Added: []string{"U9", "U8"}, Removed: []string{"U2"}}, []string{"U1", "U9", "U8"}},
		{"added twice counts once", baton.GroupEdits{Added: []string{"U2", "U9"}}, []string{"U1", "U2", "U9"}},
		{"everyone taken out", baton.GroupEdits{Removed: []string{"U1", "U2"}}, []string{}},
	} {
		if got := tc.edits.Apply(file); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDirectoryApplyEditsGroupsAndReplacesManagers(t *testing.T) {
	file := baton.Directory{
		Groups:   map[string][]string{"finance": {"U1", "U2"}, "legal": {"U3"}},
		Managers: map[string]string{"U5": "U6", "U7": "U8"},
	}
	got := file.Apply(baton.PeopleEdits{
		Groups:   map[string]baton.GroupEdits{"Finance": {Added: []string{"U9"}, Removed: []string{"U1"}}, "legal": {Removed: []string{"U3"}}, "ops": {Added: []string{"U4"}}},
		Managers: map[string]string{"U5": "U10"},
	})
	if !slices.Equal(got.Groups["finance"], []string{"U2", "U9"}) || !slices.Equal(got.Groups["ops"], []string{"U4"}) {
		t.Errorf("groups = %v", got.Groups)
	}
	if legal, ok := got.Groups["legal"]; !ok || len(legal) != 0 {
		t.Errorf("legal = %v, %v; an emptied group stays, empty, so routing doesn't fall back to the file's list", legal, ok)
	}
	if got.Managers["U5"] != "U10" || got.Managers["U7"] != "U8" {
		t.Errorf("managers = %v", got.Managers)
	}
	if !slices.Equal(file.Groups["finance"], []string{"U1", "U2"}) {
		t.Error("Apply must not change its input")
	}
}

func TestPolicyDirectory(t *testing.T) {
	p := examplePolicy(t)
	dir := p.Directory()
	if !slices.Equal(dir.Groups["legal"], []string{"U01LEG0001", "U01LEG0002"}) || dir.Managers["U01FIN0001"] != "U01CFO0001" {
		t.Errorf("dir = %+v", dir)
	}
	dir.Groups["legal"][0] = "X"
	if p.Groups["legal"][0] != "U01LEG0001" {
		t.Error("Directory must copy the policy's groups")
	}
}

func TestLoadEmptyPolicy(t *testing.T) {
	_, err := baton.LoadPolicy(nil)
	if want := "the file declares no request types: add a list under `types:`, each with a name, fields and branches"; baton.ErrorMessage(err) != want {
		t.Errorf("err = %v", err)
	}
}

func FuzzLoadPolicy(f *testing.F) {
	example, err := os.ReadFile("deploy/policies.example.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(example))
	f.Add(badBase + "      - {when: 'client_tier in [\"gold\"]', auto_approve: true}\n" + defaultBranch)
	f.Add("types:\n  - {name: a, fallback: U1, fields: [{name: n, type: number, min: 1}], branches: [{when: 'n * 2 > 3', auto_approve: true}, {steps: [{approvers: [manager, group:x]}]}]}\n")
	f.Fuzz(func(t *testing.T, yaml string) {
		p, err := baton.LoadPolicy([]byte(yaml))
		if err != nil {
			if baton.ErrorMessage(err) == "" {
				t.Fatalf("an error without a message for people: %v", err)
			}
			return
		}
		for _, rt := range p.Types {
			if _, err := p.Route(rt.Name, nil, "UREQ", baton.Directory{}, nil, routeNow); err != nil && baton.ErrorMessage(err) == "" {
				t.Fatalf("routing %s: %v", rt.Name, err)
			}
		}
	})
}
