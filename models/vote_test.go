package models

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestVoteKeepsOneScoreAndMovesTheDiscussionVersion(t *testing.T) {
	s, art, ada, bo := discussionDB(t)
	ctx := context.Background()
	p := &poster{t: t, s: s, now: testNow}
	c := p.post(art, ada, 0, "Vote on me.")
	version := func() int64 {
		t.Helper()
		v, err := s.Versions(ctx, art.ID)
		if err != nil {
			t.Fatal(err)
		}
		return v.Discussion
	}
	for _, step := range []struct {
		value, score int
	}{{VoteUp, 1}, {VoteUp, 1}, {VoteDown, -1}, {VoteNone, 0}, {VoteNone, 0}} {
		before := version()
		score, err := s.Comments.Vote(ctx, p.now, c.ID, bo, step.value)
		if err != nil || score != step.score {
			t.Fatalf("vote %d: score %d, %v; want %d", step.value, score, err, step.score)
		}
		got, _ := s.Comments.Get(ctx, c.ID)
		if got.Score != step.score {
			t.Errorf("vote %d: stored score %d", step.value, got.Score)
		}
		if version() < before {
			t.Errorf("vote %d: the discussion version went back", step.value)
		}
	}
	before := version()
	if _, err := s.Comments.Vote(ctx, p.now, c.ID, bo, VoteUp); err != nil {
		t.Fatal(err)
	}
	if version() == before {
		t.Error("a vote left the discussion version alone: cached pages would show the old score")
	}
	var refused *VoteRefused
	if _, err := s.Comments.Vote(ctx, p.now, c.ID, ada, VoteUp); !errors.As(err, &refused) {
		t.Errorf("own comment: %v", err)
	}
	for _, col := range []string{"blocked", "deactivated"} {
		if _, err := s.W.Exec("UPDATE users SET "+col+" = 1 WHERE id = ?", bo.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Comments.Vote(ctx, p.now, c.ID, bo, VoteDown); !errors.As(err, &refused) {
			t.Errorf("%s account: %v", col, err)
		}
		if _, err := s.W.Exec("UPDATE users SET "+col+" = 0 WHERE id = ?", bo.ID); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.Comments.Get(ctx, c.ID); got.Score != 1 {
		t.Errorf("refused votes changed the score to %d", got.Score)
	}
	if _, err := s.Comments.Vote(ctx, p.now, c.ID, bo, 2); err == nil {
		t.Error("a vote of 2 was taken")
	}
	if _, err := s.Comments.Vote(ctx, p.now, c.ID+99, bo, VoteUp); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown comment: %v", err)
	}
	voters, err := s.Comments.Voters(ctx, c.ID)
	if err != nil || len(voters) != 1 || voters[0].Name != "Bo" || voters[0].Value != VoteUp {
		t.Errorf("voters %+v, %v", voters, err)
	}
	// Deleting the comment takes its votes with it.
	if _, err := s.W.Exec("DELETE FROM comments WHERE id = ?", c.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	s.R.QueryRow("SELECT count(*) FROM comment_votes").Scan(&n)
	if n != 0 {
		t.Errorf("%d votes outlived their comment", n)
	}
}

// Every order lists each thread the viewer sees once, under the number it has in
// order of posting, whatever the page size; the viewer's own held thread is unnumbered.
func TestOrdersKeepTheNumbers(t *testing.T) {
	s, art, ada, bo := discussionDB(t)
	ctx := context.Background()
	p := &poster{t: t, s: s, now: testNow}
	var roots []Comment
	for i := 0; i < 7; i++ {
		roots = append(roots, p.post(art, ada, 0, "Thread "+string(rune('A'+i))))
	}
	p.post(art, bo, roots[2].ID, "A reply")
	newcomer, err := s.Users.Create(ctx, testNow, NewUser{Email: "cy@example.com", Name: "Cy", Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	p.now = p.now.Add(time.Minute)
	held, err := s.Comments.Post(ctx, p.now, NewComment{ArticleID: art.ID, User: &newcomer, Body: "Held for a moderator"})
	if err != nil || !held.Pending() {
		t.Fatalf("want a held thread: %+v %v", held, err)
	}
	p.post(art, ada, 0, "After the held one")
	for i, v := range []int{VoteUp, VoteDown, VoteUp} {
		if _, err := s.Comments.Vote(ctx, p.now, roots[i*2+1].ID, bo, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, viewer := range []int64{0, newcomer.ID} {
		want := map[int64]int{} // thread → number, in order of posting
		for _, size := range []int{1, 2, 3, 50} {
			for _, order := range Orders {
				seen := map[int64]int{}
				var scores []int
				for n := 1; ; n++ {
					th, err := s.Comments.ThreadIn(ctx, art.ID, viewer, Page{Number: n, Size: size}, order)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range th.Items {
						if _, dup := seen[r.ID]; dup {
							t.Fatalf("%s, size %d: thread %d twice", order, size, r.ID)
						}
						seen[r.ID] = r.Number
						scores = append(scores, r.Score)
					}
					if n >= th.Pages {
						break
					}
				}
				if len(want) == 0 {
					for id, num := range seen {
						want[id] = num
					}
				}
				if len(seen) != len(want) {
					t.Errorf("viewer %d, %s, size %d: %d threads, want %d", viewer, order, size, len(seen), len(want))
				}
				for id, num := range want {
					if seen[id] != num {
						t.Errorf("viewer %d, %s, size %d: thread %d numbered %d, want %d", viewer, order, size, id, seen[id], num)
					}
				}
				if order == OrderBest && (scores[0] != 1 || scores[len(scores)-1] != -1) {
					t.Errorf("best first: scores %v", scores)
				}
			}
		}
		if n, ok := want[held.ID]; viewer == newcomer.ID && (!ok || n != 0) {
			t.Errorf("the held thread: shown %t, numbered %d", ok, n)
		}
		if want[roots[0].ID] != 1 || len(want) < 8 {
			t.Errorf("viewer %d numbers %v", viewer, want)
		}
	}
}

// A comment's place in a discussion shown by votes or newest first is counted among its
// own story's threads. SQLite planned that count from whichever index its statistics
// favoured: on an archive of 400,000 comments, the index of parents, where every
// top-level comment of the site sits under NULL, so a permalink walked them all. It is
// SQLite's plan that is checked, so the test opens SQLite whichever engine the others
// run on.
func TestAPlaceAmongThreadsReadsOneStorysThreads(t *testing.T) {
	s := sqliteStore(t)
	ctx := context.Background()
	world, err := s.Sections.Create(ctx, "World", "")
	if err != nil {
		t.Fatal(err)
	}
	// 200 stories, each with 20 threads of 4 replies.
	at := fmtTime(testNow)
	execAll(t, s, []any{sql.Named("section", world.ID), sql.Named("at", at)},
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
			INSERT INTO articles (title, slug, section_id, status, published_at, created_at, modified_at)
			SELECT 'Story ' || i, 'story-' || i, :section, 'published', :at, :at, :at FROM n`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
			INSERT INTO comments (article_id, body_src, body_html, created_at) SELECT a.id, 'hi', 'hi', :at FROM articles a, n`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4)
			INSERT INTO comments (article_id, parent_id, root_id, body_src, body_html, created_at)
			SELECT r.article_id, r.id, r.id, 'hi', 'hi', :at FROM comments r, n WHERE r.parent_id IS NULL`,
		`ANALYZE`)
	for order, before := range threadBefore {
		plan := queryPlan(t, s, threadsBefore(before), sql.Named("id", 1), sql.Named("viewer", 0))
		if !searches(plan, "r", "comments_roots (article_id=?") {
			t.Errorf("%s: the threads before a comment's are not read from its story's top-level comments:\n%s", order, strings.Join(plan, "\n"))
		}
	}
}
