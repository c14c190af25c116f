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

// frontDesk is a paper of eight stories in two sections, newest first: w1 … w5 in
// World, s1 … s3 in Sport, an hour apart (w1 newest); none has a photo.
type frontDesk struct {
	*adminSite
	sport   models.Section
	stories map[string]models.Article
}

func newFrontDesk(t *testing.T) *frontDesk {
	n := newAdminSite(t)
	f := &frontDesk{adminSite: n, sport: n.section("Sport"), stories: map[string]models.Article{}}
	for i, name := range []string{"w1", "s1", "w2", "w3", "s2", "w4", "w5", "s3"} {
		sec := n.sec
		if name[0] == 's' {
			sec = f.sport
		}
		f.stories[name] = n.article("Story "+name, sec, n.editor, func(in *models.ArticleInput) {
			in.PublishedAt = testNow.Add(-time.Duration(i+1) * time.Hour)
		})
	}
	return f
}

// pick places story name as role; it returns the response.
func (f *frontDesk) pick(role, name, slot, until string) *http.Response {
	f.tb.Helper()
	return f.send(http.MethodPost, "/admin/front", role, url.Values{
		"article": {strconv.FormatInt(f.stories[name].ID, 10)}, "slot": {slot}, "pinned_until": {until}})
}

func (f *frontDesk) mustPick(t *testing.T, name, slot, until string) {
	t.Helper()
	res := f.pick("editor", name, slot, until)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("pick %s as %s: status %d", name, slot, res.StatusCode)
	}
}

// front reads the front page as a reader: the lead, the top stories, the latest, and
// each section block, as headlines.
type frontView struct {
	lead        string
	leadClass   string
	top, latest []string
	blocks      map[string][]string
	all         []string
}

func readFront(t *testing.T, ta *testApp) frontView {
	t.Helper()
	doc := parse(t, ta.get("/"))
	heads := func(sel string) []string {
		var out []string
		doc.Find(sel).Each(func(_ int, s *goquery.Selection) { out = append(out, text(s)) })
		return out
	}
	v := frontView{lead: text(doc.Find(".lead-story h2")), top: heads(".top-stories .card h3"),
		latest: heads(".latest .card h3"), blocks: map[string][]string{}, all: heads(".lead-story h2, .card h3")}
	v.leadClass, _ = doc.Find(".lead-story").Attr("class")
	doc.Find(".section-block").Each(func(_ int, s *goquery.Selection) {
		var hs []string
		s.Find(".card h3").Each(func(_ int, h *goquery.Selection) { hs = append(hs, text(h)) })
		v.blocks[text(s.Find("h2"))] = hs
	})
	return v
}

func names(hs []string) string { return strings.ReplaceAll(strings.Join(hs, ","), "Story ", "") }

// Editors choose the lead, order the top stories with up/down buttons, pick stories for
// a section's block; everything else is the latest, and no story appears twice.
func TestFrontPageCurated(t *testing.T) {
	f := newFrontDesk(t)
	before := readFront(t, f.testApp)
	if before.lead != "Story w1" || !strings.Contains(before.leadClass, "type-only") {
		t.Fatalf("uncurated lead %q (class %q): want the newest, set in type alone (it has no photo)", before.lead, before.leadClass)
	}
	f.mustPick(t, "w4", models.SlotLead, "")
	f.mustPick(t, "s2", models.SlotTop, "")
	f.mustPick(t, "w3", models.SlotTop, "")
	f.mustPick(t, "s3", models.SlotSection, "")
	v := readFront(t, f.testApp)
	if v.lead != "Story w4" || names(v.top) != "s2,w3" {
		t.Fatalf("lead %q, top %v: want the editors' choices in their order", v.lead, v.top)
	}
	// PerPage is 5: w1 s1 w2 w3 s2, less the picked w3 and s2.
	if names(v.latest) != "w1,s1,w2" {
		t.Errorf("latest %v: want the newest stories not placed above", v.latest)
	}
	if names(v.blocks["Sport"]) != "s3" || names(v.blocks["World"]) != "w5" {
		t.Errorf("blocks %v: want the pick first, then the newest not shown elsewhere", v.blocks)
	}
	seen := map[string]bool{}
	for _, h := range v.all {
		if seen[h] {
			t.Errorf("%q appears twice on the front page", h)
		}
		seen[h] = true
	}

	// Move w3 up: it now comes first; moving the first up again changes nothing.
	for range 2 {
		res := f.send(http.MethodPost, "/admin/front/"+strconv.FormatInt(f.stories["w3"].ID, 10)+"/move", "editor", url.Values{"dir": {"up"}})
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("move: status %d", res.StatusCode)
		}
	}
	if v := readFront(t, f.testApp); names(v.top) != "w3,s2" {
		t.Errorf("after moving w3 up, top %v", v.top)
	}
	// A new lead replaces the old, which falls back to the latest.
	f.mustPick(t, "s1", models.SlotLead, "")
	// Removing a pick sends the story back among the latest.
	res := f.send(http.MethodPost, "/admin/front/"+strconv.FormatInt(f.stories["w3"].ID, 10)+"/remove", "editor", url.Values{})
	res.Body.Close()
	v = readFront(t, f.testApp)
	if v.lead != "Story s1" || names(v.top) != "s2" || names(v.latest) != "w1,w2,w3" {
		t.Errorf("after a new lead and a removal: lead %q, top %v, latest %v", v.lead, v.top, v.latest)
	}

	// The newsroom lists the picks with their order buttons, usable without JavaScript.
	doc := parse(t, f.send(http.MethodGet, "/admin/front", "editor", nil))
	if doc.Find(`#pick-`+strconv.FormatInt(f.stories["s2"].ID, 10)+` form[method=post] button`).Length() != 3 {
		t.Error("a top pick should have Move up, Move down and Remove forms")
	}
}

