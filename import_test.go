package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// The import command as an operator runs it: progress on stderr, the summary on
// stdout, a second run that imports nothing, and a broken file that says so.
func TestImportWordPressCommand(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	t.Setenv("BROADSHEET_SESSION_KEYS", "")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	run := func(args ...string) (string, string, error) {
		var out, errs bytes.Buffer
		err := importCmd(context.Background(), log, append([]string{"wordpress", "-data", data}, args...), &out, &errs)
		return out.String(), errs.String(), err
	}
	fixture := filepath.Join("models", "testdata", "wordpress")

	out, progress, err := run(filepath.Join(fixture, "export.xml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"imported from https://blog.example.org: 6 articles, 10 comments, 2 authors",
		"skipped 1 page: pages are not articles", "kept the featured image of"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(progress, "imported 12 of 12 items") {
		t.Errorf("progress lacks the final line:\n%s", progress)
	}

	out, _, err = run(filepath.Join(fixture, "export.xml"))
	if err != nil || !strings.Contains(out, ": 0 articles, 0 comments") || !strings.Contains(out, "already imported") {
		t.Errorf("second run: %v\n%s", err, out)
	}

	if _, _, err := run(filepath.Join(fixture, "truncated.xml")); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated file: %v", err)
	}
	if err := importCmd(context.Background(), log, []string{"blogger", "x.xml"}, io.Discard, io.Discard); err == nil {
		t.Error("an unknown source was accepted")
	}
}
