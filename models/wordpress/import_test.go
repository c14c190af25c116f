package wordpress

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/models"
	"broadsheet/models/storetest"
)

const wpFixtures = "testdata"

// testNow is the pinned clock of these tests.
var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// newTestDB is a fresh site in a temp folder: a migrated database and its uploads.
func newTestDB(tb testing.TB) *models.Store {
	tb.Helper()
	return storetest.Open(tb, tb.TempDir())
}

// importFixture imports one of our export files and fails the test on error.
func importFixture(t *testing.T, s *models.Store, name string) *Report {
	t.Helper()
	rep, err := Import(context.Background(), s, testNow, filepath.Join(wpFixtures, name), nil)
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return rep
}

// rowCounts counts the rows of every table, to prove an import changed nothing.
func rowCounts(t *testing.T, s *models.Store) map[string]int {
	t.Helper()
	tables, err := s.Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, tb := range tables {
		var n int
		if err := s.R.QueryRow(`SELECT count(*) FROM "` + tb + `"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[tb] = n
	}
	return counts
}

// queryOne reads the single value a query returns, failing the test otherwise.
func queryOne[T any](t *testing.T, s *models.Store, q string, args ...any) T {
	t.Helper()
	var v T
	if err := s.R.QueryRow(q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func queryInt(t *testing.T, s *models.Store, q string, args ...any) int {
	t.Helper()
	return queryOne[int](t, s, q, args...)
}

func queryString(t *testing.T, s *models.Store, q string, args ...any) string {
	t.Helper()
	return queryOne[string](t, s, q, args...)
}

func TestImportWordPressExport(t *testing.T) {
	s := newTestDB(t)
	rep := importFixture(t, s, "export.xml")

	got := map[string]int{"articles": rep.Articles, "comments": rep.Comments, "authors": rep.Authors,
		"sections": rep.Sections, "tags": rep.Tags, "photos": rep.Photos, "redirects": rep.Redirects}
	want := map[string]int{"articles": 6, "comments": 10, "authors": 2, "sections": 4, "tags": 3, "photos": 1, "redirects": 14} // 6 posts × 2 addresses, 2 attachment pages × 2
	for k, w := range want {
		if got[k] != w {
			t.Errorf("imported %d %s, want %d", got[k], k, w)
		}
	}
	counts := rowCounts(t, s)
	for table, w := range map[string]int{"articles": 6, "article_revisions": 6, "comments": 10, "users": 2, "sections": 4, "tags": 3, "media": 1, "wp_redirects": 14} {
		if counts[table] != w {
			t.Errorf("%s has %d rows, want %d", table, counts[table], w)
		}
	}

	t.Run("statuses and dates", func(t *testing.T) {
		for _, c := range []struct{ slug, status, published string }{
			{"harbour-sea-wall", models.StatusPublished, "2024-03-05T09:30:00Z"}, // the GMT column, not the local one
			{"بازار-ماهی", models.StatusPublished, "2024-04-02T06:00:00Z"},       // Persian post_name kept in its script
			{"notes-for-a-ferry-timetable-story", models.StatusDraft, ""},        // no post_name: from the title
			{"new-year-fireworks", models.StatusScheduled, "2027-01-01T00:00:00Z"},
			{"dock-workers-vote", models.StatusReview, ""},
			{"prices-and-wages", models.StatusPublished, "2024-06-01T07:00:00Z"},
		} {
			var status, pub string
			err := s.R.QueryRow("SELECT status, coalesce(published_at, '') FROM articles WHERE slug = ?", c.slug).Scan(&status, &pub)
			if err != nil {
				t.Errorf("%s: %v", c.slug, err)
				continue
			}
			if status != c.status || pub != c.published {
				t.Errorf("%s: status %s at %q, want %s at %q", c.slug, status, pub, c.status, c.published)
			}
		}
	})

	t.Run("skipped with reasons", func(t *testing.T) {
		reasons := map[string]string{}
		for _, sk := range rep.Skipped {
			reasons[sk.Title] = sk.Kind + ": " + sk.Reason
		}
		for title, want := range map[string]string{
			"About us":             "page: pages are not articles",
			"Staff rota (private)": "post: private posts",
			"Old harbour history":  "post: in WordPress's trash",
			"Home":                 "item: WordPress nav_menu_item",
			"comment 10":           "comment: in WordPress's trash",
			"comment 12":           "comment: pingbacks and trackbacks",
			"comment 20":           "comment: its post was not imported",
		} {
			if !strings.HasPrefix(reasons[title], want) {
				t.Errorf("%s: skipped as %q, want %q…", title, reasons[title], want)
			}
		}
		if n := queryInt(t, s, "SELECT count(*) FROM articles WHERE title IN ('About us', 'Staff rota (private)', 'Old harbour history', 'Home')"); n != 0 {
			t.Errorf("%d skipped items were imported anyway", n)
		}
	})

	t.Run("sections and tags", func(t *testing.T) {
		// The first category is the section; the post's second category became a tag.
		if sec := queryString(t, s, "SELECT s.name FROM articles a JOIN sections s ON s.id = a.section_id WHERE a.slug = 'harbour-sea-wall'"); sec != "Coast & Harbour" {
			t.Errorf("section %q, want Coast & Harbour", sec)
		}
		if tags := queryString(t, s, `SELECT string_agg(t.name, ',' ORDER BY t.name) FROM article_tags at JOIN tags t ON t.id = at.tag_id
			JOIN articles a ON a.id = at.article_id WHERE a.slug = 'harbour-sea-wall'`); tags != "Business,Climate" {
			t.Errorf("tags %q, want Business,Climate", tags)
		}
		// Names in scripts without a standard romanisation keep their letters in the slug too.
		if slug := queryString(t, s, "SELECT slug FROM sections WHERE name = '文化'"); slug != "文化" {
			t.Errorf("文化 has slug %q", slug)
		}
		if slug := queryString(t, s, "SELECT slug FROM tags WHERE name = 'موسیقی'"); slug != "موسیقی" {
			t.Errorf("موسیقی has slug %q", slug)
		}
		// No category, or only WordPress's default one: our Uncategorised section.
		if n := queryInt(t, s, `SELECT count(*) FROM articles a JOIN sections s ON s.id = a.section_id
			WHERE s.name = 'Uncategorised' AND a.slug IN ('notes-for-a-ferry-timetable-story', 'prices-and-wages')`); n != 2 {
			t.Errorf("%d articles in Uncategorised, want 2", n)
		}
	})

	t.Run("authors cannot log in", func(t *testing.T) {
		for _, email := range []string{"maryam@blog.example.org", "li.wei@blog.example.org"} {
			u, err := s.Users.ByEmail(context.Background(), email)
			if err != nil {
				t.Fatal(err)
			}
			if hash := queryString(t, s, "SELECT password_hash FROM users WHERE email = ?", email); u.Role != models.RoleAuthor || hash != "" {
				t.Errorf("%s: role %s, password hash %q", email, u.Role, hash)
			}
		}
		if name := queryString(t, s, `SELECT u.name FROM article_authors aa JOIN users u ON u.id = aa.user_id
			JOIN articles a ON a.id = aa.article_id WHERE a.slug = 'بازار-ماهی'`); name != "Li Wei 李伟" {
			t.Errorf("byline %q", name)
		}
	})

	t.Run("featured images", func(t *testing.T) {
		a, err := s.Articles.Get(context.Background(), int64(queryInt(t, s, "SELECT id FROM articles WHERE slug = 'harbour-sea-wall'")))
		if err != nil {
			t.Fatal(err)
		}
		if a.Image == nil || a.Image.Width != 64 || a.Image.Alt != "The new sea wall with the old lighthouse behind it" || a.Image.Caption != "The sea wall at dawn." {
			t.Errorf("lead photo %+v", a.Image)
		}
		if ok, err := s.Media.Files.Exists(t.Context(), a.Image.File(0)); !ok {
			t.Errorf("photo file %s: stored %v, %v", a.Image.File(0), ok, err)
		}
		const missing = "https://blog.example.org/wp-content/uploads/2024/04/market.jpg"
		if ref := queryString(t, s, "SELECT imported_image_url FROM articles WHERE slug = 'بازار-ماهی'"); ref != missing {
			t.Errorf("kept reference %q, want %q", ref, missing)
		}
		if len(rep.RemoteImages) != 1 || rep.RemoteImages[0] != "Prices & wages: “up 5%”" {
			t.Errorf("articles with images from the old site: %q", rep.RemoteImages)
		}
		if len(rep.ImageRefs) != 1 || rep.ImageRefs[0].URL != missing || !strings.Contains(rep.ImageRefs[0].Reason, "no file") {
			t.Errorf("report of missing images: %+v", rep.ImageRefs)
		}
	})

	t.Run("comment threads and states", func(t *testing.T) {
		// Comment 7 is seven deep: each stored with its real parent.
		depth := queryInt(t, s, `WITH RECURSIVE up(id, parent_id, depth) AS (
			SELECT id, parent_id, 1 FROM comments WHERE body_src LIKE 'Seventh level%'
			UNION ALL SELECT c.id, c.parent_id, up.depth + 1 FROM comments c JOIN up ON c.id = up.parent_id)
			SELECT max(depth) FROM up`)
		if depth != 7 {
			t.Errorf("deepest reply is %d levels deep, want 7", depth)
		}
		for body, want := range map[string]string{
			"Waiting for a moderator%": "pending",
			"Buy now%":                 "spam",
			"Finally!%":                "approved",
		} {
			if got := queryString(t, s, "SELECT status FROM comments WHERE body_src LIKE ?", body); got != want {
				t.Errorf("%s: status %s, want %s", body, got, want)
			}
		}
		// The reply to a trashed comment hangs from the trashed one's parent.
		if p := queryString(t, s, `SELECT p.body_src FROM comments c JOIN comments p ON p.id = c.parent_id WHERE c.guest_email = 'mallory@example.net'`); !strings.HasPrefix(p, "Finally!") {
			t.Errorf("orphan reply hangs from %q", p)
		}
		// Registered WordPress users comment as their account; everyone else as a guest.
		var user, guest string
		if err := s.R.QueryRow(`SELECT coalesce(u.name, ''), c.guest_name FROM comments c LEFT JOIN users u ON u.id = c.user_id
			WHERE c.body_src LIKE '<p>Thanks for reading%'`).Scan(&user, &guest); err != nil || user != "Maryam Rahimi" || guest != "" {
			t.Errorf("staff comment by user %q guest %q (%v)", user, guest, err)
		}
		if g := queryString(t, s, "SELECT guest_name FROM comments WHERE body_src LIKE 'خیلی%'"); g != "رضا" {
			t.Errorf("guest name %q", g)
		}
		if at := queryString(t, s, "SELECT created_at FROM comments WHERE body_src LIKE 'Finally!%'"); at != "2024-03-05T10:00:00Z" {
			t.Errorf("comment time %s, want the GMT one", at)
		}
	})

	t.Run("sanitised bodies", func(t *testing.T) {
		body := queryString(t, s, "SELECT body_html FROM articles WHERE slug = 'harbour-sea-wall'")
		for _, bad := range []string{"<script", "stolen cookies", "javascript:", "onerror", "wp:heading"} {
			if strings.Contains(body, bad) {
				t.Errorf("article body keeps %q:\n%s", bad, body)
			}
		}
		for _, good := range []string{"<p>The wall, three years", "<strong>promenade</strong>", "<h2>What comes next</h2>",
			"<li>A new ferry pier</li>", `<a href="https://example.com/report"`} {
			if !strings.Contains(body, good) {
				t.Errorf("article body lost %q:\n%s", good, body)
			}
		}
		if src := queryString(t, s, "SELECT body_src FROM articles WHERE slug = 'harbour-sea-wall'"); !strings.Contains(src, "<script>") {
			t.Error("body_src should keep the original for editors")
		}
		if body := queryString(t, s, "SELECT body_html FROM articles WHERE slug = 'بازار-ماهی'"); !strings.Contains(body, "🐟") || !strings.Contains(body, "鱼市场") || strings.Contains(body, "<em>") {
			t.Errorf("unicode body: %s", body)
		}
		mallory := queryString(t, s, "SELECT body_html FROM comments WHERE guest_email = 'mallory@example.net'")
		for _, bad := range []string{"<script", "document.cookie", "<img", "onerror", "javascript:"} {
			if strings.Contains(mallory, bad) {
				t.Errorf("comment keeps %q: %s", bad, mallory)
			}
		}
		if !strings.Contains(mallory, "<em>really</em>") {
			t.Errorf("comment lost its emphasis: %s", mallory)
		}
		staff := queryString(t, s, "SELECT body_html FROM comments WHERE body_src LIKE '<p>Thanks for reading%'")
		if want := `<p>Thanks for reading.</p><p>More <strong>tomorrow</strong>, see <a href="https://example.com/part-two" rel="nofollow ugc noopener">part two</a>.</p>`; staff != want {
			t.Errorf("comment paragraphs:\n got %s\nwant %s", staff, want)
		}
		if g := queryString(t, s, "SELECT guest_name FROM comments WHERE guest_email = 'mallory@example.net'"); g != "Mallory" {
			t.Errorf("guest name keeps markup: %q", g)
		}
		if title := queryString(t, s, "SELECT title FROM articles WHERE slug = 'prices-and-wages'"); title != "Prices & wages: “up 5%”" {
			t.Errorf("title %q", title)
		}
	})
}

func TestImportWordPressTwiceImportsNothing(t *testing.T) {
	s := newTestDB(t)
	importFixture(t, s, "export.xml")
	before := rowCounts(t, s)
	var progress []Progress
	rep, err := Import(context.Background(), s, testNow, filepath.Join(wpFixtures, "export.xml"), func(p Progress) {
		progress = append(progress, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(wpFixtures, "export.xml"))
	if len(progress) < 24 || progress[11] != (Progress{Stage: "reading", Items: 12, Bytes: fi.Size(), Size: fi.Size()}) ||
		progress[len(progress)-1] != (Progress{Stage: "importing", Items: 12, Total: 12, Bytes: fi.Size(), Size: fi.Size()}) {
		t.Errorf("progress %+v, want every item read (with the bytes) and then every item imported", progress)
	}
	if n := rep.Articles + rep.Comments + rep.Authors + rep.Sections + rep.Tags + rep.Photos + rep.Redirects; n != 0 {
		t.Errorf("second run created %d rows: %s", n, rep.Headline())
	}
	already := map[string]int{}
	for _, sk := range rep.Skipped {
		if sk.Reason == "already imported" {
			already[sk.Kind]++
		}
	}
	if already["post"] != 6 || already["comment"] != 10 {
		t.Errorf("second run said already imported for %v, want 6 posts and 10 comments", already)
	}
	if after := rowCounts(t, s); !equalCounts(before, after) {
		t.Errorf("second run changed the database:\nbefore %v\nafter  %v", before, after)
	}
	if table := reportTable(t, rep); !regexp.MustCompile(`skipped +post +6 +already imported`).MatchString(table) {
		t.Errorf("summary does not say why:\n%s", table)
	}
}

// A later export of the same blog brings only what is new: here one more reply,
// eight levels deep, under a story imported the first time.
func TestImportWordPressLaterExportAddsNewComments(t *testing.T) {
	s := newTestDB(t)
	importFixture(t, s, "export.xml")
	b, err := os.ReadFile(filepath.Join(wpFixtures, "export.xml"))
	if err != nil {
		t.Fatal(err)
	}
	const reply = `<wp:comment><wp:comment_id>30</wp:comment_id><wp:comment_author>Late Reader</wp:comment_author>` +
		`<wp:comment_date_gmt>2024-03-08 10:00:00</wp:comment_date_gmt><wp:comment_content>Eighth level, a week later.</wp:comment_content>` +
		`<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>7</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>`
	later := strings.Replace(string(b), "<!-- In the trash;", reply+"\n<!-- In the trash;", 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "later.xml"), []byte(later), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Import(context.Background(), s, testNow, filepath.Join(dir, "later.xml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Comments != 1 || rep.Articles != 0 {
		t.Errorf("later export imported %d comments and %d articles, want 1 and 0", rep.Comments, rep.Articles)
	}
	if p := queryString(t, s, `SELECT p.body_src FROM comments c JOIN comments p ON p.id = c.parent_id
		WHERE c.body_src = 'Eighth level, a week later.'`); !strings.HasPrefix(p, "Seventh level") {
		t.Errorf("new reply hangs from %q, want the seventh-level comment", p)
	}
}

// An article deleted here after an import stays deleted on a re-run, and so do its comments.
func TestImportWordPressKeepsDeletions(t *testing.T) {
	s := newTestDB(t)
	importFixture(t, s, "export.xml")
	if _, err := s.W.Exec("DELETE FROM articles WHERE slug = 'harbour-sea-wall'"); err != nil {
		t.Fatal(err)
	}
	rep := importFixture(t, s, "export.xml")
	if rep.Articles != 0 || rep.Comments != 0 {
		t.Errorf("re-run brought back %d articles and %d comments", rep.Articles, rep.Comments)
	}
	if n := queryInt(t, s, "SELECT count(*) FROM articles WHERE title = 'Harbour city opens its sea wall'"); n != 0 {
		t.Errorf("deleted article is back")
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestImportWordPressBrokenFilesChangeNothing(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name, path, want string
	}{
		{"truncated", filepath.Join(wpFixtures, "truncated.xml"), "truncated"},
		{"malformed", filepath.Join(wpFixtures, "malformed.xml"), "line 22"},
		{"billion laughs", filepath.Join(wpFixtures, "laughs.xml"), "&lol9;"},
		{"empty", write("empty.xml", ""), "empty"},
		{"not RSS", write("html.xml", "<html><body>hello</body></html>"), "not an RSS export"},
		{"RSS but not WordPress", write("feed.xml", `<rss version="2.0"><channel><title>A feed</title><item><title>x</title></item></channel></rss>`), "not a WordPress export"},
		{"no site", write("nosite.xml", `<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version></channel></rss>`), "base_site_url"},
		{"invalid UTF-8", write("latin1.xml", "<rss><channel><title>caf\xe9</title></channel></rss>"), "UTF-8"},
		{"undeclared encoding", write("enc.xml", `<?xml version="1.0" encoding="ISO-8859-1"?><rss></rss>`), "ISO-8859-1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newTestDB(t)
			// A site with content already: an earlier import.
			importFixture(t, s, "export.xml")
			before := rowCounts(t, s)
			rep, err := Import(context.Background(), s, testNow, c.path, nil)
			var we *WXRError
			if !errors.As(err, &we) || rep != nil {
				t.Fatalf("got report %v and error %v, want a WXRError", rep, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
			if after := rowCounts(t, s); !equalCounts(before, after) {
				t.Errorf("a broken file changed the database:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

func TestImportedPlainText(t *testing.T) {
	san := models.NewSanitizer()
	for in, want := range map[string]string{
		"Tom &#038; Jerry":            "Tom & Jerry",
		"<em>Big</em>  news\n today":  "Big news today",
		"<script>alert(1)</script>Hi": "Hi",
		"a &lt;b&gt; c":               "a <b> c",
	} {
		if got := san.PlainText(in); got != want {
			t.Errorf("PlainText(%q) = %q, want %q", in, got, want)
		}
	}
}

// An imported post has a size cap: a 52 MB story was stored. The oversized post is
// skipped with a reason the summary prints; the rest of the export comes in.
func TestImportWordPressCapsTheSizeOfAStory(t *testing.T) {
	export, err := os.ReadFile(filepath.Join(wpFixtures, "export.xml"))
	if err != nil {
		t.Fatal(err)
	}
	const marker = "The wall, three years in the building, was opened on Monday."
	huge := strings.Repeat("<p>Filler that goes on and on.</p>\n", MaxImportedBodyBytes/30)
	body := strings.Replace(string(export), marker, marker+"\n"+huge, 1)
	if body == string(export) {
		t.Fatal("fixture changed: marker not found")
	}
	path := filepath.Join(t.TempDir(), "huge.xml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newTestDB(t)
	rep, err := Import(context.Background(), s, testNow, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := importFixture(t, newTestDB(t), "export.xml").Articles - 1
	if rep.Articles != want {
		t.Errorf("imported %d articles, want %d (all but the oversized one)", rep.Articles, want)
	}
	if n := queryInt(t, s, "SELECT count(*) FROM articles WHERE length(body_src) > ?", MaxImportedBodyBytes); n != 0 {
		t.Errorf("%d stories over the cap were stored", n)
	}
	summary := reportTable(t, rep)
	if !strings.Contains(summary, "Harbour city opens its sea wall") || !strings.Contains(summary, "over the limit of 1 MB") {
		t.Errorf("the summary does not say which story was left out and why:\n%s", summary)
	}
}

// wxrFile writes a WordPress export of the given version around channel (authors,
// categories) and items, in the shape WordPress writes, and returns its path.
func wxrFile(t *testing.T, version, blogURL, channel, items string) string {
	t.Helper()
	ns := "http://wordpress.org/export/" + version + "/"
	doc := `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="` + ns + `excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="` + ns + `">
<channel><title>Test paper</title><link>` + blogURL + `</link>
<wp:wxr_version>` + version + `</wp:wxr_version><wp:base_site_url>https://paper.example</wp:base_site_url>
<wp:base_blog_url>` + blogURL + `</wp:base_blog_url>
` + channel + items + `</channel></rss>`
	p := filepath.Join(t.TempDir(), "export.xml")
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// wxrPost is one published post item; extra holds terms, comments, a password …
func wxrPost(id, title, slug, creator, body, extra string) string {
	return `<item><title><![CDATA[` + title + `]]></title><link>https://paper.example/` + slug + `/</link>
<dc:creator><![CDATA[` + creator + `]]></dc:creator><content:encoded><![CDATA[` + body + `]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded><wp:post_id>` + id + `</wp:post_id>
<wp:post_date><![CDATA[2024-03-05 10:30:00]]></wp:post_date><wp:post_date_gmt><![CDATA[2024-03-05 09:30:00]]></wp:post_date_gmt>
<wp:comment_status><![CDATA[open]]></wp:comment_status><wp:post_name><![CDATA[` + slug + `]]></wp:post_name>
<wp:status><![CDATA[publish]]></wp:status><wp:post_parent>0</wp:post_parent><wp:post_type><![CDATA[post]]></wp:post_type>
` + extra + `</item>
`
}

func wxrCommentXML(id, parent, userID, author, url, text string) string {
	return `<wp:comment><wp:comment_id>` + id + `</wp:comment_id><wp:comment_author><![CDATA[` + author + `]]></wp:comment_author>
<wp:comment_author_email><![CDATA[` + strings.ToLower(strings.ReplaceAll(author, " ", ".")) + `@example.net]]></wp:comment_author_email>
<wp:comment_author_url>` + url + `</wp:comment_author_url><wp:comment_author_IP><![CDATA[203.0.113.5]]></wp:comment_author_IP>
<wp:comment_date><![CDATA[2024-03-05 11:00:00]]></wp:comment_date><wp:comment_date_gmt><![CDATA[2024-03-05 10:00:00]]></wp:comment_date_gmt>
<wp:comment_content><![CDATA[` + text + `]]></wp:comment_content><wp:comment_approved><![CDATA[1]]></wp:comment_approved>
<wp:comment_type><![CDATA[comment]]></wp:comment_type><wp:comment_parent>` + parent + `</wp:comment_parent>
<wp:comment_user_id>` + userID + `</wp:comment_user_id></wp:comment>
`
}

const wxrAuthorsWithIDs = `<wp:author><wp:author_id>2</wp:author_id><wp:author_login><![CDATA[editor]]></wp:author_login>
<wp:author_email><![CDATA[editor@paper.example]]></wp:author_email><wp:author_display_name><![CDATA[Ed Itor]]></wp:author_display_name></wp:author>
<wp:author><wp:author_id>7</wp:author_id><wp:author_login><![CDATA[reader]]></wp:author_login>
<wp:author_email><![CDATA[reader@paper.example]]></wp:author_email><wp:author_display_name><![CDATA[Rita Reader]]></wp:author_display_name></wp:author>
`

// commentAuthors lists "name/user-or-guest/url" for an article's comments, oldest first.
func commentAuthors(t *testing.T, s *models.Store, slug string) []string {
	t.Helper()
	rows, err := s.R.Query(`SELECT coalesce(u.name, c.guest_name), c.user_id IS NOT NULL, c.guest_url FROM comments c
		LEFT JOIN users u ON u.id = c.user_id JOIN articles a ON a.id = c.article_id WHERE a.slug = ? ORDER BY c.id`, slug)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name, url string
		var registered bool
		if err := rows.Scan(&name, &registered, &url); err != nil {
			t.Fatal(err)
		}
		who := "guest"
		if registered {
			who = "user"
		}
		out = append(out, name+"/"+who+"/"+url)
	}
	return out
}

// Comments name their commenter from wp:comment_user_id: registered commenters map
// to the imported account, guests keep their name and URL, ten replies deep.
func TestImportWordPressCommentAuthorship(t *testing.T) {
	var thread strings.Builder
	thread.WriteString(wxrCommentXML("1", "0", "0", "Gail Guest", "https://gail.example/blog", "Top level, by a guest."))
	for i := 2; i <= 10; i++ {
		user, name, url := "0", "Gail Guest", "https://gail.example/blog"
		if i%2 == 0 {
			user, name, url = "7", "Rita (typed on the form)", ""
		}
		thread.WriteString(wxrCommentXML(strconv.Itoa(i), strconv.Itoa(i-1), user, name, url, fmt.Sprintf("Level %d: ünïcödé ✓ 日本", i)))
	}
	s := newTestDB(t)
	path := wxrFile(t, "1.2", "https://paper.example", wxrAuthorsWithIDs, wxrPost("10", "A long thread", "long-thread", "editor", "Body.", thread.String()))
	if _, err := Import(context.Background(), s, testNow, path, nil); err != nil {
		t.Fatal(err)
	}
	got := commentAuthors(t, s, "long-thread")
	if len(got) != 10 {
		t.Fatalf("%d comments, want 10: %q", len(got), got)
	}
	for i, g := range got {
		want := "Gail Guest/guest/https://gail.example/blog"
		if (i+1)%2 == 0 {
			want = "Rita Reader/user/"
		}
		if g != want {
			t.Errorf("comment %d by %q, want %q", i+1, g, want)
		}
	}
	if depth := queryInt(t, s, `WITH RECURSIVE d(id, n) AS (SELECT id, 1 FROM comments WHERE parent_id IS NULL
		UNION ALL SELECT c.id, d.n + 1 FROM comments c JOIN d ON c.parent_id = d.id) SELECT max(n) FROM d`); depth != 10 {
		t.Errorf("thread is %d deep, want 10", depth)
	}

	// An export whose authors carry no wp:author_id (some plugins write them so):
	// comments without an account stay with their guests, none goes to the staff.
	noIDs := strings.NewReplacer("<wp:author_id>2</wp:author_id>", "", "<wp:author_id>7</wp:author_id>", "").Replace(wxrAuthorsWithIDs)
	s2 := newTestDB(t)
	path = wxrFile(t, "1.2", "https://paper.example", noIDs, wxrPost("10", "Guests only", "guests-only", "editor", "Body.",
		wxrCommentXML("1", "0", "0", "Gail Guest", "", "One.")+
			strings.Replace(wxrCommentXML("2", "1", "", "Hugo Guest", "javascript:alert(1)", "Two."), "<wp:comment_user_id></wp:comment_user_id>", "", 1)))
	if _, err := Import(context.Background(), s2, testNow, path, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(commentAuthors(t, s2, "guests-only"), " | "), "Gail Guest/guest/ | Hugo Guest/guest/"; got != want {
		t.Errorf("comments by %q, want %q (a javascript: URL is not kept)", got, want)
	}
}

// A password-protected post is never published: it comes in as a draft and the
// summary says so.
func TestImportWordPressProtectedPostIsADraft(t *testing.T) {
	s := newTestDB(t)
	path := wxrFile(t, "1.2", "https://paper.example", wxrAuthorsWithIDs,
		wxrPost("10", "Open story", "open-story", "editor", "Everyone reads this.", "")+
			wxrPost("11", "Members only", "members-only", "editor", "Secret salaries.", "<wp:post_password><![CDATA[hunter2]]></wp:post_password>"))
	rep, err := Import(context.Background(), s, testNow, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := queryString(t, s, "SELECT status || '/' || coalesce(published_at, '') FROM articles WHERE slug = 'members-only'"); st != models.StatusDraft+"/" {
		t.Errorf("protected post is %q, want an unpublished draft", st)
	}
	if _, err := s.Articles.PublishedBySlug(context.Background(), testNow, "members-only"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("protected post readable: %v", err)
	}
	if summary := reportTable(t, rep); !strings.Contains(summary, "had a password in WordPress: imported as an unpublished draft") ||
		!strings.Contains(summary, "Members only") || strings.Contains(summary, "Open story") {
		t.Errorf("summary does not list the protected post:\n%s", summary)
	}
}

// Two categories called "Foo" with different slugs stay two sections; WXR 1.0's
// tags (domain="tag") and a byline given only as dc:creator survive.
func TestImportWordPressTermsAndOldExports(t *testing.T) {
	s := newTestDB(t)
	cats := `<wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>foo</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[Foo]]></wp:cat_name></wp:category>
<wp:category><wp:term_id>4</wp:term_id><wp:category_nicename>foo-2</wp:category_nicename><wp:category_parent>foo</wp:category_parent><wp:cat_name><![CDATA[Foo]]></wp:cat_name></wp:category>
`
	items := wxrPost("10", "In the first Foo", "first-foo", "olduser", "One.",
		`<category domain="category" nicename="foo"><![CDATA[Foo]]></category><category><![CDATA[Foo]]></category>
<category domain="tag"><![CDATA[Harbour Life]]></category><category domain="tag" nicename="harbour-life"><![CDATA[Harbour Life]]></category>`) +
		wxrPost("11", "In the second Foo", "second-foo", "olduser", "Two.", `<category domain="category" nicename="foo-2"><![CDATA[Foo]]></category>`)
	rep, err := Import(context.Background(), s, testNow, wxrFile(t, "1.0", "https://paper.example", cats, items), nil)
	if err != nil {
		t.Fatal(err)
	}
	first := queryString(t, s, "SELECT s.name || '=' || s.slug FROM articles a JOIN sections s ON s.id = a.section_id WHERE a.slug = 'first-foo'")
	second := queryString(t, s, "SELECT s.name || '=' || s.slug FROM articles a JOIN sections s ON s.id = a.section_id WHERE a.slug = 'second-foo'")
	if first != "Foo=foo" || second != "Foo (foo-2)=foo-2" {
		t.Errorf("sections %q and %q, want Foo=foo and Foo (foo-2)=foo-2", first, second)
	}
	if !strings.Contains(reportTable(t, rep), "Foo (foo-2)") {
		t.Errorf("summary does not say the category was renamed:\n%s", reportTable(t, rep))
	}
	if tags := queryString(t, s, `SELECT string_agg(t.name || '=' || t.slug, ',') FROM article_tags at JOIN tags t ON t.id = at.tag_id
		JOIN articles a ON a.id = at.article_id WHERE a.slug = 'first-foo'`); tags != "Harbour Life=harbour-life" {
		t.Errorf("WXR 1.0 tags %q, want Harbour Life=harbour-life", tags)
	}
	if by := queryString(t, s, `SELECT string_agg(u.name, ',') FROM article_authors aa JOIN users u ON u.id = aa.user_id
		JOIN articles a ON a.id = aa.article_id WHERE a.slug IN ('first-foo', 'second-foo')`); by != "olduser,olduser" {
		t.Errorf("bylines %q, want olduser on both", by)
	}
	for _, c := range []struct{ old, kind, slug string }{
		{"/category/foo", "section", "foo"}, {"/category/foo/foo-2", "section", "foo-2"}, {"/category/foo-2", "section", "foo-2"},
		{"/tag/harbour-life", "tag", "harbour-life"}, {"/author/olduser", "author", "olduser"},
	} {
		if got := queryString(t, s, "SELECT coalesce((SELECT kind || ':' || local_id FROM wp_term_redirects WHERE old_path = ?), 'none')", c.old); got == "none" {
			t.Errorf("no redirect recorded for %s", c.old)
		}
	}
}

// An export of a version we do not know is refused before anything is written.
func TestImportWordPressRefusesUnknownVersion(t *testing.T) {
	s := newTestDB(t)
	before := rowCounts(t, s)
	_, err := Import(context.Background(), s, testNow, wxrFile(t, "2.0", "https://paper.example", wxrAuthorsWithIDs,
		wxrPost("10", "From the future", "future", "editor", "Body.", "")), nil)
	var we *WXRError
	if !errors.As(err, &we) || !strings.Contains(err.Error(), `WXR version "2.0"`) || !strings.Contains(err.Error(), "1.0 to 1.2") {
		t.Fatalf("import of WXR 2.0: %v, want a clear refusal", err)
	}
	if after := rowCounts(t, s); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("rows changed: %v → %v", before, after)
	}
}

// A blog in a subdirectory with plain permalinks: its root (/blog/) must not become
// the old address of a story, while /blog/?p=ID does.
func TestImportWordPressSubdirectoryBlog(t *testing.T) {
	s := newTestDB(t)
	item := strings.Replace(wxrPost("12", "Plain permalink", "plain-permalink", "editor", "Body.", ""),
		"<link>https://paper.example/plain-permalink/</link>", "<link>https://paper.example/blog/?p=12</link>", 1)
	if _, err := Import(context.Background(), s, testNow, wxrFile(t, "1.2", "https://paper.example/blog/", wxrAuthorsWithIDs, item), nil); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, root := range []string{"/blog", "/blog/", "/"} {
		if slug, err := s.Articles.OldPermalink(ctx, testNow, root); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("%s sends readers to %q (%v)", root, slug, err)
		}
	}
	if slug, err := s.Articles.OldPermalink(ctx, testNow, "/blog/?p=12"); err != nil || slug != "plain-permalink" {
		t.Errorf("/blog/?p=12 → %q, %v", slug, err)
	}
}

func wxrAttachment(id, parent, url string) string {
	return `<item><title><![CDATA[Photo ` + id + `]]></title><link>https://paper.example/?attachment_id=` + id + `</link>
<dc:creator><![CDATA[editor]]></dc:creator><content:encoded><![CDATA[]]></content:encoded><excerpt:encoded><![CDATA[Caption ` + id + `]]></excerpt:encoded>
<wp:post_id>` + id + `</wp:post_id><wp:status><![CDATA[inherit]]></wp:status><wp:post_parent>` + parent + `</wp:post_parent>
<wp:post_type><![CDATA[attachment]]></wp:post_type><wp:attachment_url><![CDATA[` + url + `]]></wp:attachment_url></item>
`
}

// Images in a story's text that are in uploads/ beside the export are stored in our
// media library and the text points at them (with srcset); the rest are listed, as
// are shortcodes we do not know.
func TestImportWordPressBodyImages(t *testing.T) {
	s := newTestDB(t)
	up := "https://paper.example/wp-content/uploads/2024/03/"
	body := `Before the photo.

<img src="` + up + `harbour-300x200.png" alt="Sea wall" width="300" height="200" class="alignnone size-medium" />

[gallery ids="20,21,99"]

<a href="` + up + `missing.jpg"><img src="` + up + `missing.jpg" alt="" /></a>

[audio src="` + up + `interview.mp3"]`
	path := wxrFile(t, "1.2", "https://paper.example", wxrAuthorsWithIDs,
		wxrPost("10", "Pictures of the wall", "pictures", "editor", body, "")+
			wxrAttachment("20", "10", up+"harbour.png")+wxrAttachment("21", "10", up+"gone.png"))
	dir := filepath.Join(filepath.Dir(path), "uploads", "2024", "03")
	png, err := os.ReadFile(filepath.Join(wpFixtures, "uploads", "2024", "03", "harbour.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "harbour.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Import(context.Background(), s, testNow, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	html := queryString(t, s, "SELECT body_html FROM articles WHERE slug = 'pictures'")
	doc := assertValidBody(t, html)
	first := doc.Find("main > p img").First()
	if src := first.AttrOr("src", ""); !strings.HasPrefix(src, "/media/") || !strings.Contains(first.AttrOr("srcset", ""), "/media/") ||
		first.AttrOr("alt", "") != "Sea wall" {
		t.Errorf("body image not from our library: %s", html)
	}
	gallery := doc.Find("figure.gallery figure")
	if gallery.Length() != 2 || !strings.HasPrefix(gallery.First().Find("img").AttrOr("src", ""), "/media/") ||
		gallery.First().Find("figcaption").Text() != "Caption 20" {
		t.Errorf("gallery: %s", html)
	}
	if n := queryInt(t, s, "SELECT count(*) FROM media"); n != 1 {
		t.Errorf("%d photos stored, want 1 (the scaled copy and the gallery share the original)", n)
	}
	summary := reportTable(t, rep)
	for _, want := range []string{"missing.jpg", "gone.png", "attachment 99", "[audio]", "[gallery]"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary does not mention %s:\n%s", want, summary)
		}
	}
	if strings.Contains(summary, "harbour") {
		t.Errorf("summary lists an image that was brought in:\n%s", summary)
	}
}

// reportTable is the report as the import command prints it.
func reportTable(t *testing.T, rep *Report) string {
	t.Helper()
	var b strings.Builder
	if err := rep.Table(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The import writes accounts, sections and comments through the rules the forms use,
// so what those rules refuse is mended or skipped with a reason, never a failed
// import: an author named only "★" with no usable email, a category named "★", a
// comment longer than any comment here may be, a guest's name longer than a signature.
func TestImportWordPressMeetsTheFormsRules(t *testing.T) {
	authors := `<wp:author><wp:author_id>3</wp:author_id><wp:author_login><![CDATA[star]]></wp:author_login>
<wp:author_email><![CDATA[not-an-address]]></wp:author_email><wp:author_display_name><![CDATA[★]]></wp:author_display_name></wp:author>
<wp:category><wp:category_nicename><![CDATA[stars]]></wp:category_nicename><wp:category_parent><![CDATA[]]></wp:category_parent><wp:cat_name><![CDATA[★]]></wp:cat_name></wp:category>
`
	long := strings.Repeat("word ", models.MaxCommentLen/5+1)
	longName := strings.Repeat("Guest", 12)
	s := newTestDB(t)
	path := wxrFile(t, "1.2", "https://paper.example", authors, wxrPost("10", "Starry", "starry", "star", "Body.",
		`<category domain="category" nicename="stars"><![CDATA[★]]></category>`+
			wxrCommentXML("1", "0", "0", "Gail Guest", "", long)+
			wxrCommentXML("2", "0", "0", longName, "", "Short and fine.")))
	rep, err := Import(context.Background(), s, testNow, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := queryString(t, s, "SELECT u.name || '|' || u.email || '|' || u.slug FROM users u JOIN article_authors aa ON aa.user_id = u.id"); !strings.HasPrefix(got, "★ (star)|star@wordpress.invalid|") {
		t.Errorf("author %q, want the name mended with the login and the reserved address", got)
	}
	if got := queryString(t, s, "SELECT s.name || '|' || s.slug FROM sections s JOIN articles a ON a.section_id = s.id"); got != "★ (stars)|stars" {
		t.Errorf("section %q", got)
	}
	if got, want := strings.Join(commentAuthors(t, s, "starry"), " | "), longName[:50]+"/guest/"; got != want {
		t.Errorf("comments %q, want only %q", got, want)
	}
	if summary := reportTable(t, rep); !strings.Contains(summary, "Keep comments to 5,000 characters") {
		t.Errorf("the summary does not say why the long comment was skipped:\n%s", summary)
	}
}
