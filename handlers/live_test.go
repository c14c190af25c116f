package handlers

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"broadsheet/models"
)

// liveEntry marks art live if it is not yet and posts an entry by u.
func (ta *testApp) liveEntry(art models.Article, u models.User, in models.LiveEntryInput) models.LiveEntry {
	ta.tb.Helper()
	ctx := context.Background()
	if _, live, err := ta.Store.Live.Version(ctx, art.ID); err != nil || !live {
		if err := ta.Store.Live.Start(ctx, testNow, art.ID, 0); err != nil {
			ta.tb.Fatal(err)
		}
	}
	e, err := ta.Store.Live.Post(ctx, ta.Now(), art.ID, u.ID, in)
	if err != nil {
		ta.tb.Fatal(err)
	}
	return e
}

// liveStory is a site polling live versions every poll (0: the default) with one live
// story, which has one entry.
func liveStory(t *testing.T, poll time.Duration) (*testApp, models.Article, models.User) {
	ta := newTestApp(t, func(c *Config) { c.LivePoll = poll })
	ed := ta.user("Eddie Editor", models.RoleEditor)
	story := ta.article("Count goes on", ta.section("World"), ed, nil)
	ta.liveEntry(story, ed, models.LiveEntryInput{Body: "Polls closed"})
	return ta, story, ed
}

// liveSite is a site with a published story, two editors at the desk and an author.
type liveSite struct {
	*adminSite
	story models.Article
	desk  string // the story's live desk
}

func newLiveSite(t *testing.T) *liveSite {
	n := newAdminSite(t)
	story := n.article("Storm reaches the coast", n.sec, n.editor, nil)
	return &liveSite{adminSite: n, story: story, desk: "/admin/articles/" + strconv.FormatInt(story.ID, 10) + "/live"}
}

// post sends the desk's entry form as role and returns the response.
func (n *liveSite) post(role, path string, form url.Values) *http.Response {
	n.tb.Helper()
	return n.send(http.MethodPost, path, role, form)
}

// ldOf returns the page's first JSON-LD object.
func ldOf(t *testing.T, doc *goquery.Document) map[string]any {
	t.Helper()
	var ld map[string]any
	if err := json.Unmarshal([]byte(doc.Find(`script[type="application/ld+json"]`).First().Text()), &ld); err != nil {
		t.Fatal(err)
	}
	return ld
}

