package models

import (
	"bytes"
	"cmp"
	"html"
	"html/template"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Sanitizer is the only producer of trusted HTML in Broadsheet. Its policies are
// built once (bluemonday policies are safe for concurrent use after that).
type Sanitizer struct {
	article  *bluemonday.Policy
	comment  *bluemonday.Policy
	strict   *bluemonday.Policy // no markup at all, for text taken from imported HTML
	markdown goldmark.Markdown
}

// NewSanitizer builds the article and comment policies.
func NewSanitizer() *Sanitizer {
	// Articles: editors write Markdown; goldmark renders it (never WithUnsafe, so raw
	// HTML in the source is dropped) and bluemonday then allows ordinary prose markup.
	art := bluemonday.UGCPolicy()
	art.RequireNoFollowOnLinks(false)
	art.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[a-zA-Z0-9_-]+$`)).OnElements("code")
	// Imported WordPress galleries and embeds: a figure marked as one, and images
	// from our own media library at every stored width.
	art.AllowAttrs("class").Matching(regexp.MustCompile(`^(?:gallery|link-card|photo)$`)).OnElements("figure")
	// Library photos inserted in the body (Media.BodyFigure): the credit after the caption.
	art.AllowAttrs("class").Matching(regexp.MustCompile(`^credit$`)).OnElements("span")
	// Any alt text: it is an attribute, always escaped, and the UGC policy's narrow
	// pattern would drop a description holding a quote or a question mark.
	art.AllowAttrs("alt").Matching(regexp.MustCompile(`^[^<>]*$`)).OnElements("img")
	art.AllowAttrs("loading").Matching(regexp.MustCompile(`^lazy$`)).OnElements("img")
	art.AllowAttrs("srcset").Matching(regexp.MustCompile(`^/media/[0-9a-f]+(?:-[0-9]+)?\.[a-z]+ [0-9]+w(?:, /media/[0-9a-f]+(?:-[0-9]+)?\.[a-z]+ [0-9]+w)*$`)).OnElements("img")
	art.AllowAttrs("sizes").Matching(regexp.MustCompile(`^[a-z0-9 :().,-]+$`)).OnElements("img")

	// Comments: a small, inline-ish subset. No images, styles, tables or iframes.
	com := bluemonday.NewPolicy()
	com.AllowElements("p", "br", "b", "strong", "i", "em", "blockquote", "code", "del")
	com.AllowAttrs("href").OnElements("a")
	com.AllowURLSchemes("http", "https")
	com.RequireParseableURLs(true)
	com.RequireNoFollowOnLinks(true)
	com.AddTargetBlankToFullyQualifiedLinks(false)
	com.AllowRelativeURLs(false)
	com.RequireNoReferrerOnLinks(false)

	// Raw HTML in Markdown is dropped (never WithUnsafe), except a library photo's figure.
	md := goldmark.New(goldmark.WithExtensions(extension.Strikethrough, extension.Table, extension.Linkify),
		goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(figureRenderer{}, 100))))
	return &Sanitizer{article: art, comment: com, strict: bluemonday.StrictPolicy(), markdown: md}
}

// ArticleHTML renders an article body from Markdown and sanitises the result.
func (s *Sanitizer) ArticleHTML(src string) (template.HTML, error) {
	var buf bytes.Buffer
	if err := s.markdown.Convert([]byte(src), &buf); err != nil {
		return "", err
	}
	return template.HTML(s.article.SanitizeBytes(buf.Bytes())), nil
}

// figureBlock is the one shape of raw HTML a Markdown body may hold: a library photo
// as Media.BodyFigure writes it, its words escaped text. The article policy still
// checks every attribute after this (the srcset must name our own files).
var figureBlock = regexp.MustCompile(`^<figure class="photo"><img src="/media/[0-9a-f]+(?:-[0-9]+)?\.[a-z]+" srcset="[^"<>]*" sizes="[^"<>]*" width="[0-9]+" height="[0-9]+" alt="[^"<>]*" loading="lazy">` +
	`(?:<figcaption>[^<>]*(?:<span class="credit">[^<>]*</span>)?</figcaption>)?</figure>$`)

// figureRenderer writes an HTML block of the Markdown through when it is a library
// photo's figure; any other raw HTML is left out, as goldmark does by default.
type figureRenderer struct{}

func (figureRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHTMLBlock, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkSkipChildren, nil
		}
		var raw bytes.Buffer
		lines := n.Lines()
		for i := range lines.Len() {
			seg := lines.At(i)
			raw.Write(seg.Value(src))
		}
		if block := bytes.TrimSpace(raw.Bytes()); figureBlock.Match(block) {
			_, _ = w.Write(block)
			_, _ = w.WriteString("\n")
		} else {
			_, _ = w.WriteString("<!-- raw HTML omitted -->\n")
		}
		return ast.WalkSkipChildren, nil
	})
}

