package timeline

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxFreeText bounds the clinical free text (reasons, notes) quoted in one
// summary; the source record holds the rest.
const maxFreeText = 200

// when renders an instant in Europe/London, naming the zone (GMT or BST).
func (p *Projector) when(t time.Time) string {
	if t.IsZero() {
		return "an unrecorded time"
	}
	return t.In(p.loc).Format("Mon 2 Jan 2006, 15:04 MST")
}

// day renders a calendar date ("2026-12-01") as "Tue 1 Dec 2026". Dates are
// days in the local calendar, not instants, so no zone applies.
func day(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return ident(d)
	}
	return t.Format("Mon 2 Jan 2006")
}

// who names a clinician as the event gives them: "para-jess-patel
// (paramedic)".
func who(id, role string) string {
	id, r := ident(id), roleName(role)
	switch {
	case id == "" && r == "":
		return "an unnamed clinician"
	case id == "":
		return "a " + r
	case r == "":
		return id
	}
	return id + " (" + r + ")"
}

// roleName renders a directory role.
func roleName(role string) string {
	switch role {
	case "gp":
		return "GP"
	case "acp":
		return "ACP"
	}
	return words(role)
}

// words renders an enumeration value as words: "needs-increased" becomes
// "needs increased".
func words(v string) string { return strings.ReplaceAll(ident(v), "-", " ") }

// ident cleans an id or code for display: one line, bounded.
func ident(s string) string { return clip(oneLine(s), 64) }

// free cleans clinical free text for display: one line, bounded.
func free(s string) string { return clip(oneLine(s), maxFreeText) }

// lowerFirst lower-cases a leading capital that starts an ordinary word
// ("Fall at home" → "fall at home") and leaves acronyms ("UTI") alone.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsUpper(r) {
		return s
	}
	if next, _ := utf8.DecodeRuneInString(s[n:]); !unicode.IsLower(next) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// oneLine replaces control characters and runs of spaces with one space.
func oneLine(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// clip cuts s to at most n runes, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return strings.TrimRight(string(rs[:n-1]), " ") + "…"
}

// join joins the non-empty parts with sep.
func join(sep string, parts ...string) string {
	kept := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// list joins items as "a, b and c".
func list(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// quoted appends free text after a colon when there is any.
func quoted(head, text string) string {
	if t := free(text); t != "" {
		return head + ": " + lowerFirst(t)
	}
	return head
}

// redacted replaces what may be an NHS number.
const redacted = "[number removed]"

// scrub is the last step of every summary and reason: one line, and any run
// of ten or more digits (allowing single spaces or hyphens between groups,
// as NHS numbers are written: "999 000 0069") replaced, so a number typed
// into free text never reaches a timeline.
func scrub(s string) string {
	s = oneLine(s)
	var b strings.Builder
	i := 0
	for i < len(s) {
		if !isDigit(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		// Extend over digits and single separators between digits.
		j, digits, lastDigit := i, 0, i
		for j < len(s) {
			if isDigit(s[j]) {
				digits++
				lastDigit = j
				j++
				continue
			}
			if (s[j] == ' ' || s[j] == '-') && j+1 < len(s) && isDigit(s[j+1]) {
				j++
				continue
			}
			break
		}
		if digits >= 10 {
			b.WriteString(redacted)
		} else {
			b.WriteString(s[i : lastDigit+1])
		}
		i = lastDigit + 1
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
