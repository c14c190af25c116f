package models

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"
)

// AuditEntry is one editorial action: who did what to what, when.
type AuditEntry struct {
	ID        int64
	UserName  string // empty when the account is gone or the action was automatic
	Action    string // e.g. "article.publish", "article.delete", "user.block"
	Target    string
	CreatedAt time.Time
}

// AuditStore reads the audit log; entries are written by the operations they record.
type AuditStore struct{ s *Store }

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// logAudit records an action, inside the caller's transaction where there is one so
// the log and the change it describes are saved together.
func logAudit(ctx context.Context, db execer, now time.Time, by int64, action, target string) error {
	_, err := db.ExecContext(ctx, "INSERT INTO audit_log (user_id, action, target, created_at) VALUES (?, ?, ?, ?)",
		sql.NullInt64{Int64: by, Valid: by != 0}, action, target, fmtTime(now))
	return err
}

// logArticleAudit records an action on story id inside tx, naming the story as the
// other article entries do.
func logArticleAudit(ctx context.Context, tx *sql.Tx, now time.Time, by int64, action string, id int64) error {
	var title string
	err := tx.QueryRowContext(ctx, "SELECT title FROM articles WHERE id = ?", id).Scan(&title)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	return logAudit(ctx, tx, now, by, action, articleTarget(title, id))
}

// Log records an action that has no transaction of its own (for example, blocking a commenter).
func (as *AuditStore) Log(ctx context.Context, now time.Time, by int64, action, target string) error {
	return as.s.inTurn(ctx, func() error { return logAudit(ctx, as.s.W, now, by, action, target) })
}

// Recent lists the newest n entries.
func (as *AuditStore) Recent(ctx context.Context, n int) ([]AuditEntry, error) {
	return queryAll(ctx, as.s.R, func(sc scanner) (AuditEntry, error) {
		var e AuditEntry
		var created string
		err := sc.Scan(&e.ID, &e.UserName, &e.Action, &e.Target, &created)
		e.CreatedAt = parseTime(created)
		return e, err
	}, `SELECT l.id, coalesce(u.name, ''), l.action, l.target, l.created_at
		FROM audit_log l LEFT JOIN users u ON u.id = l.user_id ORDER BY l.created_at DESC, l.id DESC LIMIT ?`, n)
}

// auditVerbs say each action as the newsroom would.
var auditVerbs = map[string]string{
	"article.published":           "published",
	"article.scheduled":           "scheduled",
	"article.unpublished":         "unpublished",
	"article.delete":              "deleted",
	"comment.approve":             "approved",
	"comment.spam":                "marked as spam",
	"comment.delete":              "deleted",
	"comment.edit":                "edited",
	"article.live.start":          "started live coverage of",
	"article.live.post":           "posted a live entry on",
	"article.live.edit":           "edited a live entry on",
	"article.live.delete":         "deleted a live entry on",
	"article.live.close":          "closed live coverage of",
	"article.front.lead":          "made",
	"article.front.top":           "placed",
	"article.front.section":       "placed",
	"article.front.move":          "moved",
	"article.front.remove":        "took",
	"article.correction.file":     "filed a correction on",
	"article.clarification.file":  "filed a clarification on",
	"article.update.file":         "posted an update on",
	"article.correction.amend":    "amended a correction on",
	"article.clarification.amend": "amended a clarification on",
	"article.update.amend":        "amended an update on",
	"user.role":                   "changed the role of",
	"user.block":                  "blocked",
	"user.unblock":                "unblocked",
	"user.deactivate":             "deactivated the account of",
	"user.reactivate":             "reactivated the account of",
}

// auditTails finish the sentences whose words go on after the story's name.
var auditTails = map[string]string{
	"article.front.lead":    "the lead of the front page",
	"article.front.top":     "among the front page's top stories",
	"article.front.section": "in its section's block on the front page",
	"article.front.move":    "on the front page",
	"article.front.remove":  "off the front page",
}

// Tail is what the sentence says after the entry's target ("off the front page"), or "".
func (e AuditEntry) Tail() string { return auditTails[e.Action] }

// Who names the person who acted. Entries without one were made by the site itself
// (the sample paper, an import) or by an account since removed.
func (e AuditEntry) Who() string {
	if e.UserName == "" {
		return "Broadsheet"
	}
	return e.UserName
}

// Verb is the action in words: "published", not "article.published". An action
// without words yet reads as its parts ("section rename").
func (e AuditEntry) Verb() string {
	if v, ok := auditVerbs[e.Action]; ok {
		return v
	}
	return strings.ReplaceAll(e.Action, ".", " ")
}

// auditArticle is how article entries name their story: “Headline” (#12).
var auditArticle = regexp.MustCompile(`^“(.*)” \(#(\d+)\)$`)

// What is the entry's target in words, a story's headline in quotes and cut to a
// glance: ‘Sea wall breached…’.
func (e AuditEntry) What() string {
	if m := auditArticle.FindStringSubmatch(e.Target); m != nil {
		title := m[1]
		if cut := truncateRunes(title, 48); cut != title {
			if i := strings.LastIndexByte(cut, ' '); i > 0 {
				cut = cut[:i] // at a word's end
			}
			title = strings.TrimRight(cut, " ,;:—-") + "…"
		}
		return "‘" + title + "’"
	}
	return e.Target
}

// Link is the newsroom page of the story an entry is about, or "" (a deleted story has none).
func (e AuditEntry) Link() string {
	if m := auditArticle.FindStringSubmatch(e.Target); m != nil && strings.HasPrefix(e.Action, "article.") && e.Action != "article.delete" {
		return "/admin/articles/" + m[2]
	}
	return ""
}