// Two editors run a live story from the desk; readers see entries newest first, the
// pinned entry, key events linking to their entries and LiveBlogPosting data; closing
// the coverage leaves an article with its entries as a timeline.
func TestLiveDesk(t *testing.T) {
	n := newLiveSite(t)
	page := "/articles/" + n.story.Slug
	if res := n.post("editor", n.desk, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark live: %d", res.StatusCode)
	}
	clock := testNow
	n.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	for _, p := range []struct {
		role string
		form url.Values
	}{
		{"editor", url.Values{"body": {"Wind gusts of **120 km/h** at the pier."}}},
		{"admin", url.Values{"title": {"Evacuation ordered"}, "body": {"The mayor orders the old town cleared."}, "key_event": {"1"}}},
		{"editor", url.Values{"body": {"Shelters are open at the school and the town hall."}, "pinned": {"1"}}},
	} {
		if res := n.post(p.role, n.desk+"/entries", p.form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("post %v as %s: %d", p.form, p.role, res.StatusCode)
		}
	}
	doc := parse(t, n.get(page))
	entries := doc.Find("#live .live-entries > li")
	if entries.Length() != 3 {
		t.Fatalf("%d entries on the reader's page, want 3", entries.Length())
	}
	if got := text(entries.First()); !strings.Contains(got, "Shelters are open") || !strings.Contains(got, "Eddie Editor") {
		t.Errorf("newest entry first with its author: %q", got)
	}
	if got, _ := entries.Last().Find("strong").Html(); got != "120 km/h" {
		t.Errorf("Markdown in an entry: %q", got)
	}
	if got := text(doc.Find("#live .live-pinned")); !strings.Contains(got, "Shelters are open") {
		t.Errorf("pinned entry: %q", got)
	}
	key := doc.Find("#live .key-events a")
	href, _ := key.Attr("href")
	if key.Length() != 1 || !strings.Contains(text(key), "Evacuation ordered") || doc.Find(href).Length() != 1 {
		t.Errorf("key events: %d links, %q → %q (target found: %d)", key.Length(), text(key), href, doc.Find(href).Length())
	}
	if v, ok := doc.Find("#live").Attr("data-live-stream"); !ok || v != "/live/"+n.story.Slug {
		t.Errorf("stream address %q", v)
	}
	ld := ldOf(t, doc)
	updates, _ := ld["liveBlogUpdate"].([]any)
	if ld["@type"] != "LiveBlogPosting" || ld["coverageStartTime"] == nil || ld["coverageEndTime"] != nil || len(updates) != 3 {
		t.Errorf("structured data while live: %v", ld)
	}
	if u := updates[1].(map[string]any); u["headline"] != "Evacuation ordered" || !strings.HasSuffix(u["url"].(string), href) {
		t.Errorf("a key event's update: %v", u)
	}

	// A second pin takes the pin from the first.
	n.post("admin", n.desk+"/entries", url.Values{"body": {"Power is back in the north."}, "pinned": {"1"}})
	if got := text(parse(t, n.get(page)).Find("#live .live-pinned")); !strings.Contains(got, "Power is back") || strings.Contains(got, "Shelters") {
		t.Errorf("pinned after a second pin: %q", got)
	}

	if res := n.post("editor", n.desk+"/close", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d", res.StatusCode)
	}
	doc = parse(t, n.get(page))
	entries = doc.Find("#live .live-entries > li")
	if entries.Length() != 4 || !strings.Contains(text(entries.First()), "120 km/h") || !strings.Contains(text(doc.Find("#live h2")), "Timeline") {
		t.Errorf("closed: %d entries, first %q, heading %q; want the timeline oldest first", entries.Length(), text(entries.First()), text(doc.Find("#live h2")))
	}
	if _, ok := doc.Find("#live").Attr("data-live-stream"); ok || doc.Find(`script[src*="live"]`).Length() != 0 || doc.Find(".live-pinned").Length() != 0 {
		t.Error("a closed story still streams or pins")
	}
	if ld := ldOf(t, doc); ld["coverageEndTime"] == nil {
		t.Errorf("closed coverage has no end time: %v", ld)
	}
	// An entry sent after a colleague closed the story is refused with its text kept.
	res := n.post("admin", n.desk+"/entries", url.Values{"body": {"Late news from the harbour"}})
	doc = parse(t, res)
	if res.StatusCode != http.StatusUnprocessableEntity || doc.Find("textarea[name=body]").Text() != "Late news from the harbour" || !strings.Contains(text(doc.Find(".error")), "not live") {
		t.Errorf("entry on a closed story: %d, form %q", res.StatusCode, doc.Find("textarea[name=body]").Text())
	}
}

