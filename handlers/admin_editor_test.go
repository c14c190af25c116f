package handlers

import (
	"io"
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

// Moderating at desk speed: tick all, act on all; Delete and Block ask first, with no
// script; a reported comment says who reported it, when and why, and not why it was
// once held.
func TestModerationAtDeskSpeed(t *testing.T) {
	m := newModSite(t)
	ctx := t.Context()
	// The reported comment had been held as a first comment before it was approved.
	if _, err := m.Store.Comments.Post(ctx, m.Now(), models.NewComment{ArticleID: m.story.ID, User: &m.author, Body: "Another view."}); err != nil {
		t.Fatal(err)
	}
	doc := parse(t, m.send(http.MethodGet, "/admin/comments?select=all", "editor", nil))
	boxes := doc.Find(`input[type=checkbox][name=ids][form=bulk]`)
	if boxes.Length() < 2 || boxes.Length() != doc.Find(`input[name=ids][checked]`).Length() {
		t.Fatalf("select all: %d boxes, %d ticked", boxes.Length(), doc.Find(`input[name=ids][checked]`).Length())
	}
	rep := doc.Find("#comment-" + strconv.FormatInt(m.reported.ID, 10))
	if got := text(rep.Find(".reports")); !strings.Contains(got, "Reported by Arthur Author 20 November 2026") || !strings.Contains(got, "“Rude”") {
		t.Errorf("report shows %q", got)
	}
	if rep.Find(".held-reasons").Length() != 0 {
		t.Errorf("an approved comment still says why it was held: %q", text(rep.Find(".held-reasons")))
	}
	if href := rep.Find("a.comment-link").AttrOr("href", ""); href != "/comments/"+strconv.FormatInt(m.reported.ID, 10) {
		t.Errorf("link to the comment: %q", href)
	}

	var ids []string
	boxes.Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("value", "")) })
	// Delete asks first; the question carries every tick back.
	res := m.send(http.MethodPost, "/admin/comments/bulk", "editor", url.Values{"action": {"delete"}, "ids": ids})
	doc = parse(t, res)
	if res.StatusCode != http.StatusOK || !strings.Contains(text(doc.Find("h1")), "Delete "+strconv.Itoa(len(ids))+" comments?") {
		t.Fatalf("no question: %d %q", res.StatusCode, text(doc.Find("h1")))
	}
	if c, _ := m.Store.Comments.Get(ctx, m.held.ID); c.Status != models.CommentPending {
		t.Fatalf("deleted before confirming: %s", c.Status)
	}
	again := url.Values{}
	doc.Find("form.confirm input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		again.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	if action := doc.Find("form.confirm").AttrOr("action", ""); action != "/admin/comments/bulk" || len(again["ids"]) != len(ids) {
		t.Fatalf("confirm form posts %v to %q", again, action)
	}
	res = m.send(http.MethodPost, "/admin/comments/bulk", "editor", again)
	res.Body.Close()
	for _, s := range ids {
		id, _ := strconv.ParseInt(s, 10, 64)
		if c, _ := m.Store.Comments.Get(ctx, id); c.Status != models.CommentDeleted {
			t.Errorf("comment %d is %s after confirming", id, c.Status)
		}
	}
	// Bad input: a forged id, an unknown verb.
	for _, form := range []url.Values{{"action": {"approve"}, "ids": {"x"}}, {"action": {"frob"}, "ids": {ids[0]}}} {
		if res := m.send(http.MethodPost, "/admin/comments/bulk", "editor", form); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%v: %d", form, res.StatusCode)
		}
	}
	// Block asks first too; unblocking does not.
	path := "/admin/users/" + strconv.FormatInt(m.target.ID, 10) + "/block"
	doc = parse(t, m.send(http.MethodPost, path, "editor", url.Values{"blocked": {"1"}}))
	if u, _ := m.Store.Users.Get(ctx, m.target.ID); u.Blocked || !strings.Contains(text(doc.Find("h1")), "Block Target Reader?") {
		t.Errorf("block without asking: %v %q", u.Blocked, text(doc.Find("h1")))
	}
}

