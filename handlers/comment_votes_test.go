package handlers

import (
	"context"
	"encoding/json"
	"fmt"
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

func votePath(c models.Comment) string { return "/comments/" + strconv.FormatInt(c.ID, 10) + "/vote" }

// scoreOf is the score a page shows for comment c.
func scoreOf(t *testing.T, doc *goquery.Document, c models.Comment) string {
	t.Helper()
	return doc.Find(fmt.Sprintf("#comment-%d .score data", c.ID)).First().AttrOr("value", "(none)")
}

func TestVoteIsOnePerAccountChangeableAndRemovable(t *testing.T) {
	ta, art, _, ada, bo := discussionFixture(t)
	c := ta.comment(art, ada, 0, "A view worth voting on.")
	ck := ta.loginCookies(bo)
	steps := []struct {
		dir        string
		score      string
		up, down   string // aria-pressed of bo's buttons afterwards
		upV, downV string // what pressing them next sends
	}{
		{"up", "1", "true", "false", "none", "down"},
		{"up", "1", "true", "false", "none", "down"}, // a double vote is still one vote
		{"down", "-1", "false", "true", "up", "none"},
		{"none", "0", "false", "false", "up", "down"},
	}
	for i, s := range steps {
		res := ta.postForm(votePath(c), url.Values{"dir": {s.dir}}, ck...)
		want := fmt.Sprintf("/articles/%s#comment-%d", art.Slug, c.ID)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Fatalf("step %d (%s): %d %q, want 303 to %q", i, s.dir, res.StatusCode, res.Header.Get("Location"), want)
		}
		doc := parse(t, ta.getAs("/articles/"+art.Slug, ck))
		if got := scoreOf(t, doc, c); got != s.score {
			t.Errorf("step %d (%s): score %s, want %s", i, s.dir, got, s.score)
		}
		up, down := doc.Find("#comment-"+strconv.FormatInt(c.ID, 10)+" .vote-up"), doc.Find("#comment-"+strconv.FormatInt(c.ID, 10)+" .vote-down")
		if up.AttrOr("aria-pressed", "") != s.up || down.AttrOr("aria-pressed", "") != s.down ||
			up.AttrOr("value", "") != s.upV || down.AttrOr("value", "") != s.downV {
			t.Errorf("step %d (%s): buttons up %s/%s down %s/%s", i, s.dir, up.AttrOr("aria-pressed", ""), up.AttrOr("value", ""),
				down.AttrOr("aria-pressed", ""), down.AttrOr("value", ""))
		}
		// Anonymous readers see the same score, and nobody's vote.
		anon := parse(t, ta.get("/articles/"+art.Slug))
		if got := scoreOf(t, anon, c); got != s.score || anon.Find("form.vote").Length() != 0 {
			t.Errorf("step %d: anonymous score %s (want %s), vote forms %d", i, got, s.score, anon.Find("form.vote").Length())
		}
	}
	if rows := ta.rows("comment_votes"); rows != 0 {
		t.Errorf("%d vote rows left after withdrawing", rows)
	}
}

