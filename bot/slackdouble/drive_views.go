package slackdouble

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrViewErrors is returned by SubmitView when the bot answered with
// response_action "errors" keyed by something other than an input block_id;
// Slack then shows the user a generic failure instead of the messages.
var ErrViewErrors = errors.New("slackdouble: view errors not keyed by input block_id")

// SubmitView submits the user's top open modal with the given values
// (block_id → action_id → value). Every input block is reported in
// state.values; those not given keep their initial value or are null/[].
// Like the Slack client, it refuses to submit when a required input is
// empty or a value breaks the element's constraints, and it rejects
// block_ids and action_ids that are not inputs of the view.
//
// The ack is applied as Slack applies it: no response_action closes the
// view; "errors" keeps it open and records View.Errors; "update" replaces
// it; "push" pushes a new view; "clear" closes the whole stack.
func (s *Server) SubmitView(ctx context.Context, userID, viewID string, values map[string]map[string]InputValue) (Ack, error) {
	s.mu.Lock()
	payload, err := s.submissionLocked(userID, viewID, values)
	s.mu.Unlock()
	if err != nil {
		return Ack{}, err
	}
	ack, err := s.deliver(ctx, newEnvelope("interactive", payload))
	if err != nil {
		return ack, err
	}
	return ack, s.applySubmissionAck(userID, viewID, ack.Payload)
}

func (s *Server) submissionLocked(userID, viewID string, values map[string]map[string]InputValue) (map[string]any, error) {
	user, err := s.userRefLocked(userID)
	if err != nil {
		return nil, err
	}
	v, err := s.topViewLocked(userID, viewID)
	if err != nil {
		return nil, err
	}
	blocks := v.blocks()
	for blockID, row := range values {
		b := blockOf(blocks, blockID)
		if b == nil || b["type"] != "input" {
			return nil, fmt.Errorf("slackdouble: view %s has no input block %q", viewID, blockID)
		}
		el, _ := b["element"].(map[string]any)
		for actionID := range row {
			if el["action_id"] != actionID {
				return nil, fmt.Errorf("slackdouble: input block %q has no element %q", blockID, actionID)
			}
		}
	}
	state, err := s.stateValuesLocked(blocks, true, values)
	if err != nil {
		return nil, err
	}
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		if bm["type"] != "input" || bm["optional"] == true {
			continue
		}
		blockID, _ := bm["block_id"].(string)
		row, _ := state[blockID].(map[string]any)
		for actionID, st := range row {
			if emptyState(st.(map[string]any)) {
				return nil, fmt.Errorf("slackdouble: required input %s/%s is empty", blockID, actionID)
			}
		}
	}
	return map[string]any{
		"type":                  "view_submission",
		"token":                 verificationToken,
		"api_app_id":            s.opts.AppID,
		"team":                  s.teamJSON(),
		"user":                  user,
		"is_enterprise_install": false,
		"enterprise":            nil,
		"trigger_id":            s.newTriggerLocked(userID),
		"view":                  s.viewJSON(v, map[string]any{"values": state}),
		"response_urls":         []any{},
	}, nil
}

func emptyState(st map[string]any) bool {
	for k, v := range st {
		if k == "type" || k == "timezone" {
			continue
		}
		if v == nil {
			return true
		}
		if arr, ok := v.([]any); ok && len(arr) == 0 {
			return true
		}
	}
	return false
}

type submissionAck struct {
	ResponseAction string            `json:"response_action"`
	Errors         map[string]string `json:"errors"`
	View           json.RawMessage   `json:"view"`
}

func (s *Server) applySubmissionAck(userID, viewID string, payload json.RawMessage) error {
	var a submissionAck
	if len(payload) > 0 {
		if err := json.Unmarshal(payload, &a); err != nil {
			return fmt.Errorf("slackdouble: view_submission ack: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	v, err := s.topViewLocked(userID, viewID)
	if err != nil {
		return fmt.Errorf("slackdouble: view %s changed while the bot handled the submission: %w", viewID, err)
	}
	switch a.ResponseAction {
	case "":
		s.popViewLocked(userID, false)
	case "clear":
		s.popViewLocked(userID, true)
	case "errors":
		var bad []string
		for blockID := range a.Errors {
			if b := blockOf(v.blocks(), blockID); b == nil || b["type"] != "input" {
				bad = append(bad, blockID)
			}
		}
		v.errors = a.Errors
		if len(bad) > 0 {
			slices.Sort(bad)
			return fmt.Errorf("%w: %s", ErrViewErrors, strings.Join(bad, ", "))
		}
	case "update", "push":
		obj, code, msgs := checkView(string(a.View), s.opts.PerBlockActionIDs, "modal")
		if code != "" {
			return fmt.Errorf("slackdouble: response_action %s: %s %v", a.ResponseAction, code, msgs)
		}
		if a.ResponseAction == "update" {
			s.replaceViewLocked(v, obj)
			return nil
		}
		stack := s.ws.stacks[userID]
		if len(stack) >= 3 {
			return fmt.Errorf("slackdouble: response_action push: push_limit_reached")
		}
		nv := s.newViewLocked(userID, obj)
		nv.rootID, nv.prevID = stack[0].id, v.id
		s.ws.stacks[userID] = append(stack, nv)
	default:
		return fmt.Errorf("slackdouble: unknown response_action %q", a.ResponseAction)
	}
	return nil
}

// CloseView closes the user's top open modal as the user would (Cancel or
// the close button). A view with clear_on_close closes the whole stack. When
// the view set notify_on_close, a view_closed payload is delivered and its
// ack returned; otherwise the Ack is empty.
func (s *Server) CloseView(ctx context.Context, userID, viewID string) (Ack, error) {
	s.mu.Lock()
	user, err := s.userRefLocked(userID)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	v, err := s.topViewLocked(userID, viewID)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	clearAll := v.flag("clear_on_close")
	notify := v.flag("notify_on_close")
	state, err := s.stateValuesLocked(v.blocks(), true, nil)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	payload := map[string]any{
		"type":                  "view_closed",
		"token":                 verificationToken,
		"api_app_id":            s.opts.AppID,
		"team":                  s.teamJSON(),
		"user":                  user,
		"is_enterprise_install": false,
		"enterprise":            nil,
		"view":                  s.viewJSON(v, map[string]any{"values": state}),
		"is_cleared":            clearAll,
	}
	s.popViewLocked(userID, clearAll)
	s.notifyLocked()
	s.mu.Unlock()
	if !notify {
		return Ack{}, nil
	}
	return s.deliver(ctx, newEnvelope("interactive", payload))
}