// A pick with a time lapses by itself: the cached front page changes at that moment.
func TestFrontPagePinExpires(t *testing.T) {
	f := newFrontDesk(t)
	site, err := f.Store.Settings.Get(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	f.mustPick(t, "w5", models.SlotLead, testNow.Add(90*time.Minute).In(site.Location()).Format(datetimeLocal))
	if body := cachedTwice(t, f.testApp, "/"); !strings.Contains(body, `class="lead-story type-only"`) || !strings.Contains(readFront(t, f.testApp).lead, "w5") {
		t.Fatal("the pinned lead is not leading")
	}
	f.Now = func() time.Time { return testNow.Add(89 * time.Minute) }
	if v := readFront(t, f.testApp); v.lead != "Story w5" {
		t.Errorf("a minute before the pin runs out the lead is %q", v.lead)
	}
	f.Now = func() time.Time { return testNow.Add(91 * time.Minute) }
	if v := readFront(t, f.testApp); v.lead != "Story w1" {
		t.Errorf("after the pin ran out the lead is %q, want the newest story again", v.lead)
	}
}

// A change of picks shows on the very next anonymous request of a cached front page.
func TestFrontPageNeverStaleAfterPick(t *testing.T) {
	f := newFrontDesk(t)
	cachedTwice(t, f.testApp, "/")
	f.mustPick(t, "s3", models.SlotTop, "")
	if v := readFront(t, f.testApp); names(v.top) != "s3" {
		t.Fatalf("top stories %v right after a pick", v.top)
	}
	cachedTwice(t, f.testApp, "/")
	res := f.send(http.MethodPost, "/admin/front/"+strconv.FormatInt(f.stories["s3"].ID, 10)+"/remove", "editor", url.Values{})
	res.Body.Close()
	if v := readFront(t, f.testApp); len(v.top) != 0 {
		t.Fatalf("top stories %v right after removing the pick", v.top)
	}
}

// Refused picks come back in the form with the choices kept and the reason shown;
// authors and readers cannot curate.
func TestFrontPagePickRefused(t *testing.T) {
	f := newFrontDesk(t)
	for _, name := range []string{"w1", "w2", "w3", "w4"} {
		f.mustPick(t, name, models.SlotTop, "")
	}
	for _, name := range []string{"s1", "s2", "s3"} {
		f.mustPick(t, name, models.SlotSection, "")
	}
	f.stories["draft"] = f.draft
	f.stories["hostile"] = f.article(`<script>alert(1)</script> headline`, f.sport, f.editor, func(in *models.ArticleInput) {
		in.PublishedAt = testNow.Add(-48 * time.Hour)
	})
	cases := []struct {
		name, story, slot, until, field, says string
	}{
		{"fifth top story", "w5", models.SlotTop, "", "slot", "already 4 top stories"},
		{"fourth section pick", "w5", models.SlotSection, "", "", ""}, // World has room: accepted
		{"full section block", "hostile", models.SlotSection, "", "slot", "already has 3 picks"},
		{"pin in the past", "w5", models.SlotLead, "2026-11-20T11:00", "pinned_until", "already have run out"},
		{"pin not a time", "w5", models.SlotLead, "tomorrow-ish", "pinned_until", "YYYY-MM-DDTHH:MM"},
		{"no such place", "w5", "sidebar", "", "slot", "Choose where"},
		{"a draft", "draft", models.SlotTop, "", "article", "published or scheduled"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := f.pick("editor", tc.story, tc.slot, tc.until)
			if tc.field == "" {
				res.Body.Close()
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("status %d, want accepted", res.StatusCode)
				}
				return
			}
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			doc := parse(t, res)
			if msg := text(doc.Find("#e-" + tc.field)); !strings.Contains(msg, tc.says) {
				t.Errorf("error for %s = %q, want %q", tc.field, msg, tc.says)
			}
			if v, _ := doc.Find("#p-until").Attr("value"); v != tc.until {
				t.Errorf("pinned-until field %q, want %q kept", v, tc.until)
			}
			if doc.Find(`input[name=slot][value="`+tc.slot+`"]`).Length() == 1 && doc.Find(`input[name=slot][checked]`).AttrOr("value", "") != tc.slot {
				t.Errorf("the chosen place was not kept")
			}
			if id := strconv.FormatInt(f.stories[tc.story].ID, 10); tc.story != "draft" && doc.Find(`#p-article option[selected]`).AttrOr("value", "") != id {
				t.Errorf("the chosen story was not kept selected")
			}
		})
	}
	for _, role := range []string{"author", "commenter"} {
		res := f.pick(role, "w5", models.SlotLead, "")
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s picking the lead: status %d, want 403", role, res.StatusCode)
		}
	}
	// Every story but the hostile one is picked, so it leads, as text.
	if v := readFront(t, f.testApp); v.lead != "<script>alert(1)</script> headline" || names(v.top) != "w1,w2,w3,w4" {
		t.Errorf("refused picks changed the page: lead %q, top %v", v.lead, v.top)
	}
	// A hostile headline is only ever text in the newsroom's menu.
	body := body(t, f.send(http.MethodGet, "/admin/front", "editor", nil))
	if strings.Contains(body, "<script>alert(1)") {
		t.Error("a headline's markup reached the page unescaped")
	}
}
