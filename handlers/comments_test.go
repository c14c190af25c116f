package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/mmcdole/gofeed"

	"broadsheet/models"
)

// loginCookies logs u in through the real form and returns the session cookie.
func (ta *testApp) loginCookies(u models.User) []*http.Cookie {
	ta.tb.Helper()
	return ta.loginCookiesWith(u.Email, testPassword)
}

// getAs fetches a path with the given cookies.
func (ta *testApp) getAs(path string, cookies []*http.Cookie) *http.Response {
	ta.tb.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return ta.do(req)
}

// advance moves the pinned clock on, as time passing between a reader's actions.
func (ta *testApp) advance(d time.Duration) {
	now := ta.Now().Add(d)
	ta.Now = func() time.Time { return now }
}

// comment stores a comment through the model at the app's clock, approves it if it
// was held, and moves the clock past flood control.
func (ta *testApp) comment(art models.Article, u models.User, parent int64, body string) models.Comment {
	ta.tb.Helper()
	ctx := context.Background()
	c, err := ta.Store.Comments.Post(ctx, ta.Now(), models.NewComment{ArticleID: art.ID, ParentID: parent, User: &u, Body: body})
	if err != nil {
		ta.tb.Fatal(err)
	}
	if c.Pending() {
		if err := ta.Store.Comments.Approve(ctx, ta.Now(), c.ID); err != nil {
			ta.tb.Fatal(err)
		}
		c.Status = models.CommentApproved
	}
	ta.advance(time.Minute)
	return c
}

// discussionFixture is a story, its editor and two readers.
func discussionFixture(t *testing.T) (*testApp, models.Article, models.User, models.User, models.User) {
	ta := newTestApp(t)
	ed := ta.user("Mina Karimi", models.RoleEditor)
	art := ta.article("Talks resume in Tehran", ta.section("World"), ed, nil)
	return ta, art, ed, ta.user("Ada Reader", models.RoleCommenter), ta.user("Bo Reader", models.RoleCommenter)
}

// nextParam is the ?next= of a link, decoded.
func nextParam(href string) string {
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	return u.Query().Get("next")
}

func commentPath(art models.Article) string { return "/articles/" + art.Slug + "/comments" }

func TestCommentPostLandsOnCommentAndHoldsFirstComment(t *testing.T) {
	ta, art, _, ada, _ := discussionFixture(t)
	ck := ta.loginCookies(ada)
	res := ta.postForm(commentPath(art), url.Values{"body": {"A first thought.\n\nA second paragraph."}}, ck...)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, "/articles/"+art.Slug+"#comment-") {
		t.Fatalf("redirect to %q, want the comment's anchor", loc)
	}
	id := strings.TrimPrefix(loc, "/articles/"+art.Slug+"#comment-")

	// The author sees it, marked as awaiting moderation (a first comment is held).
	doc := parse(t, ta.getAs("/articles/"+art.Slug, ck))
	li := doc.Find("#comment-" + id)
	if li.Length() != 1 {
		t.Fatal("author does not see their pending comment")
	}
	if got := text(li.Find(".awaiting")); got != "Awaiting moderation" {
		t.Errorf("pending mark = %q", got)
	}
	if li.Find(".comment-body p").Length() != 2 {
		t.Errorf("body paragraphs = %d, want 2", li.Find(".comment-body p").Length())
	}
	// Anonymous readers do not see it until a moderator approves it.
	if parse(t, ta.get("/articles/"+art.Slug)).Find("#comment-"+id).Length() != 0 {
		t.Error("anonymous reader sees a pending comment")
	}
	n, _ := strconv.ParseInt(id, 10, 64)
	c, err := ta.Store.Comments.Get(context.Background(), n)
	if err != nil || strings.Join(c.HeldReasons, ",") != models.HeldFirst {
		t.Errorf("held reasons = %v (%v), want first", c.HeldReasons, err)
	}
	if err := ta.Store.Comments.Approve(context.Background(), ta.Now(), n); err != nil {
		t.Fatal(err)
	}
	li = parse(t, ta.get("/articles/"+art.Slug)).Find("#comment-" + id)
	if got := text(li.Find(".comment-head")); !strings.HasPrefix(got, "1. Ada Reader said:") {
		t.Errorf("approved comment head = %q", got)
	}
	if href, _ := li.Find("a.when").Attr("href"); href != "/articles/"+art.Slug+"#comment-"+id {
		t.Errorf("timestamp permalink = %q", href)
	}
	// Once one comment is approved, the next is not held.
	ta.advance(time.Minute)
	ta.postForm(commentPath(art), url.Values{"body": {"Another thought."}}, ck...)
	doc = parse(t, ta.get("/articles/"+art.Slug))
	if got := doc.Find(".comments > li").Length(); got != 2 {
		t.Errorf("public top-level comments = %d, want 2", got)
	}
	if got := text(doc.Find("#discussion-h .count")); got != "(2 comments)" {
		t.Errorf("count = %q", got)
	}
	if got := text(parse(t, ta.get("/section/world")).Find(`.card a[href$="#discussion"]`)); got != "2 comments" {
		t.Errorf("count on the section list = %q", got)
	}
}

