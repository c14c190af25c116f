package sample

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"time"

	"broadsheet/models"
)

// sampleComment is one seeded comment: who says it, and which earlier comment of the
// same discussion it answers (an index into the list, or -1 for a new thread).
type sampleComment struct {
	who    int
	parent int
	body   string
}

// sampleDiscussion belongs to the published story whose title starts with title;
// when there is none (the sample paper changed), it goes to the newest story left.
type sampleDiscussion struct {
	title    string
	closed   bool // close the discussion once seeded (reopening it first if need be)
	held     bool // finish with a comment that waits for a moderator
	comments []sampleComment
}

// sampleDiscussions are our own words, in posting order.
var sampleDiscussions = []sampleDiscussion{
	{title: "Harbour city opens its new sea wall", held: true, comments: []sampleComment{
		{0, -1, "The engineers deserve credit for finishing on schedule. Does anyone know how high the wall is at the harbour mouth?"},
		{1, 0, "About six metres above the spring tide line, according to the council's own summary."},
		{2, 1, "Six metres sounds like a lot until you read the storm-surge projections for 2080.\n\nI would like to see the assumptions published."},
		{0, 2, "They are published: https://example.org/sea-wall-report has the full appendix."},
		{3, 3, "Thank you, that appendix answers most of my questions."},
		{3, -1, "Good to read a story that explains the engineering rather than just the ribbon-cutting."},
		{1, 5, "Agreed. The diagram of the tidal gates was especially clear."},
		{4, -1, "What happens to the fishing boats during the second phase of the works?"},
		{2, 7, "The harbour master said they will moor in the outer basin until spring."},
	}},
	{title: "Ministers agree the outline of a cross-border rail pass", comments: []sampleComment{
		{2, -1, "A fair summary of a complicated negotiation."},
		{4, 0, "Fair, but it leaves out the price for daily commuters, which is the part that matters to most readers."},
		{0, 1, "The price question is covered near the end, though briefly."},
		{4, 2, "Briefly is the problem. <em>Three sentences</em> for the main issue."},
		{1, 3, "The ministers have not set a price yet, so three sentences may be all there is to say."},
		{1, -1, "Could the paper publish the draft agreement itself when it is released?"},
	}},
	{title: "Port Ellery keeps its mayor by eleven votes", closed: true, comments: []sampleComment{
		{1, -1, "I watched the recount from the public gallery and the report matches what I saw."},
		{3, 0, "Same here. The count was slow but scrupulous."},
		{0, 1, "Eleven votes. Anyone who stayed at home that day should take note."},
		{2, -1, "Thoughtful piece on a tense week. More local reporting like this, please."},
	}},
}

// sampleCommenters are the handful of reader accounts the sample discussions use.
var sampleCommenters = []string{"Ada Lindqvist", "Tomasz Wren", "Priya Natarajan", "Kofi Mensah", "Elena Marsh"}

// seedDiscussions gives several sample stories numbered, nested threads from a few
// reader accounts, leaves one discussion closed and one comment awaiting
// moderation, using only the stores' own verbs.
func seedDiscussions(ctx context.Context, s *models.Store, now time.Time) error {
	arts, err := s.Articles.Published(ctx, now, models.Filter{}, models.Page{Number: 1, Size: 100})
	if err != nil {
		return err
	}
	// Match each discussion to its story, then give the unmatched the newest stories left.
	targets := make([]*models.Article, len(sampleDiscussions))
	used := map[int64]bool{}
	for i, d := range sampleDiscussions {
		for j := range arts.Items {
			if a := &arts.Items[j]; strings.HasPrefix(a.Title, d.title) && !used[a.ID] {
				targets[i], used[a.ID] = a, true
				break
			}
		}
	}
	for i := range targets {
		for j := range arts.Items {
			if a := &arts.Items[j]; targets[i] == nil && a.CommentsOpen && !used[a.ID] {
				targets[i], used[a.ID] = a, true
			}
		}
	}
	var users []models.User
	for i, name := range sampleCommenters {
		// Sample readers get a password nobody knows: they exist to be read, not to log in.
		u, err := s.Users.Create(ctx, now.Add(-30*24*time.Hour), models.NewUser{Email: fmt.Sprintf("reader%d@example.com", i+1),
			Name: name, Password: rand.Text()})
		if err != nil {
			return err
		}
		users = append(users, u)
	}
	// Oldest story first, so the comments run forward in time across the paper and
	// flood control never sees one posted "before" the last.
	order := make([]int, 0, len(targets))
	for i, a := range targets {
		if a != nil {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(x, y int) int { return targets[x].PublishedAt.Compare(targets[y].PublishedAt) })
	var at time.Time
	for _, i := range order {
		d, art := sampleDiscussions[i], targets[i]
		if !art.CommentsOpen {
			if err := s.Comments.SetDiscussionOpen(ctx, art.ID, true); err != nil {
				return err
			}
		}
		// Comments start ten minutes after publication, two minutes apart; a fresh
		// story gets comments from the last minutes instead.
		span := time.Duration(len(d.comments)+1) * 2 * time.Minute
		at = later(at, art.PublishedAt.Add(10*time.Minute))
		if at.Add(span).After(now) {
			at = later(at, now.Add(-span))
		}
		var posted []models.Comment
		for _, sc := range d.comments {
			in := models.NewComment{ArticleID: art.ID, User: &users[sc.who], Body: sc.body}
			if sc.parent >= 0 {
				in.ParentID = posted[sc.parent].ID
			}
			c, err := s.Comments.Post(ctx, at, in)
			if err != nil {
				return fmt.Errorf("sample comment on %q: %w", art.Title, err)
			}
			// New accounts' first comments are held; the sample moderator approves them.
			if c.Pending() {
				if err := s.Comments.Approve(ctx, at, c.ID); err != nil {
					return err
				}
			}
			posted = append(posted, c)
			at = at.Add(2 * time.Minute)
		}
		if d.held {
			// More links than the site allows: this one waits for a moderator.
			if _, err := s.Comments.Post(ctx, at, models.NewComment{ArticleID: art.ID, User: &users[4],
				Body: "More reading: https://example.org/a https://example.org/b https://example.org/c"}); err != nil {
				return err
			}
			at = at.Add(2 * time.Minute)
		}
		if d.closed || !art.CommentsOpen {
			if err := s.Comments.SetDiscussionOpen(ctx, art.ID, false); err != nil {
				return err
			}
		}
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
