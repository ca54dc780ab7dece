package baton

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/ext"
)

// celRequester is the requester as conditions see it: requester.id, requester.groups, requester.manager.
type celRequester struct {
	ID      string   `cel:"id"`
	Groups  []string `cel:"groups"`
	Manager string   `cel:"manager"`
}

const (
	celRequesterType = "baton.celRequester"
	// maxConditionLen bounds a condition's length in bytes.
	maxConditionLen = 1000
	// conditionCostLimit stops a condition that would run away (long comprehensions) at evaluation.
	conditionCostLimit = 100_000
)

// celReserved are names a field may not take: the other variables and CEL's reserved words.
var celReserved = map[string]bool{
	"requester": true, "now": true,
	"true": true, "false": true, "null": true, "in": true, "as": true, "break": true, "const": true,
	"continue": true, "else": true, "for": true, "function": true, "if": true, "import": true, "let": true,
	"loop": true, "package": true, "namespace": true, "return": true, "var": true, "void": true, "while": true,
}

var (
	arithmeticOps = []string{operators.Add, operators.Subtract, operators.Multiply, operators.Divide, operators.Negate}
	// sameTypeOps need both sides of one type for CEL's checker.
	sameTypeOps = []string{operators.Equals, operators.NotEquals, operators.Less, operators.LessEquals,
		operators.Greater, operators.GreaterEquals, operators.Add, operators.Subtract, operators.Multiply, operators.Divide}
)

// baseEnv holds what every request type's conditions share; each type extends it with its fields.
var baseEnv = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(
		cel.CrossTypeNumericComparisons(true),
		ext.NativeTypes(reflect.TypeFor[celRequester](), ext.ParseStructTags(true)),
		cel.Variable("requester", cel.ObjectType(celRequesterType)),
		cel.Variable("now", cel.TimestampType),
	)
})

// newTypeEnv declares a request type's fields as condition variables: numbers are doubles, dates are
// timestamps (midnight UTC), and select, text and user fields are strings (a user is their ID).
func newTypeEnv(t *RequestType) (*cel.Env, error) {
	base, err := baseEnv()
	if err != nil {
		return nil, err
	}
	vars := make([]cel.EnvOption, 0, len(t.Fields))
	for _, f := range t.Fields {
		typ := cel.StringType
		switch f.Kind {
		case FieldNumber:
			typ = cel.DoubleType
		case FieldDate:
			typ = cel.TimestampType
		}
		vars = append(vars, cel.Variable(f.Name, typ))
	}
	return base.Extend(vars...)
}

// condition is a compiled, type-checked CEL condition and what it reads, for explanations.
type condition struct {
	src       string
	prog      cel.Program
	fields    []string // field names the condition reads, in order
	requester []string // requester attributes it reads: id, groups, manager
}

// compileCondition parses, checks and plans a condition over t's fields. Whole-number literals next to
// numbers become decimals, so `amount == 100` means what its writer meant. A select compared with a
// word outside its options is refused, as is anything that is not true or false.
func compileCondition(t *RequestType, src string) (*condition, error) {
	if len(src) > maxConditionLen {
		return nil, fmt.Errorf("the condition is %d characters long; keep it under %d", len(src), maxConditionLen)
	}
	parsed, iss := t.env.Parse(src)
	if iss.Err() != nil {
		return nil, celProblem(t, iss.Errors())
	}
	root := parsed.NativeRep().Expr()
	t.promoteNumbers(root)
	if err := t.checkOptions(root); err != nil {
		return nil, err
	}
	checked, iss := t.env.Check(parsed)
	if iss.Err() != nil {
		return nil, celProblem(t, iss.Errors())
	}
	if out := checked.OutputType(); !out.IsExactType(cel.BoolType) {
		return nil, fmt.Errorf("the condition must be true or false, but `%s` gives %s", src, celTypeWord(out))
	}
	prog, err := t.env.Program(checked, cel.CostLimit(conditionCostLimit))
	if err != nil {
		return nil, fmt.Errorf("the condition can't run: %v", err)
	}
	c := &condition{src: src, prog: prog}
	ast.PreOrderVisit(checked.NativeRep().Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		switch e.Kind() {
		case ast.IdentKind:
			if _, ok := t.Field(e.AsIdent()); ok && !slices.Contains(c.fields, e.AsIdent()) {
				c.fields = append(c.fields, e.AsIdent())
			}
		case ast.SelectKind:
			sel := e.AsSelect()
			if op := sel.Operand(); op.Kind() == ast.IdentKind && op.AsIdent() == "requester" && !slices.Contains(c.requester, sel.FieldName()) {
				c.requester = append(c.requester, sel.FieldName())
			}
		}
	}))
	return c, nil
}

// eval runs the condition over an activation made by RequestType.activation.
func (c *condition) eval(vars map[string]any) (bool, error) {
	out, _, err := c.prog.Eval(vars)
	if err != nil {
		return false, err
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("gave %v, not true or false", out.Value())
	}
	return b, nil
}

// activation is what conditions see for one request. A field left empty reads as its zero value:
// 0, "", or the first moment of 1970 for a date.
func (t *RequestType) activation(values Values, req celRequester, now time.Time) (map[string]any, error) {
	vars := make(map[string]any, len(t.Fields)+2)
	vars["requester"] = req
	vars["now"] = now.UTC()
	for i := range t.Fields {
		f := &t.Fields[i]
		v, err := f.celValue(values[f.Name])
		if err != nil {
			return nil, err
		}
		vars[f.Name] = v
	}
	return vars, nil
}

