package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// importCmd runs `broadsheet import wordpress [-data DIR] FILE.xml`: progress lines
// go to stderr, the summary to stdout. The import itself lives in models.
func importCmd(ctx context.Context, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "wordpress" {
		return errors.New("usage: broadsheet import wordpress [-data DIR] FILE.xml (WordPress is the only source so far)")
	}
	var c config
	fl := flag.NewFlagSet("import wordpress", flag.ExitOnError)
	dataFlags(fl, &c)
	fl.Usage = func() {
		fmt.Fprintln(fl.Output(), "usage: broadsheet import wordpress [-data DIR] FILE.xml\n\n"+
			"Featured images are read from an uploads/ folder beside FILE.xml (a copy of wp-content/uploads).")
		fl.PrintDefaults()
	}
	fl.Parse(args[1:])
	if fl.NArg() != 1 {
		fl.Usage()
		return errors.New("give exactly one export file")
	}
	store, _, err := openData(log, c.data)
	if err != nil {
		return err
	}
	defer store.Close()
	rep, err := store.ImportWordPress(ctx, time.Now(), fl.Arg(0), func(line string) {
		fmt.Fprintln(stderr, line)
	})
	if err != nil {
		return fmt.Errorf("import %s: %w (no authors, posts or comments were written)", fl.Arg(0), err)
	}
	for _, line := range rep.Summary() {
		fmt.Fprintln(stdout, line)
	}
	return nil
}