func TestVoteRefusals(t *testing.T) {
	ta, art, _, ada, bo := discussionFixture(t)
	c := ta.comment(art, ada, 0, "Mine, not yours to vote on.")
	adaCk, boCk := ta.loginCookies(ada), ta.loginCookies(bo)
	ctx := context.Background()

	check := func(name string, res *http.Response, status int, says string) {
		t.Helper()
		if res.StatusCode != status {
			t.Errorf("%s: status %d, want %d", name, res.StatusCode, status)
		}
		if says != "" && !strings.Contains(body(t, res), says) {
			t.Errorf("%s: the answer does not say %q", name, says)
		}
	}
	check("own comment", ta.postForm(votePath(c), url.Values{"dir": {"up"}}, adaCk...), http.StatusForbidden, "your own comment")
	check("bad direction", ta.postForm(votePath(c), url.Values{"dir": {"sideways"}}, boCk...), http.StatusBadRequest, "up, down or none")
	check("no direction", ta.postForm(votePath(c), url.Values{}, boCk...), http.StatusBadRequest, "")
	check("unknown comment", ta.postForm("/comments/999999/vote", url.Values{"dir": {"up"}}, boCk...), http.StatusNotFound, "")
	check("unreadable id", ta.postForm("/comments/x1/vote", url.Values{"dir": {"up"}}, boCk...), http.StatusNotFound, "")

	res := ta.postForm(votePath(c), url.Values{"dir": {"up"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
		t.Errorf("anonymous vote: %d %s, want the login page", res.StatusCode, res.Header.Get("Location"))
	}
	ta.refusesForgedPosts(t, votePath(c), "dir=up", boCk)

	// A comment awaiting moderation is not there to vote on.
	held, err := ta.Store.Comments.Post(ctx, ta.Now(), models.NewComment{ArticleID: art.ID, User: &bo, Body: "Held: a first comment."})
	if err != nil || !held.Pending() {
		t.Fatalf("want a held comment: %+v %v", held, err)
	}
	check("held comment", ta.postForm(votePath(held), url.Values{"dir": {"up"}}, adaCk...), http.StatusNotFound, "")

	// A closed discussion takes no votes.
	if err := ta.Store.Comments.SetDiscussionOpen(ctx, art.ID, false); err != nil {
		t.Fatal(err)
	}
	check("closed discussion", ta.postForm(votePath(c), url.Values{"dir": {"up"}}, boCk...), http.StatusForbidden, "closed")
	if err := ta.Store.Comments.SetDiscussionOpen(ctx, art.ID, true); err != nil {
		t.Fatal(err)
	}

	// A blocked reader who logs in again still cannot vote.
	if err := ta.Store.Users.Block(ctx, bo.ID); err != nil {
		t.Fatal(err)
	}
	boCk = ta.loginCookies(bo)
	if doc := parse(t, ta.getAs("/articles/"+art.Slug, boCk)); doc.Find("form.vote").Length() != 0 {
		t.Error("a blocked reader is offered vote buttons")
	}
	check("blocked reader", ta.postForm(votePath(c), url.Values{"dir": {"up"}}, boCk...), http.StatusForbidden, "blocked")

	rows := ta.rows("comment_votes")
	if got, _ := ta.Store.Comments.Get(ctx, c.ID); rows != 0 || got.Score != 0 {
		t.Errorf("refused votes left %d rows and a score of %d", rows, got.Score)
	}
}

func TestVoteAnswersTheScriptWithJSON(t *testing.T) {
	ta, art, _, ada, bo := discussionFixture(t)
	c := ta.comment(art, ada, 0, "Vote on me quietly.")
	req := httptest.NewRequest(http.MethodPost, votePath(c), strings.NewReader("dir=down"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Accept", "application/json")
	for _, ck := range ta.loginCookies(bo) {
		req.AddCookie(ck)
	}
	res := ta.do(req)
	var got voteAnswer
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, %v", res.StatusCode, err)
	}
	if got != (voteAnswer{Score: -1, Vote: "down"}) {
		t.Errorf("answer %+v", got)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("a personal answer is cacheable: %q", cc)
	}
}

func TestVoteFloodingIsLimited(t *testing.T) {
	ta := newTestApp(t, func(c *Config) {
		c.RateLimits = DefaultRateLimits()
		c.RateLimits["vote"] = Rate{Max: 3, Per: 10 * time.Minute}
	})
	ed := ta.user("Mina Karimi", models.RoleEditor)
	art := ta.article("Talks resume in Tehran", ta.section("World"), ed, nil)
	ada, bo := ta.user("Ada Reader", models.RoleCommenter), ta.user("Bo Reader", models.RoleCommenter)
	c := ta.comment(art, ada, 0, "Flood me.")
	ck := ta.loginCookies(bo)
	for i, dir := range []string{"up", "down", "up"} {
		if res := ta.postForm(votePath(c), url.Values{"dir": {dir}}, ck...); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("vote %d: %d", i, res.StatusCode)
		}
	}
	res := ta.postForm(votePath(c), url.Values{"dir": {"down"}}, ck...)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("fourth vote in a minute: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if got, _ := ta.Store.Comments.Get(context.Background(), c.ID); got.Score != 1 {
		t.Errorf("score %d after the refused vote, want 1", got.Score)
	}
}

func TestStaffSeeWhoVoted(t *testing.T) {
	ta, art, ed, ada, bo := discussionFixture(t)
	c := ta.comment(art, ada, 0, "Who liked this?")
	ctx := context.Background()
	if _, err := ta.Store.Comments.Vote(ctx, ta.Now(), c.ID, bo, models.VoteUp); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.Store.Comments.Vote(ctx, ta.Now(), c.ID, ed, models.VoteDown); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/admin/comments/%d/votes", c.ID)
	edCk := ta.loginCookies(ed)
	doc := parse(t, ta.getAs(path, edCk))
	rows := map[string]string{}
	doc.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
		rows[text(tr.Find("td").Eq(0))] = text(tr.Find("td").Eq(2))
	})
	if rows["Bo Reader"] != "Up" || rows["Mina Karimi"] != "Down" || len(rows) != 2 {
		t.Errorf("voters = %v", rows)
	}
	// The discussion links staff to the list; readers get neither the link nor the list.
	if parse(t, ta.getAs("/articles/"+art.Slug, edCk)).Find(`a[href="`+path+`"]`).Length() != 1 {
		t.Error("staff have no link to the voters")
	}
	boCk := ta.loginCookies(bo)
	if parse(t, ta.getAs("/articles/"+art.Slug, boCk)).Find(`a[href="`+path+`"]`).Length() != 0 {
		t.Error("a reader is shown the voters link")
	}
	if res := ta.getAs(path, boCk); res.StatusCode != http.StatusForbidden {
		t.Errorf("reader opening the voters: %d", res.StatusCode)
	}
	if res := ta.getAs(fmt.Sprintf("/admin/comments/%d/votes", c.ID+1000), edCk); res.StatusCode != http.StatusNotFound {
		t.Errorf("voters of an unknown comment: %d", res.StatusCode)
	}
}

