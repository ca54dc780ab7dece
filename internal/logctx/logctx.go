// Package logctx carries the logger of one piece of work, a Slack request or a due job, in its
// context, so every line logged on its behalf says which one it was.
package logctx

import (
	"context"
	"log/slog"
)

type key struct{}

// carried is a logger and the attributes of the work, joined only when a line is logged: most work
// logs nothing, and joining them formats the attributes.
type carried struct {
	base  *slog.Logger
	attrs []slog.Attr
}

// With returns ctx carrying l.
func With(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, key{}, carried{base: l})
}

// WithAttrs returns ctx carrying base with attrs, for work on a path hot enough that building the
// logger up front would cost more than the work logs.
func WithAttrs(ctx context.Context, base *slog.Logger, attrs ...slog.Attr) context.Context {
	return context.WithValue(ctx, key{}, carried{base: base, attrs: attrs})
}

// From returns the logger ctx carries, or fallback when it carries none.
func From(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	c, ok := ctx.Value(key{}).(carried)
	if !ok {
		return fallback
	}
	if len(c.attrs) == 0 {
		return c.base
	}
	args := make([]any, len(c.attrs))
	for i, a := range c.attrs {
		args[i] = a
	}
	return c.base.With(args...)
}
