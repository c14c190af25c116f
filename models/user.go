package models

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Roles, from most to least powerful.
const (
	RoleAdmin     = "admin"
	RoleEditor    = "editor"
	RoleAuthor    = "author"
	RoleCommenter = "commenter"
)

// User is a person with an account: staff or reader.
type User struct {
	ID             int64
	Email          string
	Name           string
	Slug           string
	Bio            string
	Role           string
	SessionVersion int
	Blocked        bool
	Deactivated    bool
	// Mail the reader asked for (account settings): replies to any of their comments,
	// and notes when a held comment of theirs is approved or removed.
	NotifyReplies    bool
	NotifyModeration bool
	CreatedAt        time.Time
	passwordHash     string
}

// IsStaff reports whether the user works for the paper (editors and administrators).
func (u User) IsStaff() bool { return u.Role == RoleAdmin || u.Role == RoleEditor }

// CanWrite reports whether the user may use the newsroom at all.
func (u User) CanWrite() bool { return u.IsStaff() || u.Role == RoleAuthor }

// UserStore reads and writes users.
type UserStore struct{ s *Store }

const userCols = "id, email, name, slug, bio, role, session_version, blocked, deactivated, notify_replies, notify_moderation, created_at, password_hash"

func scanUser(sc scanner) (User, error) {
	var u User
	var created string
	err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.Slug, &u.Bio, &u.Role, &u.SessionVersion, &u.Blocked, &u.Deactivated,
		&u.NotifyReplies, &u.NotifyModeration, &created, &u.passwordHash)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	u.CreatedAt = parseTime(created)
	return u, err
}

// Get returns the user with this id, or ErrNotFound.
func (us *UserStore) Get(ctx context.Context, id int64) (User, error) {
	return scanUser(us.s.R.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", id))
}

// BySlug returns the user with this slug, or ErrNotFound.
func (us *UserStore) BySlug(ctx context.Context, slug string) (User, error) {
	return scanUser(us.s.R.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE slug = ?", slug))
}

// ByEmail returns the user with this email (any case), or ErrNotFound.
func (us *UserStore) ByEmail(ctx context.Context, email string) (User, error) {
	return scanUser(us.s.R.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE email = ?", strings.TrimSpace(email)))
}

// NewUser is what creating an account needs.
type NewUser struct {
	Email    string
	Name     string
	Password string
	Role     string
	Bio      string
}

// MinPasswordLen is the shortest password we accept.
const MinPasswordLen = 10

// Validate checks and normalises the fields of a new account.
func (n *NewUser) Validate() error {
	v := n.profileErrors()
	if err := validatePassword(n.Password); err != "" {
		v["password"] = err
	}
	if len(v) > 0 {
		return v
	}
	return nil
}

// profileErrors checks and normalises what every account needs however it is made,
// by the sign-up and newsroom forms or by an import; the password is the forms'
// business (an imported account has none until an administrator sets one).
func (n *NewUser) profileErrors() ValidationError {
	v := ValidationError{}
	n.Email = strings.TrimSpace(n.Email)
	n.Name = strings.TrimSpace(n.Name)
	if addr, err := mail.ParseAddress(n.Email); err != nil || addr.Address != n.Email || len(n.Email) > 254 {
		v["email"] = "Enter an email address like name@example.com."
	}
	switch {
	case n.Name == "":
		v["name"] = "Choose a display name."
	case utf8.RuneCountInString(n.Name) > 50:
		v["name"] = "Keep the display name to 50 characters."
	case Slugify(n.Name) == "":
		v["name"] = "Use at least one letter or digit in the display name."
	}
	if n.Role == "" {
		n.Role = RoleCommenter
	}
	switch n.Role {
	case RoleAdmin, RoleEditor, RoleAuthor, RoleCommenter:
	default:
		v["role"] = "Unknown role."
	}
	return v
}

func validatePassword(p string) string {
	switch {
	case utf8.RuneCountInString(p) < MinPasswordLen:
		return "Use at least 10 characters."
	case len(p) > 1024:
		return "Use at most 1,024 characters."
	}
	return ""
}

// Create adds an account. A taken email or name comes back as a ValidationError on that field.
func (us *UserStore) Create(ctx context.Context, now time.Time, n NewUser) (User, error) {
	if err := n.Validate(); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return User{}, err
	}
	return us.insert(ctx, now, n, hash)
}

func (us *UserStore) insert(ctx context.Context, now time.Time, n NewUser, hash string) (User, error) {
	id, err := inTurnValue(ctx, us.s, func() (int64, error) { return insertUser(ctx, us.s.W, now, n, hash) })
	if err != nil {
		return User{}, err
	}
	return us.Get(ctx, id)
}

// insertUser writes an account that passed profileErrors, on the server's writer or
// in an import's transaction (q), with the slug rule every account follows; a taken
// email or display name is a ValidationError on that field.
func insertUser(ctx context.Context, q querier, now time.Time, n NewUser, hash string) (int64, error) {
	slug, err := freeSlug(ctx, Slugify(n.Name), tableSlugTaken(q, "users"))
	if err != nil {
		return 0, err
	}
	var id int64
	err = q.QueryRowContext(ctx, `INSERT INTO users (email, name, slug, bio, role, password_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`, n.Email, n.Name, slug, n.Bio, n.Role, hash, fmtTime(now)).Scan(&id)
	// A taken email or name inserts nothing rather than failing, so the transaction stays
	// usable for asking which (PostgreSQL aborts a transaction on a failed statement).
	if errors.Is(err, sql.ErrNoRows) {
		var emailTaken bool
		if err := q.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM users WHERE email = ?)", n.Email).Scan(&emailTaken); err != nil {
			return 0, err
		}
		if emailTaken {
			return 0, ValidationError{"email": "An account with this email already exists. Log in instead?"}
		}
		return 0, ValidationError{"name": "This display name is taken. Choose another."}
	}
	return id, err
}

