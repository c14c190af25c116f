package models

import (
	"html/template"
	"strings"
	"testing"
)

// An imported embed is a link card; with players on, YouTube and Vimeo cards get the
// sites' privacy-respecting player above the link, built from the video's id alone.
func TestWithVideoPlayers(t *testing.T) {
	s := NewSanitizer()
	card := func(href, caption string) string {
		return `<figure class="link-card"><figcaption>` + caption + `</figcaption><a href="` + href + `">` + href + `</a></figure>`
	}
	for _, tc := range []struct{ href, player string }{
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"https://m.youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"},
	} {
		body := template.HTML("<p>Before.</p>" + card(tc.href, "Video on YouTube") + "<p>After.</p>")
		got := string(s.WithVideoPlayers(body))
		want := `<figure class="link-card video"><iframe src="` + strings.ReplaceAll(tc.player, "&", "&amp;") + `" title="Video on YouTube"`
		if !strings.Contains(got, want) || !strings.Contains(got, `sandbox="allow-scripts allow-same-origin allow-presentation"`) ||
			!strings.Contains(got, `<a href="`+strings.ReplaceAll(tc.href, "&", "&amp;")+`">`) || !strings.HasPrefix(got, "<p>Before.</p>") ||
			!strings.HasSuffix(got, "<p>After.</p>") {
			t.Errorf("%s:\n%s\nwant it to hold %s and keep the link and the paragraphs", tc.href, got, want)
		}
	}
	// Anything else stays a link: other sites, ids of the wrong shape (a writer's text
	// never reaches a frame's address), other schemes, a figure that is not a card.
	for _, html := range []string{
		card("https://example.com/watch?v=dQw4w9WgXcQ", "Link to example.com"),
		card("https://www.youtube.com/watch?v=dQw4w9WgXcQ%22onload%3Dalert(1)", "x"),
		card("https://www.youtube.com/watch?v=short", "x"),
		card("javascript:alert(1)//youtube.com", "x"),
		card("https://vimeo.com/channels/staffpicks", "x"),
		`<figure class="gallery"><a href="https://youtu.be/dQw4w9WgXcQ">v</a></figure>`,
		"<p>No cards at all: https://youtu.be/dQw4w9WgXcQ</p>",
	} {
		if got := string(s.WithVideoPlayers(template.HTML(html))); strings.Contains(got, "<iframe") {
			t.Errorf("%s became a player:\n%s", html, got)
		}
	}
	// The caption is the frame's title as text: markup in it stays text.
	got := string(s.WithVideoPlayers(template.HTML(card("https://youtu.be/dQw4w9WgXcQ", "Tom &amp; Jerry &lt;b&gt;"))))
	if !strings.Contains(got, `title="Tom &amp; Jerry &lt;b&gt;"`) {
		t.Errorf("caption as title: %s", got)
	}
}
