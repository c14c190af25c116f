package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// The session cookie holds only the user id and that user's session version. Bumping
// the version in the database (logout everywhere, password change, block) ends every
// cookie at once, which a signed cookie alone could never do.
const (
	sessionCookie = "broadsheet"
	flashCookie   = "broadsheet-flash"
	userCtxKey    = "user"
)

// sessionSeen is a session cookie as decoded: its user and session version. Decoding
// (a signature check and a gob decode that compiles its decoder afresh each time) was
// a third of the cost of a member's page, so a cookie seen before is believed for
// sessionRecheck; then it is decoded again, which checks its age. The account, with
// its session version, is still checked on every request against the accounts' version
// (account), so ending a session takes effect at once.
type sessionSeen struct {
	uid int64
	ver int
	at  time.Time
}

const sessionRecheck = time.Minute

// currentUser is the logged-in user, or nil for an anonymous reader.
func currentUser(c echo.Context) *models.User {
	u, _ := c.Get(userCtxKey).(*models.User)
	return u
}

// startSession logs u in with a brand-new session (never reusing one that came in, so a
// planted cookie cannot be promoted: no session fixation).
func (a *App) startSession(c echo.Context, u models.User) error {
	s := a.sessionToWrite(c, sessionCookie)
	s.Values = map[any]any{"uid": u.ID, "ver": u.SessionVersion} // nothing carried over from before login
	c.Set(userCtxKey, &u)
	return s.Save(c.Request(), c.Response())
}

// endSession deletes the session cookie.
func (a *App) endSession(c echo.Context) error {
	s := a.sessionToWrite(c, sessionCookie)
	s.Options.MaxAge = -1
	c.Set(userCtxKey, nil)
	return s.Save(c.Request(), c.Response())
}

// sessionUser returns the user named by a valid session cookie, or nil.
// A cookie whose version is stale, or whose user is blocked or deactivated, is dropped.
func (a *App) sessionUser(c echo.Context) (*models.User, error) {
	cookie, err := c.Request().Cookie(sessionCookie)
	if errors.Is(err, http.ErrNoCookie) {
		return nil, nil // anonymous: do not even decode
	}
	seen, ok := a.sessionsSeen.get(cookie.Value)
	if !ok || time.Since(seen.at) > sessionRecheck {
		s, err := a.Sessions.Get(c.Request(), sessionCookie)
		if err != nil {
			return nil, a.endSession(c) // forged, expired or signed by a retired key
		}
		seen.uid, _ = s.Values["uid"].(int64)
		seen.ver, _ = s.Values["ver"].(int)
		seen.at = time.Now()
		a.sessionsSeen.put(cookie.Value, seen, int64(len(cookie.Value))+64)
	}
	u, err := a.account(c, seen.uid)
	if errors.Is(err, models.ErrNotFound) || (err == nil && (u.SessionVersion != seen.ver || u.Deactivated)) {
		return nil, a.endSession(c)
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// account is user id as the database holds it now: kept in memory while the accounts'
// version read for this request is the one it was read under (migration 0021), so a
// block, a logout everywhere or a password change reaches the next request, here and on
// every other server.
func (a *App) account(c echo.Context, id int64) (models.User, error) {
	st, err := a.state(c)
	if err != nil {
		return models.User{}, err
	}
	key := strconv.FormatInt(id, 10)
	if seen, ok := a.accounts.get(key); ok && seen.version == st.v.users {
		return seen.user, nil
	}
	u, err := a.Store.Users.Get(c.Request().Context(), id)
	if err == nil {
		a.accounts.put(key, accountSeen{version: st.v.users, user: u}, int64(len(u.Name)+len(u.Email)+len(u.Bio))+256)
	}
	return u, err
}

// accountSeen is an account as read under an accounts' version.
type accountSeen struct {
	version int64
	user    models.User
}

// sessionToWrite returns the session named name for writing. gorilla's New decodes a
// valid incoming cookie into it, and when the cookie is unreadable (forged, expired, a
// retired key) reports why but still returns a new session. Every caller here sets
// what it needs and saves, so an unreadable cookie is simply replaced.
func (a *App) sessionToWrite(c echo.Context, name string) *sessions.Session {
	s, err := a.Sessions.New(c.Request(), name)
	if err != nil {
		a.Log.Debug("replacing an unreadable cookie", "name", name, "err", err)
	}
	return s
}

// flashTo leaves a one-line message for the next page the browser shows and sends
// it to path (post/redirect/get).
func (a *App) flashTo(c echo.Context, path, msg string) error {
	s := a.sessionToWrite(c, flashCookie)
	s.Options.MaxAge = 300
	s.Values["msg"] = msg
	if err := s.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return seeOther(c, path)
}

// popFlash returns and clears the pending message, if any. A page carrying a flash
// is personal, so it is marked uncacheable.
func (a *App) popFlash(c echo.Context) string {
	if _, err := c.Request().Cookie(flashCookie); err != nil {
		return ""
	}
	s, err := a.Sessions.Get(c.Request(), flashCookie)
	msg, _ := s.Values["msg"].(string)
	s.Options.MaxAge = -1
	if saveErr := s.Save(c.Request(), c.Response()); saveErr != nil || err != nil {
		return ""
	}
	c.Response().Header().Set("Cache-Control", privateCacheControl)
	return msg
}
