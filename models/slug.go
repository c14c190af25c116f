package models

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Slugify makes a URL slug: lower-case ASCII letters and digits joined by single
// hyphens, accents folded ("Café Müller" → "cafe-muller"), at most 80 characters.
func Slugify(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r): // combining accents: drop
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(unicode.ToLower(r))
		default:
			hyphen = true
		}
	}
	slug := b.String()
	if len(slug) > 80 {
		// Cut at a word boundary so a long headline does not end mid-word.
		slug = slug[:80]
		if i := strings.LastIndexByte(slug, '-'); i > 0 {
			slug = slug[:i]
		}
	}
	return slug
}
