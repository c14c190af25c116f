package models

import (
	"context"
	"errors"
	"testing"
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
