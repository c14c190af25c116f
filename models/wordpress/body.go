package wordpress

import (
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"broadsheet/models"
)

// wpBody turns the text of one WordPress post into HTML for the article sanitiser:
// shortcodes become markup, block-editor comments are understood, classic-editor
// text gets its paragraphs the way WordPress's wpautop gives them, and images from
// the old uploads point at our media library. What it could not carry over is
// collected for the summary.
type wpBody struct {
	media      func(oldURL string) (models.Media, bool) // an upload stored in our media library
	attachment func(id string) (wxrItem, bool)          // an attachment item, for [gallery ids=…]
	children   []wxrItem                                // the post's own attachments, for a bare [gallery]
	unknown    []string                                 // shortcodes we do not know, kept as text
	missing    []string                                 // images under the old uploads we do not have
	rewritten  []string                                 // shortcodes turned into markup
}

// convert returns the post's body as HTML (not yet sanitised).
func (b *wpBody) convert(src string) string {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = b.shortcodes(src)
	root := &html.Node{Type: html.ElementNode, DataAtom: atom.Body, Data: "body"}
	nodes, err := html.ParseFragment(strings.NewReader(src), root)
	if err != nil { // the tokenizer reads any string; only a reader error gets here
		return html.EscapeString(src)
	}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	// Block content is already paragraphs, headings and figures, so autop finds
	// nothing to wrap in it but the loose text of classic parts between blocks.
	b.blocks(root)
	autop(root)
	b.images(root)
	var out strings.Builder
	for c := root.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&out, c); err != nil {
			return html.EscapeString(src)
		}
	}
	return out.String()
}

// shortcodeOpen matches the start of a shortcode tag: "[name" followed by its
// attributes, a "/" or the closing bracket. WordPress reads shortcodes with a
// regular expression too; the HTML itself is never read this way.
var (
	shortcodeOpen = regexp.MustCompile(`\[([a-zA-Z][a-zA-Z0-9_-]*)((?:\s[^\[\]]*)?)/?\]`)
	shortcodeAttr = regexp.MustCompile(`([a-zA-Z_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))`)
)

// shortcodes replaces [caption], [gallery] and [embed] with markup and leaves any
// other shortcode as the text it is, noting its name.
func (b *wpBody) shortcodes(src string) string {
	var out strings.Builder
	unclosed := map[string]bool{} // names whose closing tag is nowhere further on
	for {
		loc := shortcodeOpen.FindStringSubmatchIndex(src)
		if loc == nil {
			out.WriteString(src)
			return out.String()
		}
		name := strings.ToLower(src[loc[2]:loc[3]])
		attrs := shortcodeAttrs(src[loc[4]:loc[5]])
		if loc[0] > 0 && src[loc[0]-1] == '[' && loc[1] < len(src) && src[loc[1]] == ']' {
			// [[gallery]] is WordPress's way to show "[gallery]" as text.
			out.WriteString(src[:loc[0]-1] + src[loc[0]:loc[1]])
			src = src[loc[1]+1:]
			continue
		}
		out.WriteString(src[:loc[0]])
		rest := src[loc[1]:]
		inner, after, enclosed := "", rest, false
		if (name == "caption" || name == "wp_caption" || name == "embed") && !unclosed[name] {
			// Remembering a failed search keeps a body of many unclosed tags linear.
			if end := indexFold(rest, "[/"+name+"]"); end >= 0 {
				inner, after, enclosed = rest[:end], rest[end+len(name)+3:], true
			} else {
				unclosed[name] = true
			}
		}
		switch {
		case (name == "caption" || name == "wp_caption") && enclosed:
			out.WriteString(b.caption(inner, attrs))
		case name == "gallery":
			out.WriteString(b.gallery(attrs))
		case name == "embed" && enclosed:
			if u, ok := embedURL(strings.TrimSpace(inner)); ok {
				out.WriteString(renderNode(linkCard(u)))
			} else {
				out.WriteString(html.EscapeString(strings.TrimSpace(inner)))
			}
		default:
			b.unknown = append(b.unknown, "["+name+"]")
			out.WriteString(src[loc[0]:loc[1]])
			src = rest
			continue
		}
		b.rewritten = append(b.rewritten, "["+name+"]")
		src = after
	}
}

