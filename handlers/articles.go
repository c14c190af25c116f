package handlers

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// pageParam reads ?page=N.
func pageParam(c echo.Context) (int, error) { return pageNumber(c, "page") }

// pageNumber reads a page number from the query parameter name. Absent means 1;
// anything but a whole number from 1 to models.MaxPage is a 400 that says so, never
// a 500 or a silent page 1.
func pageNumber(c echo.Context, name string) (int, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > models.MaxPage {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "Page numbers are whole numbers starting at 1.")
	}
	return n, nil
}

// storyParam reads the story id a list's link continues from (0 when absent).
func storyParam(c echo.Context, name string) (int64, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "That link to more stories is not one of ours: go back to the first page.")
	}
	return id, nil
}

// listPage fetches one page of stories; a page past the end is a 404. A page reached
// by a list's "Older" or "Newer" link also names the story it continues from (after=
// the last of the page before, before= the first of the page after), so that page
// starts there instead of counting past every story above it.
func (a *App) listPage(c echo.Context, f models.Filter) (models.Paged[models.Article], error) {
	n, err := pageParam(c)
	if err != nil {
		return models.Paged[models.Article]{}, err
	}
	page := models.Page{Number: n, Size: a.Config.PerPage}
	if n > 1 { // page 1 is the top of the list, whatever else the link says
		if page.After, err = storyParam(c, "after"); err != nil {
			return models.Paged[models.Article]{}, err
		}
		if page.Before, err = storyParam(c, "before"); err != nil {
			return models.Paged[models.Article]{}, err
		}
	}
	p, err := a.Store.Articles.Published(c.Request().Context(), a.Now(), f, page)
	if err == nil && n > 1 && n > p.Pages {
		return p, echo.NewHTTPError(http.StatusNotFound, "There are not that many pages.")
	}
	return p, err
}

type sectionBlock struct {
	Section models.Section
	Stories []models.Article
}

type homeData struct {
	page
	Lead    *models.Article
	Top     []models.Article // the editors' top stories, in their order
	Stories models.Paged[models.Article]
	Pager   pager
	Blocks  []sectionBlock
	Widgets widgets
}

// storyPager pages a list of stories, newest first. Its links name the story they
// continue from (listPage), so a reader or crawler walking through the archive pays
// the same for every page. Page 1 is its plain address.
func storyPager(p models.Paged[models.Article], base string) pager {
	pg := newPager("Pages", p.Number, p.Pages, pageLink(base, ""))
	pg.PrevText, pg.NextText = "← Newer", "Older →"
	if len(p.Items) == 0 {
		return pg // past the end: the links go by number
	}
	if pg.Next != "" {
		pg.Next += "&after=" + strconv.FormatInt(p.Items[len(p.Items)-1].ID, 10)
	}
	if p.Number > 2 {
		pg.Prev += "&before=" + strconv.FormatInt(p.Items[0].ID, 10)
	}
	return pg
}

// homeShow is the front page as the editors made it: their lead (else the newest
// story), their top stories, the latest of the rest, and a block per section (their
// picks first, then that section's newest). No story appears twice. Older pages
// (?page=2 …) list the archive without the lead and the blocks.
func (a *App) homeShow(c echo.Context) error {
	p, err := a.newPage(c)
	if err != nil {
		return err
	}
	p.Current = "home"
	p.Canonical = a.absURL("/")
	p.Description = p.Site.Tagline
	stories, err := a.listPage(c, models.Filter{})
	if err != nil {
		return err
	}
	d := homeData{page: p, Stories: stories, Pager: storyPager(stories, "/")}
	if err := a.readerChrome(&d.page, "home"); err != nil {
		return err
	}
	if stories.Number > 1 {
		d.Canonical = a.absURL("/?page=" + strconv.Itoa(stories.Number))
		return a.render(c, http.StatusOK, "home", d)
	}
	ctx := c.Request().Context()
	picks, err := a.Store.Front.Picks(ctx, a.Now(), true)
	if err != nil {
		return err
	}
	a.changesAt(c, picks.Lapses) // a pin running out changes this page by itself
	if err := a.composeFront(ctx, &d, picks); err != nil {
		return err
	}
	st, err := a.state(c)
	if err != nil {
		return err
	}
	if d.Widgets, _, err = a.loadWidgets(ctx, st.snap); err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "home", d)
}

