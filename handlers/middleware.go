package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"broadsheet/models"
)

// requestID gives every request a fresh id (we never echo an inbound one, which a
// client could fill with anything) for the logs and the error page.
func (a *App) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		b := make([]byte, 8)
		rand.Read(b)
		c.Response().Header().Set(echo.HeaderXRequestID, hex.EncodeToString(b))
		return next(c)
	}
}

// recoverPanics turns a panic into an error for the one error handler.
func (a *App) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			a.Log.Error("panic", "path", c.Request().URL.Path, "err", err, "stack", string(stack))
			return err
		},
	})(next)
}

// logRequests writes one structured line per request.
func (a *App) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURI: true, LogMethod: true, LogLatency: true, LogRequestID: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			a.Log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
				slog.String("method", v.Method), slog.String("uri", v.URI), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("id", c.Response().Header().Get(echo.HeaderXRequestID)))
			return nil
		},
	})(next)
}

// contentSecurityPolicy allows only our own origin: no inline script or style, no
// third-party hosts, no framing.
const contentSecurityPolicy = "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func (a *App) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-XSS-Protection", "0")
		if c.Scheme() == "https" || strings.HasPrefix(a.Config.BaseURL, "https://") {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		return next(c)
	}
}

// maxFormBytes bounds every request body except uploads, which get their own limit
// on their route. It runs before anything parses a form.
const maxFormBytes = 256 << 10

func (a *App) bodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	limit := middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit:   fmt.Sprintf("%dB", maxFormBytes),
		Skipper: func(c echo.Context) bool { return isUploadRoute(c.Path()) },
	})
	return limit(next)
}

// isUploadRoute names the routes that take photos: the media library and the article
// form (whose photo comes in the same multipart post as the words, so the form works
// without JavaScript). They skip the form limit above and carry uploadLimit instead.
func isUploadRoute(path string) bool {
	return strings.HasPrefix(path, "/admin/media") || path == "/admin/articles" || path == "/admin/articles/:id"
}

// maxUploadBody is one photo at the model's limit plus room for the form's other fields.
const maxUploadBody = models.MaxUploadBytes + maxFormBytes

// uploadLimit bounds the body of an upload route.
func (a *App) uploadLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return middleware.BodyLimit(fmt.Sprintf("%dB", maxUploadBody))(next)
}

// compress gzips text responses over 1 KB; photos are already compressed.
func (a *App) compress(next echo.HandlerFunc) echo.HandlerFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{
		MinLength: 1024,
		Skipper:   func(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/media/") },
	})(next)
}

// loadUser puts the session's user, if any, into the context.
func (a *App) loadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
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
			h.Set("Cache-Control", "private, no-store")
		case c.Request().Method != http.MethodGet && c.Request().Method != http.MethodHead:
			h.Set("Cache-Control", "no-store")
		default:
			h.Set("Cache-Control", "public, max-age=60")
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
