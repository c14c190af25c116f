package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// fixture is a small newsroom: two sections, one author.
type fixture struct {
	s             *Store
	world, sports Section
	author        User
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	s := newTestDB(t)
	ctx := context.Background()
	f := fixture{s: s}
	var err error
	if f.world, err = s.Sections.Create(ctx, "World", ""); err != nil {
		t.Fatal(err)
	}
	if f.sports, err = s.Sections.Create(ctx, "Sport", ""); err != nil {
		t.Fatal(err)
	}
	if f.author, err = s.Users.Create(ctx, testNow, NewUser{Email: "ann@example.com", Name: "Ann Writer", Password: "long enough pass", Role: RoleAuthor}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) add(t *testing.T, title string, sec Section, edit func(*ArticleInput)) int64 {
	t.Helper()
	in := ArticleInput{Title: title, Body: "Body of " + title, SectionID: sec.ID, AuthorIDs: []int64{f.author.ID},
		Status: StatusPublished, PublishedAt: testNow.Add(-time.Hour), CommentsOpen: true}
	if edit != nil {
		edit(&in)
	}
	id, err := f.s.Articles.Create(context.Background(), testNow, in)
	if err != nil {
		t.Fatalf("create %q: %v", title, err)
	}
	return id
}

func TestVisibilityByStatusAndTime(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cases := []struct {
		title   string
		status  string
		at      time.Time
		visible bool
	}{
		{"Published an hour ago", StatusPublished, testNow.Add(-time.Hour), true},
		{"Draft", StatusDraft, time.Time{}, false},
		{"In review", StatusReview, time.Time{}, false},
		{"Unpublished", StatusUnpublished, testNow.Add(-time.Hour), false},
		{"Scheduled in an hour", StatusScheduled, testNow.Add(time.Hour), false},
		{"Scheduled time has come", StatusScheduled, testNow.Add(-time.Minute), true},
		{"Published with a future time", StatusPublished, testNow.Add(time.Hour), false},
	}
	for _, c := range cases {
		f.add(t, c.title, f.world, func(in *ArticleInput) { in.Status, in.PublishedAt = c.status, c.at })
	}
	for _, c := range cases {
		t.Run(c.title, func(t *testing.T) {
			_, err := f.s.Articles.PublishedBySlug(ctx, testNow, Slugify(c.title))
			if c.visible && err != nil {
				t.Errorf("want visible, got %v", err)
			}
			if !c.visible && !errors.Is(err, ErrNotFound) {
				t.Errorf("want ErrNotFound, got %v", err)
			}
		})
	}
	for _, c := range cases { // the Go rule agrees with the SQL rule
		a, err := f.s.Articles.Get(ctx, mustID(t, f.s, Slugify(c.title)))
		if err != nil {
			t.Fatal(err)
		}
		if a.LiveAt(testNow) != c.visible {
			t.Errorf("%s: LiveAt = %v, want %v", c.title, a.LiveAt(testNow), c.visible)
		}
	}
	list, err := f.s.Articles.Published(ctx, testNow, Filter{}, Page{Number: 1, Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	if list.Total != 2 || len(list.Items) != 2 {
		t.Errorf("list shows %d (total %d), want the 2 visible stories", len(list.Items), list.Total)
	}
	// The scheduled story appears by itself once its time comes.
	later, err := f.s.Articles.Published(ctx, testNow.Add(2*time.Hour), Filter{}, Page{Number: 1, Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	if later.Total != 4 {
		t.Errorf("two hours later: %d visible, want 4", later.Total)
	}
}

func TestPaginationEdges(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := 0; i < 7; i++ {
		f.add(t, "Story "+string(rune('A'+i)), f.world, func(in *ArticleInput) {
			in.PublishedAt = testNow.Add(-time.Duration(i+1) * time.Hour) // A newest … G oldest
		})
	}
	cases := []struct {
		page      int
		wantFirst string
		wantLen   int
		prev      bool
		next      bool
	}{
		{1, "Story A", 3, false, true},
		{2, "Story D", 3, true, true},
		{3, "Story G", 1, true, false},
		{4, "", 0, true, false},
	}
	for _, c := range cases {
		got, err := f.s.Articles.Published(ctx, testNow, Filter{}, Page{Number: c.page, Size: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Items) != c.wantLen || got.Pages != 3 || got.Total != 7 {
			t.Errorf("page %d: %d items of %d pages (total %d)", c.page, len(got.Items), got.Pages, got.Total)
		}
		if c.wantLen > 0 && got.Items[0].Title != c.wantFirst {
			t.Errorf("page %d starts with %q, want %q", c.page, got.Items[0].Title, c.wantFirst)
		}
		if got.HasPrev() != c.prev || got.HasNext() != c.next {
			t.Errorf("page %d: prev=%v next=%v", c.page, got.HasPrev(), got.HasNext())
		}
	}
}

func TestFiltersAuthorsTagsRelatedNeighbours(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.add(t, "Oil prices rise", f.world, func(in *ArticleInput) {
		in.Tags = []string{"Oil", "Energy"}
		in.PublishedAt = testNow.Add(-3 * time.Hour)
	})
	b := f.add(t, "Pipeline deal signed", f.world, func(in *ArticleInput) {
		in.Tags = []string{"Energy", " Oil "}
		in.PublishedAt = testNow.Add(-2 * time.Hour)
	})
	c := f.add(t, "Cup final tonight", f.sports, func(in *ArticleInput) {
		in.Tags = []string{"Football"}
		in.PublishedAt = testNow.Add(-30 * time.Minute) // newer than the section's story below: Related prefers the section
	})
	d := f.add(t, "Election called", f.world, func(in *ArticleInput) { in.PublishedAt = testNow.Add(-1 * time.Hour) })

	oil, err := f.s.Tags.BySlug(ctx, "oil")
	if err != nil {
		t.Fatal(err)
	}
	byTag, err := f.s.Articles.Published(ctx, testNow, Filter{TagID: oil.ID}, Page{Number: 1, Size: 10})
	if err != nil || byTag.Total != 2 {
		t.Fatalf("tag oil: %d stories, %v; want 2 (tags are matched case- and space-insensitively)", byTag.Total, err)
	}
	bySec, _ := f.s.Articles.Published(ctx, testNow, Filter{SectionID: f.sports.ID}, Page{Number: 1, Size: 10})
	if bySec.Total != 1 || bySec.Items[0].ID != c {
		t.Errorf("sport section: %+v", bySec.Items)
	}
	byAuthor, _ := f.s.Articles.Published(ctx, testNow, Filter{AuthorID: f.author.ID}, Page{Number: 1, Size: 10})
	if byAuthor.Total != 4 || len(byAuthor.Items[0].Authors) != 1 || byAuthor.Items[0].Authors[0].Name != "Ann Writer" {
		t.Errorf("author filter: total %d, first byline %+v", byAuthor.Total, byAuthor.Items[0].Authors)
	}

	f.add(t, "Cup final result", f.sports, func(in *ArticleInput) { in.PublishedAt = testNow.Add(-10 * time.Minute) })
	art, _ := f.s.Articles.Get(ctx, a)
	rel, err := f.s.Articles.Related(ctx, testNow, art, 3)
	// The story sharing both tags, then the section's newest, then the paper's.
	if want := []string{"Pipeline deal signed", "Election called", "Cup final result"}; err != nil || !slices.Equal(titles(rel), want) {
		t.Errorf("related to %q: %q, %v; want %q", art.Title, titles(rel), err, want)
	}
	for _, r := range rel {
		if r.ID == a {
			t.Error("an article is not related to itself")
		}
	}

	mid, _ := f.s.Articles.Get(ctx, b)
	prev, next, err := f.s.Articles.Neighbours(ctx, testNow, mid)
	if err != nil || prev == nil || next == nil || prev.ID != a || next.ID != d {
		t.Errorf("neighbours of %q: prev %v next %v err %v", mid.Title, prev, next, err)
	}
}

func titles(as []Article) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Title)
	}
	return out
}

// rename changes an article's slug the way the newsroom does: an Update of the current version.
func rename(t *testing.T, s *Store, id int64, slug string) error {
	t.Helper()
	a, err := s.Articles.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	in := a.Input()
	in.Slug = slug
	_, err = s.Articles.Update(context.Background(), testNow, id, a.Version, in)
	return err
}

func TestRenameKeepsOldSlugAsRedirect(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.add(t, "Mayor resigns", f.world, nil)
	if err := rename(t, f.s, id, "mayor-resigns-after-vote"); err != nil {
		t.Fatal(err)
	}
	to, err := f.s.Articles.RedirectSlug(ctx, testNow, "mayor-resigns")
	if err != nil || to != "mayor-resigns-after-vote" {
		t.Fatalf("old slug → %q, %v", to, err)
	}
	// Renaming back must not leave a redirect loop.
	if err := rename(t, f.s, id, "mayor-resigns"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Articles.RedirectSlug(ctx, testNow, "mayor-resigns"); !errors.Is(err, ErrNotFound) {
		t.Errorf("current slug must not redirect: %v", err)
	}
	other := f.add(t, "Other story", f.world, nil)
	if err := rename(t, f.s, other, "mayor-resigns"); err == nil {
		t.Error("renaming onto a taken slug must fail")
	} else if v, ok := AsValidation(err); !ok || v["slug"] == "" {
		t.Errorf("want a slug validation error, got %v", err)
	}
}

func TestArticleValidation(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name  string
		in    ArticleInput
		field string
	}{
		{"no headline", ArticleInput{Title: "  ", SectionID: f.world.ID, Status: StatusDraft}, "title"},
		{"no section", ArticleInput{Title: "T", Status: StatusDraft}, "section"},
		{"bad slug", ArticleInput{Title: "T", Slug: "Not A Slug", SectionID: f.world.ID, Status: StatusDraft}, "slug"},
		{"photo without alt", ArticleInput{Title: "T", SectionID: f.world.ID, Status: StatusDraft, MediaID: 1}, "image_alt"},
		{"published without time", ArticleInput{Title: "T", SectionID: f.world.ID, Status: StatusPublished}, "published_at"},
		{"unknown status", ArticleInput{Title: "T", SectionID: f.world.ID, Status: "live"}, "status"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.s.Articles.Create(context.Background(), testNow, c.in)
			v, ok := AsValidation(err)
			if !ok || v[c.field] == "" {
				t.Fatalf("want a message on %q, got %v", c.field, err)
			}
		})
	}
	var n int
	f.s.R.QueryRow("SELECT count(*) FROM articles").Scan(&n)
	if n != 0 {
		t.Errorf("%d rows written by rejected input", n)
	}
	// A duplicate slug typed by the editor is a field error (a repeated headline, or the
	// slug it makes typed as it is, gets "-2" instead), and nothing half-written remains
	// (authors, tags).
	f.add(t, "Same title", f.world, nil)
	_, err := f.s.Articles.Create(context.Background(), testNow, ArticleInput{Title: "Another title", Slug: "same-title", SectionID: f.world.ID,
		Status: StatusDraft, AuthorIDs: []int64{f.author.ID}, Tags: []string{"Lonely tag"}})
	if v, ok := AsValidation(err); !ok || v["slug"] == "" {
		t.Fatalf("duplicate slug: %v", err)
	}
	if _, err := f.s.Tags.BySlug(context.Background(), "lonely-tag"); !errors.Is(err, ErrNotFound) {
		t.Error("a rejected article left its tag behind")
	}
}

func TestBodyIsSanitisedAndDatelineLeads(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.add(t, "Hostile body", f.world, func(in *ArticleInput) {
		in.Body = "Talks <script>alert(1)</script> resumed.\n\n[link](javascript:alert(2)) <img src=x onerror=alert(3)>"
		in.Dateline, in.Wire = "Tehran", "Reuters <b>"
	})
	a, _ := f.s.Articles.Get(ctx, id)
	body := string(a.BodyWithDateline())
	for _, bad := range []string{"<script", "javascript:", "onerror", "<b>"} {
		if strings.Contains(body, bad) {
			t.Errorf("body keeps %q: %s", bad, body)
		}
	}
	want := "<p><span class=\"dateline\">TEHRAN (Reuters &lt;b&gt;)\u00a0—</span> Talks"
	if !strings.Contains(body, want) {
		t.Errorf("dateline does not lead the first paragraph:\n%s", body)
	}
}

func TestLatestBySection(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var lead int64
	for i := 0; i < 5; i++ {
		id := f.add(t, "World "+string(rune('A'+i)), f.world, func(in *ArticleInput) { in.PublishedAt = testNow.Add(-time.Duration(i+1) * time.Hour) })
		if i == 0 {
			lead = id
		}
	}
	f.add(t, "Sport A", f.sports, nil)
	f.add(t, "Sport draft", f.sports, func(in *ArticleInput) { in.Status = StatusDraft })
	got, err := f.s.Articles.LatestBySection(ctx, testNow, 3, []int64{lead})
	if err != nil {
		t.Fatal(err)
	}
	if w := titles(got[f.world.ID]); strings.Join(w, ",") != "World B,World C,World D" {
		t.Errorf("world block %v: want the 3 newest without the lead", w)
	}
	if s := titles(got[f.sports.ID]); strings.Join(s, ",") != "Sport A" {
		t.Errorf("sport block %v: drafts must not show", s)
	}
}

func mustID(t *testing.T, s *Store, slug string) int64 {
	t.Helper()
	var id int64
	if err := s.R.QueryRow("SELECT id FROM articles WHERE slug = ?", slug).Scan(&id); err != nil {
		t.Fatalf("%s: %v", slug, err)
	}
	return id
}

// A page reached by the Older link starts after the last story of the page before
// (Page.After) instead of counting past every story above it. Walking a list that way
// must give exactly the pages the numbers give, ties in publication time included, for
// every kind of list; and when a story is published meanwhile, the walk neither repeats
// nor skips one.
func TestPagesAfterAStoryMatchPagesByNumber(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := 0; i < 11; i++ {
		f.add(t, fmt.Sprintf("Story %d", i), f.world, func(in *ArticleInput) {
			in.PublishedAt = testNow.Add(-time.Duration(i/2+1) * time.Hour) // pairs published at the same minute
			in.Tags = []string{"Oil"}
		})
	}
	f.add(t, "Not yet", f.world, func(in *ArticleInput) {
		in.Tags, in.Status, in.PublishedAt = []string{"Oil"}, StatusScheduled, testNow.Add(time.Hour)
	})
	f.add(t, "Elsewhere", f.sports, nil)
	oil, err := f.s.Tags.BySlug(ctx, "oil")
	if err != nil {
		t.Fatal(err)
	}
	page := func(flt Filter, p Page) []int64 {
		t.Helper()
		got, err := f.s.Articles.Published(ctx, testNow, flt, p)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(got.Items))
		for i, a := range got.Items {
			ids[i] = a.ID
		}
		return ids
	}
	for name, flt := range map[string]Filter{
		"all": {}, "world": {SectionID: f.world.ID}, "oil": {TagID: oil.ID}, "ann": {AuthorID: f.author.ID},
		"oil in world": {SectionID: f.world.ID, TagID: oil.ID},
	} {
		prev := page(flt, Page{Number: 1, Size: 3})
		for n := 2; len(prev) == 3; n++ {
			byKey := page(flt, Page{Number: n, Size: 3, After: prev[len(prev)-1]})
			if byNumber := page(flt, Page{Number: n, Size: 3}); fmt.Sprint(byKey) != fmt.Sprint(byNumber) {
				t.Errorf("%s, page %d: after the page before %v, by number %v", name, n, byKey, byNumber)
			}
			prev = byKey
		}
		// And back again by the Newer link, from the last page to page 2.
		got, err := f.s.Articles.Published(ctx, testNow, flt, Page{Number: 1, Size: 3})
		if err != nil {
			t.Fatal(err)
		}
		next := page(flt, Page{Number: got.Pages, Size: 3})
		for n := got.Pages - 1; n >= 2; n-- {
			byKey := page(flt, Page{Number: n, Size: 3, Before: next[0]})
			if byNumber := page(flt, Page{Number: n, Size: 3}); fmt.Sprint(byKey) != fmt.Sprint(byNumber) {
				t.Errorf("%s, page %d: before the page after %v, by number %v", name, n, byKey, byNumber)
			}
			next = byKey
		}
	}
	if got, want := page(Filter{}, Page{Number: 2, Size: 3, After: 999999}), page(Filter{}, Page{Number: 2, Size: 3}); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after a story that is not there: %v, want page 2 by number %v", got, want)
	}

	// A link naming a story readers cannot see (scheduled, a draft) reads the page by
	// its number, as an unknown story does: it shows nothing of the story's time.
	later := f.add(t, "Later still", f.world, func(in *ArticleInput) {
		in.Status, in.PublishedAt = StatusScheduled, testNow.Add(2*time.Hour)
	})
	draft := f.add(t, "Old draft", f.world, func(in *ArticleInput) {
		in.Status, in.PublishedAt = StatusDraft, testNow.Add(-3*time.Hour)
	})
	// Both named (no link of ours does): the page after the first one.
	top := page(Filter{}, Page{Number: 1, Size: 3})
	if got, want := page(Filter{}, Page{Number: 2, Size: 3, After: top[2], Before: top[0]}), page(Filter{}, Page{Number: 2, Size: 3}); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after %d and before another: %v, want %v", top[2], got, want)
	}
	for _, id := range []int64{later, draft} {
		for _, p := range []Page{{Number: 2, Size: 3, After: id}, {Number: 2, Size: 3, Before: id}} {
			if got, want := page(Filter{}, p), page(Filter{}, Page{Number: 2, Size: 3}); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%+v, a story readers cannot see: %v, want page 2 by number %v", p, got, want)
			}
		}
	}

	first, second := page(Filter{}, Page{Number: 1, Size: 3}), page(Filter{}, Page{Number: 2, Size: 3})
	f.add(t, "Breaking", f.world, func(in *ArticleInput) { in.PublishedAt = testNow.Add(-time.Minute) })
	if shifted := page(Filter{}, Page{Number: 2, Size: 3}); shifted[0] != first[2] {
		t.Fatalf("the new story should push page 1's last story onto page 2 by number: %v after %v", shifted, first)
	}
	if next := page(Filter{}, Page{Number: 2, Size: 3, After: first[2]}); fmt.Sprint(next) != fmt.Sprint(second) {
		t.Errorf("after a new story, the Older link from %v gives %v, want the page that followed it, %v", first, next, second)
	}
}
