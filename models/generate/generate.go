// Package generate fills an empty Broadsheet database with a large, realistic archive,
// for measuring the site at the size a real paper reaches (`broadsheet generate`).
//
// Stories and comments go through models.Bulk, the store's documented bulk path (same
// validation and sanitising as the verbs; indexes, search and counts kept by triggers),
// because through one transaction per story a million would take hours. Sections and
// photos are few and go through the ordinary verbs.
package generate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"broadsheet/models"
)

// Options says how big an archive to make.
type Options struct {
	Articles int
	Comments int
	Now      time.Time // the newest stories are just before it
	Seed     int64     // the same seed makes the same archive
	// Cache is SQLite's page cache for the load in bytes (0: models.DefaultBulkCache).
	// A million stories outgrow the default and slow to the speed of re-reading pages.
	Cache int64
	// Progress, when set, is called after each batch with the stories and comments written so far.
	Progress func(articles, comments int)
}

// Summary counts what was written.
type Summary struct {
	Articles, Comments, Users, Media int
}

// ErrNotEmpty: generating into a paper that already has stories would mix invented
// stories with real ones, and nothing could tell them apart afterwards.
var ErrNotEmpty = errors.New("this database already has stories; generate into a new, empty data folder")

// batch is how many stories are rendered together (in parallel) before being written in order.
const batch = 256

// Run writes the archive.
func Run(ctx context.Context, s *models.Store, o Options) (Summary, error) {
	var sum Summary
	if o.Articles < 1 || o.Comments < 0 {
		return sum, errors.New("generate: at least one story, and no negative number of comments")
	}
	counts, err := s.Articles.StatusCounts(ctx, time.Now())
	if err != nil {
		return sum, err
	}
	for _, n := range counts {
		if n > 0 {
			return sum, ErrNotEmpty
		}
	}
	g := &gen{o: o, r: rand.New(rand.NewSource(o.Seed)), span: span(o.Articles)}
	g.nounZ = rand.NewZipf(g.r, 1.1, 2, uint64(len(nouns)-1))
	g.tagZ = rand.NewZipf(g.r, 1.3, 1, uint64(len(tagWords)-1))
	if err := g.people(ctx, s); err != nil {
		return sum, err
	}
	if err := g.photos(ctx, s); err != nil {
		return sum, err
	}
	if err := g.commentPool(s); err != nil {
		return sum, err
	}
	sum.Users, sum.Media = len(g.authors)+len(g.readers), len(g.media)

	b, err := s.Bulk(ctx, g.o.Cache)
	if err != nil {
		return sum, err
	}
	if err := g.stories(ctx, s, b, &sum); err != nil {
		b.Close(ctx)
		return sum, err
	}
	return sum, b.Close(ctx)
}

// span is how far back the archive reaches: a busy paper's ~270 stories a day, at
// least two months and at most ten years.
func span(n int) time.Duration {
	days := min(max(n/270, 60), 3650)
	return time.Duration(days) * 24 * time.Hour
}

type gen struct {
	o     Options
	r     *rand.Rand
	span  time.Duration
	nounZ *rand.Zipf
	tagZ  *rand.Zipf

	sections []int64
	authors  []int64
	readers  []int64
	readerZ  *rand.Zipf
	authorZ  *rand.Zipf
	media    []models.Media
	pool     []models.ReadyComment
	plan     []int // comments per story
}

