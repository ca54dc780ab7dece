package slackdouble

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func section(text string) string {
	return fmt.Sprintf(`{"type":"section","text":{"type":"mrkdwn","text":%q}}`, text)
}

func blocksOf(parts ...string) string { return "[" + strings.Join(parts, ",") + "]" }

func TestCheckMessageBlocks(t *testing.T) {
	many := make([]string, 51)
	for i := range many {
		many[i] = `{"type":"divider"}`
	}
	opts := func(n int) string {
		o := make([]string, n)
		for i := range o {
			o[i] = fmt.Sprintf(`{"text":{"type":"plain_text","text":"o%d"},"value":"v%d"}`, i, i)
		}
		return "[" + strings.Join(o, ",") + "]"
	}
	btn := func(id, text string) string {
		return fmt.Sprintf(`{"type":"button","action_id":%q,"text":{"type":"plain_text","text":%q}}`, id, text)
	}
	cases := []struct {
		name, blocks, code, pointer string
	}{
		{"valid section", blocksOf(section("hello")), "", ""},
		{"not json", `[{`, "invalid_blocks_format", "/blocks"},
		{"not an array", `{"type":"divider"}`, "invalid_blocks_format", "/blocks"},
		{"50 blocks ok", blocksOf(many[:50]...), "", ""},
		{"51 blocks", blocksOf(many...), "invalid_blocks", "/blocks"},
		{"empty text", blocksOf(section("")), "invalid_blocks", "/blocks/0/text/text"},
		{"text 3001", blocksOf(section(strings.Repeat("x", 3001))), "invalid_blocks", "/blocks/0/text/text"},
		{"text 3000", blocksOf(section(strings.Repeat("x", 3000))), "", ""},
		{"bad text type", `[{"type":"section","text":{"type":"markdown","text":"x"}}]`, "invalid_blocks", "/blocks/0/text/type"},
		{"section without text or fields", `[{"type":"section"}]`, "invalid_blocks", "/blocks/0"},
		{"11 fields", `[{"type":"section","fields":[` + strings.Repeat(`{"type":"mrkdwn","text":"f"},`, 10) + `{"type":"mrkdwn","text":"f"}]}]`, "invalid_blocks", "/blocks/0/fields"},
		{"field 2001", fmt.Sprintf(`[{"type":"section","fields":[{"type":"mrkdwn","text":%q}]}]`, strings.Repeat("f", 2001)), "invalid_blocks", "/blocks/0/fields/0/text"},
		{"duplicate block_id", `[{"type":"divider","block_id":"a"},{"type":"divider","block_id":"a"}]`, "invalid_blocks", "/blocks/1/block_id"},
		{"empty block_id", `[{"type":"divider","block_id":""}]`, "invalid_blocks", "/blocks/0/block_id"},
		{"long block_id", fmt.Sprintf(`[{"type":"divider","block_id":%q}]`, strings.Repeat("b", 256)), "invalid_blocks", "/blocks/0/block_id"},
		{"header 150", fmt.Sprintf(`[{"type":"header","text":{"type":"plain_text","text":%q}}]`, strings.Repeat("h", 150)), "", ""},
		{"header 151", fmt.Sprintf(`[{"type":"header","text":{"type":"plain_text","text":%q}}]`, strings.Repeat("h", 151)), "invalid_blocks", "/blocks/0/text/text"},
		{"header mrkdwn", `[{"type":"header","text":{"type":"mrkdwn","text":"h"}}]`, "invalid_blocks", "/blocks/0/text/type"},
		{"unknown block", `[{"type":"carousel"}]`, "invalid_blocks", "/blocks/0/type"},
		{"input in message", `[{"type":"input","label":{"type":"plain_text","text":"L"},"element":{"type":"plain_text_input","action_id":"a"}}]`, "invalid_blocks", "/blocks/0/type"},
		{"context empty", `[{"type":"context","elements":[]}]`, "invalid_blocks", "/blocks/0/elements"},
		{"context 11", `[{"type":"context","elements":[` + strings.Repeat(`{"type":"mrkdwn","text":"c"},`, 10) + `{"type":"mrkdwn","text":"c"}]}]`, "invalid_blocks", "/blocks/0/elements"},
		{"actions empty", `[{"type":"actions","elements":[]}]`, "invalid_blocks", "/blocks/0/elements"},
		{"button ok", blocksOf(`{"type":"actions","elements":[` + btn("go", "Go") + `]}`), "", ""},
		{"button text 76", blocksOf(`{"type":"actions","elements":[` + btn("go", strings.Repeat("g", 76)) + `]}`), "invalid_blocks", "/blocks/0/elements/0/text/text"},
		{"button style", `[{"type":"actions","elements":[{"type":"button","action_id":"a","style":"blue","text":{"type":"plain_text","text":"x"}}]}]`, "invalid_blocks", "/blocks/0/elements/0/style"},
		{"button value 2001", fmt.Sprintf(`[{"type":"actions","elements":[{"type":"button","action_id":"a","value":%q,"text":{"type":"plain_text","text":"x"}}]}]`, strings.Repeat("v", 2001)), "invalid_blocks", "/blocks/0/elements/0/value"},
		{"duplicate action_id in block", blocksOf(`{"type":"actions","elements":[` + btn("a", "A") + "," + btn("a", "B") + `]}`), "invalid_blocks", "/blocks/0/elements/1/action_id"},
		{"duplicate action_id across blocks", blocksOf(`{"type":"actions","elements":[`+btn("a", "A")+`]}`, `{"type":"actions","elements":[`+btn("a", "B")+`]}`), "invalid_blocks", "/blocks/1/elements/0/action_id"},
		{"long action_id", blocksOf(`{"type":"actions","elements":[` + btn(strings.Repeat("a", 256), "A") + `]}`), "invalid_blocks", "/blocks/0/elements/0/action_id"},
		{"unknown element", `[{"type":"actions","elements":[{"type":"slider","action_id":"s"}]}]`, "invalid_blocks", "/blocks/0/elements/0/type"},
		{"text input in actions", `[{"type":"actions","elements":[{"type":"plain_text_input","action_id":"s"}]}]`, "invalid_blocks", "/blocks/0/elements/0/type"},
		{"select ok", `[{"type":"actions","elements":[{"type":"static_select","action_id":"s","options":` + opts(3) + `}]}]`, "", ""},
		{"select 101 options", `[{"type":"actions","elements":[{"type":"static_select","action_id":"s","options":` + opts(101) + `}]}]`, "invalid_blocks", "/blocks/0/elements/0/options"},
		{"select no options", `[{"type":"actions","elements":[{"type":"static_select","action_id":"s"}]}]`, "invalid_blocks", "/blocks/0/elements/0"},
		{"option text 76", fmt.Sprintf(`[{"type":"actions","elements":[{"type":"static_select","action_id":"s","options":[{"text":{"type":"plain_text","text":%q},"value":"v"}]}]}]`, strings.Repeat("o", 76)), "invalid_blocks", "/blocks/0/elements/0/options/0/text/text"},
		{"option value 151", fmt.Sprintf(`[{"type":"actions","elements":[{"type":"static_select","action_id":"s","options":[{"text":{"type":"plain_text","text":"o"},"value":%q}]}]}]`, strings.Repeat("v", 151)), "invalid_blocks", "/blocks/0/elements/0/options/0/value"},
		{"initial option not listed", `[{"type":"actions","elements":[{"type":"static_select","action_id":"s","options":` + opts(2) + `,"initial_option":{"text":{"type":"plain_text","text":"z"},"value":"zz"}}]}]`, "invalid_blocks", "/blocks/0/elements/0/initial_option"},
		{"placeholder 151", fmt.Sprintf(`[{"type":"actions","elements":[{"type":"users_select","action_id":"u","placeholder":{"type":"plain_text","text":%q}}]}]`, strings.Repeat("p", 151)), "invalid_blocks", "/blocks/0/elements/0/placeholder/text"},
		{"option groups ok", `[{"type":"actions","elements":[{"type":"static_select","action_id":"s","option_groups":[{"label":{"type":"plain_text","text":"G"},"options":` + opts(2) + `}]}]}]`, "", ""},
		{"confirm deny too long", fmt.Sprintf(`[{"type":"actions","elements":[{"type":"button","action_id":"a","text":{"type":"plain_text","text":"x"},"confirm":{"title":{"type":"plain_text","text":"t"},"text":{"type":"plain_text","text":"t"},"confirm":{"type":"plain_text","text":"y"},"deny":{"type":"plain_text","text":%q}}}]}]`, strings.Repeat("n", 31)), "invalid_blocks", "/blocks/0/elements/0/confirm/deny/text"},
		{"confirm missing deny", `[{"type":"actions","elements":[{"type":"button","action_id":"a","text":{"type":"plain_text","text":"x"},"confirm":{"title":{"type":"plain_text","text":"t"},"text":{"type":"plain_text","text":"t"},"confirm":{"type":"plain_text","text":"y"}}}]}]`, "invalid_blocks", "/blocks/0/elements/0/confirm/deny"},
		{"datepicker bad date", `[{"type":"actions","elements":[{"type":"datepicker","action_id":"d","initial_date":"2026-13-01"}]}]`, "invalid_blocks", "/blocks/0/elements/0/initial_date"},
		{"timepicker ok", `[{"type":"actions","elements":[{"type":"timepicker","action_id":"t","initial_time":"09:30","timezone":"Europe/Berlin"}]}]`, "", ""},
		{"overflow 6", `[{"type":"section","text":{"type":"mrkdwn","text":"x"},"accessory":{"type":"overflow","action_id":"o","options":` + opts(6) + `}}]`, "invalid_blocks", "/blocks/0/accessory/options"},
		{"accessory image", `[{"type":"section","text":{"type":"mrkdwn","text":"x"},"accessory":{"type":"image","image_url":"https://x/y.png","alt_text":"y"}}]`, "", ""},
		{"image without alt", `[{"type":"image","image_url":"https://x/y.png"}]`, "invalid_blocks", "/blocks/0/alt_text"},
		{"checkboxes 11", `[{"type":"actions","elements":[{"type":"checkboxes","action_id":"c","options":` + opts(11) + `}]}]`, "invalid_blocks", "/blocks/0/elements/0/options"},
		{"markdown ok", `[{"type":"markdown","text":"**hi**"}]`, "", ""},
		{"rich text ok", `[{"type":"rich_text","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"hi"}]}]}]`, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, code, msgs := checkMessageBlocks(tc.blocks, false)
			if code != tc.code {
				t.Fatalf("code = %q, want %q (messages %v)", code, tc.code, msgs)
			}
			if tc.pointer == "" {
				return
			}
			want := "[json-pointer:" + tc.pointer + "]"
			for _, m := range msgs {
				if strings.HasSuffix(m, want) && strings.HasPrefix(m, "[ERROR] ") {
					return
				}
			}
			t.Fatalf("no message with %s in %v", want, msgs)
		})
	}
}

