package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"
)

// Links sent by mail carry a random token; the database keeps only its SHA-256, and
// the first use spends it.
const (
	SignupTokenTTL = 48 * time.Hour
	ResetTokenTTL  = time.Hour
	// MailEvery is how often one address may be sent the same kind of mail from a
	// form anyone can fill in; a second request within it is answered alike but mails nothing.
	MailEvery = 10 * time.Minute
)

// ErrTokenInvalid: a mailed link that is unknown, used already or expired. The three
// are not told apart: each means "ask for a new link".
var ErrTokenInvalid = errors.New("this link has expired or has been used already")

func newToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, tokenHash(token), nil
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// SignupMails builds the two messages a sign-up may send; the handler words them,
// the store sends them in the same transaction as the sign-up's own writes.
type SignupMails struct {
	Confirm func(token string) Mail // to a new address: the link that creates the account
	Taken   func(u User) Mail       // to the owner of an address that has an account already
}

// StartSignup begins a sign-up without telling the visitor whether the address has an
// account: a new address is sent a link that creates the account, an address with an
// account is sent a note for its owner, and both cost the same password hash. Only a
// field the visitor can fix (a bad value, a taken display name, which is public anyway)
// comes back, as a ValidationError. next is where the new reader goes after the link.
func (us *UserStore) StartSignup(ctx context.Context, now time.Time, n NewUser, next string, mails SignupMails) error {
	n.Role = RoleCommenter
	if err := n.Validate(); err != nil {
		return err
	}
	hash, err := HashPassword(n.Password) // also for a known address, so time tells nothing
	if err != nil {
		return err
	}
	return us.s.tx(ctx, func(tx *sql.Tx) error {
		var nameTaken bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM users WHERE name = ?)", n.Name).Scan(&nameTaken); err != nil {
			return err
		}
		if nameTaken {
			return ValidationError{"name": "This display name is taken. Choose another."}
		}
		owner, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE email = ?", n.Email))
		known := err == nil
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		kind := MailSignup
		if known {
			kind = MailSignupTaken
		}
		if lately, err := mailedLately(ctx, tx, n.Email, kind, now.Add(-MailEvery)); err != nil || lately {
			return err
		}
		if known {
			if owner.Deactivated {
				return nil // a closed account's owner cannot log in: nothing to tell them
			}
			return enqueueMail(ctx, tx, now, mails.Taken(owner))
		}
		token, th, err := newToken()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mail_tokens (hash, purpose, email, name, password_hash, next, created_at, expires_at)
			VALUES (?, 'signup', ?, ?, ?, ?, ?, ?)`, th, n.Email, n.Name, hash, next, fmtTime(now), fmtTime(now.Add(SignupTokenTTL))); err != nil {
			return err
		}
		return enqueueMail(ctx, tx, now, mails.Confirm(token))
	})
}

// spendToken marks an unused, unexpired token of this purpose as used and returns its
// row's id fields. Anything else is ErrTokenInvalid.
func spendToken(ctx context.Context, tx *sql.Tx, now time.Time, purpose, token string) (email, name, passwordHash, next string, userID sql.NullInt64, err error) {
	err = tx.QueryRowContext(ctx, `UPDATE mail_tokens SET used_at = ?
		WHERE hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?
		RETURNING email, name, password_hash, next, user_id`, fmtTime(now), tokenHash(token), purpose, fmtTime(now)).
		Scan(&email, &name, &passwordHash, &next, &userID)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrTokenInvalid
	}
	return
}

// FinishSignup spends a sign-up link and creates the account it was sent for. The
// reader types again the password chosen at sign-up: whoever signed up with someone
// else's address cannot hand its owner an account whose password they know (the
// owner, following the link, could not finish it). A wrong password or a display
// name taken since the sign-up comes back as a ValidationError with the link still
// good; rename, if not empty, replaces the name. It returns the account and where
// the reader was going.
func (us *UserStore) FinishSignup(ctx context.Context, now time.Time, token, password, rename string) (User, string, error) {
	// The slow check runs before the write transaction, so it holds no lock.
	_, _, hash, err := us.pendingSignup(ctx, now, token)
	if err != nil {
		return User{}, "", err
	}
	if !CheckPassword(hash, password) {
		return User{}, "", ValidationError{"password": "That is not the password you chose when you signed up."}
	}
	var id int64
	var next string
	err = us.s.tx(ctx, func(tx *sql.Tx) error {
		email, name, hash, nx, _, err := spendToken(ctx, tx, now, "signup", token)
		if err != nil {
			return err
		}
		next = nx
		if rename != "" {
			// Validate checks every field; only the name is new here (the password was checked at sign-up).
			n := NewUser{Email: email, Name: rename, Password: "checked at sign-up"}
			if err := n.Validate(); err != nil {
				return err
			}
			name = n.Name
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO users (email, name, slug, role, password_hash, created_at)
			VALUES (?, ?, ?, 'commenter', ?, ?) ON CONFLICT DO NOTHING RETURNING id`, email, name, Slugify(name), hash, fmtTime(now)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) { // taken: nothing inserted, the transaction still usable (see insertUser)
			var emailTaken bool
			if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM users WHERE email = ?)", email).Scan(&emailTaken); err != nil {
				return err
			}
			if emailTaken { // an earlier link for the same address was followed first
				return ErrTokenInvalid
			}
			return ValidationError{"name": "Someone took this display name since you signed up. Choose another."}
		}
		return err
	})
	if err != nil {
		return User{}, "", err
	}
	u, err := us.Get(ctx, id)
	return u, next, err
}

