package slackdouble

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Block Kit validation with Slack's limits. Errors are reported the way Slack
// reports them in response_metadata.messages:
// "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]".

type surface int

const (
	surfaceMessage surface = iota
	surfaceModal
	surfaceHome
)

const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
	maxViewBytes     = 250 * 1024
)

type kitError struct {
	Pointer string
	Message string
}

func (e kitError) String() string {
	return fmt.Sprintf("[ERROR] %s [json-pointer:%s]", e.Message, e.Pointer)
}

type kitChecker struct {
	surface  surface
	perBlock bool // action_id uniqueness per block (Slack) rather than per surface
	errs     []kitError
	blockIDs map[string]bool
	actions  map[string]bool // action ids seen in the surface or current block
	hasInput bool
}

func newKitChecker(sf surface, perBlock bool) *kitChecker {
	return &kitChecker{surface: sf, perBlock: perBlock, blockIDs: map[string]bool{}, actions: map[string]bool{}}
}

func (c *kitChecker) errorf(ptr, format string, args ...any) {
	c.errs = append(c.errs, kitError{Pointer: ptr, Message: fmt.Sprintf(format, args...)})
}

func (c *kitChecker) messages() []string {
	out := make([]string, len(c.errs))
	for i, e := range c.errs {
		out[i] = e.String()
	}
	return out
}

