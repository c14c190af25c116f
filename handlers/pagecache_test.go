package handlers

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/brotli"

	"broadsheet/models"
)

// body reads a response body whole.
func body(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// cachedTwice fetches path twice anonymously and fails unless the second answer came
// from the page cache (the test clock is pinned, so the stored Last-Modified stays put
// only when nothing was rendered again) and both are identical.
func cachedTwice(t *testing.T, ta *testApp, path string) string {
	t.Helper()
	first, second := ta.get(path), ta.get(path)
	if first.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, first.StatusCode)
	}
	b1, b2 := body(t, first), body(t, second)
	if b1 != b2 || first.Header.Get("ETag") == "" || first.Header.Get("ETag") != second.Header.Get("ETag") {
		t.Fatalf("GET %s twice: different answers or no ETag (%q, %q)", path, first.Header.Get("ETag"), second.Header.Get("ETag"))
	}
	return b1
}

// Every kind of write a reader can see shows on the very next request, though the page
// before it was served from the cache.
func TestCachedPagesAreNeverStale(t *testing.T) {
	ctx := context.Background()
	type fixture struct {
		ta        *testApp
		art       models.Article
		ed, ada   models.User
		world     models.Section
		articleAt string
	}
	setup := func(t *testing.T) fixture {
		ta, art, ed, ada, _ := discussionFixture(t)
		sec, err := ta.Store.Sections.Get(ctx, art.Section.ID)
		if err != nil {
			t.Fatal(err)
		}
		return fixture{ta: ta, art: art, ed: ed, ada: ada, world: sec, articleAt: "/articles/" + art.Slug}
	}
	edit := func(t *testing.T, f fixture, change func(*models.ArticleInput)) {
		t.Helper()
		art, err := f.ta.Store.Articles.Get(ctx, f.art.ID)
		if err != nil {
			t.Fatal(err)
		}
		in := art.Input()
		change(&in)
		if _, err := f.ta.Store.Articles.Update(ctx, testNow, art.ID, art.Version, in); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name  string
		path  func(f fixture) string
		write func(t *testing.T, f fixture)
		shows string // text the next answer must contain
		gone  string // text it must no longer contain
	}{
		{"comment posted", func(f fixture) string { return f.articleAt }, func(t *testing.T, f fixture) {
			f.ta.comment(f.art, f.ed, 0, "Fresh words from the desk")
		}, "Fresh words from the desk", ""},
		{"comment approved", func(f fixture) string { return f.articleAt }, func(t *testing.T, f fixture) {
			c, err := f.ta.Store.Comments.Post(ctx, f.ta.Now(), models.NewComment{ArticleID: f.art.ID, User: &f.ada, Body: "Held first words"})
			if err != nil || !c.Pending() {
				t.Fatalf("want a held comment, got %+v, %v", c, err)
			}
			if body := body(t, f.ta.get(f.articleAt)); strings.Contains(body, "Held first words") {
				t.Fatal("a held comment is on the public page")
			}
			if err := f.ta.Store.Comments.Approve(ctx, f.ta.Now(), c.ID); err != nil {
				t.Fatal(err)
			}
		}, "Held first words", ""},
		{"comment edited", func(f fixture) string { return f.articleAt }, func(t *testing.T, f fixture) {
			c := f.ta.comment(f.art, f.ed, 0, "Before the edit")
			cachedTwice(t, f.ta, f.articleAt)
			if _, err := f.ta.Store.Comments.Edit(ctx, f.ta.Now(), c.ID, f.ed, "After the edit"); err != nil {
				t.Fatal(err)
			}
		}, "After the edit", "Before the edit"},
		{"comment deleted", func(f fixture) string { return f.articleAt }, func(t *testing.T, f fixture) {
			c := f.ta.comment(f.art, f.ed, 0, "Soon to be deleted")
			cachedTwice(t, f.ta, f.articleAt)
			if err := f.ta.Store.Comments.DeleteOwn(ctx, c.ID, f.ed.ID); err != nil {
				t.Fatal(err)
			}
		}, "", "Soon to be deleted"},
		{"comment vote", func(f fixture) string { return f.articleAt }, func(t *testing.T, f fixture) {
			c := f.ta.comment(f.art, f.ed, 0, "Score me")
			cachedTwice(t, f.ta, f.articleAt)
			if _, err := f.ta.Store.Comments.Vote(ctx, f.ta.Now(), c.ID, f.ada, models.VoteUp); err != nil {
				t.Fatal(err)
			}
		}, `<data value="1">1</data>`, `<data value="0">`},
		{"comment vote in another order", func(f fixture) string { return f.articleAt + "?sort=best" }, func(t *testing.T, f fixture) {
			c := f.ta.comment(f.art, f.ed, 0, "Score me")
			cachedTwice(t, f.ta, f.articleAt+"?sort=best")
			if _, err := f.ta.Store.Comments.Vote(ctx, f.ta.Now(), c.ID, f.ada, models.VoteDown); err != nil {
				t.Fatal(err)
			}
		}, `<data value="-1">-1</data>`, `<data value="0">`},
		{"comment count on the front page", func(f fixture) string { return "/" }, func(t *testing.T, f fixture) {
			f.ta.comment(f.art, f.ed, 0, "Counted")
		}, "1 comment", ""},
		{"article saved", func(f fixture) string { return f.articleAt }, func(t *testing.T, f fixture) {
			edit(t, f, func(in *models.ArticleInput) { in.Title = "Talks resume in Tehran at last" })
		}, "Talks resume in Tehran at last", ""},
		{"article published", func(f fixture) string { return "/" }, func(t *testing.T, f fixture) {
			f.art = f.ta.article("A draft until now", f.world, f.ed, func(in *models.ArticleInput) { in.Status = models.StatusDraft })
			if body := body(t, f.ta.get("/")); strings.Contains(body, "A draft until now") {
				t.Fatal("a draft is on the front page")
			}
			edit(t, f, func(in *models.ArticleInput) {
				in.Status, in.PublishedAt = models.StatusPublished, testNow.Add(-time.Minute)
			})
		}, "A draft until now", ""},
		{"article unpublished", func(f fixture) string { return "/" }, func(t *testing.T, f fixture) {
			edit(t, f, func(in *models.ArticleInput) { in.Status = models.StatusUnpublished })
		}, "", "Talks resume in Tehran"},
		{"scheduled time reached", func(f fixture) string { return "/" }, func(t *testing.T, f fixture) {
			f.ta.article("Embargoed until noon", f.world, f.ed, func(in *models.ArticleInput) {
				in.Status, in.PublishedAt = models.StatusScheduled, testNow.Add(30*time.Minute)
			})
			cachedTwice(t, f.ta, "/")
			f.ta.advance(31 * time.Minute)
		}, "Embargoed until noon", ""},
		{"live coverage started", func(f fixture) string { return f.articleAt }, func(t *testing.T, f fixture) {
			if err := f.ta.Store.Live.Start(ctx, testNow, f.art.ID, 0); err != nil {
				t.Fatal(err)
			}
		}, "Latest updates", ""},
		{"live entry posted", func(f fixture) string { return f.articleAt }, func(t *testing.T, f fixture) {
			f.ta.liveEntry(f.art, f.ed, models.LiveEntryInput{Body: "First entry from the desk"})
			cachedTwice(t, f.ta, f.articleAt)
			f.ta.liveEntry(f.art, f.ed, models.LiveEntryInput{Body: "Second entry from the desk"})
		}, "Second entry from the desk", ""},
		{"live entry edited", func(f fixture) string { return f.articleAt }, func(t *testing.T, f fixture) {
			e := f.ta.liveEntry(f.art, f.ed, models.LiveEntryInput{Body: "Entry before the fix"})
			cachedTwice(t, f.ta, f.articleAt)
			if err := f.ta.Store.Live.Update(ctx, testNow, f.art.ID, e.ID, 0, models.LiveEntryInput{Body: "Entry after the fix"}); err != nil {
				t.Fatal(err)
			}
		}, "Entry after the fix", "Entry before the fix"},
		{"live entry deleted", func(f fixture) string { return f.articleAt }, func(t *testing.T, f fixture) {
			e := f.ta.liveEntry(f.art, f.ed, models.LiveEntryInput{Body: "Entry posted in error"})
			cachedTwice(t, f.ta, f.articleAt)
			if err := f.ta.Store.Live.Delete(ctx, testNow, f.art.ID, e.ID, 0); err != nil {
				t.Fatal(err)
			}
		}, "", "Entry posted in error"},
		{"live coverage closed", func(f fixture) string { return f.articleAt }, func(t *testing.T, f fixture) {
			f.ta.liveEntry(f.art, f.ed, models.LiveEntryInput{Body: "Last word"})
			cachedTwice(t, f.ta, f.articleAt)
			if err := f.ta.Store.Live.Close(ctx, testNow, f.art.ID, 0); err != nil {
				t.Fatal(err)
			}
		}, "Timeline", "Latest updates"},
		{"section renamed", func(f fixture) string { return f.articleAt }, func(t *testing.T, f fixture) {
			if err := f.ta.Store.Sections.Update(ctx, f.world.ID, "World affairs", f.world.Description); err != nil {
				t.Fatal(err)
			}
		}, "World affairs", ""},
		{"tag renamed", func(f fixture) string { return f.articleAt }, func(t *testing.T, f fixture) {
			edit(t, f, func(in *models.ArticleInput) { in.Tags = []string{"Diplomacy"} })
			cachedTwice(t, f.ta, f.articleAt)
			if _, err := f.ta.Store.W.Exec("UPDATE tags SET name = 'Diplomats' WHERE slug = 'diplomacy'"); err != nil {
				t.Fatal(err)
			}
		}, "Diplomats", ""},
		{"author renamed", func(f fixture) string { return f.articleAt }, func(t *testing.T, f fixture) {
			if _, err := f.ta.Store.W.Exec("UPDATE users SET name = 'Mina Karimi-Shah' WHERE id = ?", f.ed.ID); err != nil {
				t.Fatal(err)
			}
		}, "Mina Karimi-Shah", ""},
		{"settings changed", func(f fixture) string { return "/" }, func(t *testing.T, f fixture) {
			st, err := f.ta.Store.Settings.Get(ctx)
			if err != nil {
				t.Fatal(err)
			}
			st.SiteName = "The Evening Paper"
			if err := f.ta.Store.Settings.Save(ctx, st); err != nil {
				t.Fatal(err)
			}
		}, "The Evening Paper", ""},
		{"photo replaced", func(f fixture) string { return f.articleAt }, func(t *testing.T, f fixture) {
			m := f.ta.photo()
			edit(t, f, func(in *models.ArticleInput) { in.MediaID, in.ImageAlt = m.ID, "A new lead photo" })
		}, "A new lead photo", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			path := tc.path(f)
			cachedTwice(t, f.ta, path)
			tc.write(t, f)
			res := f.ta.get(path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("after the write: status %d", res.StatusCode)
			}
			got := body(t, res)
			if tc.shows != "" && !strings.Contains(got, tc.shows) {
				t.Errorf("the next request does not show %q", tc.shows)
			}
			if tc.gone != "" && strings.Contains(got, tc.gone) {
				t.Errorf("the next request still shows %q", tc.gone)
			}
		})
	}
}

