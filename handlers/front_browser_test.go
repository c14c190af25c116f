package handlers

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"broadsheet/models"
)

// browserLogin logs in through the login form and lands on next.
func browserLogin(t *testing.T, ctx context.Context, base string, u models.User, next, waitFor string) {
	t.Helper()
	must(0, chromedp.Do(ctx,
		chromedp.Navigate(base+"/login?next="+next),
		chromedp.SendKeys("#f-email", u.Email),
		chromedp.SendKeys("#f-password", testPassword),
		chromedp.Click(`form[action="/login"] button[type=submit]`),
		chromedp.WaitVisible(waitFor),
	))(t)
}

// An editor curates the front page with plain forms — a lead, two top stories put in
// order with Move up — then logs out and sees it as a reader does.
func TestBrowserCurateFrontPage(t *testing.T) {
	ta := newTestApp(t)
	world, sport := ta.section("World"), ta.section("Sport")
	ed := ta.user("Mina Karimi", models.RoleEditor)
	stories := map[string]models.Article{}
	for i, title := range []string{"Newest brief", "Harbour reopens", "Cup final tonight", "Budget vote delayed"} {
		sec := world
		if strings.HasPrefix(title, "Cup") {
			sec = sport
		}
		stories[title] = ta.article(title, sec, ed, func(in *models.ArticleInput) { in.PublishedAt = testNow.Add(-time.Duration(i+1) * time.Hour) })
	}
	srv := ta.server()
	ctx := newBrowser(t)
	browserLogin(t, ctx, srv.URL, ed, "/admin/front", "#p-article")
	place := func(title, slot string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.SetValue("#p-article", strconv.FormatInt(stories[title].ID, 10)),
			chromedp.Click("#p-"+slot),
			chromedp.Click(`form[action="/admin/front"] button[type=submit]`),
			chromedp.WaitVisible("#pick-"+strconv.FormatInt(stories[title].ID, 10)),
		)
	}
	moveUp := `#pick-` + strconv.FormatInt(stories["Cup final tonight"].ID, 10) + ` input[value=up] + button`
	must(0, chromedp.Do(ctx,
		place("Budget vote delayed", "lead"),
		place("Harbour reopens", "top"),
		place("Cup final tonight", "top"),
		chromedp.Click(moveUp),
		// The page comes back with Cup final first among the top stories.
		chromedp.WaitVisible(`#top-picks-h + ol li:first-child#pick-`+strconv.FormatInt(stories["Cup final tonight"].ID, 10)),
		chromedp.Click(".account button.link"), // log out: from here on, a reader
		chromedp.WaitVisible(`.account a[href="/login"]`),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(".lead-story h2"),
	))(t)
	lead := must(chromedp.Run(ctx, chromedp.Text(".lead-story h2")))(t)
	top := must(chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll(".top-stories .card h3")).map(e => e.textContent.trim())`)))(t)
	all := must(chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll(".lead-story h2, .card h3")).map(e => e.textContent.trim())`)))(t)
	if lead != "Budget vote delayed" || strings.Join(top, "|") != "Cup final tonight|Harbour reopens" {
		t.Errorf("reader sees lead %q, top %v", lead, top)
	}
	seen := map[string]bool{}
	for _, h := range all {
		if seen[h] {
			t.Errorf("%q appears twice on the front page", h)
		}
		seen[h] = true
	}
}

// An editor files a correction from the story's edit page; a reader finds it under the
// story, on /corrections and in its feed.
func TestBrowserFileCorrection(t *testing.T) {
	ta := newTestApp(t)
	world := ta.section("World")
	ed := ta.user("Mina Karimi", models.RoleEditor)
	art := ta.article("Sea wall holds in the first storm", world, ed, nil)
	srv := ta.server()
	ctx := newBrowser(t)
	browserLogin(t, ctx, srv.URL, ed, "/admin/articles/"+strconv.FormatInt(art.ID, 10), "#n-body-0")
	must(0, chromedp.Do(ctx,
		chromedp.SetValue("#n-kind-0", models.KindCorrection),
		chromedp.SendKeys("#n-body-0", "The wall is 4 km long, not 40 km."),
		chromedp.Click(`form[action$="/corrections"] button[type=submit]`),
		chromedp.WaitVisible(".flash"),
		chromedp.Click(".account button.link"),
		chromedp.WaitVisible(`.account a[href="/login"]`),
		chromedp.Navigate(srv.URL+"/corrections"),
		chromedp.WaitVisible(".notes-list h2 a"),
	))(t)
	listed := must(chromedp.Run(ctx, chromedp.Text(".notes-list .note")))(t)
	if !strings.Contains(listed, "Sea wall holds in the first storm") || !strings.Contains(listed, "4 km long, not 40 km") {
		t.Errorf("/corrections shows %q", listed)
	}
	feed := must(chromedp.Run(ctx, chromedp.Evaluate[string](`fetch("/corrections/feed.rss").then(r => r.text())`, chromedp.EvalAwaitPromise)))(t)
	if !strings.Contains(feed, "<title>Correction: Sea wall holds in the first storm</title>") {
		t.Errorf("the corrections feed lacks the item: %.300s", feed)
	}
	must(0, chromedp.Do(ctx,
		chromedp.Click(".notes-list h2 a"),
		chromedp.WaitVisible(".notes li"),
	))(t)
	if under := must(chromedp.Run(ctx, chromedp.Text(".notes li")))(t); !strings.Contains(under, "Correction") || !strings.Contains(under, "4 km long") {
		t.Errorf("under the story: %q", under)
	}
}

