package wordpress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"broadsheet/handlers"
	"broadsheet/models"
	"broadsheet/models/sample"
	"broadsheet/views"
)

// articleView is what a reader or an editor would notice of a story, without the
// ids and row times that differ between two sites.
type articleView struct {
	Title, Dek, BodySrc, BodyHTML, Dateline, Wire, Correction, Status string
	PublishedAt, UpdatedAt                                            time.Time
	CommentsOpen                                                      bool
	Section                                                           string
	Tags, Bylines, OldSlugs, OldAddresses                             []string
	Photo                                                             string
	Comments                                                          []string // in order, each naming its parent by position
}

// describeSite reads every story of s, keyed by slug.
func describeSite(t *testing.T, s *models.Store) map[string]articleView {
	t.Helper()
	ctx := context.Background()
	site := map[string]articleView{}
	err := s.Export(ctx, func(snap *models.Snapshot) error {
		users := map[int64]string{}
		sections := map[int64]string{}
		tags := map[int64]string{}
		err := snap.Users(ctx, func(u models.ExportedUser) error { users[u.ID] = u.Name; return nil })
		if err == nil {
			err = snap.Sections(ctx, func(x models.ExportedSection) error { sections[x.ID] = x.Name + " (" + x.Slug + ")"; return nil })
		}
		if err == nil {
			err = snap.Tags(ctx, func(x models.ExportedTag) error { tags[x.ID] = x.Name; return nil })
		}
		if err != nil {
			return err
		}
		return snap.Articles(ctx, func(a models.ExportedArticle) error {
			v := articleView{Title: a.Title, Dek: a.Dek, BodySrc: a.BodySrc, BodyHTML: a.BodyHTML, Dateline: a.Dateline,
				Wire: a.Wire, Correction: a.Correction, Status: a.Status, PublishedAt: a.PublishedAt, UpdatedAt: a.UpdatedAt,
				CommentsOpen: a.CommentsOpen, Section: sections[a.SectionID], OldSlugs: a.OldSlugs, OldAddresses: a.OldAddresses}
			for _, id := range a.AuthorIDs {
				v.Bylines = append(v.Bylines, users[id])
			}
			for _, id := range a.TagIDs {
				v.Tags = append(v.Tags, tags[id])
			}
			slices.Sort(v.Tags)
			if a.Photo != nil {
				v.Photo = fmt.Sprintf("%dx%d %q %q %q", a.Photo.Width, a.Photo.Height, a.ImageAlt, a.ImageCaption, a.ImageCredit)
			}
			pos := map[int64]int{}
			err := snap.Comments(ctx, a.ID, func(c models.ExportedComment) error {
				who := "guest " + c.GuestName + " <" + c.GuestEmail + "> " + c.GuestURL
				if c.UserID != 0 {
					who = "account " + users[c.UserID]
				}
				parent := -1
				if c.ParentID != 0 {
					parent = pos[c.ParentID]
				}
				pos[c.ID] = len(v.Comments)
				v.Comments = append(v.Comments, fmt.Sprintf("%s | %s | %s | reply to #%d | %q | %s", who, c.Status,
					c.CreatedAt.Format(time.RFC3339), parent, c.BodySrc, c.BodyHTML))
				return nil
			})
			site[a.Slug] = v
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return site
}

// The sample paper, a WordPress import into it, a renamed story and a thread ten
// replies deep by guests and accounts, in every state, go out as WXR and come back
// into an empty site the same: stories, threads and addresses.
func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := newTestDB(t)
	admin, err := src.Users.Create(ctx, testNow, models.NewUser{Email: "admin@example.com", Name: "Site Administrator",
		Password: "correct horse battery", Role: models.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if err := sample.Seed(ctx, src, testNow, admin); err != nil {
		t.Fatal(err)
	}
	importFixture(t, src, "export.xml") // stories whose old WordPress addresses must keep answering

	reader, err := src.Users.Create(ctx, testNow, models.NewUser{Email: "reader@example.com", Name: "Zoë Читатель",
		Password: "correct horse battery", Role: models.RoleCommenter})
	if err != nil {
		t.Fatal(err)
	}
	var story models.Article
	if story, err = src.Articles.Get(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// A rename leaves the old slug as an address that must survive the move.
	in := story.Input()
	in.Slug = story.Slug + "-renamed"
	if _, err := src.Articles.Update(ctx, testNow, story.ID, story.Version, in); err != nil {
		t.Fatal(err)
	}
	states := []string{"approved", "approved", "pending", "approved", "deleted", "approved", "spam", "approved", "approved", "approved"}
	err = src.InTx(ctx, testNow, func(tx *models.TxStore) error {
		var parent int64
		for depth, status := range states {
			c := models.ImportedComment{ArticleID: story.ID, ParentID: parent, Status: status, IP: "192.0.2.7",
				CreatedAt: testNow.Add(time.Duration(depth) * time.Minute),
				Source:    fmt.Sprintf("Level %d — «ünïcödé» & <b>bold</b> ]]> end", depth+1)}
			c.Text = c.Source
			if depth%2 == 0 {
				c.GuestName, c.GuestEmail, c.GuestURL = "Guest Ĝ "+fmt.Sprint(depth), "g@example.org", "https://g.example.org/"
			} else {
				c.UserID = reader.ID
			}
			if parent, err = tx.ImportComment(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "export.xml")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	n, err := Export(ctx, src, testNow, "https://old.news.example", f, nil)
	if err = errors.Join(err, f.Close()); err != nil {
		t.Fatal(err)
	}
	// The lead photos travel as files, the way an operator copies uploads/.
	if err := os.CopyFS(filepath.Join(dir, "uploads"), os.DirFS(src.Media.Files.(models.LocalFiles).Dir)); err != nil {
		t.Fatal(err)
	}

	dst := newTestDB(t)
	rep, err := Import(ctx, dst, testNow.Add(time.Hour), file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Articles != n.Articles || rep.Comments != n.Comments {
		t.Errorf("exported %d articles and %d comments, imported %d and %d; skipped: %+v", n.Articles, n.Comments, rep.Articles, rep.Comments, rep.Skipped)
	}

	before, after := describeSite(t, src), describeSite(t, dst)
	if len(before) != len(after) {
		t.Errorf("%d stories before, %d after", len(before), len(after))
	}
	for slug, want := range before {
		got, ok := after[slug]
		if !ok {
			t.Errorf("story %q is missing after the round trip", slug)
			continue
		}
		// The new site also knows the addresses the stories had on the first one.
		for _, p := range want.OldAddresses {
			if !slices.Contains(got.OldAddresses, p) {
				t.Errorf("story %q lost its old address %s", slug, p)
			}
		}
		want.OldAddresses, got.OldAddresses = nil, nil
		if d := diffViews(want, got); d != "" {
			t.Errorf("story %q changed:\n%s", slug, d)
		}
	}
	if len(before[story.Slug+"-renamed"].Comments) < len(states) {
		t.Fatalf("the deep thread is not in the export's source")
	}

	// Old addresses answer on the new site as they did on the old one.
	app, err := handlers.New(handlers.Config{BaseURL: "http://news.test", SessionKeys: [][]byte{[]byte(strings.Repeat("k", 32)), []byte(strings.Repeat("k", 32))}},
		dst, slog.New(slog.NewTextHandler(io.Discard, nil)), views.FS)
	if err != nil {
		t.Fatal(err)
	}
	app.Now = func() time.Time { return testNow.Add(time.Hour) }
	h := app.Routes()
	get := func(path string) *http.Response {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, (&url.URL{Path: path}).EscapedPath(), nil))
		res := rec.Result()
		if loc, err := url.PathUnescape(res.Header.Get("Location")); err == nil {
			res.Header.Set("Location", loc)
		}
		return res
	}
	checked := 0
	for slug, a := range before {
		live := (a.Status == models.StatusPublished) && !a.PublishedAt.After(testNow)
		if !live {
			continue
		}
		if res := get("/articles/" + slug); res.StatusCode != http.StatusOK {
			t.Errorf("/articles/%s: %d", slug, res.StatusCode)
		}
		for _, old := range a.OldSlugs {
			if res := get("/articles/" + old); res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/articles/"+slug {
				t.Errorf("old slug %s: %d → %q", old, res.StatusCode, res.Header.Get("Location"))
			}
			checked++
		}
		for _, old := range a.OldAddresses {
			if strings.Contains(old, "?") {
				continue // ?p= of the first site: the second one answers its own ?p=
			}
			if res := get(old + "/"); res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/articles/"+slug {
				t.Errorf("old address %s: %d → %q", old, res.StatusCode, res.Header.Get("Location"))
			}
			checked++
		}
	}
	if checked < 3 {
		t.Errorf("only %d old addresses checked: the fixture lost its redirects", checked)
	}
}

// diffViews names the fields of two story views that differ.
func diffViews(want, got articleView) string {
	var b strings.Builder
	w, g := fmt.Sprintf("%+v", want), fmt.Sprintf("%+v", got)
	if w == g {
		return ""
	}
	wf, gf := strings.Split(w, " "), strings.Split(g, " ")
	for i := 0; i < len(wf) && i < len(gf); i++ {
		if wf[i] != gf[i] {
			fmt.Fprintf(&b, "  at word %d: want %q, got %q\n", i, strings.Join(wf[i:min(i+12, len(wf))], " "), strings.Join(gf[i:min(i+12, len(gf))], " "))
			break
		}
	}
	return b.String()
}
