package models

import (
	"context"
	"fmt"
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
	terms := searchTerms(raw)
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = `"` + strings.ReplaceAll(t.text, `"`, `""`) + `"`
		if t.prefix {
			out[i] += "*"
		}
	}
	return strings.Join(out, " ")
}

// TSQuery is SearchQuery for PostgreSQL: the same terms as a to_tsquery expression, or
// "" when nothing can be searched for. A term is cut into its runs of letters and digits
// (what PostgreSQL's parser indexes, as FTS5's tokenizer does), a phrase's words joined
// by <-> (followed by), the last word of a prefix term marked :*, terms joined by &.
// Only letters and digits survive, so no reader string can be an operator. (Our own
// parse rather than websearch_to_tsquery, which has no prefix search.)
func TSQuery(raw string) string {
	var out []string
	for _, t := range searchTerms(raw) {
		words := strings.FieldsFunc(t.text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
		for i, w := range words {
			words[i] = "'" + w + "'"
		}
		if t.prefix {
			words[len(words)-1] += ":*"
		}
		out = append(out, "("+strings.Join(words, " <-> ")+")")
	}
	return strings.Join(out, " & ")
}

// searchTerm is one word or phrase of a search, and whether it ends in *.
type searchTerm struct {
	text   string
	prefix bool
}

// searchTerms is the parse SearchQuery and TSQuery share: at most maxQueryTerms terms,
// each with at least one letter or digit.
func searchTerms(raw string) []searchTerm {
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

	var terms []searchTerm
	add := func(text string, prefix bool) {
		text = strings.TrimSpace(text)
		if len(terms) >= maxQueryTerms || wordChars(text) == 0 {
			return
		}
		terms = append(terms, searchTerm{text, prefix && wordChars(text) >= 2})
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
	return terms
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

// searchCap is how many of the newest matches a search counts and lists: 20 pages of
// results, more than readers turn.
const searchCap = 200

// searchWeights are the bm25 column weights: title, dek, body, tags, authors. A word in
// the headline counts ten times a word in the body.
const searchWeights = "10.0, 5.0, 1.0, 4.0, 3.0"

// Search finds visible stories matching in.Query, one page at a time. A query with
// nothing searchable in it finds nothing (it is not an error).
//
// Only the newest searchCap matches are counted and listed (both engines read a term's
// matches in id order, so LIMIT stops them early): a common word costs what a rare one
// does. Stories are numbered as they are written, so these are the newest stories,
// which is what a reader of a news site looks for; a rarer word or a phrase finds the
// older ones. Whether a match is visible is read from an index (articles_live_id).
func (as *ArticleStore) Search(ctx context.Context, now time.Time, in SearchInput, p Page) (Paged[SearchHit], error) {
	var out Paged[SearchHit]
	e := as.s.searchEngine(in.Query)
	if e.match == "" {
		out.setPage(p)
		return out, nil
	}
	join := ` JOIN articles a INDEXED BY articles_live_id
		ON a.id = cand.id AND a.status IN ('published', 'scheduled') AND a.published_at <= ?3`
	args := []any{e.match, searchCap, fmtTime(now)}
	if in.SectionID != 0 {
		join += " AND a.section_id = ?4"
		args = append(args, in.SectionID)
	}
	var weighed int
	if err := as.s.R.QueryRowContext(ctx, "SELECT count(a.id), count(*) FROM "+fmt.Sprintf(e.newest, "")+" LEFT"+join,
		args...).Scan(&out.Total, &weighed); err != nil {
		return out, err
	}
	out.More = weighed == searchCap
	out.setPage(p)
	// Relevance weighs a word by how rare it is, which the engine learns by reading every
	// match of it: for a word past the cap that is the whole-archive cost the cap avoids,
	// so those are listed newest first, as a news reader searching a common word wants.
	score, order := "", " ORDER BY a.published_at DESC, a.id DESC"
	if !in.ByDate && !out.More {
		score, order = e.score, " ORDER BY "+e.byScore+", a.published_at DESC, a.id DESC"
	}
	// Rank first, then load only this page's stories: the engine would otherwise build
	// the snippet of every match before sorting.
	ids, err := queryAll(ctx, as.s.R, func(sc scanner) (any, error) {
		var id int64
		err := sc.Scan(&id)
		return id, err
	}, "SELECT a.id FROM "+fmt.Sprintf(e.newest, score)+join+order+" LIMIT ? OFFSET ?",
		append(args, p.limit(), p.offset())...)
	if err != nil || len(ids) == 0 {
		return out, err
	}
	q, qargs := e.marked(len(ids))
	marked := map[int64][2]string{} // id → highlighted title, snippet
	arts, err := queryAll(ctx, as.s.R, func(sc scanner) (Article, error) {
		var title, snippet string
		a, err := scanArticle(sc, &title, &snippet)
		marked[a.ID] = [2]string{title, snippet}
		return a, err
	}, q, append(qargs, ids...)...)
	if err != nil {
		return out, err
	}
	out.Items, err = as.hits(ctx, ids, arts, marked)
	return out, err
}

// searchEngine is what differs between the engines' full-text search, for one query.
type searchEngine struct {
	match   string // what the reader typed, in the engine's query language; "" = nothing to search
	newest  string // the newest searchCap matches as "cand (id[, score])": ?1 the match, ?2 the cap, %s the score
	score   string // the relevance column added to newest
	byScore string // the order of it, best first
	// marked is the statement for a page of n stories (their ids last among the
	// arguments), with the headline and an excerpt, matches marked markOpen…markClose.
	marked func(n int) (query string, args []any)
}

// tsWeights are ts_rank's weights for the labels D, C, B, A that search_docs.document
// gives body, authors, dek and tags, and title: the ratios of searchWeights, as near as
// four labels allow.
const tsWeights = "{0.1, 0.3, 0.5, 1.0}"

// searchEngine gives the engine's search for the reader's query: FTS5's search_index on
// SQLite, the weighted tsvector search_docs.document on PostgreSQL.
func (s *Store) searchEngine(query string) searchEngine {
	if !s.pg {
		match := SearchQuery(query)
		return searchEngine{
			match:   match,
			newest:  `(SELECT rowid AS id%s FROM search_index WHERE search_index MATCH ?1 ORDER BY rowid DESC LIMIT ?2) cand`,
			score:   ", bm25(search_index, " + searchWeights + ") AS score",
			byScore: "cand.score",
			// The ids constrain search_index itself, so FTS5 looks up just these rows;
			// constrained on the articles side, it would run the match over every story first.
			marked: func(n int) (string, []any) {
				return "SELECT " + cardCols + `, highlight(search_index, 0, ?, ?), snippet(search_index, 2, ?, ?, '…', 40)
					FROM search_index CROSS JOIN ` + strings.TrimPrefix(articleFrom, " FROM ") + `
					WHERE search_index MATCH ? AND search_index.rowid IN (` + placeholders(n) + `) AND a.id = search_index.rowid`,
					[]any{string(markOpen), string(markClose), string(markOpen), string(markClose), match}
			},
		}
	}
	match := TSQuery(query)
	marks := "StartSel=" + string(markOpen) + ", StopSel=" + string(markClose)
	// ts_headline drops whatever looks like an HTML tag, but a reader must see the text
	// an editor wrote (escaped, as SnippetHTML does): so '<' is hidden from it and put back.
	const lessThan = "\uE002"
	return searchEngine{
		match:   match,
		newest:  `(SELECT id%s FROM search_docs WHERE document @@ to_tsquery('broadsheet', ?1) ORDER BY id DESC LIMIT ?2) cand`,
		score:   ", ts_rank('" + tsWeights + "', document, to_tsquery('broadsheet', ?1)) AS score",
		byScore: "cand.score DESC",
		marked: func(n int) (string, []any) {
			return "SELECT " + cardCols + `,
				replace(ts_headline('broadsheet', replace(d.title, '<', ?), to_tsquery('broadsheet', ?), ?), ?, '<'),
				replace(ts_headline('broadsheet', replace(d.body, '<', ?), to_tsquery('broadsheet', ?), ?), ?, '<')
				FROM search_docs d CROSS JOIN ` + strings.TrimPrefix(articleFrom, " FROM ") + `
				WHERE d.id IN (` + placeholders(n) + `) AND a.id = d.id`,
				[]any{lessThan, match, marks + ", HighlightAll=true", lessThan,
					lessThan, match, marks + ", MaxWords=40, MinWords=15, ShortWord=0, MaxFragments=1, FragmentDelimiter=…", lessThan}
		},
	}
}

// hits puts a page of found stories in rank order (ids) with their marked headline and
// excerpt (marked: id → title, snippet).
func (as *ArticleStore) hits(ctx context.Context, ids []any, arts []Article, marked map[int64][2]string) ([]SearchHit, error) {
	if err := as.attach(ctx, arts); err != nil {
		return nil, err
	}
	byID := make(map[int64]Article, len(arts))
	for _, a := range arts {
		byID[a.ID] = a
	}
	var out []SearchHit
	for _, id := range ids { // in rank order
		if a, ok := byID[id.(int64)]; ok {
			m := marked[a.ID]
			out = append(out, SearchHit{Article: a, TitleHTML: HighlightHTML(m[0]), Snippet: SnippetHTML(m[1])})
		}
	}
	return out, nil
}
