package models

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// benchDiscussions makes arts stories each carrying n comments from an editor (staff
// skip flood control and holds, so every post is accepted), in threads of five: a
// root, two replies, a reply to the first reply and a reply to that. It returns the
// store, the stories, the editor and the clock after the last post.
func benchDiscussions(b *testing.B, arts, n int) (*Store, []Article, User, time.Time) {
	b.Helper()
	s := newTestDB(b)
	ctx := context.Background()
	sec, err := s.Sections.Create(ctx, "World", "")
	if err != nil {
		b.Fatal(err)
	}
	ed, err := s.Users.Create(ctx, testNow, NewUser{Email: "ed@example.com", Name: "Ed", Password: "long enough password", Role: RoleEditor})
	if err != nil {
		b.Fatal(err)
	}
	now := testNow
	var out []Article
	for a := 0; a < arts; a++ {
		id, err := s.Articles.Create(ctx, testNow, ArticleInput{Title: fmt.Sprintf("Story %d", a), Body: "Text.", SectionID: sec.ID,
			AuthorIDs: []int64{ed.ID}, Status: StatusPublished, PublishedAt: testNow.Add(-time.Hour), CommentsOpen: true})
		if err != nil {
			b.Fatal(err)
		}
		art, err := s.Articles.Get(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		var root, r1, r2 int64
		for i := 0; i < n; i++ {
			parent := []func() int64{func() int64 { return 0 }, func() int64 { return root }, func() int64 { return root },
				func() int64 { return r1 }, func() int64 { return r2 }}[i%5]()
			now = now.Add(time.Second)
			c, err := s.Comments.Post(ctx, now, NewComment{ArticleID: art.ID, ParentID: parent, User: &ed,
				Body: fmt.Sprintf("Comment %d on story %d, a sentence or two of opinion.", i, a)})
			if err != nil {
				b.Fatal(err)
			}
			switch i % 5 {
			case 0:
				root = c.ID
			case 1:
				r1 = c.ID
			case 3:
				r2 = c.ID
			}
		}
		out = append(out, art)
	}
	return s, out, ed, now
}

// BenchmarkPostComment is what one accepted POST asks of the store: Post, then PageOf
// to find where the redirect lands. Stories are used in turn, so with
// -benchtime=1000x the short discussions stay between 10 and 20 comments.
//
//	go test -tags sqlite_fts5 -run '^$' -bench 'PostComment|DiscussionPage' -benchtime=1000x ./models
func BenchmarkPostComment(b *testing.B) {
	for _, tc := range []struct{ arts, n int }{{100, 10}, {1, 5000}} {
		b.Run(fmt.Sprint(tc.n), func(b *testing.B) {
			s, arts, ed, now := benchDiscussions(b, tc.arts, tc.n)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				now = now.Add(time.Second)
				c, err := s.Comments.Post(ctx, now, NewComment{ArticleID: arts[i%len(arts)].ID, User: &ed, Body: fmt.Sprintf("Benchmark comment %d", i)})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Comments.PageOf(ctx, c, ed.ID, 50); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkDiscussionPage loads the first and the last page of 50 threads of a
// 5,000-comment discussion (1,000 threads, 20 pages), as an anonymous reader.
func BenchmarkDiscussionPage(b *testing.B) {
	s, arts, _, _ := benchDiscussions(b, 1, 5000)
	ctx := context.Background()
	for _, page := range []int{1, 20} {
		b.Run(fmt.Sprint("page", page), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				th, err := s.Comments.Thread(ctx, arts[0].ID, 0, Page{Number: page, Size: 50})
				if err != nil || len(th.Items) != 50 || th.Pages != 20 {
					b.Fatalf("page %d: %d threads of %d pages, %v", page, len(th.Items), th.Pages, err)
				}
			}
		})
	}
}
