package handlers

import (
	"bytes"
	"container/list"
	"context"
	"fmt"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// The page cache keeps the rendered pages of anonymous readers, which are the same for
// all of them (DESIGN.md), and serves them again while the content versions they were
// built from still hold in the database. A write anywhere bumps a version (triggers,
// migration 0006), so the next request sees the change: nothing here expires by timer,
// except pages that change by themselves at a known time (a scheduled story going
// live, a discussion closing), which carry that time.
//
// A hit costs one prepared SQL statement (the versions, shared by the requests that
// arrive together: see sharedRead) and a copy of stored bytes, compressed once per
// encoding on first use, never per request.

// publicCacheControl lets browsers keep a page but ask again each time (a cheap 304
// while it is current), and lets a shared cache or CDN serve it for 10 s and while it
// revalidates for 30 s more: that lag is the CDN's, and only where an operator puts one.
const publicCacheControl = "public, max-age=0, s-maxage=10, stale-while-revalidate=30"

// vary is the Vary of every page kept for readers (this cache's, and the members'
// pages); varyValue is the same as a header map's value, shared by every answer, as a
// stored page's values are (headerLines).
const vary = "Accept-Encoding, Cookie"

var varyValue = []string{vary}

// Context keys of the page cache.
const (
	cacheStateKey = "cache.state" // *cacheState of this request
	renderingKey  = "cache.miss"  // set while a miss renders into the cache's buffer
)

// cacheState is one request's view of the content versions, read once at its start.
// Everything the page then reads is at least that new, so a page stored under these
// versions can only be newer than they say, never older: the safe direction.
type cacheState struct {
	v         versionsRead
	snap      *siteSnapshot
	widgets   uint64    // generation of the reader widgets when the request began
	articleID int64     // an article page depends on its own discussion only
	until     time.Time // the page changes by itself at this time (zero: never)
}

// pageDeps are the versions a cached page was built from.
type pageDeps struct {
	snap       *siteSnapshot // site version and next scheduled publication
	comments   int64         // any comment (0 when the page is one article's)
	articleID  int64
	discussion int64
	widgets    uint64
	until      time.Time
}

func (st *cacheState) deps() pageDeps {
	d := pageDeps{snap: st.snap, articleID: st.articleID, widgets: st.widgets, until: st.until}
	if st.articleID != 0 {
		d.discussion = st.v.discussion
	} else {
		d.comments = st.v.comments
	}
	return d
}

// covers reports whether a page built under d shows everything a request that read
// the versions in st must see: it was built from those versions or later ones (they
// only ever grow), and no scheduled time in it has passed. A page built after the
// request arrived is as good as one built for it, which is what lets every request
// waiting for a render take that render's page.
func (d pageDeps) covers(st *cacheState, now time.Time) bool {
	if d.snap.version < st.snap.version || d.widgets < st.widgets || (!d.until.IsZero() && !now.Before(d.until)) {
		return false
	}
	if d.articleID != 0 {
		return st.v.article == d.articleID && d.discussion >= st.v.discussion
	}
	return d.comments >= st.v.comments
}

// cachedPage is one stored answer: the HTML once, and its compressed forms made on
// first use (a client asking for gzip never pays for brotli; see encoding.go).
type cachedPage struct {
	deps     pageDeps
	route    string // the route it answered, for the metrics of hits served by hitLane
	etag     string
	modified time.Time
	identity []byte
	gzip, br encoded

	// Browsers that take brotli too, served gzip until the page has stayed (brotliOnceItStays).
	brAsked   atomic.Int64
	brStarted atomic.Bool

	headers          *headerLines // caching: Cache-Control, ETag, Last-Modified, Surrogate-Key, Vary
	contentTypeValue []string     // in the header map, where net/http reads it
}

func (p *cachedPage) size() int64 { return int64(len(p.identity))*2 + 512 } // the compressed forms are far smaller

// lru is a map bounded by the total size of its values, dropping the least recently used.
type lru[V any] struct {
	mu    sync.Mutex
	max   int64
	size  int64
	order *list.List // front: most recently used
	items map[string]*list.Element
}

type lruItem[V any] struct {
	key  string
	size int64
	val  V
}

func newLRU[V any](maxBytes int64) *lru[V] {
	return &lru[V]{max: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

func (l *lru[V]) get(key string) (V, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.items[key]; ok {
		l.order.MoveToFront(el)
		return el.Value.(*lruItem[V]).val, true
	}
	var zero V
	return zero, false
}

func (l *lru[V]) put(key string, val V, size int64) {
	if size > l.max/4 {
		return // one huge value must not flush everything else
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.items[key]; ok {
		l.size -= el.Value.(*lruItem[V]).size
		l.order.Remove(el)
	}
	l.items[key] = l.order.PushFront(&lruItem[V]{key: key, size: size, val: val})
	l.size += size
	for l.size > l.max {
		el := l.order.Back()
		it := el.Value.(*lruItem[V])
		l.order.Remove(el)
		delete(l.items, it.key)
		l.size -= it.size
	}
}

// bytes reports the total size held; tests and metrics read it.
func (l *lru[V]) bytes() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.size
}

// flight lets one request render a missing page while others asking for the same
// page wait for it, so a story that goes viral right after an edit is rendered once,
// not by every connection at the same moment.
type flight struct {
	mu    sync.Mutex
	calls map[string]chan struct{}
}

// begin returns (nil, true) if the caller should render key, calling done after, or a
// channel to wait on while another request renders it.
func (f *flight) begin(key string) (wait <-chan struct{}, lead bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ch, ok := f.calls[key]; ok {
		return ch, false
	}
	if f.calls == nil {
		f.calls = map[string]chan struct{}{}
	}
	f.calls[key] = make(chan struct{})
	return nil, true
}

func (f *flight) done(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.calls[key])
	delete(f.calls, key)
}

// headAsGet answers HEAD on every GET route, as HTTP requires (uptime monitors and
// caches use it): the router sees a GET, while net/http, which keeps the original
// request, still knows it was HEAD and sends no body. It wraps the router from outside,
// since Echo routes by the request it was given, whatever middleware does to it.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			r = r.WithContext(context.WithValue(r.Context(), headRequest{}, true)) // a copy
			r.Method = http.MethodGet
		}
		next.ServeHTTP(w, r)
	})
}