// people makes the sections, the writers and the readers who comment.
func (g *gen) people(ctx context.Context, s *models.Store) error {
	for _, sec := range sections {
		created, err := s.Sections.Create(ctx, sec.name, sec.desc)
		if err != nil {
			return fmt.Errorf("section %s: %w", sec.name, err)
		}
		g.sections = append(g.sections, created.ID)
	}
	b, err := s.Bulk(ctx, g.o.Cache)
	if err != nil {
		return err
	}
	nAuthors := min(max(20, g.o.Articles/2000), 2000)
	nReaders := max(20, g.o.Comments/40)
	since := g.o.Now.Add(-g.span)
	for i := range nAuthors + nReaders {
		role, list, kind := models.RoleAuthor, &g.authors, "writer"
		if i >= nAuthors {
			role, list, kind = models.RoleCommenter, &g.readers, "reader"
		}
		name := fmt.Sprintf("%s %s", firstNames[i%len(firstNames)], lastNames[(i/len(firstNames))%len(lastNames)])
		if i >= len(firstNames)*len(lastNames) {
			name += " " + strconv.Itoa(i)
		}
		bio := ""
		if role == models.RoleAuthor {
			bio = fmt.Sprintf("%s covers %s for the paper.", name, tagWords[i%len(tagWords)])
		}
		id, err := b.User(ctx, models.BulkUser{Email: fmt.Sprintf("%s%d@generated.example", kind, i), Name: name,
			Bio: bio, Role: role, CreatedAt: since})
		if err != nil {
			b.Close(ctx)
			return fmt.Errorf("user %s: %w", name, err)
		}
		*list = append(*list, id)
	}
	g.authorZ = rand.NewZipf(g.r, 1.2, 4, uint64(len(g.authors)-1))
	g.readerZ = rand.NewZipf(g.r, 1.2, 8, uint64(len(g.readers)-1))
	return b.Close(ctx)
}

