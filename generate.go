package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"

	"broadsheet/models/generate"
)

// generateCmd is `broadsheet generate --articles N --comments M [--data DIR]`: a large,
// realistic archive for measuring the site at scale. It refuses a database that already
// has stories (generate.ErrNotEmpty): invented stories must never mix with real ones.
func generateCmd(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	var c config
	var o generate.Options
	fl := flag.NewFlagSet("generate", flag.ContinueOnError)
	fl.SetOutput(out)
	dataFlags(fl, &c)
	fl.IntVar(&o.Articles, "articles", 1000, "how many stories")
	fl.IntVar(&o.Comments, "comments", 10000, "how many comments, spread over the stories")
	fl.Int64Var(&o.Seed, "seed", 1, "the same seed makes the same archive")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return errors.New("usage: broadsheet generate [--data DIR] --articles N --comments M [--seed S]")
	}
	store, _, err := openData(log, c.data)
	if err != nil {
		return err
	}
	defer store.Close()

	total := int64(o.Articles + o.Comments)
	if f, ok := out.(*os.File); ok && isTerminal(f) {
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
	fmt.Fprintf(out, "\ngenerated %d stories, %d comments, %d accounts and %d photos in %s into %s\n",
		sum.Articles, sum.Comments, sum.Users, sum.Media, time.Since(start).Round(time.Second), c.data)
	fmt.Fprintln(out, "generated accounts cannot log in: add an administrator with `broadsheet user add --role admin`")
	return nil
}

// isTerminal reports whether f is a terminal rather than a file or a pipe.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