func TestThreadsNumberedAndNestedToMaxDepth(t *testing.T) {
	ta, art, _, ada, bo := discussionFixture(t)
	first := ta.comment(art, ada, 0, "Thread one")
	ta.comment(art, bo, 0, "Thread two")
	// A chain six deep: the sixth reply joins the fifth level (default depth 5).
	parent := first.ID
	var chain []models.Comment
	for i := 1; i <= 5; i++ {
		who := ada
		if i%2 == 1 {
			who = bo
		}
		c := ta.comment(art, who, parent, fmt.Sprintf("Reply level %d", i+1))
		chain = append(chain, c)
		parent = c.ID
	}
	doc := parse(t, ta.get("/articles/"+art.Slug))
	nums := doc.Find(".comments > li > article .num").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if strings.Join(nums, " ") != "1. 2." {
		t.Errorf("top-level numbers = %v", nums)
	}
	depth := func(id int64) int {
		return doc.Find(fmt.Sprintf("#comment-%d", id)).ParentsFiltered("ol.replies").Length() + 1
	}
	for i, c := range chain[:4] {
		if got := depth(c.ID); got != i+2 {
			t.Errorf("reply %d at depth %d, want %d", i+1, got, i+2)
		}
	}
	if got := depth(chain[4].ID); got != 5 {
		t.Errorf("reply beyond the deepest level at depth %d, want 5 (joins that level)", got)
	}
	if got := doc.Find(fmt.Sprintf("#comment-%d", chain[4].ID)).Parent().Parent().AttrOr("id", ""); got != fmt.Sprintf("comment-%d", chain[2].ID) {
		t.Errorf("reply beyond the deepest level hangs under %s, want comment %d", got, chain[2].ID)
	}
}

func TestReplyWithoutJavaScript(t *testing.T) {
	ta, art, _, ada, bo := discussionFixture(t)
	c := ta.comment(art, ada, 0, "Worth discussing")
	// Anonymous: the reply link leads to login, which returns to the reply form.
	doc := parse(t, ta.get(fmt.Sprintf("/articles/%s?reply=%d", art.Slug, c.ID)))
	prompt := doc.Find(fmt.Sprintf("#comment-%d .login-to-comment", c.ID))
	if !strings.Contains(text(prompt), "Log in or sign up to reply to Ada Reader") {
		t.Errorf("anonymous reply prompt = %q", text(prompt))
	}
	if href, _ := prompt.Find("a").Attr("href"); nextParam(href) != fmt.Sprintf("/articles/%s?reply=%d#reply-form", art.Slug, c.ID) {
		t.Errorf("login link = %q", href)
	}
	ck := ta.loginCookies(bo)
	doc = parse(t, ta.getAs(fmt.Sprintf("/articles/%s?reply=%d", art.Slug, c.ID), ck))
	form := doc.Find(fmt.Sprintf("#comment-%d form#reply-form", c.ID))
	if form.Length() != 1 {
		t.Fatal("reply form is not beneath the comment replied to")
	}
	if v, _ := form.Find("input[name=parent]").Attr("value"); v != strconv.FormatInt(c.ID, 10) {
		t.Errorf("parent = %q", v)
	}
	if got := text(form.Find("h3")); got != "Reply to Ada Reader" {
		t.Errorf("form heading = %q", got)
	}
	if doc.Find("form#reply-form").Length() != 1 {
		t.Error("more than one comment form on the page")
	}
	res := ta.postForm(commentPath(art), url.Values{"parent": {strconv.FormatInt(c.ID, 10)}, "body": {"I agree."}}, ck...)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply status %d", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	doc = parse(t, ta.getAs("/articles/"+art.Slug, ck))
	reply := doc.Find(strings.TrimPrefix(loc, "/articles/"+art.Slug))
	if reply.Length() != 1 || reply.ParentsFiltered(fmt.Sprintf("#comment-%d", c.ID)).Length() != 1 {
		t.Errorf("reply %s is not nested beneath comment %d", loc, c.ID)
	}
}

