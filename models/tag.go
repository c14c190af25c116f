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

// tagTx returns the id of the tag called name (case aside) inside tx, creating it if
// needed. A new tag whose slug another tag has ("C++" and "C#" are both "c") gets
// "c-2", so each keeps its own page. created says whether a row was written; id 0
// means the name has no letter or digit to make an address from.
func tagTx(ctx context.Context, tx *sql.Tx, name string) (id int64, created bool, err error) {
	err = tx.QueryRowContext(ctx, "SELECT id FROM tags WHERE name = ?", name).Scan(&id)
	if !errors.Is(err, sql.ErrNoRows) {
		return id, false, err
	}
	base := Slugify(name)
	if base == "" {
		return 0, false, nil
	}
	slug, err := freeSlug(ctx, base, tableSlugTaken(tx, "tags"))
	if err != nil {
		return 0, false, err
	}
	err = tx.QueryRowContext(ctx, "INSERT INTO tags (name, slug) VALUES (?, ?) RETURNING id", name, slug).Scan(&id)
	return id, err == nil, err
}
