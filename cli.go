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
	"path"
	"runtime/debug"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"broadsheet/models"
)

const userHelp = `usage: broadsheet user add|passwd|list [flags]

Accounts from the command line, for the first administrator or a locked-out one:
  user add      create an account (--email, --name, --role)
  user passwd   set a new password for an account and end its sessions (--email)
  user list     the accounts with their roles, one a line

Run ` + "`broadsheet user add --help`" + ` (or passwd, list) for its flags.
`

// user is `broadsheet user add|passwd|list`. Passwords are never flags, so they stay
// out of shell history and process lists.
func (r *cli) user(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) == 0 {
		return usageErrorf("say what to do: user add, user passwd or user list")
	}
	switch args[0] {
	case "add":
		return r.userAdd(ctx, log, args[1:], out)
	case "passwd":
		return r.userPasswd(ctx, log, args[1:], out)
	case "list":
		return r.userList(ctx, log, args[1:], out)
	case "-h", "-help", "--help":
		fmt.Fprint(r.stdout, userHelp)
		return flag.ErrHelp
	}
	return usageErrorf("there is no `user %s`: use user add, user passwd or user list", args[0])
}

const passwordHelp = "At a terminal the password is asked twice and not shown; otherwise it is the first line of\n" +
	"standard input (printf '%s\\n' \"$PW\" | broadsheet user …). It is never a flag, so it stays out of\n" +
	"shell history and process lists."

