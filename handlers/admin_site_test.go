package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestSectionsCreateRenameReorder(t *testing.T) {
	n := newAdminSite(t)
	res := n.send(http.MethodPost, "/admin/sections", "editor", url.Values{"name": {"Business"}, "description": {"Money."}})
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	for _, tc := range []struct {
		path string
		form url.Values
		id   string
	}{
		{"/admin/sections", url.Values{"name": {"World"}, "description": {"Kept"}}, "#e-name"},
		{"/admin/sections", url.Values{"name": {"  "}}, "#e-name"},
		{"/admin/sections/" + strconv.FormatInt(n.sec.ID, 10), url.Values{"name": {"Business"}, "description": {"Kept"}}, "#e-name-" + strconv.FormatInt(n.sec.ID, 10)},
	} {
		res := n.send(http.MethodPost, tc.path, "editor", tc.form)
		doc := parse(t, res)
		if res.StatusCode != 422 || doc.Find(tc.id).Length() != 1 {
			t.Errorf("%s %v: %d, message %q", tc.path, tc.form, res.StatusCode, text(doc.Find(".error")))
		}
		if tc.form.Get("description") != "" && doc.Find("form input[value=Kept]").Length() != 1 {
			t.Errorf("%s: description not kept", tc.path)
		}
	}
	res = n.send(http.MethodPost, "/admin/sections/"+strconv.FormatInt(n.sec.ID, 10), "editor", url.Values{"name": {"The World"}, "description": {"Abroad."}})
	res.Body.Close()
	biz, _ := n.Store.Sections.BySlug(context.Background(), "business")
	res = n.send(http.MethodPost, "/admin/sections/"+strconv.FormatInt(biz.ID, 10)+"/move", "editor", url.Values{"dir": {"up"}})
	res.Body.Close()
	doc := parse(t, n.get("/"))
	if got := text(doc.Find("nav.sections")); got != "Home Business The World" {
		t.Errorf("navigation = %q", got)
	}
	if res := n.get("/section/world"); res.StatusCode != http.StatusOK {
		t.Errorf("renamed section's address: %d", res.StatusCode)
	}
}

func TestUsersCreateRoleDeactivatePassword(t *testing.T) {
	n := newAdminSite(t)
	bad := []struct {
		form  url.Values
		field string
	}{
		{url.Values{"email": {"nope"}, "name": {"New Person"}, "role": {"author"}, "password": {"long enough pw"}}, "email"},
		{url.Values{"email": {"np@example.com"}, "name": {"New Person"}, "role": {"author"}, "password": {"short"}}, "password"},
		{url.Values{"email": {"np@example.com"}, "name": {"New Person"}, "role": {"king"}, "password": {"long enough pw"}}, "role"},
		{url.Values{"email": {"np@example.com"}, "name": {"New Person"}, "password": {"long enough pw"}}, "role"},
		{url.Values{"email": {n.editor.Email}, "name": {"New Person"}, "role": {"author"}, "password": {"long enough pw"}}, "email"},
	}
	for _, tc := range bad {
		res := n.send(http.MethodPost, "/admin/users", "admin", tc.form)
		doc := parse(t, res)
		if res.StatusCode != 422 || doc.Find("#e-"+tc.field).Length() != 1 || doc.Find("#n-name").AttrOr("value", "") != "New Person" {
			t.Errorf("%v: %d, errors %q", tc.form, res.StatusCode, text(doc.Find(".error")))
		}
		if doc.Find("#n-password").AttrOr("value", "") != "" {
			t.Errorf("the password was echoed back into the page")
		}
	}
	res := n.send(http.MethodPost, "/admin/users", "admin", url.Values{"email": {"np@example.com"}, "name": {"New Person"}, "role": {"author"}, "password": {"long enough pw"}})
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	// Promote the author to editor: the sections page opens to them.
	res = n.send(http.MethodPost, "/admin/users/"+strconv.FormatInt(n.author.ID, 10)+"/role", "admin", url.Values{"role": {"editor"}})
	res.Body.Close()
	if res := n.send(http.MethodGet, "/admin/sections", "author", nil); res.StatusCode != http.StatusOK {
		t.Errorf("promoted author on sections: %d", res.StatusCode)
	}
	// An administrator cannot demote or deactivate themselves.
	me := "/admin/users/" + strconv.FormatInt(n.admin.ID, 10)
	for _, p := range []struct{ path, value string }{{me + "/role", "commenter"}, {me + "/deactivate", "1"}} {
		res := n.send(http.MethodPost, p.path, "admin", url.Values{"role": {p.value}, "deactivated": {p.value}})
		res.Body.Close()
		if res.StatusCode != 422 {
			t.Errorf("%s on oneself: %d", p.path, res.StatusCode)
		}
	}
	// Deactivating ends the editor's session at once.
	res = n.send(http.MethodPost, "/admin/users/"+strconv.FormatInt(n.editor.ID, 10)+"/deactivate", "admin", url.Values{"deactivated": {"1"}})
	res.Body.Close()
	if res := n.send(http.MethodGet, "/admin", "editor", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("deactivated editor still in: %d", res.StatusCode)
	}
	// A reset password works, and the old one no longer does.
	res = n.send(http.MethodPost, "/admin/users/"+strconv.FormatInt(n.commenter.ID, 10)+"/password", "admin", url.Values{"password": {"brand new secret"}})
	res.Body.Close()
	if _, err := n.Store.Users.Authenticate(context.Background(), n.commenter.Email, "brand new secret"); err != nil {
		t.Errorf("new password: %v", err)
	}
	res = n.send(http.MethodPost, "/admin/users/"+strconv.FormatInt(n.commenter.ID, 10)+"/password", "admin", url.Values{"password": {"x"}})
	doc := parse(t, res)
	if res.StatusCode != 422 || doc.Find("#e-pw-"+strconv.FormatInt(n.commenter.ID, 10)).Length() != 1 {
		t.Errorf("short reset: %d", res.StatusCode)
	}
	log, _ := n.Store.Audit.Recent(context.Background(), 10)
	if len(log) < 2 || log[0].Action != "user.deactivate" || log[1].Action != "user.role" {
		t.Errorf("audit = %+v", log)
	}
}