func TestLowScoreCommentsAreCollapsed(t *testing.T) {
	ta, art, _, ada, bo := discussionFixture(t)
	c := ta.comment(art, ada, 0, "An unpopular view.")
	fine := ta.comment(art, bo, 0, "A popular one.")
	ctx := context.Background()
	for i := 0; i < -models.CollapseAt; i++ {
		u := ta.user(fmt.Sprintf("Critic %d", i), models.RoleCommenter)
		if _, err := ta.Store.Comments.Vote(ctx, ta.Now(), c.ID, u, models.VoteDown); err != nil {
			t.Fatal(err)
		}
	}
	doc := parse(t, ta.get("/articles/"+art.Slug))
	d := doc.Find(fmt.Sprintf("#comment-%d details.collapsed", c.ID))
	if d.Length() != 1 || d.AttrOr("open", "none") != "none" || !strings.Contains(text(d.Find("summary")), "show") ||
		!strings.Contains(text(d.Find(".comment-body")), "An unpopular view.") {
		t.Errorf("a comment at score %d is not folded behind show", models.CollapseAt)
	}
	if doc.Find(fmt.Sprintf("#comment-%d details.collapsed", fine.ID)).Length() != 0 {
		t.Error("a comment at score 0 is folded")
	}
}

// threadIDs are the ids of the top-level comments on a discussion page, in order,
// with the numbers shown beside them.
func threadIDs(doc *goquery.Document) (ids []string, nums []string) {
	doc.Find("ol.comments > li.comment").Each(func(_ int, li *goquery.Selection) {
		ids = append(ids, strings.TrimPrefix(li.AttrOr("id", ""), "comment-"))
		nums = append(nums, strings.TrimSuffix(text(li.Find(".comment-head .num").First()), "."))
	})
	return ids, nums
}