// indexFold is strings.Index ignoring ASCII case. (Lower-casing s first would move
// the offsets wherever s has invalid UTF-8.)
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func shortcodeAttrs(s string) map[string]string {
	attrs := map[string]string{}
	for _, m := range shortcodeAttr.FindAllStringSubmatch(s, -1) {
		attrs[strings.ToLower(m[1])] = m[2] + m[3] + m[4]
	}
	return attrs
}

// caption makes [caption]<img …> Words[/caption] (or caption="Words") a figure. The
// image, possibly inside a link, comes first; everything after it is the caption.
func (b *wpBody) caption(inner string, attrs map[string]string) string {
	inner = strings.TrimSpace(inner)
	mediaEnd := 0
	switch {
	case indexFold(inner, "<a") == 0:
		if i := indexFold(inner, "</a>"); i >= 0 {
			mediaEnd = i + len("</a>")
		}
	case indexFold(inner, "<img") == 0:
		if i := strings.IndexByte(inner, '>'); i >= 0 {
			mediaEnd = i + 1
		}
	}
	text := strings.TrimSpace(inner[mediaEnd:])
	if text == "" {
		text = html.EscapeString(attrs["caption"])
	}
	fig := "<figure>" + inner[:mediaEnd]
	if text != "" {
		fig += "<figcaption>" + text + "</figcaption>"
	}
	return fig + "</figure>"
}

// gallery makes [gallery ids="1,2"] (or a bare [gallery]: the post's own images) a
// figure of the images we have; the others are listed as missing.
func (b *wpBody) gallery(attrs map[string]string) string {
	var items []wxrItem
	if ids := attrs["ids"]; ids != "" {
		for _, id := range strings.Split(ids, ",") {
			if att, ok := b.attachment(strings.TrimSpace(id)); ok {
				items = append(items, att)
			} else {
				b.missing = append(b.missing, "attachment "+strings.TrimSpace(id)+" (not in the export)")
			}
		}
	} else {
		items = b.children
	}
	var out strings.Builder
	out.WriteString(`<figure class="gallery">`)
	for _, att := range items {
		alt := att.meta("_wp_attachment_image_alt")
		if alt == "" {
			alt = att.Title
		}
		out.WriteString(`<figure><img src="` + html.EscapeString(att.AttachmentURL) + `" alt="` + html.EscapeString(alt) + `">`)
		if caption := att.Excerpt(); caption != "" {
			out.WriteString("<figcaption>" + html.EscapeString(caption) + "</figcaption>")
		}
		out.WriteString("</figure>")
	}
	out.WriteString("</figure>")
	return out.String()
}

// embedProviders name the sites whose bare links WordPress turned into players; we
// show a link card instead (no third-party script or frame on our pages).
var embedProviders = map[string]string{
	"youtube.com": "Video on YouTube", "youtu.be": "Video on YouTube", "vimeo.com": "Video on Vimeo",
	"twitter.com": "Post on X", "x.com": "Post on X", "instagram.com": "Post on Instagram",
}

// embedURL reads a link alone in its text, as WordPress embeds them: http(s) only.
func embedURL(s string) (*url.URL, bool) {
	if strings.ContainsAny(s, " \t\n<>\"") {
		return nil, false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false
	}
	return u, true
}

