package models

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// searchFixture is a database with one section and one author, and a helper to publish.
type searchFixture struct {
	s      *Store
	sec    Section
	author User
	tb     testing.TB
}

func newSearchFixture(tb testing.TB) *searchFixture {
	tb.Helper()
	s := newTestDB(tb)
	ctx := context.Background()
	sec, err := s.Sections.Create(ctx, "World", "")
	if err != nil {
		tb.Fatal(err)
	}
	u, err := s.Users.Create(ctx, testNow, NewUser{Email: "ed@example.com", Name: "Mina Karimi", Password: "correct horse battery", Role: RoleEditor})
	if err != nil {
		tb.Fatal(err)
	}
	return &searchFixture{s: s, sec: sec, author: u, tb: tb}
}

func (f *searchFixture) publish(title, dek, body string, edit func(*ArticleInput)) int64 {
	f.tb.Helper()
	in := ArticleInput{Title: title, Dek: dek, Body: body, SectionID: f.sec.ID, AuthorIDs: []int64{f.author.ID},
		Status: StatusPublished, PublishedAt: testNow.Add(-time.Hour)}
	if edit != nil {
		edit(&in)
	}
	id, err := f.s.Articles.Create(context.Background(), testNow, in)
	if err != nil {
		f.tb.Fatal(err)
	}
	return id
}

func (f *searchFixture) search(q string) []string {
	f.tb.Helper()
	res, err := f.s.Articles.Search(context.Background(), testNow, SearchInput{Query: q}, Page{Number: 1, Size: 20})
	if err != nil {
		f.tb.Fatalf("search %q: %v", q, err)
	}
	var titles []string
	for _, h := range res.Items {
		titles = append(titles, h.Title)
	}
	return titles
}

func (f *searchFixture) exec(q string, args ...any) {
	f.tb.Helper()
	if _, err := f.s.W.Exec(q, args...); err != nil {
		f.tb.Fatal(err)
	}
}

func TestSearchQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sea wall", `"sea" "wall"`},
		{`"sea wall" storm`, `"sea wall" "storm"`},
		{"harb*", `"harb"*`},
		{`"new yo"*`, `"new yo"*`},
		{"a*", `"a"`},                            // too short to be a prefix
		{"sea NEAR wall", `"sea" "NEAR" "wall"`}, // operators are just words
		{"-storm +wall (tide)", `"storm" "wall" "tide"`},
		{`unbalanced "quote here`, `"unbalanced" "quote here"`},
		{`say "" nothing`, `"say" "nothing"`},
		{`x"y`, `"x" "y"`},
		{"* - ( ) :", ""},
		{"😀 🎉", ""},
		{"title:wall", `"title:wall"`},
		{"caf\xffé", `"caf" "é"`}, // invalid UTF-8 is a word break
		{"", ""},
	}
	for _, tt := range tests {
		if got := SearchQuery(tt.in); got != tt.want {
			t.Errorf("SearchQuery(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if got := strings.Count(SearchQuery(strings.Repeat("word ", 400)), `"word"`); got != maxQueryTerms {
		t.Errorf("a 2,000-character query kept %d terms, want %d", got, maxQueryTerms)
	}
}

func TestSearchRanksTitleAboveBody(t *testing.T) {
	f := newSearchFixture(t)
	f.publish("Markets rally", "Shares rose.", "Analysts mentioned the harbour once.", nil)
	f.publish("Harbour wall opens", "Engineers are pleased.", "The barrier was opened.", func(in *ArticleInput) {
		in.PublishedAt = testNow.Add(-48 * time.Hour) // older, so only relevance can put it first
	})
	f.publish("Storm season", "The harbour braces.", "Boats moved.", nil)

	got := f.search("harbour")
	want := []string{"Harbour wall opens", "Storm season", "Markets rally"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("relevance order = %q, want %q (title, then dek, then body)", got, want)
	}
	res, err := f.s.Articles.Search(context.Background(), testNow, SearchInput{Query: "harbour", ByDate: true}, Page{Number: 1, Size: 20})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 || res.Items[2].Title != "Harbour wall opens" {
		t.Errorf("by date: total %d, last %q; want 3 with the oldest last", res.Total, res.Items[2].Title)
	}
}

func TestSearchFindsTagsAuthorsPhrasesPrefixes(t *testing.T) {
	f := newSearchFixture(t)
	f.publish("Sea wall opens", "", "The new sea wall held.", func(in *ArticleInput) { in.Tags = []string{"Climate"} })
	f.publish("Wall of the sea museum", "", "A wall near the sea.", nil)
	tests := []struct {
		q    string
		want int
	}{
		{"climate", 1},       // tag name
		{"karimi", 2},        // author name
		{`"sea wall"`, 1},    // phrase: only the story with the words together
		{"sea wall", 2},      // plain words: both
		{"muse*", 1},         // prefix
		{"opens climate", 1}, // words AND together
		{"nothing-like-this", 0},
	}
	for _, tt := range tests {
		if got := f.search(tt.q); len(got) != tt.want {
			t.Errorf("search %q found %q, want %d stories", tt.q, got, tt.want)
		}
	}
}

func TestSearchIndexFollowsEveryWrite(t *testing.T) {
	f := newSearchFixture(t)
	id := f.publish("Harbour wall opens", "", "Body text.", func(in *ArticleInput) { in.Tags = []string{"Climate"} })
	f.publish("Draft about zebras", "", "", func(in *ArticleInput) { in.Status = StatusDraft })
	f.publish("Future zebras", "", "", func(in *ArticleInput) {
		in.Status, in.PublishedAt = StatusScheduled, testNow.Add(time.Hour)
	})

	steps := []struct {
		name  string
		write func()
		query string
		want  int
	}{
		{"drafts and future stories are hidden", func() {}, "zebras", 0},
		{"edit the headline", func() { f.exec("UPDATE articles SET title = 'Lighthouse restored' WHERE id = ?", id) }, "lighthouse", 1},
		{"old headline is gone", func() {}, "harbour", 0},
		{"edit the body", func() { f.exec("UPDATE articles SET body_src = 'Puffins nest here.' WHERE id = ?", id) }, "puffins", 1},
		{"rename the tag", func() { f.exec("UPDATE tags SET name = 'Weather' WHERE slug = 'climate'") }, "weather", 1},
		{"rename the author", func() { f.exec("UPDATE users SET name = 'Mina Rahimi' WHERE id = ?", f.author.ID) }, "rahimi", 1},
		{"unpublish", func() { f.exec("UPDATE articles SET status = 'unpublished' WHERE id = ?", id) }, "lighthouse", 0},
		{"publish again", func() { f.exec("UPDATE articles SET status = 'published' WHERE id = ?", id) }, "lighthouse", 1},
		{"untag", func() { f.exec("DELETE FROM article_tags WHERE article_id = ?", id) }, "weather", 0},
		{"delete", func() { f.exec("DELETE FROM articles WHERE id = ?", id) }, "lighthouse", 0},
	}
	for _, st := range steps {
		st.write()
		if got := f.search(st.query); len(got) != st.want {
			t.Errorf("%s: search %q found %q, want %d", st.name, st.query, got, st.want)
		}
	}
	var docs, indexed int
	if err := f.s.R.QueryRow("SELECT count(*) FROM search_docs").Scan(&docs); err != nil {
		t.Fatal(err)
	}
	// The integrity check fails if the index and search_docs ever disagree. (On
	// PostgreSQL the index is a column of search_docs, which cannot disagree with it.)
	if !f.s.pg {
		if _, err := f.s.W.Exec("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)"); err != nil {
			t.Errorf("index out of step with search_docs: %v", err)
		}
	}
	if err := f.s.R.QueryRow("SELECT count(*) FROM search_refresh").Scan(&indexed); err != nil || indexed != 0 {
		t.Errorf("search_refresh left %d rows (%v), want 0", indexed, err)
	}
	if docs != 1 {
		t.Errorf("%d search docs left, want 1 (the scheduled story waits in the index; drafts are never indexed)", docs)
	}
}

func TestSearchSnippetsMarkMatchesAndEscapeTheRest(t *testing.T) {
	f := newSearchFixture(t)
	f.publish("Harbour <b>wall</b>", "", "Engineers wrote <script>alert(1)</script> near the **harbour** and [the port](https://x.test/p).", nil)
	res, err := f.s.Articles.Search(context.Background(), testNow, SearchInput{Query: "harbour"}, Page{Number: 1, Size: 5})
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("search: %v, %d hits", err, len(res.Items))
	}
	h := res.Items[0]
	if want := "<mark>Harbour</mark> &lt;b&gt;wall&lt;/b&gt;"; string(h.TitleHTML) != want {
		t.Errorf("title = %s, want %s", h.TitleHTML, want)
	}
	snip := string(h.Snippet)
	for _, want := range []string{"&lt;script&gt;", "<mark>harbour</mark>", "and the port."} {
		if !strings.Contains(snip, want) {
			t.Errorf("snippet %s lacks %s", snip, want)
		}
	}
	for _, bad := range []string{"<script", "**", "https://x.test"} {
		if strings.Contains(snip, bad) {
			t.Errorf("snippet %s contains %s", snip, bad)
		}
	}
}