// Authenticate returns the user whose email and password match, or ErrInvalidCredentials.
// Unknown emails and accounts without a password cost one password check too, so
// response time does not reveal which accounts exist or were imported.
func (us *UserStore) Authenticate(ctx context.Context, email, password string) (User, error) {
	u, err := us.ByEmail(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, err
	}
	if u.passwordHash == "" {
		checkNoPassword(password)
		return User{}, ErrInvalidCredentials
	}
	if !CheckPassword(u.passwordHash, password) || u.Deactivated {
		return User{}, ErrInvalidCredentials
	}
	return u, nil
}

// SetPassword changes a password and ends every existing session of the user.
func (us *UserStore) SetPassword(ctx context.Context, id int64, password string) error {
	if msg := validatePassword(password); msg != "" {
		return ValidationError{"password": msg}
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return us.exec1(ctx, "UPDATE users SET password_hash = ?, session_version = session_version + 1 WHERE id = ?", hash, id)
}

// EndSessions invalidates every session cookie the user holds.
func (us *UserStore) EndSessions(ctx context.Context, id int64) error {
	return us.exec1(ctx, "UPDATE users SET session_version = session_version + 1 WHERE id = ?", id)
}

// exec1 runs a statement that must touch exactly one row.
func (us *UserStore) exec1(ctx context.Context, q string, args ...any) error {
	return oneRow(us.s.exec(ctx, q, args...))
}

// Accounts reports whether the site has any account, and whether one of them is an
// administrator, without reading them (a generated archive has a quarter of a million).
func (us *UserStore) Accounts(ctx context.Context) (some, admin bool, err error) {
	err = us.s.R.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users),
		EXISTS (SELECT 1 FROM users WHERE role = '`+RoleAdmin+`')`).Scan(&some, &admin)
	return some, admin, err
}

// Count returns the number of accounts.
func (us *UserStore) Count(ctx context.Context) (int, error) {
	var n int
	err := us.s.R.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&n)
	return n, err
}