// headRequest marks, in a request's context, a GET that came in as HEAD.
type headRequest struct{}

// cameAsHead reports whether the request came in as HEAD (HEAD is not a read of a
// story): before the router (hitLane) it is still a HEAD; after headAsGet the mark in
// its context says so.
func cameAsHead(r *http.Request) bool {
	return r.Method == http.MethodHead || r.Context().Value(headRequest{}) != nil
}

// cacheable reports whether this request may be answered from, or stored in, the
// shared page cache: an anonymous reader's GET (or HEAD) of a public page. A session or flash
// cookie makes the page personal; the newsroom, files, live streams and health have
// their own rules.
func cacheable(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	for _, prefix := range []string{"/admin", "/static/", "/media/", "/live/", "/healthz", "/readyz", "/metrics"} {
		if strings.HasPrefix(p, prefix) {
			return false
		}
	}
	for _, name := range []string{sessionCookie, flashCookie} {
		if _, err := r.Cookie(name); err == nil {
			return false
		}
	}
	return true
}

// servePages is the page cache middleware.
func (a *App) servePages(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !cacheable(r) {
			if memberRequest(c) {
				return a.serveMember(c, next)
			}
			return next(c)
		}
		key := pageKey(r)
		var st *cacheState // the versions as this request arrived: what its answer must show
		for waited := false; ; waited = true {
			page, _ := a.pages.get(key)
			var articleID int64
			if page != nil {
				articleID = page.deps.articleID
			}
			if st == nil || st.v.article != articleID {
				var err error
				if st, err = a.laneOrReadState(c, articleID, waited); err != nil {
					return err
				}
			}
			if page != nil && page.deps.covers(st, a.Now()) {
				_, err := a.sendHit(c.Response(), r, page, answerHeaders{page: page.headers})
				return err
			}
			if waited && page == nil { // the other render stored nothing (a 404, say): do not queue again
				return a.renderAndStore(c, next, key, st)
			}
			// One render of a page at a time. A request that waited for one and finds its
			// page older than itself (a comment came in between) queues for the next, which
			// then serves everyone who arrived before it began: in a comment storm, the
			// readers of a story no longer render it each for themselves.
			wait, lead := a.rendering.begin(key)
			if lead {
				defer a.rendering.done(key)
				return a.renderAndStore(c, next, key, st)
			}
			select { // another request is rendering this page: wait for it, then look again
			case <-wait:
			case <-r.Context().Done():
				return r.Context().Err()
			}
		}
	}
}

