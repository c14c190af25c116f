package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The import command as an operator runs it: -new creates the site, progress on
// stderr, the summary and the missing administrator on stdout, a second run that
// imports nothing, and a broken file that says so and leaves no site behind.
// Then serve says how to make the first administrator.
func TestImportWordPressCommand(t *testing.T) {
	cleanEnv(t)
	data := filepath.Join(t.TempDir(), "data")
	fixture := filepath.Join("models", "wordpress", "testdata")
	export := filepath.Join(fixture, "export.xml")

	if r := runCLI("", "import", "wordpress", filepath.Join(fixture, "truncated.xml"), "-new", "-data", data); r.code != 1 || !strings.Contains(r.stderr, "truncated") {
		t.Errorf("truncated file: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(data, "broadsheet.db")); err == nil {
		t.Error("a failed import -new left a site behind")
	}

	r := runCLI("", "import", "wordpress", "-new", "-data", data, export)
	if r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	for _, want := range []string{"imported from https://blog.example.org: 6 articles, 10 comments, 2 authors",
		"skipped 1 page: pages are not articles", "kept the featured image of",
		"This site has no administrator yet", "broadsheet user add --role admin"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "imported 12 of 12 items") {
		t.Errorf("progress lacks the final line:\n%s", r.stderr)
	}

	if r := runCLI("", "import", "wordpress", "-new", "-data", data, export); r.code != 1 || !strings.Contains(r.stderr, "already holds a site; leave out -new") {
		t.Errorf("-new into a site: %+v", r)
	}
	r = runCLI("", "import", "wordpress", "-data", data, export)
	if r.code != 0 || !strings.Contains(r.stdout, ": 0 articles, 0 comments") || !strings.Contains(r.stdout, "already imported") {
		t.Errorf("second run: %+v", r)
	}

	t.Setenv("BROADSHEET_ADMIN_EMAIL", "boss@example.com")
	var logs syncBuffer
	_, stop := startServe(t, &logs, "-data", data)
	stop()
	for _, want := range []string{"no administrator", "only apply to an empty site", "broadsheet user add --role admin"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("serve on an imported site lacks %q:\n%s", want, logs.String())
		}
	}
}
