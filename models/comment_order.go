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

// keptRoots selects, from the covering index of top-level comments, the threads of
// article :article that :viewer sees, in no particular order.
const keptRoots = ` FROM comments r INDEXED BY comments_roots
	WHERE r.article_id = :article AND r.parent_id IS NULL AND ` + keptRoot

// threadOrder is each order's SQL: how the page of threads is picked (with a number
// column and each thread's rev, migration 0024), how the page's comments are then
// sorted, and what the number column holds.
// The strings are constants, chosen by Order, never built from what a reader sent.
//
// Oldest and newest first read the page straight off the index and count the
// numbered threads older than the page (number, the same on every row): a count of a
// prefix of the index. Best first numbers every thread with a window in order of
// posting and sorts them by score, which costs a pass over all of them.
var threadOrder = map[Order]struct {
	page, number, rows string
	counted            bool // number counts the numbered threads older than the page
	newestFirst        bool // the page lists threads newest first
}{
	OrderOldest: {
		page:   `SELECT r.id, r.created_at, r.thread_rev AS rev` + keptRoots + ` ORDER BY r.created_at, r.id LIMIT :limit OFFSET :offset`,
		number: `(SELECT count(*) FROM (SELECT r.status` + keptRoots + ` ORDER BY r.created_at, r.id LIMIT :offset) AS older WHERE status <> 'pending')`,
		rows:   "page.created_at, page.id", counted: true},
	OrderNewest: {
		page: `SELECT r.id, r.created_at, r.thread_rev AS rev` + keptRoots + ` ORDER BY r.created_at DESC, r.id DESC LIMIT :limit OFFSET :offset`,
		number: `(SELECT count(*) FROM (SELECT r.status` + keptRoots +
			` ORDER BY r.created_at DESC, r.id DESC LIMIT -1 OFFSET :offset + :limit) AS older WHERE status <> 'pending')`,
		rows: "page.created_at DESC, page.id DESC", counted: true, newestFirst: true},
	OrderBest: {
		page: `WITH roots AS (SELECT r.id, r.created_at, CASE WHEN r.status = 'pending' THEN 0
				ELSE count(*) FILTER (WHERE r.status <> 'pending') OVER (ORDER BY r.created_at, r.id) END AS number` + keptRoots + `)
			SELECT roots.id, roots.created_at, roots.number, s.score, s.thread_rev AS rev FROM roots JOIN comments s ON s.id = roots.id
			ORDER BY s.score DESC, roots.created_at, roots.id LIMIT :limit OFFSET :offset`,
		number: "page.number",
		rows:   "page.score DESC, page.created_at, page.id"},
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
	err = cs.s.R.QueryRowContext(ctx, threadsBefore(before), sql.Named("id", c.ID), sql.Named("viewer", viewerID)).Scan(&count)
	return count/size + 1, err
}

// threadsBefore counts the threads :viewer sees that come before comment :id's thread,
// by the test before, among its story's top-level comments. SQLite once planned this
// from an index of every comment's parent, walking every top-level comment of the
// site (all under a NULL parent); the hint keeps it to the story's own.
func threadsBefore(before string) string {
	return `SELECT count(*) FROM comments t JOIN comments r INDEXED BY comments_roots
			ON r.article_id = t.article_id AND r.parent_id IS NULL AND ` + before + `
		WHERE t.id = (SELECT coalesce(root_id, id) FROM comments WHERE id = :id) AND ` + keptRoot
}

// Preview checks and sanitises a comment's text exactly as posting and editing do,
// storing nothing: the text as it will be kept (line endings normalised) and as it
// will appear, or a ValidationError for the body.
func (cs *CommentStore) Preview(body string) (string, template.HTML, error) {
	ready, msg := cs.s.readyBody(body)
	if msg != "" {
		return normaliseBody(body), "", ValidationError{"body": msg}
	}
	return ready.src, ready.html, nil
}
