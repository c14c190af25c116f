package models

import (
	"context"
	"database/sql"
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

// Log records an action that has no transaction of its own (for example, blocking a commenter).
func (as *AuditStore) Log(ctx context.Context, now time.Time, by int64, action, target string) error {
	return logAudit(ctx, as.s.W, now, by, action, target)
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
