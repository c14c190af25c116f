package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/models"
	"broadsheet/outbox/outboxtest"
)

// inbox is the messages a real SMTP server received for to, parsed.
func inbox(t *testing.T, srv *outboxtest.Server, to string) (msgs []*mail.Message, bodies []string) {
	t.Helper()
	for _, m := range srv.Messages() {
		if len(m.To) == 1 && m.To[0] == to {
			msg, text := outboxtest.Parse(t, m.Data)
			msgs, bodies = append(msgs, msg), append(bodies, text)
		}
	}
	return msgs, bodies
}

// notifySite is a story with a commenter who asked for replies to one comment.
type notifySite struct {
	*testApp
	art      models.Article
	ada, bo  models.User
	parent   models.Comment
	smtp     *outboxtest.Server
	adaLogin []*http.Cookie
}

func newNotifySite(t *testing.T) *notifySite {
	ta := newTestApp(t)
	n := &notifySite{testApp: ta, smtp: outboxtest.Start(t, nil, false)}
	n.art = ta.article("Sea wall", ta.section("World"), ta.user("Writer One", models.RoleAuthor), nil)
	n.ada, n.bo = ta.user("Ada Reader", models.RoleCommenter), ta.user("Bo Replier", models.RoleCommenter)
	n.adaLogin = ta.loginCookies(n.ada)
	// A refused comment comes back with the box still ticked.
	res := ta.postForm("/articles/"+n.art.Slug+"/comments", url.Values{"body": {"   "}, "watch": {"1"}}, n.adaLogin...)
	if doc := parse(t, res); res.StatusCode != http.StatusUnprocessableEntity || doc.Find("#comment-watch[checked]").Length() != 1 {
		t.Fatalf("refused comment: %d, box kept %d", res.StatusCode, doc.Find("#comment-watch[checked]").Length())
	}
	// Ada ticks "E-mail me replies" on the form; her first comment waits for a moderator.
	res = ta.postForm("/articles/"+n.art.Slug+"/comments", url.Values{"body": {"The wall will not hold."}, "watch": {"1"}}, n.adaLogin...)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("post: %d", res.StatusCode)
	}
	cs, err := ta.Store.Comments.Pending(context.Background(), models.Page{Number: 1, Size: 5})
	if err != nil || len(cs.Items) != 1 {
		t.Fatalf("held: %v %v", cs.Items, err)
	}
	n.parent = cs.Items[0]
	if err := ta.Store.Comments.Approve(context.Background(), ta.Now(), n.parent.ID); err != nil {
		t.Fatal(err)
	}
	ta.advance(time.Minute)
	return n
}

// deliver runs the periodic job and the outbox worker against the real SMTP server.
func (n *notifySite) deliver() {
	n.housekeep(context.Background())
	n.sendOutbox(n.smtp)
}