func decodeGeneric(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

// checkMessageBlocks validates the blocks argument of a message. It returns
// the blocks as Slack stores them (missing block_ids and action_ids filled
// in), or an error code ("invalid_blocks_format" or "invalid_blocks") with
// Slack-style messages.
func checkMessageBlocks(raw string, perBlock bool) (json.RawMessage, string, []string) {
	v, err := decodeGeneric([]byte(raw))
	if err != nil {
		return nil, "invalid_blocks_format", []string{kitError{"/blocks", "must provide valid JSON"}.String()}
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, "invalid_blocks_format", []string{kitError{"/blocks", "must provide an array"}.String()}
	}
	c := newKitChecker(surfaceMessage, perBlock)
	c.blocks("/blocks", arr, maxMessageBlocks)
	if len(c.errs) > 0 {
		return nil, "invalid_blocks", c.messages()
	}
	c.normalize(arr)
	out, _ := json.Marshal(arr)
	return out, "", nil
}

// checkView validates a view payload for the given view types. It returns
// the view as a generic object with normalized blocks, or an error code
// ("view_too_large" or "invalid_arguments") with messages.
func checkView(raw string, perBlock bool, types ...string) (map[string]any, string, []string) {
	if len(raw) > maxViewBytes {
		return nil, "view_too_large", nil
	}
	v, err := decodeGeneric([]byte(raw))
	if err != nil {
		return nil, "invalid_arguments", []string{kitError{"/view", "must provide valid JSON"}.String()}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, "invalid_arguments", []string{kitError{"/view", "must provide an object"}.String()}
	}
	typ, _ := obj["type"].(string)
	sf := surfaceModal
	if typ == "home" {
		sf = surfaceHome
	}
	c := newKitChecker(sf, perBlock)
	if !slices.Contains(types, typ) {
		c.errorf("/view/type", "must be one of: %s", strings.Join(types, ", "))
		return nil, "invalid_arguments", c.messages()
	}
	if sf == surfaceModal {
		c.text("/view/title", obj["title"], textRule{plainOnly: true, max: 24, required: true})
		c.text("/view/submit", obj["submit"], textRule{plainOnly: true, max: 24})
		c.text("/view/close", obj["close"], textRule{plainOnly: true, max: 24})
	}
	c.optString("/view/private_metadata", obj, "private_metadata", 0, 3000)
	c.optString("/view/callback_id", obj, "callback_id", 0, 255)
	c.optString("/view/external_id", obj, "external_id", 1, 255)
	blocks, ok := obj["blocks"].([]any)
	if !ok {
		c.errorf("/view/blocks", "missing required field: blocks")
	} else {
		c.blocks("/view/blocks", blocks, maxViewBlocks)
	}
	if sf == surfaceModal && c.hasInput && obj["submit"] == nil {
		c.errorf("/view/submit", "must provide submit when the view contains input blocks")
	}
	if len(c.errs) > 0 {
		return nil, "invalid_arguments", c.messages()
	}
	c.normalize(blocks)
	obj["blocks"] = blocks
	return obj, "", nil
}

type textRule struct {
	plainOnly bool
	max       int
	required  bool
}

// text checks a composition text object.
func (c *kitChecker) text(ptr string, v any, r textRule) {
	if v == nil {
		if r.required {
			c.errorf(ptr, "missing required field: %s", lastSegment(ptr))
		}
		return
	}
	m, ok := v.(map[string]any)
	if !ok {
		c.errorf(ptr, "must provide an object")
		return
	}
	typ, _ := m["type"].(string)
	switch {
	case typ == "plain_text":
	case typ == "mrkdwn" && !r.plainOnly:
	case r.plainOnly:
		c.errorf(ptr+"/type", "must be plain_text")
	default:
		c.errorf(ptr+"/type", "must be one of: plain_text, mrkdwn")
	}
	if _, ok := m["text"]; !ok {
		c.errorf(ptr+"/text", "missing required field: text")
		return
	}
	c.str(ptr+"/text", m["text"], 1, r.max)
}

// str checks that v is a string of min..max characters.
func (c *kitChecker) str(ptr string, v any, minLen, maxLen int) string {
	s, ok := v.(string)
	if !ok {
		c.errorf(ptr, "must be a string")
		return ""
	}
	n := utf8.RuneCountInString(s)
	if n < minLen {
		c.errorf(ptr, "must be more than %d characters", minLen-1)
	}
	if maxLen > 0 && n > maxLen {
		c.errorf(ptr, "must be less than %d characters", maxLen+1)
	}
	return s
}

func (c *kitChecker) optString(ptr string, m map[string]any, key string, minLen, maxLen int) {
	if v, ok := m[key]; ok && v != nil {
		c.str(ptr, v, minLen, maxLen)
	}
}

func (c *kitChecker) optBool(ptr string, m map[string]any, key string) {
	if v, ok := m[key]; ok {
		if _, ok := v.(bool); !ok {
			c.errorf(ptr+"/"+key, "must be a boolean")
		}
	}
}

// array checks that v is an array of min..max items.
func (c *kitChecker) array(ptr string, v any, minItems, maxItems int) []any {
	arr, ok := v.([]any)
	if !ok {
		if v == nil {
			c.errorf(ptr, "missing required field: %s", lastSegment(ptr))
		} else {
			c.errorf(ptr, "must provide an array")
		}
		return nil
	}
	if len(arr) < minItems {
		c.errorf(ptr, "must provide at least %d items", minItems)
	}
	if len(arr) > maxItems {
		c.errorf(ptr, "no more than %d items allowed", maxItems)
	}
	return arr
}

func (c *kitChecker) blocks(ptr string, arr []any, maxBlocks int) {
	if len(arr) > maxBlocks {
		c.errorf(ptr, "no more than %d items allowed", maxBlocks)
	}
	for i, b := range arr {
		c.block(fmt.Sprintf("%s/%d", ptr, i), b)
	}
}

var (
	selectTypes = []string{
		"static_select", "external_select", "users_select", "conversations_select", "channels_select",
		"multi_static_select", "multi_external_select", "multi_users_select", "multi_conversations_select", "multi_channels_select",
	}
	actionsElements   = set(append([]string{"button", "checkboxes", "datepicker", "datetimepicker", "timepicker", "overflow", "radio_buttons"}, selectTypes...)...)
	accessoryElements = set(append([]string{"button", "checkboxes", "datepicker", "timepicker", "overflow", "radio_buttons", "image"}, selectTypes...)...)
	inputElements     = set(append([]string{
		"checkboxes", "datepicker", "datetimepicker", "timepicker", "radio_buttons", "plain_text_input",
		"email_text_input", "url_text_input", "number_input", "rich_text_input",
	}, selectTypes...)...)
	knownElements = set(append([]string{
		"button", "checkboxes", "datepicker", "datetimepicker", "timepicker", "overflow", "radio_buttons", "image",
		"plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input",
	}, selectTypes...)...)
)

func set(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, it := range items {
		m[it] = true
	}
	return m
}

func (c *kitChecker) block(ptr string, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		c.errorf(ptr, "must provide an object")
		return
	}
	if c.perBlock {
		c.actions = map[string]bool{}
	}
	if id, ok := m["block_id"]; ok {
		s := c.str(ptr+"/block_id", id, 1, 255)
		if s != "" {
			if c.blockIDs[s] {
				c.errorf(ptr+"/block_id", "duplicate block_id: %s", s)
			}
			c.blockIDs[s] = true
		}
	}
	typ, _ := m["type"].(string)
	switch typ {
	case "section":
		c.section(ptr, m)
	case "header":
		c.text(ptr+"/text", m["text"], textRule{plainOnly: true, max: 150, required: true})
	case "divider":
	case "context":
		for i, e := range c.array(ptr+"/elements", m["elements"], 1, 10) {
			ep := fmt.Sprintf("%s/elements/%d", ptr, i)
			em, _ := e.(map[string]any)
			switch t, _ := em["type"].(string); t {
			case "image":
				c.image(ep, em)
			case "plain_text", "mrkdwn":
				c.text(ep, e, textRule{max: 3000})
			default:
				c.errorf(ep+"/type", "must be one of: image, plain_text, mrkdwn")
			}
		}
	case "actions":
		for i, e := range c.array(ptr+"/elements", m["elements"], 1, 25) {
			c.element(fmt.Sprintf("%s/elements/%d", ptr, i), e, actionsElements)
		}
	case "input":
		if c.surface == surfaceMessage {
			c.errorf(ptr+"/type", "input blocks are not allowed in messages")
			return
		}
		c.hasInput = true
		c.text(ptr+"/label", m["label"], textRule{plainOnly: true, max: 2000, required: true})
		c.text(ptr+"/hint", m["hint"], textRule{plainOnly: true, max: 2000})
		c.optBool(ptr, m, "optional")
		c.optBool(ptr, m, "dispatch_action")
		if m["element"] == nil {
			c.errorf(ptr+"/element", "missing required field: element")
			return
		}
		c.element(ptr+"/element", m["element"], inputElements)
	case "image":
		c.image(ptr, m)
		c.text(ptr+"/title", m["title"], textRule{plainOnly: true, max: 2000})
	case "rich_text":
		c.array(ptr+"/elements", m["elements"], 0, 1<<20)
	case "markdown":
		if c.surface != surfaceMessage {
			c.errorf(ptr+"/type", "markdown blocks are only allowed in messages")
			return
		}
		c.str(ptr+"/text", m["text"], 1, 12000)
	case "":
		c.errorf(ptr+"/type", "missing required field: type")
	default:
		c.errorf(ptr+"/type", "unsupported block type: %s", typ)
	}
}

