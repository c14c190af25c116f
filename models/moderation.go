package models

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Reasons a comment was held for moderation, recorded on the comment so moderators see why.
const (
	HeldFirst = "first" // the account has no approved comment yet
	HeldLinks = "links" // more links than Settings.LinksBeforeHold
	HeldWord  = "word"  // a word from Settings.HeldWords
	HeldGuest = "guest" // posted without an account
)

// holdReasons applies the hold rules to a comment about to be stored. Staff are
// exempt from the first-comment rule (and, in Post, from flood control), as
// WordPress exempts them; links and held words apply to everyone.
func holdReasons(st Settings, guest, staff, firstTime bool, src string, body string) []string {
	var out []string
	if guest {
		out = append(out, HeldGuest)
	} else if firstTime && !staff {
		out = append(out, HeldFirst)
	}
	if strings.Count(body, "<a ") > st.LinksBeforeHold {
		out = append(out, HeldLinks)
	}
	if hasHeldWord(src, st.HeldWords) {
		out = append(out, HeldWord)
	}
	return out
}

// hasHeldWord matches whole words (and phrases) case-insensitively, so "ass" holds
// "ass" but not "class".
func hasHeldWord(src string, words []string) bool {
	if len(words) == 0 {
		return false
	}
	// Words are separated by anything that is not a letter or digit; padding with
	// spaces makes phrase matches whole-word too.
	norm := " " + strings.Join(strings.FieldsFunc(strings.ToLower(src), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ") + " "
	for _, w := range words {
		w = strings.Join(strings.FieldsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
		if w != "" && strings.Contains(norm, " "+w+" ") {
			return true
		}
	}
	return false
}

// DiscussionClosed reports whether an article's discussion takes no new comments:
// closed by an editor, or older than the site's CloseAfterDays.
func DiscussionClosed(a Article, st Settings, now time.Time) bool {
	return discussionClosed(a.CommentsOpen, a.PublishedAt, st, now)
}

// DiscussionClosesAt is when an open discussion closes by age (zero: not by age).
func DiscussionClosesAt(a Article, st Settings) time.Time {
	if !a.CommentsOpen || st.CloseAfterDays <= 0 || a.PublishedAt.IsZero() {
		return time.Time{}
	}
	return a.PublishedAt.AddDate(0, 0, st.CloseAfterDays)
}

func discussionClosed(open bool, published time.Time, st Settings, now time.Time) bool {
	if !open {
		return true
	}
	return st.CloseAfterDays > 0 && !published.IsZero() && now.After(published.AddDate(0, 0, st.CloseAfterDays))
}

// ModCounts are the numbers a moderator's dashboard shows.
type ModCounts struct {
	Pending  int
	Reported int // comments with unresolved reports
	Spam     int
}

// Counts returns the moderation queue sizes.
func (cs *CommentStore) Counts(ctx context.Context) (ModCounts, error) {
	var m ModCounts
	err := cs.s.R.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM comments WHERE status = 'pending'),
		(SELECT count(DISTINCT r.comment_id) FROM comment_reports r JOIN comments c ON c.id = r.comment_id
		 WHERE r.resolved = 0 AND c.status = 'approved'),
		(SELECT count(*) FROM comments WHERE status = 'spam')`).Scan(&m.Pending, &m.Reported, &m.Spam)
	return m, err
}

const modFrom = ` FROM comments c LEFT JOIN users u ON u.id = c.user_id JOIN articles a ON a.id = c.article_id`

// Pending lists comments awaiting moderation, oldest first, with the article they
// belong to, the rules that held them (Comment.HeldReasons) and how many other
// comments came from the same network (Comment.SameNetwork).
func (cs *CommentStore) Pending(ctx context.Context, p Page) (Paged[Comment], error) {
	return cs.modList(ctx, p, "c.status = 'pending'", "c.created_at, c.id")
}

// Reported lists public comments readers have reported and no moderator has yet
// dealt with, most reported first, with the count and the reasons given.
func (cs *CommentStore) Reported(ctx context.Context, p Page) (Paged[Comment], error) {
	return cs.modList(ctx, p, "c.status = 'approved' AND EXISTS (SELECT 1 FROM comment_reports r WHERE r.comment_id = c.id AND r.resolved = 0)",
		"reports DESC, c.created_at, c.id")
}

func (cs *CommentStore) modList(ctx context.Context, p Page, where, order string) (Paged[Comment], error) {
	var out Paged[Comment]
	if err := cs.s.R.QueryRowContext(ctx, "SELECT count(*) FROM comments c WHERE "+where).Scan(&out.Total); err != nil {
		return out, err
	}
	out.setPage(p)
	var err error
	out.Items, err = queryAll(ctx, cs.s.R, func(sc scanner) (Comment, error) {
		var title, slug string
		var reports, same int
		c, err := scanComment(sc, &title, &slug, intCol[int]{&reports}, intCol[int]{&same})
		c.ArticleTitle, c.ArticleSlug, c.Reports, c.SameNetwork = title, slug, reports, same
		return c, err
	}, "SELECT "+commentCols+`, a.title, a.slug,
		(SELECT count(*) FROM comment_reports r WHERE r.comment_id = c.id AND r.resolved = 0) AS reports,
		(SELECT count(*) FROM comment_networks o JOIN comment_networks n ON o.network = n.network
		 WHERE n.comment_id = c.id AND o.comment_id <> c.id)`+
		modFrom+" WHERE "+where+" ORDER BY "+order+" LIMIT ? OFFSET ?", p.limit(), p.offset())
	if err != nil {
		return out, err
	}
	return out, cs.attachReports(ctx, out.Items)
}

// attachReports fills in who reported each comment, when and why.
func (cs *CommentStore) attachReports(ctx context.Context, cms []Comment) error {
	index := map[int64]int{}
	var ids []string
	for i, c := range cms {
		if c.Reports > 0 {
			index[c.ID] = i
			ids = append(ids, strconv.FormatInt(c.ID, 10))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := cs.s.R.QueryContext(ctx, `SELECT r.comment_id, coalesce(u.name, ''), r.reason, r.created_at
		FROM comment_reports r LEFT JOIN users u ON u.id = r.user_id
		WHERE r.resolved = 0 AND r.comment_id IN (SELECT value FROM `+cs.s.jsonIDs()+`) ORDER BY r.created_at, r.user_id`,
		"["+strings.Join(ids, ",")+"]")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r Report
		var at string
		if err := rows.Scan(&id, &r.By, &r.Reason, &at); err != nil {
			return err
		}
		r.At = parseTime(at)
		cms[index[id]].OpenReports = append(cms[index[id]].OpenReports, r)
	}
	return rows.Err()
}

// Approve makes a comment public and settles any reports against it.
func (cs *CommentStore) Approve(ctx context.Context, now time.Time, id int64) error {
	return cs.moderate(ctx, now, id, CommentApproved)
}

// MarkSpam hides a comment as spam and settles any reports against it.
func (cs *CommentStore) MarkSpam(ctx context.Context, now time.Time, id int64) error {
	return cs.moderate(ctx, now, id, CommentSpam)
}

// Delete removes a comment as a moderator; replies stay, under "[comment deleted]".
func (cs *CommentStore) Delete(ctx context.Context, now time.Time, id int64) error {
	return cs.moderate(ctx, now, id, CommentDeleted)
}

// moderate sets a comment's status as a moderator. In the same transaction it notes
// what its readers asked to be told: a reply made public tells the parent's author;
// a held comment approved or removed tells its own.
func (cs *CommentStore) moderate(ctx context.Context, now time.Time, id int64, status string) error {
	return cs.s.tx(ctx, func(tx *sql.Tx) error {
		var was string
		if err := tx.QueryRowContext(ctx, "SELECT status FROM comments WHERE id = ?", id).Scan(&was); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE comments SET status = ? WHERE id = ?", status, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE comment_reports SET resolved = 1 WHERE comment_id = ?", id); err != nil {
			return err
		}
		if status == CommentApproved && was != CommentApproved {
			if err := noticeReply(ctx, tx, now, id); err != nil {
				return err
			}
		}
		if was != CommentPending || status == CommentPending {
			return nil
		}
		kind := NoticeRemoved
		if status == CommentApproved {
			kind = NoticeApproved
		}
		return noticeModeration(ctx, tx, now, id, kind)
	})
}

// ModEdit lets a moderator change a comment's text (to trim a slur, say) without
// changing its status. The text is checked and sanitised like any comment.
func (cs *CommentStore) ModEdit(ctx context.Context, now time.Time, id int64, body string) (Comment, error) {
	ready, err := cs.s.ReadyComment(body)
	if err != nil {
		return Comment{}, err
	}
	res, err := cs.s.exec(ctx, "UPDATE comments SET body_src = ?, body_html = ?, edited_at = ? WHERE id = ?",
		ready.src, string(ready.html), fmtTime(now), id)
	if err := oneRow(res, err); err != nil {
		return Comment{}, err
	}
	return cs.Get(ctx, id)
}

// Block stops a user from commenting and ends every session they hold at once.
func (us *UserStore) Block(ctx context.Context, id int64) error {
	return us.exec1(ctx, "UPDATE users SET blocked = 1, session_version = session_version + 1 WHERE id = ?", id)
}

// Unblock lets a blocked user comment again.
func (us *UserStore) Unblock(ctx context.Context, id int64) error {
	return us.exec1(ctx, "UPDATE users SET blocked = 0 WHERE id = ?", id)
}
