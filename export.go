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

	"broadsheet/models/jsonexport"
	"broadsheet/models/wordpress"
)

// exportCmd is `broadsheet export wordpress FILE.xml` or `broadsheet export json DIR`:
// the whole site, streamed, with progress on stderr and one line of counts on stdout.
func (r *cli) exportCmd(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	var st site
	var base string
	fl := newFlagSet("export", "broadsheet export wordpress|json [-data DIR] -base-url URL FILE.xml|DIR",
		"Writes the whole site out: accounts (without passwords), sections, tags, stories with their\n"+
			"status, dates and Markdown source, and comments with their threads and state.\n"+
			"  export wordpress FILE.xml  a WordPress export (WXR 1.2) that WordPress's importer and\n"+
			"                            `broadsheet import wordpress` both read\n"+
			"  export json DIR           users.json, sections.json, tags.json, articles.json, comments.json\n"+
			"                            and site.json in DIR (the format is in the README)\n"+
			"Lead photos are named by file: copy the data folder's uploads/ beside the export to take them along.\n"+
			"The export holds e-mail addresses: the WordPress file is readable only by you (mode 0600).")
	fl.siteFlags(&st)
	fl.Var(urlValue{&base}, "base-url", "the site's public `URL`, the root of every link in the export (required)")
	fl.twin("base-url")
	pos, err := fl.parse(args, r.stdout)
	if err != nil {
		return err
	}
	if len(pos) != 2 || (pos[0] != "wordpress" && pos[0] != "json") {
		return usageErrorf("say what to write: export wordpress FILE.xml, or export json DIR")
	}
	if base == "" {
		return usageErrorf("give -base-url (or BROADSHEET_BASE_URL), the site's public address: the export's links are made from it")
	}
	store, err := openSite(st, false)
	if err != nil {
		return err
	}
	defer store.Close()
	now := time.Now()
	m := newMeter(r.stderr, -1, true, 1000, func(items, _ int, bytes int64) string {
		return fmt.Sprintf("exported %d articles and comments (%s)", items, megabytes(bytes))
	})
	if pos[0] == "json" {
		n, err := jsonexport.Export(ctx, store, now, base, pos[1], func(n jsonexport.Counts) {
			m.update(n.Articles+n.Comments, 0, n.Bytes)
		})
		if err != nil {
			return fmt.Errorf("export to %s: %w (site.json is missing, so the folder is no finished export)", pos[1], err)
		}
		m.done(n.Articles+n.Comments, 0, n.Bytes)
		fmt.Fprintf(out, "Wrote %d articles, %d comments, %d accounts, %d sections and %d tags to %s (%s).\n",
			n.Articles, n.Comments, n.Users, n.Sections, n.Tags, pos[1], megabytes(n.Bytes))
		return nil
	}
	// Written beside the file and renamed into place: a failed export leaves no half file.
	file := pos[1]
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone already after the rename
	n, err := wordpress.Export(ctx, store, now, base, tmp, func(n wordpress.ExportCounts) {
		m.update(n.Articles+n.Comments, 0, n.Bytes)
	})
	if err = errors.Join(err, tmp.Close()); err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		return fmt.Errorf("export to %s: %w (nothing was written there)", file, err)
	}
	m.done(n.Articles+n.Comments, 0, n.Bytes)
	fmt.Fprintf(out, "Wrote %s to %s (%s).\n", n, file, megabytes(n.Bytes))
	return nil
}
