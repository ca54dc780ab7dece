// Package baton is the domain of Baton: tasks and their rules, with no Slack, SQL or Redis in sight.
// Everything else in the module is an adapter around these types.
package baton

import (
	"errors"
	"fmt"
)

// Error codes carried by domain errors. Anything without a code is internal.
const (
	EInvalid   = "invalid"
	ENotFound  = "not_found"
	EForbidden = "forbidden"
	EConflict  = "conflict"
	// EUnavailable: a server Baton keeps its records in did not answer; nothing is wrong with what
	// the person asked, and asking again soon may work.
	EUnavailable = "unavailable"
	EInternal    = "internal"
)

// Error is a failure the user can act on: its Message is written for them.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf builds a domain error with a user-facing message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of a domain error anywhere in err's chain, or EInternal.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of a domain error, or "" when err is internal.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}