// The article list: tick all, act on all, with delete confirmed.
func TestArticleListBulk(t *testing.T) {
	n := newAdminSite(t)
	a1 := n.article("First to go", n.sec, n.editor, nil)
	a2 := n.article("Second to go", n.sec, n.editor, nil)
	doc := parse(t, n.send(http.MethodGet, "/admin/articles?q=to+go&select=all", "editor", nil))
	if got := doc.Find(`input[name=ids][checked]`).Length(); got != 2 {
		t.Fatalf("%d ticked, want 2", got)
	}
	if href := doc.Find(".select-all a").AttrOr("href", ""); !strings.Contains(href, "q=to+go") || strings.Contains(href, "select") {
		t.Errorf("clear link %q", href)
	}
	ids := []string{strconv.FormatInt(a1.ID, 10), strconv.FormatInt(a2.ID, 10)}
	res := n.send(http.MethodPost, "/admin/articles/bulk", "editor", url.Values{"action": {"unpublish"}, "ids": ids})
	res.Body.Close()
	for _, a := range []models.Article{a1, a2} {
		if got, _ := n.Store.Articles.Get(t.Context(), a.ID); got.Status != models.StatusUnpublished {
			t.Errorf("%q is %s", a.Title, got.Status)
		}
	}
	if res := n.get("/articles/" + a1.Slug); res.StatusCode != http.StatusNotFound {
		t.Errorf("unpublished story still served: %d", res.StatusCode)
	}
	doc = parse(t, n.send(http.MethodPost, "/admin/articles/bulk", "editor", url.Values{"action": {"delete"}, "ids": ids}))
	if !strings.Contains(text(doc.Find("h1")), "Delete 2 stories?") {
		t.Fatalf("no question: %q", text(doc.Find("h1")))
	}
	res = n.send(http.MethodPost, "/admin/articles/bulk", "editor", url.Values{"action": {"delete"}, "ids": ids, "confirm": {"yes"}})
	res.Body.Close()
	if _, err := n.Store.Articles.Get(t.Context(), a1.ID); err == nil {
		t.Error("not deleted after confirming")
	}
	if res := n.send(http.MethodPost, "/admin/articles/bulk", "author", url.Values{"action": {"draft"}, "ids": {strconv.FormatInt(n.draft.ID, 10)}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("author bulk: %d", res.StatusCode)
	}
	// The single delete asks first too.
	doc = parse(t, n.send(http.MethodPost, "/admin/articles/"+strconv.FormatInt(n.draft.ID, 10)+"/delete", "editor", url.Values{}))
	if _, err := n.Store.Articles.Get(t.Context(), n.draft.ID); err != nil || !strings.Contains(text(doc.Find("h1")), "Delete ‘Draft by the author’?") {
		t.Errorf("single delete without asking: %v %q", err, text(doc.Find("h1")))
	}
}

// The form's script posts the form as the editor types; reopening the story brings
// that work back, saving or discarding forgets it, and nobody autosaves a story they
// may not edit.
func TestAutosave(t *testing.T) {
	n := newAdminSite(t)
	id := strconv.FormatInt(n.draft.ID, 10)
	form := url.Values{"article": {id}, "title": {"Draft by the author, rewritten"}, "body": {"Words typed before the tab closed."},
		"section": {strconv.FormatInt(n.sec.ID, 10)}, "status": {"draft"}, "version": {strconv.Itoa(n.draft.Version)}}
	res := n.send(http.MethodPost, "/admin/autosave", "author", form)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(b), "autosaved at 12:00") {
		t.Fatalf("autosave: %d %q", res.StatusCode, b)
	}
	doc := parse(t, n.send(http.MethodGet, "/admin/articles/"+id, "author", nil))
	if got := doc.Find("#f-body").Text(); got != "Words typed before the tab closed." {
		t.Errorf("reopened form body %q", got)
	}
	if !strings.Contains(text(doc.Find(".restored")), "autosaved at") {
		t.Errorf("no notice of the restored work")
	}
	if got := text(doc.Find("#f-body-count")); got != "6 words · about 1 min to read" {
		t.Errorf("count %q", got)
	}
	// The saved story is unchanged until the editor saves, and nobody else sees the autosave.
	if art, _ := n.Store.Articles.Get(t.Context(), n.draft.ID); art.BodySrc == "Words typed before the tab closed." {
		t.Error("the autosave changed the story")
	}
	if doc := parse(t, n.send(http.MethodGet, "/admin/articles/"+id, "editor", nil)); doc.Find(".restored").Length() != 0 {
		t.Error("another person's autosave shown")
	}
	// Discarding forgets it.
	res = n.send(http.MethodPost, "/admin/autosave", "author", url.Values{"article": {id}, "discard": {"1"}})
	res.Body.Close()
	if doc := parse(t, n.send(http.MethodGet, "/admin/articles/"+id, "author", nil)); doc.Find(".restored").Length() != 0 || doc.Find("#f-body").Text() != n.draft.BodySrc {
		t.Error("discarded autosave still shown")
	}
	// Saving forgets it too; a new story's autosave is its own.
	res = n.send(http.MethodPost, "/admin/autosave", "editor", url.Values{"article": {"0"}, "title": {"Unsaved new story"}})
	res.Body.Close()
	if doc := parse(t, n.send(http.MethodGet, "/admin/articles/new", "editor", nil)); doc.Find("#f-title").AttrOr("value", "") != "Unsaved new story" {
		t.Error("new story's autosave not restored")
	}
	res = n.send(http.MethodPost, "/admin/articles", "editor", articleFormValues(n.sec, "Unsaved new story"))
	res.Body.Close()
	if doc := parse(t, n.send(http.MethodGet, "/admin/articles/new", "editor", nil)); doc.Find(".restored").Length() != 0 {
		t.Error("autosave kept after saving")
	}
	// Refused: another author's story, a story that is not there, a missing id.
	other := n.article("The editor's own", n.sec, n.editor, func(in *models.ArticleInput) { in.Status = models.StatusDraft })
	for _, tc := range []struct {
		article string
		status  int
	}{{strconv.FormatInt(other.ID, 10), 403}, {"999999", 404}, {"", 400}, {"-3", 400}} {
		res := n.send(http.MethodPost, "/admin/autosave", "author", url.Values{"article": {tc.article}, "body": {"x"}})
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("article %q: %d, want %d", tc.article, res.StatusCode, tc.status)
		}
	}
}

