package handlers

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"html/template"
	"net/http"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// Members' pages. A logged-in reader's view of a reader's page differs from the
// anonymous one in three ways: their name in the masthead, a comment form that says
// who is posting, and vote and report buttons under other people's comments. Only the
// name says who they are, as long as they have no comment and no vote in the
// discussion shown. So such a page is rendered once for every member, with a mark
// where the name goes, kept beside the anonymous pages under the same content
// versions, and served with each reader's name put in: a member costs a session
// check and a copy, not a render. Members who took part in a story's discussion, and
// staff (whose pages carry newsroom controls), get pages rendered for them alone, as
// every logged-in reader did before.

// memberRoutes are the routes whose pages are the same for every member but for the
// name. Anything else (the account pages above all) is rendered for its reader.
var memberRoutes = map[string]bool{
	"/": true, "/articles/:slug": true, "/section/:slug": true, "/tag/:slug": true, "/author/:slug": true,
	"/search": true, "/corrections": true,
}

const (
	sessionReadKey = "session.read"  // the session was read before the router's middleware (loadUser skips it)
	personalKey    = "page.personal" // the page shows the reader's own comments or votes: never shared
)

// privateCacheControl is on every answer made for one reader: browsers may not keep it.
const privateCacheControl = "private, no-store"

var privateCacheControlValue = []string{privateCacheControl}

// memberPage is a page as every member sees it, cut where the reader's name goes.
type memberPage struct {
	deps        pageDeps
	parts       [][]byte // len(parts)-1 names go between them
	contentType []string

	deflateOnce sync.Once
	deflated    [][]byte // each part compressed on its own (deflatePart), made on first use
}

func (p *memberPage) size() int64 {
	var n int64
	for _, part := range p.parts {
		n += int64(len(part))
	}
	return n*2 + 512 // with the compressed parts, which are far smaller
}

// newMark is a mark rendered where a page is cut (where a member's name goes, where the
// page cache may cut a page: cut.go): random for each server, so no comment or headline can contain it,
// and made of letters and digits, which every template context leaves as they are.
func newMark(kind string) string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	return kind + hex.EncodeToString(b)
}

// memberRequest reports whether r may be answered with a members' page: a GET or HEAD
// of a member route from a logged-in browser with no message waiting for it.
func memberRequest(c echo.Context) bool {
	r := c.Request()
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || !memberRoutes[c.Path()] {
		return false
	}
	if _, err := r.Cookie(flashCookie); err == nil {
		return false // the flash is shown once, to this reader
	}
	_, err := r.Cookie(sessionCookie)
	return err == nil
}

// serveMember answers a member from the members' pages when it can, and otherwise
// renders their page; like servePages, one render of a page at a time.
func (a *App) serveMember(c echo.Context, next echo.HandlerFunc) error {
	u, err := a.sessionUser(c)
	if err != nil {
		return err
	}
	c.Set(sessionReadKey, true)
	if u == nil {
		return next(c)
	}
	c.Set(userCtxKey, u)
	if u.Role != models.RoleCommenter || u.Blocked {
		return next(c)
	}
	r := c.Request()
	key := "member|" + strconv.FormatBool(u.NotifyReplies) + "|" + pageKey(r)
	for waited := false; ; waited = true {
		if waited { // as in servePages: the versions as they are now
			if _, err := a.readState(c, 0); err != nil {
				return err
			}
		}
		page, _ := a.memberPages.get(key)
		if page != nil && page.deps.articleID != 0 {
			if err := a.scopeToArticle(c, page.deps.articleID); err != nil {
				return err
			}
		}
		st, err := a.state(c) // read with the reader's account (sessionUser)
		if err != nil {
			return err
		}
		if page != nil && page.deps.covers(st, a.Now()) {
			took, err := a.tookPart(r.Context(), page.deps.articleID, u.ID, st.v.discussion)
			if err != nil {
				return err
			}
			if took {
				return next(c) // their own comments or votes are on it
			}
			a.countHit(r, page.deps)
			return a.sendMember(c.Response(), r, page, u.Name)
		}
		if waited && page == nil {
			return a.renderMember(c, next, key, u, st)
		}
		wait, lead := a.rendering.begin(key)
		if lead {
			defer a.rendering.done(key)
			return a.renderMember(c, next, key, u, st)
		}
		select {
		case <-wait:
		case <-r.Context().Done():
			return r.Context().Err()
		}
	}
}

