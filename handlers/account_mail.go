package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// The account flows that go through the reader's inbox: finishing a sign-up and
// setting a forgotten password. The store queues each message in the same
// transaction as its cause; the outbox worker sends it, so no answer here waits for
// or fails on mail. Answers never say whether an address has an account.

// autoHeaders mark our account mail as sent by a machine, so that away-messages
// and vacation replies are not sent back to it (RFC 3834).
func autoHeaders() map[string]string { return map[string]string{"Auto-Submitted": "auto-generated"} }

// link is an absolute address on this site, for a message read outside it.
func (a *App) link(path string, query url.Values) string {
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	return a.Config.BaseURL + path
}

// signupMails words the two messages a sign-up may send.
func (a *App) signupMails(site, email, name string) models.SignupMails {
	return models.SignupMails{
		Confirm: func(token string) models.Mail {
			return models.Mail{Kind: models.MailSignup, To: email, Headers: autoHeaders(),
				Subject: "Finish signing up to " + site,
				Body: fmt.Sprintf("Hello %s,\n\nSomeone, probably you, asked to open an account on %s with this address.\n"+
					"To finish, open this link within %d hours:\n\n%s\n\n"+
					"If it was not you, ignore this message: no account is made without the link.\n",
					name, site, int(models.SignupTokenTTL.Hours()), a.link("/signup/confirm", url.Values{"token": {token}}))}
		},
		Taken: func(u models.User) models.Mail {
			return models.Mail{Kind: models.MailSignupTaken, To: u.Email, Headers: autoHeaders(),
				Subject: "Someone tried to sign up to " + site + " with your address",
				Body: fmt.Sprintf("Hello %s,\n\nSomeone tried to open a new account on %s with this address, which already "+
					"has one. No account was made, and yours is unchanged.\n\n"+
					"If it was you, log in:\n%s\n\nForgot your password? Set a new one here:\n%s\n\n"+
					"If it was not you, there is nothing to do.\n",
					u.Name, site, a.link("/login", nil), a.link("/password/forgot", nil))}
		},
	}
}

// mailSentData is the answer to a form that sent mail: the same for every address.
type mailSentData struct {
	page
	Heading, Message string
	Again, AgainText string // a link to start over, for a link that no longer works
}

// signupSent answers a sign-up alike whether or not the address had an account.
func (a *App) signupSent(c echo.Context, p page) error {
	return a.render(c, http.StatusOK, "mail_sent", mailSentData{page: p, Heading: "Check your inbox",
		Message: fmt.Sprintf("We have sent a message to the address you gave. Follow the link in it within %d hours to "+
			"finish signing up. Nothing there? Look in your spam folder, or sign up again in a few minutes.",
			int(models.SignupTokenTTL.Hours()))})
}

type signupConfirmData struct {
	page
	Token, Email, Name string
	Rename             bool // the name was taken meanwhile: ask for another
	Errors             models.ValidationError
}

// linkGone answers a mailed link that is unknown, used or expired.
func (a *App) linkGone(c echo.Context, p page, again, againText string) error {
	return a.render(c, http.StatusGone, "mail_sent", mailSentData{page: p, Heading: "This link no longer works",
		Message: "It has expired or has been used already.", Again: again, AgainText: againText})
}

// loggedURI is the request's address for the request log, with the token of a mailed
// link blanked: whoever reads the logs must not be able to follow a live link.
func loggedURI(r *http.Request) string {
	if r.URL.RawQuery == "" { // most requests: nothing to parse (a key may be escaped, so no cheaper test)
		return r.RequestURI
	}
	q := r.URL.Query()
	if !q.Has("token") {
		return r.RequestURI
	}
	q.Set("token", "REDACTED")
	return r.URL.Path + "?" + q.Encode()
}

// noStore keeps a page reached through a mailed link (its token is in the address and
// the form) out of every cache.
func noStore(c echo.Context) { c.Response().Header().Set("Cache-Control", privateCacheControl) }

// signupConfirmForm is the page behind the sign-up link: it shows what will be made
// and asks for the password chosen at sign-up (see FinishSignup), so neither a mail
// scanner that fetches links nor the address's owner can finish someone else's sign-up.
func (a *App) signupConfirmForm(c echo.Context) error {
	noStore(c)
	p, err := a.formPage(c)
	if err != nil {
		return err
	}
	token := c.QueryParam("token")
	email, name, err := a.Store.Users.PendingSignup(c.Request().Context(), a.Now(), token)
	if errors.Is(err, models.ErrTokenInvalid) {
		return a.linkGone(c, p, "/signup", "Sign up again")
	} else if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "signup_confirm", signupConfirmData{page: p, Token: token, Email: email, Name: name})
}

