package handlers

import (
	"fmt"
	"testing"

	"broadsheet/models"
)

// BenchmarkArticleWith200Comments is BenchmarkArticlePage's story carrying 200
// comments: 50 threads, each a comment with a reply, a reply to that, and a second
// reply to the first. Compare the two in one run:
//
//	go test -tags sqlite_fts5 -run '^$' -bench 'ArticlePage|ArticleWith200' ./handlers
func BenchmarkArticleWith200Comments(b *testing.B) {
	ta, art := benchPaper(b)
	readers := []models.User{ta.user("Ada Reader", models.RoleCommenter), ta.user("Bo Reader", models.RoleCommenter)}
	for t := 0; t < 50; t++ {
		root := ta.comment(art, readers[t%2], 0, fmt.Sprintf("Thread %d: a thought of a sentence or two, https://example.com/%d", t, t))
		r1 := ta.comment(art, readers[(t+1)%2], root.ID, "A reply with <em>emphasis</em>.")
		ta.comment(art, readers[t%2], r1.ID, "A reply to the reply.\n\nIn two paragraphs.")
		ta.comment(art, readers[(t+1)%2], root.ID, "Another reply to the thread.")
	}
	benchGet(b, ta.h, "/articles/"+art.Slug)
}