// A comment's rendering is kept across changes to the site, so what it shows of the
// site must be in its key: the story's address (its permanent link) and the time zone
// (its time). Each change shows on the next request, though the comment is unchanged.
func TestKeptCommentRenderingsFollowTheStoryAndZone(t *testing.T) {
	ctx := context.Background()
	ta, art, ed, _, _ := discussionFixture(t)
	cm := ta.comment(art, ed, 0, "Words that stay the same")
	when := func(path string) (string, string) {
		t.Helper()
		link := parse(t, ta.get(path)).Find("#comment-" + strconv.FormatInt(cm.ID, 10) + " a.when")
		href, _ := link.Attr("href")
		return href, text(link)
	}
	cachedTwice(t, ta, "/articles/"+art.Slug)
	if href, at := when("/articles/" + art.Slug); href != "/articles/"+art.Slug+"#comment-"+strconv.FormatInt(cm.ID, 10) || at != "20 November 2026, 12:00 UTC" {
		t.Fatalf("before: comment link %q at %q", href, at)
	}

	st, err := ta.Store.Settings.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.TimeZone = "Asia/Tehran"
	if err := ta.Store.Settings.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	if _, at := when("/articles/" + art.Slug); at != "20 November 2026, 15:30 +0330" {
		t.Errorf("after the time zone changed: comment at %q, want 15:30 +0330", at)
	}

	cur, err := ta.Store.Articles.Get(ctx, art.ID)
	if err != nil {
		t.Fatal(err)
	}
	in := cur.Input()
	in.Slug = "talks-resume"
	if _, err := ta.Store.Articles.Update(ctx, testNow, art.ID, cur.Version, in); err != nil {
		t.Fatal(err)
	}
	if href, _ := when("/articles/talks-resume"); href != "/articles/talks-resume#comment-"+strconv.FormatInt(cm.ID, 10) {
		t.Errorf("after the story moved: comment link %q, want it at the story's new address", href)
	}
}

