package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"broadsheet/models"
)

// A photo over the upload limit, sent with the story form, brings the form back with
// the limit stated beside the photo field and every word typed — before and after the
// file in the post — still in it. Nothing is stored.
func TestArticleFormOversizePhotoKeepsTheWords(t *testing.T) {
	n := newAdminSite(t)
	n.Store.Media.MaxBytes = 64 << 10
	form := articleFormValues(n.sec, "Sea wall breached at dawn")
	form.Set("body", "Water came over the wall at six.\n\nResidents were moved.")
	form.Set("image_alt", "The breach seen from the promenade")
	form.Set("image_credit", "AFP")
	huge := make([]byte, 64<<10+defaultFormBytes+1)
	for _, path := range []string{"/admin/articles", "/admin/articles/" + strconv.FormatInt(n.draft.ID, 10)} {
		rows, files := n.stored()
		before := n.articleCount()
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if path != "/admin/articles" {
			f.Set("version", strconv.Itoa(n.draft.Version))
		}
		res := n.postMultipart(path, "editor", f, "photo", "big.jpg", huge)
		doc := parse(t, res)
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("%s: status %d, want 413", path, res.StatusCode)
		}
		if msg := text(doc.Find("#e-photo")); !strings.Contains(msg, "larger than the 64 KB") {
			t.Errorf("%s: photo message %q", path, msg)
		}
		if got := doc.Find("#f-title").AttrOr("value", ""); got != "Sea wall breached at dawn" {
			t.Errorf("%s: headline lost: %q", path, got)
		}
		if got := doc.Find("#f-body").Text(); !strings.Contains(got, "Residents were moved.") {
			t.Errorf("%s: body lost: %q", path, got)
		}
		// These fields come after the file in the post.
		if doc.Find("#f-alt").AttrOr("value", "") != "The breach seen from the promenade" || doc.Find("#f-credit").AttrOr("value", "") != "AFP" {
			t.Errorf("%s: photo words lost", path)
		}
		if r2, f2 := n.stored(); r2 != rows || f2 != files || n.articleCount() != before {
			t.Errorf("%s: refused post stored something", path)
		}
	}
	got, err := n.Store.Articles.Get(t.Context(), n.draft.ID)
	if err != nil || got.Title != n.draft.Title {
		t.Errorf("the draft changed: %q %v", got.Title, err)
	}
}

func (n *adminSite) articleCount() int {
	n.tb.Helper()
	p, err := n.Store.Articles.AdminList(n.tb.Context(), models.AdminFilter{}, models.Page{Number: 1, Size: 1})
	if err != nil {
		n.tb.Fatal(err)
	}
	return p.Total
}

