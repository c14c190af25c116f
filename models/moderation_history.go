package models

import "context"

// CommenterHistory is what a moderator weighs before acting: the person's recent
// comments, of every status, with the articles they were on.
func (cs *CommentStore) CommenterHistory(ctx context.Context, userID int64, n int) ([]Comment, error) {
	return queryAll(ctx, cs.s.R, func(sc scanner) (Comment, error) {
		var title, slug string
		c, err := scanComment(sc, &title, &slug)
		c.ArticleTitle, c.ArticleSlug = title, slug
		return c, err
	}, "SELECT "+commentCols+", a.title, a.slug"+modFrom+
		" WHERE c.user_id = ? ORDER BY c.created_at DESC, c.id DESC LIMIT ?", userID, n)
}
