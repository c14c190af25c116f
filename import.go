package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"broadsheet/models/wordpress"
)

// importCmd is `broadsheet import wordpress [-new] [-data DIR] FILE.xml`: progress
// lines go to stderr, the summary to stdout. The import itself lives in models/wordpress.
func (r *cli) importCmd(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	var st site
	var fresh bool
	var media mediaConfig
	fl := newFlagSet("import", "broadsheet import wordpress [-new] [-data DIR] FILE.xml",
		"Imports a WordPress export (WXR) into a site: authors, posts, categories, tags, comments.\n"+
			"Featured images and images in the text are read from an uploads/ folder beside FILE.xml (a copy of wp-content/uploads).\n"+
			"Importing again skips what is already there. WordPress is the only source so far.")
	fl.siteFlags(&st)
	fl.Var(boolValue{&fresh}, "new", "create a new site in the -data folder (refused if one is there)")
	fl.mediaFlags(&media)
	pos, err := fl.parse(args, r.stdout)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "wordpress" {
		return usageErrorf("say what to import from: import wordpress FILE.xml")
	}
	if st.db == "" { // (a PostgreSQL database is its administrator's to create)
		exists, err := siteExists(st.data)
		if err != nil {
			return err
		}
		if fresh && exists {
			return fmt.Errorf("%s already holds a site; leave out -new to import into it", st.data)
		} else if !fresh && !exists {
			return noSite(st.data, "to import into a new site there, add -new")
		}
	}
	files, err := media.files(ctx, log, st.data)
	if err != nil {
		return err
	}
	store, err := openSite(st, fresh)
	if err != nil {
		return err
	}
	defer store.Close()
	store.Media.Files = files
	// One meter per stage: the bytes of the file read, then items looked through for
	// images, then items imported.
	var m *meter
	var last wordpress.Progress
	rep, err := wordpress.Import(ctx, store, time.Now(), pos[1], func(p wordpress.Progress) {
		if m == nil || p.Stage != last.Stage {
			if m != nil {
				m.done(last.Items, last.Total, last.Bytes)
			}
			m = stageMeter(r.stderr, p)
		}
		m.update(p.Items, p.Total, p.Bytes)
		last = p
	})
	if m != nil {
		m.done(last.Items, last.Total, last.Bytes)
	}
	if err != nil {
		if fresh {
			// Leave no empty site behind, so the same command can be run again once the file is mended.
			err = errors.Join(err, store.Close(), removeSite(st.data))
		}
		return fmt.Errorf("import %s: %w (no authors, posts or comments were written)", pos[1], err)
	}
	if err := rep.Table(out); err != nil {
		return err
	}
	// The whole list, beside the export, for whoever works through it.
	report := strings.TrimSuffix(pos[1], filepath.Ext(pos[1])) + ".import-report.csv"
	if err := writeReport(report, rep); err != nil {
		fmt.Fprintf(out, "\nThe full report could not be written (%v); the table above is all there is.\n", err)
	} else {
		fmt.Fprintf(out, "\nEvery row, with every title, is in %s.\n", report)
	}
	_, admin, err := store.Users.Accounts(ctx)
	if err != nil {
		return err
	}
	if !admin {
		fmt.Fprintln(out, "This site has no administrator yet, so nobody can manage people or settings. "+makeAdminHint(st.data))
	}
	return nil
}

// stageMeter is the meter for the stage of an import that p is in.
func stageMeter(w io.Writer, p wordpress.Progress) *meter {
	if p.Stage == "reading" {
		return newMeter(w, p.Size, true, 1000, func(items, _ int, bytes int64) string {
			return fmt.Sprintf("read %d items (%s of %s)", items, megabytes(bytes), megabytes(p.Size))
		})
	}
	verb := map[string]string{"images": "looked for the images of", "importing": "imported"}[p.Stage]
	return newMeter(w, int64(p.Total), false, 1000, func(items, of int, _ int64) string {
		return fmt.Sprintf("%s %d of %d items", verb, items, of)
	})
}

// writeReport writes the import's report as CSV to name, replacing an older one.
func writeReport(name string, rep *wordpress.Report) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	return errors.Join(rep.WriteCSV(f), f.Close())
}

// removeSite removes the database that a failed import -new created (and uploads/
// if it is still empty), so that the folder is no site again.
func removeSite(dir string) error {
	var errs []error
	for _, name := range []string{"broadsheet.db", "broadsheet.db-wal", "broadsheet.db-shm"} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	// Remove only refuses a folder that is not empty, and such a folder must stay.
	os.Remove(filepath.Join(dir, "uploads"))
	return errors.Join(errs...)
}
