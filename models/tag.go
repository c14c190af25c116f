package models

import (
	"context"
	"database/sql"
	"errors"
)

// Tag is a topic that cuts across sections.
type Tag struct {
	ID   int64
	Name string
	Slug string
}

// TagStore reads tags.
type TagStore struct{ s *Store }

// BySlug returns the tag with this slug, or ErrNotFound.
func (ts *TagStore) BySlug(ctx context.Context, slug string) (Tag, error) {
	return scanTag(ts.s.R.QueryRowContext(ctx, "SELECT id, name, slug FROM tags WHERE slug = ?", slug))
}

func scanTag(sc scanner) (Tag, error) {
	var t Tag
	err := sc.Scan(&t.ID, &t.Name, &t.Slug)
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrNotFound
	}
	return t, err
}