// leadBoxes are the measured boxes of the front page's lead, in CSS pixels.
type leadBoxes struct {
	Left, Right float64 // the lead's content box
	Kids        []struct {
		Tag         string
		Left, Width float64
	}
	InkRight    float64 // where the headline's words reach
	ScrollWidth float64
	Viewport    float64
}

const measureLead = `(() => {
  const art = document.querySelector(".lead-story"), r = art.getBoundingClientRect(), cs = getComputedStyle(art);
  const range = document.createRange();
  range.selectNodeContents(art.querySelector("h2"));
  return {
    left: r.left + parseFloat(cs.paddingLeft), right: r.right - parseFloat(cs.paddingRight),
    kids: Array.from(art.children).map(e => { const b = e.getBoundingClientRect(); return {tag: e.tagName, left: b.left, width: b.width}; }),
    inkRight: Math.max(...Array.from(range.getClientRects()).map(q => q.right)),
    scrollWidth: document.documentElement.scrollWidth, viewport: window.innerWidth,
  };
})()`

// A lead without a photo is set in type alone: at desktop width and at 360 px every
// part of it starts at its left edge and spans its width (no stranded column), the
// headline's words reach across, and a screenshot of it has ink in its right part.
func TestBrowserTypeOnlyLeadHasNoEmptyColumn(t *testing.T) {
	ta := newTestApp(t)
	world := ta.section("World")
	ed := ta.user("Mina Karimi", models.RoleEditor)
	ta.article("Ceasefire talks resume in Geneva as envoys arrive for a third round of negotiations", world, ed, func(in *models.ArticleInput) {
		in.Dek = "Diplomats from both sides said they expected the talks to run through the weekend and into next week."
	})
	srv := ta.server()
	ctx := newBrowser(t)
	for _, width := range []int64{1280, 360} {
		must(0, chromedp.Do(ctx,
			chromedp.EmulateViewport(width, 900),
			chromedp.Navigate(srv.URL+"/"),
			chromedp.WaitVisible(".lead-story h2"),
		))(t)
		b := must(chromedp.Run(ctx, chromedp.Evaluate[leadBoxes](measureLead)))(t)
		inner := b.Right - b.Left
		for _, k := range b.Kids {
			if k.Left-b.Left > 1 || k.Width < inner-1 {
				t.Errorf("at %d px: <%s> starts %.0f px in and spans %.0f of %.0f px: a stranded column", width, k.Tag, k.Left-b.Left, k.Width, inner)
			}
		}
		if reach := (b.InkRight - b.Left) / inner; reach < 0.75 {
			t.Errorf("at %d px the headline's words reach %.0f%% across the lead", width, reach*100)
		}
		if b.ScrollWidth > b.Viewport {
			t.Errorf("at %d px the page scrolls sideways (%.0f > %.0f)", width, b.ScrollWidth, b.Viewport)
		}
		shot := must(chromedp.Run(ctx, chromedp.Screenshot(".lead-story")))(t)
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Fatal(err)
		}
		if ink := inkShare(img, 0.6); ink < 0.01 {
			t.Errorf("at %d px the right 40%% of the lead is blank (%.2f%% ink)", width, ink*100)
		}
		t.Logf("at %d px: lead %.0f px wide, headline reaches %.0f%%, right-part ink %.1f%%", width, inner, (b.InkRight-b.Left)/inner*100, inkShare(img, 0.6)*100)
	}
}

// inkShare is the share of dark pixels in the part of img right of fraction from.
func inkShare(img image.Image, from float64) float64 {
	r := img.Bounds()
	x0 := r.Min.X + int(float64(r.Dx())*from)
	dark, all := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := x0; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if (cr+cg+cb)/3 < 0x8000 {
				dark++
			}
			all++
		}
	}
	if all == 0 {
		return 0
	}
	return float64(dark) / float64(all)
}