// The rules of the story form, each with the input that used to go wrong.
func TestArticleFormRules(t *testing.T) {
	n := newAdminSite(t)
	post := func(form url.Values) (*http.Response, *models.Article) {
		t.Helper()
		res := n.send(http.MethodPost, "/admin/articles", "editor", form)
		if res.StatusCode != http.StatusSeeOther {
			return res, nil
		}
		res.Body.Close()
		id, _ := strconv.ParseInt(strings.TrimPrefix(res.Header.Get("Location"), "/admin/articles/"), 10, 64)
		art, err := n.Store.Articles.Get(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		return res, &art
	}

	t.Run("a repeated headline gets -2, also after a refused first try", func(t *testing.T) {
		if _, art := post(articleFormValues(n.sec, "Ferry strike ends")); art == nil || art.Slug != "ferry-strike-ends" {
			t.Fatalf("first: %+v", art)
		}
		bad := articleFormValues(n.sec, "Ferry strike ends")
		bad.Set("section", "0")
		res, _ := post(bad)
		doc := parse(t, res)
		if res.StatusCode != 422 || doc.Find("#f-slug").AttrOr("value", "x") != "" {
			t.Fatalf("refused form: %d, slug field %q (must stay as typed: empty)", res.StatusCode, doc.Find("#f-slug").AttrOr("value", "x"))
		}
		// The slug the headline makes, typed (or filled in by the form's script), is no error either.
		again := articleFormValues(n.sec, "Ferry strike ends")
		again.Set("slug", "ferry-strike-ends")
		if _, art := post(again); art == nil || art.Slug != "ferry-strike-ends-2" {
			t.Fatalf("repeat: %+v", art)
		}
		if _, art := post(articleFormValues(n.sec, "Ferry strike ends")); art == nil || art.Slug != "ferry-strike-ends-3" {
			t.Fatalf("third: %+v", art)
		}
	})

	t.Run("an image from another site is refused with the reason", func(t *testing.T) {
		for _, src := range []string{"https://evil.example/x.png", "//cdn.example/y.jpg", "data:image/png;base64,AAAA"} {
			f := articleFormValues(n.sec, "Pictures from elsewhere")
			f.Set("body", "Look:\n\n![A view]("+src+")\n\nMore words.")
			res, art := post(f)
			if art != nil {
				t.Fatalf("%s: saved", src)
			}
			doc := parse(t, res)
			if msg := text(doc.Find("#e-body")); res.StatusCode != 422 || !strings.Contains(msg, "on another site") || !strings.Contains(msg, "media library") {
				t.Errorf("%s: %d %q", src, res.StatusCode, msg)
			}
			if !strings.Contains(doc.Find("#f-body").Text(), "More words.") {
				t.Errorf("%s: body not kept", src)
			}
		}
		f := articleFormValues(n.sec, "Pictures from home")
		f.Set("body", "![Ours]("+n.photo.URL(480)+")")
		if res, art := post(f); art == nil {
			t.Errorf("a library photo in the body: %d", res.StatusCode)
		}
	})

	t.Run("wire copy goes out with no staff byline", func(t *testing.T) {
		f := articleFormValues(n.sec, "Talks resume in Tehran")
		f.Set("byline", "1")
		f.Set("dateline", "Tehran")
		f.Set("wire", "RFE/RL")
		f.Set("status", "published")
		f.Set("published_at", "2026-11-20T10:00")
		_, art := post(f)
		if art == nil || len(art.Authors) != 0 {
			t.Fatalf("saved %+v", art)
		}
		doc := parse(t, n.get("/articles/"+art.Slug))
		if doc.Find(".byline").Length() != 0 {
			t.Errorf("byline shown: %q", text(doc.Find(".byline")))
		}
		if got := doc.Find(".dateline").Text(); got != "TEHRAN (RFE/RL)\u00a0—" {
			t.Errorf("dateline %q", got)
		}
		// A form without the byline picker (an author's) still gets its sender's name.
		if _, art := post(articleFormValues(n.sec, "Staff story")); art == nil || !art.HasAuthor(n.editor.ID) {
			t.Errorf("default byline lost: %+v", art)
		}
	})

	t.Run("the credit is its own text after the caption", func(t *testing.T) {
		for credit, want := range map[string]string{"AFP": "(Photo: AFP)", "Photo: Reuters": "(Photo: Reuters)",
			"Illustration: Broadsheet Graphics": "(Illustration: Broadsheet Graphics)", "(AP)": "(Photo: AP)", "Jane Doe for AFP": "(Photo: Jane Doe for AFP)"} {
			if got := (models.Image{Credit: credit}).CreditLine(); got != want {
				t.Errorf("%q → %q, want %q", credit, got, want)
			}
		}
		f := articleFormValues(n.sec, "Flood photo")
		f.Set("media_id", strconv.FormatInt(n.photo.ID, 10))
		f.Set("image_alt", "Flooded street")
		f.Set("image_caption", "Water in the high street.")
		f.Set("image_credit", "AFP")
		_, art := post(f)
		if art == nil {
			t.Fatal("not saved")
		}
		doc := parse(t, n.send(http.MethodGet, "/admin/articles/"+strconv.FormatInt(art.ID, 10)+"/preview", "editor", nil))
		if got := text(doc.Find("figure.lead-photo figcaption")); got != "Water in the high street. (Photo: AFP)" {
			t.Errorf("figcaption %q", got)
		}
	})
}

// Times are the site's, in words an editor reads at a glance; what the list calls a
// story is what readers see.
func TestSchedulingInPlainWords(t *testing.T) {
	n := newAdminSite(t)
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 11, 0, 0, 0, time.UTC) // a Tuesday
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{now.Add(3 * time.Hour), "goes live Tue 14:00 Europe/London, in 3 h"},
		{now.Add(25 * time.Minute), "goes live Tue 11:25 Europe/London, in 25 min"},
		{now.Add(-90 * time.Minute), "went live Tue 09:30 Europe/London, 2 h ago"},
		{now.Add(10 * 24 * time.Hour), "goes live Fri 4 Dec 11:00 Europe/London, in 10 days"},
	} {
		if got := goesLive(tc.at, now, london); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.at, got, tc.want)
		}
	}

	// "Published" with a time to come is saved as scheduled, and the editor is told.
	f := articleFormValues(n.sec, "Budget day")
	f.Set("status", "published")
	f.Set("published_at", testNow.Add(3*time.Hour).Format(datetimeLocal))
	res := n.send(http.MethodPost, "/admin/articles", "editor", f)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	id, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/admin/articles/"), 10, 64)
	art, _ := n.Store.Articles.Get(t.Context(), id)
	if art.Status != models.StatusScheduled {
		t.Fatalf("status %q, want scheduled", art.Status)
	}
	n.cookies["editor"] = append(n.cookies["editor"], res.Cookies()...)
	doc := parse(t, n.send(http.MethodGet, loc, "editor", nil))
	if got := text(doc.Find(".flash")); !strings.Contains(got, "scheduled, not published") || !strings.Contains(got, "in 3 h") {
		t.Errorf("flash %q", got)
	}
	if got := text(doc.Find("#f-published-when")); !strings.Contains(got, "goes live") || !strings.Contains(got, "in 3 h") {
		t.Errorf("form says %q", got)
	}

	// A scheduled story whose time has passed is listed as published.
	n.article("Went out by itself", n.sec, n.editor, func(in *models.ArticleInput) {
		in.Status, in.PublishedAt = models.StatusScheduled, testNow.Add(-time.Hour)
	})
	doc = parse(t, n.send(http.MethodGet, "/admin/articles", "editor", nil))
	doc.Find(".admin-table tbody tr").Each(func(_ int, tr *goquery.Selection) {
		title, status := text(tr.Find("td").First()), text(tr.Find(".status"))
		switch title {
		case "Went out by itself":
			if status != "published" {
				t.Errorf("passed schedule listed as %q", status)
			}
		case "Budget day":
			if status != "scheduled" || !strings.Contains(text(tr), "in 3 h") {
				t.Errorf("scheduled story listed as %q", text(tr))
			}
		}
	})
	doc = parse(t, n.send(http.MethodGet, "/admin/articles?status=scheduled", "editor", nil))
	if got := text(doc.Find(".admin-table tbody")); strings.Contains(got, "Went out by itself") || !strings.Contains(got, "Budget day") {
		t.Errorf("scheduled filter: %q", got)
	}
	doc = parse(t, n.send(http.MethodGet, "/admin", "editor", nil))
	if got := text(doc.Find("#scheduled-h").Parent()); strings.Contains(got, "Went out by itself") || !strings.Contains(got, "goes live") {
		t.Errorf("dashboard scheduled: %q", got)
	}
}

