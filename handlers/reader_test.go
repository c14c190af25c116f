package handlers

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"github.com/PuerkitoBio/goquery"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/models"
)

// newsroom is a small paper: two sections, an editor, and stories in both.
type newsroom struct {
	*testApp
	world, sport models.Section
	editor       models.User
	lead         models.Article
}

func newNewsroom(t *testing.T) newsroom {
	ta := newTestApp(t)
	n := newsroom{testApp: ta, world: ta.section("World"), sport: ta.section("Sport"), editor: ta.user("Mina Karimi", models.RoleEditor)}
	for i := 0; i < 6; i++ {
		ta.article(fmt.Sprintf("World story %d", i), n.world, n.editor, func(in *models.ArticleInput) {
			in.PublishedAt = testNow.Add(-time.Duration(10+i) * time.Hour)
			in.Tags = []string{"Diplomacy"}
		})
	}
	ta.article("Cup final tonight", n.sport, n.editor, func(in *models.ArticleInput) { in.PublishedAt = testNow.Add(-5 * time.Hour) })
	ta.article("Secret draft", n.world, n.editor, func(in *models.ArticleInput) { in.Status = models.StatusDraft })
	ta.article("Tomorrow's story", n.world, n.editor, func(in *models.ArticleInput) {
		in.Status, in.PublishedAt = models.StatusScheduled, testNow.Add(2*time.Hour)
	})
	n.lead = ta.article("Talks resume in Tehran", n.world, n.editor, func(in *models.ArticleInput) {
		in.MediaID = ta.photo().ID
		in.ImageAlt, in.ImageCaption, in.ImageCredit = "Delegates at a long table", "Delegates met on Sunday.", "Photo: Broadsheet"
		in.Tags = []string{"Diplomacy", "Iran"}
		in.UpdatedAt = testNow.Add(-30 * time.Minute)
		in.Correction = "An earlier version misspelt the minister's name."
	})
	return n
}

func TestFrontPage(t *testing.T) {
	n := newNewsroom(t)
	res := n.get("/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if len(res.Cookies()) != 0 {
		t.Errorf("anonymous reader got cookies %v: public pages must stay cacheable", res.Cookies())
	}
	if cc := res.Header.Get("Cache-Control"); cc != publicCacheControl {
		t.Errorf("Cache-Control %q", cc)
	}
	doc := parse(t, res)
	if got := text(doc.Find(".lead-story h2")); got != "Talks resume in Tehran" {
		t.Errorf("lead story %q", got)
	}
	if src, _ := doc.Find(".lead-story img").Attr("srcset"); !strings.Contains(src, "480w") {
		t.Errorf("lead image has no responsive srcset: %q", src)
	}
	latest := doc.Find(".latest .card h3")
	if latest.Length() != 4 { // PerPage 5, minus the lead
		t.Errorf("%d latest stories, want 4", latest.Length())
	}
	if text(latest.First()) != "Cup final tonight" {
		t.Errorf("latest begins with %q, want newest after the lead", text(latest.First()))
	}
	body := doc.Text()
	for _, hidden := range []string{"Secret draft", "Tomorrow's story"} {
		if strings.Contains(body, hidden) {
			t.Errorf("front page shows %q", hidden)
		}
	}
	// Section blocks hold only stories shown nowhere else on the page: World's block
	// takes its next three, and Sport's only story is already among the latest.
	var world []string
	doc.Find(`section[aria-labelledby="sec-world"] .card h3`).Each(func(_ int, s *goquery.Selection) { world = append(world, text(s)) })
	if strings.Join(world, ",") != "World story 3,World story 4,World story 5" {
		t.Errorf("World block %v, want its three newest not shown above", world)
	}
	if doc.Find(`section[aria-labelledby="sec-sport"]`).Length() != 0 {
		t.Error("Sport block shown though its only story is among the latest")
	}
	seen := map[string]bool{}
	doc.Find(".lead-story h2, .card h3").Each(func(_ int, s *goquery.Selection) {
		if seen[text(s)] {
			t.Errorf("%q appears twice on the front page", text(s))
		}
		seen[text(s)] = true
	})
	// The way to older news names the page's last story, so the next page starts there.
	href, _ := doc.Find(`.pager a[rel="next"]`).Attr("href")
	if !regexp.MustCompile(`^/\?page=2&after=[0-9]+$`).MatchString(href) {
		t.Errorf("way to older news: %q", href)
	}
	page2 := parse(t, n.get(href))
	if page2.Find(".lead-story").Length() != 0 || page2.Find(".latest .card").Length() == 0 {
		t.Error("page 2 should list older stories without a lead")
	}
	cards := func(d *goquery.Document) string { return text(d.Find(".latest .card h3")) }
	if byNumber := parse(t, n.get("/?page=2")); cards(page2) != cards(byNumber) {
		t.Errorf("page 2 by the Older link lists %q, by its number %q", cards(page2), cards(byNumber))
	}
}