func TestSettingsForm(t *testing.T) {
	n := newAdminSite(t)
	valid := url.Values{"site_name": {"The Daily Test"}, "tagline": {"All the news"}, "time_zone": {"Asia/Tehran"},
		"discussion_policy": {"Be kind."}, "guest_comments": {"1"}, "max_reply_depth": {"3"}, "links_before_hold": {"1"},
		"held_words": {"Spam\nscam, fraud"}, "close_after_days": {"30"}, "keep_address_days": {"14"}}
	cases := []struct {
		field, value string
	}{
		{"time_zone", "Mars/Olympus"},
		{"site_name", ""},
		{"max_reply_depth", "0"},
		{"links_before_hold", "many"},
		{"close_after_days", "-1"},
		{"keep_address_days", "0"},
	}
	for _, tc := range cases {
		form := url.Values{}
		for k, v := range valid {
			form[k] = v
		}
		form.Set(tc.field, tc.value)
		res := n.send(http.MethodPost, "/admin/settings", "admin", form)
		doc := parse(t, res)
		if res.StatusCode != 422 || doc.Find("#e-"+tc.field).Length() != 1 {
			t.Errorf("%s=%q: %d", tc.field, tc.value, res.StatusCode)
		}
		if text(doc.Find("#s-policy")) != "Be kind." || text(doc.Find("#s-held")) != "Spam scam, fraud" {
			t.Errorf("%s: fields not kept", tc.field)
		}
	}
	res := n.send(http.MethodPost, "/admin/settings", "admin", valid)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	st, _ := n.Store.Settings.Get(context.Background())
	if st.SiteName != "The Daily Test" || st.TimeZone != "Asia/Tehran" || !st.GuestComments || st.MaxReplyDepth != 3 ||
		st.CloseAfterDays != 30 || st.KeepAddressDays != 14 || strings.Join(st.HeldWords, ",") != "spam,scam,fraud" {
		t.Errorf("saved %+v", st)
	}
	if doc := parse(t, n.get("/")); text(doc.Find(".brand")) != "The Daily Test" {
		t.Errorf("site name on the front page = %q", text(doc.Find(".brand")))
	}
}

// Issue 9: an imported embed is a titled link; an administrator may turn on the video
// sites' privacy-respecting players, which show on the very next request of a page
// cached before, and go again when turned off. Frames are allowed from those two
// players only.
func TestVideoPlayersSetting(t *testing.T) {
	n := newAdminSite(t)
	art := n.article("A story with a video", n.sec, n.editor, nil)
	// An imported body holds the card as the importer writes it (Markdown cannot).
	card := `<p>Watch:</p><figure class="link-card"><figcaption>Video on YouTube</figcaption>` +
		`<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">www.youtube.com/watch?v=dQw4w9WgXcQ</a></figure>`
	if _, err := n.Store.W.ExecContext(t.Context(), "UPDATE articles SET body_html = ? WHERE id = ?", card, art.ID); err != nil {
		t.Fatal(err)
	}
	path := "/articles/" + art.Slug
	frames := func() (int, string) {
		res := n.get(path)
		csp := res.Header.Get("Content-Security-Policy")
		doc := parse(t, res)
		if doc.Find(`.link-card a[href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"]`).Length() != 1 {
			t.Fatal("the link card's link is gone")
		}
		return doc.Find(`iframe[src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"]`).Length(), csp
	}
	if got, csp := frames(); got != 0 || !strings.Contains(csp, "frame-src https://www.youtube-nocookie.com https://player.vimeo.com;") {
		t.Fatalf("players off: %d frames, CSP %q", got, csp)
	}
	form := url.Values{"site_name": {"The Broadsheet"}, "time_zone": {"UTC"}, "discussion_policy": {"Be kind."},
		"max_reply_depth": {"5"}, "links_before_hold": {"2"}, "close_after_days": {"0"}, "keep_address_days": {"30"}}
	save := func(on bool) {
		form.Del("video_players")
		if on {
			form.Set("video_players", "1")
		}
		if res := n.send(http.MethodPost, "/admin/settings", "admin", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save settings: %d", res.StatusCode)
		}
	}
	save(true)
	if got, _ := frames(); got != 1 {
		t.Errorf("players on: %d frames on the next request, want 1", got)
	}
	if doc := parse(t, n.send(http.MethodGet, "/admin/settings", "admin", nil)); doc.Find("#s-players[checked]").Length() != 1 {
		t.Error("the settings form does not show players as on")
	}
	save(false)
	if got, _ := frames(); got != 0 {
		t.Errorf("players off again: %d frames", got)
	}
}
