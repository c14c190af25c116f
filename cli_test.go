package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"broadsheet/models"
)

func TestUserAddPasswdAndBackup(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var out bytes.Buffer
	err := userCmd(log, []string{"add", "--data", dir, "--email", "ed@example.com", "--name", "Ed Itor", "--role", "editor"},
		strings.NewReader("first password 1\n"), &out)
	if err != nil {
		t.Fatal(err)
	}
	if err := userCmd(log, []string{"add", "--data", dir, "--email", "x@example.com", "--name", "X", "--role", "boss"},
		strings.NewReader("long enough pass\n"), &out); err == nil || !strings.Contains(err.Error(), "Unknown role") {
		t.Errorf("bad role: %v", err)
	}
	if err := userCmd(log, []string{"passwd", "--data", dir, "--email", "ed@example.com"}, strings.NewReader("second password 2\n"), &out); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	if err := backupCmd(log, []string{"--data", dir, backup}, &out); err != nil {
		t.Fatal(err)
	}
	if err := backupCmd(log, []string{"--data", dir, backup}, &out); !errors.Is(err, models.ErrBackupExists) {
		t.Errorf("second backup to the same file: %v, want a refusal", err)
	}
	// The copy is a working database holding the account with its new password.
	copyStore, err := models.Open(backup, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer copyStore.Close()
	u, err := copyStore.Users.Authenticate(context.Background(), "ed@example.com", "second password 2")
	if err != nil || u.Role != models.RoleEditor {
		t.Errorf("backup login: %v %+v", err, u)
	}
}
