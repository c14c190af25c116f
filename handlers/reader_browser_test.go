package handlers

import (
	"broadsheet/models"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A reader opens the front page, follows the lead story and sees its headline and photo caption.
func TestBrowserReadLeadStory(t *testing.T) {
	ta := newTestApp(t)
	world := ta.section("World")
	ed := ta.user("Mina Karimi", "editor")
	ta.article("Older story", world, ed, func(in *models.ArticleInput) { in.PublishedAt = testNow.Add(-48 * time.Hour) })
	lead := ta.article("Talks resume in Tehran", world, ed, func(in *models.ArticleInput) {
		in.MediaID = ta.photo().ID
		in.ImageAlt, in.ImageCaption, in.ImageCredit = "Delegates at a long table", "Delegates met on Sunday.", "Photo: Broadsheet"
	})
	srv := ta.server()
	ctx := newBrowser(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.Click(".lead-story h2 a", chromedp.NodeVisible),
		chromedp.WaitVisible("h1#headline"),
	)
	if err != nil {
		t.Fatal(err)
	}
	headline := must(chromedp.Run(ctx, chromedp.Text("h1#headline")))(t)
	caption := must(chromedp.Run(ctx, chromedp.TextContent("figure.lead-photo figcaption")))(t)
	url := must(chromedp.Run(ctx, chromedp.Location()))(t)
	if headline != lead.Title {
		t.Errorf("headline = %q, want %q", headline, lead.Title)
	}
	if !strings.Contains(caption, "Delegates met on Sunday.") || !strings.Contains(caption, "Photo: Broadsheet") {
		t.Errorf("caption = %q, want caption and credit", caption)
	}
	if !strings.HasSuffix(url, "/articles/"+lead.Slug) {
		t.Errorf("landed on %s", url)
	}
}