func TestPerBlockActionIDs(t *testing.T) {
	blocks := `[{"type":"actions","elements":[{"type":"button","action_id":"done","value":"1","text":{"type":"plain_text","text":"Done"}}]},
		{"type":"actions","elements":[{"type":"button","action_id":"done","value":"2","text":{"type":"plain_text","text":"Done"}}]}]`
	if _, code, _ := checkMessageBlocks(blocks, true); code != "" {
		t.Fatalf("per-block mode rejected action_ids repeated across blocks: %s", code)
	}
	if _, code, _ := checkMessageBlocks(blocks, false); code != "invalid_blocks" {
		t.Fatalf("surface mode accepted repeated action_ids: %q", code)
	}
}

func TestNormalizeFillsIDs(t *testing.T) {
	norm, code, _ := checkMessageBlocks(`[{"type":"section","text":{"type":"mrkdwn","text":"x"},"accessory":{"type":"button","text":{"type":"plain_text","text":"b"}}},{"type":"divider","block_id":"keep"}]`, false)
	if code != "" {
		t.Fatal(code)
	}
	var blocks []map[string]any
	if err := json.Unmarshal(norm, &blocks); err != nil {
		t.Fatal(err)
	}
	id, _ := blocks[0]["block_id"].(string)
	acc, _ := blocks[0]["accessory"].(map[string]any)
	aid, _ := acc["action_id"].(string)
	if id == "" || aid == "" || blocks[1]["block_id"] != "keep" {
		t.Fatalf("ids not filled or not kept: %s", norm)
	}
}