// Personal pages are never served from the shared cache, nor stored in it.
func TestPersonalPagesBypassTheCache(t *testing.T) {
	ta, art, _, ada, _ := discussionFixture(t)
	path := "/articles/" + art.Slug
	cachedTwice(t, ta, path) // the anonymous page is in the cache

	ck := ta.loginCookies(ada)
	res := ta.postForm(commentPath(art), url.Values{"body": {"My first comment, waiting"}}, ck...)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("post: status %d", res.StatusCode)
	}
	mine := body(t, ta.getAs(path, ck))
	if !strings.Contains(mine, "My first comment, waiting") || !strings.Contains(mine, "Ada Reader") {
		t.Error("the author does not see their own pending comment or their name")
	}
	res = ta.getAs(path, ck)
	if cc := res.Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("logged-in page Cache-Control %q", cc)
	}
	res.Body.Close()
	anon := body(t, ta.get(path))
	if strings.Contains(anon, "My first comment, waiting") || strings.Contains(anon, "Ada Reader") {
		t.Error("an anonymous reader got the logged-in reader's page")
	}

	// A flash message is shown once to the reader it is for, never stored for others.
	cachedTwice(t, ta, "/")
	var flash []*http.Cookie
	for _, c := range ta.postForm("/account/sessions/end", nil, ck...).Cookies() {
		if c.Name == flashCookie {
			flash = append(flash, c)
		}
	}
	const msg = "You have been logged out on every device."
	if got := body(t, ta.getAs("/", flash)); len(flash) == 0 || !strings.Contains(got, msg) {
		t.Error("the flash message is not shown")
	}
	if got := body(t, ta.get("/")); strings.Contains(got, msg) {
		t.Error("another reader got the flash message")
	}
}