func TestCommentBadInputKeepsText(t *testing.T) {
	ta, art, ed, ada, bo := discussionFixture(t)
	other := ta.article("Another story", ta.section("Business"), ed, nil)
	foreign := ta.comment(other, bo, 0, "Elsewhere")
	gone := ta.comment(art, bo, 0, "Soon deleted")
	if err := ta.Store.Comments.DeleteOwn(context.Background(), gone.ID, bo.ID); err != nil {
		t.Fatal(err)
	}
	ta.comment(art, ada, 0, "My earlier words")
	ck := ta.loginCookies(ada)
	id := func(c models.Comment) string { return strconv.FormatInt(c.ID, 10) }
	cases := []struct {
		name, body, parent, want string
	}{
		{"empty", "", "", "Write something before posting."},
		{"whitespace only", " \n\t \r\n ", "", "Write something before posting."},
		{"too long", strings.Repeat("a", 5001), "", "Keep comments to 5,000 characters; this one has 5001."},
		{"invalid UTF-8", "bad \xff\xfe bytes", "", "not valid text"},
		{"control characters", "bell \x07 here", "", "invisible control characters"},
		{"only disallowed HTML", "<img src=x><script></script>", "", "Nothing is left"},
		{"reply to another article", "A reply", id(foreign), "belongs to another article"},
		{"reply to a missing comment", "A reply", "999999", "does not exist"},
		{"reply to a garbled id", "A reply", "12abc", "does not exist"},
		{"reply to a deleted comment", "A reply", id(gone), "has been removed"},
		{"duplicate of last comment", "My earlier words", "", "You have already posted this comment."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ta.advance(time.Minute)
			res := ta.postForm(commentPath(art), url.Values{"body": {tc.body}, "parent": {tc.parent}}, ck...)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			doc := parse(t, res)
			if got := text(doc.Find("#comment-body-error")); !strings.Contains(got, tc.want) {
				t.Errorf("error = %q, want %q", got, tc.want)
			}
			if tc.name != "invalid UTF-8" && tc.name != "whitespace only" {
				if got := doc.Find("textarea#comment-body").Text(); got != tc.body {
					t.Errorf("textarea lost the text: %q", got)
				}
			}
		})
	}
	var n int
	ta.Store.R.QueryRow("SELECT count(*) FROM comments WHERE user_id = ?", ada.ID).Scan(&n)
	if n != 1 {
		t.Errorf("%d comments stored for the author, want only the earlier one", n)
	}
}

func TestClosedDiscussions(t *testing.T) {
	ta, art, ed, ada, _ := discussionFixture(t)
	ta.comment(art, ada, 0, "Said before closing")
	if err := ta.Store.Comments.SetDiscussionOpen(context.Background(), art.ID, false); err != nil {
		t.Fatal(err)
	}
	ck := ta.loginCookies(ada)
	doc := parse(t, ta.getAs("/articles/"+art.Slug, ck))
	if !strings.Contains(text(doc.Find(".closed")), "This discussion is closed") {
		t.Error("closed discussion does not say so")
	}
	if doc.Find("form#reply-form").Length() != 0 || doc.Find("a.reply").Length() != 0 {
		t.Error("closed discussion still offers a form or reply links")
	}
	if doc.Find(".comments > li").Length() != 1 {
		t.Error("closed discussion hides its comments")
	}
	res := ta.postForm(commentPath(art), url.Values{"body": {"Too late"}}, ck...)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(parse(t, res).Find(".error")), "closed") {
		t.Errorf("post to closed discussion: status %d", res.StatusCode)
	}

	// Automatic closing after N days.
	old := ta.article("Old story", ta.section("Archive"), ed, func(in *models.ArticleInput) { in.PublishedAt = testNow.Add(-10 * 24 * time.Hour) })
	st, _ := ta.Store.Settings.Get(context.Background())
	st.CloseAfterDays = 7
	ta.Store.Settings.Save(context.Background(), st)
	if !strings.Contains(text(parse(t, ta.get("/articles/"+old.Slug)).Find(".closed")), "closed") {
		t.Error("discussion older than CloseAfterDays is not closed")
	}
}