func TestReaderChoosesTheOrderAndNumbersStay(t *testing.T) {
	ta, art, ed, ada, bo := discussionFixture(t)
	first := ta.comment(art, ada, 0, "First thread.")
	second := ta.comment(art, bo, 0, "Second thread.")
	third := ta.comment(art, ed, 0, "Third thread.")
	ta.comment(art, bo, first.ID, "A reply to the first.")
	ctx := context.Background()
	if _, err := ta.Store.Comments.Vote(ctx, ta.Now(), second.ID, ada, models.VoteUp); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.Store.Comments.Vote(ctx, ta.Now(), first.ID, bo, models.VoteDown); err != nil {
		t.Fatal(err)
	}
	id := func(c models.Comment) string { return strconv.FormatInt(c.ID, 10) }
	base := "/articles/" + art.Slug
	for _, tc := range []struct {
		sort string
		ids  []string
		nums []string
	}{
		{"", []string{id(first), id(second), id(third)}, []string{"1", "2", "3"}},
		{"oldest", []string{id(first), id(second), id(third)}, []string{"1", "2", "3"}},
		{"newest", []string{id(third), id(second), id(first)}, []string{"3", "2", "1"}},
		{"best", []string{id(second), id(third), id(first)}, []string{"2", "3", "1"}},
	} {
		path := base
		if tc.sort != "" {
			path += "?sort=" + tc.sort
		}
		body := cachedTwice(t, ta, path) // every order is an anonymous, cacheable page
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
		ids, nums := threadIDs(doc)
		if strings.Join(ids, ",") != strings.Join(tc.ids, ",") || strings.Join(nums, ",") != strings.Join(tc.nums, ",") {
			t.Errorf("sort %q: threads %v numbered %v, want %v numbered %v", tc.sort, ids, nums, tc.ids, tc.nums)
		}
		want := tc.sort
		if want == "" {
			want = "oldest"
		}
		cur := doc.Find(".comment-order a[aria-current]")
		if cur.Length() != 1 || !strings.Contains(strings.ToLower(text(cur)), want) {
			t.Errorf("sort %q: current order link %q", tc.sort, text(cur))
		}
		// Replies stay with their thread, in order of posting.
		if doc.Find("#comment-"+id(first)+" .replies > li").Length() != 1 {
			t.Errorf("sort %q: the reply left its thread", tc.sort)
		}
	}
	doc := parse(t, ta.get(base))
	var links []string
	doc.Find(".comment-order a").Each(func(_ int, a *goquery.Selection) { links = append(links, a.AttrOr("href", "")) })
	if strings.Join(links, " ") != base+"#discussion "+base+"?sort=newest#discussion "+base+"?sort=best#discussion" {
		t.Errorf("order links %v", links)
	}
	for _, bad := range []string{"?sort=worst", "?sort=%00", "?sort=best&cpage=0"} {
		if res := ta.get(base + bad); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, res.StatusCode)
		}
	}
	if res := ta.get("/comments/" + id(first) + "?sort=worst"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("permalink with a bad order: %d", res.StatusCode)
	}
}

func TestLongDiscussionPagesInEveryOrder(t *testing.T) {
	ta, art, ed, ada, _ := discussionFixture(t)
	n := threadsPerPage + 10
	ctx := context.Background()
	var all []models.Comment
	for i := 0; i < n; i++ {
		c, err := ta.Store.Comments.Post(ctx, ta.Now().Add(time.Duration(i)*time.Second), models.NewComment{ArticleID: art.ID, User: &ed,
			Body: fmt.Sprintf("Thread number %d.", i+1)})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, c)
	}
	ta.advance(time.Duration(n) * time.Second)
	reply := ta.comment(art, ada, all[0].ID, "A reply deep in the oldest thread.")
	if _, err := ta.Store.Comments.Vote(ctx, ta.Now(), all[n-1].ID, ada, models.VoteUp); err != nil {
		t.Fatal(err)
	}
	base := "/articles/" + art.Slug
	for _, tc := range []struct {
		c    models.Comment
		sort string
		want string
	}{
		{all[0], "", base + "#comment-%d"},
		{reply, "", base + "#comment-%d"},
		{all[0], "newest", base + "?cpage=2&sort=newest#comment-%d"},
		{reply, "newest", base + "?cpage=2&sort=newest#comment-%d"},
		{all[n-1], "newest", base + "?sort=newest#comment-%d"},
		{all[n-1], "", base + "?cpage=2#comment-%d"},
		{all[n-1], "best", base + "?sort=best#comment-%d"},
		{all[n-2], "best", base + "?cpage=2&sort=best#comment-%d"},
	} {
		path := fmt.Sprintf("/comments/%d", tc.c.ID)
		if tc.sort != "" {
			path += "?sort=" + tc.sort
		}
		res := ta.get(path)
		want := fmt.Sprintf(tc.want, tc.c.ID)
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != want {
			t.Errorf("%s: %d %q, want %q", path, res.StatusCode, res.Header.Get("Location"), want)
			continue
		}
		// And the comment is on the page it names.
		if parse(t, ta.get(strings.Split(want, "#")[0])).Find(fmt.Sprintf("#comment-%d", tc.c.ID)).Length() != 1 {
			t.Errorf("%s: the comment is not on %s", path, want)
		}
	}

	// A later page is its own page: canonical to itself, with links back and on.
	doc := parse(t, ta.get(base+"?cpage=2"))
	if got := doc.Find(`link[rel="canonical"]`).AttrOr("href", ""); got != "http://news.test"+base+"?cpage=2" {
		t.Errorf("canonical of page 2: %q", got)
	}
	if got := doc.Find(`.discussion a[rel="prev"]`).AttrOr("href", ""); got != base+"#discussion" {
		t.Errorf("page 2's previous link: %q", got)
	}
	if got := doc.Find(`link[rel="canonical"]`).Length(); got != 1 {
		t.Errorf("%d canonical links", got)
	}
	first := parse(t, ta.get(base))
	if got := first.Find(`link[rel="canonical"]`).AttrOr("href", ""); got != "http://news.test"+base {
		t.Errorf("canonical of page 1: %q", got)
	}
	if got := first.Find(`.discussion a[rel="next"]`).AttrOr("href", ""); got != base+"?cpage=2#discussion" {
		t.Errorf("page 1's next link: %q", got)
	}
	newest2 := parse(t, ta.get(base+"?sort=newest&cpage=2"))
	if got := newest2.Find(`link[rel="canonical"]`).AttrOr("href", ""); got != "http://news.test"+base+"?cpage=2&sort=newest" {
		t.Errorf("canonical of newest page 2: %q", got)
	}
	if got := newest2.Find(`.discussion a[rel="prev"]`).AttrOr("href", ""); got != base+"?sort=newest#discussion" {
		t.Errorf("newest page 2's previous link: %q", got)
	}
	// The story's own "Permanent link" names the page's canonical address too, whichever
	// page was rendered first (the story section is reused only where the addresses agree).
	for _, pg := range []struct {
		doc  *goquery.Document
		want string
	}{{doc, base + "?cpage=2"}, {first, base}, {newest2, base + "?cpage=2&sort=newest"}} {
		if got := pg.doc.Find(".permalink a").AttrOr("href", ""); got != "http://news.test"+pg.want {
			t.Errorf("permanent link on %s: %q", pg.want, got)
		}
	}
	// Numbers still count from the oldest thread, on every page of every order.
	ids, nums := threadIDs(newest2)
	if len(ids) != 10 || nums[0] != "10" || nums[9] != "1" {
		t.Errorf("newest page 2 numbers %v", nums)
	}
}