// Issue 11: replies to a comment whose author asked for them arrive as one digest
// once the window has passed, with one-click unsubscribe headers; the links in it work.
func TestReplyNotificationDigest(t *testing.T) {
	n := newNotifySite(t)
	cy := n.user("Cy Third", models.RoleCommenter)
	r1 := n.comment(n.art, n.bo, n.parent.ID, "It held in 1953.")
	r2 := n.comment(n.art, cy, n.parent.ID, "Barely.")
	n.comment(n.art, n.ada, r1.ID, "Replying to a reply tells Bo nothing: he did not ask.")
	n.comment(n.art, n.ada, n.parent.ID, "Answering oneself tells no one.")
	n.deliver()
	if msgs, _ := inbox(t, n.smtp, n.ada.Email); len(msgs) != 0 {
		t.Fatalf("mailed before the digest window: %d", len(msgs))
	}
	n.advance(models.DigestWindow)
	n.deliver()
	msgs, bodies := inbox(t, n.smtp, n.ada.Email)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want one digest", len(msgs))
	}
	h := msgs[0].Header
	if h.Get("Subject") != "2 new replies to your comments on The Broadsheet" || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" ||
		!strings.HasPrefix(h.Get("List-Unsubscribe"), "<http://news.test/unsubscribe?token=") || h.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("headers: %v", h)
	}
	for _, want := range []string{"Bo Replier replied", "It held in 1953.", "Cy Third replied", "Barely.",
		"http://news.test/comments/" + itoa(r1.ID), "http://news.test/comments/" + itoa(r2.ID)} {
		if !strings.Contains(bodies[0], want) {
			t.Errorf("digest lacks %q:\n%s", want, bodies[0])
		}
	}
	if got, _ := inbox(t, n.smtp, n.bo.Email); len(got) != 0 {
		t.Error("Bo was mailed though he asked for nothing")
	}
	// The link in the mail leads to the reply.
	res := n.get("/comments/" + itoa(r1.ID))
	if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusMovedPermanently && res.StatusCode != http.StatusFound {
		t.Fatalf("reply link: %d", res.StatusCode)
	}
	if loc := res.Header.Get("Location"); !strings.Contains(loc, "/articles/"+n.art.Slug) || !strings.HasSuffix(loc, "#comment-"+itoa(r1.ID)) {
		t.Errorf("reply link goes to %q", loc)
	}

	// One click from the mail program (RFC 8058): a POST with no cookie and no page.
	stop := strings.Trim(h.Get("List-Unsubscribe"), "<>")
	req := httptest.NewRequest(http.MethodPost, strings.TrimPrefix(stop, "http://news.test"), strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site") // a webmail page may send it from the reader's browser
	if res := n.do(req); res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "private, no-store" {
		t.Fatalf("one-click unsubscribe: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	n.comment(n.art, cy, n.parent.ID, "Another reply, after unsubscribing.")
	n.advance(models.DigestWindow)
	n.deliver()
	if msgs, _ := inbox(t, n.smtp, n.ada.Email); len(msgs) != 1 {
		t.Errorf("%d messages after unsubscribing, want still 1", len(msgs))
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// The unsubscribe page shows a button (a link scanner unsubscribes no one); a forged
// or expired token changes nothing and says so.
func TestUnsubscribeLinks(t *testing.T) {
	n := newNotifySite(t)
	good := n.unsubscribeToken(n.ada.ID, models.ListReplies, n.Now().Add(time.Hour))
	res := n.get("/unsubscribe?token=" + url.QueryEscape(good))
	doc := parse(t, res)
	if res.StatusCode != http.StatusOK || doc.Find(`form[method=post][action^="/unsubscribe?token="] button`).Length() != 1 {
		t.Fatalf("unsubscribe page: %d", res.StatusCode)
	}
	watched := func() (n2 int) {
		n.Store.R.QueryRow("SELECT count(*) FROM reply_watches WHERE user_id = ?", n.ada.ID).Scan(&n2)
		return n2
	}
	if watched() != 1 {
		t.Fatal("the ticked box made no watch")
	}
	forged := []string{
		strings.Replace(good, ".replies.", ".moderation.", 1), // another list, same MAC
		itoa(n.bo.ID) + good[strings.IndexByte(good, '.'):],   // another reader
		good[:len(good)-2] + "xx",                             // a changed MAC
		"", "1.replies.99999999999", "not a token", strings.Repeat("a.", 5000),
	}
	for _, tok := range forged {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			res := n.do(httptest.NewRequest(method, "/unsubscribe?token="+url.QueryEscape(tok), nil))
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("%s forged %q: %d, want 400", method, tok, res.StatusCode)
			}
		}
	}
	expired := n.unsubscribeToken(n.ada.ID, models.ListReplies, n.Now().Add(-time.Second))
	if res := n.postForm("/unsubscribe?token="+url.QueryEscape(expired), nil); res.StatusCode != http.StatusGone {
		t.Errorf("expired: %d, want 410", res.StatusCode)
	}
	if watched() != 1 {
		t.Fatal("a refused token unsubscribed")
	}
	if res := n.postForm("/unsubscribe?token="+url.QueryEscape(good), nil); res.StatusCode != http.StatusOK || watched() != 0 {
		t.Errorf("the button: %d, watches left %d", res.StatusCode, watched())
	}
}

// Never a mail to a blocked or deactivated account, nor one that cannot log in
// (imported, never confirmed), even when they asked for replies in their settings.
func TestNoNoticeToBlockedOrDeactivatedAccounts(t *testing.T) {
	n := newNotifySite(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		stop func(u models.User)
	}{
		{"blocked", func(u models.User) {
			if err := n.Store.Users.Block(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
		}},
		{"deactivated", func(u models.User) {
			if err := n.Store.Users.SetDeactivated(ctx, n.Now(), u.ID, true, n.ada.ID); err != nil {
				t.Fatal(err)
			}
		}},
		{"blocked after the reply", nil},
	} {
		u := n.user("Reader "+tc.name, models.RoleCommenter)
		if err := n.Store.Users.SetNotifications(ctx, u.ID, true, true); err != nil {
			t.Fatal(err)
		}
		mine := n.comment(n.art, u, 0, "Mine, as "+tc.name)
		if tc.stop != nil {
			tc.stop(u)
		}
		n.comment(n.art, n.bo, mine.ID, "A reply to "+tc.name)
		if tc.stop == nil {
			if err := n.Store.Users.Block(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
		}
		n.advance(models.DigestWindow)
		n.deliver()
		if msgs, _ := inbox(t, n.smtp, u.Email); len(msgs) != 0 {
			t.Errorf("%s: mailed %d messages", tc.name, len(msgs))
		}
	}
}

// A held comment's author who asked is told when it is approved or removed.
func TestModerationNotes(t *testing.T) {
	n := newNotifySite(t)
	cy := n.user("Cy Third", models.RoleCommenter)
	cyLogin := n.loginCookies(cy)
	if res := n.postForm("/account/notifications", url.Values{"notify_moderation": {"1"}}, cyLogin...); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d", res.StatusCode)
	}
	doc := parse(t, n.getAs("/account", cyLogin))
	if doc.Find("#f-notify-moderation[checked]").Length() != 1 || doc.Find("#f-notify-replies[checked]").Length() != 0 {
		t.Error("the account page does not show the saved choices")
	}
	ctx := context.Background()
	post := func(body string) int64 {
		c, err := n.Store.Comments.Post(ctx, n.Now(), models.NewComment{ArticleID: n.art.ID, User: &cy, Body: body})
		if err != nil || !c.Pending() {
			t.Fatalf("post: %v %v", c.Status, err)
		}
		n.advance(time.Minute)
		return c.ID
	}
	first := post("First words, held.")
	if err := n.Store.Comments.MarkSpam(ctx, n.Now(), first); err != nil {
		t.Fatal(err)
	}
	second := post("Second words, held as well.")
	if err := n.Store.Comments.Approve(ctx, n.Now(), second); err != nil {
		t.Fatal(err)
	}
	n.advance(models.DigestWindow)
	n.deliver()
	msgs, bodies := inbox(t, n.smtp, cy.Email)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	for _, want := range []string{"A moderator removed your comment", "First words, held.", "was approved", "http://news.test/comments/" + itoa(second)} {
		if !strings.Contains(bodies[0], want) {
			t.Errorf("note lacks %q:\n%s", want, bodies[0])
		}
	}
	if !strings.Contains(msgs[0].Header.Get("List-Unsubscribe"), "/unsubscribe?token=") {
		t.Error("no List-Unsubscribe")
	}
}