// tookPart is HasTakenPart, remembered for the discussion version it was asked
// under: the reader's comments and votes all move that version.
func (a *App) tookPart(ctx context.Context, articleID, userID, discussion int64) (bool, error) {
	if articleID == 0 {
		return false, nil
	}
	key := strconv.FormatInt(userID, 10) + "|" + strconv.FormatInt(articleID, 10)
	if seen, ok := a.participants.get(key); ok && seen.discussion == discussion {
		return seen.took, nil
	}
	took, err := a.Store.Comments.HasTakenPart(ctx, articleID, userID)
	if err != nil {
		return false, err
	}
	a.participants.put(key, participation{discussion: discussion, took: took}, int64(len(key))+64)
	return took, nil
}

// participation is one reader's part in one discussion, as of a discussion version.
type participation struct {
	discussion int64
	took       bool
}

// renderMember renders the page for a stand-in carrying the reader's id, role and
// mail setting but the name mark, keeps it among the members' pages unless it turned
// out to show the reader's own comments or votes, and sends it with their name.
func (a *App) renderMember(c echo.Context, next echo.HandlerFunc, key string, u *models.User, st *cacheState) error {
	a.metrics.cacheMisses.Inc()
	c.Set(userCtxKey, &models.User{ID: u.ID, Name: a.nameMark, Role: u.Role, NotifyReplies: u.NotifyReplies})
	buf, out, err := captureRender(c, next)
	c.Set(userCtxKey, u) // an error page is the reader's own
	if err != nil && !c.Response().Committed {
		return err
	}
	h := out.Header()
	parts := bytes.Split(buf.kept(), []byte(a.nameMark))
	if err == nil && buf.status == http.StatusOK && c.Get(personalKey) == nil &&
		h.Get("Cache-Control") == privateCacheControl && h.Get("Set-Cookie") == "" {
		page := &memberPage{deps: st.deps(), parts: parts, contentType: []string{h.Get(echo.HeaderContentType)}}
		a.memberPages.put(key, page, page.size())
		return a.sendMember(out, c.Request(), page, u.Name)
	}
	body := bytes.Join(parts, []byte(template.HTMLEscapeString(u.Name)))
	if buf.status == http.StatusOK && acceptsEncoding(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		body = compressWith(body, &a.gzip.fast)
		h.Set(echo.HeaderContentEncoding, "gzip")
	}
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	out.WriteHeader(buf.status)
	if _, werr := out.Write(body); err == nil {
		err = werr
	}
	return err
}

// sendMember writes a members' page with name in its places, gzip-compressed when the
// client takes it (brotli streams cannot be joined this way; gzip is what every
// browser takes).
func (a *App) sendMember(w http.ResponseWriter, r *http.Request, p *memberPage, name string) error {
	h := w.Header()
	h["Cache-Control"], h["Vary"], h[echo.HeaderContentType] = privateCacheControlValue, varyValue, p.contentType
	esc := []byte(template.HTMLEscapeString(name))
	bp := a.pageBuffers.Get().(*[]byte)
	defer a.pageBuffers.Put(bp)
	body := (*bp)[:0]
	if acceptsEncoding(r.Header.Get("Accept-Encoding"), "gzip") {
		p.deflateOnce.Do(func() {
			p.deflated = make([][]byte, len(p.parts))
			for i, part := range p.parts {
				p.deflated[i] = a.deflatePart(part)
			}
		})
		body = joinGzip(body, p.parts, p.deflated, esc)
		h.Set(echo.HeaderContentEncoding, "gzip")
	} else {
		for i, part := range p.parts {
			if i > 0 {
				body = append(body, esc...)
			}
			body = append(body, part...)
		}
	}
	*bp = body
	return a.sendWhole(w, r, body, answerHeaders{})
}
