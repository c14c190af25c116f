package models

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSlugify(t *testing.T) {
	cases := map[string]string{
		"Talks resume in Tehran":        "talks-resume-in-tehran",
		"  Café Müller's 2nd   Show!! ": "cafe-muller-s-2nd-show",
		"---":                           "",
		"Ünïcödé & ASCII":               "unicode-ascii",
		// Scripts with a standard romanisation are transliterated …
		"Щука и ёж в Москве": "shchuka-i-iozh-v-moskve",
		"Γειά σου Κόσμε":     "geia-sou-kosme",
		"Երեւան, մայրաքաղաք": "erewan-mayrakaghak",
		"ლამაზი ქალაქი":      "lamazi-kalaki",
		// … others keep their letters (and vowel signs), lower-cased where the script has case.
		"مرحبا بالعالم": "مرحبا-بالعالم",
		"موسیقی و هنر":  "موسیقی-و-هنر",
		"日本語のニュース":      "日本語のニュース",
		"नमस्ते दुनिया": "नमस्ते-दुनिया",
		"שלום, עולם!":   "שלום-עולם",
		"Tokyo 東京 2026": "tokyo-東京-2026",
	}
	for in, want := range cases {
		got := Slugify(in)
		if got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
		if Slugify(got) != got { // the article form checks a typed slug this way
			t.Errorf("Slugify(%q) = %q is not stable", got, Slugify(got))
		}
	}
	for _, long := range []string{strings.Repeat("word ", 100), strings.Repeat("خبر ", 100)} {
		got := Slugify(long)
		if utf8.RuneCountInString(got) > MaxSlugRunes || strings.HasSuffix(got, "-") || !utf8.ValidString(got) {
			t.Errorf("long slug %q (%d runes)", got, utf8.RuneCountInString(got))
		}
	}
}

// A repeated headline, section, tag or display name gets its own address ("-2")
// instead of an error or someone else's page.
func TestRepeatedNamesGetTheirOwnSlugs(t *testing.T) {
	s := newTestDB(t)
	ctx := context.Background()
	one := func(q string, args ...any) (v string) { // one value, as text
		t.Helper()
		if err := s.R.QueryRow(q, args...).Scan(&v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return v
	}
	sec, err := s.Sections.Create(ctx, "C++", "")
	if err != nil {
		t.Fatal(err)
	}
	sec2, err := s.Sections.Create(ctx, "C#", "")
	if err != nil {
		t.Fatalf("a second section whose name makes the same slug: %v", err)
	}
	if sec.Slug != "c" || sec2.Slug != "c-2" {
		t.Errorf("section slugs %q and %q, want c and c-2", sec.Slug, sec2.Slug)
	}
	var slugs []string
	for _, title := range []string{"Новости дня", "Новости дня", "!!!", "مرحبا بالعالم"} {
		id, err := s.Articles.Create(ctx, testNow, ArticleInput{Title: title, SectionID: sec.ID, Status: StatusDraft,
			Body: "text", Tags: []string{"C++", "C#"}})
		if err != nil {
			t.Fatalf("%q: %v", title, err)
		}
		slugs = append(slugs, one("SELECT slug FROM articles WHERE id = ?", id))
	}
	if want := "novosti-dnia novosti-dnia-2 article مرحبا-بالعالم"; strings.Join(slugs, " ") != want {
		t.Errorf("article slugs %q, want %q", slugs, want)
	}
	if got := one("SELECT string_agg(name || '=' || slug, ' ' ORDER BY id) FROM tags"); got != "C++=c C#=c-2" {
		t.Errorf("tags %s, want C++=c C#=c-2", got)
	}
	if n := one("SELECT count(DISTINCT tag_id) FROM article_tags"); n != "2" {
		t.Errorf("articles carry %s distinct tags, want 2", n)
	}
	for i, name := range []string{"Anna Maria", "Anna-Maria"} {
		if _, err := s.Users.Create(ctx, testNow, NewUser{Email: fmt.Sprintf("anna%d@example.org", i),
			Name: name, Password: "correct horse battery"}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if got := one("SELECT string_agg(slug, ' ' ORDER BY id) FROM users"); got != "anna-maria anna-maria-2" {
		t.Errorf("user slugs %q", got)
	}
}
