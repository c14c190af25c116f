package models

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Failed logins are throttled per account and per client address, and sign-ups per
// client address (so a script can neither create accounts in bulk nor probe which
// emails have one). The state is in the database, so every app server behind a
// balancer sees the same count; login_failures holds every counted attempt.
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

// Login checks an email and password as Authenticate does, but refuses with
// *ThrottledError while too many recent attempts failed for this email or from this
// address. The attempt is reserved as a failure before the password is checked, in the
// same write transaction that counts: simultaneous guesses are counted one after
// another, so no more than the limit are ever checked (counting after the check let
// 200 parallel guesses through). A success takes back only its own reserved attempts:
// the window's failures still count, so a right password among a burst of guesses (or
// the owner logging in during one) does not open the account to the limit's worth of
// guesses again. An owner who mistyped before logging in may wait out the window
// sooner; sessions last days, so they rarely log in twice within it.
func (us *UserStore) Login(ctx context.Context, now time.Time, email, password, ip string) (User, error) {
	emailKey := "email:" + strings.ToLower(strings.TrimSpace(email))
	var reserved []int64
	err := us.s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		reserved, err = reserveAttempt(ctx, tx, now, LoginWindow, throttleKey{emailKey, MaxFailuresPerEmail}, throttleKey{"addr:" + us.s.addr.Address(ip), MaxFailuresPerIP})
		return err
	})
	if err != nil {
		return User{}, err
	}
	u, err := us.Authenticate(ctx, email, password)
	if err != nil {
		return User{}, err
	}
	if err := us.s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE rowid IN (?, ?)", reserved[0], reserved[1])
		return err
	}); err != nil {
		return User{}, err
	}
	return u, nil
}

// throttleKey is one counter of attempts ('email:…', 'addr:…', 'signup-addr:…', the
// addresses hashed) and how many
// a window admits.
type throttleKey struct {
	key   string
	limit int
}

// reserveAttempt counts the attempts of the last window under each key and, if
// every count is below its limit, records one more under each; otherwise it returns
// *ThrottledError and records nothing. It must run inside the write transaction, so
// that the count and the record are one step. It returns the rowids recorded, one per
// key in order.
func reserveAttempt(ctx context.Context, tx *sql.Tx, now time.Time, window time.Duration, keys ...throttleKey) ([]int64, error) {
	since := fmtTime(now.Add(-window))
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE key = ? AND at <= ?", k.key, since); err != nil {
			return nil, err
		}
		var n int
		var first sql.NullString
		if err := tx.QueryRowContext(ctx, "SELECT count(*), min(at) FROM login_failures WHERE key = ?", k.key).Scan(&n, &first); err != nil {
			return nil, err
		}
		if n >= k.limit {
			return nil, &ThrottledError{RetryAfter: parseNullTime(first).Add(window).Sub(now)}
		}
	}
	rows := make([]int64, len(keys))
	for i, k := range keys {
		if err := tx.QueryRowContext(ctx, "INSERT INTO login_failures (key, at) VALUES (?, ?) RETURNING rowid", k.key, fmtTime(now)).Scan(&rows[i]); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// ReserveSignup counts a sign-up attempt from the client address ip, or returns
// *ThrottledError once max were made from it in the last window (the signup rate of -rate-limits).
// Every attempt counts, refused ones too: they are what probes for known emails.
func (us *UserStore) ReserveSignup(ctx context.Context, now time.Time, ip string, max int, window time.Duration) error {
	if max <= 0 {
		return nil // the operator turned the limit off
	}
	return us.s.tx(ctx, func(tx *sql.Tx) error {
		_, err := reserveAttempt(ctx, tx, now, window, throttleKey{"signup-addr:" + us.s.addr.Address(ip), max})
		return err
	})
}