// composeFront fills the first page's places in order — the editors' lead, top stories
// and section picks, a lead from the latest if none was chosen, the latest, then each
// section's newest — each taking only stories not yet placed.
func (a *App) composeFront(ctx context.Context, d *homeData, picks models.FrontPicks) error {
	shown := map[int64]bool{}
	take := func(arts []models.Article, n int) []models.Article {
		var out []models.Article
		for _, art := range arts {
			if len(out) < n && !shown[art.ID] {
				shown[art.ID] = true
				out = append(out, art)
			}
		}
		return out
	}
	d.Lead = picks.Lead
	if d.Lead != nil {
		shown[d.Lead.ID] = true
	}
	d.Top = take(picks.Top, models.MaxTopStories)
	blocks := map[int64][]models.Article{}
	for _, sec := range d.Sections {
		blocks[sec.ID] = take(picks.Sections[sec.ID], models.SectionBlockSize)
	}
	if d.Lead == nil { // no lead chosen: the newest story not placed elsewhere leads
		newest := d.Stories.Items
		if len(newest) < len(shown)+1 { // the page may be all picks: look one past them
			more, err := a.Store.Articles.Published(ctx, a.Now(), models.Filter{}, models.Page{Number: 1, Size: len(shown) + 1})
			if err != nil {
				return err
			}
			newest = more.Items
		}
		if latest := take(newest, 1); len(latest) > 0 {
			d.Lead = &latest[0]
		}
	}
	d.Stories.Items = take(d.Stories.Items, len(d.Stories.Items))
	exclude := make([]int64, 0, len(shown))
	for id := range shown {
		exclude = append(exclude, id)
	}
	newest, err := a.Store.Articles.LatestBySection(ctx, a.Now(), models.SectionBlockSize, exclude)
	if err != nil {
		return err
	}
	for _, sec := range d.Sections {
		got := append(blocks[sec.ID], take(newest[sec.ID], models.SectionBlockSize-len(blocks[sec.ID]))...)
		if len(got) > 0 {
			d.Blocks = append(d.Blocks, sectionBlock{Section: sec, Stories: got})
		}
	}
	return nil
}

type articleData struct {
	page
	Article    models.Article
	Related    []models.Article
	Notes      []models.Correction // corrections, clarifications and updates, oldest first
	Prev, Next *models.Article
	Preview    bool
	Live       bool // readers can see it now (told in the preview banner)
	Widgets    widgets
	Discussion *discussion
	Coverage   *models.Coverage // live coverage, running or closed (nil: none)
	Story      template.HTML    // the story section already rendered ("" renders it)
	Discussed  template.HTML    // the discussion already rendered, or its place in a shell ("" renders it)
}

// articleBundle is a story with the stories shown around it. Readers' bundles are
// reused while the site snapshot they were read under is current, so a page miss
// caused by a comment reads only the discussion.
type articleBundle struct {
	snap       *siteSnapshot
	art        models.Article
	related    []models.Article
	notes      []models.Correction
	prev, next *models.Article
	coverage   *models.Coverage // nil: the story was never live

	// Parts of its page rendered once (see renderStory): the story section ("story" in
	// article.html) and the link-preview metadata ("social"). Everything they show comes
	// from the bundle and its snapshot, so they live as long as they do.
	story, social renderedOnce
	shell         storyShell // the rest of the page around its discussion (shell.go)
}

// renderedOnce is a part of a page, rendered the first time it is asked for.
type renderedOnce struct {
	once sync.Once
	html template.HTML
	err  error
}

func (r *renderedOnce) get(render func() (template.HTML, error)) (template.HTML, error) {
	r.once.Do(func() { r.html, r.err = render() })
	return r.html, r.err
}

func (b *articleBundle) size() int64 {
	n := int64(3*len(b.art.BodyHTML)+len(b.art.BodySrc)) + 36<<10 // with the story and social parts rendered, and the shell
	if b.coverage != nil {
		for _, e := range b.coverage.Entries {
			n += int64(len(e.BodyHTML)+len(e.BodySrc)+len(e.Title)) + 256
		}
	}
	return n
}