func (c *kitChecker) section(ptr string, m map[string]any) {
	text, hasText := m["text"]
	fields, hasFields := m["fields"]
	if !hasText && !hasFields {
		c.errorf(ptr, "must provide either text or fields")
	}
	if hasText {
		c.text(ptr+"/text", text, textRule{max: 3000, required: true})
	}
	if hasFields {
		for i, f := range c.array(ptr+"/fields", fields, 1, 10) {
			c.text(fmt.Sprintf("%s/fields/%d", ptr, i), f, textRule{max: 2000, required: true})
		}
	}
	if acc, ok := m["accessory"]; ok {
		c.element(ptr+"/accessory", acc, accessoryElements)
	}
}

func (c *kitChecker) image(ptr string, m map[string]any) {
	_, hasURL := m["image_url"]
	_, hasFile := m["slack_file"]
	switch {
	case hasURL:
		c.str(ptr+"/image_url", m["image_url"], 1, 3000)
	case !hasFile:
		c.errorf(ptr, "must provide either image_url or slack_file")
	}
	if m["alt_text"] == nil {
		c.errorf(ptr+"/alt_text", "missing required field: alt_text")
	} else {
		c.str(ptr+"/alt_text", m["alt_text"], 1, 2000)
	}
}

func (c *kitChecker) element(ptr string, v any, allowed map[string]bool) {
	m, ok := v.(map[string]any)
	if !ok {
		c.errorf(ptr, "must provide an object")
		return
	}
	typ, _ := m["type"].(string)
	if !knownElements[typ] {
		c.errorf(ptr+"/type", "unsupported element type: %s", typ)
		return
	}
	if !allowed[typ] {
		c.errorf(ptr+"/type", "element type %s is not allowed here", typ)
		return
	}
	if typ == "image" {
		c.image(ptr, m)
		return
	}
	if id, ok := m["action_id"]; ok {
		s := c.str(ptr+"/action_id", id, 1, 255)
		if s != "" {
			if c.actions[s] {
				c.errorf(ptr+"/action_id", "duplicate action_id: %s", s)
			}
			c.actions[s] = true
		}
	}
	if m["placeholder"] != nil {
		c.text(ptr+"/placeholder", m["placeholder"], textRule{plainOnly: true, max: 150})
	}
	if m["confirm"] != nil {
		c.confirm(ptr+"/confirm", m["confirm"])
	}
	c.optBool(ptr, m, "focus_on_load")
	switch typ {
	case "button":
		c.text(ptr+"/text", m["text"], textRule{plainOnly: true, max: 75, required: true})
		c.optString(ptr+"/value", m, "value", 1, 2000)
		c.optString(ptr+"/url", m, "url", 1, 3000)
		c.optString(ptr+"/accessibility_label", m, "accessibility_label", 1, 75)
		c.style(ptr, m)
	case "static_select", "multi_static_select":
		c.staticSelect(ptr, m, typ == "multi_static_select")
	case "external_select", "multi_external_select":
		if q, ok := m["min_query_length"]; ok {
			if n, ok := intOf(q); !ok || n < 0 {
				c.errorf(ptr+"/min_query_length", "must be a non-negative integer")
			}
		}
	case "users_select", "conversations_select", "channels_select":
		c.optString(ptr+"/initial_user", m, "initial_user", 1, 0)
		c.optString(ptr+"/initial_conversation", m, "initial_conversation", 1, 0)
		c.optString(ptr+"/initial_channel", m, "initial_channel", 1, 0)
	case "multi_users_select", "multi_conversations_select", "multi_channels_select":
		c.maxSelected(ptr, m)
	case "overflow":
		c.options(ptr+"/options", m["options"], 1, 5, optionRule{allowURL: true})
	case "checkboxes":
		values := c.options(ptr+"/options", m["options"], 1, 10, optionRule{mrkdwn: true})
		if init, ok := m["initial_options"]; ok {
			for i, o := range c.array(ptr+"/initial_options", init, 0, 10) {
				c.initialOption(fmt.Sprintf("%s/initial_options/%d", ptr, i), o, values)
			}
		}
	case "radio_buttons":
		values := c.options(ptr+"/options", m["options"], 1, 10, optionRule{mrkdwn: true})
		if init, ok := m["initial_option"]; ok {
			c.initialOption(ptr+"/initial_option", init, values)
		}
	case "datepicker":
		if d, ok := m["initial_date"]; ok {
			if s, _ := d.(string); !validLayout("2006-01-02", s) {
				c.errorf(ptr+"/initial_date", "must be a valid date in the format YYYY-MM-DD")
			}
		}
	case "timepicker":
		if t, ok := m["initial_time"]; ok {
			if s, _ := t.(string); !validLayout("15:04", s) {
				c.errorf(ptr+"/initial_time", "must be a valid time in the format HH:mm")
			}
		}
		if tz, ok := m["timezone"]; ok {
			if s, _ := tz.(string); s == "" || !validZone(s) {
				c.errorf(ptr+"/timezone", "must be a valid IANA time zone")
			}
		}
	case "datetimepicker":
		if dt, ok := m["initial_date_time"]; ok {
			if _, ok := intOf(dt); !ok {
				c.errorf(ptr+"/initial_date_time", "must be an integer")
			}
		}
	case "plain_text_input":
		c.textInput(ptr, m)
	case "email_text_input", "url_text_input":
		c.optString(ptr+"/initial_value", m, "initial_value", 0, 3000)
	case "number_input":
		c.numberInput(ptr, m)
	}
}

