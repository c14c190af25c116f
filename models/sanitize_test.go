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

// A library photo's figure (Media.BodyFigure) is the one raw HTML a body keeps, as
// written; anything else in that shape, or around it, is dropped or made text.
func TestBodyFigure(t *testing.T) {
	san := NewSanitizer()
	m := Media{Hash: "ab12", Ext: "jpg", Width: 1200, Height: 800, Sizes: []int{480, 960},
		Alt: `Waves "over" the wall?`, Caption: "<script>alert(1)</script>\nHigh tide", Credit: "Photo: AFP"}
	fig := m.BodyFigure()
	want := `<figure class="photo"><img src="/media/ab12-960.jpg" srcset="/media/ab12-480.jpg 480w, /media/ab12-960.jpg 960w, /media/ab12.jpg 1200w" ` +
		`sizes="(min-width: 48rem) 46rem, 100vw" width="1200" height="800" alt="Waves &#34;over&#34; the wall?" loading="lazy">` +
		`<figcaption>&lt;script&gt;alert(1)&lt;/script&gt; High tide <span class="credit">(Photo: AFP)</span></figcaption></figure>`
	if fig != want {
		t.Fatalf("figure\n%s\nwant\n%s", fig, want)
	}
	bare := Media{Hash: "cd34", Ext: "png", Width: 400, Height: 300, Alt: "A chart"}.BodyFigure()
	for _, tc := range []struct{ name, src, want string }{
		{"the figure", "Before.\n\n" + fig + "\n\nAfter.", "<p>Before.</p>\n" + want + "\n<p>After.</p>\n"},
		{"no caption or credit", bare, `<figure class="photo"><img src="/media/cd34.png" srcset="/media/cd34.png 400w" sizes="(min-width: 48rem) 46rem, 100vw" width="400" height="300" alt="A chart" loading="lazy"></figure>` + "\n"},
		{"a handler added", strings.Replace(fig, `loading="lazy"`, `loading="lazy" onerror="alert(1)"`, 1), "\n"},
		{"markup in the caption", strings.Replace(fig, "High tide", "<b>High</b> tide", 1), "\n"},
		{"a foreign source", strings.Replace(fig, `src="/media/ab12-960.jpg"`, `src="https://evil.example/x.jpg"`, 1), "\n"},
		{"a foreign srcset", strings.Replace(fig, `/media/ab12-480.jpg 480w`, `https://evil.example/x.jpg 480w`, 1),
			strings.Replace(want, ` srcset="/media/ab12-480.jpg 480w, /media/ab12-960.jpg 960w, /media/ab12.jpg 1200w"`, "", 1) + "\n"},
		{"other raw HTML", `<figure class="photo"><script>alert(1)</script></figure>`, "\n"},
	} {
		got, err := san.ArticleHTML(tc.src)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s:\n%s\nwant\n%s", tc.name, got, tc.want)
		}
	}
}