// liveBundle returns the visible story with this slug and its neighbours, from the
// bundle cache when the snapshot still holds.
func (a *App) liveBundle(c echo.Context, slug string) (*articleBundle, error) {
	st, err := a.state(c)
	if err != nil {
		return nil, err
	}
	if b, ok := a.bundles.get(slug); ok && b.snap == st.snap {
		return b, nil
	}
	ctx := c.Request().Context()
	art, err := a.Store.Articles.PublishedBySlug(ctx, a.Now(), slug)
	if err != nil {
		return nil, err
	}
	b, err := a.loadBundle(ctx, art)
	if err != nil {
		return nil, err
	}
	b.snap = st.snap
	a.bundles.put(slug, b, b.size())
	return b, nil
}

// loadBundle reads the stories shown around art and the notes appended to it. Cards on a story page show no comment
// counts: those would tie every story's cached page to every other story's discussion.
func (a *App) loadBundle(ctx context.Context, art models.Article) (*articleBundle, error) {
	b := &articleBundle{art: art}
	var err error
	if b.related, err = a.Store.Articles.Related(ctx, a.Now(), art, 3); err != nil {
		return nil, err
	}
	if b.prev, b.next, err = a.Store.Articles.Neighbours(ctx, a.Now(), art); err != nil {
		return nil, err
	}
	for i := range b.related {
		b.related[i].CommentCount = 0
	}
	if b.notes, err = a.Store.Corrections.ForArticle(ctx, art.ID, false); err != nil {
		return nil, err
	}
	// Entries change the site version (migration 0016), so the bundle, kept while the
	// site snapshot holds, never shows an old set of them.
	if b.coverage, err = a.Store.Live.Coverage(ctx, art.ID); errors.Is(err, models.ErrNotFound) {
		b.coverage, err = nil, nil
	}
	return b, err
}

// articleShow is a story page. Slugs are plain (/articles/SLUG), not date-based:
// a story rescheduled or corrected keeps its address, and renamed slugs redirect.
func (a *App) articleShow(c echo.Context) error {
	slug := c.Param("slug")
	if len(slug) > 200 {
		return models.ErrNotFound
	}
	b, err := a.liveBundle(c, slug)
	if errors.Is(err, models.ErrNotFound) {
		to, rerr := a.Store.Articles.RedirectSlug(c.Request().Context(), a.Now(), slug)
		if rerr != nil {
			return rerr
		}
		return c.Redirect(http.StatusMovedPermanently, "/articles/"+url.PathEscape(to))
	}
	if err != nil {
		return err
	}
	a.countRead(c, b.art)
	return a.renderStory(c, b, false, http.StatusOK, commentForm{})
}

// renderArticleStatus renders a story page with a given status and comment form
// state: a refused comment comes back on its article with the reader's text. Editors'
// previews use it too, so a preview is exactly what readers will see.
func (a *App) renderArticleStatus(c echo.Context, art models.Article, preview bool, status int, form commentForm) error {
	b, err := a.loadBundle(c.Request().Context(), art)
	if err != nil {
		return err
	}
	return a.renderStory(c, b, preview, status, form)
}

