package handlers

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"syscall"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// statusClientClosed is nginx's code for a request whose client went away.
const statusClientClosed = 499

type errorData struct {
	page
	Heading   string
	Message   string
	RequestID string
}

// handleError is the one place that turns an error into a page. Handlers return
// errors; they never write a 500 themselves.
func (a *App) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		level := slog.LevelError
		if errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
			level = slog.LevelDebug // the client left while we wrote: not our failure
		}
		a.Log.Log(c.Request().Context(), level, "error after response started", "path", c.Request().URL.Path, "err", err)
		return
	}
	if errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil {
		// The client hung up before we answered: nobody is left to read a page and it is
		// not our failure, so it is logged (with nginx's 499) but not as an error.
		c.Response().WriteHeader(statusClientClosed)
		return
	}
	status, msg := http.StatusInternalServerError, "Something went wrong on our side. We have logged it and will look into it."
	var he *echo.HTTPError
	uw, unwritable := models.AsUnwritable(err)
	switch {
	case unwritable:
		// Not a bug to chase in the code: the operator must fix the disk, so the log line
		// says how, and the reader learns that nothing was saved and to come back.
		a.Log.Error("a write failed because the database cannot be written; the site answers writes with 503 until this is fixed",
			"method", c.Request().Method, "path", c.Request().URL.Path, "fix", uw.Fix, "err", uw.Err)
		c.Response().Header().Set("Retry-After", "300")
		a.errorPage(c.Response(), c.Request(), currentUser(c), http.StatusServiceUnavailable,
			"The site cannot save anything just now, so what you sent was not saved. Reading still works; please try again in a few minutes.")
		return
	case errors.Is(err, models.ErrNotFound):
		status, msg = http.StatusNotFound, "We could not find that page. It may have moved, or the address may be mistyped."
	case errors.As(err, &he):
		status = he.Code
		switch m := he.Message.(type) {
		case string:
			if status < 500 {
				msg = m
			}
		}
		if status == http.StatusNotFound && msg == http.StatusText(http.StatusNotFound) || msg == "Not Found" {
			msg = "We could not find that page. It may have moved, or the address may be mistyped."
		}
	}
	if status >= 500 {
		a.Log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
	}
	if status == http.StatusMethodNotAllowed && msg == "" {
		msg = "That action is not allowed here."
	}
	a.errorPage(c.Response(), c.Request(), currentUser(c), status, msg)
}

// errorPage writes the error page in the site's layout; it is also used outside
// Echo by the cross-origin refusal. If even that fails, a plain line is sent.
func (a *App) errorPage(w http.ResponseWriter, r *http.Request, u *models.User, status int, msg string) {
	cc := "no-store"
	if strings.HasPrefix(r.URL.Path, "/admin") {
		cc = privateCacheControl // the header every other newsroom answer carries
	}
	w.Header().Set("Cache-Control", cc)
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	p, err := a.basePage(r.Context(), u)
	if err == nil {
		p.NoIndex = true
		data := errorData{page: p, Heading: headingFor(status), Message: msg, RequestID: w.Header().Get(echo.HeaderXRequestID)}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		var buf bytes.Buffer
		if err = a.Views.Render(&buf, "error", data); err == nil {
			w.WriteHeader(status)
			w.Write(buf.Bytes())
			return
		}
	}
	a.Log.Error("error page failed", "err", err)
	http.Error(w, http.StatusText(status), status)
}

func headingFor(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Page not found"
	case http.StatusBadRequest:
		return "That request did not make sense"
	case http.StatusForbidden:
		return "Not allowed"
	case http.StatusTooManyRequests:
		return "Slow down"
	case http.StatusRequestEntityTooLarge:
		return "Too large"
	case http.StatusServiceUnavailable:
		return "Not saved: try again soon"
	}
	if status >= 500 {
		return "Something went wrong"
	}
	return http.StatusText(status)
}
