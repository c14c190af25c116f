package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
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
	// A copy, because the report is written beside the export.
	export := filepath.Join(t.TempDir(), "export.xml")
	copyFile(t, filepath.Join(fixture, "export.xml"), export)

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
	for _, want := range []string{"imported from https://blog.example.org: 6 articles, 10 comments, 2 accounts",
		"OUTCOME", "WHY, AND WHAT TO DO", "featured image kept as its old address only",
		"This site has no administrator yet", "broadsheet user add --role admin"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
	if !regexp.MustCompile(`(?m)^skipped +page +1 +pages are not articles.* +About us$`).MatchString(r.stdout) {
		t.Errorf("the table lacks the skipped page with its reason:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "imported 12 of 12 items") || !strings.Contains(r.stderr, "read 12 items") {
		t.Errorf("progress lacks the final lines:\n%s", r.stderr)
	}
	// The whole report, beside the export, for a spreadsheet.
	dir := t.TempDir()
	copyFile(t, export, filepath.Join(dir, "blog.xml"))
	r = runCLI("", "import", "wordpress", "-new", "-data", filepath.Join(dir, "site"), filepath.Join(dir, "blog.xml"))
	rows, err := csv.NewReader(strings.NewReader(readFile(t, filepath.Join(dir, "blog.import-report.csv")))).ReadAll()
	if r.code != 0 || err != nil || len(rows) < 10 || strings.Join(rows[0], ",") != "outcome,kind,count,title,reason,detail" {
		t.Fatalf("report file: %v %v %+v", rows, err, r)
	}
	found := false
	for _, row := range rows {
		found = found || row[0] == "skipped" && row[1] == "post" && row[3] == "Staff rota (private)" && strings.Contains(row[4], "private")
	}
	if !found || !strings.Contains(r.stdout, filepath.Join(dir, "blog.import-report.csv")) {
		t.Errorf("the report file lacks the private post, or the summary does not name the file:\n%v\n%s", rows, r.stdout)
	}

	if r := runCLI("", "import", "wordpress", "-new", "-data", data, export); r.code != 1 || !strings.Contains(r.stderr, "already holds a site; leave out -new") {
		t.Errorf("-new into a site: %+v", r)
	}
	r = runCLI("", "import", "wordpress", "-data", data, export)
	if r.code != 0 || !strings.Contains(r.stdout, ": 0 articles, 0 comments") || !regexp.MustCompile(`skipped +post +6 +already imported`).MatchString(r.stdout) {
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

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if err := os.WriteFile(to, []byte(readFile(t, from)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