// ForeignImage returns the address of the first image in Markdown src that is not a
// photo of our media library (/media/…), or "". The site's Content-Security-Policy
// lets readers' browsers load images only from the site itself, so such an image
// would show as broken; and a picture on someone else's server can change or vanish.
func (s *Sanitizer) ForeignImage(src string) string {
	doc := s.markdown.Parser().Parse(text.NewReader([]byte(src)))
	found := ""
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering && !strings.HasPrefix(string(img.Destination), "/media/") {
			found = string(img.Destination)
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return found
}

// ImportedArticleHTML sanitises an article body that is already HTML (imported from
// WordPress, and given its paragraphs by the importer) with the article policy,
// without the Markdown step.
func (s *Sanitizer) ImportedArticleHTML(src string) template.HTML {
	return template.HTML(s.article.Sanitize(src))
}

// PlainText strips every tag from an imported string (titles, excerpts) and decodes
// its entities ("Tom &#038; Jerry" → "Tom & Jerry"). The result is text for
// templates to escape, not HTML.
func (s *Sanitizer) PlainText(src string) string {
	return strings.Join(strings.Fields(html.UnescapeString(s.strict.Sanitize(src))), " ")
}

// Excerpt is the first words of some HTML as plain text, cut at a word boundary
// to at most max bytes with an ellipsis: a meta description for a story without a dek.
func (s *Sanitizer) Excerpt(src template.HTML, max int) string {
	return CutText(s.PlainText(string(src)), max)
}

// CutText is plain text cut at a word boundary to at most max bytes with an
// ellipsis (Excerpt, for text already made plain).
func CutText(text string, max int) string {
	if len(text) <= max {
		return text
	}
	cut := strings.LastIndexByte(text[:max], ' ')
	if cut <= 0 {
		cut = max
		for cut > 0 && !utf8.RuneStart(text[cut]) { // never split a character
			cut--
		}
	}
	return strings.TrimRight(text[:cut], ",;:—-– ") + "…"
}

var (
	bareURL  = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"']+[^\s<>"'.,;:!?)\]]`)
	anchorRE = regexp.MustCompile(`(?is)<a\s[^>]*>.*?</a>`)
)

// CommentHTML turns what a commenter typed into safe HTML: paragraphs at blank
// lines, <br> at single newlines, bare URLs made into links, a few inline tags kept,
// and everything else stripped by the comment policy. Links get rel="nofollow ugc noopener".
func (s *Sanitizer) CommentHTML(src string) template.HTML {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	var out strings.Builder
	for _, para := range strings.Split(src, "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		out.WriteString("<p>")
		out.WriteString(strings.ReplaceAll(linkify(para), "\n", "<br>"))
		out.WriteString("</p>")
	}
	clean := s.comment.Sanitize(out.String())
	// bluemonday writes rel="nofollow"; we want the fuller UGC hint on every link.
	clean = strings.ReplaceAll(clean, `rel="nofollow"`, `rel="nofollow ugc noopener"`)
	return template.HTML(clean)
}

// linkify wraps bare URLs outside existing <a> elements in anchors.
func linkify(s string) string {
	var out strings.Builder
	last := 0
	for _, loc := range anchorRE.FindAllStringIndex(s, -1) {
		out.WriteString(bareURL.ReplaceAllString(s[last:loc[0]], `<a href="$0">$0</a>`))
		out.WriteString(s[loc[0]:loc[1]])
		last = loc[1]
	}
	out.WriteString(bareURL.ReplaceAllString(s[last:], `<a href="$0">$0</a>`))
	return out.String()
}

// BodyWithDateline returns the body with the dateline leading its first paragraph,
// as newspapers print it: "TEHRAN (Reuters) — ..." (wire copy may have no dateline). The dateline is plain text and
// is escaped; the body is already sanitised.
func (a Article) BodyWithDateline() template.HTML {
	body := string(a.BodyHTML)
	if a.Dateline == "" && a.Wire == "" {
		return a.BodyHTML
	}
	// A dash typed into the dateline ("TEHRAN —") is the one we add; keep only ours.
	line := strings.ToUpper(strings.TrimRight(a.Dateline, " —–-"))
	if a.Wire != "" {
		if line != "" {
			line += " "
		}
		line += "(" + a.Wire + ")"
	}
	// A no-break space before the dash: the dash never starts a line on its own.
	span := `<span class="dateline">` + html.EscapeString(line) + "\u00a0—</span> "
	if strings.HasPrefix(body, "<p>") {
		return template.HTML("<p>" + span + body[len("<p>"):])
	}
	return template.HTML("<p>" + span + "</p>" + body)
}

// HighlightHTML escapes text from the search index, turning only the index's own match
// marks into <mark> elements (balanced, whatever the text contains).
func HighlightHTML(marked string) template.HTML {
	var out strings.Builder
	open := false
	for _, r := range marked {
		switch {
		case r == markOpen && !open:
			out.WriteString("<mark>")
			open = true
		case r == markClose && open:
			out.WriteString("</mark>")
			open = false
		case r == markOpen || r == markClose:
		default:
			out.WriteString(html.EscapeString(string(r)))
		}
	}
	if open {
		out.WriteString("</mark>")
	}
	return template.HTML(out.String())
}

var (
	mdLink    = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdMarkers = regexp.MustCompile("(?m)^\\s*(#{1,6}|>|[-*+]|\\d+\\.)\\s+|\\*\\*|__|`+|~~")
)

// SnippetHTML is HighlightHTML for an excerpt of an article's Markdown source: links
// keep their words, and the emphasis, heading and list punctuation readers would see
// as noise is dropped first.
func SnippetHTML(marked string) template.HTML {
	s := mdLink.ReplaceAllString(marked, "$1")
	s = mdMarkers.ReplaceAllString(s, " ")
	return HighlightHTML(strings.Join(strings.Fields(s), " "))
}

// VideoPlayerOrigins are the only sites whose players a page may frame, and only when
// an editor has turned players on (Settings.VideoPlayers): YouTube's no-cookie domain
// and Vimeo's player, asked not to track (dnt=1). The CSP names them in frame-src.
var VideoPlayerOrigins = []string{"https://www.youtube-nocookie.com", "https://player.vimeo.com"}

var (
	youTubeID = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)
	vimeoID   = regexp.MustCompile(`^[0-9]{1,12}$`)
)

