package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"broadsheet/models"
	"broadsheet/models/sample"
)

// site is where a site's things are: its data folder (uploads, keys, and the SQLite
// database unless db is set) and, for a site on PostgreSQL, the database's URL.
type site struct {
	data string // -data
	db   string // -db: a postgres:// URL, or "" for SQLite in the data folder
}

// openSite opens the site, applying pending migrations. Only serve (and import -new)
// may create a site: to every other command a folder without a database is a mistyped
// -data, refused before anything is written there. A PostgreSQL database is created by
// its administrator, so any command may migrate an empty one.
func openSite(st site, create bool) (*models.Store, error) {
	dir := st.data
	if st.db == "" {
		exists, err := siteExists(dir)
		if err != nil {
			return nil, err
		}
		if !exists && !create {
			return nil, noSite(dir, "only `broadsheet serve` creates a new site")
		}
	} else if !models.IsPostgres(st.db) {
		return nil, usageErrorf("-db %q: want a postgres:// URL, or nothing for SQLite in the -data folder", st.db)
	}
	if err := os.MkdirAll(uploadsDir(dir), 0o750); err != nil {
		return nil, fmt.Errorf("create the data folder: %w", err)
	}
	var store *models.Store
	var err error
	if st.db != "" {
		store, err = models.OpenPostgres(st.db, uploadsDir(dir))
	} else {
		store, err = models.Open(filepath.Join(dir, "broadsheet.db"), uploadsDir(dir))
	}
	if err != nil {
		return nil, err
	}
	key, err := addressKey(filepath.Join(dir, "address.key"))
	if err == nil {
		err = store.UseAddressKey(context.Background(), key)
	}
	if err != nil {
		store.Close()
		return nil, err
	}
	return store, nil
}

// addressKey reads the key that client addresses are hashed with before they are
// stored, creating it on first use. Losing it only means that comments from before
// no longer match later ones from the same network.
func addressKey(path string) (models.AddressKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		k, err := models.NewAddressKey()
		if err != nil {
			return k, err
		}
		if err := os.WriteFile(path, []byte(k.String()+"\n"), 0o600); err != nil {
			return k, fmt.Errorf("write address key: %w", err)
		}
		return k, nil
	} else if err != nil {
		return models.AddressKey{}, err
	}
	raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
	k, ok := models.AddressKeyFrom(raw)
	if err != nil || !ok {
		return k, fmt.Errorf("%s: want %d hex-encoded bytes", path, models.AddressKeySize)
	}
	return k, nil
}

// uploadsDir is the folder in the site's data folder that holds the photo files
// unless they are kept in a bucket.
func uploadsDir(data string) string { return filepath.Join(data, "uploads") }

// noSite says that dir holds no site, and how one comes to be.
func noSite(dir, howToCreate string) error {
	return fmt.Errorf("there is no Broadsheet site in %s (no broadsheet.db there): check -data or BROADSHEET_DATA; %s", dir, howToCreate)
}

