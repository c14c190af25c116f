package models

import (
	"html/template"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestExcerpt(t *testing.T) {
	s := NewSanitizer()
	cases := []struct {
		in   template.HTML
		max  int
		want string
	}{
		{"<p>Short &amp; sweet.</p>", 160, "Short & sweet."},
		{"<p>The wall runs for just under four kilometres.</p><p>It can be raised.</p>", 30, "The wall runs for just under…"},
		{"<p>Words, words, words, words</p>", 14, "Words, words…"},
		{"<p>" + template.HTML(strings.Repeat("ü", 40)) + "</p>", 11, strings.Repeat("ü", 5) + "…"},
	}
	for _, c := range cases {
		got := s.Excerpt(c.in, c.max)
		if got != c.want {
			t.Errorf("Excerpt(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("Excerpt(%q) is not valid UTF-8", c.in)
		}
	}
}