// playerURL is the privacy-respecting player of a YouTube or Vimeo video link, or ""
// for any other link. Only the video's id is taken from the link, checked against the
// shape those sites use, so nothing a writer typed reaches the frame's address.
func playerURL(href string) string {
	u, err := url.Parse(href)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	path := strings.Trim(u.Path, "/")
	switch strings.TrimPrefix(u.Hostname(), "www.") {
	case "youtube.com", "m.youtube.com":
		id := u.Query().Get("v")
		if rest, ok := strings.CutPrefix(path, "shorts/"); ok {
			id = rest
		}
		if youTubeID.MatchString(id) {
			return VideoPlayerOrigins[0] + "/embed/" + id
		}
	case "youtu.be":
		if youTubeID.MatchString(path) {
			return VideoPlayerOrigins[0] + "/embed/" + path
		}
	case "vimeo.com":
		if vimeoID.MatchString(path) {
			return VideoPlayerOrigins[1] + "/video/" + path + "?dnt=1"
		}
	}
	return ""
}

// WithVideoPlayers puts a privacy-respecting player above each YouTube or Vimeo link
// card of a sanitised body (imported embeds become link cards: <figure
// class="link-card"> with a caption and the link, which stays under the player for
// readers whose browsers show no frames). Bodies are stored without players, so an
// editor can turn them on and off (Settings.VideoPlayers) without touching a story.
func (s *Sanitizer) WithVideoPlayers(body template.HTML) template.HTML {
	if !strings.Contains(string(body), `class="link-card"`) {
		return body
	}
	ctx := &xhtml.Node{Type: xhtml.ElementNode, DataAtom: atom.Body, Data: "body"}
	nodes, err := xhtml.ParseFragment(strings.NewReader(string(body)), ctx)
	if err != nil {
		return body
	}
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.DataAtom != atom.Figure || NodeAttr(n, "class") != "link-card" {
			return
		}
		var link, caption string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.DataAtom {
			case atom.A:
				link = NodeAttr(c, "href")
			case atom.Figcaption:
				caption = strings.TrimSpace(NodeText(c))
			}
		}
		src := playerURL(link)
		if src == "" {
			return
		}
		frame := &xhtml.Node{Type: xhtml.ElementNode, DataAtom: atom.Iframe, Data: "iframe", Attr: []xhtml.Attribute{
			{Key: "src", Val: src}, {Key: "title", Val: cmp.Or(caption, "Video")},
			{Key: "width", Val: "560"}, {Key: "height", Val: "315"}, {Key: "loading", Val: "lazy"},
			{Key: "allow", Val: "fullscreen; picture-in-picture"}, {Key: "referrerpolicy", Val: "strict-origin-when-cross-origin"},
			{Key: "sandbox", Val: "allow-scripts allow-same-origin allow-presentation"}}}
		n.InsertBefore(frame, n.FirstChild)
		n.Attr = []xhtml.Attribute{{Key: "class", Val: "link-card video"}}
	}
	var out strings.Builder
	for _, n := range nodes {
		walk(n)
		xhtml.Render(&out, n) // a strings.Builder never fails to write
	}
	return template.HTML(out.String())
}

// NodeAttr is the value of attribute key on n ("" if absent).
func NodeAttr(n *xhtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// NodeText is the text of n and everything under it, as a reader would read it.
func NodeText(n *xhtml.Node) string {
	var b strings.Builder
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}
