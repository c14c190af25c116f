package models

import "context"

// CommenterHistory is what a moderator weighs before acting: the person's recent
// comments, of every status, with the articles they were on.
func (cs *CommentStore) CommenterHistory(ctx context.Context, userID int64, n int) ([]Comment, error) {
	rows, err := cs.s.R.QueryContext(ctx, "SELECT "+commentCols+", a.title, a.slug"+modFrom+
		" WHERE c.user_id = ? ORDER BY c.created_at DESC, c.id DESC LIMIT ?", userID, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		var title, slug string
		c, err := scanComment(rows, &title, &slug)
		if err != nil {
			return nil, err
		}
		c.ArticleTitle, c.ArticleSlug = title, slug
		out = append(out, c)
	}
	return out, rows.Err()
}
