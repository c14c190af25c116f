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

// Every newsroom page at 360 px: nothing scrolls sideways, and every control a thumb
// must hit (buttons, fields, menus, the newsroom's links) is at least 44 px tall;
// checkboxes and radios, which sit beside their larger labels, at least 24 px.
func TestBrowserNewsroomOnAPhone(t *testing.T) {
	n := newAdminSite(t)
	m := &modSite{adminSite: n, story: n.article("A story with a rather long headline that has to wrap on a phone screen", n.sec, n.editor, nil)}
	m.reported = n.comment(m.story, n.commenter, 0, "An approved comment someone disliked.")
	if err := n.Store.Comments.Report(t.Context(), n.Now(), m.reported.ID, n.author.ID, "Rude"); err != nil {
		t.Fatal(err)
	}
	srv := n.server()
	ctx := newBrowser(t)
	id := strconv.FormatInt(m.story.ID, 10)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(360, 740),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible("#f-email"),
		chromedp.SendKeys("#f-email", n.admin.Email),
		chromedp.SendKeys("#f-password", testPassword),
		chromedp.Click(`form[action="/login"] button[type=submit]`),
		// Only a logged-in page has a log-out form: the login page itself has a masthead,
		// and navigating on before the login's redirect lands aborts one or the other.
		chromedp.WaitVisible(`form[action="/logout"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	const measure = `(() => {
		const small = [];
		const sel = "main button, main select, main input:not([type=hidden]), main summary, main .button, .admin-nav a, .newsroom-head a, .newsroom-head button, .select-all a";
		for (const el of document.querySelectorAll(sel)) {
			const r = el.getBoundingClientRect();
			if (r.width === 0 || getComputedStyle(el).visibility === "hidden" || el.closest(".visually-hidden")) continue;
			const min = (el.type === "checkbox" || el.type === "radio") ? 24 : 44;
			if (r.height < min - 0.5) small.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " " + (el.textContent || el.name || "").trim().slice(0, 30) + " " + Math.round(r.height) + "px");
		}
		return {scroll: document.documentElement.scrollWidth, width: window.innerWidth, small: small.slice(0, 8),
			reader: !!document.querySelector(".masthead, form.search")};
	})()`
	type result struct {
		Scroll, Width int
		Small         []string
		Reader        bool
	}
	for _, path := range []string{"/admin", "/admin/articles", "/admin/articles/new", "/admin/articles/" + id, "/admin/articles/" + id + "/revisions",
		"/admin/media", "/admin/sections", "/admin/users", "/admin/comments", "/admin/settings"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path), chromedp.WaitVisible("main")); err != nil {
			t.Fatal(err)
		}
		r := must(chromedp.Run(ctx, chromedp.Evaluate[result](measure)))(t)
		if r.Scroll > r.Width {
			t.Errorf("%s at 360 px scrolls sideways: %d px wide", path, r.Scroll)
		}
		if len(r.Small) > 0 {
			t.Errorf("%s: small targets: %v", path, r.Small)
		}
		if r.Reader {
			t.Errorf("%s shows the reader's header", path)
		}
	}
}