// siteExists reports whether dir holds a site's database.
func siteExists(dir string) (bool, error) {
	_, err := os.Stat(filepath.Join(dir, "broadsheet.db"))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// sessionKeys reads the cookie signing and encryption keys: BROADSHEET_SESSION_KEYS
// (hex pairs "hash:block", newest first, comma-separated, for rotation across servers)
// or the key file, which is created with fresh random keys on first start.
func sessionKeys(log *slog.Logger, path string) ([][]byte, error) {
	raw := os.Getenv("BROADSHEET_SESSION_KEYS")
	if raw == "" {
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			k := make([]byte, 64+32)
			if _, err := rand.Read(k); err != nil {
				return nil, err
			}
			raw = hex.EncodeToString(k[:64]) + ":" + hex.EncodeToString(k[64:])
			if err := os.WriteFile(path, []byte(raw+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("write session key: %w", err)
			}
			log.Info("generated session keys", "file", path)
		} else if err != nil {
			return nil, err
		} else {
			raw = string(b)
		}
	}
	var keys [][]byte
	for _, pair := range strings.Split(strings.TrimSpace(raw), ",") {
		parts := strings.Split(strings.TrimSpace(pair), ":")
		if len(parts) != 2 {
			return nil, fmt.Errorf("session keys: want hex HASHKEY:BLOCKKEY pairs")
		}
		h, err1 := hex.DecodeString(parts[0])
		b, err2 := hex.DecodeString(parts[1])
		if err1 != nil || err2 != nil || len(h) < 32 || len(b) != 32 {
			return nil, fmt.Errorf("session keys: hash key ≥ 32 bytes and block key of 32 bytes, hex-encoded")
		}
		keys = append(keys, h, b)
	}
	return keys, nil
}

// firstRun seeds an empty site: an administrator (from BROADSHEET_ADMIN_EMAIL and
// BROADSHEET_ADMIN_PASSWORD, or with a random password shown once) and, unless
// turned off, the sample paper. A site with accounts but no administrator (a fresh
// import) gets no automatic one: the log says how to make one.
func (r *cli) firstRun(ctx context.Context, log *slog.Logger, store *models.Store, c config) error {
	some, hasAdmin, err := store.Users.Accounts(ctx)
	if err != nil {
		return err
	}
	if some {
		if !hasAdmin {
			log.Warn("this site has accounts but no administrator, so nobody can manage people or settings; " +
				"BROADSHEET_ADMIN_EMAIL and BROADSHEET_ADMIN_PASSWORD only apply to an empty site. " + makeAdminHint(c.data))
		}
		return nil
	}
	email := env("BROADSHEET_ADMIN_EMAIL", "admin@example.com")
	password := os.Getenv("BROADSHEET_ADMIN_PASSWORD")
	generated := password == ""
	if generated {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		password = hex.EncodeToString(b)
	}
	admin, err := store.Users.Create(ctx, time.Now(), models.NewUser{Email: email, Name: "Site Administrator", Password: password, Role: models.RoleAdmin})
	if err != nil {
		return fmt.Errorf("create the administrator: %w", err)
	}
	// Say how to log in before seeding, so a failed seed never hides the only copy of the password.
	log.Info("created the administrator", "login", c.baseURL+"/login", "email", email)
	switch {
	case !generated:
	case r.logJSON && !isTerminal(r.stderr):
		// A JSON log is collected and kept: a password must not go into it.
		log.Warn("the administrator's generated password is not written to a JSON log; set one with: " +
			"broadsheet user passwd --email " + email + " -data " + c.data)
	default:
		// Framed, so that it stands out among the request lines that follow.
		frame(r.stderr, "The administrator's password, shown only this once:", "",
			"  log in at  "+c.baseURL+"/login", "  email     "+email, "  password  "+password, "",
			"Change it after logging in, or with `broadsheet user passwd`.")
	}
	if !c.seed {
		return nil
	}
	if err := sample.Seed(ctx, store, time.Now(), admin); err != nil {
		return fmt.Errorf("sample content: %w", err)
	}
	log.Warn("SAMPLE CONTENT: this new site now publishes the invented sample paper (stories, writers, comments). "+
		"To start empty instead, stop the site, delete the data folder and start with -seed=false or BROADSHEET_SEED=false",
		"data", c.data)
	return nil
}

// makeAdminHint tells the operator how to create the first administrator of the site in dir.
func makeAdminHint(dir string) string {
	return "Create one with: broadsheet user add --role admin --email YOU@EXAMPLE.COM --name \"YOUR NAME\" -data " + dir
}

// frame writes lines inside a box drawn with lines.
func frame(w io.Writer, lines ...string) {
	width := 0
	for _, l := range lines {
		width = max(width, utf8.RuneCountInString(l))
	}
	bar := strings.Repeat("─", width+2)
	fmt.Fprintf(w, "┌%s┐\n", bar)
	for _, l := range lines {
		fmt.Fprintf(w, "│ %s%s │\n", l, strings.Repeat(" ", width-utf8.RuneCountInString(l)))
	}
	fmt.Fprintf(w, "└%s┘\n", bar)
}

// isTerminal reports whether w is a terminal a person is looking at.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// env reads a setting from the environment; unset and empty both mean the default.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