func TestFloodControl(t *testing.T) {
	ta, art, ed, ada, bo := discussionFixture(t)
	ta.comment(art, ada, 0, "Approved earlier")
	ta.comment(art, bo, 0, "Approved earlier too")
	ck := ta.loginCookies(ada)
	if res := ta.postForm(commentPath(art), url.Values{"body": {"One"}}, ck...); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first post: %d", res.StatusCode)
	}
	ta.advance(5 * time.Second)
	res := ta.postForm(commentPath(art), url.Values{"body": {"Two, too soon"}}, ck...)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "10" {
		t.Fatalf("second post: status %d, Retry-After %q; want 429 and 10", res.StatusCode, res.Header.Get("Retry-After"))
	}
	doc := parse(t, res)
	if !strings.Contains(text(doc.Find("#comment-body-error")), "wait 10 seconds") || doc.Find("textarea").Text() != "Two, too soon" {
		t.Error("slow-down answer lost the text or the reason")
	}
	// Same address, another account: still too soon.
	ckBo := ta.loginCookies(bo)
	if res := ta.postForm(commentPath(art), url.Values{"body": {"From the same address"}}, ckBo...); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("same address, other account: %d, want 429", res.StatusCode)
	}
	// A retry of the post that went through is recognised, not refused as flooding.
	res = ta.postForm(commentPath(art), url.Values{"body": {"One"}}, ck...)
	if !strings.Contains(text(parse(t, res).Find(".error")), "already posted") {
		t.Error("retry of a posted comment not recognised")
	}
	// After the interval the retry goes through.
	ta.advance(15 * time.Second)
	if res := ta.postForm(commentPath(art), url.Values{"body": {"Two, too soon"}}, ck...); res.StatusCode != http.StatusSeeOther {
		t.Errorf("retry after waiting: %d", res.StatusCode)
	}
	// Staff are exempt.
	ckEd := ta.loginCookies(ed)
	for i := 0; i < 2; i++ {
		if res := ta.postForm(commentPath(art), url.Values{"body": {fmt.Sprintf("Editor note %d", i)}}, ckEd...); res.StatusCode != http.StatusSeeOther {
			t.Errorf("editor post %d: %d", i, res.StatusCode)
		}
	}
}

// A post is judged by the settings of the moment: the server takes them from the site
// state it keeps with the content versions, and a change of settings moves those.
func TestPostingFollowsTheSettingsOfTheMoment(t *testing.T) {
	ta, art, _, ada, _ := discussionFixture(t)
	ta.comment(art, ada, 0, "Approved earlier")
	ck := ta.loginCookies(ada)
	post := func(body string) (status, reasons string) {
		t.Helper()
		ta.advance(time.Minute)
		if res := ta.postForm(commentPath(art), url.Values{"body": {body}}, ck...); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%q: status %d", body, res.StatusCode)
		}
		ta.Store.R.QueryRow("SELECT status, held_reasons FROM comments ORDER BY id DESC LIMIT 1").Scan(&status, &reasons)
		return status, reasons
	}
	if status, _ := post("A miracle cure, they say."); status != models.CommentApproved {
		t.Fatalf("before any held word: %s", status)
	}
	st, err := ta.Store.Settings.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st.HeldWords = []string{"miracle cure"}
	if err := ta.Store.Settings.Save(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	if status, reasons := post("Another miracle cure, they say."); status != models.CommentPending || reasons != "word" {
		t.Errorf("after the word was added: %s %q, want pending for the word", status, reasons)
	}
}

func TestHoldRulesRecordReasons(t *testing.T) {
	ta, art, ed, ada, _ := discussionFixture(t)
	ta.comment(art, ada, 0, "Approved earlier")
	st, _ := ta.Store.Settings.Get(context.Background())
	st.HeldWords = []string{"miracle cure"}
	st.GuestComments = true
	ta.Store.Settings.Save(context.Background(), st)
	ck := ta.loginCookies(ada)
	ckEd := ta.loginCookies(ed)
	cases := []struct {
		name    string
		cookies []*http.Cookie
		form    url.Values
		want    string
	}{
		{"plain", ck, url.Values{"body": {"Just words."}}, ""},
		{"two links allowed", ck, url.Values{"body": {"https://a.example https://b.example"}}, ""},
		{"three links held", ck, url.Values{"body": {"https://a.example https://b.example https://c.example"}}, "links"},
		{"held word", ck, url.Values{"body": {"Try this Miracle  Cure today"}}, "word"},
		{"word inside another is fine", ck, url.Values{"body": {"miraculous"}}, ""},
		{"guest", nil, url.Values{"body": {"Guest words"}, "name": {"Visitor"}, "email": {"v@example.com"}}, "guest"},
		{"staff first comment not held", ckEd, url.Values{"body": {"From the desk"}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ta.advance(time.Minute)
			res := ta.postForm(commentPath(art), tc.form, tc.cookies...)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("status %d", res.StatusCode)
			}
			var status, reasons string
			ta.Store.R.QueryRow("SELECT status, held_reasons FROM comments ORDER BY id DESC LIMIT 1").Scan(&status, &reasons)
			wantStatus := models.CommentApproved
			if tc.want != "" {
				wantStatus = models.CommentPending
			}
			if status != wantStatus || reasons != tc.want {
				t.Errorf("status %s reasons %q, want %s %q", status, reasons, wantStatus, tc.want)
			}
		})
	}
	// The guest was told their comment awaits moderation.
	res := ta.get("/articles/" + art.Slug)
	if text(parse(t, res).Find(".flash")) != "" {
		t.Error("flash leaked to another reader")
	}
}