func (c *kitChecker) style(ptr string, m map[string]any) {
	if st, ok := m["style"]; ok {
		if s, _ := st.(string); s != "primary" && s != "danger" {
			c.errorf(ptr+"/style", "must be a valid enum value: primary, danger")
		}
	}
}

func (c *kitChecker) maxSelected(ptr string, m map[string]any) {
	if v, ok := m["max_selected_items"]; ok {
		if n, ok := intOf(v); !ok || n < 1 {
			c.errorf(ptr+"/max_selected_items", "must be at least 1")
		}
	}
}

func (c *kitChecker) staticSelect(ptr string, m map[string]any, multi bool) {
	opts, hasOpts := m["options"]
	groups, hasGroups := m["option_groups"]
	var values []string
	switch {
	case hasOpts && hasGroups:
		c.errorf(ptr, "must provide exactly one of options or option_groups")
	case hasOpts:
		values = c.options(ptr+"/options", opts, 1, 100, optionRule{})
	case hasGroups:
		for i, g := range c.array(ptr+"/option_groups", groups, 1, 100) {
			gp := fmt.Sprintf("%s/option_groups/%d", ptr, i)
			gm, ok := g.(map[string]any)
			if !ok {
				c.errorf(gp, "must provide an object")
				continue
			}
			c.text(gp+"/label", gm["label"], textRule{plainOnly: true, max: 75, required: true})
			values = append(values, c.options(gp+"/options", gm["options"], 1, 100, optionRule{})...)
		}
	default:
		c.errorf(ptr, "must provide either options or option_groups")
	}
	if multi {
		c.maxSelected(ptr, m)
		if init, ok := m["initial_options"]; ok {
			for i, o := range c.array(ptr+"/initial_options", init, 0, 100) {
				c.initialOption(fmt.Sprintf("%s/initial_options/%d", ptr, i), o, values)
			}
		}
		return
	}
	if init, ok := m["initial_option"]; ok {
		c.initialOption(ptr+"/initial_option", init, values)
	}
}

