// Package jsonexport writes a whole site as documented JSON, one file per kind
// (the format is described in the README under "Taking a site back out").
package jsonexport

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"time"

	"broadsheet/models"
)

// FormatVersion is written into site.json; it changes only when a field changes meaning.
const FormatVersion = 1

// Counts says how much an export wrote.
type Counts struct {
	Users    int   `json:"users"`
	Sections int   `json:"sections"`
	Tags     int   `json:"tags"`
	Articles int   `json:"articles"`
	Comments int   `json:"comments"`
	Bytes    int64 `json:"-"`
}

// manifest is site.json.
type manifest struct {
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	Site       string    `json:"site"`
	Name       string    `json:"name"`
	Tagline    string    `json:"tagline,omitempty"`
	ExportedAt time.Time `json:"exported_at"`
	Counts     Counts    `json:"counts"`
}

// Export writes users.json, sections.json, tags.json, articles.json and
// comments.json into dir (created if missing; files there are replaced), then
// site.json, which is written last so that its presence means a finished export.
// Each file is one JSON array with one object a line, written as the rows are read:
// memory stays bounded whatever the size of the site. progress, if not nil, is
// called after every article and comment.
func Export(ctx context.Context, s *models.Store, now time.Time, site, dir string, progress func(Counts)) (Counts, error) {
	var n Counts
	st, err := s.Settings.Get(ctx)
	if err != nil {
		return n, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return n, err
	}
	// site.json from an earlier export would vouch for files half-rewritten now.
	if err := os.Remove(filepath.Join(dir, "site.json")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return n, err
	}
	tick := func() {
		if progress != nil {
			progress(n)
		}
	}
	err = s.Export(ctx, func(snap *models.Snapshot) error {
		files := []struct {
			name string
			fill func(put func(any) error) error
		}{
			{"users.json", func(put func(any) error) error {
				return snap.Users(ctx, func(u models.ExportedUser) error { n.Users++; return put(u) })
			}},
			{"sections.json", func(put func(any) error) error {
				return snap.Sections(ctx, func(x models.ExportedSection) error { n.Sections++; return put(x) })
			}},
			{"tags.json", func(put func(any) error) error {
				return snap.Tags(ctx, func(t models.ExportedTag) error { n.Tags++; return put(t) })
			}},
			{"articles.json", func(put func(any) error) error {
				return snap.Articles(ctx, func(a models.ExportedArticle) error { n.Articles++; tick(); return put(a) })
			}},
			{"comments.json", func(put func(any) error) error {
				return snap.Comments(ctx, 0, func(c models.ExportedComment) error { n.Comments++; tick(); return put(c) })
			}},
		}
		for _, f := range files {
			if err := writeArray(filepath.Join(dir, f.name), &n.Bytes, f.fill); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	m := manifest{Format: "broadsheet-export", Version: FormatVersion, Site: site, Name: st.SiteName, Tagline: st.Tagline,
		ExportedAt: now.UTC(), Counts: n}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return n, err
	}
	n.Bytes += int64(len(b) + 1)
	return n, os.WriteFile(filepath.Join(dir, "site.json"), append(b, '\n'), 0o644)
}

// writeArray writes the file as a JSON array, one element a line, from what fill
// puts, adding what it writes to *bytes as it goes.
func writeArray(name string, bytes *int64, fill func(put func(any) error) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	b := bufio.NewWriterSize(f, 64<<10)
	sep := "[\n"
	write := func(p []byte) error {
		n, err := b.Write(p)
		*bytes += int64(n)
		return err
	}
	err = fill(func(v any) error {
		line, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := write([]byte(sep)); err != nil {
			return err
		}
		sep = ",\n"
		return write(line)
	})
	if err == nil && sep == "[\n" {
		err = write([]byte("[]\n"))
	} else if err == nil {
		err = write([]byte("\n]\n"))
	}
	if err == nil {
		err = b.Flush()
	}
	return errors.Join(err, f.Close())
}