func TestBlockedUserIsRefusedAndLoggedOut(t *testing.T) {
	ta, art, _, ada, _ := discussionFixture(t)
	ck := ta.loginCookies(ada)
	if err := ta.Store.Users.Block(context.Background(), ada.ID); err != nil {
		t.Fatal(err)
	}
	// Blocking ended the session: the old cookie is anonymous now.
	if res := ta.postForm(commentPath(art), url.Values{"body": {"Hello"}}, ck...); res.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("stale session could post: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	ck = ta.loginCookies(ada)
	doc := parse(t, ta.getAs("/articles/"+art.Slug, ck))
	if doc.Find("form#reply-form").Length() != 0 || !strings.Contains(text(doc.Find("#reply-form")), "blocked from commenting") {
		t.Error("blocked reader is offered the comment form")
	}
	res := ta.postForm(commentPath(art), url.Values{"body": {"Hello"}}, ck...)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(parse(t, res).Find(".error")), "blocked") {
		t.Errorf("blocked user: status %d", res.StatusCode)
	}
}

func TestAnonymousArticlePageIsSharedAndPromptsLogin(t *testing.T) {
	ta, art, _, ada, _ := discussionFixture(t)
	ta.comment(art, ada, 0, "Public words")
	a, b := ta.get("/articles/"+art.Slug), ta.get("/articles/"+art.Slug)
	if len(a.Cookies()) != 0 || a.Header.Get("Cache-Control") != publicCacheControl {
		t.Errorf("anonymous page sets cookies %v or is not cacheable (%q)", a.Cookies(), a.Header.Get("Cache-Control"))
	}
	da, db := parse(t, a), parse(t, b)
	ha, _ := da.Html()
	hb, _ := db.Html()
	if ha != hb {
		t.Error("two anonymous readers got different pages")
	}
	prompt := da.Find("#discussion .login-to-comment")
	if text(prompt) != "Log in or sign up to comment." {
		t.Errorf("prompt = %q", text(prompt))
	}
	if href, _ := prompt.Find("a").First().Attr("href"); !strings.HasPrefix(href, "/login?") || nextParam(href) != "/articles/"+art.Slug+"#reply-form" {
		t.Errorf("login link = %q", href)
	}
	if da.Find("form#reply-form").Length() != 0 || da.Find(".comment-actions form").Length() != 0 {
		t.Error("anonymous page carries comment forms")
	}
	if da.Find(`link[rel=alternate][type="application/rss+xml"][href="http://news.test/articles/`+art.Slug+`/comments.rss"]`).Length() != 1 {
		t.Error("no <link rel=alternate> to the article's comment feed")
	}
	if !strings.Contains(text(da.Find(".policy")), "Be civil") {
		t.Error("discussion policy missing")
	}
	// Posting anonymously (guests not allowed) goes to login and back.
	res := ta.postForm(commentPath(art), url.Values{"body": {"Hi"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
		t.Errorf("anonymous post: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestForgedCrossSiteCommentIsRefused(t *testing.T) {
	ta, art, _, ada, _ := discussionFixture(t)
	ta.refusesForgedPosts(t, commentPath(art), "body=forged", ta.loginCookies(ada))
	if n := ta.rows("comments"); n != 0 {
		t.Errorf("forged posts stored %d comments", n)
	}
}

// refusesForgedPosts sends body to path as a form from another site, marked each way a
// browser may mark it, and fails unless each is refused.
func (ta *testApp) refusesForgedPosts(t *testing.T, path, body string, cookies []*http.Cookie) {
	t.Helper()
	for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		if res := ta.do(req); res.StatusCode != http.StatusForbidden {
			t.Errorf("forged post to %s with %v: status %d, want 403", path, h, res.StatusCode)
		}
	}
}

// rows counts the rows of a table.
func (ta *testApp) rows(table string) int {
	ta.tb.Helper()
	var n int
	if err := ta.Store.R.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		ta.tb.Fatal(err)
	}
	return n
}

func TestEditDeleteAndReport(t *testing.T) {
	ta, art, _, ada, bo := discussionFixture(t)
	c := ta.comment(art, ada, 0, "Orignal text")
	reply := ta.comment(art, bo, c.ID, "A reply that keeps the thread")
	ck := ta.loginCookies(ada)
	ta.Now = func() time.Time { return c.CreatedAt.Add(5 * time.Minute) }

	doc := parse(t, ta.getAs("/comments/"+strconv.FormatInt(c.ID, 10)+"/edit", ck))
	if doc.Find("textarea").Text() != "Orignal text" {
		t.Error("edit form does not hold the source text")
	}
	res := ta.postForm(fmt.Sprintf("/comments/%d/edit", c.ID), url.Values{"body": {"Original text"}}, ck...)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	li := parse(t, ta.get("/articles/"+art.Slug)).Find(fmt.Sprintf("#comment-%d", c.ID))
	if !strings.Contains(text(li.Find(".comment-body").First()), "Original text") || li.Find(".edited").Length() == 0 {
		t.Error("edit not shown")
	}
	// Others cannot edit it; nor can the author after 15 minutes.
	ckBo := ta.loginCookies(bo)
	if res := ta.postForm(fmt.Sprintf("/comments/%d/edit", c.ID), url.Values{"body": {"Hijack"}}, ckBo...); res.StatusCode != http.StatusForbidden {
		t.Errorf("another user's edit: %d", res.StatusCode)
	}
	ta.Now = func() time.Time { return c.CreatedAt.Add(16 * time.Minute) }
	res = ta.postForm(fmt.Sprintf("/comments/%d/edit", c.ID), url.Values{"body": {"Too late"}}, ck...)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(parse(t, res).Find(".error")), "15 minutes") {
		t.Errorf("late edit: %d", res.StatusCode)
	}

	// Reporting flags it for moderators.
	if res := ta.postForm(fmt.Sprintf("/comments/%d/report", c.ID), url.Values{"reason": {"Off topic"}}, ckBo...); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("report: %d", res.StatusCode)
	}
	reported, err := ta.Store.Comments.Reported(context.Background(), models.Page{Number: 1, Size: 10})
	if err != nil || reported.Total != 1 || reported.Items[0].ID != c.ID || reported.Items[0].OpenReports[0].Reason != "Off topic" {
		t.Errorf("reported = %+v, %v", reported, err)
	}

	// Deleting a comment with replies leaves a placeholder; the reply stays.
	if res := ta.postForm(fmt.Sprintf("/comments/%d/delete", c.ID), nil, ck...); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	doc = parse(t, ta.get("/articles/"+art.Slug))
	li = doc.Find(fmt.Sprintf("#comment-%d", c.ID))
	if got := text(li.Find(".comment-head").First()); got != "1. [comment deleted]" {
		t.Errorf("deleted head = %q", got)
	}
	if strings.Contains(text(li), "Original text") || strings.Contains(text(li), "Ada Reader") {
		t.Error("deleted comment's text or author still shown")
	}
	if li.Find(fmt.Sprintf("#comment-%d", reply.ID)).Length() != 1 {
		t.Error("reply to a deleted comment vanished")
	}
}

