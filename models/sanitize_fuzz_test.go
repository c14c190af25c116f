package models

import (
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// webURL reports whether href is an absolute http or https URL (bluemonday may
// normalise odd ones, such as "http://#x" to "http:#x", which is still harmless).
func webURL(href string) bool {
	u, err := url.Parse(href)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https")
}

// FuzzCommentHTML asserts that whatever a commenter types, the sanitised output
// parses to only the allowed tags, only href (http/https) and rel on links, and
// nothing else.
func FuzzCommentHTML(f *testing.F) {
	for _, seed := range []string{
		"plain text", "two\n\nparagraphs\nand a break", "see https://example.com/a?b=c.",
		`<a href="javascript:alert(1)">x</a>`, `<img src=x onerror=alert(1)>`, `<b onclick="x()">b</b>`,
		`<<script>script>alert(1)<</script>/script>`, `<a href="https://x.example" style="x">y</a>`,
		`<svg><a xlink:href="javascript:1">z</a></svg>`, "<p>\x00</p>", `<a href=" https://ok">`,
	} {
		f.Add(seed)
	}
	san := NewSanitizer()
	allowed := map[string]bool{"p": true, "br": true, "a": true, "b": true, "strong": true, "i": true, "em": true,
		"blockquote": true, "code": true, "del": true}
	f.Fuzz(func(t *testing.T, src string) {
		out := string(san.CommentHTML(src))
		nodes, err := html.ParseFragment(strings.NewReader(out), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
		if err != nil {
			t.Fatalf("output does not parse: %v", err)
		}
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				if !allowed[n.Data] {
					t.Fatalf("element <%s> in %q (from %q)", n.Data, out, src)
				}
				for _, a := range n.Attr {
					ok := n.Data == "a" && ((a.Key == "href" && webURL(a.Val)) ||
						(a.Key == "rel" && a.Val == "nofollow ugc noopener"))
					if !ok || a.Namespace != "" {
						t.Fatalf("attribute %s=%q on <%s> in %q (from %q)", a.Key, a.Val, n.Data, out, src)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		for _, n := range nodes {
			walk(n)
		}
	})
}

// assertSafeArticleHTML fails if sanitised article HTML keeps a script-capable element,
// an event handler, a style attribute or a javascript: URL, judged on the parsed output
// (text may say "onerror=" harmlessly).
func assertSafeArticleHTML(t *testing.T, in, out string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "script", "style", "iframe", "object", "embed", "form", "input", "svg", "math":
			t.Fatalf("sanitising %q keeps <%s>: %s", in, tok.Data, out)
		}
		for _, a := range tok.Attr {
			v := strings.ToLower(strings.TrimSpace(a.Val))
			if strings.HasPrefix(a.Key, "on") || a.Key == "style" || strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") {
				t.Fatalf("sanitising %q keeps %s=%q: %s", in, a.Key, a.Val, out)
			}
		}
	}
}

// FuzzArticleHTML: whatever an editor types as Markdown (raw HTML included), the
// rendered body is safe to serve.
func FuzzArticleHTML(f *testing.F) {
	for _, s := range []string{"# Head\n\nPara with **bold** and [a link](https://example.com).",
		"<script>alert(1)</script>", "[x](javascript:alert(1))", "![img](data:image/png;base64,AAAA)",
		"<img src=x onerror=alert(1)>", "```\n<script>\n```", "| a | b |\n|---|---|\n| <b onclick=x>1</b> | 2 |",
		"<a href=\"JaVaScRiPt:x\">y</a>", "[link](<javascript:alert(1)>)", "<svg onload=alert(1)>",
		Media{Hash: "ab12", Ext: "jpg", Width: 1200, Height: 800, Sizes: []int{480, 960}, Alt: "a", Caption: "c", Credit: "d"}.BodyFigure()} {
		f.Add(s)
	}
	san := NewSanitizer()
	f.Fuzz(func(t *testing.T, src string) {
		out, err := san.ArticleHTML(src)
		if err != nil {
			t.Fatalf("ArticleHTML(%q): %v", src, err)
		}
		assertSafeArticleHTML(t, src, string(out))
	})
}

// FuzzSlugify: a slug is lower-case letters (of any script, with their vowel signs),
// digits and single inner hyphens, at most MaxSlugRunes runes of valid UTF-8, and
// slugifying a slug changes nothing.
func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Talks resume in Tehran", "Café Müller", "---", "日本語", "a--b", "ǅemal", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		slug := Slugify(s)
		if utf8.RuneCountInString(slug) > MaxSlugRunes || !utf8.ValidString(slug) || strings.HasPrefix(slug, "-") ||
			strings.HasSuffix(slug, "-") || strings.Contains(slug, "--") {
			t.Fatalf("Slugify(%q) = %q", s, slug)
		}
		for _, r := range slug {
			if !(r == '-' || unicode.IsDigit(r) || unicode.IsLetter(r) && !unicode.IsUpper(r) || unicode.In(r, unicode.Mn, unicode.Mc)) {
				t.Fatalf("Slugify(%q) = %q has %q", s, slug, r)
			}
		}
		if Slugify(slug) != slug {
			t.Fatalf("Slugify is not idempotent on %q: %q", slug, Slugify(slug))
		}
	})
}

// FuzzImportedArticleHTML: no imported body keeps a script, an event handler or a
// javascript: link, judged on the parsed output (text may say "onerror=" harmlessly).
func FuzzImportedArticleHTML(f *testing.F) {
	san := NewSanitizer()
	for _, s := range []string{"One.\n\nTwo", `<p onclick="x()">Hi</p>`, "<script>alert(1)</script>", `<a href="javascript:alert(1)">x</a>`,
		"<!-- wp:paragraph -->\n<p>Block</p>", "<img src=x onerror=alert(1)>", `<a href=" JaVaScRiPt:x">y</a>`,
		`<figure class="gallery link-card x"><img src="/media/ab.png" srcset="/media/ab.png 10w, javascript:x 20w"></figure>`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		assertSafeArticleHTML(t, s, string(san.ImportedArticleHTML(s)))
	})
}