// An existing story takes its lead photo from the library: the library lists photos
// for that story, and the form comes back with the photo and its words, saved on Save.
func TestPickLibraryPhotoForAnExistingStory(t *testing.T) {
	n := newAdminSite(t)
	art := n.article("Needs a picture", n.sec, n.editor, func(in *models.ArticleInput) { in.Status = models.StatusDraft })
	id := strconv.FormatInt(art.ID, 10)
	doc := parse(t, n.send(http.MethodGet, "/admin/articles/"+id, "editor", nil))
	if href := doc.Find(`a[href="/admin/media?for=` + id + `"]`); href.Length() != 1 {
		t.Fatal("the form offers no way to the library")
	}
	doc = parse(t, n.send(http.MethodGet, "/admin/media?for="+id, "editor", nil))
	use := doc.Find("#media-" + strconv.FormatInt(n.photo.ID, 10) + ` a[href*="?media="]`)
	if use.AttrOr("href", "") != "/admin/articles/"+id+"?media="+strconv.FormatInt(n.photo.ID, 10) || !strings.Contains(text(use), "Needs a picture") {
		t.Fatalf("use link %q %q", use.AttrOr("href", ""), text(use))
	}
	doc = parse(t, n.send(http.MethodGet, use.AttrOr("href", ""), "editor", nil))
	if doc.Find(`input[name=media_id]`).AttrOr("value", "") != strconv.FormatInt(n.photo.ID, 10) || doc.Find("#f-alt").AttrOr("value", "") != n.photo.Alt {
		t.Fatalf("form without the photo")
	}
	if got, _ := n.Store.Articles.Get(t.Context(), art.ID); got.Image != nil {
		t.Error("picking saved before Save")
	}
	n.editorGets(t, map[string]int{"/admin/articles/" + id + "?media=x": 400, "/admin/articles/" + id + "?media=999999": 404,
		"/admin/media?for=x": 400, "/admin/media?for=999999": 404})
	if res := n.send(http.MethodGet, "/admin/media?for="+id, "author", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("author choosing for another's story: %d", res.StatusCode)
	}
}

