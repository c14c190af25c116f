package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"broadsheet/models"
)

// fileNote files a note on art as the editor through the newsroom's form.
func fileNote(t *testing.T, n *adminSite, art models.Article, kind, text string) *http.Response {
	t.Helper()
	return n.send(http.MethodPost, "/admin/articles/"+strconv.FormatInt(art.ID, 10)+"/corrections", "editor",
		url.Values{"kind": {kind}, "body": {text}})
}

// firstNote files a correction on a story with none and returns it as recorded.
func firstNote(t *testing.T, n *adminSite, art models.Article) models.Correction {
	t.Helper()
	fileNote(t, n, art, models.KindCorrection, "The wall is 4 km long.").Body.Close()
	notes, err := n.Store.Corrections.ForArticle(t.Context(), art.ID, false)
	if err != nil || len(notes) != 1 {
		t.Fatalf("notes %v, %v", notes, err)
	}
	return notes[0]
}

// newsStory is the JSON-LD NewsArticle of a story page.
func newsStory(t *testing.T, doc *goquery.Document) map[string]any {
	t.Helper()
	var out map[string]any
	doc.Find(`script[type="application/ld+json"]`).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		var v map[string]any
		if err := json.Unmarshal([]byte(s.Text()), &v); err == nil && v["@type"] == "NewsArticle" {
			out = v
			return false
		}
		return true
	})
	if out == nil {
		t.Fatal("no NewsArticle structured data")
	}
	return out
}

// Editors file corrections, clarifications and updates on a story from its edit page;
// readers see them under the story in order, in dateModified and the JSON-LD, on
// /corrections newest first and in its feeds.
func TestCorrectionsOnTheRecord(t *testing.T) {
	n := newAdminSite(t)
	art := n.article("Sea wall holds", n.sec, n.editor, nil)
	cachedTwice(t, n.testApp, "/articles/"+art.Slug)
	cachedTwice(t, n.testApp, "/corrections")
	steps := []struct {
		kind, text string
		at         time.Duration
	}{
		{models.KindCorrection, "The wall is 4 km long, not 40 km.", 10 * time.Minute},
		{models.KindUpdate, "The council has ordered an inspection.", 20 * time.Minute},
		{models.KindClarification, "The engineers quoted work for the council.", 30 * time.Minute},
	}
	for _, s := range steps {
		n.Now = func() time.Time { return testNow.Add(s.at) }
		res := fileNote(t, n, art, s.kind, s.text)
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("filing a %s: status %d", s.kind, res.StatusCode)
		}
	}
	// The story's cached page and /corrections show the notes on the next request.
	doc := parse(t, n.get("/articles/"+art.Slug))
	var got []string
	doc.Find(".notes li").Each(func(_ int, s *goquery.Selection) { got = append(got, text(s.Find("strong"))) })
	if strings.Join(got, ",") != "Correction,Update,Clarification" {
		t.Fatalf("notes under the story %v, want them in the order filed", got)
	}
	if !strings.Contains(text(doc.Find(".notes li").First()), "The wall is 4 km long, not 40 km.") {
		t.Error("the correction's text is not under the story")
	}
	ld := newsStory(t, doc)
	if ld["dateModified"] != "2026-11-20T12:30:00Z" {
		t.Errorf("dateModified %v, want the last note's time", ld["dateModified"])
	}
	notes, _ := ld["correction"].([]any)
	if len(notes) != 2 {
		t.Fatalf("JSON-LD correction %v: want the correction and the clarification, not the update", ld["correction"])
	}
	if first, _ := notes[0].(map[string]any); first["@type"] != "CorrectionComment" || first["text"] != steps[0].text {
		t.Errorf("first CorrectionComment %v", first)
	}

	list := parse(t, n.get("/corrections"))
	var kinds []string
	list.Find(".notes-list .kicker").Each(func(_ int, s *goquery.Selection) { kinds = append(kinds, text(s)) })
	if strings.Join(kinds, ",") != "Clarification,Update,Correction" {
		t.Errorf("/corrections lists %v, want newest first", kinds)
	}
	if href, _ := list.Find(".notes-list h2 a").First().Attr("href"); !strings.HasPrefix(href, "/articles/"+art.Slug+"#note-") {
		t.Errorf("a listed note links to %q, want its place under the story", href)
	}
	for _, format := range []string{"rss", "atom"} {
		f := parseFeed(t, n.get("/corrections/feed."+format))
		if len(f.Items) != 3 || f.Items[0].Title != "Clarification: Sea wall holds" || !strings.Contains(f.Items[2].Description, "4 km") {
			t.Errorf("%s feed: %d items, first %q", format, len(f.Items), f.Items[0].Title)
		}
	}
}

