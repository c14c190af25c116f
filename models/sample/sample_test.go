package sample

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"broadsheet/models"
	"broadsheet/models/storetest"
)

// testNow is the pinned clock of the sample's tests.
var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// newAdmin creates the site's administrator, as the first run does before seeding.
func newAdmin(tb testing.TB, s *models.Store) models.User {
	tb.Helper()
	admin, err := s.Users.Create(context.Background(), testNow, models.NewUser{Email: "admin@example.com",
		Name: "Site Administrator", Password: "correct horse battery", Role: models.RoleAdmin})
	if err != nil {
		tb.Fatal(err)
	}
	return admin
}

// seedSample seeds a fresh store the way the first run does (data.go).
func seedSample(tb testing.TB) *models.Store {
	tb.Helper()
	s := storetest.Open(tb, tb.TempDir())
	if err := Seed(context.Background(), s, testNow, newAdmin(tb, s)); err != nil {
		tb.Fatal(err)
	}
	return s
}

// sampleByStatus finds the sample story with this status; the tests must not depend on which one it is.
func sampleByStatus(t *testing.T, status string) sampleArticle {
	t.Helper()
	for _, a := range sampleArticles {
		if a.Status == status {
			return a
		}
	}
	t.Fatalf("no sample story has status %q", status)
	return sampleArticle{}
}

func TestSeedFillsTheFrontPage(t *testing.T) {
	s := seedSample(t)
	ctx := context.Background()
	all, err := s.Articles.Published(ctx, testNow, models.Filter{}, models.Page{Number: 1, Size: 100})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("enough stories in enough sections", func(t *testing.T) {
		sections := map[string]bool{}
		for _, a := range all.Items {
			sections[a.Section.Name] = true
		}
		if all.Total < 12 || len(sections) < 4 {
			t.Errorf("%d visible stories in %d sections, want ≥ 12 in ≥ 4", all.Total, len(sections))
		}
	})

	t.Run("every story has a described picture, a byline, a dateline and a wire", func(t *testing.T) {
		for _, a := range all.Items {
			if a.Dateline == "" || a.Wire == "" || len(a.Authors) == 0 || len(a.Tags) < 2 {
				t.Errorf("%q: dateline %q, wire %q, %d authors, %d tags", a.Title, a.Dateline, a.Wire, len(a.Authors), len(a.Tags))
			}
			img := a.Image
			if img == nil {
				t.Errorf("%q has no lead picture", a.Title)
				continue
			}
			if img.Alt == "" || img.Caption == "" || img.Credit == "" {
				t.Errorf("%q picture: alt %q, caption %q, credit %q", a.Title, img.Alt, img.Caption, img.Credit)
			}
			if img.Width != artWidth || img.Height != artHeight || len(img.Sizes) < 2 {
				t.Errorf("%q picture is %d×%d with srcset sizes %v, want %d×%d with the smaller sizes made",
					a.Title, img.Width, img.Height, img.Sizes, artWidth, artHeight)
			}
		}
	})

	t.Run("every story has its own picture", func(t *testing.T) {
		seen := map[string]string{}
		for _, a := range all.Items {
			if a.Image == nil {
				continue
			}
			if other, dup := seen[a.Image.Hash]; dup {
				t.Errorf("%q and %q have the same picture", a.Title, other)
			}
			seen[a.Image.Hash] = a.Title
		}
	})

	t.Run("the draft stays hidden", func(t *testing.T) {
		draft := sampleByStatus(t, models.StatusDraft)
		for _, at := range []time.Time{testNow, testNow.Add(30 * sampleDay)} {
			if _, err := s.Articles.PublishedBySlug(ctx, at, models.Slugify(draft.Title)); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("draft at %v: err = %v, want models.ErrNotFound", at, err)
			}
		}
	})

	t.Run("the scheduled story appears by itself", func(t *testing.T) {
		slug := models.Slugify(sampleByStatus(t, models.StatusScheduled).Title)
		if _, err := s.Articles.PublishedBySlug(ctx, testNow, slug); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("scheduled story visible before its time: err = %v", err)
		}
		if _, err := s.Articles.PublishedBySlug(ctx, testNow.Add(3*time.Hour), slug); err != nil {
			t.Errorf("scheduled story three hours later: %v", err)
		}
	})

	t.Run("publication times spread over the last ten days", func(t *testing.T) {
		oldest, newest := all.Items[len(all.Items)-1].PublishedAt, all.Items[0].PublishedAt
		if testNow.Sub(oldest) < 7*sampleDay || testNow.Sub(oldest) > 11*sampleDay || newest.After(testNow) {
			t.Errorf("stories run from %v to %v, want about ten days up to %v", oldest, newest, testNow)
		}
	})

	t.Run("a correction, closed comments", func(t *testing.T) {
		var corrected, closed int
		for _, a := range all.Items {
			if a.Correction != "" && a.UpdatedAt.After(a.PublishedAt) {
				corrected++
			}
			if !a.CommentsOpen {
				closed++
			}
		}
		if corrected == 0 || closed == 0 {
			t.Errorf("%d updated stories with a correction and %d with comments closed, want some of each", corrected, closed)
		}
	})

	t.Run("tag pages list several stories", func(t *testing.T) {
		tag, err := s.Tags.BySlug(ctx, "climate")
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Articles.Published(ctx, testNow, models.Filter{TagID: tag.ID}, models.Page{Number: 1, Size: 20})
		if err != nil {
			t.Fatal(err)
		}
		if got.Total < 2 {
			t.Errorf("tag %s lists %d stories, want ≥ 2", tag.Name, got.Total)
		}
	})

	t.Run("every staff writer has a bio and stories", func(t *testing.T) {
		bylines := map[string]models.Author{}
		for _, a := range all.Items {
			for _, au := range a.Authors {
				bylines[au.Name] = au
			}
		}
		for _, p := range sampleStaff {
			au, ok := bylines[p.Name]
			if !ok {
				t.Errorf("%s has no visible story", p.Name)
				continue
			}
			got, err := s.Articles.Published(ctx, testNow, models.Filter{AuthorID: au.ID}, models.Page{Number: 1, Size: 20})
			if err != nil {
				t.Fatal(err)
			}
			if got.Total == 0 || au.Bio == "" {
				t.Errorf("author page of %s: %d stories, bio %q", p.Name, got.Total, au.Bio)
			}
		}
	})

	t.Run("discussions: nested threads, one closed that still shows them, one comment held", func(t *testing.T) {
		deepest, threads := 0, 0
		var walk func([]*models.Comment)
		walk = func(list []*models.Comment) {
			for _, c := range list {
				deepest = max(deepest, c.Depth)
				walk(c.Replies)
			}
		}
		for _, a := range all.Items {
			th, err := s.Comments.Thread(ctx, a.ID, 0, models.Page{Number: 1, Size: 50})
			if err != nil {
				t.Fatal(err)
			}
			if th.Total > 0 {
				threads++
			}
			walk(th.Items)
		}
		if threads == 0 || deepest < 3 {
			t.Errorf("sample discussions: %d articles with threads, deepest level %d", threads, deepest)
		}
		closedWithComments := 0
		for _, a := range all.Items {
			if !a.CommentsOpen && a.CommentCount > 0 {
				closedWithComments++
			}
		}
		if closedWithComments == 0 {
			t.Error("no closed sample discussion shows comments")
		}
		counts, _ := s.Comments.Counts(ctx)
		if counts.Pending != 1 {
			t.Errorf("pending sample comments = %d, want 1", counts.Pending)
		}
	})
}