func TestCommentsInTheArticlesStructuredData(t *testing.T) {
	ta, art, _, ada, bo := discussionFixture(t)
	root := ta.comment(art, ada, 0, "A <em>top</em> comment & more.")
	reply := ta.comment(art, bo, root.ID, "A reply.")
	cy := ta.user("Cy Newcomer", models.RoleCommenter)
	if held, err := ta.Store.Comments.Post(context.Background(), ta.Now(), models.NewComment{ArticleID: art.ID, User: &cy, Body: "Held back."}); err != nil || !held.Pending() {
		t.Fatalf("want a held comment: %+v %v", held, err)
	}
	doc := parse(t, ta.get("/articles/"+art.Slug))
	var ld struct {
		Type         string `json:"@type"`
		CommentCount int    `json:"commentCount"`
		Comment      []struct {
			Type        string `json:"@type"`
			ID          string `json:"@id"`
			Author      struct{ Name string }
			DateCreated string
			Text        string
			ParentItem  *struct {
				ID string `json:"@id"`
			}
		}
	}
	if err := json.Unmarshal([]byte(doc.Find(`script[type="application/ld+json"]`).First().Text()), &ld); err != nil {
		t.Fatal(err)
	}
	if ld.Type != "NewsArticle" || ld.CommentCount != 2 || len(ld.Comment) != 2 {
		t.Fatalf("JSON-LD %+v", ld)
	}
	c0, c1 := ld.Comment[0], ld.Comment[1]
	rootID := fmt.Sprintf("http://news.test/comments/%d", root.ID)
	if c0.Type != "Comment" || c0.ID != rootID || c0.Author.Name != "Ada Reader" || c0.Text != "A top comment & more." ||
		c0.DateCreated == "" || c0.ParentItem != nil {
		t.Errorf("top comment %+v", c0)
	}
	if c1.ID != fmt.Sprintf("http://news.test/comments/%d", reply.ID) || c1.ParentItem == nil || c1.ParentItem.ID != rootID {
		t.Errorf("reply %+v", c1)
	}
}