// pageKey names a page in the cache: its path and query as the reader sent them.
func pageKey(r *http.Request) string { return r.URL.Path + "?" + r.URL.RawQuery }

// laneOrReadState is the versions hitLane read for this request, when it read them
// for the same page; otherwise (or after waiting for another render) a fresh read.
func (a *App) laneOrReadState(c echo.Context, articleID int64, waited bool) (*cacheState, error) {
	if st, ok := c.Request().Context().Value(laneState{}).(*cacheState); ok && !waited && st.v.article == articleID {
		c.Set(cacheStateKey, st)
		return st, nil
	}
	return a.readState(c, articleID)
}

// renderAndStore runs the handler into a buffer, stores the answer if it is the same
// for every reader (200, public, no cookie set), and sends it. The page may come cut
// into parts (cut.go); its gzip form is then made of the parts' kept compressed forms.
func (a *App) renderAndStore(c echo.Context, next echo.HandlerFunc, key string, st *cacheState) error {
	a.metrics.cacheMisses.Inc()
	c.Set(cutKey, true)
	buf, out, err := captureRender(c, next)
	c.Set(cutKey, nil) // an error page is not cut
	if err != nil && !c.Response().Committed {
		return err // nothing written: the error handler writes its page
	}
	h := out.Header()
	buf.cut(a)
	if err == nil && buf.status == http.StatusOK && strings.HasPrefix(h.Get("Cache-Control"), "public") && h.Get("Set-Cookie") == "" {
		body := buf.kept()
		page := &cachedPage{deps: st.deps(), route: c.Path(), identity: body,
			etag: weakETag(body), modified: a.Now().UTC().Truncate(time.Second)}
		if buf.parts != nil && acceptsEncoding(c.Request().Header.Get("Accept-Encoding"), "gzip") {
			page.gzip.seed(a.gzipParts(buf.parts))
		}
		page.headers = newHeaderLines("Cache-Control", publicCacheControl, "Etag", page.etag,
			"Last-Modified", page.modified.Format(http.TimeFormat), "Surrogate-Key", surrogateKeys(page.deps), "Vary", vary)
		page.contentTypeValue = []string{h.Get(echo.HeaderContentType)}
		a.pages.put(key, page, page.size())
		page.headers.setIn(h) // over those the handler set (cacheHeaders)
		_, err := a.sendPage(out, c.Request(), page, answerHeaders{})
		return err
	}
	out.WriteHeader(buf.status)
	_, werr := out.Write(buf.body.Bytes())
	if err != nil {
		return err
	}
	return werr
}

// surrogateKeys names what a page is built from, for a CDN or Varnish in front that
// purges by key (Fastly's Surrogate-Key; Varnish with a ban on it, see README): "site"
// is on every page, and an article's page also carries "article-ID", so one story's
// page can be purged when only its discussion changed.
func surrogateKeys(d pageDeps) string {
	if d.articleID != 0 {
		return "site article-" + strconv.FormatInt(d.articleID, 10)
	}
	return "site"
}

// sendHit answers from the cache: counted as a hit, and as a read of the story on a
// story's page.
func (a *App) sendHit(w http.ResponseWriter, r *http.Request, p *cachedPage, own answerHeaders) (status int, err error) {
	a.countHit(r, p.deps)
	return a.sendPage(w, r, p, own)
}

// countHit counts an answer from the cache, and a read of the story on a story's page.
func (a *App) countHit(r *http.Request, d pageDeps) {
	a.metrics.cacheHits.Inc()
	if d.articleID != 0 && !cameAsHead(r) { // HEAD is not a read of the story
		a.Reads.Add(d.articleID, a.Now())
	}
}

// sendPage writes a stored page in the encoding the client prefers, or 304 Not
// Modified when the client's copy is current, with the headers own adds to its map
// (sendWhole). Its caching headers must be in one or the other.
func (a *App) sendPage(w http.ResponseWriter, r *http.Request, p *cachedPage, own answerHeaders) (status int, err error) {
	h := w.Header()
	if notModified(r, p) {
		own.setIn(h)
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified, nil
	}
	body := p.identity
	ae := headerValue(r.Header, "Accept-Encoding")
	switch br, gz := acceptsEncoding(ae, "br"), acceptsEncoding(ae, "gzip"); {
	case br && (p.br.ready() || !gz):
		body = p.br.get(p.identity, a.brotli)
		h[echo.HeaderContentEncoding] = brValue
	case gz:
		body = p.gzip.get(p.identity, a.gzip)
		h[echo.HeaderContentEncoding] = gzipValue
		if br {
			a.brotliOnceItStays(p)
		}
	}
	h[echo.HeaderContentType] = p.contentTypeValue
	return http.StatusOK, a.sendWhole(w, r, body, own)
}