type optionRule struct {
	mrkdwn   bool
	allowURL bool
}

// options checks an options array and returns the option values.
func (c *kitChecker) options(ptr string, v any, minItems, maxItems int, r optionRule) []string {
	var values []string
	for i, o := range c.array(ptr, v, minItems, maxItems) {
		op := fmt.Sprintf("%s/%d", ptr, i)
		m, ok := o.(map[string]any)
		if !ok {
			c.errorf(op, "must provide an object")
			continue
		}
		c.text(op+"/text", m["text"], textRule{plainOnly: !r.mrkdwn, max: 75, required: true})
		if m["value"] == nil {
			c.errorf(op+"/value", "missing required field: value")
		} else {
			values = append(values, c.str(op+"/value", m["value"], 1, 150))
		}
		c.text(op+"/description", m["description"], textRule{plainOnly: !r.mrkdwn, max: 75})
		if _, ok := m["url"]; ok {
			if r.allowURL {
				c.str(op+"/url", m["url"], 1, 3000)
			} else {
				c.errorf(op+"/url", "url is only allowed in overflow menus")
			}
		}
	}
	return values
}

func (c *kitChecker) initialOption(ptr string, v any, values []string) {
	m, ok := v.(map[string]any)
	if !ok {
		c.errorf(ptr, "must provide an object")
		return
	}
	val, _ := m["value"].(string)
	if !slices.Contains(values, val) {
		c.errorf(ptr, "must exactly match one of the provided options")
	}
}

func (c *kitChecker) confirm(ptr string, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		c.errorf(ptr, "must provide an object")
		return
	}
	c.text(ptr+"/title", m["title"], textRule{plainOnly: true, max: 100, required: true})
	c.text(ptr+"/text", m["text"], textRule{max: 300, required: true})
	c.text(ptr+"/confirm", m["confirm"], textRule{plainOnly: true, max: 30, required: true})
	c.text(ptr+"/deny", m["deny"], textRule{plainOnly: true, max: 30, required: true})
	c.style(ptr, m)
}

