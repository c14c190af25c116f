package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/mail"
	"strings"
	"time"
)

// Mail is one message in the outbox.
type Mail struct {
	ID            int64
	Kind          string // what it is for, e.g. MailSignup
	To            string
	Subject       string
	Body          string            // plain text
	Headers       map[string]string // extra headers, such as List-Unsubscribe
	State         string            // MailQueued, MailSending, MailSent or MailFailed
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        time.Time
}

// States of a message in the outbox.
const (
	MailQueued  = "queued"
	MailSending = "sending"
	MailSent    = "sent"
	MailFailed  = "failed"
)

// Kinds of mail.
const (
	MailSignup      = "signup"       // the link that finishes a sign-up
	MailSignupTaken = "signup-taken" // to an account's owner: someone signed up with their address
	MailReset       = "reset"        // the link that sets a new password
)

// MailStore is the outbox: actions enqueue messages, workers claim and send them.
type MailStore struct{ s *Store }

const mailCols = "id, kind, to_addr, subject, body_text, headers, state, attempts, next_attempt_at, last_error, created_at, sent_at"

func scanMail(sc scanner) (Mail, error) {
	var m Mail
	var headers, next, created string
	var sent sql.NullString
	err := sc.Scan(&m.ID, &m.Kind, &m.To, &m.Subject, &m.Body, &headers, &m.State, &m.Attempts, &next, &m.LastError, &created, &sent)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	if err != nil {
		return m, err
	}
	m.NextAttemptAt, m.CreatedAt, m.SentAt = parseTime(next), parseTime(created), parseNullTime(sent)
	return m, json.Unmarshal([]byte(headers), &m.Headers)
}

// enqueueMail adds a message inside the caller's transaction, so that it exists
// exactly when the action that causes it does. A message that could never be sent
// (no valid recipient, a line break in a header) is a bug of the caller: refused here.
func enqueueMail(ctx context.Context, tx *sql.Tx, now time.Time, m Mail) error {
	if addr, err := mail.ParseAddress(m.To); err != nil || addr.Address != m.To {
		return errors.New("mail: recipient is not a bare address: " + m.To)
	}
	for k, v := range m.Headers {
		if strings.ContainsAny(k+v, "\r\n") {
			return errors.New("mail: line break in header " + k)
		}
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return errors.New("mail: line break in subject")
	}
	headers, err := json.Marshal(m.Headers)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO mail_outbox (kind, to_addr, subject, body_text, headers, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, m.Kind, m.To, m.Subject, m.Body, string(headers), fmtTime(now), fmtTime(now))
	return err
}

// Enqueue adds a message that no other write causes (a warning to an account's owner).
func (ms *MailStore) Enqueue(ctx context.Context, now time.Time, m Mail) error {
	return ms.s.tx(ctx, func(tx *sql.Tx) error { return enqueueMail(ctx, tx, now, m) })
}

// Claim takes the next message that is due, for lease, and counts the attempt. A
// message whose earlier claim expired (its worker died mid-send) is due again. One
// statement does it, so two workers, even on two servers, never take the same row.
// With nothing due it returns ErrNotFound.
func (ms *MailStore) Claim(ctx context.Context, now time.Time, lease time.Duration) (Mail, error) {
	n := fmtTime(now)
	return inTurnValue(ctx, ms.s, func() (Mail, error) {
		return scanMail(ms.s.W.QueryRowContext(ctx, `UPDATE mail_outbox
			SET state = 'sending', attempts = attempts + 1, claimed_until = ?
			WHERE id = (SELECT id FROM mail_outbox
				WHERE (state = 'queued' AND next_attempt_at <= ?) OR (state = 'sending' AND claimed_until <= ?)
				ORDER BY next_attempt_at, id LIMIT 1)
			RETURNING `+mailCols, fmtTime(now.Add(lease)), n, n))
	})
}

// Sent records that the SMTP server accepted m. The claim must still be m's (same
// attempt): a worker whose lease ran out does not overwrite a newer attempt's result.
// The body goes: it may hold a live link, which the reader's inbox now has.
func (ms *MailStore) Sent(ctx context.Context, now time.Time, m Mail) error {
	return oneRow(ms.s.exec(ctx, `UPDATE mail_outbox SET state = 'sent', sent_at = ?, claimed_until = NULL, last_error = '',
		body_text = '' WHERE id = ? AND state = 'sending' AND attempts = ?`, fmtTime(now), m.ID, m.Attempts))
}

// Prune deletes what no one needs any more: messages sent before before, and mailed
// links that were used or expired before it. Failed messages stay for an operator.
func (ms *MailStore) Prune(ctx context.Context, before time.Time) error {
	b := fmtTime(before)
	return ms.s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM mail_outbox WHERE state = 'sent' AND sent_at < ?", b); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM mail_tokens WHERE used_at < ? OR expires_at < ?", b, b)
		return err
	})
}

// Retry records a failed attempt: the message waits until retryAt, or, when that
// attempt was the last one allowed, stays failed with the error for an operator.
func (ms *MailStore) Retry(ctx context.Context, m Mail, retryAt time.Time, last bool, sendErr string) error {
	state := MailQueued
	if last {
		state = MailFailed
	}
	return oneRow(ms.s.exec(ctx, `UPDATE mail_outbox SET state = ?, next_attempt_at = ?, claimed_until = NULL, last_error = ?
		WHERE id = ? AND state = 'sending' AND attempts = ?`, state, fmtTime(retryAt), sendErr, m.ID, m.Attempts))
}

// To lists the messages to one address, oldest first: what its owner was sent.
func (ms *MailStore) To(ctx context.Context, addr string) ([]Mail, error) {
	return queryAll(ctx, ms.s.R, scanMail, "SELECT "+mailCols+" FROM mail_outbox WHERE to_addr = ? COLLATE NOCASE ORDER BY id", addr)
}

// mailedLately reports whether mail of this kind went to addr after since. Forms that
// anyone may send (sign-up, forgotten password) use it so nobody can flood an inbox.
func mailedLately(ctx context.Context, tx *sql.Tx, addr, kind string, since time.Time) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM mail_outbox WHERE to_addr = ? COLLATE NOCASE AND kind = ? AND created_at > ?`,
		addr, kind, fmtTime(since)).Scan(&n)
	return n > 0, err
}
