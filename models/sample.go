package models

import (
	"context"
	"time"
)

// Seed fills an empty site with the sample paper so a newcomer sees every feature at
// first start. All of it is our own writing.
func Seed(ctx context.Context, s *Store, now time.Time, admin User) error {
	sec, err := s.Sections.Create(ctx, "World", "News from around the globe.")
	if err != nil {
		return err
	}
	_, err = s.Articles.Create(ctx, now, ArticleInput{
		Title: "Harbour city opens its new sea wall", Dek: "Engineers say the barrier will hold back a once-a-century storm.",
		Body:     "The wall, three years in the building, was opened on Monday.\n\nResidents gathered to watch.",
		Dateline: "Lisbon", Wire: "Broadsheet", SectionID: sec.ID, AuthorIDs: []int64{admin.ID}, Tags: []string{"Climate"},
		Status: StatusPublished, PublishedAt: now.Add(-time.Hour), CommentsOpen: true,
	})
	return err
}