func TestPreviewShowsTheCommentAsItWillAppearAndStoresNothing(t *testing.T) {
	ta, art, _, ada, _ := discussionFixture(t)
	ck := ta.loginCookies(ada)
	path := commentPath(art) + "/preview"
	text1 := "First <em>point</em><script>alert(1)</script>\n\nSecond https://example.com/x"
	res := ta.postForm(path, url.Values{"body": {text1}}, ck...)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d", res.StatusCode)
	}
	doc := parse(t, res)
	pv := doc.Find("form#reply-form #comment-preview")
	if pv.Find(".comment-body em").Length() != 1 || pv.Find(".comment-body p").Length() != 2 ||
		pv.Find(`.comment-body a[href="https://example.com/x"]`).Length() != 1 || !strings.Contains(text(pv.Find(".who")), "Ada Reader") {
		t.Errorf("preview renders as %q", text(pv))
	}
	if doc.Find("script:not([src]):not([type])").Length() != 0 || strings.Contains(text(pv), "alert") {
		t.Error("the preview carries the script")
	}
	if got := doc.Find("textarea#comment-body").Text(); got != text1 {
		t.Errorf("the form lost the text: %q", got)
	}
	// Posted, the comment looks exactly as previewed.
	if stored := ta.rows("comments"); stored != 0 {
		t.Fatalf("preview stored %d comments", stored)
	}
	previewed, _ := pv.Find(".comment-body").Html()
	c := ta.comment(art, ada, 0, text1)
	posted, _ := parse(t, ta.getAs("/articles/"+art.Slug, ck)).Find(fmt.Sprintf("#comment-%d .comment-body", c.ID)).Html()
	if previewed != posted {
		t.Errorf("preview %q differs from the posted comment %q", previewed, posted)
	}

	// A reply's preview keeps the form under its parent; bad text keeps the text and says why.
	res = ta.postForm(path, url.Values{"body": {"Re: " + text1}, "parent": {strconv.FormatInt(c.ID, 10)}}, ck...)
	if doc := parse(t, res); doc.Find(fmt.Sprintf("#comment-%d form#reply-form #comment-preview", c.ID)).Length() != 1 ||
		doc.Find(`input[name="parent"]`).AttrOr("value", "") != strconv.FormatInt(c.ID, 10) {
		t.Error("a reply's preview is not under its parent")
	}
	for _, bad := range []string{"", "   ", "<script>x</script>", strings.Repeat("x", models.MaxCommentLen+1)} {
		res := ta.postForm(path, url.Values{"body": {bad}}, ck...)
		doc := parse(t, res)
		if res.StatusCode != http.StatusUnprocessableEntity || doc.Find("#comment-body-error").Length() != 1 ||
			doc.Find("textarea#comment-body").Text() != bad || doc.Find("#comment-preview").Length() != 0 {
			t.Errorf("bad text %.20q: %d", bad, res.StatusCode)
		}
	}
	if res := ta.postForm(path, url.Values{"body": {"Hi"}}); res.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("anonymous preview: %d", res.StatusCode)
	}
	if stored := ta.rows("comments"); stored != 1 {
		t.Errorf("previews stored comments: %d", stored)
	}
}

// Which way a reader voted is theirs alone: the page cache never stores it, and
// logged-in readers who share one rendering of the discussion never see another's.
func TestOwnVoteStaysPersonal(t *testing.T) {
	ta, art, ed, ada, bo := discussionFixture(t)
	c := ta.comment(art, ed, 0, "Vote on this.")
	adaCk, boCk := ta.loginCookies(ada), ta.loginCookies(bo)
	path := "/articles/" + art.Slug
	parse(t, ta.getAs(path, boCk)) // bo's rendering is shared until a vote
	if res := ta.postForm(votePath(c), url.Values{"dir": {"up"}}, adaCk...); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	sel := fmt.Sprintf("#comment-%d .vote-up", c.ID)
	if got := parse(t, ta.getAs(path, adaCk)).Find(sel).AttrOr("aria-pressed", ""); got != "true" {
		t.Errorf("the voter sees their vote as %q", got)
	}
	boDoc := parse(t, ta.getAs(path, boCk))
	if got := boDoc.Find(sel).AttrOr("aria-pressed", ""); got != "false" || scoreOf(t, boDoc, c) != "1" {
		t.Errorf("another reader sees pressed=%q score %s", got, scoreOf(t, boDoc, c))
	}
	if strings.Contains(cachedTwice(t, ta, path), `aria-pressed="true"`) {
		t.Error("the shared anonymous page carries a reader's vote")
	}
}

func TestOversizePreviewKeepsItsText(t *testing.T) {
	ta, art, _, ada, _ := discussionFixture(t)
	big := strings.Repeat("A long, long comment. ", 4000) // about 88 KB, over the 64 KB a comment may take
	res := ta.postForm(commentPath(art)+"/preview", url.Values{"body": {big}}, ta.loginCookies(ada)...)
	doc := parse(t, res)
	kept := doc.Find("textarea#comment-body").Text()
	if res.StatusCode != http.StatusRequestEntityTooLarge || kept == "" || !strings.HasPrefix(big, kept) {
		t.Errorf("status %d, %d characters kept", res.StatusCode, len(kept))
	}
}