// A revision records what the save set besides the words, so the comparison shows a
// change of section, byline, topics, photo or time.
func TestRevisionsRecordDetails(t *testing.T) {
	n := newAdminSite(t)
	biz := n.section("Business")
	res := n.send(http.MethodPost, "/admin/articles", "editor", articleFormValues(n.sec, "Port deal signed"))
	res.Body.Close()
	id := strings.TrimPrefix(res.Header.Get("Location"), "/admin/articles/")
	f := articleFormValues(biz, "Port deal signed")
	f.Set("version", "1")
	f.Set("byline", "1")
	f["authors"] = []string{strconv.FormatInt(n.author.ID, 10), strconv.FormatInt(n.editor.ID, 10)}
	f.Set("tags", "Ports, Trade")
	f.Set("media_id", strconv.FormatInt(n.photo.ID, 10))
	f.Set("image_alt", "Cranes at dusk")
	f.Set("image_credit", "AFP")
	f.Set("published_at", "2026-11-21T09:30")
	if res := n.send(http.MethodPost, "/admin/articles/"+id, "editor", f); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	artID, _ := strconv.ParseInt(id, 10, 64)
	revs, err := n.Store.Articles.Revisions(t.Context(), artID)
	if err != nil || len(revs) != 2 {
		t.Fatalf("%d revisions, %v", len(revs), err)
	}
	want := "Section: Business\nAuthors: Arthur Author, Eddie Editor\nTags: Ports, Trade\nPhoto: #" + strconv.FormatInt(n.photo.ID, 10) +
		", alt “Cranes at dusk”, caption “”, credit “AFP”\nTime: 2026-11-21 09:30 UTC"
	if revs[0].Details != want {
		t.Errorf("details:\n%s\nwant\n%s", revs[0].Details, want)
	}
	doc := parse(t, n.send(http.MethodGet, "/admin/articles/"+id+"/revisions?from="+strconv.FormatInt(revs[1].ID, 10)+"&to="+strconv.FormatInt(revs[0].ID, 10), "editor", nil))
	// "Section: World" → "Section: Business" is one line changed in one word.
	section := doc.Find(".diff .changed").FilterFunction(func(_ int, s *goquery.Selection) bool { return strings.Contains(s.Text(), "Section:") })
	if text(section.Find("del")) != "World" || text(section.Find("ins")) != "Business" {
		t.Errorf("section change shown as %q", text(section))
	}
	if got := text(doc.Find(".diff > ins")); !strings.Contains(got, "Tags: Ports, Trade") {
		t.Errorf("diff adds %q", got)
	}
}