// HEAD is answered on every GET route with the GET's headers and no read counted;
// conditional GETs get 304; compressed answers decode to the page.
func TestCacheHTTPSemantics(t *testing.T) {
	ta, art, _, _, _ := discussionFixture(t)
	path := "/articles/" + art.Slug
	page := cachedTwice(t, ta, path)

	srv := ta.server()
	for _, p := range []string{"/", path, "/section/world", "/feed.rss", "/sitemap.xml", "/search?q=talks", "/robots.txt"} {
		res, err := http.Head(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(b) != 0 {
			t.Errorf("HEAD %s: status %d, %d body bytes", p, res.StatusCode, len(b))
		}
	}
	// The logs and metrics say HEAD, whether the cache answered (the story, read twice
	// above) or the router did (a section page nobody had asked for).
	fams := scrape(t, ta)
	for _, route := range []string{"/articles/:slug", "/section/:slug"} {
		if n, _ := sample(fams, "broadsheet_http_requests_total", map[string]string{"route": route, "method": "HEAD"}); n != 1 {
			t.Errorf("HEAD requests counted for %s: %v, want 1", route, n)
		}
	}
	if err := ta.Reads.Flush(context.Background(), testNow); err != nil {
		t.Fatal(err)
	}
	var reads int
	if err := ta.Store.R.QueryRow("SELECT coalesce(sum(count), 0) FROM article_reads").Scan(&reads); err != nil {
		t.Fatal(err)
	}
	if reads != 2 { // the two GETs of cachedTwice, one of them a cache hit; HEAD is not a read
		t.Errorf("reads counted %d, want 2", reads)
	}

	res := ta.get(path)
	etag, modified := res.Header.Get("ETag"), res.Header.Get("Last-Modified")
	res.Body.Close()
	if res.Header.Get("Cache-Control") != publicCacheControl || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("Cache-Control %q, Vary %q", res.Header.Get("Cache-Control"), res.Header.Get("Vary"))
	}
	// A CDN purges by these keys: the whole site, or one story's page.
	if got, want := res.Header.Get("Surrogate-Key"), fmt.Sprintf("site article-%d", art.ID); got != want {
		t.Errorf("article page Surrogate-Key %q, want %q", got, want)
	}
	if res := ta.get("/"); res.Header.Get("Surrogate-Key") != "site" {
		t.Errorf("front page Surrogate-Key %q, want site", res.Header.Get("Surrogate-Key"))
	}
	for name, value := range map[string]string{"If-None-Match": etag, "If-Modified-Since": modified} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set(name, value)
		if res := ta.do(req); res.StatusCode != http.StatusNotModified {
			t.Errorf("%s: status %d, want 304", name, res.StatusCode)
		}
	}
	ta.comment(art, ta.user("Desk Editor", models.RoleEditor), 0, "Changes the page")
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("If-None-Match", etag)
	if res := ta.do(req); res.StatusCode != http.StatusOK {
		t.Errorf("changed page with an old ETag: status %d, want 200", res.StatusCode)
	}
	page = cachedTwice(t, ta, path)

	decoders := map[string]func(io.Reader) (io.Reader, error){
		"gzip": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
		"br":   func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
	}
	for enc, dec := range decoders {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", enc)
		res := ta.do(req)
		raw := body(t, res)
		if res.Header.Get("Content-Encoding") != enc || len(raw) >= len(page)/2 {
			t.Errorf("%s: Content-Encoding %q, %d bytes for a %d-byte page", enc, res.Header.Get("Content-Encoding"), len(raw), len(page))
			continue
		}
		r, err := dec(bytes.NewReader([]byte(raw)))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(r)
		if err != nil || string(plain) != page {
			t.Errorf("%s: decoded answer differs from the page (%v)", enc, err)
		}
	}
}

