package wordpress

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"broadsheet/models"
)

// convertBody runs a post's text through the importer's converter and the article
// sanitiser, with no attachments and no stored images.
func convertBody(t *testing.T, src string) (string, *wpBody) {
	t.Helper()
	b := &wpBody{
		media:      func(string) (models.Media, bool) { return models.Media{}, false },
		attachment: func(string) (wxrItem, bool) { return wxrItem{}, false },
	}
	return string(models.NewSanitizer().ImportedArticleHTML(b.convert(src))), b
}

// assertValidBody fails when html's parser would have to repair the markup (a
// paragraph in a paragraph, a stray end tag …): rendering what it parsed must give
// the same text back.
func assertValidBody(t *testing.T, body string) *goquery.Document {
	t.Helper()
	ctx := &html.Node{Type: html.ElementNode, DataAtom: atom.Body, Data: "body"}
	nodes, err := html.ParseFragment(strings.NewReader(body), ctx)
	if err != nil {
		t.Fatal(err)
	}
	var again strings.Builder
	for _, n := range nodes {
		html.Render(&again, n)
	}
	if again.String() != body {
		t.Errorf("the body is not well-formed HTML; a browser reads it as\n%s\ninstead of\n%s", again.String(), body)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader("<main>" + body + "</main>"))
	if err != nil {
		t.Fatal(err)
	}
	if n := doc.Find("p p, p div, p ul, p table, p pre, p blockquote, p figure").Length(); n != 0 {
		t.Errorf("%d blocks inside paragraphs:\n%s", n, body)
	}
	if n := doc.Find("ul > p, ol > p, ul > br, ol > br, table br, tr > p, pre p, pre br").Length(); n != 0 {
		t.Errorf("%d paragraphs or breaks inside lists, tables or <pre>:\n%s", n, body)
	}
	return doc
}

