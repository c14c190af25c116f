package handlers

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"broadsheet/models"
	"broadsheet/outbox/outboxtest"
)

// Issue 11: in Chromium, a reader ticks "E-mail me replies" under their comment; a
// reply arrives at a real SMTP server; its link opens the reply in the discussion,
// and the unsubscribe link in the same message stops the mail with one button.
func TestBrowserReplyNotification(t *testing.T) {
	ta := newTestApp(t)
	art := ta.article("Sea wall", ta.section("World"), ta.user("Writer One", models.RoleAuthor), nil)
	ada, bo := ta.user("Ada Reader", models.RoleCommenter), ta.user("Bo Replier", models.RoleCommenter)
	var offset atomic.Int64 // the clock, moved by the test while the server reads it
	ta.Now = func() time.Time { return testNow.Add(time.Duration(offset.Load())) }
	srv, mail := ta.server(), outboxtest.Start(t, nil, false)
	ctx := newBrowser(t)
	must(0, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.SendKeys("#f-email", ada.Email, chromedp.NodeVisible),
		chromedp.SendKeys("#f-password", testPassword),
		chromedp.Click(".form-page button[type=submit]"),
		chromedp.WaitNotPresent("#f-password"),
		chromedp.Navigate(srv.URL+"/articles/"+art.Slug),
		chromedp.SendKeys("#comment-body", "The wall will not hold.", chromedp.NodeVisible),
		chromedp.Click("#comment-watch"),
		chromedp.Click("form#reply-form button[type=submit]"),
		chromedp.WaitVisible(".comment.pending"),
	))(t)
	held, err := ta.Store.Comments.Pending(context.Background(), models.Page{Number: 1, Size: 5})
	if err != nil || len(held.Items) != 1 {
		t.Fatalf("held: %v", err)
	}
	if err := ta.Store.Comments.Approve(context.Background(), ta.Now(), held.Items[0].ID); err != nil {
		t.Fatal(err)
	}
	reply, err := ta.Store.Comments.Post(context.Background(), ta.Now(), models.NewComment{ArticleID: art.ID, ParentID: held.Items[0].ID, User: &bo, Body: "It held in 1953."})
	if err != nil {
		t.Fatal(err)
	}
	if err := ta.Store.Comments.Approve(context.Background(), ta.Now(), reply.ID); err != nil {
		t.Fatal(err)
	}
	offset.Add(int64(models.DigestWindow))
	ta.housekeep(context.Background())
	ta.sendOutbox(mail)
	_, bodies := inbox(t, mail, ada.Email)
	if len(bodies) != 1 {
		t.Fatalf("%d messages to Ada", len(bodies))
	}
	var read, stop string
	for _, m := range linkRE.FindAllStringSubmatch(bodies[0], -1) {
		switch {
		case strings.HasPrefix(m[1], "/comments/"):
			read = m[1]
		case strings.HasPrefix(m[1], "/unsubscribe"):
			stop = m[1]
		}
	}
	if read == "" || stop == "" {
		t.Fatalf("links missing from:\n%s", bodies[0])
	}
	sel := "#comment-" + itoa(reply.ID)
	must(0, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+read),
		chromedp.WaitVisible(sel+" .comment-body"),
	))(t)
	if loc := must(chromedp.Run(ctx, chromedp.Location()))(t); !strings.HasSuffix(loc, sel) {
		t.Errorf("the mailed link landed on %s", loc)
	}
	if got := must(chromedp.Run(ctx, chromedp.Text(sel+" .comment-body")))(t); !strings.Contains(got, "It held in 1953.") {
		t.Errorf("reply shown: %q", got)
	}
	must(0, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+stop),
		chromedp.Click(".form-page form button[type=submit]", chromedp.NodeVisible),
		chromedp.WaitVisible("//h1[contains(., 'unsubscribed')]"),
	))(t)
	var watches int
	if err := ta.Store.R.QueryRow("SELECT count(*) FROM reply_watches").Scan(&watches); err != nil || watches != 0 {
		t.Errorf("watches left after unsubscribing: %d (%v)", watches, err)
	}
}
