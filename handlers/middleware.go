package handlers

import (
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"broadsheet/models"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// baseHeaders sets what every answer through the router carries, a fresh request id
// and the site's security headers, before anything else runs, so the log line and the
// error page have the request's id. (A hit from hitLane carries the same in
// answerHeaders.)
func (a *App) baseHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h[echo.HeaderXRequestID] = []string{newRequestID()}
		a.siteHeaders(c.Request()).setIn(h)
		return next(c)
	}
}

// newRequestID names an answer in the logs and on its error page. We never echo an
// inbound id, which a client could fill with anything.
func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// siteHeaders are the security headers every answer carries, with HSTS when the
// reader came over https.
func (a *App) siteHeaders(r *http.Request) *headerLines {
	if a.https(r) {
		return a.securityHeaders[1]
	}
	return a.securityHeaders[0]
}

// https reports whether the reader reached the site over TLS: directly, through a
// proxy that says so, or because the site's address is https.
func (a *App) https(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(a.Config.BaseURL, "https://") || headerValue(r.Header, echo.HeaderXForwardedProto) == "https"
}

// recoverPanics turns a panic into an error for the one error handler. Echo's
// middleware is built once here, not per request: building it inside a handler gave
// every request a fresh gzip writer pool (~1 MB each; 2.6 GB RSS under load).
func (a *App) recoverPanics() echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			a.Log.Error("panic", "path", c.Request().URL.Path, "err", err, "stack", string(stack))
			return err
		},
	})
}

// logRequests writes one structured line per request, and counts it in the metrics. It hands a returned error to
// the one error handler itself, before logging, so the line records the status the
// client got (a handler's 404 or 500, not Echo's default 200) and the error page is
// written once. Recovery from panics sits inside it, so a panic gets its line too.
func (a *App) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		a.logRequest(c.Request(), c.Path(), c.Response().Status, start, c.Response().Header().Get(echo.HeaderXRequestID))
		return nil
	}
}

// logRequest counts one answer in the metrics and writes its log line, under the
// method the client used (the router sees a HEAD as a GET: headAsGet).
func (a *App) logRequest(r *http.Request, route string, status int, start time.Time, id string) {
	took := time.Since(start)
	method := r.Method
	if cameAsHead(r) {
		method = http.MethodHead
	}
	a.metrics.observe(route, method, status, took)
	// The record is built here rather than by Logger.LogAttrs, which looks up its
	// caller's program counter on every call for a source position this log never
	// prints: a tenth of the line's cost, paid on every cache hit.
	ctx, h := r.Context(), a.Log.Handler()
	if !h.Enabled(ctx, slog.LevelInfo) {
		return
	}
	line := slog.NewRecord(start.Add(took), slog.LevelInfo, "request", 0)
	line.AddAttrs(slog.String("method", method), slog.String("uri", loggedURI(r)),
		slog.Int("status", status), slog.Duration("latency", took), slog.String("id", id))
	h.Handle(ctx, line) // an error here is the log's own writer failing: nowhere left to report it
}

// contentSecurityPolicy allows only our own origin: no inline script or style, no
// third-party hosts, no framing. Images may also come from mediaOrigin, the public
// bucket or CDN that serves the photos when -media-url names one ("" for none).
func contentSecurityPolicy(mediaOrigin string) string {
	img := "'self'"
	if mediaOrigin != "" {
		img += " " + mediaOrigin
	}
	// Frames only from the two video players an editor may turn on (settings); with
	// players off no page holds a frame, and no body can (the sanitiser drops them).
	return "default-src 'self'; img-src " + img + "; style-src 'self'; script-src 'self'; " +
		"frame-src " + strings.Join(models.VideoPlayerOrigins, " ") + "; " +
		"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
}

// newSecurityHeaders are the headers set on every answer, built once in New: without
// HSTS, and with it for answers over https.
func newSecurityHeaders(mediaOrigin string) [2]*headerLines {
	kv := []string{
		"Content-Security-Policy", contentSecurityPolicy(mediaOrigin),
		"X-Content-Type-Options", "nosniff",
		"X-Frame-Options", "DENY",
		"Referrer-Policy", "strict-origin-when-cross-origin",
		"X-Xss-Protection", "0",
	}
	return [2]*headerLines{newHeaderLines(kv...), newHeaderLines(append(kv, "Strict-Transport-Security", "max-age=31536000")...)}
}

// isUploadRoute names the routes that take photos: the media library and the article
// form (whose photo comes in the same multipart post as the words, so the form works
// without JavaScript). limitBody gives them maxUploadBody instead of the form limit.
func isUploadRoute(path string) bool {
	return strings.HasPrefix(path, "/admin/media") || isArticleForm(path)
}

// isArticleForm names the routes of the story form, whose oversize photo comes back
// as a message in the form rather than a 413 page.
func isArticleForm(path string) bool {
	return path == "/admin/articles" || path == "/admin/articles/:id"
}

// maxUploadBody is one photo at the media library's limit plus room for the form's other fields.
func (a *App) maxUploadBody() int64 { return a.Store.Media.MaxBytes + defaultFormBytes }

// compress gzips text responses over 1 KB that the page cache did not already
// compress (pages rendered for one reader, the newsroom); photos are compressed
// already. Such a page is compressed once and thrown away, so at the fastest level.
// That level also makes the middleware's per-request writer reset nearly free: it
// resets a writer for every request that accepts gzip, and twice when the answer is
// a redirect, and at the default level each reset clears 640 KB of hash tables, which
// was a visible share of a comment post.
func compress() echo.MiddlewareFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{
		Level:     gzip.BestSpeed,
		MinLength: 1024,
		Skipper: func(c echo.Context) bool {
			// Photos are compressed already; a live stream must reach the reader event by event.
			p := c.Request().URL.Path
			return strings.HasPrefix(p, "/media/") || strings.HasPrefix(p, "/live/") || c.Get(renderingKey) != nil
		},
	})
}

// loadUser puts the session's user, if any, into the context.
func (a *App) loadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Get(sessionReadKey) != nil {
			return next(c) // the page cache read it already (serveMember)
		}
		u, err := a.sessionUser(c)
		if err != nil {
			return err
		}
		if u != nil {
			c.Set(userCtxKey, u)
		}
		return next(c)
	}
}

// cacheHeaders: anonymous pages are the same for every anonymous reader, so shared
// caches may keep them briefly; anything for a logged-in user is private.
func (a *App) cacheHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Add("Vary", "Cookie")
		switch {
		case currentUser(c) != nil || strings.HasPrefix(c.Request().URL.Path, "/admin"):
			h.Set("Cache-Control", privateCacheControl)
		case c.Request().Method != http.MethodGet && c.Request().Method != http.MethodHead:
			h.Set("Cache-Control", "no-store")
		default:
			h.Set("Cache-Control", publicCacheControl)
		}
		return next(c)
	}
}

// requireLogin sends anonymous visitors to the login page, returning here afterwards.
func (a *App) requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) == nil {
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		return next(c)
	}
}

// requireRole refuses logged-in users whose role is not one of roles.
func (a *App) requireRole(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return a.requireLogin(func(c echo.Context) error {
			u := currentUser(c)
			for _, r := range roles {
				if u.Role == r {
					return next(c)
				}
			}
			return echo.NewHTTPError(http.StatusForbidden, "Your account does not have access to this page.")
		})
	}
}