// The cache holds no more than it was given, however many pages readers ask for.
func TestPageCacheIsBoundedInBytes(t *testing.T) {
	ta, _, _, _, _ := discussionFixture(t)
	ta.pages = newLRU[*cachedPage](256 << 10)
	for i := 0; i < 200; i++ {
		ta.get("/search?q=talks&n=" + string(rune('a'+i%26)) + strings.Repeat("x", i)).Body.Close()
	}
	if got := ta.pages.bytes(); got > 256<<10 || got == 0 {
		t.Errorf("cache holds %d bytes, want 0 < n ≤ %d", got, 256<<10)
	}
}

// A reader who hangs up is not a server failure: no error page, no error log line.
func TestClientGoneIsNotAnError(t *testing.T) {
	ta, art, _, _, _ := discussionFixture(t)
	var logged bytes.Buffer
	ta.Log = slog.New(slog.NewTextHandler(&logged, nil))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := ta.do(httptest.NewRequest(http.MethodGet, "/articles/"+art.Slug, nil).WithContext(ctx))
	if res.StatusCode != statusClientClosed || strings.Contains(logged.String(), "level=ERROR") {
		t.Errorf("status %d, log:\n%s", res.StatusCode, logged.String())
	}
}

// Logged-in readers with no comments of their own on a discussion page share one
// rendering of it; each still sees their own comments with their own controls, and
// nobody sees another reader's pending comment.
func TestLoggedInReadersShareTheRenderedDiscussion(t *testing.T) {
	ta, art, ed, ada, bo := discussionFixture(t)
	cal := ta.user("Cal Reader", models.RoleCommenter)
	path := "/articles/" + art.Slug
	ta.comment(art, ed, 0, "An editor's note")
	held, err := ta.Store.Comments.Post(context.Background(), ta.Now(), models.NewComment{ArticleID: art.ID, User: &ada, Body: "Ada waits for a moderator"})
	if err != nil || !held.Pending() {
		t.Fatalf("want a held comment: %+v %v", held, err)
	}
	view := func(u models.User) *goquery.Selection {
		t.Helper()
		return parse(t, ta.getAs(path, ta.loginCookies(u))).Find("ol.comments")
	}
	boTree, _ := view(bo).Html()
	kept := ta.commentHTML.bytes()
	calTree, _ := view(cal).Html()
	if ta.commentHTML.bytes() != kept {
		t.Error("Cal's view rendered comments again instead of sharing Bo's")
	}
	if boTree != calTree || !strings.Contains(boTree, "Report") || strings.Contains(boTree, "Ada waits") || strings.Contains(boTree, ">Edit<") {
		t.Errorf("readers without comments got different or wrong comments:\n%s\n---\n%s", boTree, calTree)
	}
	adaTree := view(ada)
	if !strings.Contains(adaTree.Text(), "Ada waits for a moderator") || adaTree.Find(`a[href$="/edit"]`).Length() != 1 {
		t.Errorf("Ada does not see her pending comment with its controls:\n%s", adaTree.Text())
	}

	ta.comment(art, bo, 0, "Bo joins in")
	if got := view(bo).Find(`a[href$="/edit"]`).Length(); got != 1 {
		t.Errorf("Bo sees %d edit links on his own comment, want 1", got)
	}
	calTree2 := view(cal)
	if !strings.Contains(calTree2.Text(), "Bo joins in") || calTree2.Find(`a[href$="/edit"]`).Length() != 0 {
		t.Errorf("Cal's shared view is stale or carries Bo's controls:\n%s", calTree2.Text())
	}
}

