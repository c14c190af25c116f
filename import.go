package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"broadsheet/models/wordpress"
)

// importCmd is `broadsheet import wordpress [-new] [-data DIR] FILE.xml`: progress
// lines go to stderr, the summary to stdout. The import itself lives in models/wordpress.
func (r *cli) importCmd(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	var data string
	var fresh bool
	var media mediaConfig
	fl := newFlagSet("import", "broadsheet import wordpress [-new] [-data DIR] FILE.xml",
		"Imports a WordPress export (WXR) into a site: authors, posts, categories, tags, comments.\n"+
			"Featured images and images in the text are read from an uploads/ folder beside FILE.xml (a copy of wp-content/uploads).\n"+
			"Importing again skips what is already there. WordPress is the only source so far.")
	fl.dataFlag(&data)
	fl.Var(boolValue{&fresh}, "new", "create a new site in the -data folder (refused if one is there)")
	fl.mediaFlags(&media)
	pos, err := fl.parse(args, r.stdout)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "wordpress" {
		return usageErrorf("say what to import from: import wordpress FILE.xml")
	}
	exists, err := siteExists(data)
	if err != nil {
		return err
	}
	if fresh && exists {
		return fmt.Errorf("%s already holds a site; leave out -new to import into it", data)
	} else if !fresh && !exists {
		return noSite(data, "to import into a new site there, add -new")
	}
	files, err := media.files(ctx, log, data)
	if err != nil {
		return err
	}
	store, err := openSite(data, fresh)
	if err != nil {
		return err
	}
	defer store.Close()
	store.Media.Files = files
	rep, err := wordpress.Import(ctx, store, time.Now(), pos[1], func(line string) {
		fmt.Fprintln(r.stderr, line)
	})
	if err != nil {
		if fresh {
			// Leave no empty site behind, so the same command can be run again once the file is mended.
			err = errors.Join(err, store.Close(), removeSite(data))
		}
		return fmt.Errorf("import %s: %w (no authors, posts or comments were written)", pos[1], err)
	}
	for _, line := range rep.Summary() {
		fmt.Fprintln(out, line)
	}
	users, err := store.Users.List(ctx)
	if err != nil {
		return err
	}
	if !hasAdmin(users) {
		fmt.Fprintln(out, "This site has no administrator yet, so nobody can manage people or settings. "+makeAdminHint(data))
	}
	return nil
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