// brotliOnceItStays counts an answer in gzip to a client that takes brotli too, and
// once the page has stayed (by those answers and the gzip form's age) makes its brotli
// form at the best setting in the background, for the clients after (encoding.go).
func (a *App) brotliOnceItStays(p *cachedPage) {
	if p.brStarted.Load() {
		return // once started, an answer touches no shared counter
	}
	if stayed(p.brAsked.Add(1), p.gzip.made) && p.brStarted.CompareAndSwap(false, true) {
		go func() {
			p.br.upgraded.Store(true) // made at the best setting: nothing to upgrade
			p.br.seed(compressWith(p.identity, &a.brotli.best))
		}()
	}
}

var brValue, gzipValue = []string{"br"}, []string{"gzip"}

// headerValue is h's first value for key, which must be in canonical form (as every
// key net/http parses is). A hit reads and sets its headers this way: Get and Set put
// the key in canonical form first, and those few calls cost a hit 3% of its instructions.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// notModified answers a conditional GET: If-None-Match wins over If-Modified-Since
// (RFC 9110 §13.2.2); ETags compare weakly, as every representation shares one.
func notModified(r *http.Request, p *cachedPage) bool {
	if inm := headerValue(r.Header, "If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || tag == strings.TrimPrefix(p.etag, "W/") {
				return true
			}
		}
		return false
	}
	if v := headerValue(r.Header, "If-Modified-Since"); v != "" { // parsing "" fails, and a failure allocates
		if ims, err := http.ParseTime(v); err == nil {
			return !p.modified.After(ims)
		}
	}
	return false
}

// weakETag names a document by its bytes, so the tag changes exactly when they do
// (but for a chance of one in 2^64 when the length is the same too) and is the same on
// every server, so a CDN or browser revalidating against another node still gets its
// 304. It is weak because each encoding of the document shares it. Two CRC-32s, each
// computed by the processor's own instructions, take a tenth of the time of SHA-256,
// which was a twentieth of a story page's miss; nothing depends on the tag being hard
// to forge.
func weakETag(body []byte) string {
	return fmt.Sprintf(`W/"%x-%08x%08x"`, len(body), crc32.ChecksumIEEE(body), crc32.Checksum(body, castagnoliTable))
}

var castagnoliTable = crc32.MakeTable(crc32.Castagnoli)

// acceptsEncoding reports whether an Accept-Encoding header admits coding (q=0 refuses it).
// It walks the header in place: every hit asks it twice, and splitting the header
// into a slice first was two of a hit's allocations.
func acceptsEncoding(header, coding string) bool {
	for rest := header; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		name, params, _ := strings.Cut(part, ";")
		if strings.EqualFold(strings.TrimSpace(name), coding) {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// captureRender runs the handler into a buffer, for the caller to store and then send
// to out, the client's writer. The gzip middleware leaves such an answer alone: the
// caller compresses what it keeps, once.
func captureRender(c echo.Context, next echo.HandlerFunc) (buf *captureWriter, out http.ResponseWriter, err error) {
	res := c.Response()
	out = res.Writer
	buf = &captureWriter{ResponseWriter: out}
	res.Writer = buf
	defer func() { res.Writer = out }() // also when the handler panics, so the error page reaches the client
	c.Set(renderingKey, true)
	return buf, out, next(c)
}

// captureWriter keeps a response in memory while a cache miss renders.
type captureWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
	parts  [][]byte // the body's parts, once cut (cut.go)
}

// cut takes the cut marks out of the body (cutParts), keeping its parts.
func (w *captureWriter) cut(a *App) {
	page, parts := a.cutParts(w.body.Bytes())
	w.body.Truncate(len(page))
	w.parts = parts
}

func (w *captureWriter) WriteHeader(status int) { w.status = status }

func (w *captureWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}

// kept is the captured body for keeping in a cache: the buffer is not used again, and
// one grown in steps is copied so the cache does not keep its spare room.
func (w *captureWriter) kept() []byte {
	body := w.body.Bytes()
	if cap(body) > len(body)+len(body)/4 {
		body = bytes.Clone(body)
	}
	return body
}