// Readers of a story in a comment storm: every answer shows at least every comment
// posted before the request was made, and the page is rendered about once per
// comment, not once per waiting reader (a reader who waited for a render takes that
// render's page when it is as new as the reader's request, and otherwise queues for
// the next render rather than making its own).
func TestReadersInACommentStormShareRendersAndNeverGoBack(t *testing.T) {
	ta, art, ed, _, _ := discussionFixture(t)
	path := "/articles/" + art.Slug
	const posts, readers = 60, 8
	var posted atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan string, readers)
	for range readers {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				before := posted.Load()
				rec := httptest.NewRecorder()
				ta.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				m := regexp.MustCompile(`\((\d+) comments?\)`).FindStringSubmatch(rec.Body.String())
				if rec.Code != http.StatusOK || m == nil {
					errs <- fmt.Sprintf("status %d, no comment count", rec.Code)
					return
				}
				if n, _ := strconv.Atoi(m[1]); int64(n) < before {
					errs <- fmt.Sprintf("a page shows %d comments, asked for after %d were posted", n, before)
					return
				}
			}
		})
	}
	misses := func() float64 { v, _ := sample(scrape(t, ta), "broadsheet_page_cache_misses_total", nil); return v }
	start := misses()
	for i := range posts {
		ta.comment(art, ed, 0, fmt.Sprintf("Storm comment %d", i))
		posted.Add(1)
		time.Sleep(time.Millisecond)
	}
	close(done)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	renders := misses() - start
	t.Logf("%v renders", renders)
	if renders > posts+readers {
		t.Errorf("%v renders for %d comments and %d readers; want about one per comment", renders, posts, readers)
	}
}

// Readers' mastheads and footers are rendered once per site snapshot, section and year
// (readerChrome): each page kind must still name the site, mark its section and show
// the year as they are now, and a logged-in reader must get their own masthead.
func TestReaderChromeFollowsTheSite(t *testing.T) {
	ctx := context.Background()
	ta, art, _, ada, _ := discussionFixture(t)
	type want struct {
		site, current, year string // current: the section the navigation marks ("" for none)
	}
	pages := []struct{ path, current string }{
		{"/", "Home"}, {"/section/" + art.Section.Slug, "Section"}, {"/articles/" + art.Slug, "Section"},
		{"/search?q=talks", ""},
	}
	check := func(t *testing.T, res *http.Response, current string, w want, member bool) {
		t.Helper()
		doc := parse(t, res)
		head := doc.Find("header.masthead")
		if got := text(head.Find(".brand")); got != w.site {
			t.Errorf("masthead names %q, want %q", got, w.site)
		}
		if current == "Section" {
			current = w.current
		}
		if got := text(head.Find(`nav.sections a[aria-current="page"]`)); got != current {
			t.Errorf("masthead marks %q, want %q", got, current)
		}
		if got := text(head.Find("nav.account .who")); member != (got == "Signed in as Ada Reader") {
			t.Errorf("masthead of a member (%t) says %q", member, got)
		}
		foot := text(doc.Find("footer.site-footer"))
		if !strings.Contains(foot, "© "+w.year+" "+w.site+".") || !strings.Contains(foot, w.current) {
			t.Errorf("footer %q, want © %s %s and the section %s", foot, w.year, w.site, w.current)
		}
	}
	st, err := ta.Store.Settings.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := want{st.SiteName, "World", "2026"}
	ck := ta.loginCookies(ada)
	for _, pg := range pages {
		cachedTwice(t, ta, pg.path)
		check(t, ta.get(pg.path), pg.current, before, false)
		check(t, ta.getAs(pg.path, ck), pg.current, before, true)
	}

	if err := ta.Store.Sections.Update(ctx, art.Section.ID, "World affairs", ""); err != nil {
		t.Fatal(err)
	}
	st.SiteName = "The Evening Paper"
	if err := ta.Store.Settings.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	after := want{"The Evening Paper", "World affairs", "2026"}
	for _, pg := range pages {
		t.Run("after the change "+pg.path, func(t *testing.T) {
			check(t, ta.get(pg.path), pg.current, after, false)
			check(t, ta.getAs(pg.path, ck), pg.current, after, true)
		})
	}

	ta.advance(45 * 24 * time.Hour) // into January: nothing was written, but the year turned
	for _, pg := range pages {
		t.Run("in the new year "+pg.path, func(t *testing.T) {
			check(t, ta.get(pg.path), pg.current, want{after.site, after.current, "2027"}, false)
		})
	}
}
