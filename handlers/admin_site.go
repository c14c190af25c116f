package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// Sections, people and settings: the parts of the newsroom that shape the site itself.

type sectionsData struct {
	page
	Errors   models.ValidationError
	ErrorFor int64 // the section the errors belong to; 0 = the new-section form
	Name     string
	Desc     string
}

func (a *App) sectionsPage(c echo.Context, status int, d sectionsData) error {
	var err error
	if d.page, err = a.adminPage(c); err != nil {
		return err
	}
	return a.render(c, status, "admin/sections", d)
}

func (a *App) adminSectionList(c echo.Context) error {
	return a.sectionsPage(c, http.StatusOK, sectionsData{})
}

func (a *App) adminSectionCreate(c echo.Context) error {
	name, desc := c.FormValue("name"), c.FormValue("description")
	_, err := a.Store.Sections.Create(c.Request().Context(), name, desc)
	if v, ok := models.AsValidation(err); ok {
		return a.sectionsPage(c, http.StatusUnprocessableEntity, sectionsData{Errors: v, Name: name, Desc: desc})
	}
	if err != nil {
		return err
	}
	return a.flashTo(c, "/admin/sections", "The section was added.")
}

func (a *App) adminSectionUpdate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	name, desc := c.FormValue("name"), c.FormValue("description")
	err = a.Store.Sections.Update(c.Request().Context(), id, name, desc)
	if v, ok := models.AsValidation(err); ok {
		return a.sectionsPage(c, http.StatusUnprocessableEntity, sectionsData{Errors: v, ErrorFor: id, Name: name, Desc: desc})
	}
	if err != nil {
		return err
	}
	return a.flashTo(c, "/admin/sections", "The section was saved.")
}

func (a *App) adminSectionMove(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := a.Store.Sections.Move(c.Request().Context(), id, c.FormValue("dir") == "up"); err != nil {
		return err
	}
	return seeOther(c, "/admin/sections")
}

type usersData struct {
	page
	Users    []models.User
	Roles    []string
	Errors   models.ValidationError
	ErrorFor int64 // the account the errors belong to; 0 = the new-account form
	New      models.NewUser
}

func (a *App) usersPage(c echo.Context, status int, d usersData) error {
	var err error
	if d.page, err = a.adminPage(c); err != nil {
		return err
	}
	d.Roles = []string{models.RoleAdmin, models.RoleEditor, models.RoleAuthor, models.RoleCommenter}
	if d.Users, err = a.Store.Users.List(c.Request().Context()); err != nil {
		return err
	}
	return a.render(c, status, "admin/users", d)
}

func (a *App) adminUserList(c echo.Context) error {
	return a.usersPage(c, http.StatusOK, usersData{})
}

// adminUserCreate opens an account for a colleague with a password the administrator
// hands over; they can change it once logged in.
func (a *App) adminUserCreate(c echo.Context) error {
	n := models.NewUser{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: c.FormValue("role"), Password: c.FormValue("password")}
	var err error
	if n.Role == "" {
		// Staff choose a role here; the model's default (commenter) is for sign-ups.
		// The other fields are still checked, on a copy so the form keeps "no role".
		v, probe := models.ValidationError{"role": "Choose a role."}, n
		mergeErrors(v, probe.Validate())
		err = v
	} else {
		_, err = a.Store.Users.Create(c.Request().Context(), a.Now(), n)
	}
	if v, ok := models.AsValidation(err); ok {
		n.Password = ""
		return a.usersPage(c, http.StatusUnprocessableEntity, usersData{Errors: v, New: n})
	}
	if err != nil {
		return err
	}
	return a.flashTo(c, "/admin/users", "The account for "+strings.TrimSpace(n.Name)+" was created.")
}

// targetUser reads the account an action is about. (The actions refuse to demote or
// deactivate the administrator doing them, so a site is never left without one.)
func (a *App) targetUser(c echo.Context) (models.User, error) {
	id, err := idParam(c)
	if err != nil {
		return models.User{}, err
	}
	return a.Store.Users.Get(c.Request().Context(), id)
}