// PendingSignup returns the address and display name a sign-up link was sent for, so
// the page behind the link can say what it will create; ErrTokenInvalid if the link
// cannot be used. It spends nothing.
func (us *UserStore) PendingSignup(ctx context.Context, now time.Time, token string) (email, name string, err error) {
	email, name, _, err = us.pendingSignup(ctx, now, token)
	return email, name, err
}

func (us *UserStore) pendingSignup(ctx context.Context, now time.Time, token string) (email, name, passwordHash string, err error) {
	err = us.s.R.QueryRowContext(ctx, `SELECT email, name, password_hash FROM mail_tokens
		WHERE hash = ? AND purpose = 'signup' AND used_at IS NULL AND expires_at > ?`, tokenHash(token), fmtTime(now)).
		Scan(&email, &name, &passwordHash)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrTokenInvalid
	}
	return email, name, passwordHash, err
}

// StartReset sends the owner of email a link to set a new password, made by mail from
// the token. An address with no usable account gets nothing, and the caller cannot
// tell the difference: it returns nil either way, errors of the database aside.
func (us *UserStore) StartReset(ctx context.Context, now time.Time, email string, mail func(u User, token string) Mail) error {
	return us.s.tx(ctx, func(tx *sql.Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE email = ?", email))
		if errors.Is(err, ErrNotFound) || (err == nil && u.Deactivated) {
			return nil
		} else if err != nil {
			return err
		}
		if lately, err := mailedLately(ctx, tx, u.Email, MailReset, now.Add(-MailEvery)); err != nil || lately {
			return err
		}
		token, th, err := newToken()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mail_tokens (hash, purpose, email, user_id, created_at, expires_at)
			VALUES (?, 'reset', ?, ?, ?, ?)`, th, u.Email, u.ID, fmtTime(now), fmtTime(now.Add(ResetTokenTTL))); err != nil {
			return err
		}
		return enqueueMail(ctx, tx, now, mail(u, token))
	})
}

// ResetPassword spends a reset link and sets the account's new password, which ends
// every session the account had and every other reset link sent to it. A password
// that breaks the rules comes back as a ValidationError and leaves the link good.
func (us *UserStore) ResetPassword(ctx context.Context, now time.Time, token, password string) (User, error) {
	if msg := validatePassword(password); msg != "" {
		return User{}, ValidationError{"password": msg}
	}
	hash, err := HashPassword(password)
	if err != nil {
		return User{}, err
	}
	var id int64
	err = us.s.tx(ctx, func(tx *sql.Tx) error {
		_, _, _, _, uid, err := spendToken(ctx, tx, now, "reset", token)
		if err != nil {
			return err
		}
		id = uid.Int64
		if _, err := tx.ExecContext(ctx, `UPDATE mail_tokens SET used_at = ? WHERE purpose = 'reset' AND user_id = ? AND used_at IS NULL`,
			fmtTime(now), id); err != nil {
			return err
		}
		return oneRow(tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, session_version = session_version + 1
			WHERE id = ? AND deactivated = 0`, hash, id))
	})
	if errors.Is(err, ErrNotFound) { // closed since the link was sent
		err = ErrTokenInvalid
	}
	if err != nil {
		return User{}, err
	}
	return us.Get(ctx, id)
}