func TestDiscussionPaginationKeepsPermalinks(t *testing.T) {
	ta, art, _, ada, bo := discussionFixture(t)
	var last models.Comment
	for i := 1; i <= threadsPerPage+3; i++ {
		last = ta.comment(art, ada, 0, fmt.Sprintf("Thread %d", i))
	}
	reply := ta.comment(art, bo, last.ID, "Reply on page two")
	doc := parse(t, ta.get("/articles/"+art.Slug))
	if got := doc.Find(".comments > li").Length(); got != threadsPerPage {
		t.Errorf("page 1 has %d threads", got)
	}
	if href, _ := doc.Find(`.discussion .pager a[rel=next]`).Attr("href"); href != "/articles/"+art.Slug+"?cpage=2#discussion" {
		t.Errorf("next page link = %q", href)
	}
	doc = parse(t, ta.get("/articles/"+art.Slug+"?cpage=2"))
	nums := doc.Find(".comments > li > article .num").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if strings.Join(nums, " ") != "51. 52. 53." {
		t.Errorf("page 2 numbers = %v", nums)
	}
	want := fmt.Sprintf("/articles/%s?cpage=2#comment-%d", art.Slug, reply.ID)
	if href, _ := doc.Find(fmt.Sprintf("#comment-%d a.when", reply.ID)).Attr("href"); href != want {
		t.Errorf("permalink = %q, want %q", href, want)
	}
	res := ta.get(fmt.Sprintf("/comments/%d", reply.ID))
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != want {
		t.Errorf("/comments/ID → %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// ?reply= to a comment on page two opens page two.
	doc = parse(t, ta.get(fmt.Sprintf("/articles/%s?reply=%d", art.Slug, last.ID)))
	if doc.Find(fmt.Sprintf("#comment-%d .login-to-comment", last.ID)).Length() != 1 {
		t.Error("reply link to page two did not open page two")
	}
	for _, bad := range []string{"?cpage=0", "?cpage=x", "?cpage=9"} {
		if res := ta.get("/articles/" + art.Slug + bad); res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", bad, res.StatusCode)
		}
	}
}

func TestCommentFeed(t *testing.T) {
	ta, art, _, ada, bo := discussionFixture(t)
	c1 := ta.comment(art, ada, 0, "First <b>bold</b> words")
	ta.comment(art, bo, c1.ID, "A reply")
	for format, ctype := range map[string]string{"rss": "application/rss+xml", "atom": "application/atom+xml"} {
		t.Run(format, func(t *testing.T) {
			res := ta.get("/articles/" + art.Slug + "/comments." + format)
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), ctype) {
				t.Fatalf("feed: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			etag := res.Header.Get("ETag")
			feed, err := gofeed.NewParser().Parse(res.Body)
			res.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if len(feed.Items) != 2 || feed.Items[0].Title != "Bo Reader on “"+art.Title+"”" {
				t.Fatalf("items = %d, first %q", len(feed.Items), feed.Items[0].Title)
			}
			body := feed.Items[1].Description
			if feed.Items[1].Content != "" {
				body = feed.Items[1].Content
			}
			if feed.Items[1].Link != fmt.Sprintf("http://news.test/comments/%d", c1.ID) || !strings.Contains(body, "<b>bold</b>") {
				t.Errorf("item = %q %q", feed.Items[1].Link, body)
			}
			req := httptest.NewRequest(http.MethodGet, "/articles/"+art.Slug+"/comments."+format, nil)
			req.Header.Set("If-None-Match", etag)
			if res := ta.do(req); etag == "" || res.StatusCode != http.StatusNotModified {
				t.Errorf("conditional GET with ETag %q: %d, want 304", etag, res.StatusCode)
			}
		})
	}
}

func TestGuestCommentsWhenAllowed(t *testing.T) {
	ta, art, _, _, _ := discussionFixture(t)
	st, _ := ta.Store.Settings.Get(context.Background())
	st.GuestComments = true
	ta.Store.Settings.Save(context.Background(), st)
	doc := parse(t, ta.get("/articles/"+art.Slug))
	if doc.Find("form#reply-form input[name=name]").Length() != 1 {
		t.Fatal("no guest form")
	}
	res := ta.postForm(commentPath(art), url.Values{"body": {"Hi"}, "name": {""}, "email": {"nope"}})
	doc = parse(t, res)
	if res.StatusCode != http.StatusUnprocessableEntity || doc.Find("#comment-name-error").Length() != 1 || doc.Find("#comment-email-error").Length() != 1 {
		t.Errorf("bad guest fields: %d", res.StatusCode)
	}
	res = ta.postForm(commentPath(art), url.Values{"body": {"Hi"}, "name": {"Visitor"}, "email": {"v@example.com"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("guest post: %d", res.StatusCode)
	}
	loc, _, _ := strings.Cut(res.Header.Get("Location"), "#")
	doc = parse(t, ta.getAs(loc, res.Cookies()))
	if !strings.Contains(text(doc.Find(".flash")), "once a moderator has approved it") {
		t.Error("guest not told their comment awaits moderation")
	}
}

// Hostile comments go through the whole path (form post → stored → article page)
// and nothing executable reaches the page.
func TestCommentXSSPayloadsAreNeutralised(t *testing.T) {
	ta, art, ed, _, _ := discussionFixture(t)
	ck := ta.loginCookies(ed) // staff: not held, not throttled, so every payload is public
	payloads := []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>`,
		`<a href="javascript:alert(1)">click</a>`,
		`<a href="JaVaScRiPt:alert(1)">click</a>`,
		`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>`,
		`<a href="https://ok.example" onclick="alert(1)" style="color:red">styled</a>`,
		`<iframe src="https://evil.example"></iframe>`,
		`<svg onload=alert(1)><circle r=1></svg>`,
		`<b onmouseover=alert(1)>bold</b>`,
		`<style>body{display:none}</style>`,
		`"><script>alert(1)</script>`,
		`<a href="https://ok.example/" target="_top" rel="opener">x</a>`,
		`https://example.com/"onmouseover="alert(1)`,
		`<math><mi xlink:href="javascript:alert(1)">m</mi></math>`,
		`<object data="x.swf"></object><embed src="x.swf">`,
		`<form action="https://evil.example"><input name=x></form>`,
		`<blockquote cite="javascript:alert(1)">quote</blockquote>`,
		`<<script>script>alert(1)<</script>/script>`,
	}
	for i, p := range payloads {
		ta.advance(time.Minute)
		res := ta.postForm(commentPath(art), url.Values{"body": {p + " " + strconv.Itoa(i)}}, ck...)
		if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("payload %d: status %d", i, res.StatusCode)
		}
	}
	doc := parse(t, ta.get("/articles/"+art.Slug))
	bodies := doc.Find(".comment-body")
	if bodies.Length() == 0 {
		t.Fatal("no comments rendered")
	}
	allowed := map[string]bool{"p": true, "br": true, "a": true, "b": true, "strong": true, "i": true, "em": true,
		"blockquote": true, "code": true, "del": true, "div": true}
	bodies.Find("*").Each(func(_ int, s *goquery.Selection) {
		tag := goquery.NodeName(s)
		if !allowed[tag] {
			t.Errorf("disallowed element <%s> survived", tag)
		}
		for _, a := range s.Nodes[0].Attr {
			switch {
			case tag == "a" && a.Key == "href":
				if !strings.HasPrefix(a.Val, "https://") && !strings.HasPrefix(a.Val, "http://") {
					t.Errorf("link to %q survived", a.Val)
				}
			case tag == "a" && a.Key == "rel":
				if a.Val != "nofollow ugc noopener" {
					t.Errorf("rel = %q", a.Val)
				}
			default:
				t.Errorf("attribute %s=%q survived on <%s>", a.Key, a.Val, tag)
			}
		}
	})
	// Only our own scripts: the comments script by URL, and JSON-LD data blocks.
	if doc.Find(`script:not([src]):not([type="application/ld+json"])`).Length() != 0 {
		t.Error("inline script on the page")
	}
}

// A post lands on the page where its author sees it: a new thread after 50 others on
// page two (held for moderation, so only its author has a page two), a reply to the
// first thread on page one.
func TestPostLandsOnItsPage(t *testing.T) {
	ta, art, ed, ada, bo := discussionFixture(t)
	var first models.Comment
	for i := 1; i <= threadsPerPage; i++ {
		c := ta.comment(art, ed, 0, fmt.Sprintf("Thread %d", i))
		if i == 1 {
			first = c
		}
	}
	adaCookies := ta.loginCookies(ada)
	res := ta.postForm("/articles/"+art.Slug+"/comments", url.Values{"body": {"A new thread of my own"}}, adaCookies...)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/articles/"+art.Slug+"?cpage=2#comment-") {
		t.Fatalf("new thread: %d → %q, want page 2", res.StatusCode, loc)
	}
	ta.advance(time.Minute) // past the flood limit on the shared test address
	res = ta.postForm("/articles/"+art.Slug+"/comments", url.Values{"body": {"A reply on page one"}, "parent": {fmt.Sprint(first.ID)}}, ta.loginCookies(bo)...)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/articles/"+art.Slug+"#comment-") {
		t.Errorf("reply: %d → %q, want page 1", res.StatusCode, loc)
	}
	doc := parse(t, ta.getAs("/articles/"+art.Slug+"?cpage=2", adaCookies))
	if got := text(doc.Find(".comments > li")); !strings.Contains(got, "A new thread of my own") || doc.Find(".comments > li > article .num").Length() != 0 {
		t.Errorf("page 2 for its author: %q, numbered %d", got, doc.Find(".comments > li > article .num").Length())
	}
	if res := ta.get("/articles/" + art.Slug + "?cpage=2"); res.StatusCode != http.StatusNotFound {
		t.Errorf("page 2 for everyone else: %d, want 404", res.StatusCode)
	}
}
