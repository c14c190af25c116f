package handlers

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"broadsheet/models"
)

// An editor types into a story; the form's script autosaves it; the tab closes. In a
// new tab the story's form comes back with the words typed, and the length and address
// follow the typing.
func TestBrowserAutosaveSurvivesAClosedTab(t *testing.T) {
	ta := newTestApp(t)
	world := ta.section("World")
	ed := ta.user("Mina Karimi", models.RoleEditor)
	story := ta.article("Harbour works begin", world, ed, func(in *models.ArticleInput) { in.Status = models.StatusDraft })
	srv := ta.server()
	ctx := newBrowser(t)
	edit := srv.URL + "/admin/articles/" + strconv.FormatInt(story.ID, 10)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible("#f-email"),
		chromedp.SendKeys("#f-email", ed.Email),
		chromedp.SendKeys("#f-password", testPassword),
		chromedp.Click(`form[action="/login"] button[type=submit]`),
		chromedp.WaitVisible(".who"),
	)
	if err != nil {
		t.Fatal(err)
	}

	tab, closeTab := chromedp.NewContext(ctx)
	err = chromedp.Do(tab,
		chromedp.Navigate(edit),
		chromedp.WaitVisible("#f-body"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("f-body").value = ""`),
		chromedp.SendKeys("#f-body", "Cranes arrived at the quay on Monday and work began at once."),
		chromedp.Poll[chromedp.Void](`document.querySelector(".autosave-status").textContent.includes("autosaved")`),
	)
	if err != nil {
		t.Fatal(err)
	}
	count := must(chromedp.Run(tab, chromedp.Text("#f-body-count")))(t)
	if count != "12 words · about 1 min to read" {
		t.Errorf("live count %q", count)
	}
	err = chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`document.getElementById("f-slug").value = document.getElementById("f-title").value = ""`),
		chromedp.SendKeys("#f-title", "Quay cranes arrive"))
	if err != nil {
		t.Fatal(err)
	}
	if got := must(chromedp.Run(tab, chromedp.Text(".slug-preview")))(t); got != "quay-cranes-arrive" {
		t.Errorf("live address %q", got)
	}
	closeTab() // the tab is gone, unsaved

	again, closeAgain := chromedp.NewContext(ctx)
	defer closeAgain()
	err = chromedp.Do(again, chromedp.Navigate(edit), chromedp.WaitVisible(".restored"))
	if err != nil {
		t.Fatal(err)
	}
	body := must(chromedp.Run(again, chromedp.Value("#f-body")))(t)
	if !strings.Contains(body, "Cranes arrived at the quay") {
		t.Errorf("reopened body %q", body)
	}
}
