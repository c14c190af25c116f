package models

import (
	"context"
	"time"
)

// List returns every account, staff first, then by name.
func (us *UserStore) List(ctx context.Context) ([]User, error) {
	return queryAll(ctx, us.s.R, scanUser, "SELECT "+userCols+` FROM users
		ORDER BY CASE role WHEN 'admin' THEN 0 WHEN 'editor' THEN 1 WHEN 'author' THEN 2 ELSE 3 END, name`)
}

// Writers lists the accounts that can appear on a byline.
func (us *UserStore) Writers(ctx context.Context) ([]User, error) {
	all, err := us.List(ctx)
	var out []User
	for _, u := range all {
		if u.CanWrite() && !u.Deactivated {
			out = append(out, u)
		}
	}
	return out, err
}

// SetRole changes what an account may do, logged in the audit log.
func (us *UserStore) SetRole(ctx context.Context, now time.Time, id int64, role string, by int64) error {
	switch role {
	case RoleAdmin, RoleEditor, RoleAuthor, RoleCommenter:
	default:
		return ValidationError{"role": "Unknown role."}
	}
	u, err := us.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := us.exec1(ctx, "UPDATE users SET role = ? WHERE id = ?", role, id); err != nil {
		return err
	}
	return us.s.Audit.Log(ctx, now, by, "user.role", u.Name+" → "+role)
}

// SetDeactivated closes (or reopens) an account. Closing it ends every session at once.
func (us *UserStore) SetDeactivated(ctx context.Context, now time.Time, id int64, off bool, by int64) error {
	u, err := us.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := us.exec1(ctx, "UPDATE users SET deactivated = ?, session_version = session_version + 1 WHERE id = ?", off, id); err != nil {
		return err
	}
	action := "user.reactivate"
	if off {
		action = "user.deactivate"
	}
	return us.s.Audit.Log(ctx, now, by, action, u.Name)
}
