package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"broadsheet/models"
)

// A reader downloads their account and comments as JSON, without the password hash.
func TestAccountDataDownload(t *testing.T) {
	ta := newTestApp(t)
	art := ta.article("Sea wall", ta.section("World"), ta.user("Writer One", models.RoleAuthor), nil)
	ada, bo := ta.user("Ada Reader", models.RoleCommenter), ta.user("Bo Other", models.RoleCommenter)
	mine := ta.comment(art, ada, 0, "My own <b>words</b>.")
	ta.comment(art, bo, mine.ID, "Not Ada's words.")
	if res := ta.get("/account/data"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous download: %d, want a redirect to log in", res.StatusCode)
	}
	res := ta.getAs("/account/data", ta.loginCookies(ada))
	raw := body(t, res)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") || res.Header.Get("Cache-Control") != "private, no-store" {
		t.Fatalf("download: %d %v", res.StatusCode, res.Header)
	}
	var got models.AccountExport
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatal(err)
	}
	if got.Account.Email != ada.Email || got.Account.Name != "Ada Reader" || len(got.Comments) != 1 ||
		got.Comments[0].Text != "My own <b>words</b>." || got.Comments[0].ArticleSlug != art.Slug {
		t.Errorf("export: %+v", got)
	}
	if strings.Contains(raw, "argon2") || strings.Contains(raw, "Not Ada") {
		t.Errorf("export holds what is not Ada's to see:\n%s", raw)
	}
}

// Deleting an account: the password is asked, the choice is kept on refusal, staff
// are refused; comments stay as "[deleted account]" or go, as chosen, and a cached
// article page shows the change on the very next anonymous request.
func TestAccountDelete(t *testing.T) {
	for _, remove := range []bool{false, true} {
		ta := newTestApp(t)
		art := ta.article("Sea wall", ta.section("World"), ta.user("Writer One", models.RoleAuthor), nil)
		ada, bo := ta.user("Ada Reader", models.RoleCommenter), ta.user("Bo Other", models.RoleCommenter)
		lone := ta.comment(art, ada, 0, "A lonely remark of Ada.")
		answered := ta.comment(art, ada, 0, "A remark Bo answered.")
		ta.comment(art, bo, answered.ID, "Bo's answer stays.")
		page := "/articles/" + art.Slug
		if before := cachedTwice(t, ta, page); !strings.Contains(before, "A lonely remark of Ada.") {
			t.Fatal("the comment is not on the page")
		}
		choice := "keep"
		if remove {
			choice = "remove"
		}
		login := ta.loginCookies(ada)
		res := ta.postForm("/account/delete", url.Values{"comments": {choice}, "password": {"wrong password!"}}, login...)
		doc := parse(t, res)
		if res.StatusCode != http.StatusUnprocessableEntity || doc.Find("#f-delete-password-error").Length() != 1 ||
			doc.Find("#f-comments-"+choice+"[checked]").Length() != 1 {
			t.Fatalf("wrong password: %d", res.StatusCode)
		}
		if res := ta.postForm("/account/delete", url.Values{"comments": {"maybe"}, "password": {testPassword}}, login...); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("no choice: %d", res.StatusCode)
		}
		if res := ta.postForm("/account/delete", url.Values{"comments": {choice}, "password": {testPassword}}, login...); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", res.StatusCode)
		}
		if _, err := ta.Store.Users.Get(context.Background(), ada.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("remove=%t: the account is still there (%v)", remove, err)
		}
		if res := ta.postForm("/login", url.Values{"email": {ada.Email}, "password": {testPassword}}); res.StatusCode == http.StatusSeeOther {
			t.Error("the deleted account can still log in")
		}
		doc = parse(t, ta.get(page))
		lonely := doc.Find("#comment-" + itoa(lone.ID))
		answeredHTML := text(doc.Find("#comment-" + itoa(answered.ID)))
		if remove {
			if lonely.Length() != 0 || strings.Contains(answeredHTML, "A remark Bo answered.") ||
				!strings.Contains(answeredHTML, "[comment deleted]") || !strings.Contains(answeredHTML, "Bo's answer stays.") {
				t.Errorf("removed: lone %d, answered %q", lonely.Length(), answeredHTML)
			}
		} else if !strings.Contains(text(lonely), "[deleted account] said") || !strings.Contains(text(lonely), "A lonely remark of Ada.") ||
			strings.Contains(doc.Text(), "Ada Reader") {
			t.Errorf("kept: %q", text(lonely))
		}
	}
	// Staff close their accounts through an administrator.
	ta := newTestApp(t)
	ed := ta.user("Ed Itor", models.RoleEditor)
	res := ta.postForm("/account/delete", url.Values{"comments": {"keep"}, "password": {testPassword}}, ta.loginCookies(ed)...)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("staff self-deletion: %d", res.StatusCode)
	}
}
