package models

import (
	"context"
	"database/sql"
	"html/template"
	"strings"
	"time"
	"unicode"
)

// Search limits: a query longer than this is cut, and only this many terms are used,
// so a pasted essay costs no more than a sentence.
const (
	maxQueryBytes = 1000
	maxQueryTerms = 16
)

// Marks that snippet() and highlight() put around matches. They are private-use code
// points, so HighlightHTML can tell our marks from anything an editor typed.
const (
	markOpen  = '\uE000'
	markClose = '\uE001'
)

// SearchQuery turns what a reader typed into a safe FTS5 query, or "" when nothing in it
// can be searched for. Every term becomes a quoted string, so FTS5 operators (AND, OR,
// NOT, NEAR, -, parentheses, column filters, ^) are only ever words. Supported syntax:
// "a phrase" in double quotes (an unclosed quote runs to the end), and a trailing * on a
// word or phrase for a prefix search (at least two letters, so "a*" cannot match half
// the dictionary). Terms are ANDed.
func SearchQuery(raw string) string {
	if len(raw) > maxQueryBytes {
		raw = raw[:maxQueryBytes]
	}
	raw = strings.ToValidUTF8(raw, " ")
	raw = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == markOpen || r == markClose {
			return ' '
		}
		return r
	}, raw)

	var terms []string
	add := func(text string, prefix bool) {
		text = strings.TrimSpace(text)
		if len(terms) >= maxQueryTerms || wordChars(text) == 0 {
			return
		}
		t := `"` + strings.ReplaceAll(text, `"`, `""`) + `"`
		if prefix && wordChars(text) >= 2 {
			t += "*"
		}
		terms = append(terms, t)
	}
	for rest := raw; rest != ""; {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if rest == "" {
			break
		}
		if rest[0] == '"' {
			phrase, after, _ := strings.Cut(rest[1:], `"`)
			prefix := strings.HasPrefix(after, "*")
			add(phrase, prefix)
			rest = strings.TrimLeft(after, "*")
			continue
		}
		end := strings.IndexFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || r == '"' })
		if end < 0 {
			end = len(rest)
		}
		word := strings.TrimLeft(rest[:end], "-+(")
		rest = rest[end:]
		bare := strings.TrimRight(word, "*)")
		add(bare, strings.Contains(word[len(bare):], "*"))
	}
	return strings.Join(terms, " ")
}

// wordChars counts the letters and digits in s: the characters the FTS5 tokenizer
// indexes. A term without any would match nothing and is dropped.
func wordChars(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			n++
		}
	}
	return n
}

// SearchInput is one search as a reader asked for it.
type SearchInput struct {
	Query     string // as typed; SearchQuery makes it safe
	SectionID int64  // 0 = every section
	ByDate    bool   // newest first instead of most relevant first
}

// SearchHit is a found story with its headline and an excerpt, the matches marked.
type SearchHit struct {
	Article
	TitleHTML template.HTML // the headline with <mark>ed matches
	Snippet   template.HTML // an excerpt of the body with <mark>ed matches
}

// searchWeights are the bm25 column weights: title, dek, body, tags, authors. A word in
// the headline counts ten times a word in the body.
const searchWeights = "10.0, 5.0, 1.0, 4.0, 3.0"

// Search finds visible stories matching in.Query, one page at a time. A query with
// nothing searchable in it finds nothing (it is not an error).
func (as *ArticleStore) Search(ctx context.Context, now time.Time, in SearchInput, p Page) (Paged[SearchHit], error) {
	var out Paged[SearchHit]
	match := SearchQuery(in.Query)
	if match == "" {
		out.setPage(p)
		return out, nil
	}
	cond := " FROM search_index CROSS JOIN articles a WHERE search_index MATCH ? AND a.id = search_index.rowid AND " + visible
	args := []any{match, fmtTime(now)}
	if in.SectionID != 0 {
		cond += " AND a.section_id = ?"
		args = append(args, in.SectionID)
	}
	// CROSS JOIN keeps SQLite from scanning every story and running the match for each:
	// the full-text match runs once and stories are looked up by id.
	if err := as.s.R.QueryRowContext(ctx, "SELECT count(*)"+cond, args...).Scan(&out.Total); err != nil {
		return out, err
	}
	out.setPage(p)
	order := " ORDER BY bm25(search_index, " + searchWeights + "), a.published_at DESC, a.id DESC"
	if in.ByDate {
		order = " ORDER BY a.published_at DESC, a.id DESC"
	}
	// Rank first, then load only this page's stories: SQLite would otherwise build the
	// snippet of every match before sorting.
	ids, err := as.ids(ctx, "SELECT a.id"+cond+order+" LIMIT ? OFFSET ?", append(args, p.limit(), p.offset())...)
	if err != nil || len(ids) == 0 {
		return out, err
	}
	marks := []any{string(markOpen), string(markClose)}
	q := "SELECT " + articleCols + `, highlight(search_index, 0, ?, ?), snippet(search_index, 2, ?, ?, '…', 40)
		FROM search_index CROSS JOIN ` + strings.TrimPrefix(articleFrom, " FROM ") + `
		WHERE search_index MATCH ? AND a.id = search_index.rowid AND a.id IN (` + placeholders(len(ids)) + ")"
	rows, err := as.s.R.QueryContext(ctx, q, append(append(append(marks, marks...), match), ids...)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	hits := map[int64]SearchHit{}
	var arts []Article
	for rows.Next() {
		var title, snippet string
		a, err := scanArticle(extraScanner{rows, []any{&title, &snippet}})
		if err != nil {
			return out, err
		}
		arts = append(arts, a)
		hits[a.ID] = SearchHit{TitleHTML: HighlightHTML(title), Snippet: SnippetHTML(snippet)}
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	if err := as.attach(ctx, arts); err != nil {
		return out, err
	}
	for _, a := range arts {
		h := hits[a.ID]
		h.Article = a
		hits[a.ID] = h
	}
	for _, id := range ids {
		if h, ok := hits[id.(int64)]; ok {
			out.Items = append(out.Items, h)
		}
	}
	return out, nil
}

// ids runs a query that returns article ids, as query arguments.
func (as *ArticleStore) ids(ctx context.Context, q string, args ...any) ([]any, error) {
	rows, err := as.s.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// extraScanner lets scanArticle read rows that carry more columns after the article's.
type extraScanner struct {
	rows  *sql.Rows
	extra []any
}

func (e extraScanner) Scan(dest ...any) error { return e.rows.Scan(append(dest, e.extra...)...) }