// Amending a note keeps its earlier text for the newsroom and marks it "Amended" for
// readers, on the very next request of the cached page.
func TestCorrectionAmendKeepsHistory(t *testing.T) {
	n := newAdminSite(t)
	art := n.article("Sea wall holds", n.sec, n.editor, nil)
	note := firstNote(t, n, art)
	cachedTwice(t, n.testApp, "/articles/"+art.Slug)
	n.Now = func() time.Time { return testNow.Add(time.Hour) }
	res := n.send(http.MethodPost, "/admin/corrections/"+strconv.FormatInt(note.ID, 10), "editor",
		url.Values{"kind": {models.KindCorrection}, "body": {"The wall is 4.2 km long."}})
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("amend: status %d", res.StatusCode)
	}
	page := text(parse(t, n.get("/articles/"+art.Slug)).Find(".notes"))
	if !strings.Contains(page, "The wall is 4.2 km long.") || !strings.Contains(page, "Amended") || strings.Contains(page, "4 km long.") {
		t.Errorf("readers see %q: want the new text marked Amended", page)
	}
	edit := parse(t, n.send(http.MethodGet, "/admin/articles/"+strconv.FormatInt(art.ID, 10), "editor", nil))
	if earlier := text(edit.Find("#note-" + strconv.FormatInt(note.ID, 10) + " details")); !strings.Contains(earlier, "The wall is 4 km long.") || !strings.Contains(earlier, "Eddie Editor") {
		t.Errorf("the newsroom's earlier texts: %q", earlier)
	}
}

// Refused notes come back in the form with the text kept and the reason shown; markup
// in a note is only ever text; authors cannot file.
func TestCorrectionRefused(t *testing.T) {
	n := newAdminSite(t)
	art := n.article("Sea wall holds", n.sec, n.editor, nil)
	fileNote(t, n, art, models.KindUpdate, "Inspection ordered.").Body.Close()
	cases := []struct{ name, kind, body, field, says string }{
		{"empty", models.KindCorrection, "   ", "body", "Write what was wrong"},
		{"too long", models.KindCorrection, strings.Repeat("é", models.MaxCorrectionChars+1), "body", "under 2000"},
		{"unknown kind", "retraction", "Withdrawn.", "kind", "Choose correction"},
		{"filed twice", models.KindUpdate, "Inspection ordered.", "body", "already on the story"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := fileNote(t, n, art, tc.kind, tc.body)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			doc := parse(t, res)
			if msg := text(doc.Find("#e-" + tc.field + "-0")); !strings.Contains(msg, tc.says) {
				t.Errorf("reason %q, want %q", msg, tc.says)
			}
			if kept := doc.Find("#n-body-0").Text(); kept != tc.body {
				t.Errorf("the text typed was not kept (%d of %d characters)", len(kept), len(tc.body))
			}
		})
	}
	res := n.send(http.MethodPost, "/admin/articles/"+strconv.FormatInt(art.ID, 10)+"/corrections", "author",
		url.Values{"kind": {models.KindCorrection}, "body": {"Not mine to file."}})
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("an author filing a note: status %d, want 403", res.StatusCode)
	}
	fileNote(t, n, art, models.KindCorrection, `<script>alert(1)</script> <b>bold</b>`).Body.Close()
	body := body(t, n.get("/articles/"+art.Slug))
	if strings.Contains(body, "<script>alert(1)") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("a note's markup reached the story page unescaped")
	}
	if notes, _ := n.Store.Corrections.ForArticle(t.Context(), art.ID, false); len(notes) != 2 {
		t.Errorf("%d notes on record, want the update and the escaped one only", len(notes))
	}
}

// A refused amendment comes back in that note's own form with what was typed.
func TestCorrectionAmendRefused(t *testing.T) {
	n := newAdminSite(t)
	art := n.article("Sea wall holds", n.sec, n.editor, nil)
	id := strconv.FormatInt(firstNote(t, n, art).ID, 10)
	res := n.send(http.MethodPost, "/admin/corrections/"+id, "editor", url.Values{"kind": {"nonsense"}, "body": {"  "}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.StatusCode)
	}
	doc := parse(t, res)
	if text(doc.Find("#e-kind-"+id)) == "" || text(doc.Find("#e-body-"+id)) == "" || doc.Find("#e-body-0").Length() != 0 {
		t.Error("the reasons are not beside the amended note's fields (and only there)")
	}
	if notes, _ := n.Store.Corrections.ForArticle(t.Context(), art.ID, true); notes[0].Body != "The wall is 4 km long." || len(notes[0].Earlier) != 0 {
		t.Errorf("a refused amendment changed the record: %+v", notes[0])
	}
}
