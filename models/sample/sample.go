// Package sample is the invented paper a new site starts with: sections, staff
// bylines, stories with painted lead pictures, and reader discussions. It is built
// only through the store's exported verbs, as an editor and readers would build it,
// so it stays right whatever the store does underneath.
package sample

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"image/jpeg"
	"runtime"
	"strings"
	"sync"
	"time"

	"broadsheet/models"
)

// Seed fills an empty site with the sample paper so a newcomer sees every feature at
// first start: sections, staff bylines, stories with painted lead pictures, and the
// unusual states (scheduled, draft, corrected, comments closed). The content lives in
// articles.go and comments.go, the pictures are painted by images.go; all of it is our own.
func Seed(ctx context.Context, s *models.Store, now time.Time, admin models.User) error {
	sections := map[string]int64{}
	for _, sec := range sampleSections {
		created, err := s.Sections.Create(ctx, sec.Name, sec.Description)
		if err != nil {
			return fmt.Errorf("section %s: %w", sec.Name, err)
		}
		sections[sec.Name] = created.ID
	}
	staff := map[string]int64{}
	for _, p := range sampleStaff {
		u, err := s.Users.Create(ctx, now, models.NewUser{
			Email: strings.ReplaceAll(models.Slugify(p.Name), "-", ".") + "@broadsheet.example",
			Name:  p.Name, Role: p.Role, Bio: p.Bio,
			// Nobody is told this password: staff sign in as the administrator, who
			// can set a real one later. It only has to be impossible to guess.
			Password: rand.Text(),
		})
		if err != nil {
			return fmt.Errorf("staff %s: %w", p.Name, err)
		}
		staff[p.Name] = u.ID
	}
	pictures, err := seedPictures(ctx, s, now, admin)
	if err != nil {
		return err
	}
	for i, a := range sampleArticles {
		if err := seedArticle(ctx, s, now, a, pictures[i], sections, staff); err != nil {
			return fmt.Errorf("sample story %q: %w", a.Title, err)
		}
	}
	return seedDiscussions(ctx, s, now)
}

// seedPictures paints every story's picture and stores it through the same
// pipeline as an upload, so every srcset size exists. Painting, encoding and
// resizing are nearly all of the seed's time and each picture is independent,
// so they run on every core; the database still takes one write at a time.
func seedPictures(ctx context.Context, s *models.Store, now time.Time, admin models.User) ([]models.Media, error) {
	pictures := make([]models.Media, len(sampleArticles))
	errs := make([]error, len(sampleArticles))
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, a := range sampleArticles {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			var pic bytes.Buffer
			if errs[i] = jpeg.Encode(&pic, paint(a.Art), &jpeg.Options{Quality: 92}); errs[i] != nil {
				return
			}
			pictures[i], errs[i] = s.Media.Save(ctx, now, &pic, models.Media{Alt: a.Alt, Caption: a.Caption, Credit: sampleCredit}, admin.ID)
		})
	}
	wg.Wait()
	return pictures, errors.Join(errs...)
}

// seedArticle saves one story with its stored picture.
func seedArticle(ctx context.Context, s *models.Store, now time.Time, a sampleArticle, m models.Media, sections, staff map[string]int64) error {
	in := models.ArticleInput{
		Title: a.Title, Dek: a.Dek, Body: a.Body, Dateline: a.Dateline, Wire: a.Wire,
		SectionID: sections[a.Section], Tags: a.Tags,
		MediaID: m.ID, ImageAlt: a.Alt, ImageCaption: a.Caption, ImageCredit: sampleCredit,
		Status: cmp.Or(a.Status, models.StatusPublished), PublishedAt: now.Add(-a.Age),
		Correction: a.Correction, CommentsOpen: !a.CommentsClosed,
	}
	if in.Status == models.StatusDraft {
		in.PublishedAt = time.Time{} // a draft has no publication time yet
	}
	if a.Updated != 0 {
		in.UpdatedAt = in.PublishedAt.Add(a.Updated)
	}
	for _, name := range a.Authors {
		in.AuthorIDs = append(in.AuthorIDs, staff[name])
	}
	_, err := s.Articles.Create(ctx, now, in)
	return err
}
