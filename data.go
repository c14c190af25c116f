package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"broadsheet/models"
)

// openData creates the data folder if needed, opens (and migrates) the database and
// loads the session keys, generating them on first start.
func openData(log *slog.Logger, dir string) (*models.Store, [][]byte, error) {
	if err := os.MkdirAll(filepath.Join(dir, "uploads"), 0o750); err != nil {
		return nil, nil, fmt.Errorf("create data folder: %w", err)
	}
	keys, err := sessionKeys(log, filepath.Join(dir, "session.key"))
	if err != nil {
		return nil, nil, err
	}
	store, err := models.Open(filepath.Join(dir, "broadsheet.db"), filepath.Join(dir, "uploads"))
	if err != nil {
		return nil, nil, err
	}
	return store, keys, nil
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
// BROADSHEET_ADMIN_PASSWORD, or with a random password printed once) and, unless
// turned off, the sample paper.
func firstRun(ctx context.Context, log *slog.Logger, store *models.Store, c config) error {
	n, err := store.Users.Count(ctx)
	if err != nil || n > 0 {
		return err
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
		return fmt.Errorf("create administrator: %w", err)
	}
	// Say how to log in before seeding, so a failed seed never hides the only copy of the password.
	if generated {
		log.Info("created the administrator — this password is shown only once", "login", c.baseURL+"/login", "email", email, "password", password)
	} else {
		log.Info("created the administrator", "login", c.baseURL+"/login", "email", email)
	}
	if c.seed {
		if err := models.Seed(ctx, store, time.Now(), admin); err != nil {
			return fmt.Errorf("sample content: %w", err)
		}
		log.Info("seeded the sample paper")
	}
	return nil
}
