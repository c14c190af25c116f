package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// notFound answers every address no route knows. An old WordPress address of an
// imported story, category, tag or author, and one of our own list pages with a
// trailing slash, are sent on (301); anything else is the 404 page.
func (a *App) notFound(c echo.Context) error {
	if m := c.Request().Method; m == http.MethodGet || m == http.MethodHead {
		if done, err := a.redirectOld(c, c.Request().URL.Path); done {
			return err
		}
	}
	return echo.ErrNotFound
}

// legacyPostID sends WordPress's plain addresses at the site's root (/?p=ID,
// /?page_id=ID, /?attachment_id=ID) to the imported story. One we do not know is a
// 404: showing the front page instead would tell search engines the old page lives on.
func (a *App) legacyPostID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if done, err := a.redirectOld(c, "/"); done {
			return err
		}
		return next(c)
	}
}

var (
	// WordPress's feeds of a post, archive or the whole blog: /feed/, /feed/atom/, /rss2/ …
	wpFeedSuffix = regexp.MustCompile(`/(?:feed(?:/(?:rss|rss2|atom|rdf))?|rss|rss2|atom|rdf)$`)
	// Later pages of an archive (/category/x/page/2/) or of a post split with <!--nextpage--> (/slug/2/).
	wpPagedSuffix = regexp.MustCompile(`/(?:page/)?[0-9]+$`)
	// Date archives: /2024/, /2024/03/, /2024/03/05/.
	wpDateArchive = regexp.MustCompile(`^/[0-9]{4}(?:/[0-9]{2}(?:/[0-9]{2})?)?$`)
	// Our own list pages, which a trailing slash must not turn into a 404.
	ownListPage = regexp.MustCompile(`^/(?:(?:section|tag|author|articles)/[^/]+|search)$`)
)

// wpQueryParams are WordPress's plain-permalink parameters, in the order it reads them.
var wpQueryParams = []string{"p", "page_id", "attachment_id"}

// redirectOld answers with a 301 when p (the request path) is an address of the old
// WordPress site or one of our list pages with a trailing slash; done is false when
// it is neither and the caller should go on.
func (a *App) redirectOld(c echo.Context, p string) (done bool, err error) {
	ctx := c.Request().Context()
	q := c.Request().URL.Query()
	for _, param := range wpQueryParams {
		if id := q.Get(param); id != "" {
			slug, err := a.Store.Articles.OldPermalink(ctx, a.Now(), strings.TrimRight(p, "/")+"/?"+param+"="+id)
			if errors.Is(err, models.ErrNotFound) {
				return true, echo.ErrNotFound
			}
			if err != nil {
				return true, err
			}
			return true, movedTo(c, "/articles/"+url.PathEscape(slug), "")
		}
	}
	key := strings.TrimRight(p, "/")
	if key == "" {
		return false, nil
	}
	// The exact address first: a story's own permalink may end in digits or "rss".
	if done, err := a.redirectOldKey(c, key, ""); done {
		return true, err
	}
	feed := ""
	if loc := wpFeedSuffix.FindStringIndex(key); loc != nil {
		feed = "rss"
		if strings.HasSuffix(key, "atom") {
			feed = "atom"
		}
		key = key[:loc[0]]
	}
	for _, k := range []string{key, wpPagedSuffix.ReplaceAllString(key, "")} {
		if done, err := a.redirectOldKey(c, k, feed); done {
			return true, err
		}
	}
	switch {
	case key == "" && feed != "": // the blog's own feed
		return true, movedTo(c, "/feed."+feed, "")
	case wpDateArchive.MatchString(key):
		// We have no date archives; the front page is the nearest list of stories by date.
		return true, movedTo(c, "/", "")
	case p != key && feed == "" && ownListPage.MatchString(key):
		return true, movedTo(c, strings.TrimRight(c.Request().URL.EscapedPath(), "/"), c.Request().URL.RawQuery)
	}
	return false, nil
}

// redirectOldKey redirects to the story, section, tag or author page (or its feed)
// that lived at the decoded, slashless old path key.
func (a *App) redirectOldKey(c echo.Context, key, feed string) (bool, error) {
	if key == "" {
		return false, nil
	}
	ctx := c.Request().Context()
	slug, err := a.Store.Articles.OldPermalink(ctx, a.Now(), key)
	if err == nil {
		target := "/articles/" + url.PathEscape(slug)
		if feed != "" { // a post's feed on WordPress is its comments' feed
			target += "/comments." + feed
		}
		return true, movedTo(c, target, "")
	}
	if !errors.Is(err, models.ErrNotFound) {
		return true, err
	}
	kind, slug, err := a.Store.OldTerm(ctx, key)
	if errors.Is(err, models.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	prefix := map[string]string{"section": "/section/", "tag": "/tag/", "author": "/author/"}[kind]
	target := prefix + url.PathEscape(slug)
	if feed != "" {
		target += "/feed." + feed
	}
	return true, movedTo(c, target, "")
}

// movedTo answers 301 to one of our own paths (never another host: target always
// starts with a single slash), keeping rawQuery when given.
func movedTo(c echo.Context, target, rawQuery string) error {
	if rawQuery != "" {
		target += "?" + rawQuery
	}
	return c.Redirect(http.StatusMovedPermanently, target)
}