// Bad, oversize and hostile entries never give a 500 or a stored row: they come back
// in the form with the reason; hostile markup is made harmless.
func TestLiveEntryInput(t *testing.T) {
	n := newLiveSite(t)
	n.post("editor", n.desk, nil)
	cases := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"empty", url.Values{"body": {"  \r\n "}}, "body"},
		{"too long", url.Values{"body": {strings.Repeat("word ", models.MaxLiveEntryLen/5+1)}}, "body"},
		{"control characters", url.Values{"body": {"bell \a here"}}, "body"},
		{"invalid UTF-8", url.Values{"body": {"bad \xff bytes"}}, "body"},
		{"key event without headline", url.Values{"body": {"Something big"}, "key_event": {"1"}}, "title"},
		{"headline too long", url.Values{"title": {strings.Repeat("h", models.MaxLiveEntryTitle+1)}, "body": {"ok"}}, "title"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := n.post("editor", n.desk+"/entries", tc.form)
			doc := parse(t, res)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			if doc.Find("#e-"+tc.field).Length() != 1 {
				t.Errorf("no message beside %s", tc.field)
			}
			if got, want := doc.Find("#e-title-f").AttrOr("value", ""), tc.form.Get("title"); got != want && tc.field == "title" {
				t.Errorf("headline not kept: %q", got)
			}
		})
	}
	if cov, err := n.Store.Live.Coverage(t.Context(), n.story.ID); err != nil || len(cov.Entries) != 0 {
		t.Fatalf("refused entries were stored: %v, %v", cov, err)
	}
	hostile := "<script>alert(1)</script><img src=x onerror=alert(2)> [link](javascript:alert(3))\n\nStill fine"
	if res := n.post("editor", n.desk+"/entries", url.Values{"body": {hostile}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("hostile entry: %d", res.StatusCode)
	}
	got, _ := parse(t, n.get("/articles/"+n.story.Slug)).Find("#live .live-body").Html()
	if strings.Contains(got, "<script") || strings.Contains(got, "onerror") || strings.Contains(got, "javascript:") || !strings.Contains(got, "fine") {
		t.Errorf("hostile entry rendered as %q", got)
	}
}

