package logctx_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/batonhq/baton/internal/logctx"
)

func TestTheLoggerTravelsWithTheWork(t *testing.T) {
	var buf bytes.Buffer
	base := slog.New(slog.NewTextHandler(&buf, nil))
	ctx := logctx.With(context.Background(), base.With("route", "/task", "user_id", "UANA"))
	logctx.From(context.WithoutCancel(ctx), base).Info("task created")
	if line := buf.String(); !strings.Contains(line, "route=/task") || !strings.Contains(line, "user_id=UANA") {
		t.Errorf("the request's logger was lost: %s", line)
	}
	buf.Reset()
	logctx.From(context.Background(), base).Info("job fired")
	if line := buf.String(); strings.Contains(line, "route=") || !strings.Contains(line, "job fired") {
		t.Errorf("work with no logger of its own logs with the fallback: %s", line)
	}
}

func TestAttributesJoinTheLoggerWhenALineIsLogged(t *testing.T) {
	var buf bytes.Buffer
	base := slog.New(slog.NewTextHandler(&buf, nil))
	ctx := logctx.WithAttrs(context.Background(), base, slog.String("job_kind", "digest.send"), slog.String("team_id", "T9"))
	logctx.From(ctx, nil).Info("digest sent", "count", 3)
	if line := buf.String(); !strings.Contains(line, "job_kind=digest.send") || !strings.Contains(line, "team_id=T9") || !strings.Contains(line, "count=3") {
		t.Errorf("the job's attributes were lost: %s", line)
	}
}
