package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"broadsheet/models"
)

// userCmd is `broadsheet user add|passwd`: accounts from the command line, for the
// first administrator or a locked-out one. Passwords come from stdin, never a flag,
// so they stay out of shell history and process lists.
func userCmd(log *slog.Logger, args []string, stdin io.Reader, out io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "passwd") {
		return errors.New("usage: broadsheet user add --email E --name N --role R | broadsheet user passwd --email E")
	}
	sub := args[0]
	var c config
	var email, name, role string
	fl := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fl.SetOutput(out)
	dataFlags(fl, &c)
	fl.StringVar(&email, "email", "", "the account's email address")
	if sub == "add" {
		fl.StringVar(&name, "name", "", "display name")
		fl.StringVar(&role, "role", models.RoleAuthor, "admin, editor, author or commenter")
	}
	if err := fl.Parse(args[1:]); err != nil {
		return err
	}
	if email == "" {
		return errors.New("give the account's --email")
	}
	password, err := readPassword(stdin, out)
	if err != nil {
		return err
	}
	store, _, err := openData(log, c.data)
	if err != nil {
		return err
	}
	defer store.Close()
	ctx := context.Background()
	if sub == "add" {
		u, err := store.Users.Create(ctx, time.Now(), models.NewUser{Email: email, Name: name, Role: role, Password: password})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "created %s <%s> as %s\n", u.Name, u.Email, u.Role)
		return nil
	}
	u, err := store.Users.ByEmail(ctx, email)
	if errors.Is(err, models.ErrNotFound) {
		return fmt.Errorf("no account with email %s", email)
	} else if err != nil {
		return err
	}
	if err := store.Users.SetPassword(ctx, u.ID, password); err != nil {
		return err
	}
	fmt.Fprintf(out, "password changed for %s; their sessions have ended\n", u.Email)
	return nil
}

// readPassword reads one line: typed at a prompt, or piped in (echo … | broadsheet user add …).
func readPassword(stdin io.Reader, out io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(out, "Password: ")
		}
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password given on stdin")
	}
	return line, nil
}

// backupCmd is `broadsheet backup FILE`: a consistent copy of the database, safe while
// the site is serving (SQLite's VACUUM INTO).
func backupCmd(log *slog.Logger, args []string, out io.Writer) error {
	var c config
	fl := flag.NewFlagSet("backup", flag.ContinueOnError)
	fl.SetOutput(out)
	dataFlags(fl, &c)
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() != 1 {
		return errors.New("usage: broadsheet backup [--data DIR] FILE")
	}
	store, _, err := openData(log, c.data)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Backup(context.Background(), fl.Arg(0)); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(out, "backed up to %s\n", fl.Arg(0))
	return nil
}
