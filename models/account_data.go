package models

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// A reader's own data: everything the site holds about them, to take away, and
// closing the account for good.

// DeletedAccountName is shown for the comments a closed account chose to leave.
const DeletedAccountName = "[deleted account]"

// AccountExport is what a reader downloads: their account and their comments.
type AccountExport struct {
	Account struct {
		ID               int64     `json:"id"`
		Email            string    `json:"email"`
		Name             string    `json:"name"`
		Bio              string    `json:"bio,omitempty"`
		Role             string    `json:"role"`
		CreatedAt        time.Time `json:"created_at"`
		NotifyReplies    bool      `json:"email_replies"`
		NotifyModeration bool      `json:"email_moderation"`
	} `json:"account"`
	Comments []ReaderComment `json:"comments"`
}

// ReaderComment is one of the reader's comments, as they wrote it.
type ReaderComment struct {
	ID           int64      `json:"id"`
	Article      string     `json:"article"`
	ArticleSlug  string     `json:"article_slug"`
	ParentID     int64      `json:"parent_id,omitempty"`
	Text         string     `json:"text"`
	Status       string     `json:"status"`
	WatchReplies bool       `json:"email_replies"`
	CreatedAt    time.Time  `json:"created_at"`
	EditedAt     *time.Time `json:"edited_at,omitempty"`
}

// Export gathers a reader's data. Their password (only its hash is kept) and the
// keyed hashes of their networks are left out: neither says anything to them.
func (us *UserStore) Export(ctx context.Context, id int64) (AccountExport, error) {
	var out AccountExport
	u, err := us.Get(ctx, id)
	if err != nil {
		return out, err
	}
	a := &out.Account
	a.ID, a.Email, a.Name, a.Bio, a.Role, a.CreatedAt = u.ID, u.Email, u.Name, u.Bio, u.Role, u.CreatedAt
	a.NotifyReplies, a.NotifyModeration = u.NotifyReplies, u.NotifyModeration
	out.Comments, err = queryAll(ctx, us.s.R, func(sc scanner) (ReaderComment, error) {
		var c ReaderComment
		var created string
		var edited sql.NullString
		err := sc.Scan(&c.ID, &c.Article, &c.ArticleSlug, &c.ParentID, &c.Text, &c.Status, &c.WatchReplies, &created, &edited)
		c.CreatedAt = parseTime(created)
		if edited.Valid {
			t := parseTime(edited.String)
			c.EditedAt = &t
		}
		return c, err
	}, `SELECT c.id, a.title, a.slug, coalesce(c.parent_id, 0), c.body_src, c.status,
		EXISTS (SELECT 1 FROM reply_watches w WHERE w.comment_id = c.id), c.created_at, c.edited_at
		FROM comments c JOIN articles a ON a.id = c.article_id WHERE c.user_id = ? ORDER BY c.created_at, c.id`, id)
	if out.Comments == nil {
		out.Comments = []ReaderComment{}
	}
	return out, err
}

// DeleteAccount closes a reader's account for good. Their comments either stay,
// signed DeletedAccountName, or are removed as a moderator's deletion removes them
// (replies by others stay, under "[comment deleted]"); either way the change bumps
// the discussions' versions through the comment triggers, so cached pages change at
// once. Whatever else names them goes too: mail queued or kept for their address,
// mailed links, login counters, networks. Staff accounts are closed by an
// administrator, not here: their names are on stories.
func (us *UserStore) DeleteAccount(ctx context.Context, id int64, removeComments bool) error {
	return us.s.tx(ctx, func(tx *sql.Tx) error {
		var email, role string
		if err := tx.QueryRowContext(ctx, "SELECT email, role FROM users WHERE id = ?", id).Scan(&email, &role); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if role != RoleCommenter {
			return ValidationError{"delete": "Staff accounts are closed by an administrator: ask one."}
		}
		comments := []any{"UPDATE comments SET guest_name = ? WHERE user_id = ?", DeletedAccountName, id}
		if removeComments {
			comments = []any{"UPDATE comments SET status = 'deleted', body_src = '', body_html = '' WHERE user_id = ?", id}
		}
		for _, q := range [][]any{
			{"DELETE FROM comment_networks WHERE comment_id IN (SELECT id FROM comments WHERE user_id = ?)", id},
			comments,
			{"DELETE FROM mail_outbox WHERE to_addr = ? COLLATE NOCASE", email},
			{"DELETE FROM mail_tokens WHERE email = ?", email},
			{"DELETE FROM login_failures WHERE key = ?", "email:" + strings.ToLower(email)},
			{"DELETE FROM users WHERE id = ?", id},
		} {
			if _, err := tx.ExecContext(ctx, q[0].(string), q[1:]...); err != nil {
				return err
			}
		}
		return nil
	})
}