// signupConfirmSubmit spends the link, creates the account and logs the reader in.
func (a *App) signupConfirmSubmit(c echo.Context) error {
	noStore(c)
	token, rename := c.FormValue("token"), strings.TrimSpace(c.FormValue("name"))
	u, next, err := a.Store.Users.FinishSignup(c.Request().Context(), a.Now(), token, c.FormValue("password"), rename)
	if err == nil {
		if err := a.startSession(c, u); err != nil {
			return err
		}
		return a.flashTo(c, localPath(next), "Welcome, "+u.Name+". You can now join the discussion.")
	}
	p, perr := a.formPage(c)
	if perr != nil {
		return perr
	}
	if v, ok := models.AsValidation(err); ok {
		email, name, perr := a.Store.Users.PendingSignup(c.Request().Context(), a.Now(), token)
		if perr != nil {
			return perr
		}
		if rename != "" || v["name"] != "" {
			name = rename
		}
		return a.render(c, http.StatusUnprocessableEntity, "signup_confirm", signupConfirmData{page: p, Token: token, Email: email, Name: name,
			Rename: rename != "" || v["name"] != "", Errors: v})
	}
	if errors.Is(err, models.ErrTokenInvalid) {
		return a.linkGone(c, p, "/signup", "Sign up again")
	}
	return err
}

type passwordForgotData struct {
	page
	Email string
}

func (a *App) passwordForgotForm(c echo.Context) error {
	p, err := a.formPage(c)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "password_forgot", passwordForgotData{page: p})
}

// passwordForgotSubmit mails a reset link if the address has an account, and answers
// the same page either way.
func (a *App) passwordForgotSubmit(c echo.Context) error {
	p, err := a.formPage(c)
	if err != nil {
		return err
	}
	email := strings.TrimSpace(c.FormValue("email"))
	site := p.Site.SiteName
	err = a.Store.Users.StartReset(c.Request().Context(), a.Now(), email, func(u models.User, token string) models.Mail {
		return models.Mail{Kind: models.MailReset, To: u.Email, Headers: autoHeaders(),
			Subject: "Set a new password for " + site,
			Body: fmt.Sprintf("Hello %s,\n\nSomeone, probably you, asked to set a new password for your account on %s.\n"+
				"To choose one, open this link within %d minutes; it works once:\n\n%s\n\n"+
				"If it was not you, ignore this message: your password stays as it is.\n",
				u.Name, site, int(models.ResetTokenTTL.Minutes()), a.link("/password/reset", url.Values{"token": {token}}))}
	})
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "mail_sent", mailSentData{page: p, Heading: "Check your inbox",
		Message: fmt.Sprintf("If that address belongs to an account, we have sent it a link to set a new password. "+
			"The link works once, for %d minutes.", int(models.ResetTokenTTL.Minutes()))})
}

type passwordResetData struct {
	page
	Token  string
	Errors models.ValidationError
}

// passwordResetForm asks for the new password; the link is checked when it is sent.
func (a *App) passwordResetForm(c echo.Context) error {
	noStore(c)
	p, err := a.formPage(c)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "password_reset", passwordResetData{page: p, Token: c.QueryParam("token")})
}

// passwordResetSubmit spends the link, sets the password (ending every other session)
// and logs the reader in here.
func (a *App) passwordResetSubmit(c echo.Context) error {
	noStore(c)
	token := c.FormValue("token")
	u, err := a.Store.Users.ResetPassword(c.Request().Context(), a.Now(), token, c.FormValue("password"))
	if err == nil {
		if err := a.startSession(c, u); err != nil {
			return err
		}
		return a.flashTo(c, "/account", "Your new password is set. Every other session has been logged out.")
	}
	p, perr := a.formPage(c)
	if perr != nil {
		return perr
	}
	if v, ok := models.AsValidation(err); ok {
		return a.render(c, http.StatusUnprocessableEntity, "password_reset", passwordResetData{page: p, Token: token, Errors: v})
	}
	if errors.Is(err, models.ErrTokenInvalid) {
		return a.linkGone(c, p, "/password/forgot", "Ask for a new link")
	}
	return err
}
