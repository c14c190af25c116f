package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Failed logins are throttled per account and per client address. The state is in
// the database, so every app server behind a balancer sees the same count.
const (
	LoginWindow         = 15 * time.Minute
	MaxFailuresPerEmail = 5
	MaxFailuresPerIP    = 20
)

// ThrottledError refuses a login attempt while an account or address is locked.
// It says nothing about whether the email exists.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("Too many failed attempts. Try again in %d minutes.", e.Minutes())
}

// Minutes is the wait rounded up to whole minutes.
func (e *ThrottledError) Minutes() int { return int((e.RetryAfter + time.Minute - 1) / time.Minute) }

// Login checks an email and password as Authenticate does, but first refuses with
// *ThrottledError while too many recent attempts failed for this email or from this
// address, records each failure, and clears the account's count on success.
func (us *UserStore) Login(ctx context.Context, now time.Time, email, password, ip string) (User, error) {
	keys := []struct {
		key   string
		limit int
	}{{"email:" + strings.ToLower(strings.TrimSpace(email)), MaxFailuresPerEmail}, {"ip:" + ip, MaxFailuresPerIP}}
	since := fmtTime(now.Add(-LoginWindow))
	for _, k := range keys {
		var n int
		var last sql.NullString
		if err := us.s.R.QueryRowContext(ctx, "SELECT count(*), max(at) FROM login_failures WHERE key = ? AND at > ?",
			k.key, since).Scan(&n, &last); err != nil {
			return User{}, err
		}
		if n >= k.limit {
			return User{}, &ThrottledError{RetryAfter: parseNullTime(last).Add(LoginWindow).Sub(now)}
		}
	}
	u, err := us.Authenticate(ctx, email, password)
	switch {
	case errors.Is(err, ErrInvalidCredentials):
		werr := us.s.tx(ctx, func(tx *sql.Tx) error {
			for _, k := range keys {
				if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE key = ? AND at <= ?", k.key, since); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, "INSERT INTO login_failures (key, at) VALUES (?, ?)", k.key, fmtTime(now)); err != nil {
					return err
				}
			}
			return nil
		})
		if werr != nil {
			return User{}, werr
		}
		return User{}, err
	case err != nil:
		return User{}, err
	}
	if _, err := us.s.W.ExecContext(ctx, "DELETE FROM login_failures WHERE key = ?", keys[0].key); err != nil {
		return User{}, err
	}
	return u, nil
}