// A library photo goes into a story's body as a figure: the form links to the library,
// the library's "Insert in the body" brings the form back with the figure at the end of
// the body, and after Save readers see it at every width with its caption and credit;
// words typed into the library stay words.
func TestInsertLibraryPhotoInTheBody(t *testing.T) {
	n := newAdminSite(t)
	pid := strconv.FormatInt(n.photo.ID, 10)
	if err := n.Store.Media.UpdateMeta(t.Context(), n.photo.ID, `Waves "over" the wall?`, "<script>alert(1)</script> High\ntide <b>now</b>", "AFP"); err != nil {
		t.Fatal(err)
	}
	art := n.article("Sea wall holds", n.sec, n.editor, nil)
	id := strconv.FormatInt(art.ID, 10)
	if parse(t, n.send(http.MethodGet, "/admin/articles/new", "editor", nil)).Find(`a[href="/admin/media?insert=new"]`).Length() != 1 {
		t.Error("the new story's form has no way to insert a photo")
	}
	doc := parse(t, n.send(http.MethodGet, "/admin/articles/"+id, "editor", nil))
	if doc.Find(`a[href="/admin/media?insert=`+id+`"]`).Length() != 1 {
		t.Fatal("the form offers no way to insert a photo")
	}
	doc = parse(t, n.send(http.MethodGet, "/admin/media?insert="+id, "editor", nil))
	if !strings.Contains(text(doc.Find(".restored")), "‘Sea wall holds’") {
		t.Errorf("the library does not say which story: %q", text(doc.Find(".restored")))
	}
	use := doc.Find("#media-" + pid + ` a[href*="?insert="]`)
	if use.AttrOr("href", "") != "/admin/articles/"+id+"?insert="+pid {
		t.Fatalf("insert link %q", use.AttrOr("href", ""))
	}
	doc = parse(t, n.send(http.MethodGet, use.AttrOr("href", ""), "editor", nil))
	body := doc.Find("#f-body").Text()
	if !strings.HasPrefix(body, art.BodySrc+"\n\n<figure class=\"photo\">") || strings.Count(body, "\n") != strings.Count(art.BodySrc, "\n")+3 {
		t.Fatalf("form body %q", body)
	}
	if got, _ := n.Store.Articles.Get(t.Context(), art.ID); got.BodySrc != art.BodySrc {
		t.Error("inserting saved before Save")
	}
	form := articleFormValues(n.sec, art.Title)
	form.Set("slug", art.Slug)
	form.Set("body", body)
	form.Set("status", "published")
	form.Set("version", strconv.Itoa(art.Version))
	if res := n.send(http.MethodPost, "/admin/articles/"+id, "editor", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	res := n.get("/articles/" + art.Slug)
	doc = parse(t, res)
	fig := doc.Find(".story-body figure.photo")
	img := fig.Find("img")
	if fig.Length() != 1 || img.AttrOr("srcset", "") != n.photo.SrcSet() || img.AttrOr("src", "") != n.photo.URL(960) ||
		img.AttrOr("alt", "") != `Waves "over" the wall?` || img.AttrOr("width", "") != "1200" {
		t.Fatalf("reader's figure: %d %v", fig.Length(), img.Nodes)
	}
	if got := text(fig.Find("figcaption")); got != "<script>alert(1)</script> High tide <b>now</b> (Photo: AFP)" || text(fig.Find(".credit")) != "(Photo: AFP)" {
		t.Errorf("caption %q", got)
	}
	if doc.Find(".story-body script, .story-body b").Length() != 0 {
		t.Error("the caption's markup ran")
	}
	n.editorGets(t, map[string]int{"/admin/articles/" + id + "?insert=x": 400, "/admin/articles/" + id + "?insert=999999": 404,
		"/admin/media?insert=x": 400, "/admin/media?insert=999999": 404})
}

// editorGets asks for each path as an editor and checks the status it answers.
func (n *adminSite) editorGets(t *testing.T, want map[string]int) {
	t.Helper()
	for path, status := range want {
		if res := n.send(http.MethodGet, path, "editor", nil); res.StatusCode != status {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, status)
		}
	}
}