func (a *App) adminUserRole(c echo.Context) error {
	u, err := a.targetUser(c)
	if err != nil {
		return err
	}
	if u.ID == staff(c).ID {
		return a.usersPage(c, http.StatusUnprocessableEntity, usersData{ErrorFor: u.ID,
			Errors: models.ValidationError{"role": "You cannot change your own role; ask another administrator."}})
	}
	err = a.Store.Users.SetRole(c.Request().Context(), a.Now(), u.ID, c.FormValue("role"), staff(c).ID)
	if v, ok := models.AsValidation(err); ok {
		return a.usersPage(c, http.StatusUnprocessableEntity, usersData{Errors: v, ErrorFor: u.ID})
	}
	if err != nil {
		return err
	}
	return a.flashTo(c, "/admin/users", u.Name+" is now "+c.FormValue("role")+".")
}

func (a *App) adminUserDeactivate(c echo.Context) error {
	u, err := a.targetUser(c)
	if err != nil {
		return err
	}
	off := c.FormValue("deactivated") == "1"
	if u.ID == staff(c).ID && off {
		return a.usersPage(c, http.StatusUnprocessableEntity, usersData{ErrorFor: u.ID,
			Errors: models.ValidationError{"deactivated": "You cannot deactivate your own account."}})
	}
	if err := a.Store.Users.SetDeactivated(c.Request().Context(), a.Now(), u.ID, off, staff(c).ID); err != nil {
		return err
	}
	msg := u.Name + "'s account was reopened."
	if off {
		msg = u.Name + "'s account was deactivated and their sessions ended."
	}
	return a.flashTo(c, "/admin/users", msg)
}

// adminUserPassword sets a new password for someone who lost theirs; their sessions end.
func (a *App) adminUserPassword(c echo.Context) error {
	u, err := a.targetUser(c)
	if err != nil {
		return err
	}
	err = a.Store.Users.SetPassword(c.Request().Context(), u.ID, c.FormValue("password"))
	if v, ok := models.AsValidation(err); ok {
		return a.usersPage(c, http.StatusUnprocessableEntity, usersData{Errors: v, ErrorFor: u.ID})
	}
	if err != nil {
		return err
	}
	return a.flashTo(c, "/admin/users", u.Name+"'s password was reset.")
}

type settingsData struct {
	page
	S         models.Settings
	HeldWords string
	Numbers   map[string]string // the numeric fields as typed
	Errors    models.ValidationError
}

func (a *App) adminSettingsForm(c echo.Context) error {
	p, err := a.adminPage(c)
	if err != nil {
		return err
	}
	st := p.Site
	return a.render(c, http.StatusOK, "admin/settings", settingsData{page: p, S: st, HeldWords: strings.Join(st.HeldWords, "\n"),
		Numbers: map[string]string{"max_reply_depth": strconv.Itoa(st.MaxReplyDepth),
			"links_before_hold": strconv.Itoa(st.LinksBeforeHold), "close_after_days": strconv.Itoa(st.CloseAfterDays),
			"keep_address_days": strconv.Itoa(st.KeepAddressDays)}})
}

func (a *App) adminSettingsSave(c echo.Context) error {
	st := models.Settings{SiteName: c.FormValue("site_name"), Tagline: c.FormValue("tagline"), TimeZone: c.FormValue("time_zone"),
		DiscussionPolicy: strings.TrimSpace(c.FormValue("discussion_policy")), GuestComments: c.FormValue("guest_comments") == "1",
		VideoPlayers: c.FormValue("video_players") == "1"}
	errs := models.ValidationError{}
	numbers := map[string]string{}
	for _, f := range []struct {
		name string
		into *int
	}{{"max_reply_depth", &st.MaxReplyDepth}, {"links_before_hold", &st.LinksBeforeHold}, {"close_after_days", &st.CloseAfterDays},
		{"keep_address_days", &st.KeepAddressDays}} {
		numbers[f.name] = c.FormValue(f.name)
		n, ok := formInt(c, f.name)
		if !ok || numbers[f.name] == "" {
			errs[f.name] = "Enter a whole number." // kept over Validate's range message by mergeErrors
		}
		*f.into = n
	}
	held := c.FormValue("held_words")
	st.HeldWords = models.SplitWords(held)
	mergeErrors(errs, st.Validate())
	if len(errs) == 0 {
		if err := a.Store.Settings.Save(c.Request().Context(), st); err != nil {
			return err
		}
		return a.flashTo(c, "/admin/settings", "Settings saved.")
	}
	p, err := a.adminPage(c)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusUnprocessableEntity, "admin/settings", settingsData{page: p, S: st, HeldWords: held, Numbers: numbers, Errors: errs})
}