func embedProvider(u *url.URL) (string, bool) {
	title, ok := embedProviders[strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")]
	return title, ok
}

// linkCard is what an embed becomes: a titled link, <figure class="link-card">.
func linkCard(u *url.URL) *html.Node {
	title, ok := embedProvider(u)
	if !ok {
		title = "Link to " + strings.TrimPrefix(u.Hostname(), "www.")
	}
	fig := element(atom.Figure, "class", "link-card")
	a := element(atom.A, "href", u.String())
	a.AppendChild(&html.Node{Type: html.TextNode, Data: strings.TrimPrefix(strings.TrimPrefix(u.String(), "https://"), "http://")})
	caption := element(atom.Figcaption)
	caption.AppendChild(&html.Node{Type: html.TextNode, Data: title})
	fig.AppendChild(caption)
	fig.AppendChild(a)
	return fig
}

func element(a atom.Atom, attrs ...string) *html.Node {
	n := &html.Node{Type: html.ElementNode, DataAtom: a, Data: a.String()}
	for i := 0; i+1 < len(attrs); i += 2 {
		n.Attr = append(n.Attr, html.Attribute{Key: attrs[i], Val: attrs[i+1]})
	}
	return n
}

func renderNode(n *html.Node) string {
	var out strings.Builder
	html.Render(&out, n) // a strings.Builder never fails to write
	return out.String()
}

func setAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(models.NodeAttr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// blocks reads block-editor markup: the comments go, an embed becomes a link card,
// a gallery is marked as one and a button becomes a plain link. Images with captions
// and quotes with citations are already <figure>/<figcaption> and <blockquote>/<cite>.
func (b *wpBody) blocks(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch {
		case c.Type == html.CommentNode:
			n.RemoveChild(c)
		case c.Type != html.ElementNode:
		case hasClass(c, "wp-block-embed"):
			var divs []*html.Node
			collect(c, atom.Div, &divs)
			link := models.NodeText(c)
			for _, d := range divs {
				if hasClass(d, "wp-block-embed__wrapper") {
					link = models.NodeText(d)
				}
			}
			if u, ok := embedURL(strings.TrimSpace(link)); ok {
				n.InsertBefore(linkCard(u), c)
				n.RemoveChild(c)
			}
		case hasClass(c, "wp-block-gallery"):
			setAttr(c, "class", "gallery")
			b.blocks(c)
		case hasClass(c, "wp-block-buttons") || hasClass(c, "wp-block-button"):
			// The link inside is what matters; its button styling is the old theme's.
			var links []*html.Node
			collect(c, atom.A, &links)
			for _, a := range links {
				a.Parent.RemoveChild(a)
				a.Attr = []html.Attribute{{Key: "href", Val: models.NodeAttr(a, "href")}}
				p := element(atom.P)
				p.AppendChild(a)
				n.InsertBefore(p, c)
			}
			n.RemoveChild(c)
		default:
			b.blocks(c)
		}
		c = next
	}
}

func collect(n *html.Node, a atom.Atom, out *[]*html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == a {
			*out = append(*out, c)
		} else {
			collect(c, a, out)
		}
	}
}

// phrasing are the elements that sit inside a paragraph; everything else is a block
// that a paragraph must never contain or be put into.
var phrasing = map[atom.Atom]bool{
	atom.A: true, atom.Abbr: true, atom.B: true, atom.Bdi: true, atom.Bdo: true, atom.Br: true, atom.Cite: true,
	atom.Code: true, atom.Data: true, atom.Del: true, atom.Dfn: true, atom.Em: true, atom.I: true, atom.Img: true,
	atom.Ins: true, atom.Kbd: true, atom.Mark: true, atom.Q: true, atom.S: true, atom.Samp: true, atom.Small: true,
	atom.Span: true, atom.Strong: true, atom.Sub: true, atom.Sup: true, atom.Time: true, atom.U: true, atom.Var: true,
	atom.Wbr: true, atom.Audio: true, atom.Video: true, atom.Input: true, atom.Button: true, atom.Label: true,
	atom.Select: true, atom.Picture: true, atom.Svg: true, atom.Math: true, atom.Font: true, atom.Strike: true,
	atom.Big: true, atom.Tt: true, atom.Acronym: true,
	// Not script, iframe, object or embed: the sanitiser drops them, and as part of a
	// run they would leave an empty paragraph behind.
}

