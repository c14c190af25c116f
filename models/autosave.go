package models

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Autosave is the story form as its editor left it, saved by the form's script so
// that a closed tab or a crash loses nothing.
type Autosave struct {
	Form    string // URL-encoded fields
	SavedAt time.Time
}

// PutAutosave keeps userID's latest unsaved form for article articleID (0: a new story).
func (as *ArticleStore) PutAutosave(ctx context.Context, now time.Time, userID, articleID int64, form string) error {
	_, err := as.s.exec(ctx, `INSERT INTO article_autosaves (user_id, article_id, form, saved_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, article_id) DO UPDATE SET form = excluded.form, saved_at = excluded.saved_at`,
		userID, articleID, form, fmtTime(now))
	return err
}

// GetAutosave returns userID's autosave of article articleID, or ErrNotFound.
func (as *ArticleStore) GetAutosave(ctx context.Context, userID, articleID int64) (Autosave, error) {
	var a Autosave
	var at string
	err := as.s.R.QueryRowContext(ctx, "SELECT form, saved_at FROM article_autosaves WHERE user_id = ? AND article_id = ?",
		userID, articleID).Scan(&a.Form, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	a.SavedAt = parseTime(at)
	return a, err
}

// DropAutosave forgets userID's autosave of article articleID: the story was saved or
// the autosave discarded.
func (as *ArticleStore) DropAutosave(ctx context.Context, userID, articleID int64) error {
	_, err := as.s.exec(ctx, "DELETE FROM article_autosaves WHERE user_id = ? AND article_id = ?", userID, articleID)
	return err
}