// Walking a section by its pager's links, older then newer again, shows each page as
// its number does, and every link past page 1 names the story it continues from.
func TestPagerLinksWalkTheList(t *testing.T) {
	ta := newTestApp(t)
	sec, writer := ta.section("World"), ta.user("Ann Author", models.RoleAuthor)
	for i := range 12 { // three pages of five
		ta.article(fmt.Sprintf("Story %02d", i), sec, writer, func(in *models.ArticleInput) {
			in.PublishedAt = testNow.Add(-time.Duration(i/2+1) * time.Hour) // pairs at the same time
		})
	}
	titles := func(path string) (string, *goquery.Document) {
		t.Helper()
		res := ta.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		doc := parse(t, res)
		return text(doc.Find(".card h3")), doc
	}
	link := func(doc *goquery.Document, rel string) string {
		return doc.Find(`.pager a[rel="`+rel+`"]`).AttrOr("href", "")
	}
	_, doc := titles("/section/world")
	for n := 2; n <= 3; n++ { // Older: page 1 → 2 → 3
		href := link(doc, "next")
		if !regexp.MustCompile(`^/section/world\?page=` + strconv.Itoa(n) + `&after=[0-9]+$`).MatchString(href) {
			t.Fatalf("Older link on page %d: %q", n-1, href)
		}
		var got string
		got, doc = titles(href)
		if want, _ := titles("/section/world?page=" + strconv.Itoa(n)); got != want {
			t.Errorf("page %d by the Older link: %q, by number %q", n, got, want)
		}
	}
	if link(doc, "next") != "" {
		t.Errorf("the last page links further: %q", link(doc, "next"))
	}
	href := link(doc, "prev") // Newer: page 3 → 2 → 1
	if !regexp.MustCompile(`^/section/world\?page=2&before=[0-9]+$`).MatchString(href) {
		t.Fatalf("Newer link on page 3: %q", href)
	}
	got, doc := titles(href)
	if want, _ := titles("/section/world?page=2"); got != want {
		t.Errorf("page 2 by the Newer link: %q, by number %q", got, want)
	}
	if href := link(doc, "prev"); href != "/section/world" {
		t.Errorf("Newer link on page 2: %q, want the section's own address", href)
	}
}

// A list's Older link carries the last story's id; one that is not a number is refused
// with a reason, not a 500, and the first page ignores it.
func TestOlderLinkThatIsNotOurs(t *testing.T) {
	n := newNewsroom(t)
	for _, bad := range []string{"after=x", "after=-3", "after=0", "after=99999999999999999999", "before=x", "before=0"} {
		res := n.get("/section/world?page=2&" + bad)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, res.StatusCode)
		}
		if body := text(parse(t, res).Find("main")); !strings.Contains(body, "not one of ours") {
			t.Errorf("%s: page says %q", bad, body)
		}
	}
	if res := n.get("/section/world?after=x"); res.StatusCode != http.StatusOK {
		t.Errorf("first page with a stray after=: %d", res.StatusCode)
	}
}