// renderStory renders a story page from its bundle.
func (a *App) renderStory(c echo.Context, b *articleBundle, preview bool, status int, form commentForm) error {
	ctx := c.Request().Context()
	art := b.art
	if !preview {
		// The page depends on this discussion, not on every comment on the site.
		if err := a.scopeToArticle(c, art.ID); err != nil {
			return err
		}
		st, err := a.state(c)
		if err != nil {
			return err
		}
		art.CommentCount = st.v.approved
	}
	p, err := a.newPage(c)
	if err != nil {
		return err
	}
	if p.Site.VideoPlayers {
		art.BodyHTML = a.Store.San.WithVideoPlayers(art.BodyHTML)
	}
	p.Current = art.Section.Slug
	p.Canonical = a.absURL("/articles/" + art.Slug)
	p.Description = art.Dek
	if p.Description == "" {
		p.Description = models.CutText(a.plainText(string(art.BodyHTML)), 160)
	}
	p.NoIndex = preview
	p.Alternates = append(p.Alternates, a.feedLinks(art.Section.Name+" — "+p.Site.SiteName, "/section/"+art.Section.Slug)...)
	if !preview {
		p.Alternates = append(p.Alternates, a.commentFeedLinks(art)...)
	}
	a.changesAt(c, models.DiscussionClosesAt(art, p.Site))
	var disc *discussion
	if !preview { // a preview shows the story as it will read, before anyone can discuss it
		if disc, err = a.buildDiscussion(c, art, p.Site, p.Zone, form); err != nil {
			return err
		}
		if disc.personal {
			c.Set(personalKey, true) // not one of the members' shared pages (memberpages.go)
		}
	}
	a.describeArticle(&p, art, b.coverage, b.notes, disc)
	// Each later page and other order of a discussion is its own page, canonical to itself.
	ownCanonical := disc != nil && (disc.Threads.Number > 1 || disc.Order != models.OrderOldest)
	if ownCanonical {
		p.Canonical = a.absURL(discussionURL(disc.Base, disc.Order, disc.Threads.Number, 0))
	}
	d := articleData{page: p, Article: art, Related: b.related, Notes: b.notes, Prev: b.prev, Next: b.next, Preview: preview,
		Live: art.LiveAt(a.Now()), Coverage: b.coverage, Discussion: disc}
	// The story section, the link-preview metadata and the shell are the same on every
	// page that shows the discussion's first page in its usual order (the others name
	// themselves in its permanent link and their canonical address): reused, a comment's
	// miss renders the discussion only.
	firstPage := !preview && !ownCanonical
	if firstPage {
		if d.Story, err = b.story.get(func() (template.HTML, error) { return a.Views.Fragment("article", "story", d) }); err != nil {
			return err
		}
		if d.Social, err = b.social.get(func() (template.HTML, error) { return a.Views.Fragment("article", "social", d) }); err != nil {
			return err
		}
	}
	if err := a.readerChrome(&d.page, "article"); err != nil {
		return err
	}
	st, err := a.state(c)
	if err != nil {
		return err
	}
	var widgetsGen uint64
	if d.Widgets, widgetsGen, err = a.loadWidgets(ctx, st.snap); err != nil {
		return err
	}
	if firstPage && c.Get(cutKey) != nil { // rendering for the page cache: only what changed
		return a.renderInShell(c, status, b, d, widgetsGen)
	}
	return a.render(c, status, "article", d)
}

type listData struct {
	page
	Kind, Heading, Blurb, Base string
	Stories                    models.Paged[models.Article]
	Pager                      pager
}

func (a *App) renderList(c echo.Context, d listData, f models.Filter) error {
	p, err := a.newPage(c)
	if err != nil {
		return err
	}
	p.Current = d.Current // a section's page marks it in the navigation
	d.page = p
	if d.Stories, err = a.listPage(c, f); err != nil {
		return err
	}
	d.Pager = storyPager(d.Stories, d.Base)
	d.Canonical = a.absURL(d.Base)
	if d.Stories.Number > 1 {
		d.Canonical += "?page=" + strconv.Itoa(d.Stories.Number)
	}
	d.Description = d.Blurb
	d.Alternates = append(d.Alternates, a.feedLinks(d.Heading+" — "+p.Site.SiteName, d.Base)...)
	if err := a.readerChrome(&d.page, "list"); err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "list", d)
}

func (a *App) sectionShow(c echo.Context) error {
	sec, err := a.Store.Sections.BySlug(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	d := listData{Kind: "Section", Heading: sec.Name, Blurb: sec.Description, Base: "/section/" + sec.Slug}
	d.Current = sec.Slug
	return a.renderList(c, d, models.Filter{SectionID: sec.ID})
}

func (a *App) tagShow(c echo.Context) error {
	t, err := a.Store.Tags.BySlug(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	return a.renderList(c, listData{Kind: "Topic", Heading: t.Name, Base: "/tag/" + t.Slug}, models.Filter{TagID: t.ID})
}

func (a *App) authorShow(c echo.Context) error {
	u, err := a.Store.Users.BySlug(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	if !u.CanWrite() {
		return models.ErrNotFound // readers' accounts have no public page
	}
	return a.renderList(c, listData{Kind: "Author", Heading: u.Name, Blurb: u.Bio, Base: "/author/" + u.Slug}, models.Filter{AuthorID: u.ID})
}

// healthShow answers 200 while the database answers.
func (a *App) healthShow(c echo.Context) error {
	if err := a.Store.Ping(c.Request().Context()); err != nil {
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.String(http.StatusOK, "ok\n")
}