func TestCheckView(t *testing.T) {
	input := `{"type":"input","block_id":"title","label":{"type":"plain_text","text":"Title"},"element":{"type":"plain_text_input","action_id":"v","max_length":80}}`
	modal := func(title, extra, blocks string) string {
		return fmt.Sprintf(`{"type":"modal","title":{"type":"plain_text","text":%q}%s,"blocks":[%s]}`, title, extra, blocks)
	}
	many := strings.TrimSuffix(strings.Repeat(`{"type":"divider"},`, 101), ",")
	cases := []struct {
		name, view, code, pointer string
		types                     []string
	}{
		{"modal ok", modal("New task", `,"submit":{"type":"plain_text","text":"Create"}`, input), "", "", []string{"modal"}},
		{"title 24", modal(strings.Repeat("t", 24), "", ""), "", "", []string{"modal"}},
		{"title 25", modal(strings.Repeat("t", 25), "", ""), "invalid_arguments", "/view/title/text", []string{"modal"}},
		{"missing title", `{"type":"modal","blocks":[]}`, "invalid_arguments", "/view/title", []string{"modal"}},
		{"submit required with inputs", modal("T", "", input), "invalid_arguments", "/view/submit", []string{"modal"}},
		{"submit 25", modal("T", fmt.Sprintf(`,"submit":{"type":"plain_text","text":%q}`, strings.Repeat("s", 25)), ""), "invalid_arguments", "/view/submit/text", []string{"modal"}},
		{"close mrkdwn", modal("T", `,"close":{"type":"mrkdwn","text":"c"}`, ""), "invalid_arguments", "/view/close/type", []string{"modal"}},
		{"metadata 3001", modal("T", fmt.Sprintf(`,"private_metadata":%q`, strings.Repeat("m", 3001)), ""), "invalid_arguments", "/view/private_metadata", []string{"modal"}},
		{"callback 256", modal("T", fmt.Sprintf(`,"callback_id":%q`, strings.Repeat("c", 256)), ""), "invalid_arguments", "/view/callback_id", []string{"modal"}},
		{"101 blocks", modal("T", "", many), "invalid_arguments", "/view/blocks", []string{"modal"}},
		{"home on open", `{"type":"home","blocks":[]}`, "invalid_arguments", "/view/type", []string{"modal"}},
		{"modal on publish", modal("T", "", ""), "invalid_arguments", "/view/type", []string{"home"}},
		{"home ok", `{"type":"home","blocks":[` + section("hi") + `]}`, "", "", []string{"home"}},
		{"markdown in view", `{"type":"home","blocks":[{"type":"markdown","text":"x"}]}`, "invalid_arguments", "/view/blocks/0/type", []string{"home"}},
		{"too large", modal("T", fmt.Sprintf(`,"private_metadata":%q`, strings.Repeat("m", 260*1024)), ""), "view_too_large", "", []string{"modal"}},
		{"number input needs decimal flag", modal("T", `,"submit":{"type":"plain_text","text":"ok"}`, `{"type":"input","label":{"type":"plain_text","text":"n"},"element":{"type":"number_input","action_id":"n"}}`), "invalid_arguments", "/view/blocks/0/element/is_decimal_allowed", []string{"modal"}},
		{"text input max_length 3001", modal("T", `,"submit":{"type":"plain_text","text":"ok"}`, `{"type":"input","label":{"type":"plain_text","text":"n"},"element":{"type":"plain_text_input","action_id":"n","max_length":3001}}`), "invalid_arguments", "/view/blocks/0/element/max_length", []string{"modal"}},
		{"input without element", modal("T", `,"submit":{"type":"plain_text","text":"ok"}`, `{"type":"input","label":{"type":"plain_text","text":"n"}}`), "invalid_arguments", "/view/blocks/0/element", []string{"modal"}},
		{"button in input", modal("T", `,"submit":{"type":"plain_text","text":"ok"}`, `{"type":"input","label":{"type":"plain_text","text":"n"},"element":{"type":"button","action_id":"b","text":{"type":"plain_text","text":"b"}}}`), "invalid_arguments", "/view/blocks/0/element/type", []string{"modal"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, code, msgs := checkView(tc.view, false, tc.types...)
			if code != tc.code {
				t.Fatalf("code = %q, want %q (messages %v)", code, tc.code, msgs)
			}
			if tc.pointer == "" {
				return
			}
			want := "[json-pointer:" + tc.pointer + "]"
			for _, m := range msgs {
				if strings.HasSuffix(m, want) {
					return
				}
			}
			t.Fatalf("no message with %s in %v", want, msgs)
		})
	}
}