func TestArticlePage(t *testing.T) {
	n := newNewsroom(t)
	res := n.get("/articles/" + n.lead.Slug)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	doc := parse(t, res)
	checks := []struct{ what, sel, want string }{
		{"headline", "h1", "Talks resume in Tehran"},
		{"dek", ".story-head .dek", "Dek of Talks resume in Tehran"},
		{"caption and credit", "figure.lead-photo figcaption", "Delegates met on Sunday. (Photo: Broadsheet)"},
		{"byline", ".byline a[href='/author/mina-karimi']", "Mina Karimi"},
		{"dateline leads the first paragraph", ".story-body p:first-child", "TEHRAN (Reuters) — First paragraph of Talks resume in Tehran."},
		{"correction", ".correction", "Correction: An earlier version misspelt the minister's name."},
		{"tags", ".tags a[href='/tag/iran']", "Iran"},
	}
	for _, c := range checks {
		if got := text(doc.Find(c.sel)); got != c.want {
			t.Errorf("%s (%s) = %q, want %q", c.what, c.sel, got, c.want)
		}
	}
	if alt, _ := doc.Find("figure.lead-photo img").Attr("alt"); alt != "Delegates at a long table" {
		t.Errorf("photo alt %q", alt)
	}
	times := doc.Find(".story-head time")
	if times.Length() != 2 {
		t.Fatalf("%d <time> elements, want published and updated", times.Length())
	}
	if dt, _ := times.Eq(0).Attr("datetime"); dt != "2026-11-20T11:00:00Z" {
		t.Errorf("published datetime %q", dt)
	}
	if dt, _ := times.Eq(1).Attr("datetime"); dt != "2026-11-20T11:30:00Z" {
		t.Errorf("updated datetime %q", dt)
	}
	if href, _ := doc.Find(`link[rel="canonical"]`).Attr("href"); href != "http://news.test/articles/talks-resume-in-tehran" {
		t.Errorf("canonical %q", href)
	}
	if doc.Find(".related .card").Length() == 0 {
		t.Error("no related stories")
	}
	if href, _ := doc.Find(`.prevnext a[rel="prev"]`).Attr("href"); href != "/articles/world-story-0" {
		t.Errorf("previous in section: %q", href)
	}
	if doc.Find(`.prevnext a[rel="next"]`).Length() != 0 {
		t.Error("the newest story has no next")
	}
}

func TestListPages(t *testing.T) {
	n := newNewsroom(t)
	cases := []struct {
		path, heading string
		count         int
	}{
		{"/section/world", "World", 5},
		{"/section/world?page=2", "World", 2},
		{"/section/sport", "Sport", 1},
		{"/tag/diplomacy", "Diplomacy", 5},
		{"/tag/iran", "Iran", 1},
		{"/author/mina-karimi", "Mina Karimi", 5},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			res := n.get(c.path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			doc := parse(t, res)
			if got := text(doc.Find("h1")); got != c.heading {
				t.Errorf("heading %q", got)
			}
			if got := doc.Find(".card").Length(); got != c.count {
				t.Errorf("%d stories, want %d", got, c.count)
			}
			if strings.Contains(doc.Text(), "Secret draft") {
				t.Error("draft listed")
			}
		})
	}
	// A commenter's account has no public author page.
	n.user("Reader Ray", models.RoleCommenter)
	if res := n.get("/author/reader-ray"); res.StatusCode != http.StatusNotFound {
		t.Errorf("commenter author page: %d", res.StatusCode)
	}
}

func TestRenamedSlugRedirects(t *testing.T) {
	n := newNewsroom(t)
	in := n.lead.Input()
	in.Slug = "tehran-talks"
	if _, err := n.Store.Articles.Update(t.Context(), testNow, n.lead.ID, n.lead.Version, in); err != nil {
		t.Fatal(err)
	}
	res := n.get("/articles/" + n.lead.Slug)
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/articles/tehran-talks" {
		t.Errorf("old slug: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := n.get("/articles/tehran-talks"); res.StatusCode != http.StatusOK {
		t.Errorf("new slug: %d", res.StatusCode)
	}
}