// photos paints a handful of lead photos and stores them as uploads; stories reuse them.
func (g *gen) photos(ctx context.Context, s *models.Store) error {
	colours := []color.RGBA{{0x2b, 0x4c, 0x7e, 0xff}, {0xc0, 0x6c, 0x3a, 0xff}, {0x3f, 0x7d, 0x4e, 0xff},
		{0x7a, 0x3b, 0x69, 0xff}, {0x55, 0x55, 0x60, 0xff}, {0xd9, 0xa4, 0x41, 0xff}}
	for i, c := range colours {
		img := image.NewRGBA(image.Rect(0, 0, 1000, 625))
		for y := range 625 {
			for x := range 1000 {
				t := float64(y) / 625
				wave := 0.5 + 0.5*math.Sin(float64(x)/(40+float64(i)*9)+t*6)
				img.SetRGBA(x, y, color.RGBA{shade(c.R, t, wave), shade(c.G, t, wave), shade(c.B, t, wave), 0xff})
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
			return err
		}
		m, err := s.Media.Save(ctx, g.o.Now, &buf, models.Media{Alt: "An abstract pattern in " + sections[i].name + " colours",
			Caption: "Generated picture " + strconv.Itoa(i+1), Credit: "Broadsheet generator"}, 0)
		if err != nil {
			return fmt.Errorf("photo %d: %w", i+1, err)
		}
		g.media = append(g.media, m)
	}
	return nil
}

func shade(v uint8, t, wave float64) uint8 {
	return uint8(min(255, float64(v)*(0.6+0.5*t)+40*wave))
}

// commentPool prepares the comment bodies the archive draws from: sanitising each
// once instead of once per comment keeps ten million comments within minutes.
func (g *gen) commentPool(s *models.Store) error {
	for range 3000 {
		var b strings.Builder
		b.WriteString(commentOpeners[g.r.Intn(len(commentOpeners))])
		for range 1 + g.r.Intn(4) {
			b.WriteString(" " + g.sentence(6+g.r.Intn(14)))
		}
		if g.r.Intn(5) == 0 {
			b.WriteString("\n\n" + g.sentence(5+g.r.Intn(10)))
		}
		if g.r.Intn(25) == 0 {
			b.WriteString(" More at https://example.org/" + nouns[g.nounZ.Uint64()])
		}
		c, err := s.ReadyComment(b.String())
		if err != nil {
			return err
		}
		g.pool = append(g.pool, c)
	}
	return nil
}

// sentence makes n words of plausible news prose, capitalised and ended with a full stop.
func (g *gen) sentence(n int) string {
	words := make([]string, 0, n)
	for i := range n {
		switch {
		case i%3 == 1:
			words = append(words, nouns[g.nounZ.Uint64()])
		case g.r.Intn(6) == 0:
			words = append(words, verbs[g.r.Intn(len(verbs))])
		case g.r.Intn(5) == 0:
			words = append(words, adjectives[g.r.Intn(len(adjectives))])
		default:
			words = append(words, fillers[g.r.Intn(len(fillers))])
		}
	}
	s := strings.Join(words, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// planComments decides how many comments each story gets: most none or a few, a few
// stories thousands (a log-normal spread), only on stories readers can see.
func (g *gen) planComments(live []bool) {
	weights := make([]float64, len(live))
	var total float64
	for i := range weights {
		if live[i] && g.r.Intn(100) >= 45 {
			weights[i] = math.Exp(g.r.NormFloat64() * 1.7)
			total += weights[i]
		}
	}
	g.plan = make([]int, len(live))
	if total == 0 {
		return
	}
	left := g.o.Comments
	for i, w := range weights {
		g.plan[i] = int(w / total * float64(g.o.Comments))
		left -= g.plan[i]
	}
	for left > 0 { // rounding leftovers go to stories that already have a discussion
		if i := g.r.Intn(len(weights)); weights[i] > 0 {
			g.plan[i]++
			left--
		}
	}
}

// story is one generated story on its way to the database.
type story struct {
	in    models.ArticleInput
	ready models.ReadyArticle
	err   error
}

// stories writes the stories oldest first (so ids run with time, as on a real site),
// each followed by its discussion. Rendering, nearly all of a story's cost, runs on
// every core for the next batch while this goroutine writes the current one.
func (g *gen) stories(ctx context.Context, s *models.Store, b *models.Bulk, sum *Summary) error {
	st, err := s.Settings.Get(ctx)
	if err != nil {
		return err
	}
	n := g.o.Articles
	status := make([]string, n)
	live := make([]bool, n)
	for i := range n {
		switch x := g.r.Intn(1000); {
		case x < 10:
			status[i] = models.StatusDraft
		case x < 15:
			status[i] = models.StatusUnpublished
		case x < 17 && i > n/2:
			status[i] = models.StatusScheduled // its time is still to come
		default:
			status[i], live[i] = models.StatusPublished, true
		}
	}
	g.planComments(live)
	start, step := g.o.Now.Add(-g.span), g.span/time.Duration(n)
	build := func(lo int) []story {
		group := make([]story, min(lo+batch, n)-lo)
		for k := range group {
			group[k].in = g.article(lo+k, status[lo+k], start.Add(time.Duration(lo+k)*step), step)
		}
		return group
	}
	cur := build(0)
	done := render(s, cur)
	for lo := 0; lo < n; lo += batch {
		<-done
		var next []story
		if lo+batch < n {
			next = build(lo + batch)
			done = render(s, next)
		}
		for k, one := range cur {
			if one.err != nil {
				return fmt.Errorf("story %d: %w", lo+k+1, one.err)
			}
			at := one.in.PublishedAt
			if at.IsZero() || at.After(g.o.Now) {
				at = start.Add(time.Duration(lo+k) * step)
			}
			id, err := b.Article(ctx, at, one.ready)
			if err != nil {
				return fmt.Errorf("story %d: %w", lo+k+1, err)
			}
			written, err := g.discussion(ctx, b, id, at, g.plan[lo+k], st.MaxReplyDepth)
			sum.Articles++
			sum.Comments += written
			if err != nil {
				return fmt.Errorf("comments of story %d: %w", lo+k+1, err)
			}
			if err := b.CommitIfFull(ctx); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if g.o.Progress != nil {
			g.o.Progress(sum.Articles, sum.Comments)
		}
		cur = next
	}
	return nil
}

// render validates and renders a group of stories on every core; the channel closes when all are done.
func render(s *models.Store, group []story) <-chan struct{} {
	done := make(chan struct{})
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for k := range next {
				group[k].ready, group[k].err = s.Articles.Ready(group[k].in)
			}
		})
	}
	go func() {
		for k := range group {
			next <- k
		}
		close(next)
		wg.Wait()
		close(done)
	}()
	return done
}

// article invents story number i, due around t (slots are step apart).
func (g *gen) article(i int, status string, t time.Time, step time.Duration) models.ArticleInput {
	title := g.headline()
	slug := models.Slugify(title)
	if len(slug) > 70 {
		slug = strings.TrimRight(slug[:70], "-")
	}
	in := models.ArticleInput{
		Title: title, Slug: slug + "-" + strconv.FormatInt(int64(i+1), 36),
		Dek: g.sentence(10 + g.r.Intn(12)), Body: g.body(),
		SectionID: g.sections[g.weighted(sectionWeights)], Status: status,
		PublishedAt:  t.Add(time.Duration(g.r.Int63n(int64(max(step, time.Second))))),
		CommentsOpen: g.r.Intn(10) > 0,
	}
	switch status {
	case models.StatusDraft:
		in.PublishedAt = time.Time{}
	case models.StatusScheduled:
		in.PublishedAt = g.o.Now.Add(time.Duration(1+g.r.Intn(14*24)) * time.Hour)
	}
	if in.PublishedAt.After(g.o.Now) && status == models.StatusPublished {
		in.PublishedAt = g.o.Now.Add(-time.Minute)
	}
	seen := map[string]bool{}
	for range []int{0, 1, 1, 2, 2, 2, 3, 4}[g.r.Intn(8)] {
		if tag := tagWords[g.tagZ.Uint64()]; !seen[tag] {
			seen[tag] = true
			in.Tags = append(in.Tags, tag)
		}
	}
	in.AuthorIDs = []int64{g.authors[g.authorZ.Uint64()]}
	if g.r.Intn(7) == 0 {
		if second := g.authors[g.r.Intn(len(g.authors))]; second != in.AuthorIDs[0] {
			in.AuthorIDs = append(in.AuthorIDs, second)
		}
	}
	if g.r.Intn(10) < 4 {
		m := g.media[g.r.Intn(len(g.media))]
		in.MediaID, in.ImageAlt, in.ImageCaption, in.ImageCredit = m.ID, m.Alt, m.Caption, m.Credit
	}
	if g.r.Intn(10) < 3 {
		in.Dateline = places[g.r.Intn(len(places))]
		in.Wire = wires[g.r.Intn(len(wires))]
	}
	return in
}

// weighted picks an index with probability proportional to its weight.
func (g *gen) weighted(w []int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	n := g.r.Intn(total)
	for i, x := range w {
		if n < x {
			return i
		}
		n -= x
	}
	return len(w) - 1
}

func (g *gen) noun() string { return nouns[g.nounZ.Uint64()] }

// headline makes a headline in one of the shapes papers use.
func (g *gen) headline() string {
	var h string
	switch g.r.Intn(4) {
	case 0:
		h = fmt.Sprintf("%s %s %s %s %s", adjectives[g.r.Intn(len(adjectives))], g.noun(), verbs[g.r.Intn(len(verbs))], g.noun(), g.noun())
	case 1:
		h = fmt.Sprintf("%s %s %s %s after %s row", g.noun(), verbs[g.r.Intn(len(verbs))], adjectives[g.r.Intn(len(adjectives))], g.noun(), g.noun())
	case 2:
		h = fmt.Sprintf("Why the %s %s the %s", g.noun(), verbs[g.r.Intn(len(verbs))], g.noun())
	default:
		h = fmt.Sprintf("%s %s: %s %s %s", strings.ToLower(places[g.r.Intn(len(places))]), g.noun(), adjectives[g.r.Intn(len(adjectives))], g.noun(), verbs[g.r.Intn(len(verbs))])
	}
	return strings.ToUpper(h[:1]) + h[1:]
}

// body makes a Markdown story: a brief of a paragraph or three, an ordinary report, or
// a long read with subheadings, now and then a bold phrase or a link.
func (g *gen) body() string {
	var paras int
	switch x := g.r.Intn(100); {
	case x < 35:
		paras = 1 + g.r.Intn(3)
	case x < 85:
		paras = 4 + g.r.Intn(7)
	default:
		paras = 12 + g.r.Intn(29)
	}
	var b strings.Builder
	for p := range paras {
		if p > 0 && p%6 == 0 {
			fmt.Fprintf(&b, "## The %s and the %s\n\n", g.noun(), g.noun())
		}
		for k := range 2 + g.r.Intn(5) {
			if k > 0 {
				b.WriteByte(' ')
			}
			switch g.r.Intn(30) {
			case 0:
				fmt.Fprintf(&b, "**%s**", g.sentence(4+g.r.Intn(6)))
			case 1:
				fmt.Fprintf(&b, "[%s](https://example.org/%s)", g.sentence(3+g.r.Intn(4)), g.noun())
			default:
				b.WriteString(g.sentence(8 + g.r.Intn(18)))
			}
		}
		b.WriteString("\n\n")
	}
	if g.r.Intn(3) == 0 {
		// Place names give search its long tail: thousands of them, each in a few stories.
		fmt.Fprintf(&b, "The %s of %s was mentioned too.\n", g.noun(), g.placeName())
	}
	return b.String()
}

// placeName makes one of 8,000 invented place names ("Velmarosk").
func (g *gen) placeName() string {
	name := syllables[g.r.Intn(len(syllables))] + syllables[g.r.Intn(len(syllables))] + syllables[g.r.Intn(len(syllables))]
	return strings.ToUpper(name[:1]) + name[1:]
}

// discussion writes n comments on a story published at pub, threaded the way real
// discussions are: about half start a thread, replies mostly answer recent comments,
// never deeper than the site allows. It returns how many it wrote.
func (g *gen) discussion(ctx context.Context, b *models.Bulk, articleID int64, pub time.Time, n, maxDepth int) (int, error) {
	if n == 0 {
		return 0, nil
	}
	ids := make([]int64, 0, n)
	depth := make([]int, 0, n)
	parent := make([]int, 0, n)
	// Comments arrive over about two days, or squeezed into what time there has been.
	window := min(48*time.Hour, g.o.Now.Sub(pub))
	gap := window / time.Duration(n+1)
	at := pub
	for k := range n {
		at = at.Add(time.Duration(g.r.ExpFloat64() * float64(gap)))
		if at.After(g.o.Now) {
			at = g.o.Now
		}
		p := -1
		if k > 0 && g.r.Intn(100) < 55 {
			p = max(0, k-1-int(g.r.ExpFloat64()*4))
			for depth[p] >= maxDepth {
				p = parent[p]
			}
		}
		c := models.BulkComment{ArticleID: articleID, UserID: g.readers[g.readerZ.Uint64()],
			Body: g.pool[g.r.Intn(len(g.pool))], Status: models.CommentApproved, CreatedAt: at}
		switch x := g.r.Intn(100); {
		case x < 2:
			c.Status = models.CommentPending
		case x < 3:
			c.Status = models.CommentSpam
		case x < 4:
			c.Status = models.CommentDeleted
		}
		d := 1
		if p >= 0 {
			c.ParentID, d = ids[p], depth[p]+1
		}
		id, err := b.Comment(ctx, c)
		if err != nil {
			return k, err
		}
		ids, depth, parent = append(ids, id), append(depth, d), append(parent, p)
	}
	return n, nil
}
