package md

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// sendFile is the one file that turns a Text into what slack-go sends.
const sendFile = "handlers/markup.go"

// TestTextReachesSlackOnlyAsText reads every Go file of the module (tests and the Slack double
// aside) and refuses the ways around this package: a string converted to Text, a format that is
// not a constant, and any mrkdwn text object or message text built outside sendFile.
func TestTextReachesSlackOnlyAsText(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && strings.HasPrefix(d.Name(), ".") || rel == "bot/md" || rel == "bot/slackdouble" || rel == "scheduler/asynqbench" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		checked++
		for _, p := range violations(f, rel == sendFile) {
			t.Errorf("%s: %s", fset.Position(p.pos), p.what)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files; is the module root %s?", checked, root)
	}
}

type violation struct {
	pos  token.Pos
	what string
}

func violations(f *ast.File, isSendFile bool) []violation {
	mdName, slackName := importName(f, "github.com/batonhq/baton/bot/md", "md"), importName(f, "github.com/slack-go/slack", "slack")
	var out []violation
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if isSel(n.Fun, mdName, "Text") && len(n.Args) == 1 && !isConstString(n.Args[0]) {
				out = append(out, violation{n.Pos(), "a string converted to md.Text: build it with md.F, md.Esc or another md constructor"})
			}
			if isSel(n.Fun, mdName, "F") && len(n.Args) > 0 && !isConstString(n.Args[0]) {
				out = append(out, violation{n.Pos(), "md.F with a format that is not a constant"})
			}
			if !isSendFile && (isSel(n.Fun, slackName, "MsgOptionText") || isSel(n.Fun, slackName, "NewTextBlockObject")) {
				out = append(out, violation{n.Pos(), "Slack text built outside " + sendFile + ": use its helpers, which take md.Text"})
			}
		case *ast.CompositeLit:
			if !isSendFile && isSel(n.Type, slackName, "TextBlockObject") {
				out = append(out, violation{n.Pos(), "slack.TextBlockObject literal outside " + sendFile})
			}
		}
		return true
	})
	return out
}

func importName(f *ast.File, path, def string) string {
	for _, imp := range f.Imports {
		if strings.Trim(imp.Path.Value, `"`) == path {
			if imp.Name != nil {
				return imp.Name.Name
			}
			return def
		}
	}
	return ""
}

func isSel(e ast.Expr, pkg, name string) bool {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			break
		}
		e = p.X
	}
	s, ok := e.(*ast.SelectorExpr)
	if !ok || pkg == "" {
		return false
	}
	id, ok := s.X.(*ast.Ident)
	return ok && id.Name == pkg && s.Sel.Name == name
}

// isConstString reports whether e is a string literal or a concatenation of them.
func isConstString(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return e.Kind == token.STRING
	case *ast.ParenExpr:
		return isConstString(e.X)
	case *ast.BinaryExpr:
		return e.Op == token.ADD && isConstString(e.X) && isConstString(e.Y)
	}
	return false
}

func TestGuardCatchesTheWaysAround(t *testing.T) {
	src := `package x
import (
	"fmt"
	"github.com/batonhq/baton/bot/md"
	"github.com/slack-go/slack"
)
func f(title string) {
	_ = md.Text(title)
	_ = md.F(title)
	_ = slack.MsgOptionText(fmt.Sprintf("%s", title), false)
	_ = slack.NewTextBlockObject("mrkdwn", title, false, false)
	_ = &slack.TextBlockObject{Type: "mrkdwn", Text: title}
	_ = md.Text("constant") + md.F("%s", title)
	_ = (md.Text)(title)
}`
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := violations(f, false); len(got) != 6 {
		t.Fatalf("found %d ways around, want 6: %v", len(got), got)
	}
}
