package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// discussionDB is a store with one open article and two reader accounts whose
// first comments are already approved (so the first-comment hold stays out of the way).
func discussionDB(t testing.TB) (*Store, Article, User, User) {
	t.Helper()
	return discussionIn(t, newTestDB(t))
}

// discussionIn is discussionDB in store s.
func discussionIn(t testing.TB, s *Store) (*Store, Article, User, User) {
	t.Helper()
	ctx := context.Background()
	sec, err := s.Sections.Create(ctx, "World", "")
	if err != nil {
		t.Fatal(err)
	}
	ed, err := s.Users.Create(ctx, testNow, NewUser{Email: "ed@example.com", Name: "Ed", Password: "long enough password", Role: RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Articles.Create(ctx, testNow, ArticleInput{Title: "A story", Body: "Text.", SectionID: sec.ID,
		AuthorIDs: []int64{ed.ID}, Status: StatusPublished, PublishedAt: testNow.Add(-time.Hour), CommentsOpen: true})
	if err != nil {
		t.Fatal(err)
	}
	art, err := s.Articles.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var users []User
	for _, n := range []string{"Ada", "Bo"} {
		u, err := s.Users.Create(ctx, testNow, NewUser{Email: strings.ToLower(n) + "@example.com", Name: n, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	return s, art, users[0], users[1]
}

// changeSettings saves the site's settings as change leaves them.
func changeSettings(t testing.TB, s *Store, change func(*Settings)) {
	t.Helper()
	ctx := context.Background()
	st, err := s.Settings.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	change(&st)
	if err := s.Settings.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
}

// poster posts comments a minute apart, approving held ones.
type poster struct {
	t   testing.TB
	s   *Store
	now time.Time
}

func (p *poster) post(art Article, u User, parent int64, body string) Comment {
	p.t.Helper()
	p.now = p.now.Add(time.Minute)
	c, err := p.s.Comments.Post(context.Background(), p.now, NewComment{ArticleID: art.ID, ParentID: parent, User: &u, Body: body})
	if err != nil {
		p.t.Fatal(err)
	}
	if c.Pending() {
		if err := p.s.Comments.Approve(context.Background(), testNow, c.ID); err != nil {
			p.t.Fatal(err)
		}
	}
	return c
}

// shape renders a thread as "number:text[replies]" for compact comparison.
var tags = regexp.MustCompile(`<[^>]*>`)

func shape(list []*Comment) string {
	var parts []string
	for _, c := range list {
		s := tags.ReplaceAllString(string(c.BodyHTML), "")
		if c.Removed {
			s = "[removed]"
		}
		if c.Number > 0 {
			s = fmt.Sprintf("%d:%s", c.Number, s)
		}
		if len(c.Replies) > 0 {
			s += "[" + shape(c.Replies) + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestThreadShapeNumberingAndVisibility(t *testing.T) {
	s, art, ada, bo := discussionDB(t)
	ctx := context.Background()
	p := &poster{t: t, s: s, now: testNow}
	a := p.post(art, ada, 0, "a")
	b := p.post(art, bo, a.ID, "b")
	p.post(art, ada, b.ID, "c")
	d := p.post(art, bo, 0, "d")
	p.post(art, ada, a.ID, "e")
	gone := p.post(art, bo, 0, "gone")
	if err := s.Comments.DeleteOwn(ctx, gone.ID, bo.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Comments.MarkSpam(ctx, testNow, d.ID); err != nil {
		t.Fatal(err)
	}
	p.post(art, ada, 0, "f")
	// A held comment (three links) from Bo: Bo sees it, nobody else does.
	p.now = p.now.Add(time.Minute)
	held, err := s.Comments.Post(ctx, p.now, NewComment{ArticleID: art.ID, User: &bo, Body: "http://a.example http://b.example http://c.example"})
	if err != nil || !held.Pending() || strings.Join(held.HeldReasons, ",") != HeldLinks {
		t.Fatalf("held = %+v, %v", held, err)
	}
	cases := []struct {
		viewer int64
		want   string
	}{
		{0, "1:a[b[c] e] 2:f"},
		{ada.ID, "1:a[b[c] e] 2:f"},
		{bo.ID, "1:a[b[c] e] 2:f " + held.BodySrc},
	}
	for _, tc := range cases {
		got, err := s.Comments.Thread(ctx, art.ID, tc.viewer, Page{Number: 1, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		if sh := shape(got.Items); sh != tc.want {
			t.Errorf("viewer %d: %s, want %s", tc.viewer, sh, tc.want)
		}
	}
	// A deleted comment with replies stays as a placeholder, without its text.
	if err := s.Comments.Delete(ctx, testNow, a.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Comments.Thread(ctx, art.ID, 0, Page{Number: 1, Size: 10})
	if sh := shape(got.Items); sh != "1:[removed][b[c] e] 2:f" {
		t.Errorf("after delete: %s", sh)
	}
	if got.Items[0].Name != "" || got.Items[0].BodyHTML != "" {
		t.Error("removed comment keeps its author or text")
	}
}

// Replies read in order of posting, even where that is not the order of their ids (an
// imported discussion, a clock put back), in every order the threads are shown in.
func TestRepliesComeInOrderOfPosting(t *testing.T) {
	s, art, ada, bo := discussionDB(t)
	p := &poster{t: t, s: s, now: testNow}
	root := p.post(art, ada, 0, "root")
	p.now = p.now.Add(10 * time.Minute)
	later := p.post(art, ada, root.ID, "later")
	p.now = p.now.Add(-5 * time.Minute) // the next reply is stored after, dated before
	p.post(art, bo, root.ID, "earlier")
	p.now = p.now.Add(10 * time.Minute)
	p.post(art, bo, later.ID, "under later")
	for _, order := range Orders {
		th, err := s.Comments.ThreadIn(context.Background(), art.ID, 0, Page{Number: 1, Size: 50}, order)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := shape(th.Items), "1:root[earlier later[under later]]"; got != want {
			t.Errorf("%s: %s, want %s", order, got, want)
		}
	}
}

func TestThreadPagination(t *testing.T) {
	s, art, ada, bo := discussionDB(t)
	ctx := context.Background()
	p := &poster{t: t, s: s, now: testNow}
	var roots []Comment
	for i := 1; i <= 7; i++ {
		c := p.post(art, ada, 0, fmt.Sprintf("t%d", i))
		p.post(art, bo, c.ID, fmt.Sprintf("r%d", i))
		roots = append(roots, c)
	}
	cases := []struct {
		page  int
		want  string
		pages int
	}{
		{1, "1:t1[r1] 2:t2[r2] 3:t3[r3]", 3},
		{2, "4:t4[r4] 5:t5[r5] 6:t6[r6]", 3},
		{3, "7:t7[r7]", 3},
		{4, "", 3},
	}
	for _, tc := range cases {
		got, err := s.Comments.Thread(ctx, art.ID, 0, Page{Number: tc.page, Size: 3})
		if err != nil {
			t.Fatal(err)
		}
		if sh := shape(got.Items); sh != tc.want || got.Pages != tc.pages || got.Total != 7 {
			t.Errorf("page %d: %s (pages %d, total %d), want %s", tc.page, sh, got.Pages, got.Total, tc.want)
		}
	}
	reply, _ := s.Comments.Thread(ctx, art.ID, 0, Page{Number: 3, Size: 3})
	if n, err := s.Comments.PageOf(ctx, *reply.Items[0].Replies[0], 0, 3); err != nil || n != 3 {
		t.Errorf("PageOf(reply on page 3) = %d, %v", n, err)
	}
	if n, err := s.Comments.PageOf(ctx, roots[3], 0, 3); err != nil || n != 2 {
		t.Errorf("PageOf(t4) = %d, %v", n, err)
	}
}

func TestReplyDepthJoinsDeepestLevel(t *testing.T) {
	s, art, ada, bo := discussionDB(t)
	changeSettings(t, s, func(st *Settings) { st.MaxReplyDepth = 3 })
	p := &poster{t: t, s: s, now: testNow}
	c1 := p.post(art, ada, 0, "1")
	c2 := p.post(art, bo, c1.ID, "2")
	c3 := p.post(art, ada, c2.ID, "3")
	c4 := p.post(art, bo, c3.ID, "4")
	if c4.ParentID != c2.ID {
		t.Errorf("reply to level 3 hangs under %d, want %d (level 2)", c4.ParentID, c2.ID)
	}
}

func TestPostRulesAndModeration(t *testing.T) {
	s, art, ada, bo := discussionDB(t)
	ctx := context.Background()
	first, err := s.Comments.Post(ctx, testNow, NewComment{ArticleID: art.ID, User: &ada, Body: "Hello", IP: "192.0.2.1"})
	if err != nil || !first.Pending() || strings.Join(first.HeldReasons, ",") != HeldFirst {
		t.Fatalf("first comment: %+v %v", first, err)
	}
	// Flood: same account, then same address.
	_, err = s.Comments.Post(ctx, testNow.Add(10*time.Second), NewComment{ArticleID: art.ID, User: &ada, Body: "Again", IP: "192.0.2.9"})
	var flood *FloodError
	if !errors.As(err, &flood) || flood.Seconds() != 5 {
		t.Errorf("same account 10 s later: %v", err)
	}
	_, err = s.Comments.Post(ctx, testNow.Add(10*time.Second), NewComment{ArticleID: art.ID, User: &bo, Body: "Hi", IP: "192.0.2.1"})
	if !errors.As(err, &flood) {
		t.Errorf("same address 10 s later: %v", err)
	}
	counts, err := s.Comments.Counts(ctx)
	if err != nil || counts.Pending != 1 {
		t.Errorf("counts = %+v %v", counts, err)
	}
	queue, err := s.Comments.Pending(ctx, Page{Number: 1, Size: 10})
	if err != nil || queue.Total != 1 || queue.Items[0].ArticleSlug != art.Slug || queue.Items[0].HeldReasons[0] != HeldFirst {
		t.Errorf("queue = %+v %v", queue, err)
	}
	if err := s.Comments.Approve(ctx, testNow, first.ID); err != nil {
		t.Fatal(err)
	}
	second, err := s.Comments.Post(ctx, testNow.Add(time.Minute), NewComment{ArticleID: art.ID, User: &ada, Body: "Now trusted"})
	if err != nil || second.Pending() {
		t.Errorf("after approval: %+v %v", second, err)
	}
	edited, err := s.Comments.ModEdit(ctx, testNow.Add(2*time.Minute), second.ID, "Trimmed by a moderator")
	if err != nil || edited.BodySrc != "Trimmed by a moderator" || edited.EditedAt.IsZero() || edited.Pending() {
		t.Errorf("mod edit: %+v %v", edited, err)
	}
	if err := s.Users.Block(ctx, ada.ID); err != nil {
		t.Fatal(err)
	}
	blocked, _ := s.Users.Get(ctx, ada.ID)
	if !blocked.Blocked || blocked.SessionVersion != ada.SessionVersion+1 {
		t.Errorf("block: %+v", blocked)
	}
	if _, err := s.Comments.Post(ctx, testNow.Add(time.Hour), NewComment{ArticleID: art.ID, User: &ada, Body: "Let me in"}); err == nil {
		t.Error("blocked user posted")
	}
	if err := s.Users.Unblock(ctx, ada.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Comments.Post(ctx, testNow.Add(time.Hour), NewComment{ArticleID: art.ID, User: &ada, Body: "Back again"}); err != nil {
		t.Errorf("unblocked user: %v", err)
	}
	if err := s.Comments.Approve(ctx, testNow, 999999); !errors.Is(err, ErrNotFound) {
		t.Errorf("approve missing: %v", err)
	}
}

func TestLoginThrottle(t *testing.T) {
	s, _, ada, _ := discussionDB(t)
	ctx := context.Background()
	now := testNow
	for i := 0; i < MaxFailuresPerEmail; i++ {
		if _, err := s.Users.Login(ctx, now, ada.Email, "wrong password", "198.51.100.1"); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	var th *ThrottledError
	if _, err := s.Users.Login(ctx, now.Add(time.Minute), strings.ToUpper(ada.Email), "long enough password", "198.51.100.2"); !errors.As(err, &th) || th.Minutes() != 14 {
		t.Errorf("locked account from another address: %v", err)
	}
	later := now.Add(LoginWindow + time.Second)
	if _, err := s.Users.Login(ctx, later, ada.Email, "long enough password", "198.51.100.1"); err != nil {
		t.Errorf("after the window: %v", err)
	}
	// A login takes back its own attempt but not the failures before it: four wrong,
	// the right one, one more wrong, and the account is locked again.
	for i := 0; i < MaxFailuresPerEmail-1; i++ {
		s.Users.Login(ctx, later, ada.Email, "wrong password", "198.51.100.1")
	}
	if _, err := s.Users.Login(ctx, later, ada.Email, "long enough password", "198.51.100.1"); err != nil {
		t.Errorf("the right password after %d failures: %v", MaxFailuresPerEmail-1, err)
	}
	if _, err := s.Users.Login(ctx, later, ada.Email, "wrong password", "198.51.100.1"); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("the last failure the window allows: %v", err)
	}
	if _, err := s.Users.Login(ctx, later, ada.Email, "long enough password", "198.51.100.1"); !errors.As(err, &th) {
		t.Errorf("a login reopened the count: the account is not locked after %d failures (%v)", MaxFailuresPerEmail, err)
	}
	// Per address: many accounts tried from one address.
	for i := 0; i < MaxFailuresPerIP; i++ {
		s.Users.Login(ctx, now, fmt.Sprintf("guess%d@example.com", i), "x", "203.0.113.7")
	}
	if _, err := s.Users.Login(ctx, now, ada.Email, "long enough password", "203.0.113.7"); !errors.As(err, &th) {
		t.Errorf("locked address: %v", err)
	}
}

// A reply stored with an earlier time than its parent (imported discussions can have
// one) still nests beneath it, and is found on its thread's page.
func TestDiscussionLinksRepliesWhateverTheirOrder(t *testing.T) {
	s, art, ada, bo := discussionDB(t)
	p := &poster{t: t, s: s, now: testNow}
	root := p.post(art, ada, 0, "Root")
	p.now = testNow.Add(-time.Hour) // the reply's clock runs behind
	reply := p.post(art, bo, root.ID, "Early reply")
	ctx := context.Background()
	th, err := s.Comments.Thread(ctx, art.ID, 0, Page{Number: 1, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got := shape(th.Items); got != "1:Root[Early reply]" {
		t.Errorf("thread = %s, want the reply beneath its parent", got)
	}
	if n, err := s.Comments.PageOf(ctx, reply, 0, 10); err != nil || n != 1 {
		t.Errorf("PageOf(reply) = %d, %v", n, err)
	}
}

// referenceThreads is the discussion as the site shaped it before paging moved into
// SQL: every comment of the article loaded, nested, pruned for the viewer, numbered,
// then cut into pages. The paged queries must agree with it exactly.
func referenceThreads(t *testing.T, s *Store, articleID, viewer int64) []*Comment {
	t.Helper()
	all, err := s.Comments.list(context.Background(), "SELECT "+commentCols+commentFrom+" WHERE c.article_id = ? ORDER BY c.created_at, c.id", articleID)
	if err != nil {
		t.Fatal(err)
	}
	roots := nest(all, viewer)
	n := 0
	for _, r := range roots {
		if !r.Pending() {
			n++
			r.Number = n
		}
	}
	return roots
}

// Random discussions with every status in every position (removed threads with and
// without live replies, pending comments seen only by their authors, replies under
// removed comments, replies dated before their parents): each page, its numbers and
// total, and the page of every comment match the whole-discussion reference, for an
// anonymous reader and for each author.
func TestPagedThreadsMatchWholeDiscussion(t *testing.T) {
	s, art, ada, bo := discussionDB(t)
	ctx := context.Background()
	ed, err := s.Users.Create(ctx, testNow, NewUser{Email: "cy@example.com", Name: "Cy", Password: "long enough password", Role: RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(8, 5000))
	now := testNow
	var ids []int64
	for i := 0; i < 120; i++ {
		var parent int64
		if len(ids) > 0 && rng.IntN(3) > 0 {
			parent = ids[rng.IntN(len(ids))]
		}
		now = now.Add(time.Minute)
		c, err := s.Comments.Post(ctx, now, NewComment{ArticleID: art.ID, ParentID: parent, User: &ed, Body: fmt.Sprintf("c%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	statuses := []string{CommentApproved, CommentApproved, CommentApproved, CommentPending, CommentSpam, CommentDeleted}
	users := []int64{ed.ID, ada.ID, bo.ID}
	for _, id := range ids {
		// Some replies carry a time before their parent's, as imported ones may.
		skew := time.Duration(rng.IntN(3)-1) * time.Duration(rng.IntN(200)) * time.Minute
		if _, err := s.W.ExecContext(ctx, "UPDATE comments SET status = ?, user_id = ?, created_at = ? WHERE id = ?",
			statuses[rng.IntN(len(statuses))], users[rng.IntN(len(users))], fmtTime(now.Add(skew)), id); err != nil {
			t.Fatal(err)
		}
	}
	// PageOf counts from a comment's thread forward up to a bound, then from the
	// start: check it with a bound that every other thread crosses, as well.
	for _, scan := range []int{500, 3} {
		s.Comments.pageOfScan = scan
		for _, viewer := range []int64{0, ed.ID, ada.ID, bo.ID} {
			ref := referenceThreads(t, s, art.ID, viewer)
			for _, size := range []int{1, 3, 7, 50} {
				pages := max(1, (len(ref)+size-1)/size)
				for n := 1; n <= pages+1; n++ {
					got, err := s.Comments.Thread(ctx, art.ID, viewer, Page{Number: n, Size: size})
					if err != nil {
						t.Fatal(err)
					}
					want := ref[min((n-1)*size, len(ref)):min(n*size, len(ref))]
					if shape(got.Items) != shape(want) || got.Total != len(ref) || got.Pages != pages {
						t.Fatalf("viewer %d, size %d, page %d: %s (total %d, pages %d)\nwant %s (total %d, pages %d)",
							viewer, size, n, shape(got.Items), got.Total, got.Pages, shape(want), len(ref), pages)
					}
				}
				onPage := map[int64]int{}
				var walk func(list []*Comment, page int)
				walk = func(list []*Comment, page int) {
					for _, c := range list {
						onPage[c.ID] = page
						walk(c.Replies, page)
					}
				}
				for i, r := range ref {
					walk([]*Comment{r}, i/size+1)
				}
				for _, id := range ids {
					n, err := s.Comments.PageOf(ctx, Comment{ID: id}, viewer, size)
					if want, ok := onPage[id]; ok != (err == nil) || n != want {
						t.Fatalf("scan %d, viewer %d, size %d: PageOf(%d) = %d, %v; want %d (shown %v)", scan, viewer, size, id, n, err, want, ok)
					}
				}
			}
		}
	}
}

// Numbers count threads across pages and skip a pending top-level comment, which its
// author sees unnumbered; a removed thread with a live reply keeps its number.
func TestThreadNumbersAcrossPageBoundaries(t *testing.T) {
	s, art, ada, bo := discussionDB(t)
	ctx := context.Background()
	p := &poster{t: t, s: s, now: testNow}
	t1 := p.post(art, ada, 0, "t1")
	t2 := p.post(art, ada, 0, "t2")
	p.post(art, bo, t2.ID, "r2")
	p.now = p.now.Add(time.Minute)
	held, err := s.Comments.Post(ctx, p.now, NewComment{ArticleID: art.ID, User: &bo, Body: "http://a.example http://b.example http://c.example"})
	if err != nil || !held.Pending() {
		t.Fatalf("held = %+v, %v", held, err)
	}
	t4 := p.post(art, ada, 0, "t4")
	if err := s.Comments.Delete(ctx, testNow, t2.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Comments.MarkSpam(ctx, testNow, t1.ID); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		viewer int64
		page   int
		want   string
	}{
		{0, 1, "1:[removed][r2]"},
		{0, 2, "2:t4"},
		{bo.ID, 1, "1:[removed][r2]"},
		{bo.ID, 2, held.BodySrc},
		{bo.ID, 3, "2:t4"},
	}
	for _, tc := range cases {
		got, err := s.Comments.Thread(ctx, art.ID, tc.viewer, Page{Number: tc.page, Size: 1})
		if err != nil {
			t.Fatal(err)
		}
		if sh := shape(got.Items); sh != tc.want {
			t.Errorf("viewer %d page %d: %s, want %s", tc.viewer, tc.page, sh, tc.want)
		}
	}
	for _, tc := range []struct {
		c      Comment
		viewer int64
		page   int
	}{{t2, 0, 1}, {t4, 0, 2}, {t4, bo.ID, 3}, {held, bo.ID, 2}} {
		if n, err := s.Comments.PageOf(ctx, tc.c, tc.viewer, 1); err != nil || n != tc.page {
			t.Errorf("PageOf(%s) for viewer %d = %d, %v; want %d", tc.c.BodySrc, tc.viewer, n, err, tc.page)
		}
	}
	for _, tc := range []struct {
		c      Comment
		viewer int64
	}{{t1, 0}, {held, 0}, {held, ada.ID}} {
		if _, err := s.Comments.PageOf(ctx, tc.c, tc.viewer, 1); !errors.Is(err, ErrNotFound) {
			t.Errorf("PageOf(%s) for viewer %d: %v, want not found", tc.c.BodySrc, tc.viewer, err)
		}
	}
}

// Discussions posted before 0008_comment_threads get their threads from the
// migration: the database is taken back to before it and opened again.
func TestThreadMigrationBackfillsExistingComments(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "test.db")
	s, err := Open(path, dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sec, _ := s.Sections.Create(ctx, "World", "")
	ed, err := s.Users.Create(ctx, testNow, NewUser{Email: "ed@example.com", Name: "Ed", Password: "long enough password", Role: RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Articles.Create(ctx, testNow, ArticleInput{Title: "A story", Body: "Text.", SectionID: sec.ID,
		Status: StatusPublished, PublishedAt: testNow.Add(-time.Hour), CommentsOpen: true})
	if err != nil {
		t.Fatal(err)
	}
	p := &poster{t: t, s: s, now: testNow}
	art := Article{ID: id}
	a := p.post(art, ed, 0, "a")
	b := p.post(art, ed, a.ID, "b")
	p.post(art, ed, b.ID, "c")
	d := p.post(art, ed, 0, "d")
	p.post(art, ed, d.ID, "e")
	// Back to before 0008, and so before 0024, whose triggers read root_id.
	for _, q := range []string{"DROP TRIGGER comments_root", "DROP INDEX comments_roots", "DROP INDEX comments_thread", "DROP INDEX comments_public",
		"DROP TRIGGER comments_version_ins", "DROP TRIGGER comments_version_upd", "DROP TRIGGER comments_version_del",
		"ALTER TABLE comments DROP COLUMN thread_rev", "ALTER TABLE comments DROP COLUMN root_id",
		"DELETE FROM schema_migrations WHERE version = 'migrations/0008_comment_threads.sql'",
		"DELETE FROM schema_migrations WHERE version = 'migrations/0024_thread_revs.sql'"} {
		if res, err := s.W.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		} else if n, _ := res.RowsAffected(); strings.HasPrefix(q, "DELETE") && n != 1 {
			t.Fatalf("%s: %d rows", q, n)
		}
	}
	s.Close()
	if s, err = Open(path, dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	th, err := s.Comments.Thread(ctx, art.ID, 0, Page{Number: 2, Size: 1})
	if err != nil || shape(th.Items) != "2:d[e]" || th.Pages != 2 {
		t.Errorf("page 2 after the migration: %s (%d pages), %v", shape(th.Items), th.Pages, err)
	}
	var stray int
	if err := s.R.QueryRow("SELECT count(*) FROM comments WHERE coalesce(root_id, id) NOT IN (?, ?)", a.ID, d.ID).Scan(&stray); err != nil || stray != 0 {
		t.Errorf("%d comments outside the two threads, %v", stray, err)
	}
}

// A writer that inserts comments without naming their thread (the WordPress import, a
// bulk generator) still gets them paged with their thread.
func TestRepliesFromOtherWritersJoinTheirThread(t *testing.T) {
	s, art, ada, bo := discussionDB(t)
	ctx := context.Background()
	p := &poster{t: t, s: s, now: testNow}
	p.post(art, ada, 0, "first")
	root := p.post(art, ada, 0, "second")
	reply := p.post(art, bo, root.ID, "reply")
	var id int64
	err := s.W.QueryRowContext(ctx, `INSERT INTO comments (article_id, parent_id, user_id, body_src, body_html, created_at)
		VALUES (?, ?, ?, 'imported', 'imported', ?) RETURNING id`, art.ID, reply.ID, ada.ID, fmtTime(testNow)).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	th, err := s.Comments.Thread(ctx, art.ID, 0, Page{Number: 2, Size: 1})
	if err != nil || shape(th.Items) != "2:second[reply[imported]]" {
		t.Errorf("page 2: %s, %v", shape(th.Items), err)
	}
	if n, err := s.Comments.PageOf(ctx, Comment{ID: id}, 0, 1); err != nil || n != 2 {
		t.Errorf("PageOf(imported reply) = %d, %v", n, err)
	}
}

// Post answers with the comment it wrote, made from what it wrote rather than read back:
// for every kind of post it must be what Get reads, field for field.
func TestPostReturnsTheCommentAsStored(t *testing.T) {
	s, art, ada, bo := discussionDB(t)
	ctx := context.Background()
	changeSettings(t, s, func(st *Settings) { st.MaxReplyDepth, st.GuestComments = 2, true })
	if _, err := s.W.ExecContext(ctx, "UPDATE users SET name = 'Bo Renamed' WHERE id = ?", bo.ID); err != nil {
		t.Fatal(err) // the name as stored, not the caller's copy of the account
	}
	p := &poster{t: t, s: s, now: testNow}
	root := p.post(art, ada, 0, "A thread")
	reply := p.post(art, ada, root.ID, "A reply")
	at := p.now
	for _, in := range []NewComment{
		{ArticleID: art.ID, User: &ada, Body: "Held: a *first* comment with https://example.com/a link", IP: "192.0.2.1"},
		{ArticleID: art.ID, User: &bo, ParentID: reply.ID, Body: "Below the deepest level", IP: "192.0.2.2"},
		{ArticleID: art.ID, GuestName: "  A Guest ", GuestEmail: "guest@example.com", Body: "From outside", IP: "192.0.2.3"},
	} {
		at = at.Add(time.Hour)
		got, err := s.Comments.Post(ctx, at.Add(123456789*time.Nanosecond), in)
		if err != nil {
			t.Fatalf("post %q: %v", in.Body, err)
		}
		stored, err := s.Comments.Get(ctx, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", stored) {
			t.Errorf("post %q answered\n%#v\nbut stored\n%#v", in.Body, got, stored)
		}
	}
}

// Before a comment is taken, the poster's last one is read (a repeat is refused, a flood
// slowed): a member's by account, a guest's by e-mail address among guests' comments.
// Every guest's comment sits under no account in the index of accounts, so with that
// index alone each guest's post read every guest comment kept, imported ones too. It is
// SQLite's plan that is checked (sqliteStore).
func TestAPostersLastCommentIsFoundByAccountOrAddress(t *testing.T) {
	s, art, ada, _ := discussionIn(t, sqliteStore(t))
	// 2,000 comments from guests at 50 addresses and 2,000 from a member, then statistics.
	execAll(t, s, []any{sql.Named("article", art.ID), sql.Named("user", ada.ID), sql.Named("at", fmtTime(testNow))},
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
			INSERT INTO comments (article_id, user_id, guest_name, guest_email, body_src, body_html, created_at)
			SELECT :article, NULL, 'Guest', 'guest' || (i % 50) || '@example.com', 'hi', 'hi', :at FROM n
			UNION ALL SELECT :article, :user, '', '', 'hi', 'hi', :at FROM n`,
		`ANALYZE`)
	for _, tc := range []struct {
		guest bool
		who   any
		index string
	}{{false, ada.ID, "comments_user (user_id=?"}, {true, "new@example.com", "comments_guest (guest_email=?"}} {
		last, latest := repeatSQL(tc.guest)
		for _, plan := range [][]string{queryPlan(t, s, last, tc.who), queryPlan(t, s, latest, tc.who, "network")} {
			if !searches(plan, "comments", tc.index) {
				t.Errorf("guest %v: the poster's last comment is not read from %s:\n%s", tc.guest, tc.index, strings.Join(plan, "\n"))
			}
		}
	}
}

// Reading a page again after a write reads whole only the threads the write changed,
// and gives the page exactly as reading it whole does: after a reply, an edit, a
// vote, a moderator's removal of a comment and of a whole thread (the page's threads
// then move up), and a new thread, in every order.
func TestThreadAgainReadsOnlyTheThreadsThatChanged(t *testing.T) {
	s, art, ada, bo := discussionDB(t)
	ctx := context.Background()
	p := &poster{t: t, s: s, now: testNow}
	var roots, replies []Comment
	for i := range 4 {
		roots = append(roots, p.post(art, ada, 0, fmt.Sprintf("t%d", i)))
		replies = append(replies, p.post(art, bo, roots[i].ID, fmt.Sprintf("r%d", i)))
	}
	page := Page{Number: 1, Size: 3}
	lasts := map[Order]*ThreadsRead{}
	// check compares each order's page read again with the page read whole; reads is
	// how many threads the reading again should have read whole (-1: it depends).
	check := func(when string, reads int) {
		t.Helper()
		for _, order := range Orders {
			got, read, err := s.Comments.ThreadAgain(ctx, art.ID, page, order, lasts[order])
			if err != nil {
				t.Fatalf("%s, %s: %v", when, order, err)
			}
			want, err := s.Comments.ThreadIn(ctx, art.ID, 0, page, order)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := detail(got.Items), detail(want.Items); g != w || got.Total != want.Total || got.Pages != want.Pages {
				t.Errorf("%s, %s: read again\n\t%s (%d of %d pages)\nread whole\n\t%s (%d of %d pages)", when, order,
					g, got.Total, got.Pages, w, want.Total, want.Pages)
			}
			if reads >= 0 && read.read != reads {
				t.Errorf("%s, %s: read %d threads whole, want %d", when, order, read.read, reads)
			}
			lasts[order] = read
		}
	}
	check("first reading", 3)
	check("with nothing changed", 0)
	p.post(art, ada, replies[1].ID, "a reply to r1")
	check("after a reply", 1)
	if _, err := s.Comments.Edit(ctx, p.now, replies[2].ID, bo, "r2, edited"); err != nil {
		t.Fatal(err)
	}
	check("after an edit", 1)
	if _, err := s.Comments.Vote(ctx, p.now, roots[2].ID, bo, VoteUp); err != nil {
		t.Fatal(err)
	}
	check("after a vote", 1)
	if err := s.Comments.Delete(ctx, p.now, roots[1].ID); err != nil { // its replies keep it as a placeholder
		t.Fatal(err)
	}
	check("after a comment was removed", 1)
	for _, c := range []Comment{replies[0], roots[0]} {
		if _, err := s.W.ExecContext(ctx, "DELETE FROM comments WHERE id = ?", c.ID); err != nil {
			t.Fatal(err)
		}
	}
	check("after a thread was deleted", -1)
	p.post(art, bo, 0, "t4")
	check("after a new thread", -1)
	check("with nothing changed again", 0)
}

// detail renders threads with everything a discussion page shows of each comment.
func detail(list []*Comment) string {
	var b strings.Builder
	for _, c := range list {
		fmt.Fprintf(&b, "(%d #%d d%d %q %q %s score %d removed %t edited %t vote %d [%s])", c.ID, c.Number, c.Depth, c.Name,
			c.BodyHTML, c.Status, c.Score, c.Removed, !c.EditedAt.IsZero(), c.MyVote, detail(c.Replies))
	}
	return b.String()
}
