package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/models"
)

// modSite is a site with a published story, one held first comment and one reported one.
type modSite struct {
	*adminSite
	story          models.Article
	held, reported models.Comment
}

func newModSite(t *testing.T) *modSite {
	n := newAdminSite(t)
	m := &modSite{adminSite: n, story: n.article("Talks resume", n.sec, n.editor, nil)}
	ctx := context.Background()
	var err error
	// An older comment that readers reported, then a newer first comment held for a moderator.
	m.reported = n.comment(m.story, n.commenter, 0, "An approved comment someone disliked.")
	if err := n.Store.Comments.Report(ctx, n.Now(), m.reported.ID, n.author.ID, "Rude"); err != nil {
		t.Fatal(err)
	}
	n.advance(time.Minute)
	if m.held, err = n.Store.Comments.Post(ctx, n.Now(), models.NewComment{ArticleID: m.story.ID, User: &n.target, Body: "My very first comment."}); err != nil {
		t.Fatal(err)
	}
	if !m.held.Pending() {
		t.Fatalf("first comment was not held: %+v", m.held)
	}
	return m
}

func TestModerationQueueShowsWhyAndWho(t *testing.T) {
	m := newModSite(t)
	doc := parse(t, m.send(http.MethodGet, "/admin/comments", "editor", nil))
	items := doc.Find(".mod-item")
	if items.Length() != 2 {
		t.Fatalf("%d queue items, want 2", items.Length())
	}
	first, second := items.Eq(0), items.Eq(1)
	if first.AttrOr("id", "") != "comment-"+strconv.FormatInt(m.held.ID, 10) {
		t.Errorf("newest first: got %s first", first.AttrOr("id", ""))
	}
	if got := text(first.Find(".held-reasons")); got != "first comment" {
		t.Errorf("held reason = %q", got)
	}
	if got := text(second.Find(".reports")); !strings.Contains(got, "Reported by Arthur Author") || !strings.Contains(got, "“Rude”") {
		t.Errorf("reports = %q", got)
	}
	if !strings.Contains(text(first.Find(".mod-head")), "Talks resume") || !strings.Contains(text(first.Find(".mod-history")), "My very first comment.") {
		t.Errorf("article or history missing: %q", text(first))
	}
	doc = parse(t, m.send(http.MethodGet, "/admin", "editor", nil))
	if got := text(doc.Find(".pending-count")); got != "1" {
		t.Errorf("dashboard pending count = %q", got)
	}
	if doc := parse(t, m.send(http.MethodGet, "/admin", "author", nil)); doc.Find(".pending-count").Length() != 0 {
		t.Errorf("authors see the moderation count")
	}
}

func TestModerationActions(t *testing.T) {
	m := newModSite(t)
	ctx := context.Background()
	id := strconv.FormatInt(m.held.ID, 10)
	// A failed edit keeps the moderator's text beside the reason.
	res := m.send(http.MethodPost, "/admin/comments/"+id+"/edit", "editor", url.Values{"body": {"<script></script>"}})
	doc := parse(t, res)
	if res.StatusCode != 422 || doc.Find("#e-body-"+id).Length() != 1 || text(doc.Find("#edit-"+id)) != "<script></script>" {
		t.Errorf("bad edit: %d %q", res.StatusCode, text(doc.Find("#edit-"+id)))
	}
	res = m.send(http.MethodPost, "/admin/comments/"+id+"/edit", "editor", url.Values{"body": {"My first comment, trimmed."}})
	res.Body.Close()
	res = m.send(http.MethodPost, "/admin/comments/"+id+"/approve", "editor", url.Values{})
	res.Body.Close()
	if c, _ := m.Store.Comments.Get(ctx, m.held.ID); res.StatusCode != http.StatusSeeOther || c.Status != models.CommentApproved || c.BodySrc != "My first comment, trimmed." {
		t.Errorf("approve: %d %+v", res.StatusCode, c)
	}
	if doc := parse(t, m.get("/articles/"+m.story.Slug)); !strings.Contains(text(doc.Find("main")), "My first comment, trimmed.") {
		t.Errorf("approved comment is not public")
	}
	res = m.send(http.MethodPost, "/admin/comments/"+id+"/frobnicate", "editor", url.Values{})
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown verb: %d", res.StatusCode)
	}
	// Bulk: mark both as spam at once.
	res = m.send(http.MethodPost, "/admin/comments/bulk", "editor", url.Values{"action": {"spam"}, "ids": {id, strconv.FormatInt(m.reported.ID, 10)}})
	res.Body.Close()
	for _, cid := range []int64{m.held.ID, m.reported.ID} {
		if c, _ := m.Store.Comments.Get(ctx, cid); c.Status != models.CommentSpam {
			t.Errorf("bulk spam: comment %d is %s", cid, c.Status)
		}
	}
	log, _ := m.Store.Audit.Recent(ctx, 10)
	if len(log) < 2 || log[0].Action != "comment.spam" || log[0].UserName != "Eddie Editor" {
		t.Errorf("audit = %+v", log)
	}
}

func TestBlockEndsSessionsAndIsUndone(t *testing.T) {
	m := newModSite(t)
	cookies := m.loginCookies(m.target)
	path := "/admin/users/" + strconv.FormatInt(m.target.ID, 10) + "/block"
	res := m.send(http.MethodPost, path, "editor", url.Values{"blocked": {"1"}, "back": {"/admin/comments"}, "confirm": {"yes"}})
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/comments" {
		t.Fatalf("block: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	if doc := parse(t, m.getAs("/", cookies)); doc.Find(".who").Length() != 0 {
		t.Errorf("the blocked user is still logged in")
	}
	u, _ := m.Store.Users.Get(context.Background(), m.target.ID)
	if !u.Blocked {
		t.Fatal("not blocked")
	}
	doc := parse(t, m.send(http.MethodGet, "/admin/comments", "editor", nil))
	if !strings.Contains(text(doc.Find("#comment-"+strconv.FormatInt(m.held.ID, 10)+" .mod-actions")), "Unblock Target Reader") {
		t.Errorf("queue offers no unblock")
	}
	res = m.send(http.MethodPost, path, "editor", url.Values{"blocked": {"0"}})
	res.Body.Close()
	if u, _ := m.Store.Users.Get(context.Background(), m.target.ID); u.Blocked {
		t.Error("still blocked")
	}
	// Staff are deactivated by administrators, never blocked from the queue.
	res = m.send(http.MethodPost, "/admin/users/"+strconv.FormatInt(m.author.ID, 10)+"/block", "editor", url.Values{"blocked": {"1"}})
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("blocking staff: %d", res.StatusCode)
	}
	log, _ := m.Store.Audit.Recent(context.Background(), 2)
	if len(log) != 2 || log[0].Action != "user.unblock" || log[1].Action != "user.block" || log[1].Target != "Target Reader" {
		t.Errorf("audit = %+v", log)
	}
}
