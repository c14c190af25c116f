package handlers

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