// Every path or query a reader can type gets an answer in the site's layout with a
// way home: never a 500.
func TestBadInputGetsAProperPage(t *testing.T) {
	n := newNewsroom(t)
	cases := []struct {
		path   string
		status int
	}{
		{"/articles/no-such-story", 404},
		{"/articles/secret-draft", 404},
		{"/articles/tomorrow-s-story", 404},
		{"/articles/" + strings.Repeat("a", 5000), 404},
		{"/articles/%E2%82%AC%F0%9F%98%80", 404},
		{"/articles/a%2Fb", 404},
		{"/section/nowhere", 404},
		{"/tag/nothing", 404},
		{"/author/nobody", 404},
		{"/no/such/page", 404},
		{"/?page=-1", 400},
		{"/?page=0", 400},
		{"/?page=abc", 400},
		{"/?page=1.5", 400},
		{"/?page=99999999999999999999", 400},
		{"/?page=999", 404},
		{"/section/world?page=%zz", 200}, // an unparseable query is ignored, as browsers' forms never send it
		{"/section/world?page=-7", 400},
		{"/static/css/site.css", 404}, // only fingerprinted names are served
		{"/media/../../data/broadsheet.db", 404},
		{"/media/0123456789abcdef0123456789abcdef.jpg", 404},
	}
	for _, c := range cases {
		t.Run(c.path[:min(len(c.path), 60)], func(t *testing.T) {
			res := n.get(c.path)
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d", res.StatusCode, c.status)
			}
			if c.status == 200 {
				return
			}
			doc := parse(t, res)
			if doc.Find("header.masthead").Length() == 0 || doc.Find(`main a[href="/"]`).Length() == 0 {
				t.Error("error page is not in the site layout with a way home")
			}
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("error Cache-Control %q", cc)
			}
		})
	}
}

// Malformed percent-encoding in the path is refused by net/http itself before any
// handler runs; check over a real connection that it is a 400, not a 500.
func TestMalformedPathEncodingIs400(t *testing.T) {
	srv := newTestApp(t).server()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /articles/%%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d, want 400", res.StatusCode)
	}
}

func TestStaticAssetsAreFingerprintedAndCompressed(t *testing.T) {
	ta := newTestApp(t)
	css := ta.Assets.URL("css/site.css")
	if !strings.HasPrefix(css, "/static/css/site.") || css == "/static/css/site.css" {
		t.Fatalf("css URL %q is not fingerprinted", css)
	}
	req := httptest.NewRequest(http.MethodGet, css, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res := ta.do(req)
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("css: %d, encoding %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("css Cache-Control %q", cc)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("css Content-Type %q", ct)
	}
}

// An article page's HTML and CSS together stay under 50 KB gzipped (images aside).
func TestArticlePageWeight(t *testing.T) {
	n := newNewsroom(t)
	total := 0
	for _, path := range []string{"/articles/" + n.lead.Slug, n.Assets.URL("css/site.css")} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res := n.do(req)
		b, _ := io.ReadAll(res.Body)
		if res.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s not compressed", path)
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(zr); err != nil {
			t.Fatalf("%s: bad gzip: %v", path, err)
		}
		total += len(b)
	}
	if total > 50*1024 {
		t.Errorf("article page + CSS = %d bytes gzipped, budget 50 KB", total)
	}
}

// Every answer carries the security headers and a request id of its own: the page as
// rendered, and the same page answered from the cache before the router (hitLane).
func TestSecurityHeaders(t *testing.T) {
	ta := newTestApp(t)
	ids := map[string]bool{}
	for _, answer := range []string{"rendered", "cached"} {
		res := ta.get("/")
		res.Body.Close()
		for h, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"X-Frame-Options":        "DENY",
			"Referrer-Policy":        "strict-origin-when-cross-origin",
		} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("%s answer: %s = %q, want %q", answer, h, got, want)
			}
		}
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s answer: CSP %q", answer, csp)
		}
		id := res.Header.Get(echoRequestID)
		if len(id) != 16 || ids[id] {
			t.Errorf("%s answer: request id %q, want a fresh one", answer, id)
		}
		ids[id] = true
	}
	if hits, _ := sample(scrape(t, ta), "broadsheet_page_cache_hits_total", nil); hits != 1 {
		t.Errorf("%v cache hits, want the second answer to be one", hits)
	}
}

