package models

import (
	"context"
	"testing"
	"time"
)

// Every kind of write a reader could see moves the version the page cache keys on,
// and nothing else does: a write that left the versions alone would leave a stale page.
func TestVersionsMoveWithEveryWrite(t *testing.T) {
	f := newFixture(t)
	s, ctx, now := f.s, context.Background(), testNow
	art := f.add(t, "The story", f.world, nil)
	other := f.add(t, "Another story", f.world, nil)
	reader, err := s.Users.Create(ctx, now, NewUser{Email: "rea@example.com", Name: "Rea", Password: "long enough pass"})
	must(t, err)

	read := func() Versions {
		t.Helper()
		v, err := s.Versions(ctx, art)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	type move int
	const (
		site move = iota
		discussion
		none
	)
	var lastComment Comment
	cases := []struct {
		name  string
		write func(t *testing.T)
		moves move
	}{
		{"section renamed", func(t *testing.T) { must(t, s.Sections.Update(ctx, f.world.ID, "World news", "")) }, site},
		{"story published with a new tag", func(t *testing.T) {
			f.add(t, "Tagged", f.sports, func(in *ArticleInput) { in.Tags = []string{"floods"} })
		}, site},
		{"settings saved", func(t *testing.T) {
			st := DefaultSettings()
			st.SiteName = "The Other Paper"
			must(t, s.Settings.Save(ctx, st))
		}, site},
		{"author renamed", func(t *testing.T) {
			_, err := s.W.ExecContext(ctx, "UPDATE users SET name = 'Ann Other' WHERE id = ?", f.author.ID)
			must(t, err)
		}, site},
		{"password changed (not shown anywhere)", func(t *testing.T) { must(t, s.Users.SetPassword(ctx, f.author.ID, "a brand new password")) }, none},
		{"comment posted", func(t *testing.T) {
			c, err := s.Comments.Post(ctx, now, NewComment{ArticleID: art, User: &reader, Body: "First!"})
			must(t, err)
			lastComment = c
		}, discussion},
		{"comment edited", func(t *testing.T) {
			_, err := s.Comments.Edit(ctx, now, lastComment.ID, reader, "First, edited")
			must(t, err)
		}, discussion},
		{"comment deleted", func(t *testing.T) { must(t, s.Comments.DeleteOwn(ctx, lastComment.ID, reader.ID)) }, discussion},
		{"comment on another story", func(t *testing.T) {
			_, err := s.Comments.Post(ctx, now.Add(time.Hour), NewComment{ArticleID: other, User: &reader, Body: "Elsewhere"})
			must(t, err)
		}, none},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := read()
			tc.write(t)
			after := read()
			switch tc.moves {
			case site:
				if after.Site == before.Site {
					t.Errorf("site version did not move: %+v", after)
				}
			case discussion:
				if after.Discussion == before.Discussion || after.Comments == before.Comments {
					t.Errorf("discussion versions did not move: before %+v after %+v", before, after)
				}
			case none:
				if after.Site != before.Site || after.Discussion != before.Discussion {
					t.Errorf("versions moved: before %+v after %+v", before, after)
				}
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The approved count kept beside the discussion version (lists and story pages show it)
// agrees with a count of the rows through every change of a comment's state.
func TestKeptApprovedCountAgrees(t *testing.T) {
	f := newFixture(t)
	s, ctx := f.s, context.Background()
	art := f.add(t, "The story", f.world, nil)
	reader, err := s.Users.Create(ctx, testNow, NewUser{Email: "rea@example.com", Name: "Rea", Password: "long enough pass"})
	must(t, err)
	check := func(step string) {
		t.Helper()
		v, err := s.Versions(ctx, art)
		must(t, err)
		var n int
		must(t, s.R.QueryRowContext(ctx, "SELECT count(*) FROM comments WHERE article_id = ? AND status = 'approved'", art).Scan(&n))
		if v.Approved != n {
			t.Errorf("%s: kept %d approved, the rows say %d", step, v.Approved, n)
		}
	}
	held, err := s.Comments.Post(ctx, testNow, NewComment{ArticleID: art, User: &reader, Body: "Held first"})
	must(t, err)
	check("held")
	must(t, s.Comments.Approve(ctx, testNow, held.ID))
	check("approved")
	second, err := s.Comments.Post(ctx, testNow.Add(time.Minute), NewComment{ArticleID: art, User: &reader, Body: "Second"})
	must(t, err)
	check("second")
	must(t, s.Comments.MarkSpam(ctx, testNow, second.ID))
	check("spam")
	must(t, s.Comments.Approve(ctx, testNow, second.ID))
	check("approved again")
	must(t, s.Comments.DeleteOwn(ctx, second.ID, reader.ID))
	check("deleted")
	_, err = s.W.ExecContext(ctx, "DELETE FROM comments WHERE id = ?", held.ID)
	must(t, err)
	check("row removed")
}
