package handlers

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"broadsheet/models"
)

// A reader signs up from an article, logs out and in again, comments, replies to a
// reply (the script moves the form beneath it), sees the nesting and the numbers,
// and logs out.
func TestBrowserDiscussion(t *testing.T) {
	ta, art, _, ada, bo := discussionFixture(t)
	first := ta.comment(art, ada, 0, "The first thread")
	reply := ta.comment(art, bo, first.ID, "A reply to the first thread")
	// Each look at the clock moves it on, so the reader's quick posts are never
	// mistaken for flooding (a person types for longer than a test does).
	var ticks atomic.Int64
	base := ta.Now()
	ta.Now = func() time.Time { return base.Add(time.Duration(ticks.Add(1)) * 20 * time.Second) }
	srv := ta.server()
	ctx := newBrowser(t)
	must(0, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/articles/"+art.Slug),
		chromedp.Click(`#discussion .login-to-comment a[href^="/signup"]`, chromedp.NodeVisible),
		chromedp.WaitVisible("#f-name"),
		chromedp.SendKeys("#f-name", "Nadia Browser"),
		chromedp.SendKeys("#f-email", "nadia@example.com"),
		chromedp.SendKeys("#f-password", "a long password"),
		chromedp.Click(".form-page button[type=submit]"),
		chromedp.WaitNotPresent("#f-password"), // "Check your inbox": the account waits for the mailed link
	))(t)
	must(0, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+ta.mailedLink("nadia@example.com", "/signup/confirm")),
		chromedp.SendKeys("#f-password", "a long password", chromedp.NodeVisible),
		chromedp.Click(".form-page button[type=submit]"),
		chromedp.WaitVisible("form#reply-form"),
		chromedp.Click(".account button.link"), // log out
		chromedp.WaitVisible(`.account a[href="/login"]`),
		chromedp.Navigate(srv.URL+"/articles/"+art.Slug),
		chromedp.Click(`#discussion .login-to-comment a[href^="/login"]`, chromedp.NodeVisible),
		chromedp.WaitVisible("#f-password"),
		chromedp.SendKeys("#f-email", "nadia@example.com"),
		chromedp.SendKeys("#f-password", "a long password"),
		chromedp.Click(".form-page button[type=submit]"),
		chromedp.WaitVisible("form#reply-form textarea"),
		chromedp.SendKeys("#comment-body", "A new thread from the browser"),
		chromedp.Click("form#reply-form button[type=submit]"),
		chromedp.WaitVisible(".comment.pending .awaiting"),
	))(t)
	if url := must(chromedp.Run(ctx, chromedp.Location()))(t); !strings.Contains(url, "#comment-") {
		t.Errorf("after posting, landed on %s, not the comment", url)
	}
	// A moderator approves the newcomer's first comment; from now on they post directly.
	counts, _ := ta.Store.Comments.Pending(context.Background(), models.Page{Number: 1, Size: 5})
	if counts.Total != 1 {
		t.Fatalf("pending = %d", counts.Total)
	}
	if err := ta.Store.Comments.Approve(context.Background(), ta.Now(), counts.Items[0].ID); err != nil {
		t.Fatal(err)
	}
	replySel := fmt.Sprintf("#comment-%d", reply.ID)
	must(0, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/articles/"+art.Slug),
		chromedp.Click(replySel+" > article a.reply", chromedp.NodeVisible),
		chromedp.WaitVisible(replySel+" > article form#reply-form textarea"),
	))(t)
	// The script moved the form in place; without it the link would have loaded ?reply=ID.
	if url := must(chromedp.Run(ctx, chromedp.Location()))(t); strings.Contains(url, "reply=") {
		t.Errorf("reply link reloaded the page (%s): comments.js did not move the form", url)
	}
	must(0, chromedp.Do(ctx,
		chromedp.SendKeys(replySel+" #comment-body", "Replying to the reply"),
		chromedp.Click(replySel+" form#reply-form button[type=submit]"),
		chromedp.WaitVisible(replySel+" .replies .who"),
	))(t)
	nested := must(chromedp.Run(ctx, chromedp.TextContent(fmt.Sprintf("#comment-%d .replies .replies .comment-body", first.ID))))(t)
	if !strings.Contains(nested, "Replying to the reply") {
		t.Errorf("third-level reply = %q", nested)
	}
	nums := must(chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll(".comments > li > article .num")).map(e => e.textContent)`)))(t)
	if strings.Join(nums, " ") != "1. 2." {
		t.Errorf("thread numbers = %v", nums)
	}
	must(0, chromedp.Do(ctx,
		chromedp.Click(".account button.link"),
		chromedp.WaitVisible(`.account a[href="/login"]`),
	))(t)
}
