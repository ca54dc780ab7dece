package store

import (
	"errors"
	"testing"

	baton "github.com/batonhq/baton"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

func TestMapError(t *testing.T) {
	domain := baton.Errorf(baton.EForbidden, "Only the owner can do that.")
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"unique violation", &pq.Error{Code: pqerror.UniqueViolation}, baton.EConflict},
		{"foreign key violation", &pq.Error{Code: pqerror.ForeignKeyViolation}, baton.ENotFound},
		{"other postgres error", &pq.Error{Code: pqerror.CheckViolation}, baton.EInternal},
		{"plain error", errors.New("connection reset"), baton.EInternal},
		{"domain error", domain, baton.EForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := mapError("update task", tc.err)
			if got := baton.ErrorCode(err); got != tc.code {
				t.Fatalf("code = %s, want %s (%v)", got, tc.code, err)
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("%v does not keep %v in its chain", err, tc.err)
			}
			if tc.code == baton.EInternal && err.Error() != "store: update task: "+tc.err.Error() {
				t.Fatalf("internal error = %q", err)
			}
		})
	}
	if mapError("read task", nil) != nil {
		t.Fatal("mapError(nil) != nil")
	}
	if mapError("update task", domain) != error(domain) {
		t.Fatal("a domain error was wrapped")
	}
}
