package models

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestKeptCountsFollowEveryWrite checks the totals pagers show (live counts and
// live_at, kept by triggers) against a count of the rows themselves after every kind
// of write an editor makes.
func TestKeptCountsFollowEveryWrite(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other, err := f.s.Users.Create(ctx, testNow, NewUser{Email: "bo@example.com", Name: "Bo Writer", Password: "long enough pass", Role: RoleAuthor})
	if err != nil {
		t.Fatal(err)
	}
	a := f.add(t, "Oil prices rise", f.world, func(in *ArticleInput) { in.Tags = []string{"Oil", "Markets"} })
	b := f.add(t, "Oil field closes", f.world, func(in *ArticleInput) { in.Tags = []string{"Oil"} })
	f.add(t, "Cup final tonight", f.sports, func(in *ArticleInput) { in.AuthorIDs = []int64{other.ID} })
	f.add(t, "Oil outlook", f.world, func(in *ArticleInput) {
		in.Tags, in.Status, in.PublishedAt = []string{"Oil"}, StatusScheduled, testNow.Add(time.Hour) // not yet
	})
	f.add(t, "Draft on oil", f.world, func(in *ArticleInput) { in.Tags, in.Status, in.PublishedAt = []string{"Oil"}, StatusDraft, time.Time{} })
	oil, err := f.s.Tags.BySlug(ctx, "oil")
	if err != nil {
		t.Fatal(err)
	}

	check := func(step string) {
		t.Helper()
		for name, flt := range map[string]Filter{
			"all": {}, "world": {SectionID: f.world.ID}, "sport": {SectionID: f.sports.ID},
			"oil": {TagID: oil.ID}, "ann": {AuthorID: f.author.ID}, "bo": {AuthorID: other.ID},
			"oil in world": {SectionID: f.world.ID, TagID: oil.ID},
		} {
			for _, at := range []time.Time{testNow, testNow.Add(2 * time.Hour)} {
				got, err := f.s.Articles.Published(ctx, at, flt, Page{Number: 1, Size: 100})
				if err != nil {
					t.Fatal(err)
				}
				var want int
				if err := f.s.R.QueryRow(`SELECT count(*) FROM articles a WHERE `+visible+`
					AND (?2 = 0 OR a.section_id = ?2)
					AND (?3 = 0 OR a.id IN (SELECT article_id FROM article_tags WHERE tag_id = ?3))
					AND (?4 = 0 OR a.id IN (SELECT article_id FROM article_authors WHERE user_id = ?4))`,
					fmtTime(at), flt.SectionID, flt.TagID, flt.AuthorID).Scan(&want); err != nil {
					t.Fatal(err)
				}
				if got.Total != want || len(got.Items) != want {
					t.Errorf("%s: %s at %s lists %d of total %d, the rows say %d", step, name, at.Format("15:04"), len(got.Items), got.Total, want)
				}
			}
		}
	}
	check("created")
	get := func(id int64) Article {
		art, err := f.s.Articles.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return art
	}
	edit := func(id int64, change func(*ArticleInput)) {
		t.Helper()
		art := get(id)
		in := art.Input()
		change(&in)
		if _, err := f.s.Articles.Update(ctx, testNow, id, art.Version, in); err != nil {
			t.Fatal(err)
		}
	}
	edit(a, func(in *ArticleInput) { in.Status = StatusUnpublished })
	check("unpublished")
	edit(a, func(in *ArticleInput) { in.Status = StatusPublished })
	check("republished")
	edit(b, func(in *ArticleInput) {
		in.SectionID, in.Tags, in.AuthorIDs = f.sports.ID, []string{"Markets"}, []int64{other.ID}
	})
	check("moved, retagged, rebylined")
	edit(b, func(in *ArticleInput) { in.PublishedAt = testNow.Add(time.Hour); in.Status = StatusScheduled })
	check("rescheduled")
	if err := f.s.Articles.Delete(ctx, testNow, a, f.author.ID); err != nil {
		t.Fatal(err)
	}
	check("deleted")
}

// TestSitemapPagesHoldStoriesByID: sitemap n holds the visible stories among ids
// (n-1)*size+1 to n*size; hidden ones leave gaps, and a page of hidden stories only
// is empty but still counted, since the index lists it.
func TestSitemapPagesHoldStoriesByID(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var want []string
	for i := range 7 {
		title := "Story " + string(rune('A'+i))
		f.add(t, title, f.world, func(in *ArticleInput) {
			in.PublishedAt = testNow.Add(-time.Duration(10-i) * time.Hour)
			if i == 1 {
				in.Status = StatusDraft
			}
		})
		if i != 1 {
			want = append(want, Slugify(title))
		}
	}
	for _, title := range []string{"Not yet", "Draft two", "Draft three"} {
		f.add(t, title, f.world, func(in *ArticleInput) {
			in.Status, in.PublishedAt = StatusScheduled, testNow.Add(time.Hour)
			if title != "Not yet" {
				in.Status = StatusDraft
			}
		})
	}
	pages, err := f.s.Articles.SitemapPages(ctx, 3)
	if err != nil || pages != 3 {
		t.Fatalf("%d sitemaps (%v), want 3: the last live id is 8", pages, err)
	}
	var got []string
	sizes := []int{}
	for n := 1; n <= pages; n++ {
		page, err := f.s.Articles.SitemapPage(ctx, testNow, n, 3)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page))
		for _, e := range page {
			got = append(got, e.Slug)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || fmt.Sprint(sizes) != "[2 3 1]" {
		t.Errorf("sitemaps of %v stories list %v, want %v", sizes, got, want)
	}
}

// TestSearchCountsStopAtTheCap: a word in more stories than the cap is counted up to
// the cap and flagged, and the newest matches come first.
func TestSearchCountsStopAtTheCap(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.s.W.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO articles (title, slug, body_src, section_id, status, published_at, created_at, modified_at)
		SELECT 'Harbour report ' || i, 'harbour-' || i, 'The harbour again.', ?, 'published', ?, ?, ? FROM n`,
		searchCap+5, f.world.ID, fmtTime(testNow.Add(-time.Hour)), fmtTime(testNow), fmtTime(testNow)); err != nil {
		t.Fatal(err)
	}
	f.add(t, "Quiet harbour", f.world, nil)
	res, err := f.s.Articles.Search(ctx, testNow, SearchInput{Query: "harbour", ByDate: true}, Page{Number: 1, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != searchCap || !res.More || res.Pages != searchCap/10 || res.Items[0].Title != "Quiet harbour" {
		t.Errorf("total %d (more %v) in %d pages, first %q; want %d, more, %d pages, the newest first",
			res.Total, res.More, res.Pages, res.Items[0].Title, searchCap, searchCap/10)
	}
	rare, err := f.s.Articles.Search(ctx, testNow, SearchInput{Query: "quiet"}, Page{Number: 1, Size: 10})
	if err != nil || rare.Total != 1 || rare.More {
		t.Errorf("a rare word: total %d, more %v, %v; want exactly 1", rare.Total, rare.More, err)
	}
}
