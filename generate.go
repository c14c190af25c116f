package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/schollz/progressbar/v3"

	"broadsheet/models"
	"broadsheet/models/generate"
)

// generate is `broadsheet generate --articles N --comments M [-data DIR]`: a large,
// realistic archive for measuring the site at scale. It may create the site folder (it
// only ever fills an empty site), and refuses a database that already has stories
// (generate.ErrNotEmpty): invented stories must never mix with real ones.
func (r *cli) generate(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	var st site
	var o generate.Options
	var media mediaConfig
	fl := newFlagSet("generate", "broadsheet generate [-data DIR] -articles N -comments M [-seed S] [-bulk-cache SIZE]",
		"Fills an empty site with an invented archive of the given size (stories, threaded comments,\n"+
			"commenters, a few photos) for load tests. The same seed makes the same archive.")
	fl.siteFlags(&st)
	fl.IntVar(&o.Articles, "articles", 1000, "how many stories")
	fl.IntVar(&o.Comments, "comments", 10000, "how many comments, spread over the stories")
	fl.Int64Var(&o.Seed, "seed", 1, "the same seed makes the same archive")
	o.Cache = models.DefaultBulkCache
	fl.Var(sizeValue{&o.Cache}, "bulk-cache", "SQLite's page cache for the load, as a `SIZE`: an archive larger than it is written at the speed of re-reading pages")
	fl.mediaFlags(&media)
	if err := noArguments(fl, args, r.stdout); err != nil {
		return err
	}
	files, err := media.files(ctx, log, st.data)
	if err != nil {
		return err
	}
	store, err := openSite(st, true)
	if err != nil {
		return err
	}
	defer store.Close()
	store.Media.Files = files

	total := int64(o.Articles + o.Comments)
	if isTerminal(out) {
		bar := progressbar.NewOptions64(total, progressbar.OptionSetWriter(out), progressbar.OptionSetDescription("generating"),
			progressbar.OptionShowCount(), progressbar.OptionSetItsString("rows"), progressbar.OptionShowIts(),
			progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionFullWidth())
		o.Progress = func(a, cm int) { bar.Set64(int64(a + cm)) }
		defer bar.Finish()
	} else {
		// Plain lines for logs and pipes: one every 5% or so.
		next := total / 20
		o.Progress = func(a, cm int) {
			if int64(a+cm) >= next {
				fmt.Fprintf(out, "generated %d stories and %d comments\n", a, cm)
				next += total / 20
			}
		}
	}
	o.Now = time.Now().UTC()
	start := time.Now()
	sum, err := generate.Run(ctx, store, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nGenerated %d stories, %d comments, %d accounts and %d photos in %s into %s.\n",
		sum.Articles, sum.Comments, sum.Users, sum.Media, time.Since(start).Round(time.Second), st.data)
	fmt.Fprintln(out, "Generated accounts cannot log in: add an administrator with `broadsheet user add --role admin`.")
	return nil
}
