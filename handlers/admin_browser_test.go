package handlers

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"broadsheet/models"
)

// An editor logs in, writes a story with a photo, previews it, publishes it and finds it
// leading the front page — all through plain forms in a real browser.
func TestBrowserEditorPublishesWithPhoto(t *testing.T) {
	ta := newTestApp(t)
	world := ta.section("World")
	ed := ta.user("Mina Karimi", models.RoleEditor)
	srv := ta.server()
	ctx := newBrowser(t)
	photo := filepath.Join(t.TempDir(), "harbour.jpg")
	if err := os.WriteFile(photo, testJPEG(t, 1200, 700), 0o600); err != nil {
		t.Fatal(err)
	}

	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/admin/articles/new"),
		chromedp.WaitVisible("#f-email"), // sent to log in first
		chromedp.SendKeys("#f-email", ed.Email),
		chromedp.SendKeys("#f-password", testPassword),
		chromedp.Click(`form[action="/login"] button[type=submit]`),
		chromedp.WaitVisible("#f-title"), // and back to the new-story form
		chromedp.SendKeys("#f-title", "Sea wall holds in the first storm"),
		chromedp.SendKeys("#f-dek", "Engineers watched the water rise."),
		chromedp.SendKeys("#f-body", "The wall held through the night.\n\nResidents **cheered** at dawn."),
		chromedp.SetValue("#f-section", strconv.FormatInt(world.ID, 10)),
		chromedp.SetUploadFiles("#f-photo", []string{photo}),
		chromedp.SendKeys("#f-alt", "Waves breaking against a concrete sea wall"),
		chromedp.SendKeys("#f-credit", "Photo: Broadsheet"),
		chromedp.Click(`form.article-form button[type=submit]`),
		chromedp.WaitVisible(".flash"),
		chromedp.Click(`.admin-links a[href$="/preview"]`),
		chromedp.WaitVisible(".preview-banner"),
	)
	if err != nil {
		t.Fatal(err)
	}
	headline := must(chromedp.Run(ctx, chromedp.Text("h1#headline")))(t)
	alt := must(chromedp.Run(ctx, chromedp.AttributeValue("figure.lead-photo img", "alt")))(t)
	if headline != "Sea wall holds in the first storm" || alt.Value != "Waves breaking against a concrete sea wall" {
		t.Fatalf("preview: headline %q, photo alt %q", headline, alt.Value)
	}
	editURL := strings.TrimSuffix(must(chromedp.Run(ctx, chromedp.Location()))(t), "/preview")
	err = chromedp.Do(ctx,
		chromedp.Navigate(editURL),
		chromedp.WaitVisible("#f-status"),
		chromedp.SetValue("#f-status", models.StatusPublished),
		chromedp.Click(`form.article-form button[type=submit]`),
		chromedp.WaitVisible(".flash"),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(".lead-story h2"),
	)
	if err != nil {
		t.Fatal(err)
	}
	lead := must(chromedp.Run(ctx, chromedp.Text(".lead-story h2")))(t)
	if lead != "Sea wall holds in the first storm" {
		t.Errorf("front page lead = %q", lead)
	}
	if src := must(chromedp.Run(ctx, chromedp.AttributeValue(".lead-story img", "src")))(t); !strings.HasPrefix(src.Value, "/media/") {
		t.Errorf("lead photo src = %q", src.Value)
	}
}

// A moderator finds a held first comment in the queue, approves it, and blocks its author.
func TestBrowserModeratorApprovesAndBlocks(t *testing.T) {
	ta := newTestApp(t)
	world := ta.section("World")
	ed := ta.user("Mina Karimi", models.RoleEditor)
	reader := ta.user("Reza Reader", models.RoleCommenter)
	story := ta.article("Talks resume in Tehran", world, ed, nil)
	held, err := ta.Store.Comments.Post(t.Context(), ta.Now(), models.NewComment{ArticleID: story.ID, User: &reader, Body: "Hello from a first-time commenter."})
	if err != nil || !held.Pending() {
		t.Fatalf("held comment: %+v %v", held, err)
	}
	srv := ta.server()
	ctx := newBrowser(t)
	item := "#comment-" + strconv.FormatInt(held.ID, 10)
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/login?next=/admin"),
		chromedp.SendKeys("#f-email", ed.Email),
		chromedp.SendKeys("#f-password", testPassword),
		chromedp.Click(`form[action="/login"] button[type=submit]`),
		chromedp.WaitVisible(".pending-count"),
		chromedp.Click(`.admin-nav a[href="/admin/comments"]`),
		chromedp.WaitVisible(item),
	)
	if err != nil {
		t.Fatal(err)
	}
	if reason := must(chromedp.Run(ctx, chromedp.Text(item+" .held-reasons")))(t); reason != "first comment" {
		t.Errorf("held reason = %q", reason)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(item+` form[action$="/approve"] button`),
		chromedp.WaitVisible(".flash"),
		chromedp.Navigate(srv.URL+"/articles/"+story.Slug),
		chromedp.WaitVisible("h1#headline"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if body := must(chromedp.Run(ctx, chromedp.TextContent("main")))(t); !strings.Contains(body, "Hello from a first-time commenter.") {
		t.Errorf("approved comment not on the article page")
	}
	// The commenter's next comment is held again; from the queue the moderator blocks them.
	if _, err := ta.Store.Comments.Post(t.Context(), ta.Now().Add(time.Minute), models.NewComment{ArticleID: story.ID, User: &reader, Body: "Buy cheap watches http://a.example http://b.example http://c.example"}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/admin/comments"),
		chromedp.WaitVisible(".mod-item"),
		chromedp.Click(`.mod-item form[action$="/block"] button`),
		chromedp.WaitVisible("form.confirm"), // blocking asks first, without JavaScript
		chromedp.Click(`form.confirm button[type=submit]`),
		chromedp.WaitVisible(".flash"),
	)
	if err != nil {
		t.Fatal(err)
	}
	flash := must(chromedp.Run(ctx, chromedp.Text(".flash")))(t)
	if u, _ := ta.Store.Users.Get(t.Context(), reader.ID); !u.Blocked || !strings.Contains(flash, "blocked") {
		t.Errorf("after block: blocked=%v flash %q", u.Blocked, flash)
	}
}
