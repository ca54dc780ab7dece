package baton

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Values are a request's field values, typed: a number is a float64; select, text and long text are
// strings; a date is a time.Time at midnight UTC; a user is their Slack user ID. An empty field is absent.
type Values map[string]any

// Length limits of text values, as Slack's inputs allow.
const (
	MaxTextLen     = 250
	MaxLongTextLen = 3000
)

var (
	quickKeyRe = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_-]{0,31})=`)
	numberRe   = regexp.MustCompile(`^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$`)
	// currencySymbols are stripped from typed numbers along with the field's own currency code and unit.
	currencySymbols = []string{"$", "€", "£", "¥", "₹", "₽", "₩", "₪", "₺", "₫", "₴", "fr."}
	closingQuote    = map[rune]rune{'"': '"', '\'': '\'', '“': '”', '‘': '’'}
)

// ParseRequestQuick reads the text after /request: the type's name, then key=value pairs anywhere in
// the text (a value may be quoted: vendor="Acme Inc"), and the rest as free text.
// "purchase amount=12000 client_tier=enterprise New laptops" gives purchase,
// {amount: 12000, client_tier: enterprise} and "New laptops". Keys are lowercased; a later key wins.
func ParseRequestQuick(text string) (typeName string, raw map[string]string, rest string) {
	raw = map[string]string{}
	first, s := cutWord(UnescapeSlack(text))
	typeName = normalizeTypeName(first)
	var words []string
	for {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		if s == "" {
			break
		}
		if m := quickKeyRe.FindStringSubmatch(s); m != nil {
			var value string
			value, s = cutValue(s[len(m[0]):])
			raw[normalizeFieldName(m[1])] = value
			continue
		}
		var w string
		w, s = cutWord(s)
		words = append(words, w)
	}
	return typeName, raw, strings.Join(words, " ")
}

// cutValue takes one value off the front of s: a quoted run (straight or curly quotes), or up to the
// next space. An unclosed quote runs to the end.
func cutValue(s string) (value, rest string) {
	for open, end := range closingQuote {
		after, ok := strings.CutPrefix(s, string(open))
		if !ok {
			continue
		}
		i := strings.IndexFunc(after, func(r rune) bool { return r == end || (open == '“' && r == '"') })
		if i < 0 {
			return strings.TrimSpace(after), ""
		}
		_, size := firstRune(after[i:])
		return strings.TrimSpace(after[:i]), after[i+size:]
	}
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

// ValidateValues turns typed-in values into typed Values. fieldErrors, keyed by field name (or by the
// unknown key typed), says what is wrong with each value and how to write it; it is nil when all is well.
func ValidateValues(t *RequestType, raw map[string]string) (Values, map[string]string) {
	values := Values{}
	errs := map[string]string{}
	for _, key := range sortedKeys(raw) {
		f, ok := t.Field(key)
		if !ok {
			errs[key] = fmt.Sprintf("%s has no field %q. Its fields are %s.", t.Title, key, strings.Join(t.FieldNames(), ", "))
			continue
		}
		s := strings.TrimSpace(raw[key])
		if s == "" {
			continue
		}
		v, err := f.ParseValue(s)
		if err != nil {
			errs[f.Name] = ErrorMessage(err)
			continue
		}
		values[f.Name] = v
	}
	for _, f := range t.Fields {
		if _, given := values[f.Name]; f.Required && !given && errs[f.Name] == "" {
			errs[f.Name] = fmt.Sprintf("%s is required, for example %s=%s.", f.Label, f.Name, f.example())
		}
	}
	if len(errs) == 0 {
		return values, nil
	}
	return values, errs
}

// ParseValue reads one typed-in value: numbers may carry thousands separators and the currency or unit
// ("$12,000", "12000.50 USD"), a select matches its options ignoring case, a date is YYYY-MM-DD and a
// user is a mention.
func (f *Field) ParseValue(s string) (any, error) {
	s = strings.TrimSpace(s)
	switch f.Kind {
	case FieldNumber:
		return f.parseNumber(s)
	case FieldSelect:
		if i := slices.IndexFunc(f.Options, func(o string) bool { return strings.EqualFold(o, s) }); i >= 0 {
			return f.Options[i], nil
		}
		return nil, Errorf(EInvalid, "%q isn't an option for %s: pick one of %s.", s, f.Label, strings.Join(f.Options, ", "))
	case FieldDate:
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, Errorf(EInvalid, "%q isn't a date for %s: write it as YYYY-MM-DD, for example 2026-12-31.", s, f.Label)
		}
		return d, nil
	case FieldUser:
		if id, ok := userID(s); ok {
			return id, nil
		}
		return nil, Errorf(EInvalid, "%q isn't a person for %s: mention them with @ so Slack links their name.", s, f.Label)
	case FieldLongText:
		return f.parseText(s, MaxLongTextLen)
	}
	return f.parseText(s, MaxTextLen)
}

func (f *Field) parseText(s string, limit int) (any, error) {
	if n := len([]rune(s)); n > limit {
		return nil, Errorf(EInvalid, "%s is %d characters long; keep it to %d.", f.Label, n, limit)
	}
	return s, nil
}

func (f *Field) parseNumber(s string) (any, error) {
	n := strings.ToLower(s)
	for _, strip := range append([]string{strings.ToLower(f.Currency), strings.ToLower(f.Unit),
		strings.TrimSuffix(strings.ToLower(f.Unit), "s")}, currencySymbols...) {
		if strip != "" {
			n = strings.ReplaceAll(n, strip, "")
		}
	}
	n = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '_' {
			return -1
		}
		return r
	}, n)
	if !numberRe.MatchString(n) {
		return nil, Errorf(EInvalid, "%q isn't a number for %s: write it like 12000, 12,000 or 12000.50%s.", s, f.Label, f.inUnit())
	}
	digits := strings.ReplaceAll(n, ",", "")
	if significantDigits(digits) > MaxNumberDigits {
		return nil, Errorf(EInvalid, "%q has more digits than Baton keeps exactly for %s: use at most %d digits, for example 999,999,999,999,999 or 1234567890.12345.", s, f.Label, MaxNumberDigits)
	}
	v, err := strconv.ParseFloat(digits, 64)
	if err != nil {
		return nil, Errorf(EInvalid, "%q is too large a number for %s.", s, f.Label)
	}
	if f.Min != nil && v < *f.Min {
		return nil, Errorf(EInvalid, "%s must be at least %s.", f.Label, f.FormatValue(*f.Min))
	}
	if f.Max != nil && v > *f.Max {
		return nil, Errorf(EInvalid, "%s must be at most %s.", f.Label, f.FormatValue(*f.Max))
	}
	return v, nil
}

// MaxNumberDigits is how many significant digits a number field keeps: any number with at most 15
// is held and shown exactly as typed, never rounded.
const MaxNumberDigits = 15

// significantDigits counts the digits of a plain decimal number (like -0012.3400) that carry its
// value: leading zeros and the zeros ending its fraction don't.
func significantDigits(n string) int {
	n = strings.TrimLeft(strings.TrimPrefix(n, "-"), "0")
	if whole, frac, ok := strings.Cut(n, "."); ok {
		frac = strings.TrimRight(frac, "0")
		if whole == "" {
			return len(strings.TrimLeft(frac, "0"))
		}
		return len(whole) + len(frac)
	}
	return len(n)
}

func (f *Field) inUnit() string {
	switch {
	case f.Currency != "":
		return " (in " + f.Currency + ")"
	case f.Unit != "":
		return " (in " + f.Unit + ")"
	}
	return ""
}

func (f *Field) example() string {
	switch f.Kind {
	case FieldNumber:
		return "1200"
	case FieldSelect:
		return f.Options[0]
	case FieldDate:
		return "2026-12-31"
	case FieldUser:
		return "@name"
	}
	return `"…"`
}

// FormatValue writes a value as people read it: 12,000 USD, 15%, 3 days, 2026-12-31, <@U123>.
// An absent value reads "not given".
func (f *Field) FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "not given"
	case float64:
		s := formatNumber(x)
		switch {
		case f.Currency != "":
			return s + " " + f.Currency
		case f.Unit == "%":
			return s + "%"
		case f.Unit != "":
			return s + " " + f.Unit
		}
		return s
	case int:
		return f.FormatValue(float64(x))
	case int64:
		return f.FormatValue(float64(x))
	case time.Time:
		return x.Format(time.DateOnly)
	case string:
		if f.Kind == FieldUser {
			return "<@" + x + ">"
		}
		if f.Kind == FieldText || f.Kind == FieldLongText {
			return strconv.Quote(x)
		}
		return x
	}
	return fmt.Sprint(v)
}

// formatNumber writes 12000.5 as 12,000.5.
func formatNumber(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return sign + b.String()
}
