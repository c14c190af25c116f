package handlers

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// A reader votes on a comment, reorders the discussion and previews a comment, once
// with JavaScript and once without: every step works by plain forms and links, and
// the script only saves the reload of a vote.
func TestBrowserVoteSortPreview(t *testing.T) {
	for _, js := range []bool{true, false} {
		t.Run(fmt.Sprintf("javascript=%t", js), func(t *testing.T) {
			ta, art, ed, ada, bo := discussionFixture(t)
			older := ta.comment(art, ada, 0, "The older thread")
			newer := ta.comment(art, ed, 0, "The newer thread")
			srv := ta.server()
			ctx := newBrowser(t)
			if !js {
				must(chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}))(t)
			}
			page := srv.URL + "/articles/" + art.Slug
			must(0, chromedp.Do(ctx,
				chromedp.Navigate(srv.URL+"/login?next=/articles/"+art.Slug),
				chromedp.SendKeys("#f-email", bo.Email),
				chromedp.SendKeys("#f-password", testPassword),
				chromedp.Click(`form[action="/login"] button[type=submit]`),
				chromedp.WaitVisible("form#reply-form"),
			))(t)
			// The page's deferred script must have run before the vote below: the form
			// shows before it does, and a click then would post the plain form.
			must(chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState === "complete"`)))(t)

			// Vote the older thread up. With the script the page stays (a marker set on the
			// window survives); without it the form lands back on the comment.
			item := fmt.Sprintf("#comment-%d", older.ID)
			must(chromedp.Run(ctx, chromedp.Evaluate[string](`window.stayed = "yes"`)))(t)
			must(0, chromedp.Do(ctx,
				chromedp.Click(item+" .vote-up", chromedp.NodeVisible),
				chromedp.WaitVisible(item+` .vote-up[aria-pressed="true"]`),
			))(t)
			if score := must(chromedp.Run(ctx, chromedp.Text(item+" .score data")))(t); score != "1" {
				t.Errorf("score after voting up: %q", score)
			}
			if js {
				if stayed := must(chromedp.Run(ctx, chromedp.Evaluate[string](`String(window.stayed)`)))(t); stayed != "yes" {
					t.Error("with the script, voting reloaded the page")
				}
			} else if loc := must(chromedp.Run(ctx, chromedp.Location()))(t); !strings.HasSuffix(loc, item) {
				t.Errorf("without the script, the vote landed on %s", loc)
			}
			if got, _ := ta.Store.Comments.Get(context.Background(), older.ID); got.Score != 1 {
				t.Errorf("stored score %d", got.Score)
			}

			// Newest first, by a plain link; the numbers still count from the oldest.
			must(0, chromedp.Do(ctx,
				chromedp.Navigate(page),
				chromedp.Click(`.comment-order a[href*="sort=newest"]`, chromedp.NodeVisible),
				chromedp.WaitVisible(`.comment-order a[aria-current][href*="sort=newest"]`),
			))(t)
			first := must(chromedp.Run(ctx, chromedp.AttributeValue("ol.comments > li.comment", "id")))(t)
			num := must(chromedp.Run(ctx, chromedp.Text("ol.comments > li.comment .num")))(t)
			if first.Value != fmt.Sprintf("comment-%d", newer.ID) || num != "2." {
				t.Errorf("newest first starts with %s numbered %q", first.Value, num)
			}

			// Preview shows the comment as it will appear and keeps the text in the form.
			must(0, chromedp.Do(ctx,
				chromedp.SendKeys("#comment-body", "Previewed <em>words</em>", chromedp.NodeVisible),
				chromedp.Click(`form#reply-form button[formaction$="/comments/preview"]`),
				chromedp.WaitVisible("#comment-preview .comment-body em"),
			))(t)
			shown := must(chromedp.Run(ctx, chromedp.Text("#comment-preview .comment-body")))(t)
			kept := must(chromedp.Run(ctx, chromedp.Value("#comment-body")))(t)
			if strings.TrimSpace(shown) != "Previewed words" || kept != "Previewed <em>words</em>" {
				t.Errorf("preview %q, form kept %q", shown, kept)
			}
			var n int
			ta.Store.R.QueryRow("SELECT count(*) FROM comments WHERE user_id = ?", bo.ID).Scan(&n)
			if n != 0 {
				t.Errorf("preview stored %d comments", n)
			}
		})
	}
}
