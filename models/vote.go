package models

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// CollapseAt is the score at or below which a comment is folded away behind "show":
// three more readers disliked it than liked it. Its replies stay open, so a thread
// is never hidden because of one comment in it.
const CollapseAt = -3

// Collapsed reports whether the comment's score folds it away.
func (c Comment) Collapsed() bool { return c.Score <= CollapseAt }

// A vote's direction, as readers send it.
const (
	VoteUp   = 1
	VoteDown = -1
	VoteNone = 0 // withdraw the vote
)

// VoteRefused is a vote the rules do not allow (one's own comment, a blocked account,
// a closed discussion). Handlers answer 403 with the reason.
type VoteRefused struct{ Reason string }

func (e *VoteRefused) Error() string { return e.Reason }

// Vote records u's vote on comment id (VoteUp, VoteDown, or VoteNone to withdraw it)
// and returns the comment's new score. Voting the same way twice leaves one vote.
// Only approved comments of open discussions take votes, never from their own author
// or from a blocked or deactivated account; the checks and the write are one
// transaction, so a block landing meanwhile cannot let a vote through.
func (cs *CommentStore) Vote(ctx context.Context, now time.Time, id int64, u User, value int) (int, error) {
	if value < VoteDown || value > VoteUp {
		return 0, ValidationError{"dir": "A vote is up, down or none."}
	}
	st, err := cs.s.Settings.Get(ctx)
	if err != nil {
		return 0, err
	}
	var score int
	err = cs.s.tx(ctx, func(tx *sql.Tx) error {
		var article, author int64
		var status string
		err := tx.QueryRowContext(ctx, "SELECT article_id, coalesce(user_id, 0), status FROM comments WHERE id = ?", id).
			Scan(&article, &author, &status)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && status != CommentApproved) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		var blocked, deactivated bool
		if err := tx.QueryRowContext(ctx, "SELECT blocked, deactivated FROM users WHERE id = ?", u.ID).Scan(&blocked, &deactivated); err != nil {
			return err
		}
		switch {
		case blocked || deactivated:
			return &VoteRefused{"Your account has been blocked from taking part in discussions, so it cannot vote."}
		case author == u.ID:
			return &VoteRefused{"You cannot vote on your own comment."}
		}
		if err := checkOpen(ctx, tx, article, st, now); err != nil {
			if _, ok := AsValidation(err); ok {
				return &VoteRefused{"This discussion is closed, so its comments take no more votes."}
			}
			return err
		}
		if value == VoteNone {
			_, err = tx.ExecContext(ctx, "DELETE FROM comment_votes WHERE comment_id = ? AND user_id = ?", id, u.ID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO comment_votes (comment_id, user_id, value, created_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (comment_id, user_id) DO UPDATE SET value = excluded.value, created_at = excluded.created_at
				WHERE comment_votes.value <> excluded.value`, id, u.ID, value, fmtTime(now))
		}
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT score FROM comments WHERE id = ?", id).Scan(&score)
	})
	return score, err
}

// Voter is one vote as staff see it.
type Voter struct {
	UserID int64
	Name   string
	Email  string
	Value  int
	At     time.Time
}

// Voters lists who voted on comment id, latest first, for staff.
func (cs *CommentStore) Voters(ctx context.Context, id int64) ([]Voter, error) {
	return queryAll(ctx, cs.s.R, func(sc scanner) (Voter, error) {
		var v Voter
		var at string
		err := sc.Scan(&v.UserID, &v.Name, &v.Email, &v.Value, &at)
		v.At = parseTime(at)
		return v, err
	}, `SELECT u.id, u.name, u.email, v.value, v.created_at FROM comment_votes v JOIN users u ON u.id = v.user_id
		WHERE v.comment_id = ? ORDER BY v.created_at DESC, u.id`, id)
}