// The dashboard speaks: who did what to which story, with plurals right.
func TestDashboardInPlainWords(t *testing.T) {
	n := newAdminSite(t)
	f := articleFormValues(n.sec, "Sea wall breached at dawn as the storm surge tops every forecast made")
	f.Set("status", "published")
	if res := n.send(http.MethodPost, "/admin/articles", "editor", f); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", res.StatusCode)
	}
	doc := parse(t, n.send(http.MethodGet, "/admin", "editor", nil))
	got := text(doc.Find(".audit"))
	if !strings.Contains(got, "Eddie Editor published ‘Sea wall breached at dawn as the storm surge…’") {
		t.Errorf("activity: %q", got)
	}
	for _, bad := range []string{"article.published", "Someone", "(#"} {
		if strings.Contains(got, bad) {
			t.Errorf("activity says %q: %q", bad, got)
		}
	}
	if counts := text(doc.Find(".admin-counts")); !strings.Contains(counts, "1 draft ") {
		t.Errorf("counts: %q", counts)
	}
	// What the site did by itself is the site's.
	n.article("Seeded story", n.sec, n.editor, func(in *models.ArticleInput) { in.Status, in.EditorID = models.StatusPublished, 0 })
	doc = parse(t, n.send(http.MethodGet, "/admin", "editor", nil))
	if got := text(doc.Find(".audit")); !strings.Contains(got, "Broadsheet published ‘Seeded story’") {
		t.Errorf("automatic entry: %q", got)
	}
}
