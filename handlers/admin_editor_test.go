package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

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