func (c *kitChecker) textInput(ptr string, m map[string]any) {
	c.optBool(ptr, m, "multiline")
	minLen, maxLen := 0, 3000
	if v, ok := m["min_length"]; ok {
		n, ok := intOf(v)
		if !ok || n < 0 || n > 3000 {
			c.errorf(ptr+"/min_length", "must be between 0 and 3000")
		}
		minLen = n
	}
	if v, ok := m["max_length"]; ok {
		n, ok := intOf(v)
		if !ok || n < 1 || n > 3000 {
			c.errorf(ptr+"/max_length", "must be between 1 and 3000")
		}
		maxLen = n
	}
	if minLen > maxLen {
		c.errorf(ptr+"/min_length", "must be less than or equal to max_length")
	}
	c.optString(ptr+"/initial_value", m, "initial_value", 0, 3000)
}

func (c *kitChecker) numberInput(ptr string, m map[string]any) {
	dec, ok := m["is_decimal_allowed"].(bool)
	if !ok {
		c.errorf(ptr+"/is_decimal_allowed", "missing required field: is_decimal_allowed")
	}
	for _, key := range []string{"initial_value", "min_value", "max_value"} {
		v, ok := m[key]
		if !ok {
			continue
		}
		s, _ := v.(string)
		if _, err := parseNumber(s, dec); err != nil {
			c.errorf(ptr+"/"+key, "must be a valid number")
		}
	}
}

// normalize fills in the block_ids and action_ids Slack generates when an app
// leaves them out, so payloads always carry string ids.
func (c *kitChecker) normalize(blocks []any) {
	used := map[string]bool{}
	for _, b := range blocks {
		m, _ := b.(map[string]any)
		if id, ok := m["block_id"].(string); ok {
			used[id] = true
		}
		forEachElement(m, func(e map[string]any) {
			if id, ok := e["action_id"].(string); ok {
				used[id] = true
			}
		})
	}
	fresh := func(n int) string {
		for {
			id := randomID(n)
			if !used[id] {
				used[id] = true
				return id
			}
		}
	}
	for _, b := range blocks {
		m, _ := b.(map[string]any)
		if m == nil {
			continue
		}
		if _, ok := m["block_id"]; !ok {
			m["block_id"] = fresh(5)
		}
		forEachElement(m, func(e map[string]any) {
			if t, _ := e["type"].(string); t == "image" {
				return
			}
			if _, ok := e["action_id"]; !ok {
				e["action_id"] = fresh(4)
			}
		})
	}
}

// forEachElement calls f for each interactive element of a block: actions
// elements, a section accessory, and an input element.
func forEachElement(block map[string]any, f func(map[string]any)) {
	if block == nil {
		return
	}
	switch block["type"] {
	case "actions":
		els, _ := block["elements"].([]any)
		for _, e := range els {
			if em, ok := e.(map[string]any); ok {
				f(em)
			}
		}
	case "section":
		if em, ok := block["accessory"].(map[string]any); ok {
			f(em)
		}
	case "input":
		if em, ok := block["element"].(map[string]any); ok {
			f(em)
		}
	}
}

func lastSegment(ptr string) string { return ptr[strings.LastIndex(ptr, "/")+1:] }

func intOf(v any) (int, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(n.String())
	return i, err == nil
}

func validLayout(layout, s string) bool {
	_, err := time.Parse(layout, s)
	return err == nil
}

func validZone(name string) bool {
	_, err := time.LoadLocation(name)
	return err == nil
}

var integerRE = regexp.MustCompile(`^-?[0-9]+$`)

// parseNumber parses a number_input value; decimals only when allowed.
func parseNumber(s string, decimal bool) (float64, error) {
	if !decimal && !integerRE.MatchString(s) {
		return 0, fmt.Errorf("%q is not an integer", s)
	}
	return strconv.ParseFloat(s, 64)
}