// HSTS goes only with https: a reader who came over TLS through a proxy that says so
// gets it, on the rendered page and the cached one alike; a plain http reader does not
// (it would bind a browser to an address the site may not serve over TLS).
func TestStrictTransportSecurityOnlyOverHTTPS(t *testing.T) {
	ta := newTestApp(t)
	world := ta.section("World")
	for _, c := range []struct{ proto, path, want string }{
		{"https", "/", "max-age=31536000"},
		{"http", "/section/" + world.Slug, ""},
	} {
		for _, answer := range []string{"rendered", "cached"} { // each page's first answer is rendered
			req := httptest.NewRequest(http.MethodGet, c.path, nil)
			req.Header.Set("X-Forwarded-Proto", c.proto)
			if got := ta.do(req).Header.Get("Strict-Transport-Security"); got != c.want {
				t.Errorf("%s answer over %s: Strict-Transport-Security %q, want %q", answer, c.proto, got, c.want)
			}
		}
	}
	if hits, _ := sample(scrape(t, ta), "broadsheet_page_cache_hits_total", nil); hits != 2 {
		t.Errorf("%v cache hits, want the second answer of each page to be one", hits)
	}
}

func TestHealthz(t *testing.T) {
	ta := newTestApp(t)
	if res := ta.get("/healthz"); res.StatusCode != 200 {
		t.Errorf("healthz %d", res.StatusCode)
	}
	ta.Store.Close()
	if res := ta.get("/healthz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("healthz with a closed database: %d, want 503", res.StatusCode)
	}
}

// A form posted from another site is refused; the same form from our own pages works.
func TestCrossSitePostRefused(t *testing.T) {
	ta := newTestApp(t)
	u := ta.user("Ann Reader", models.RoleCommenter)
	form := url.Values{"email": {u.Email}, "password": {testPassword}}
	forged := []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Origin": "https://evil.example"},
	}
	for _, hdr := range forged {
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res := ta.do(req)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("forged %v: status %d, want 403", hdr, res.StatusCode)
		}
		if len(res.Cookies()) != 0 {
			t.Errorf("forged %v: a session was started", hdr)
		}
	}
	if res := ta.postForm("/login", form); res.StatusCode != http.StatusSeeOther {
		t.Errorf("same-origin login: %d", res.StatusCode)
	}
}

// Pages load nothing from other hosts: every resource URL is our own.
func TestNoThirdPartyRequests(t *testing.T) {
	n := newNewsroom(t)
	for _, path := range []string{"/", "/articles/" + n.lead.Slug, "/section/world", "/login", "/no-such-page"} {
		doc := parse(t, n.get(path))
		var urls []string
		doc.Find("img[src], script[src], iframe[src], source[src], video[src], audio[src]").Each(func(_ int, s *goquery.Selection) {
			urls = append(urls, s.AttrOr("src", ""))
		})
		doc.Find("img[srcset], source[srcset]").Each(func(_ int, s *goquery.Selection) {
			for _, part := range strings.Split(s.AttrOr("srcset", ""), ",") {
				urls = append(urls, strings.Fields(part)[0])
			}
		})
		doc.Find(`link[rel~="stylesheet"], link[rel~="icon"], link[rel~="preload"]`).Each(func(_ int, s *goquery.Selection) {
			urls = append(urls, s.AttrOr("href", ""))
		})
		if len(urls) == 0 {
			t.Fatalf("%s: found no resources at all", path)
		}
		for _, u := range urls {
			if !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") {
				t.Errorf("%s loads %q from outside the site", path, u)
			}
		}
	}
}

// A story without a dek still gets a meta description: its opening words.
func TestMetaDescriptionFallsBackToBody(t *testing.T) {
	n := newNewsroom(t)
	art := n.article("No dek here", n.world, n.editor, func(in *models.ArticleInput) {
		in.Dek, in.Body = "", "The **council** met on Monday to discuss the budget."
	})
	doc := parse(t, n.get("/articles/"+art.Slug))
	if got := doc.Find(`meta[name="description"]`).AttrOr("content", ""); got != "The council met on Monday to discuss the budget." {
		t.Errorf("meta description %q", got)
	}
}