// Live coverage, front-page picks and corrections are on the record in the dashboard
// in the same plain words as publishing: who did what to which story.
func TestDashboardRecordsTheDesk(t *testing.T) {
	n := newAdminSite(t)
	art := n.article("Sea wall breached at dawn", n.sec, n.editor, nil)
	id := strconv.FormatInt(art.ID, 10)
	post := func(path string, form url.Values) {
		t.Helper()
		if res := n.send(http.MethodPost, path, "editor", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
	}
	activity := func() string {
		t.Helper()
		return text(parse(t, n.send(http.MethodGet, "/admin", "editor", nil)).Find(".audit"))
	}
	post("/admin/articles/"+id+"/live", nil)
	post("/admin/articles/"+id+"/live", nil) // already live: nothing new happens or is recorded
	post("/admin/articles/"+id+"/live/entries", url.Values{"body": {"The first wave."}})
	cov, err := n.Store.Live.Coverage(t.Context(), art.ID)
	if err != nil || len(cov.Entries) != 1 {
		t.Fatalf("coverage %v %v", cov, err)
	}
	entry := "/admin/articles/" + id + "/live/entries/" + strconv.FormatInt(cov.Entries[0].ID, 10)
	post(entry, url.Values{"body": {"The first wave, at 06:10."}})
	post(entry+"/delete", nil)
	post("/admin/articles/"+id+"/live/close", nil)
	got := activity()
	for _, want := range []string{"Eddie Editor started live coverage of ‘Sea wall breached at dawn’",
		"Eddie Editor posted a live entry on ‘Sea wall breached at dawn’", "Eddie Editor edited a live entry on ‘Sea wall breached at dawn’",
		"Eddie Editor deleted a live entry on ‘Sea wall breached at dawn’", "Eddie Editor closed live coverage of ‘Sea wall breached at dawn’"} {
		if !strings.Contains(got, want) {
			t.Errorf("activity lacks %q: %q", want, got)
		}
	}
	if strings.Count(got, "started live coverage") != 1 {
		t.Errorf("starting twice recorded twice: %q", got)
	}
	other := n.article("Ferry timetable", n.sec, n.editor, nil)
	post("/admin/front", url.Values{"article": {id}, "slot": {"lead"}})
	post("/admin/front", url.Values{"article": {strconv.FormatInt(other.ID, 10)}, "slot": {"top"}})
	post("/admin/front/"+id+"/move", url.Values{"dir": {"down"}})
	post("/admin/front/"+id+"/remove", nil)
	post("/admin/articles/"+id+"/corrections", url.Values{"kind": {"correction"}, "body": {"The wall is 4 m high, not 40."}})
	notes, err := n.Store.Corrections.ForArticle(t.Context(), art.ID, false)
	if err != nil || len(notes) != 1 {
		t.Fatalf("notes %v %v", notes, err)
	}
	post("/admin/corrections/"+strconv.FormatInt(notes[0].ID, 10), url.Values{"kind": {"clarification"}, "body": {"The wall is 4 m high."}})
	post("/admin/articles/"+id+"/corrections", url.Values{"kind": {"update"}, "body": {"The tide has turned."}})
	got = activity()
	for _, want := range []string{"Eddie Editor made ‘Sea wall breached at dawn’ the lead of the front page",
		"Eddie Editor placed ‘Ferry timetable’ among the front page's top stories", "Eddie Editor moved ‘Sea wall breached at dawn’ on the front page",
		"Eddie Editor took ‘Sea wall breached at dawn’ off the front page", "Eddie Editor filed a correction on ‘Sea wall breached at dawn’",
		"Eddie Editor amended a clarification on ‘Sea wall breached at dawn’", "Eddie Editor posted an update on ‘Sea wall breached at dawn’"} {
		if !strings.Contains(got, want) {
			t.Errorf("activity lacks %q: %q", want, got)
		}
	}
	for _, bad := range []string{"article.", "Someone", "(#"} {
		if strings.Contains(got, bad) {
			t.Errorf("activity says %q: %q", bad, got)
		}
	}
}