func (r *cli) userAdd(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	n := models.NewUser{Role: models.RoleAuthor}
	fl := newFlagSet("user add", "broadsheet user add --email E --name N [--role R] [-data DIR]",
		"Creates an account in an existing site.\n"+passwordHelp)
	fl.StringVar(&n.Email, "email", "", "the account's e-mail `ADDRESS` (required)")
	fl.StringVar(&n.Name, "name", "", "display `NAME`, shown on bylines and comments (required)")
	fl.StringVar(&n.Role, "role", n.Role, "`ROLE`: admin, editor, author or commenter")
	store, _, err := r.existingSite(fl, args, func() error {
		if n.Email == "" || n.Name == "" {
			return usageErrorf("give the new account's --email and --name")
		}
		// Check what can be checked before anyone types a password twice.
		probe := n
		if v, ok := models.AsValidation(probe.Validate()); ok {
			delete(v, "password")
			if len(v) > 0 {
				return invalid("the account was not created", v)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.Users.ByEmail(ctx, n.Email); err == nil {
		return fmt.Errorf("there is already an account with the e-mail %s. To set its password, run: broadsheet user passwd --email %s", n.Email, n.Email)
	} else if !errors.Is(err, models.ErrNotFound) {
		return err
	}
	if n.Password, err = r.readPassword(ctx); err != nil {
		return err
	}
	u, err := store.Users.Create(ctx, time.Now(), n)
	if v, ok := models.AsValidation(err); ok {
		return invalid("the account was not created", v)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(out, "Created the account %s <%s> with the role %s.\n", u.Name, u.Email, u.Role)
	return nil
}

func (r *cli) userPasswd(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	var email string
	fl := newFlagSet("user passwd", "broadsheet user passwd --email E [-data DIR]",
		"Sets a new password for an account and ends every session it has.\n"+passwordHelp)
	fl.StringVar(&email, "email", "", "the account's e-mail `ADDRESS` (required)")
	store, _, err := r.existingSite(fl, args, func() error {
		if email == "" {
			return usageErrorf("give the account's --email")
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer store.Close()
	u, err := store.Users.ByEmail(ctx, email)
	if errors.Is(err, models.ErrNotFound) {
		return fmt.Errorf("there is no account with the e-mail %s (`broadsheet user list` shows them)", email)
	} else if err != nil {
		return err
	}
	password, err := r.readPassword(ctx)
	if err != nil {
		return err
	}
	err = store.Users.SetPassword(ctx, u.ID, password)
	if v, ok := models.AsValidation(err); ok {
		return invalid("the password was not changed", v)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(out, "Changed the password of %s <%s>; every session they had has ended.\n", u.Name, u.Email)
	return nil
}

func (r *cli) userList(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	fl := newFlagSet("user list", "broadsheet user list [-data DIR]",
		"Lists the accounts, staff first, one a line: role, name, e-mail, and whether it is blocked or closed.")
	store, _, err := r.existingSite(fl, args, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	users, err := store.Users.List(ctx)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		fmt.Fprintln(out, "There are no accounts yet.")
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, u := range users {
		line := u.Role + "\t" + u.Name + "\t" + u.Email
		if u.Blocked {
			line += "\tblocked"
		}
		if u.Deactivated {
			line += "\tclosed"
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

// invalid turns a model's field messages into lines for a terminal, each naming its flag.
func invalid(what string, v models.ValidationError) error {
	fields := make([]string, 0, len(v))
	for f := range v {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	var b strings.Builder
	b.WriteString(what + ":")
	for _, f := range fields {
		name := "--" + f
		if f == "password" {
			name = "the password"
		}
		fmt.Fprintf(&b, "\n  %s: %s", name, v[f])
	}
	return errors.New(b.String())
}

// existingSite adds -data to a command that takes flags only, parses them, runs check
// (if any) on them, and opens the site named by -data, which must exist.
func (r *cli) existingSite(fl *flagSet, args []string, check func() error) (*models.Store, string, error) {
	var st site
	fl.siteFlags(&st)
	err := noArguments(fl, args, r.stdout)
	if err == nil && check != nil {
		err = check()
	}
	if err != nil {
		return nil, "", err
	}
	store, err := openSite(st, false)
	return store, st.data, err
}

// noArguments parses a command that takes flags only.
func noArguments(fl *flagSet, args []string, help io.Writer) error {
	pos, err := fl.parse(args, help)
	if err == nil && len(pos) > 0 {
		err = usageErrorf("unexpected argument %q: this command takes only flags", pos[0])
	}
	return err
}

// readPassword asks for a password. At a terminal it is typed without echo and asked
// twice; piped in, it is the first line of stdin. A signal ends the wait, and the
// terminal gets its echo back.
func (r *cli) readPassword(ctx context.Context) (string, error) {
	f, ok := r.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		line, err := await(ctx, func() (string, error) { return bufio.NewReader(r.stdin).ReadString('\n') })
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		if line = strings.TrimRight(line, "\r\n"); line == "" {
			return "", errors.New("no password on standard input: type it at a terminal, or pipe it in as one line")
		}
		return line, nil
	}
	fd := int(f.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", err
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(r.stderr, prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(r.stderr) // the Enter was not echoed either
		return string(b), err
	}
	password, err := await(ctx, func() (string, error) {
		first, err := ask("New password (not shown): ")
		if err != nil || first == "" {
			return first, err
		}
		again, err := ask("The same password again: ")
		if err == nil && again != first {
			err = errors.New("the two passwords differ; nothing was changed")
		}
		return first, err
	})
	if ctx.Err() != nil {
		// ReadPassword is still waiting with echo off; the shell must get it back on.
		term.Restore(fd, state)
		fmt.Fprintln(r.stderr)
	}
	if err == nil && password == "" {
		err = errors.New("no password given; nothing was changed")
	}
	return password, err
}

// await runs fn and returns its result, or the cause as soon as ctx ends (fn is then
// left waiting until the process exits: a blocked read of a terminal cannot be cancelled).
func await[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	select {
	case res := <-done:
		return res.v, res.err
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
}

// backup is `broadsheet backup FILE`: a consistent copy of the database, safe while
// the site is serving (SQLite's VACUUM INTO), created 0600.
func (r *cli) backup(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	var st site
	fl := newFlagSet("backup", "broadsheet backup [-data DIR] FILE",
		"Writes a consistent copy of the site's database to FILE while the site runs. FILE must be new\n"+
			"(a backup never overwrites) and is readable only by you (mode 0600): it holds e-mails and\n"+
			"password hashes. Copy uploads/, session.key and address.key from the data folder as plain files.")
	fl.siteFlags(&st)
	pos, err := fl.parse(args, r.stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("give one file to write the backup to")
	}
	store, err := openSite(st, false)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Backup(ctx, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(out, "Wrote a backup of %s to %s (readable only by you).\n", st.data, pos[0])
	return nil
}

// migrate is `broadsheet migrate`: bring an existing site's database up to this binary's schema.
// `broadsheet migrate sqlite-to-postgres` moves a site to PostgreSQL (migrate_pg.go).
func (r *cli) migrate(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) > 0 && args[0] == "sqlite-to-postgres" {
		return r.migrateSQLiteToPostgres(ctx, log, args[1:], out)
	}
	fl := newFlagSet("migrate", "broadsheet migrate [-data DIR]\n       broadsheet migrate sqlite-to-postgres -data DIR -db URL",
		"Applies the database migrations this binary has and the site lacks, then exits. serve does the\n"+
			"same when it starts; migrate lets you upgrade (after a backup) before starting the new binary.\n"+
			"migrate sqlite-to-postgres copies a site's SQLite database into PostgreSQL (see its --help).")
	store, data, err := r.existingSite(fl, args, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	if len(store.Migrated) == 0 {
		fmt.Fprintf(out, "The database in %s is up to date; there was nothing to apply.\n", data)
		return nil
	}
	fmt.Fprintf(out, "Applied %d migration(s) to the database in %s:\n", len(store.Migrated), data)
	for _, name := range store.Migrated {
		fmt.Fprintln(out, "  "+path.Base(name))
	}
	return nil
}

// version is `broadsheet version` (and --version).
func (r *cli) version(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	fl := newFlagSet("version", "broadsheet version", "Prints the version, the source revision and the Go release this binary was built from.")
	if err := noArguments(fl, args, r.stdout); err != nil {
		return err
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return errors.New("this binary carries no build information")
	}
	fmt.Fprintln(out, versionLine(info))
	return nil
}

// versionLine says which source a binary was built from, as `go build` recorded it.
func versionLine(info *debug.BuildInfo) string {
	vcs := map[string]string{}
	for _, s := range info.Settings {
		vcs[s.Key] = s.Value
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	line := "broadsheet " + v
	if rev := vcs["vcs.revision"]; rev == "" {
		line += ", revision unknown (built outside a git checkout, or with -buildvcs=false)"
	} else {
		line += ", revision " + rev
		if t := vcs["vcs.time"]; t != "" {
			line += " of " + t
		}
		if vcs["vcs.modified"] == "true" {
			line += " with uncommitted changes"
		}
	}
	return line + ", built with " + info.GoVersion
}