// flow are the blocks whose loose text WordPress wraps in paragraphs (recursively:
// a quote in a quote gets its paragraphs too). Lists, tables, headings, <pre> and the
// like are left exactly as written.
var flow = map[atom.Atom]bool{
	atom.Body: true, atom.Div: true, atom.Blockquote: true, atom.Section: true, atom.Article: true,
	atom.Aside: true, atom.Main: true, atom.Header: true, atom.Footer: true, atom.Nav: true,
}

// verbatim elements are never looked into: their text is shown as written.
var verbatim = map[atom.Atom]bool{atom.Pre: true, atom.Textarea: true, atom.Script: true, atom.Style: true, atom.Code: true}

// itemLike may hold paragraphs but need none: a list item or cell gets them only when
// its text has a blank line in it (two paragraphs in one item).
var itemLike = map[atom.Atom]bool{atom.Li: true, atom.Dd: true, atom.Td: true, atom.Th: true}

func isInline(n *html.Node) bool {
	return n.Type == html.TextNode || n.Type == html.ElementNode && phrasing[n.DataAtom]
}

var blankLine = regexp.MustCompile(`\n[ \t]*\n\s*`)

// autop is wpautop on a tree: in each flow block, every run of inline content
// (text and inline elements, ended by a block element or a blank line) becomes a
// paragraph, with <br> at its single newlines; a link to a video or post alone on
// its line becomes a link card. Block elements and everything in <pre> are untouched.
func autop(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && !verbatim[c.DataAtom] {
			autop(c)
		}
	}
	if !flow[n.DataAtom] && !itemLike[n.DataAtom] {
		return
	}
	if flow[n.DataAtom] {
		splitEmbedLines(n)
	}
	// Split text at blank lines, so that each piece belongs to one run.
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.TextNode {
			continue
		}
		parts := blankLine.Split(c.Data, -1)
		if len(parts) == 1 {
			continue
		}
		c.Data = parts[0]
		at := c
		for _, p := range parts[1:] {
			sep := &html.Node{Type: html.CommentNode, Data: paragraphBreak}
			t := &html.Node{Type: html.TextNode, Data: p}
			n.InsertBefore(sep, at.NextSibling)
			n.InsertBefore(t, sep.NextSibling)
			at = t
		}
	}
	var runs [][]*html.Node
	var run []*html.Node
	end := func() {
		if len(run) > 0 {
			runs = append(runs, run)
		}
		run = nil
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.CommentNode:
			end()
		case isInline(c):
			run = append(run, c)
		default:
			end()
		}
	}
	end()
	var content [][]*html.Node
	for _, r := range runs {
		if strings.TrimSpace(runText(r)) != "" || hasElement(r) {
			content = append(content, r)
		}
	}
	if itemLike[n.DataAtom] && len(content) < 2 {
		removeBreakMarks(n)
		return
	}
	for _, r := range content {
		p := element(atom.P)
		n.InsertBefore(p, r[0])
		for i, c := range r {
			n.RemoveChild(c)
			if c.Type == html.TextNode {
				if i == 0 {
					c.Data = strings.TrimLeft(c.Data, " \t\n")
				}
				if i == len(r)-1 {
					c.Data = strings.TrimRight(c.Data, " \t\n")
				}
				appendWithBreaks(p, c.Data)
				continue
			}
			p.AppendChild(c)
		}
		n.InsertBefore(&html.Node{Type: html.TextNode, Data: "\n"}, p.NextSibling)
	}
	removeBreakMarks(n)
}

// paragraphBreak marks a blank line between runs while autop works; it never survives.
const paragraphBreak = "\x00wpautop-break"

func removeBreakMarks(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.CommentNode && c.Data == paragraphBreak {
			n.InsertBefore(&html.Node{Type: html.TextNode, Data: "\n"}, c)
			n.RemoveChild(c)
		} else if c.Type == html.CommentNode {
			n.RemoveChild(c) // <!--more--> and the like mean nothing here
		}
		c = next
	}
}

