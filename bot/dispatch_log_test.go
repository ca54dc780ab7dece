package bot

import (
	"context"
	"log/slog"
	"testing"

	"github.com/batonhq/baton/internal/logctx"
)

// What a handler logs carries the request it works for, so a reference a person is shown can be
// found in the logs with who did what where.
func TestHandlerLogsCarryTheRequest(t *testing.T) {
	logs := newLogRecorder()
	r := NewRouter()
	r.Command("/task", func(ctx context.Context, _ *Request) {
		logctx.From(ctx, slog.New(newLogRecorder())).ErrorContext(ctx, "request failed", "ref", "ab12cd34")
	})
	d := &Dispatcher{Router: r, Log: slog.New(logs)}
	d.Handle(context.Background(), slashEvent("env-7", "/task"), newAckRecorder().ack)
	waitIdle(t, d)
	got := logs.find("request failed")
	if len(got) != 1 {
		t.Fatalf("%d lines, want the handler's one", len(got))
	}
	want := map[string]any{"ref": "ab12cd34", "route": "command:/task", "team_id": "T1", "user_id": "U1", "envelope_id": "env-7"}
	for k, v := range want {
		if got[0].attrs[k] != v {
			t.Errorf("%s = %v, want %v (line: %v)", k, got[0].attrs[k], v, got[0].attrs)
		}
	}
}
