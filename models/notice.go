package models

import (
	"context"
	"database/sql"
	"errors"
	"html/template"
	"time"
)

// Notices are what a reader asked to be told by mail: a reply to their comment made
// public, and their held comment approved or removed. Each is written in the same
// transaction as its event; SendNotices later turns them into mail, one message per
// reader and list, so several replies in a short time arrive together.

// Kinds of notice.
const (
	NoticeReply    = "reply"    // the comment is a public reply to one of the reader's
	NoticeApproved = "approved" // the reader's held comment was approved
	NoticeRemoved  = "removed"  // the reader's held comment was removed (spam or deleted)
)

// Lists a reader can leave with one click from the mail itself.
const (
	ListReplies    = "replies"
	ListModeration = "moderation"
)

// Kinds of mail that notices make.
const (
	MailReplies    = "replies"
	MailModeration = "moderation"
)

// DigestWindow is how long a reader's first notice waits for others to join it in
// one message. Ten minutes: a lively thread's replies arrive together, and a reply
// is still news when it arrives.
const DigestWindow = 10 * time.Minute

// mailable is the condition on users u that may be sent notices: never a blocked or
// deactivated account, nor one without a password. Sign-up makes an account only
// when the mailed link is followed, so every account with a password has proven its
// address or was made by an administrator; imported accounts have none and are never mailed.
const mailable = "u.blocked = 0 AND u.deactivated = 0 AND u.password_hash <> ''"

// Notice is one thing to tell a reader, with what the message needs to say it.
type Notice struct {
	Kind         string
	CommentID    int64
	ArticleTitle string
	ArticleSlug  string
	Author       string // who wrote the comment
	Excerpt      string // the start of its text, plain
	CreatedAt    time.Time
}

// List is the mail list the notice belongs to.
func (n Notice) List() string {
	if n.Kind == NoticeReply {
		return ListReplies
	}
	return ListModeration
}

// noticeReply tells the parent's author, if they asked for replies (on that comment or
// for all theirs) and may be mailed, that the public comment replyID answers them.
// Replying to oneself tells no one.
func noticeReply(ctx context.Context, tx *sql.Tx, now time.Time, replyID int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO notices (user_id, kind, comment_id, created_at)
		SELECT p.user_id, 'reply', r.id, ? FROM comments r
		JOIN comments p ON p.id = r.parent_id JOIN users u ON u.id = p.user_id
		WHERE r.id = ? AND r.status = 'approved' AND r.user_id IS DISTINCT FROM p.user_id AND `+mailable+`
		AND (u.notify_replies = 1 OR EXISTS (SELECT 1 FROM reply_watches w WHERE w.comment_id = p.id))
		ON CONFLICT DO NOTHING`, fmtTime(now), replyID)
	return err
}

// noticeModeration tells a held comment's author, if they asked, what a moderator did.
func noticeModeration(ctx context.Context, tx *sql.Tx, now time.Time, commentID int64, kind string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO notices (user_id, kind, comment_id, created_at)
		SELECT c.user_id, ?, c.id, ? FROM comments c JOIN users u ON u.id = c.user_id
		WHERE c.id = ? AND u.notify_moderation = 1 AND `+mailable+` ON CONFLICT DO NOTHING`, kind, fmtTime(now), commentID)
	return err
}

// NoticeMail words one message: the notices of one list for one reader, oldest first.
type NoticeMail func(u User, list string, ns []Notice) Mail

// SendNotices queues the mail of every reader whose oldest notice has waited window:
// one message per reader and list, holding all their notices. Each reader is done
// in one transaction, so a notice is mailed once, even with several servers. A reply
// removed meanwhile is left out, and a reader who may no longer be mailed gets
// nothing. It returns how many messages it queued.
func (s *Store) SendNotices(ctx context.Context, now time.Time, window time.Duration, build NoticeMail) (int, error) {
	readers, err := queryAll(ctx, s.R, func(sc scanner) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	}, "SELECT DISTINCT user_id FROM notices WHERE created_at <= ?", fmtTime(now.Add(-window)))
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, id := range readers {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			u, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userCols+" FROM users u WHERE id = ? AND "+mailable, id))
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			may := err == nil
			type row struct {
				Notice
				id     int64
				status string
			}
			rows, err := queryAll(ctx, tx, func(sc scanner) (row, error) {
				var r row
				var html template.HTML
				var created string
				err := sc.Scan(&r.id, &r.Kind, &r.CommentID, &r.ArticleTitle, &r.ArticleSlug, &r.Author, &html, &r.status, &created)
				r.Excerpt, r.CreatedAt = s.San.Excerpt(html, 300), parseTime(created)
				return r, err
			}, `SELECT n.id, n.kind, n.comment_id, a.title, a.slug, coalesce(cu.name, c.guest_name), c.body_html, c.status, n.created_at
				FROM notices n JOIN comments c ON c.id = n.comment_id JOIN articles a ON a.id = c.article_id
				LEFT JOIN users cu ON cu.id = c.user_id WHERE n.user_id = ? ORDER BY n.created_at, n.id`, id)
			if err != nil || len(rows) == 0 {
				return err
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM notices WHERE user_id = ? AND id <= ?", id, rows[len(rows)-1].id); err != nil {
				return err
			}
			lists := map[string][]Notice{}
			for _, r := range rows {
				if r.Kind != NoticeReply || r.status == CommentApproved {
					lists[r.List()] = append(lists[r.List()], r.Notice)
				}
			}
			for _, list := range []string{ListReplies, ListModeration} {
				if ns := lists[list]; may && len(ns) > 0 {
					if err := enqueueMail(ctx, tx, now, build(u, list, ns)); err != nil {
						return err
					}
					sent++
				}
			}
			return nil
		})
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// SetNotifications records which mail a reader wants (their account settings).
func (us *UserStore) SetNotifications(ctx context.Context, id int64, replies, moderation bool) error {
	return us.exec1(ctx, "UPDATE users SET notify_replies = ?, notify_moderation = ? WHERE id = ?", replies, moderation, id)
}

// Unsubscribe takes a reader off a list, as the one-click link in its mail asks:
// for replies, the account setting and every comment they asked replies to; for
// moderation, the account setting. Notices not yet mailed go too.
func (us *UserStore) Unsubscribe(ctx context.Context, id int64, list string) error {
	return us.s.tx(ctx, func(tx *sql.Tx) error {
		q := []string{"UPDATE users SET notify_moderation = 0 WHERE id = ?",
			"DELETE FROM notices WHERE user_id = ? AND kind IN ('approved', 'removed')"}
		if list == ListReplies {
			q = []string{"UPDATE users SET notify_replies = 0 WHERE id = ?", "DELETE FROM reply_watches WHERE user_id = ?",
				"DELETE FROM notices WHERE user_id = ? AND kind = 'reply'"}
		}
		for _, s := range q {
			if _, err := tx.ExecContext(ctx, s, id); err != nil {
				return err
			}
		}
		return nil
	})
}