func TestWordPressAutop(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"One.\n\nTwo\nlines.", "<p>One.</p>\n\n<p>Two<br/>\nlines.</p>\n"},
		{"<p>Already a paragraph.</p>", "<p>Already a paragraph.</p>"},
		{`<p onclick="x()">Hi <a href="javascript:alert(1)">there</a></p>`, "<p>Hi there</p>"},
		{"<script>alert(1)</script>", ""},
		{"<!-- wp:paragraph -->\n<p>Block</p>\n<!-- /wp:paragraph -->", "\n<p>Block</p>\n"},
		{`<iframe src="https://evil.example/"></iframe>`, ""},
		{"Before\n<h2>Heading</h2>\nAfter <b>bold</b>", "<p>Before</p>\n<h2>Heading</h2><p>After <b>bold</b></p>\n"},
		{"<ul>\n<li>a</li>\n<li>b</li>\n</ul>", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"},
		{"<ul><li>First paragraph.\n\nSecond paragraph.</li></ul>", "<ul><li><p>First paragraph.</p>\n\n<p>Second paragraph.</p>\n</li></ul>"},
		{"Text<!--more-->\n\nMore", "<p>Text</p>\n\n<p>More</p>\n"},
	} {
		got, _ := convertBody(t, c.in)
		if got != c.want {
			t.Errorf("body of %q\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// A classic-editor story with a list, a table, a poem in <pre> and quotes in quotes
// keeps every structure, and gets paragraphs only around its loose text.
func TestWordPressClassicBodyKeepsItsStructure(t *testing.T) {
	poem := "Roses are red,\n\n  violets — blue;\nΣ ψυχή, 日本語 ✓"
	src := "The council met on Tuesday.\nIt voted twice.\n\n" +
		"<ul>\n<li>Harbour: <strong>yes</strong></li>\n<li>Ferry:\nno</li>\n</ul>\n" +
		"Between the list and the table.\n\n" +
		"<table>\n<tr>\n<th>Ward</th>\n<th>Votes</th>\n</tr>\n<tr>\n<td>North</td>\n<td>1,204</td>\n</tr>\n</table>\n\n" +
		"<pre>" + poem + "</pre>\n\n" +
		"<blockquote>The mayor said:\n\n<blockquote>We will build it.\nAll of it.</blockquote>\n\nAnd sat down.</blockquote>\n" +
		"<ol><li>one</li><li>two</li></ol>"
	body, _ := convertBody(t, src)
	doc := assertValidBody(t, body)
	if got := doc.Find("main > p").First().Text(); got != "The council met on Tuesday.\nIt voted twice." {
		t.Errorf("first paragraph %q", got)
	}
	if doc.Find("main > p").First().Find("br").Length() != 1 {
		t.Error("a single newline in a paragraph is not a line break")
	}
	if got := doc.Find("pre").Text(); got != poem {
		t.Errorf("the poem changed:\n%q\nwant\n%q", got, poem)
	}
	if n := doc.Find("ul > li").Length(); n != 2 {
		t.Errorf("list has %d items", n)
	}
	if got := doc.Find("td").Eq(1).Text(); got != "1,204" {
		t.Errorf("table cell %q", got)
	}
	if got := doc.Find("blockquote blockquote > p").Text(); got != "We will build it.\nAll of it." {
		t.Errorf("nested quote %q", got)
	}
	if n := doc.Find("main > blockquote > p").Length(); n != 2 {
		t.Errorf("outer quote has %d paragraphs, want 2:\n%s", n, body)
	}
	if got := strings.TrimSpace(doc.Find("main > p").Eq(1).Text()); got != "Between the list and the table." {
		t.Errorf("text between blocks %q", got)
	}
}

func TestWordPressShortcodesAndEmbeds(t *testing.T) {
	src := `[caption id="attachment_5" align="alignnone" width="300"]<a href="https://old.example/wp-content/uploads/2024/03/a.jpg"><img src="https://old.example/files/a.jpg" alt="The harbour" width="300" height="200" /></a> The <em>harbour</em> at dawn[/caption]

Sign up: [contact-form-7 id="12" title="Contact"] and [[gallery]] is how you write a shortcode.

https://www.youtube.com/watch?v=abc123
https://x.com/paper/status/42

[embed]https://vimeo.com/12345[/embed]
See https://www.instagram.com/p/xyz/ inline, which stays a plain mention.

https://www.instagram.com/p/xyz/`
	body, b := convertBody(t, src)
	doc := assertValidBody(t, body)
	fig := doc.Find("main > figure").First()
	if fig.Find("img").Length() != 1 || strings.TrimSpace(fig.Find("figcaption").Text()) != "The harbour at dawn" || fig.Find("figcaption em").Length() != 1 {
		t.Errorf("[caption] did not become a figure with its caption:\n%s", body)
	}
	cards := doc.Find("figure.link-card")
	var got []string
	cards.Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Find("a").Attr("href")
		got = append(got, s.Find("figcaption").Text()+" → "+href)
	})
	want := []string{"Video on YouTube → https://www.youtube.com/watch?v=abc123", "Post on X → https://x.com/paper/status/42",
		"Video on Vimeo → https://vimeo.com/12345", "Post on Instagram → https://www.instagram.com/p/xyz/"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("link cards\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if doc.Find("iframe, script, object, embed").Length() != 0 {
		t.Error("an embed brought a frame or script")
	}
	if !strings.Contains(doc.Text(), `[contact-form-7 id="12" title="Contact"]`) || !strings.Contains(doc.Text(), "and [gallery] is how") {
		t.Errorf("unknown shortcode not kept as text:\n%s", body)
	}
	if strings.Join(b.unknown, ",") != "[contact-form-7]" || strings.Join(b.rewritten, ",") != "[caption],[embed]" {
		t.Errorf("listed unknown %q and rewritten %q", b.unknown, b.rewritten)
	}
}

// Block-editor markup: an image with a caption is a figure, a gallery a gallery, a
// quote a blockquote with its citation, a button a link, an embed a link card.
func TestWordPressBlockEditorBody(t *testing.T) {
	src := `<!-- wp:paragraph -->
<p>Opening paragraph with <strong>bold</strong>.</p>
<!-- /wp:paragraph -->

<!-- wp:image {"id":5,"sizeSlug":"large"} -->
<figure class="wp-block-image size-large"><img src="https://old.example/wp-content/uploads/2024/03/pier.jpg" alt="The pier" class="wp-image-5"/><figcaption>The pier at low tide</figcaption></figure>
<!-- /wp:image -->

<!-- wp:gallery {"ids":[6,7]} -->
<figure class="wp-block-gallery columns-2"><ul class="blocks-gallery-grid"><li class="blocks-gallery-item"><figure><img src="/a.jpg" alt="A"/></figure></li><li class="blocks-gallery-item"><figure><img src="/b.jpg" alt="B"/></figure></li></ul></figure>
<!-- /wp:gallery -->

<!-- wp:quote -->
<blockquote class="wp-block-quote"><p>We will not be moved.</p><cite>Dock workers' union</cite></blockquote>
<!-- /wp:quote -->

<!-- wp:buttons -->
<div class="wp-block-buttons"><!-- wp:button -->
<div class="wp-block-button"><a class="wp-block-button__link" href="https://example.com/donate" style="color:red">Support us</a></div>
<!-- /wp:button --></div>
<!-- /wp:buttons -->

<!-- wp:embed {"url":"https://www.youtube.com/watch?v=xyz","type":"video","providerNameSlug":"youtube"} -->
<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube"><div class="wp-block-embed__wrapper">
https://www.youtube.com/watch?v=xyz
</div><figcaption>The launch</figcaption></figure>
<!-- /wp:embed -->`
	body, _ := convertBody(t, src)
	doc := assertValidBody(t, body)
	if strings.Contains(body, "wp:") || strings.Contains(body, "<!--") {
		t.Errorf("block comments left in the body:\n%s", body)
	}
	if doc.Find("p p").Length() != 0 || doc.Find("main > p").First().Text() != "Opening paragraph with bold." {
		t.Errorf("the block paragraph was wrapped again:\n%s", body)
	}
	if got := doc.Find("main > figure").First().Find("figcaption").Text(); got != "The pier at low tide" {
		t.Errorf("image block caption %q", got)
	}
	if n := doc.Find("figure.gallery img").Length(); n != 2 {
		t.Errorf("gallery has %d images, want 2:\n%s", n, body)
	}
	if got := doc.Find("blockquote cite").Text(); got != "Dock workers' union" || doc.Find("blockquote").Text() == "" {
		t.Errorf("quote citation %q", got)
	}
	button := doc.Find(`a[href="https://example.com/donate"]`)
	if button.Text() != "Support us" || button.AttrOr("style", "") != "" || button.AttrOr("class", "") != "" {
		t.Errorf("button did not become a plain link:\n%s", body)
	}
	if href := doc.Find("figure.link-card a").AttrOr("href", ""); href != "https://www.youtube.com/watch?v=xyz" || doc.Find("iframe").Length() != 0 {
		t.Errorf("embed block: card to %q:\n%s", href, body)
	}
}

// Every body imported from a real-shaped export is well-formed as stored.
func TestImportedBodiesAreValid(t *testing.T) {
	s := newTestDB(t)
	importFixture(t, s, "newsroom.xml")
	rows, err := s.R.Query("SELECT slug, body_html FROM articles")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var slug, body string
		if err := rows.Scan(&slug, &body); err != nil {
			t.Fatal(err)
		}
		t.Run(slug, func(t *testing.T) { assertValidBody(t, body) })
		n++
	}
	if n != 4 {
		t.Errorf("%d articles, want 4", n)
	}
}
