package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// Mail a reader asked for: replies to their comments and notes on their held
// comments. The store writes a notice in the same transaction as the event; the
// housekeeping job words the notices as mail here (noticeMail) and queues it. Every
// such message can be left with one click (RFC 8058): a signed link, no login.

// unsubscribeTTL is how long an unsubscribe link works. Mail is read late, so long;
// an expired link sends the reader to their account settings instead.
const unsubscribeTTL = 90 * 24 * time.Hour

// unsubscribeToken signs "leave list" for user id until exp, with the session hash
// key (kept apart from cookies by its own prefix): "ID.LIST.EXPIRY.MAC".
func (a *App) unsubscribeToken(id int64, list string, exp time.Time) string {
	payload := strconv.FormatInt(id, 10) + "." + list + "." + strconv.FormatInt(exp.Unix(), 10)
	return payload + "." + a.unsubscribeMAC(payload)
}

func (a *App) unsubscribeMAC(payload string) string {
	m := hmac.New(sha256.New, a.Config.SessionKeys[0])
	m.Write([]byte("unsubscribe\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// readUnsubscribe checks a token: the user and list it names, whether it expired,
// and ok false for anything not signed by us.
func (a *App) readUnsubscribe(token string) (id int64, list string, expired, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 4 || !hmac.Equal([]byte(parts[3]), []byte(a.unsubscribeMAC(strings.Join(parts[:3], ".")))) {
		return 0, "", false, false
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || (parts[1] != models.ListReplies && parts[1] != models.ListModeration) {
		return 0, "", false, false
	}
	return id, parts[1], a.Now().After(time.Unix(exp, 0)), true
}

// listWords says what a list sends, for the unsubscribe page.
func listWords(list string) string {
	if list == models.ListReplies {
		return "e-mail about replies to your comments"
	}
	return "e-mail about your comments that wait for a moderator"
}

// noticeMail words one reader's notices of one list as a message.
func (a *App) noticeMail(site string) models.NoticeMail {
	return func(u models.User, list string, ns []models.Notice) models.Mail {
		var b strings.Builder
		fmt.Fprintf(&b, "Hello %s,\n\n", u.Name)
		for _, n := range ns {
			link := a.link("/comments/"+strconv.FormatInt(n.CommentID, 10), nil)
			switch n.Kind {
			case models.NoticeReply:
				fmt.Fprintf(&b, "%s replied to your comment on “%s”:\n\n    %s\n\nRead it and answer: %s\n\n", n.Author, n.ArticleTitle, n.Excerpt, link)
			case models.NoticeApproved:
				fmt.Fprintf(&b, "Your comment on “%s” was approved and is now public:\n\n    %s\n\n%s\n\n", n.ArticleTitle, n.Excerpt, link)
			default:
				fmt.Fprintf(&b, "A moderator removed your comment on “%s” under the Discussion Policy:\n\n    %s\n\n", n.ArticleTitle, n.Excerpt)
			}
		}
		stop := a.link("/unsubscribe", url.Values{"token": {a.unsubscribeToken(u.ID, list, a.Now().Add(unsubscribeTTL))}})
		fmt.Fprintf(&b, "--\nYou get this because you asked %s for %s.\nStop it with one click: %s\nChoose what we send you: %s\n",
			site, listWords(list), stop, a.link("/account", nil))
		h := autoHeaders()
		h["List-Unsubscribe"] = "<" + stop + ">"
		h["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
		m := models.Mail{Kind: models.MailModeration, To: u.Email, Headers: h, Body: b.String()}
		switch {
		case list == models.ListModeration:
			m.Subject = "About your comment on " + site
		case len(ns) == 1:
			m.Subject = strings.Join(strings.Fields(ns[0].Author+" replied to your comment on “"+ns[0].ArticleTitle+"”"), " ")
			m.Kind = models.MailReplies
		default:
			m.Subject = fmt.Sprintf("%d new replies to your comments on %s", len(ns), site)
			m.Kind = models.MailReplies
		}
		return m
	}
}

type unsubscribeData struct {
	page
	Token, What string
}

// unsubscribeForm is the page behind the link in the mail: a button, so that a mail
// scanner following links unsubscribes no one.
func (a *App) unsubscribeForm(c echo.Context) error {
	noStore(c)
	p, err := a.formPage(c)
	if err != nil {
		return err
	}
	token := c.QueryParam("token")
	_, list, refuse := a.unsubscribeCheck(c, p, token)
	if refuse != nil {
		return refuse()
	}
	return a.render(c, http.StatusOK, "unsubscribe", unsubscribeData{page: p, Token: token, What: listWords(list)})
}

// unsubscribeSubmit takes the reader off the list: from the page's button, or from a
// mail program's one-click POST (RFC 8058), which carries no cookie and no page.
func (a *App) unsubscribeSubmit(c echo.Context) error {
	noStore(c)
	p, err := a.formPage(c)
	if err != nil {
		return err
	}
	id, list, refuse := a.unsubscribeCheck(c, p, c.QueryParam("token"))
	if refuse != nil {
		return refuse()
	}
	if err := a.Store.Users.Unsubscribe(c.Request().Context(), id, list); err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "mail_sent", mailSentData{page: p, Heading: "You are unsubscribed",
		Message: "We will send you no more " + listWords(list) + ".", Again: "/account", AgainText: "Choose what we send you"})
}

// unsubscribeCheck reads the token. For a forged one it returns refuse, the 400
// answer, and for an expired one the 410 answer.
func (a *App) unsubscribeCheck(c echo.Context, p page, token string) (id int64, list string, refuse func() error) {
	id, list, expired, ok := a.readUnsubscribe(token)
	switch {
	case !ok:
		return 0, "", func() error {
			return a.render(c, http.StatusBadRequest, "mail_sent", mailSentData{page: p, Heading: "This link does not work",
				Message: "It is not a link we sent, or it was cut short. Copy the whole link from the message.",
				Again:   "/account", AgainText: "Choose what we send you in your account"})
		}
	case expired:
		return 0, "", func() error { return a.linkGone(c, p, "/account", "Choose what we send you in your account") }
	}
	return id, list, nil
}

// notificationsSubmit saves which mail the reader wants.
func (a *App) notificationsSubmit(c echo.Context) error {
	u := currentUser(c)
	if err := a.Store.Users.SetNotifications(c.Request().Context(), u.ID,
		c.FormValue("notify_replies") == "1", c.FormValue("notify_moderation") == "1"); err != nil {
		return err
	}
	return a.flashTo(c, "/account", "Your e-mail choices were saved.")
}
