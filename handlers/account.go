package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

type loginData struct {
	page
	Email string
	Next  string
	Error string
}

// localPath keeps only same-site paths for ?next=, so a login link cannot bounce a
// reader to another site (an open redirect).
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}

func (a *App) loginForm(c echo.Context) error {
	p, err := a.newPage(c)
	if err != nil {
		return err
	}
	p.NoIndex = true
	return c.Render(http.StatusOK, "login", loginData{page: p, Next: localPath(c.QueryParam("next"))})
}

func (a *App) loginSubmit(c echo.Context) error {
	email, next := strings.TrimSpace(c.FormValue("email")), localPath(c.FormValue("next"))
	u, err := a.Store.Users.Authenticate(c.Request().Context(), email, c.FormValue("password"))
	if errors.Is(err, models.ErrInvalidCredentials) {
		p, perr := a.newPage(c)
		if perr != nil {
			return perr
		}
		p.NoIndex = true
		return c.Render(http.StatusUnprocessableEntity, "login", loginData{page: p, Email: email, Next: next,
			Error: "That email and password do not match an account."})
	}
	if err != nil {
		return err
	}
	if err := a.startSession(c, u); err != nil {
		return err
	}
	return seeOther(c, next)
}

func (a *App) logoutSubmit(c echo.Context) error {
	if err := a.endSession(c); err != nil {
		return err
	}
	return seeOther(c, "/")
}
