package models

import (
	"context"
	"database/sql"
	"html/template"
)

// Order is the order a reader chose for a discussion's threads. Numbers always follow
// the order of posting, whatever the order shown, so "comment 12" means one comment.
type Order string

const (
	OrderOldest Order = "oldest" // the default: numbers run down the page
	OrderNewest Order = "newest"
	OrderBest   Order = "best" // highest score first, older first among equals
)

// Orders are the orders a reader may choose, the default first.
var Orders = []Order{OrderOldest, OrderNewest, OrderBest}

// ParseOrder reads an order from a URL ("" is the default); anything else is false.
func ParseOrder(s string) (Order, bool) {
	if s == "" {
		return OrderOldest, true
	}
	for _, o := range Orders {
		if string(o) == s {
			return o, true
		}
	}
	return "", false
}

// threadOrder is each order's SQL: what the page of threads keeps beside the kept
// threads' columns, where it picks them from ("roots", joined to the top-level
// comment's row s where the order needs its score), in what order, and how the page's
// comments are then sorted. The strings are constants, chosen by Order, never built
// from what a reader sent.
var threadOrder = map[Order]struct{ keep, from, pick, rows string }{
	OrderOldest: {"", "roots", "roots.created_at, roots.id", "page.created_at, page.id"},
	OrderNewest: {"", "roots", "roots.created_at DESC, roots.id DESC", "page.created_at DESC, page.id DESC"},
	OrderBest: {", s.score", "roots JOIN comments s ON s.id = roots.id", "s.score DESC, roots.created_at, roots.id",
		"page.score DESC, page.created_at, page.id"},
}

// threadBefore is, for each order but the oldest, the SQL test that top-level comment
// r comes before top-level comment t.
var threadBefore = map[Order]string{
	OrderNewest: "(r.created_at, r.id) > (t.created_at, t.id)",
	OrderBest:   "(r.score > t.score OR (r.score = t.score AND (r.created_at, r.id) < (t.created_at, t.id)))",
}

// PageIn is PageOf for a discussion shown in order: the page (of threads of size
// size) on which comment c appears to viewerID. PageOf answers for the default order
// and decides whether the viewer may see c at all; the other orders then count the
// threads the viewer sees that come before c's thread in that order.
func (cs *CommentStore) PageIn(ctx context.Context, c Comment, viewerID int64, size int, order Order) (int, error) {
	n, err := cs.PageOf(ctx, c, viewerID, size)
	before, ok := threadBefore[order]
	if err != nil || !ok {
		return n, err
	}
	var count int
	err = cs.s.R.QueryRowContext(ctx, `SELECT count(*) FROM comments t JOIN comments r
			ON r.article_id = t.article_id AND r.parent_id IS NULL AND `+before+`
		WHERE t.id = (SELECT coalesce(root_id, id) FROM comments WHERE id = :id) AND `+keptRoot,
		sql.Named("id", c.ID), sql.Named("viewer", viewerID)).Scan(&count)
	return count/size + 1, err
}

// Preview checks and sanitises a comment's text exactly as posting and editing do,
// storing nothing: the text as it will be kept (line endings normalised) and as it
// will appear, or a ValidationError for the body.
func (cs *CommentStore) Preview(body string) (string, template.HTML, error) {
	body = normaliseBody(body)
	if msg := validateBody(body); msg != "" {
		return body, "", ValidationError{"body": msg}
	}
	html := cs.s.San.CommentHTML(body)
	if cs.s.San.PlainText(string(html)) == "" {
		return body, "", ValidationError{"body": "Nothing is left of this comment once disallowed HTML is removed. Write it as plain text."}
	}
	return body, html, nil
}
