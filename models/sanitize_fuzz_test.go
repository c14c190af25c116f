package models

import (
	"net/url"
	"strings"
	"testing"

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