// The sample is what a newcomer judges the site by: each story must look like a
// real one, with a full body, a byline and topics that lead somewhere.
func TestSampleStoriesAreComplete(t *testing.T) {
	for _, a := range sampleArticles {
		paragraphs := len(strings.Split(strings.TrimSpace(a.Body), "\n\n"))
		if paragraphs < 4 || paragraphs > 8 || a.Dek == "" || len(a.Authors) < 1 || len(a.Authors) > 2 ||
			len(a.Tags) < 2 || len(a.Tags) > 4 || a.Alt == "" || a.Caption == "" {
			t.Errorf("%q: %d paragraphs, dek %q, %d authors, %d tags, alt %q, caption %q",
				a.Title, paragraphs, a.Dek, len(a.Authors), len(a.Tags), a.Alt, a.Caption)
		}
	}
}

func TestPaintedPicturesDiffer(t *testing.T) {
	hash := func(a artwork) [32]byte { return sha256.Sum256(paint(a).Pix) }
	first, second := sampleArticles[0].Art, sampleArticles[1].Art
	if hash(first) == hash(second) {
		t.Error("two stories' pictures are identical")
	}
	reseeded := first
	reseeded.Seed++
	if hash(first) == hash(reseeded) {
		t.Error("changing only the seed did not change the picture")
	}
	if hash(first) != hash(first) {
		t.Error("the same artwork painted twice gave different pictures; the sample would change on every start")
	}
}

// With several published stories none of which is the sample's own (the sample paper
// changed), the discussions spread over them and one is closed.
func TestSeedDiscussionsOverSeveralArticles(t *testing.T) {
	s := storetest.Open(t, t.TempDir())
	ctx := context.Background()
	sec, err := s.Sections.Create(ctx, "Science", "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if _, err := s.Articles.Create(ctx, testNow, models.ArticleInput{Title: fmt.Sprintf("Story %d", i), Body: "Text.", SectionID: sec.ID,
			Status: models.StatusPublished, PublishedAt: testNow.Add(-time.Duration(i)*sampleDay - time.Hour), CommentsOpen: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := seedDiscussions(ctx, s, testNow); err != nil {
		t.Fatal(err)
	}
	arts, err := s.Articles.Published(ctx, testNow, models.Filter{}, models.Page{Number: 1, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	var discussed, closed int
	for _, a := range arts.Items {
		if a.CommentCount > 0 {
			discussed++
		}
		if !a.CommentsOpen {
			closed++
			if a.CommentCount == 0 {
				t.Errorf("closed discussion %q has no comments to show", a.Title)
			}
		}
	}
	if discussed != len(sampleDiscussions) || closed != 1 {
		t.Errorf("%d articles discussed, %d closed; want %d and 1", discussed, closed, len(sampleDiscussions))
	}
}

func BenchmarkSeed(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s := storetest.Open(b, b.TempDir())
		admin := newAdmin(b, s)
		b.StartTimer()
		if err := Seed(context.Background(), s, testNow, admin); err != nil {
			b.Fatal(err)
		}
	}
}
