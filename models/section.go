package models

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
)

// Section is a department of the paper: World, Business, Sport …
type Section struct {
	ID          int64
	Name        string
	Slug        string
	Description string
	Position    int
}

// SectionStore reads and writes sections.
type SectionStore struct{ s *Store }

// All lists sections in the editors' chosen order.
func (ss *SectionStore) All(ctx context.Context) ([]Section, error) {
	return queryAll(ctx, ss.s.R, scanSection, "SELECT "+sectionCols+" FROM sections ORDER BY position, name")
}

const sectionCols = "id, name, slug, description, position"

func scanSection(sc scanner) (Section, error) {
	var sec Section
	err := sc.Scan(&sec.ID, &sec.Name, &sec.Slug, &sec.Description, &sec.Position)
	if errors.Is(err, sql.ErrNoRows) {
		return sec, ErrNotFound
	}
	return sec, err
}

// BySlug returns the section with this slug, or ErrNotFound.
func (ss *SectionStore) BySlug(ctx context.Context, slug string) (Section, error) {
	return scanSection(ss.s.R.QueryRowContext(ctx, "SELECT "+sectionCols+" FROM sections WHERE slug = ?", slug))
}

// Create adds a section at the end of the order.
func (ss *SectionStore) Create(ctx context.Context, name, description string) (Section, error) {
	return inTurnValue(ctx, ss.s, func() (Section, error) { return insertSection(ctx, ss.s.W, name, "", description) })
}

// insertSection adds a section at the end of the order, on the server's writer or in
// an import's transaction (q). slug "" takes a free one made from the name; an import
// passes the old site's, which must already be a slug. A taken name or slug is a
// ValidationError on the name.
func insertSection(ctx context.Context, q querier, name, slug, description string) (Section, error) {
	sec := Section{Name: strings.TrimSpace(name), Slug: slug, Description: strings.TrimSpace(description)}
	if sec.Name == "" || Slugify(sec.Name) == "" {
		return sec, ValidationError{"name": "A section needs a name."}
	}
	var err error
	switch {
	case slug == "":
		if sec.Slug, err = freeSlug(ctx, Slugify(sec.Name), tableSlugTaken(q, "sections")); err != nil {
			return sec, err
		}
	case Slugify(slug) != slug:
		return sec, ValidationError{"slug": "A section's address is letters, digits and hyphens."}
	}
	err = q.QueryRowContext(ctx, `INSERT INTO sections (name, slug, description, position)
		VALUES (?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM sections)) RETURNING id, position`,
		sec.Name, sec.Slug, sec.Description).Scan(&sec.ID, &sec.Position)
	if isUnique(err) {
		return sec, ValidationError{"name": "There is already a section with this name."}
	}
	return sec, err
}

// Get returns the section with this id, or ErrNotFound.
func (ss *SectionStore) Get(ctx context.Context, id int64) (Section, error) {
	var sec Section
	err := ss.s.R.QueryRowContext(ctx, "SELECT id, name, slug, description, position FROM sections WHERE id = ?", id).
		Scan(&sec.ID, &sec.Name, &sec.Slug, &sec.Description, &sec.Position)
	if errors.Is(err, sql.ErrNoRows) {
		return sec, ErrNotFound
	}
	return sec, err
}

// Update renames and re-describes a section. The slug stays as it was, so the
// section's address (and every link to it) keeps working after a rename.
func (ss *SectionStore) Update(ctx context.Context, id int64, name, description string) error {
	name = strings.TrimSpace(name)
	if name == "" || Slugify(name) == "" {
		return ValidationError{"name": "A section needs a name."}
	}
	err := oneRow(ss.s.exec(ctx, "UPDATE sections SET name = ?, description = ? WHERE id = ?", name, strings.TrimSpace(description), id))
	if isUnique(err) {
		return ValidationError{"name": "There is already a section with this name."}
	}
	return err
}

// Move swaps a section with its neighbour earlier (up) or later in the order.
func (ss *SectionStore) Move(ctx context.Context, id int64, up bool) error {
	return ss.s.tx(ctx, func(tx *sql.Tx) error {
		return moveInOrder(ctx, tx, "SELECT id FROM sections ORDER BY position, name", nil,
			"UPDATE sections SET position = ? WHERE id = ?", id, up)
	})
}

// moveInOrder moves id one place earlier (up) or later in the order that list reads
// (ids, first to last), staying put at either end, and writes every position from 1
// with update (position, id) — which also repairs ties left by older data.
func moveInOrder(ctx context.Context, tx *sql.Tx, list string, args []any, update string, id int64, up bool) error {
	rows, err := tx.QueryContext(ctx, list, args...)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var x int64
		if err := rows.Scan(&x); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, x)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	i := slices.Index(ids, id)
	if i < 0 {
		return ErrNotFound
	}
	j := i + 1
	if up {
		j = i - 1
	}
	if j >= 0 && j < len(ids) {
		ids[i], ids[j] = ids[j], ids[i]
	}
	for pos, x := range ids {
		if _, err := tx.ExecContext(ctx, update, pos+1, x); err != nil {
			return err
		}
	}
	return nil
}