// Entries are edited and deleted at the desk; only editors and administrators work it,
// and a form from another site is refused.
func TestLiveEntryEditDeleteAndAccess(t *testing.T) {
	n := newLiveSite(t)
	n.post("editor", n.desk, nil)
	e := n.liveEntry(n.story, n.editor, models.LiveEntryInput{Body: "Tide at 4.2 metres"})
	entry := n.desk + "/entries/" + strconv.FormatInt(e.ID, 10)

	doc := parse(t, n.send(http.MethodGet, entry, "admin", nil))
	if doc.Find("textarea[name=body]").Text() != "Tide at 4.2 metres" {
		t.Fatalf("edit form: %q", doc.Find("textarea[name=body]").Text())
	}
	res := n.post("admin", entry, url.Values{"body": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("emptying an entry: %d", res.StatusCode)
	}
	n.advance(10 * time.Minute)
	if res := n.post("admin", entry, url.Values{"body": {"Tide at 4.4 metres"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	page := "/articles/" + n.story.Slug
	if got := text(parse(t, n.get(page)).Find("#live")); !strings.Contains(got, "4.4 metres") || !strings.Contains(got, "updated") {
		t.Errorf("edited entry: %q", got)
	}

	// An author may not post to the desk; nor may a form from another site.
	if res := n.post("author", n.desk+"/entries", url.Values{"body": {"From an author"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("author posts an entry: %d, want 403", res.StatusCode)
	}
	req := httptest.NewRequest(http.MethodPost, n.desk+"/entries", strings.NewReader(url.Values{"body": {"Forged"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	for _, c := range n.cookies["editor"] {
		req.AddCookie(c)
	}
	if res := n.do(req); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site post: %d, want 403", res.StatusCode)
	}

	if res := n.post("editor", entry+"/delete", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if got := text(parse(t, n.get(page)).Find("#live")); strings.Contains(got, "metres") {
		t.Errorf("deleted entry still shown: %q", got)
	}
	if res := n.post("editor", entry+"/delete", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("deleting twice: %d, want 404", res.StatusCode)
	}
}

// The stream tells a reader of a new entry within a poll, is never cached, and tells a
// reader holding the closed page to stop reconnecting.
func TestLiveStream(t *testing.T) {
	ta, story, ed := liveStory(t, 20*time.Millisecond)
	version, _, err := ta.Store.Live.Version(t.Context(), story.ID)
	if err != nil {
		t.Fatal(err)
	}
	srv := ta.server()
	stream := srv.URL + "/live/" + story.Slug + "?v=" + strconv.FormatInt(version, 10)
	res, err := http.Get(stream)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct, cc := res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"); !strings.HasPrefix(ct, "text/event-stream") || cc != "no-store" {
		t.Fatalf("stream headers: %q, %q", ct, cc)
	}
	events := streamEvents(res.Body)
	time.Sleep(50 * time.Millisecond) // the stream is watching
	ta.liveEntry(story, ed, models.LiveEntryInput{Body: "First results in"})
	expectEvent(t, events, "update")
	if err := ta.Store.Live.Close(t.Context(), testNow, story.ID, 0); err != nil {
		t.Fatal(err)
	}
	expectEvent(t, events, "closed")
	version, _, _ = ta.Store.Live.Version(t.Context(), story.ID)
	res2, err := http.Get(srv.URL + "/live/" + story.Slug + "?v=" + strconv.FormatInt(version, 10))
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.StatusCode != http.StatusNoContent {
		t.Errorf("stream of a closed story the reader has: %d, want 204", res2.StatusCode)
	}
	if res := ta.get("/live/no-such-story"); res.StatusCode != http.StatusNotFound {
		t.Errorf("stream of a missing story: %d", res.StatusCode)
	}
}

// streamEvents reads an event stream and passes on the names of its events.
func streamEvents(body io.Reader) <-chan string {
	events := make(chan string, 8)
	go func() {
		sc := bufio.NewScanner(body)
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				events <- name
			}
		}
		close(events)
	}()
	return events
}

// expectEvent waits for the stream's next event, which must be want.
func expectEvent(t *testing.T, events <-chan string, want string) {
	t.Helper()
	select {
	case ev := <-events:
		if ev != want {
			t.Errorf("event %q, want %q", ev, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("no %q event within 5 s", want)
	}
}

// However many readers watch a story, a server polls its version once per LivePoll
// (one watch, one poller), and the watch goes once the last reader leaves.
func TestLiveStreamsShareOnePoller(t *testing.T) {
	ta, story, _ := liveStory(t, 10*time.Millisecond)
	srv := ta.server()
	var bodies []io.Closer
	for range 20 {
		res, err := http.Get(srv.URL + "/live/" + story.Slug)
		if err != nil {
			t.Fatal(err)
		}
		bufio.NewReader(res.Body).ReadString('\n') // the stream has begun
		bodies = append(bodies, res.Body)
	}
	watches := func() (n, watchers int) {
		ta.live.mu.Lock()
		defer ta.live.mu.Unlock()
		for _, w := range ta.live.watches {
			n, watchers = n+1, watchers+w.watchers
		}
		return n, watchers
	}
	if n, w := watches(); n != 1 || w != 20 {
		t.Errorf("20 readers of one story: %d watches with %d watchers, want 1 with 20", n, w)
	}
	if res := ta.do(httptest.NewRequest(http.MethodHead, "/live/"+story.Slug, nil)); res.StatusCode != http.StatusOK {
		t.Errorf("HEAD of a stream: %d", res.StatusCode) // and it returned, rather than streaming to nobody
	}
	for _, b := range bodies {
		b.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for n, _ := watches(); n != 0; n, _ = watches() {
		if time.Now().After(deadline) {
			t.Fatal("the watch outlived its readers")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A graceful shutdown ends every stream at once (serve registers EndStreams with
// http.Server.RegisterOnShutdown), rather than holding the shutdown to its deadline.
func TestLiveStreamsEndAtShutdown(t *testing.T) {
	ta, story, _ := liveStory(t, 0)
	res, err := http.Get(ta.server().URL + "/live/" + story.Slug)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	done := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, res.Body); done <- err }()
	ta.EndStreams()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("stream ended with %v, want a clean end", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream outlived the shutdown")
	}
}

// A stream outlives the server's write timeout: each event pushes the connection's
// write deadline on, so only a client that stops reading is cut off by it.
func TestLiveStreamOutlivesWriteTimeout(t *testing.T) {
	ta, story, ed := liveStory(t, 10*time.Millisecond)
	srv := httptest.NewUnstartedServer(ta.h)
	srv.Config.WriteTimeout = 200 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	res, err := http.Get(srv.URL + "/live/" + story.Slug)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	events := streamEvents(res.Body)
	time.Sleep(3 * srv.Config.WriteTimeout)
	ta.liveEntry(story, ed, models.LiveEntryInput{Body: "Late but delivered"})
	expectEvent(t, events, "update")
}
