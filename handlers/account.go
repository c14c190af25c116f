package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

type loginData struct {
	page
	Email string
	Next  string
	Error string
}

// localPath keeps only clean same-site paths for ?next=, so a login link cannot bounce
// a reader to another site (an open redirect); anything else becomes "/". Browsers drop
// tabs and newlines from a Location and read a backslash as a slash, so "/\t/evil.example"
// and "/\\evil.example" both mean //evil.example: any control character, space,
// backslash or "//" is refused rather than cleaned.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.Contains(p, "//") || !utf8.ValidString(p) ||
		strings.ContainsFunc(p, func(r rune) bool { return r <= ' ' || r == '\\' || unicode.IsControl(r) }) {
		return "/"
	}
	return p
}

// formPage is newPage for account forms, which search engines should not index.
func (a *App) formPage(c echo.Context) (page, error) {
	p, err := a.newPage(c)
	p.NoIndex = true
	return p, err
}

func (a *App) loginForm(c echo.Context) error {
	p, err := a.formPage(c)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "login", loginData{page: p, Next: localPath(c.QueryParam("next"))})
}

// loginSubmit logs a reader in. Failures never say whether the email or the password
// was wrong, and repeated failures lock the account and the address for a while.
func (a *App) loginSubmit(c echo.Context) error {
	email, next := strings.TrimSpace(c.FormValue("email")), localPath(c.FormValue("next"))
	u, err := a.Store.Users.Login(c.Request().Context(), a.Now(), email, c.FormValue("password"), c.RealIP())
	var throttled *models.ThrottledError
	status, msg := http.StatusUnprocessableEntity, "That email and password do not match an account."
	switch {
	case errors.As(err, &throttled):
		c.Response().Header().Set("Retry-After", strconv.Itoa(throttled.Minutes()*60))
		status, msg = http.StatusTooManyRequests, throttled.Error()
	case errors.Is(err, models.ErrInvalidCredentials):
	case err != nil:
		return err
	default:
		if err := a.startSession(c, u); err != nil {
			return err
		}
		return seeOther(c, next)
	}
	p, err := a.formPage(c)
	if err != nil {
		return err
	}
	return a.render(c, status, "login", loginData{page: p, Email: email, Next: next, Error: msg})
}

// logoutSubmit ends the session on the server, not only in this browser: deleting the
// cookie alone left any copy of it (saved, stolen, on a shared computer) working for
// its whole life. The cookie holds no session id to revoke on its own, so logging out
// bumps the account's session version, which ends its sessions on every device.
func (a *App) logoutSubmit(c echo.Context) error {
	if u := currentUser(c); u != nil {
		if err := a.Store.Users.EndSessions(c.Request().Context(), u.ID); err != nil {
			return err
		}
	}
	if err := a.endSession(c); err != nil {
		return err
	}
	return seeOther(c, "/")
}

type signupData struct {
	page
	Name, Email, Next string
	Errors            models.ValidationError
	Error             string // why the whole form was refused
}

func (a *App) signupForm(c echo.Context) error {
	p, err := a.formPage(c)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "signup", signupData{page: p, Next: localPath(c.QueryParam("next"))})
}

// signupSubmit starts a reader's account. Attempts are limited per client address. The
// answer is the same whether or not the address has an account already (issue 12): the
// account is made when the reader follows the link mailed to the address, and a known
// address's owner is told instead. A refused form comes back with what was typed.
func (a *App) signupSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	d := signupData{Name: c.FormValue("name"), Email: c.FormValue("email"), Next: localPath(c.FormValue("next"))}
	p, err := a.formPage(c)
	if err != nil {
		return err
	}
	d.page = p
	var throttled *models.ThrottledError
	rate := a.Config.RateLimits["signup"]
	if err := a.Store.Users.ReserveSignup(ctx, a.Now(), c.RealIP(), rate.Max, rate.Per); errors.As(err, &throttled) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(throttled.Minutes()*60))
		d.Error = "Too many sign-ups from your network. Try again in " + strconv.Itoa(throttled.Minutes()) + " minutes."
		return a.render(c, http.StatusTooManyRequests, "signup", d)
	} else if err != nil {
		return err
	}
	err = a.Store.Users.StartSignup(ctx, a.Now(), models.NewUser{Email: d.Email, Name: d.Name,
		Password: c.FormValue("password")}, d.Next, a.signupMails(p.Site.SiteName, strings.TrimSpace(d.Email), strings.TrimSpace(d.Name)))
	if v, ok := models.AsValidation(err); ok {
		d.Errors = v
		return a.render(c, http.StatusUnprocessableEntity, "signup", d)
	} else if err != nil {
		return err
	}
	return a.signupSent(c, p)
}

type accountPage struct {
	page
	Errors         models.ValidationError
	DigestMinutes  int
	RemoveComments bool // the choice made in a refused "delete account" form
}

func (a *App) renderAccount(c echo.Context, status int, errs models.ValidationError) error {
	p, err := a.formPage(c)
	if err != nil {
		return err
	}
	return a.render(c, status, "account", accountPage{page: p, Errors: errs, DigestMinutes: int(models.DigestWindow.Minutes()),
		RemoveComments: c.FormValue("comments") == "remove"})
}

// accountShow is the reader's own page: change password, log out everywhere.
func (a *App) accountShow(c echo.Context) error { return a.renderAccount(c, http.StatusOK, nil) }

// passwordSubmit changes the password. That ends every session of the account; this
// browser gets a fresh one so the reader stays logged in here.
func (a *App) passwordSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	if _, err := a.Store.Users.Authenticate(ctx, u.Email, c.FormValue("current")); errors.Is(err, models.ErrInvalidCredentials) {
		return a.renderAccount(c, http.StatusUnprocessableEntity, models.ValidationError{"current": "That is not your current password."})
	} else if err != nil {
		return err
	}
	err := a.Store.Users.SetPassword(ctx, u.ID, c.FormValue("password"))
	if v, ok := models.AsValidation(err); ok {
		return a.renderAccount(c, http.StatusUnprocessableEntity, v)
	} else if err != nil {
		return err
	}
	fresh, err := a.Store.Users.Get(ctx, u.ID)
	if err != nil {
		return err
	}
	if err := a.startSession(c, fresh); err != nil {
		return err
	}
	return a.flashTo(c, "/account", "Your password was changed. Every other session has been logged out.")
}

// sessionsEnd logs the account out on every device, this one included.
func (a *App) sessionsEnd(c echo.Context) error {
	if err := a.Store.Users.EndSessions(c.Request().Context(), currentUser(c).ID); err != nil {
		return err
	}
	if err := a.endSession(c); err != nil {
		return err
	}
	return a.flashTo(c, "/", "You have been logged out on every device.")
}
