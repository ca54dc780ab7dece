package baton

import "strings"

// DiffOp marks a line of a diff: kept, removed or added.
type DiffOp byte

// The kinds of diff lines.
const (
	DiffKeep   DiffOp = ' '
	DiffRemove DiffOp = '-'
	DiffAdd    DiffOp = '+'
)

// DiffLine is one line of a line diff.
type DiffLine struct {
	Op   DiffOp
	Text string
}

// maxDiffCells bounds the work of one diff: two texts whose differing middles would need a larger
// table are shown as all of the old removed and all of the new added.
const maxDiffCells = 1 << 20

// LineDiff compares two texts line by line (longest common subsequence) and returns every line of
// both in order: kept, removed or added. Equal texts give only kept lines.
func LineDiff(old, new string) []DiffLine {
	a, b := splitLines(old), splitLines(new)
	var out []DiffLine
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		out = append(out, DiffLine{DiffKeep, a[0]})
		a, b = a[1:], b[1:]
	}
	var tail []DiffLine
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		tail = append([]DiffLine{{DiffKeep, a[len(a)-1]}}, tail...)
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	out = append(out, lcsDiff(a, b)...)
	return append(out, tail...)
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
}

// lcsDiff diffs two line lists with a longest common subsequence table.
func lcsDiff(a, b []string) []DiffLine {
	out := make([]DiffLine, 0, len(a)+len(b))
	if len(a) == 0 || len(b) == 0 || (len(a)+1)*(len(b)+1) > maxDiffCells {
		for _, l := range a {
			out = append(out, DiffLine{DiffRemove, l})
		}
		for _, l := range b {
			out = append(out, DiffLine{DiffAdd, l})
		}
		return out
	}
	// lcs[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	w := len(b) + 1
	lcs := make([]int32, (len(a)+1)*w)
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			switch {
			case a[i] == b[j]:
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
				lcs[i*w+j] = lcs[(i+1)*w+j]
			default:
				lcs[i*w+j] = lcs[i*w+j+1]
			}
		}
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, DiffLine{DiffKeep, a[i]})
			i, j = i+1, j+1
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			out = append(out, DiffLine{DiffRemove, a[i]})
			i++
		default:
			out = append(out, DiffLine{DiffAdd, b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		out = append(out, DiffLine{DiffRemove, a[i]})
	}
	for ; j < len(b); j++ {
		out = append(out, DiffLine{DiffAdd, b[j]})
	}
	return out
}

// FormatDiff writes a diff as text: `- old line`, `+ new line`, and kept lines as `  line`, keeping
// only context kept lines around each change; a run of kept lines left out is shown as `  …`.
func FormatDiff(lines []DiffLine, context int) string {
	keep := make([]bool, len(lines))
	for i, l := range lines {
		if l.Op == DiffKeep {
			continue
		}
		for k := max(0, i-context); k <= min(len(lines)-1, i+context); k++ {
			keep[k] = true
		}
	}
	var b strings.Builder
	skipped := false
	for i, l := range lines {
		if !keep[i] {
			skipped = true
			continue
		}
		if skipped {
			b.WriteString("  …\n")
			skipped = false
		}
		b.WriteByte(byte(l.Op))
		b.WriteByte(' ')
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	if skipped && b.Len() > 0 {
		b.WriteString("  …\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// FieldDiff is how one field changed from one version to the next.
type FieldDiff struct {
	Field string
	Label string
	Lines []DiffLine
}

// DiffVersions says how each changed field of next differs from prev, in DecisionFieldOrder.
// With no previous version (prev is nil), every field next sets is shown as added.
func DiffVersions(prev *DecisionVersion, next DecisionVersion) []FieldDiff {
	var before DecisionFields
	if prev != nil {
		before = prev.DecisionFields
	}
	var out []FieldDiff
	for _, field := range ChangedFields(before, next.DecisionFields) {
		out = append(out, FieldDiff{Field: field, Label: DecisionFieldLabel(field),
			Lines: LineDiff(before.Value(field), next.DecisionFields.Value(field))})
	}
	return out
}