func TestHighlightHTMLBalancesMarks(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a \uE000b\uE001 c", "a <mark>b</mark> c"},
		{"\uE001x\uE000y", "x<mark>y</mark>"},
		{"\uE000\uE000x", "<mark>x</mark>"},
		{`<i>&"`, "&lt;i&gt;&amp;&#34;"},
	}
	for _, tt := range tests {
		if got := string(HighlightHTML(tt.in)); got != tt.want {
			t.Errorf("HighlightHTML(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// hostileQueries are things readers (and robots) type; none may make search fail.
var hostileQueries = []string{
	`"`, `""`, `"""`, `*`, `**`, `"*"`, `a"b"c`, `NEAR`, `NEAR(a b)`, `NEAR/2`, `a NEAR/3 b`, `-`, `--`, `-a`,
	`(`, `)`, `(a OR b`, `a AND`, `OR`, `NOT a`, `a:b`, `title:x`, `{title}: x`, `^a`, `+`, `"unbalanced`,
	`wall"`, `😀`, `🏳️‍🌈 flag`, "\xff\xfe", "a\x00b", "\uE000x\uE001", strings.Repeat("x", 2000),
	strings.Repeat(`"a" `, 500), strings.Repeat("ab* ", 500), `'; DROP TABLE articles; --`, `%_`, `\`, `\"`,
}

func TestSearchSurvivesHostileQueries(t *testing.T) {
	f := newSearchFixture(t)
	f.publish("Harbour wall opens", "", "Body.", nil)
	for _, q := range hostileQueries {
		if _, err := f.s.Articles.Search(context.Background(), testNow, SearchInput{Query: q}, Page{Number: 1, Size: 5}); err != nil {
			t.Errorf("search %q: %v", q, err)
		}
	}
}

// FuzzSearchQuery holds the query builder to its promise: whatever is typed, the
// result is valid UTF-8 and FTS5 accepts it.
func FuzzSearchQuery(f *testing.F) {
	for _, q := range hostileQueries {
		f.Add(q)
	}
	fx := newSearchFixture(f)
	fx.publish("Harbour wall opens", "", "Body.", nil)
	f.Fuzz(func(t *testing.T, q string) {
		built := SearchQuery(q)
		if !utf8.ValidString(built) {
			t.Fatalf("SearchQuery(%q) = %q, not UTF-8", q, built)
		}
		if _, err := fx.s.Articles.Search(context.Background(), testNow, SearchInput{Query: q}, Page{Number: 1, Size: 5}); err != nil {
			t.Fatalf("search %q (built %s): %v", q, built, err)
		}
	})
}

// BenchmarkSearch measures a relevance-ranked search with snippets over 2,000 stories.
func BenchmarkSearch(b *testing.B) {
	f := newSearchFixture(b)
	words := strings.Fields("harbour wall storm market election river council budget school hospital train bridge")
	for i := 0; i < 2000; i++ {
		w1, w2 := words[i%len(words)], words[(i/len(words))%len(words)]
		body := strings.Repeat(fmt.Sprintf("The %s report on the %s continued for paragraph %d. ", w1, w2, i), 30)
		f.publish(fmt.Sprintf("Story %d about the %s", i, w1), "A dek about the "+w2, body, nil)
	}
	ctx := context.Background()
	for _, q := range []string{"harbour", `"storm report"`, "bri*"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := f.s.Articles.Search(ctx, testNow, SearchInput{Query: q}, Page{Number: 1, Size: 10}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzSnippetHTML: whatever text the index hands back, the only markup in the result
// is our own balanced <mark> elements.
func FuzzSnippetHTML(f *testing.F) {
	for _, s := range []string{"a \uE000b\uE001 c", "<script>x</script>", "[a](b) **c**", "\uE001\uE000<", "&amp;<mark>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{string(HighlightHTML(s)), string(SnippetHTML(s))} {
			if strings.Count(out, "<mark>") != strings.Count(out, "</mark>") {
				t.Fatalf("unbalanced marks in %q", out)
			}
			rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(out)
			if strings.ContainsAny(rest, "<>") {
				t.Fatalf("markup other than marks in %q (from %q)", out, s)
			}
		}
	})
}

// Accents fold, on both engines (FTS5's remove_diacritics, PostgreSQL's unaccent): a
// reader typing "cafe" finds the café, and the other way round, in prefixes too.
func TestSearchFoldsAccents(t *testing.T) {
	f := newSearchFixture(t)
	f.publish("Café culture returns", "", "Naïve art on show.", nil)
	f.publish("Harbour cafe closes", "", "A naive plan.", nil)
	for q, want := range map[string]int{"cafe": 2, "CAFÉ": 2, "café culture": 1, "naive": 2, "naïv*": 2, "cafes": 0} {
		if got := f.search(q); len(got) != want {
			t.Errorf("search %q found %q, want %d stories", q, got, want)
		}
	}
}