func runText(r []*html.Node) string {
	var b strings.Builder
	for _, c := range r {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func hasElement(r []*html.Node) bool {
	for _, c := range r {
		if c.Type == html.ElementNode {
			return true
		}
	}
	return false
}

// appendWithBreaks adds text to p, with a <br> at each newline.
func appendWithBreaks(p *html.Node, text string) {
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			p.AppendChild(element(atom.Br))
			p.AppendChild(&html.Node{Type: html.TextNode, Data: "\n"})
		}
		if line != "" {
			p.AppendChild(&html.Node{Type: html.TextNode, Data: line})
		}
	}
}

// splitEmbedLines turns a known provider's link alone on its line (WordPress's
// auto-embed) into a link card between the text around it.
func splitEmbedLines(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.TextNode || !strings.Contains(c.Data, "http") {
			continue
		}
		lines := strings.Split(c.Data, "\n")
		for i, line := range lines {
			u, ok := embedURL(strings.TrimSpace(line))
			if !ok {
				continue
			}
			if _, known := embedProvider(u); !known {
				continue
			}
			before := strings.Join(lines[:i], "\n")
			after := strings.Join(lines[i+1:], "\n")
			c.Data = before
			card := linkCard(u)
			n.InsertBefore(card, c.NextSibling)
			n.InsertBefore(&html.Node{Type: html.TextNode, Data: after}, card.NextSibling)
			break // the rest is a new text node, which the loop reaches next
		}
	}
}

// uploadsPath returns the path of an old upload relative to wp-content/uploads
// ("2024/03/harbour.png"), or "" when src is not one.
func uploadsPath(src string) string {
	u, err := url.Parse(strings.TrimSpace(src))
	if err != nil {
		return ""
	}
	i := strings.Index(u.Path, "/uploads/")
	if i < 0 {
		return ""
	}
	rel := path.Clean(strings.TrimPrefix(u.Path[i+len("/uploads/"):], "/"))
	if rel == "." || strings.HasPrefix(rel, "..") {
		return ""
	}
	return rel
}

// sizedVariant matches the size WordPress adds to the name of a scaled copy
// ("harbour-300x200.png"); the original is then looked for too.
var sizedVariant = regexp.MustCompile(`-[0-9]+x[0-9]+(\.[a-zA-Z0-9]+)$`)

// images points every <img> from the old uploads at our stored copy (with srcset),
// and a link around it to the full size; the ones we do not have are listed.
func (b *wpBody) images(n *html.Node) {
	var imgs []*html.Node
	collect(n, atom.Img, &imgs)
	for _, img := range imgs {
		src := models.NodeAttr(img, "src")
		if uploadsPath(src) == "" {
			continue
		}
		m, ok := b.media(src)
		if !ok {
			b.missing = append(b.missing, src)
			continue
		}
		w := m.Width
		if w > 960 {
			w = 960
		}
		var kept []html.Attribute
		for _, a := range img.Attr {
			if a.Key == "alt" || a.Key == "title" {
				kept = append(kept, a)
			}
		}
		img.Attr = append(kept, html.Attribute{Key: "src", Val: m.URL(960)}, html.Attribute{Key: "srcset", Val: m.SrcSet()},
			html.Attribute{Key: "sizes", Val: "(min-width: 48rem) 46rem, 100vw"},
			html.Attribute{Key: "width", Val: strconv.Itoa(w)}, html.Attribute{Key: "height", Val: strconv.Itoa(m.HeightAt(w))})
		if models.NodeAttr(img, "alt") == "" {
			setAttr(img, "alt", m.Alt)
		}
		if p := img.Parent; p != nil && p.DataAtom == atom.A && uploadsPath(models.NodeAttr(p, "href")) != "" {
			setAttr(p, "href", m.URL(0))
		}
	}
}
