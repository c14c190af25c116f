package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// accountData hands the reader everything the site holds about them, as a JSON file.
func (a *App) accountData(c echo.Context) error {
	data, err := a.Store.Users.Export(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="broadsheet-account.json"`)
	return c.JSONPretty(http.StatusOK, data, "  ")
}

// accountDelete closes the reader's account after they confirm with their password,
// keeping their comments as "[deleted account]" or removing them, as they chose.
func (a *App) accountDelete(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	remove := c.FormValue("comments") == "remove"
	if c.FormValue("comments") != "keep" && !remove {
		return a.renderAccount(c, http.StatusUnprocessableEntity, models.ValidationError{"comments": "Choose what happens to your comments."})
	}
	if _, err := a.Store.Users.Authenticate(ctx, u.Email, c.FormValue("password")); errors.Is(err, models.ErrInvalidCredentials) {
		return a.renderAccount(c, http.StatusUnprocessableEntity, models.ValidationError{"delete_password": "That is not your password."})
	} else if err != nil {
		return err
	}
	err := a.Store.Users.DeleteAccount(ctx, u.ID, remove)
	if v, ok := models.AsValidation(err); ok {
		return a.renderAccount(c, http.StatusUnprocessableEntity, models.ValidationError{"delete_password": v["delete"]})
	} else if err != nil {
		return err
	}
	if err := a.endSession(c); err != nil {
		return err
	}
	msg := "Your account is deleted. Your comments stay, signed " + models.DeletedAccountName + "."
	if remove {
		msg = "Your account and your comments are deleted."
	}
	return a.flashTo(c, "/", msg)
}