func (f *Field) celValue(v any) (any, error) {
	switch f.Kind {
	case FieldNumber:
		switch n := v.(type) {
		case nil:
			return 0.0, nil
		case float64:
			return n, nil
		case int:
			return float64(n), nil
		case int64:
			return float64(n), nil
		}
	case FieldDate:
		switch d := v.(type) {
		case nil:
			return time.Unix(0, 0).UTC(), nil
		case time.Time:
			return d, nil
		}
	default:
		switch s := v.(type) {
		case nil:
			return "", nil
		case string:
			return s, nil
		}
	}
	return nil, fmt.Errorf("request field %s holds a %T, not a %s value", f.Name, v, f.Kind)
}

// promoteNumbers turns whole-number literals compared with, or combined with, a number field into
// decimals: CEL's checker refuses `double == int`.
func (t *RequestType) promoteNumbers(root ast.Expr) {
	fac := ast.NewExprFactory()
	promote := func(e ast.Expr) {
		if e.Kind() != ast.LiteralKind {
			return
		}
		if n, ok := e.AsLiteral().(types.Int); ok {
			e.SetKindCase(fac.NewLiteral(e.ID(), types.Double(n)))
		}
	}
	ast.PostOrderVisit(root, ast.NewExprVisitor(func(e ast.Expr) {
		if e.Kind() != ast.CallKind {
			return
		}
		call := e.AsCall()
		args := call.Args()
		switch fn := call.FunctionName(); {
		case slices.Contains(sameTypeOps, fn) && slices.ContainsFunc(args, t.isDecimal):
			for _, a := range args {
				promote(a)
			}
		case fn == operators.In && len(args) == 2 && args[1].Kind() == ast.ListKind && t.isDecimal(args[0]):
			for _, el := range args[1].AsList().Elements() {
				promote(el)
			}
		}
	}))
}

// isDecimal says, from syntax alone, whether an expression is a number field or arithmetic on one.
func (t *RequestType) isDecimal(e ast.Expr) bool {
	switch e.Kind() {
	case ast.IdentKind:
		f, ok := t.Field(e.AsIdent())
		return ok && f.Name == e.AsIdent() && f.Kind == FieldNumber
	case ast.LiteralKind:
		_, ok := e.AsLiteral().(types.Double)
		return ok
	case ast.CallKind:
		call := e.AsCall()
		return slices.Contains(arithmeticOps, call.FunctionName()) && slices.ContainsFunc(call.Args(), t.isDecimal)
	}
	return false
}

// checkOptions refuses a select field compared with a word that is not one of its options ("" is
// allowed: it is how a condition asks whether the field was left empty).
func (t *RequestType) checkOptions(root ast.Expr) error {
	var problem error
	ast.PreOrderVisit(root, ast.NewExprVisitor(func(e ast.Expr) {
		if problem != nil || e.Kind() != ast.CallKind {
			return
		}
		call := e.AsCall()
		args := call.Args()
		if len(args) != 2 {
			return
		}
		var f *Field
		var words []ast.Expr
		switch call.FunctionName() {
		case operators.Equals, operators.NotEquals:
			if f = t.selectField(args[0]); f != nil {
				words = args[1:]
			} else if f = t.selectField(args[1]); f != nil {
				words = args[:1]
			}
		case operators.In:
			if f = t.selectField(args[0]); f != nil && args[1].Kind() == ast.ListKind {
				words = args[1].AsList().Elements()
			}
		}
		for _, w := range words {
			if w.Kind() != ast.LiteralKind {
				continue
			}
			s, ok := w.AsLiteral().(types.String)
			if !ok || s == "" || slices.Contains(f.Options, string(s)) {
				continue
			}
			hint := "pick one of " + strings.Join(f.Options, ", ")
			if i := slices.IndexFunc(f.Options, func(o string) bool { return strings.EqualFold(o, string(s)) }); i >= 0 {
				hint = fmt.Sprintf("write it as %q", f.Options[i])
			}
			problem = fmt.Errorf("%s is compared with %q, which is not one of its options; %s", f.Name, string(s), hint)
			return
		}
	}))
	return problem
}

func (t *RequestType) selectField(e ast.Expr) *Field {
	if e.Kind() != ast.IdentKind {
		return nil
	}
	f, ok := t.Field(e.AsIdent())
	if !ok || f.Name != e.AsIdent() || f.Kind != FieldSelect {
		return nil
	}
	return f
}

// celProblem turns CEL's first complaint into a sentence for whoever wrote the condition.
func celProblem(t *RequestType, errs []*cel.Error) error {
	if len(errs) == 0 {
		return errors.New("the condition could not be read")
	}
	e := errs[0]
	msg := strings.Replace(e.Message, " (in container '')", "", 1)
	if rest, ok := strings.CutPrefix(msg, "Syntax error: "); ok {
		rest, _, _ = strings.Cut(rest, " expecting")
		return fmt.Errorf("syntax error at column %d: %s", e.Location.Column()+1, rest)
	}
	if strings.HasPrefix(msg, "undeclared reference") && !strings.Contains(msg, "did you mean") {
		names := append(t.FieldNames(), "requester.id", "requester.groups", "requester.manager", "now")
		msg += "; conditions can use " + strings.Join(names, ", ")
	}
	if strings.HasPrefix(msg, "undefined field") {
		msg += "; requester has id, groups and manager"
	}
	return errors.New(msg)
}

func celTypeWord(t *types.Type) string {
	switch {
	case t.IsExactType(cel.DoubleType), t.IsExactType(cel.IntType), t.IsExactType(cel.UintType):
		return "a number"
	case t.IsExactType(cel.StringType):
		return "text"
	case t.IsExactType(cel.TimestampType):
		return "a date"
	case t.IsExactType(cel.DurationType):
		return "a duration"
	}
	return "a value of type " + t.String()
}
