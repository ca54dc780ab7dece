package baton

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The domain stays pure: no file of the root package imports Slack, SQL, Redis or any other package
// of Baton.
func TestTheDomainImportsNoAdapter(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{"github.com/batonhq/baton/", "github.com/slack-go/", "github.com/jmoiron/sqlx", "github.com/lib/pq",
		"github.com/redis/", "database/sql", "net/http"}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if strings.HasPrefix(path, bad) {
					t.Errorf("%s imports %s", f, path)
				}
			}
		}
	}
	if checked < 30 {
		t.Fatalf("checked only %d files", checked)
	}
}
