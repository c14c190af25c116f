package models

import (
	"context"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gosimple/unidecode"
	"golang.org/x/text/unicode/norm"
)

// transliterated are the scripts with a standard romanisation that unidecode (the
// table behind github.com/gosimple/slug) follows closely: "Щука" → "shchuka",
// "ψυχή" → "psukhe", "Երեւան" → "erewan". Abjads are left out on purpose: unidecode
// drops unwritten vowels ("مرحبا بالعالم" → "mrhb-bl-lm"), which nobody can read and
// which collides easily, and CJK comes out as toneless syllables; those scripts keep
// their own letters (percent-encoded in URLs).
var transliterated = []*unicode.RangeTable{unicode.Latin, unicode.Cyrillic, unicode.Greek, unicode.Armenian, unicode.Georgian}

// MaxSlugRunes bounds a slug; a long headline is cut at a word boundary.
const MaxSlugRunes = 80

// Slugify makes a URL slug: lower-case letters and digits joined by single hyphens.
// Latin accents are folded ("Café Müller" → "cafe-muller"), Cyrillic, Greek,
// Armenian and Georgian are transliterated, and letters of other scripts are kept
// (with their vowel signs) in NFC, so "موسیقی" stays "موسیقی". It is "" only for
// text without a letter or digit; callers that need a slug then choose a fallback.
func Slugify(s string) string {
	var b strings.Builder
	hyphen := false
	kept := false // the last rune written was a letter of a script kept as it is
	word := func(w string) {
		if hyphen && b.Len() > 0 {
			b.WriteByte('-')
		}
		hyphen, kept = false, false
		b.WriteString(w)
	}
	for _, r := range norm.NFC.String(s) {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			word(string(unicode.ToLower(r)))
		case unicode.In(r, transliterated...) && unicode.IsLetter(r):
			// A letter may romanise to several ("щ" → "shch") or, rarely, to none.
			for _, t := range unidecode.Unidecode(string(r)) {
				if t < utf8.RuneSelf && (unicode.IsLetter(t) || unicode.IsDigit(t)) {
					word(string(unicode.ToLower(t)))
				}
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word(string(unicode.ToLower(r)))
			kept = true
		case unicode.In(r, unicode.Mn, unicode.Mc) && kept:
			// Vowel signs and viramas belong to the letter before them ("नमस्ते").
			b.WriteRune(r)
		case unicode.In(r, unicode.Mn, unicode.Mc):
			// An accent NFC could not compose onto a Latin letter: dropped, as before.
		default:
			hyphen = true
		}
	}
	slug := b.String()
	if utf8.RuneCountInString(slug) > MaxSlugRunes {
		// Cut at a word boundary so a long headline does not end mid-word.
		slug = truncateRunes(slug, MaxSlugRunes)
		if i := strings.LastIndexByte(slug, '-'); i > 0 {
			slug = slug[:i]
		}
		slug = strings.TrimRight(slug, "-")
	}
	return slug
}

// freeSlug returns base, or base-2, base-3 … the first that taken reports free, so
// a repeated headline or name gets its own address instead of a conflict.
func freeSlug(ctx context.Context, base string, taken func(ctx context.Context, slug string) (bool, error)) (string, error) {
	for i := 1; ; i++ {
		slug := base
		if i > 1 {
			suffix := "-" + strconv.Itoa(i)
			slug = strings.TrimRight(truncateRunes(base, MaxSlugRunes-len(suffix)), "-") + suffix
		}
		t, err := taken(ctx, slug)
		if err != nil || !t {
			return slug, err
		}
	}
}

// articleSlugTaken reports whether an article uses slug or once did (its old
// address still redirects, so it cannot be handed to another story).
func articleSlugTaken(q querier) func(context.Context, string) (bool, error) {
	return func(ctx context.Context, slug string) (bool, error) {
		var taken bool
		err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM articles WHERE slug = ?)
			OR EXISTS (SELECT 1 FROM slug_redirects WHERE old_slug = ?)`, slug, slug).Scan(&taken)
		return taken, err
	}
}

// tableSlugTaken reports whether a row of table (sections, tags or users) has slug.
func tableSlugTaken(q querier, table string) func(context.Context, string) (bool, error) {
	return func(ctx context.Context, slug string) (bool, error) {
		var taken bool
		err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE slug = ?)`, slug).Scan(&taken)
		return taken, err
	}
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
