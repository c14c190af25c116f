package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The export commands as an operator runs them: a WordPress file that the import
// command reads back into a new site, documented JSON files with stable ids, and
// the mistakes (no -base-url, no site, an unknown format) refused with the reason.
func TestExportCommands(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	blog := filepath.Join(dir, "blog.xml")
	copyFile(t, filepath.Join("models", "wordpress", "testdata", "export.xml"), blog)
	if r := runCLI("", "import", "wordpress", "-new", "-data", data, blog); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}

	for _, c := range []struct {
		args []string
		code int
		errs string
	}{
		{[]string{"export", "wordpress", "-data", data, filepath.Join(dir, "x.xml")}, 2, "give -base-url"},
		{[]string{"export", "csv", "-data", data, "-base-url", "https://news.example", dir}, 2, "export wordpress FILE.xml, or export json DIR"},
		{[]string{"export", "json", "-data", filepath.Join(dir, "nothing"), "-base-url", "https://news.example", dir}, 1, "there is no Broadsheet site"},
	} {
		if r := runCLI("", c.args...); r.code != c.code || !strings.Contains(r.stderr, c.errs) {
			t.Errorf("%v: %+v", c.args, r)
		}
	}

	file := filepath.Join(dir, "out", "export.xml")
	os.MkdirAll(filepath.Dir(file), 0o755)
	r := runCLI("", "export", "wordpress", "-data", data, "-base-url", "https://news.example", file)
	if r.code != 0 || !strings.Contains(r.stdout, "Wrote 6 articles, 10 comments") {
		t.Fatalf("export wordpress: %+v", r)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the export holds e-mails and must be readable only by its owner: %v %v", fi.Mode(), err)
	}
	if r := runCLI("", "import", "wordpress", "-new", "-data", filepath.Join(dir, "copy"), file); r.code != 0 ||
		!strings.Contains(r.stdout, "6 articles, 10 comments") {
		t.Errorf("import of the export: %+v", r)
	}

	jdir := filepath.Join(dir, "json")
	r = runCLI("", "export", "json", "-data", data, "-base-url", "https://news.example", jdir)
	if r.code != 0 || !strings.Contains(r.stdout, "Wrote 6 articles, 10 comments") {
		t.Fatalf("export json: %+v", r)
	}
	var site struct {
		Format, Site string
		Version      int
		Counts       map[string]int
	}
	readJSON(t, filepath.Join(jdir, "site.json"), &site)
	if site.Format != "broadsheet-export" || site.Version != 1 || site.Site != "https://news.example" || site.Counts["articles"] != 6 {
		t.Errorf("site.json: %+v", site)
	}
	var articles []struct {
		ID           int64
		Slug         string
		BodyFormat   string `json:"body_format"`
		SectionID    int64  `json:"section_id"`
		AuthorIDs    []int64
		OldAddresses []string `json:"old_addresses"`
	}
	readJSON(t, filepath.Join(jdir, "articles.json"), &articles)
	var sections, users []struct{ ID int64 }
	readJSON(t, filepath.Join(jdir, "sections.json"), &sections)
	readJSON(t, filepath.Join(jdir, "users.json"), &users)
	var comments []struct {
		ID, ArticleID, ParentID int64
	}
	readJSON(t, filepath.Join(jdir, "comments.json"), &comments)
	if len(articles) != 6 || len(comments) != 10 || len(sections) == 0 || len(users) == 0 {
		t.Fatalf("%d articles, %d comments, %d sections, %d users", len(articles), len(comments), len(sections), len(users))
	}
	known := map[int64]bool{}
	for _, s := range sections {
		known[s.ID] = true
	}
	formats := map[string]int{}
	for _, a := range articles {
		formats[a.BodyFormat]++
		if !known[a.SectionID] || len(a.OldAddresses) == 0 {
			t.Errorf("article %d: section %d, old addresses %v", a.ID, a.SectionID, a.OldAddresses)
		}
	}
	// Imported WordPress text that Markdown would not render the same stays HTML.
	if formats["html"] == 0 || formats["html"]+formats["markdown"] != len(articles) {
		t.Errorf("body formats %v", formats)
	}
	// Ids are the site's own, so a second export names the same things the same way.
	again := filepath.Join(dir, "json2")
	if r := runCLI("", "export", "json", "-data", data, "-base-url", "https://news.example", again); r.code != 0 {
		t.Fatal(r)
	}
	for _, name := range []string{"users.json", "sections.json", "tags.json", "articles.json", "comments.json"} {
		a, _ := os.ReadFile(filepath.Join(jdir, name))
		b, _ := os.ReadFile(filepath.Join(again, name))
		if string(a) != string(b) {
			t.Errorf("%s differs between two exports of the same site", name)
		}
	}
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
