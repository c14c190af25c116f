package handlers

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"broadsheet/models"
)

// Two editors post entries at the live desk, each in their own browser session, while
// a reader's page (JavaScript on) shows them without a reload; a reader with JavaScript
// off sees them on reload. The live page and the desk pass axe at desktop and 360 px.
func TestBrowserLiveStory(t *testing.T) {
	ta := newTestApp(t, func(c *Config) { c.LivePoll = 100 * time.Millisecond })
	ta.Now = time.Now // entries and the stream work on real time here
	world := ta.section("World")
	ed1, ed2 := ta.user("Mina Karimi", models.RoleEditor), ta.user("Jon Okafor", models.RoleEditor)
	story := ta.article("Storm reaches the coast", world, ed1, func(in *models.ArticleInput) { in.PublishedAt = time.Now().Add(-time.Hour) })
	if err := ta.Store.Live.Start(t.Context(), time.Now(), story.ID, 0); err != nil {
		t.Fatal(err)
	}
	srv := ta.server()
	browser := newBrowser(t)
	session := func() context.Context {
		ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext()) // its own cookies
		t.Cleanup(cancel)
		return ctx
	}
	page := srv.URL + "/articles/" + story.Slug
	desk := srv.URL + "/admin/articles/" + strconv.FormatInt(story.ID, 10) + "/live"

	reader := session()
	err := chromedp.Do(reader,
		chromedp.Navigate(page),
		chromedp.WaitVisible("#live"),
		chromedp.Evaluate[chromedp.Void]("window.sameDocument = true; undefined"),
	)
	if err != nil {
		t.Fatal(err)
	}
	post := func(ctx context.Context, ed models.User, body string, first bool) (sent time.Time) {
		t.Helper()
		var steps []chromedp.Action[chromedp.Void]
		if first {
			steps = append(steps,
				chromedp.Navigate(srv.URL+"/login?next="+strings.TrimPrefix(desk, srv.URL)),
				chromedp.SendKeys("#f-email", ed.Email),
				chromedp.SendKeys("#f-password", testPassword),
				chromedp.Click(`form[action="/login"] button[type=submit]`))
		} else {
			steps = append(steps, chromedp.Navigate(desk))
		}
		steps = append(steps, chromedp.WaitVisible("#e-body-f"), chromedp.SendKeys("#e-body-f", body))
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s writes %q: %v", ed.Name, body, err)
		}
		// The post answers with a redirect to the desk, which then lists the entry.
		sent = time.Now()
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(`form.live-entry-form button[type=submit]`)); err != nil {
			t.Fatalf("%s posts %q: %v", ed.Name, body, err)
		}
		if got := must(chromedp.Run(ctx, chromedp.Text(".live-desk-entries")))(t); !strings.Contains(got, body) {
			t.Fatalf("the desk does not list %q after %s posted it", body, ed.Name)
		}
		return sent
	}
	shows := func(ctx context.Context, text string, start time.Time) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#live .live-entries") !== null && document.querySelector("#live .live-entries").textContent.includes(`+strconv.Quote(text)+`)`,
			chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil {
			t.Fatalf("the reader's page does not show %q: %v", text, err)
		}
		t.Logf("reader saw %q %v after the editor pressed Post", text, time.Since(start).Round(time.Millisecond))
	}

	mina, jon := session(), session()
	shows(reader, "Wind gusts of 120 km/h", post(mina, ed1, "Wind gusts of 120 km/h at the pier.", true))
	shows(reader, "Shelters open at the school", post(jon, ed2, "Shelters open at the school.", true))
	shows(reader, "The harbour wall holds", post(mina, ed1, "The harbour wall holds.", false))
	same := must(chromedp.Run(reader, chromedp.Evaluate[bool]("window.sameDocument === true")))(t)
	order := must(chromedp.Run(reader, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#live .live-entries .live-body")].map(e => e.textContent.trim())`)))(t)
	if !same || len(order) != 3 || !strings.HasPrefix(order[0], "The harbour wall") || !strings.HasPrefix(order[2], "Wind gusts") {
		t.Errorf("reader's page: same document %v, entries %q (want newest first, no reload)", same, order)
	}

	// JavaScript off: the page is complete as served and shows a new entry on reload.
	noJS := session()
	if _, err := chromedp.Call(noJS, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(noJS, chromedp.Navigate(page), chromedp.WaitVisible("#live .live-entries")); err != nil {
		t.Fatal(err)
	}
	if hint := must(chromedp.Run(noJS, chromedp.Text("#live .live-reload")))(t); !strings.Contains(hint, "Reload") {
		t.Errorf("without JavaScript the page says %q, want the reload hint", hint)
	}
	post(jon, ed2, "Power cut in the north.", false)
	if err := chromedp.Do(noJS, chromedp.Navigate(page), chromedp.WaitVisible("#live .live-entries")); err != nil { // a reload that waits for the page
		t.Fatal(err)
	}
	if got := must(chromedp.Run(noJS, chromedp.Text("#live .live-entries")))(t); !strings.Contains(got, "Power cut in the north") {
		t.Errorf("after reload without JavaScript: %q", got)
	}

	// Accessibility of the reader's page and the desk, on a desktop and a 360 px phone.
	for _, w := range []int64{1280, 360} {
		for _, c := range []struct {
			name string
			ctx  context.Context
			url  string
		}{{"live page", reader, page}, {"live desk", mina, desk}} {
			if err := chromedp.Do(c.ctx, chromedp.EmulateViewport(w, 800), chromedp.Navigate(c.url), chromedp.WaitVisible("#live, .live-desk-entries")); err != nil {
				t.Fatal(err)
			}
			if v := axeViolations(t, c.ctx); len(v) > 0 {
				t.Errorf("%s at %d px: axe: %s", c.name, w, strings.Join(v, "; "))
			}
			if over := must(chromedp.Run(c.ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth > window.innerWidth")))(t); over {
				t.Errorf("%s at %d px scrolls sideways", c.name, w)
			}
		}
	}
}

// axeViolations runs axe-core (from the page-check tools, ../shared/tools) in the page
// and returns its serious and critical violations, as the page checks count them.
func axeViolations(t *testing.T, ctx context.Context) []string {
	t.Helper()
	dir := os.Getenv("BROADSHEET_TOOLS")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "broadsheet-tools")
	}
	src, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core not found (run ../shared/tools/setup.sh): %v", err)
		}
		t.Skipf("axe-core not found in %s (run ../shared/tools/setup.sh): %v", dir, err)
	}
	// Evaluated through the DevTools protocol, so the site's script CSP does not apply.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](string(src)+"; undefined")); err != nil {
		t.Fatal(err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})
		.then(r => JSON.stringify(r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
			.map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	var v []string
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	return v
}
