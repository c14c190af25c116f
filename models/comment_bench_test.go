package models

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// benchDiscussions gives each of arts stories n comments from one reader, a minute
// apart (so flood control passes them and the post path runs every check), in
// threads of five: a top-level comment and a chain of four replies beneath it.
func benchDiscussions(b *testing.B, arts, n int) (*Store, []Article, User, *poster) {
	b.Helper()
	s, art, ada, _ := discussionDB(b)
	out := []Article{art}
	for len(out) < arts {
		id, err := s.Articles.Create(context.Background(), testNow, ArticleInput{Title: fmt.Sprintf("Story %d", len(out)), Body: "Text.",
			SectionID: art.Section.ID, Status: StatusPublished, PublishedAt: testNow.Add(-time.Hour), CommentsOpen: true})
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, Article{ID: id})
	}
	p := &poster{t: b, s: s, now: testNow}
	for _, a := range out {
		var parent int64
		for i := 0; i < n; i++ {
			if i%5 == 0 {
				parent = 0
			}
			parent = p.post(a, ada, parent, fmt.Sprintf("Comment %d, a sentence or two of opinion.", i)).ID
		}
	}
	return s, out, ada, p
}

// BenchmarkPostComment is what one accepted POST asks of the store: Post, then PageOf
// to find where the redirect lands. Stories are used in turn, so with
// -benchtime=1000x the short discussions stay between 10 and 20 comments.
//
//	go test -tags sqlite_fts5 -run '^$' -bench 'PostComment|DiscussionPage' -benchtime=1000x ./models
func BenchmarkPostComment(b *testing.B) {
	for _, tc := range []struct{ arts, n int }{{100, 10}, {1, 5000}} {
		b.Run(fmt.Sprint(tc.n), func(b *testing.B) {
			s, arts, ada, p := benchDiscussions(b, tc.arts, tc.n)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				p.now = p.now.Add(time.Minute)
				c, err := s.Comments.Post(ctx, p.now, NewComment{ArticleID: arts[i%len(arts)].ID, User: &ada, Body: fmt.Sprintf("Benchmark comment %d", i), IP: "192.0.2.1"})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Comments.PageOf(ctx, c, ada.ID, 50); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkDiscussionPage loads the first and the last page of 50 threads of a
// 5,000-comment discussion (1,000 threads, 20 pages), as an anonymous reader, in each
// order a reader may choose. One thread in three carries votes, so "best" has scores
// to order by.
func BenchmarkDiscussionPage(b *testing.B) {
	s, arts, _, p := benchDiscussions(b, 1, 5000)
	ctx := context.Background()
	voters := make([]User, 3)
	for i := range voters {
		u, err := s.Users.Create(ctx, testNow, NewUser{Email: fmt.Sprintf("voter%d@example.com", i), Name: fmt.Sprintf("Voter %d", i),
			Password: "long enough password"})
		if err != nil {
			b.Fatal(err)
		}
		voters[i] = u
	}
	th, err := s.Comments.Thread(ctx, arts[0].ID, 0, Page{Number: 1, Size: 1000})
	if err != nil {
		b.Fatal(err)
	}
	for i, r := range th.Items {
		if i%3 == 0 {
			if _, err := s.Comments.Vote(ctx, p.now, r.ID, voters[i%len(voters)], []int{VoteUp, VoteDown}[i%2]); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, order := range Orders {
		for _, page := range []int{1, 20} {
			b.Run(fmt.Sprintf("%s/page%d", order, page), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					th, err := s.Comments.ThreadIn(ctx, arts[0].ID, 0, Page{Number: page, Size: 50}, order)
					if err != nil || len(th.Items) != 50 || th.Pages != 20 {
						b.Fatalf("page %d: %d threads of %d pages, %v", page, len(th.Items), th.Pages, err)
					}
				}
			})
		}
	}
}

// BenchmarkDiscussionPageAfterReply is the first page of the 5,000-comment discussion
// (50 threads of five comments) read after each new reply to one of its threads, the
// threads in turn: read whole (ThreadIn), and read again from the last reading
// (ThreadAgain), which reads whole only the thread replied to. The threads grow by a
// comment every 50 replies, in both alike.
func BenchmarkDiscussionPageAfterReply(b *testing.B) {
	ctx := context.Background()
	page := Page{Number: 1, Size: 50}
	for _, again := range []bool{false, true} {
		b.Run(map[bool]string{false: "whole", true: "again"}[again], func(b *testing.B) {
			s, arts, ada, p := benchDiscussions(b, 1, 5000)
			first, err := s.Comments.Thread(ctx, arts[0].ID, 0, page)
			if err != nil {
				b.Fatal(err)
			}
			var last *ThreadsRead
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				b.StopTimer()
				p.now = p.now.Add(time.Minute)
				if _, err := s.Comments.Post(ctx, p.now, NewComment{ArticleID: arts[0].ID, ParentID: first.Items[i%50].ID, User: &ada,
					Body: fmt.Sprintf("Reply %d", i), IP: "192.0.2.1"}); err != nil {
					b.Fatal(err)
				}
				i++
				b.StartTimer()
				if again {
					if _, last, err = s.Comments.ThreadAgain(ctx, arts[0].ID, page, OrderOldest, last); err != nil {
						b.Fatal(err)
					}
				} else if _, err := s.Comments.ThreadIn(ctx, arts[0].ID, 0, page, OrderOldest); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
