package models

import (
	"context"
	"database/sql"
	"errors"
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
	rows, err := ss.s.R.QueryContext(ctx, "SELECT id, name, slug, description, position FROM sections ORDER BY position, name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Section
	for rows.Next() {
		var sec Section
		if err := rows.Scan(&sec.ID, &sec.Name, &sec.Slug, &sec.Description, &sec.Position); err != nil {
			return nil, err
		}
		out = append(out, sec)
	}
	return out, rows.Err()
}

// BySlug returns the section with this slug, or ErrNotFound.
func (ss *SectionStore) BySlug(ctx context.Context, slug string) (Section, error) {
	var sec Section
	err := ss.s.R.QueryRowContext(ctx, "SELECT id, name, slug, description, position FROM sections WHERE slug = ?", slug).
		Scan(&sec.ID, &sec.Name, &sec.Slug, &sec.Description, &sec.Position)
	if errors.Is(err, sql.ErrNoRows) {
		return sec, ErrNotFound
	}
	return sec, err
}

// Create adds a section at the end of the order.
func (ss *SectionStore) Create(ctx context.Context, name, description string) (Section, error) {
	sec := Section{Name: strings.TrimSpace(name), Slug: Slugify(name), Description: strings.TrimSpace(description)}
	if sec.Name == "" || sec.Slug == "" {
		return sec, ValidationError{"name": "A section needs a name."}
	}
	err := ss.s.W.QueryRowContext(ctx, `INSERT INTO sections (name, slug, description, position)
		VALUES (?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM sections)) RETURNING id, position`,
		sec.Name, sec.Slug, sec.Description).Scan(&sec.ID, &sec.Position)
	if isUnique(err) {
		return sec, ValidationError{"name": "There is already a section with this name."}
	}
	return sec, err
}
