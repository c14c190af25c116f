package main

import (
	"context"
	"database/sql"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"broadsheet/models"
)

// newSite makes a site with its database, as a first `serve` would, and returns its folder.
func newSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	store, err := openSite(site{data: dir}, true)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	return dir
}

func TestUserAddPasswdListAndBackup(t *testing.T) {
	cleanEnv(t)
	dir := newSite(t)
	if r := runCLI("first password 1\n", "user", "add", "--data", dir, "--email", "ed@example.com", "--name", "Ed Itor", "--role", "editor"); r.code != 0 ||
		r.stdout != "Created the account Ed Itor <ed@example.com> with the role editor.\n" {
		t.Fatalf("user add: %+v", r)
	}
	for _, tc := range []struct {
		input string
		args  []string
		errs  string
	}{
		{"long enough pass\n", []string{"--role", "boss", "--email", "x@example.com", "--name", "X"}, "--role: Unknown role."},
		{"short\n", []string{"--email", "x@example.com", "--name", "X"}, "the password: Use at least 10 characters."},
		{"", []string{"--email", "x@example.com", "--name", "X"}, "no password on standard input"},
		{"long enough pass\n", []string{"--email", "ed@example.com", "--name", "Other"}, "already an account with the e-mail ed@example.com. To set its password, run: broadsheet user passwd"},
	} {
		r := runCLI(tc.input, append([]string{"user", "add", "-data", dir}, tc.args...)...)
		if r.code != exitFailure || !strings.Contains(r.stderr, tc.errs) || strings.Contains(r.stderr, "Log in instead") {
			t.Errorf("user add %v: status %d, stderr %q; want 1 and %q", tc.args, r.code, r.stderr, tc.errs)
		}
	}
	if r := runCLI("second password 2\n", "user", "passwd", "--email", "ed@example.com", "-data", dir); r.code != 0 || !strings.Contains(r.stdout, "every session they had has ended") {
		t.Fatalf("user passwd: %+v", r)
	}
	if r := runCLI("second password 2\n", "user", "passwd", "--email", "nobody@example.com", "-data", dir); r.code != 1 || !strings.Contains(r.stderr, "no account with the e-mail nobody@example.com") {
		t.Errorf("passwd for an unknown account: %+v", r)
	}
	runCLI("reader password\n", "user", "add", "-data", dir, "--email", "rita@example.com", "--name", "Rita Reader", "--role", "commenter")
	if r := runCLI("", "user", "list", "-data", dir); r.code != 0 ||
		r.stdout != "editor     Ed Itor      ed@example.com\ncommenter  Rita Reader  rita@example.com\n" {
		t.Errorf("user list: %+v", r)
	}

	// Flags after the file; the copy is private whatever the umask.
	backup := filepath.Join(t.TempDir(), "copy.db")
	old := syscall.Umask(0)
	r := runCLI("", "backup", backup, "-data", dir)
	syscall.Umask(old)
	if r.code != 0 || !strings.Contains(r.stdout, "Wrote a backup of "+dir+" to "+backup) {
		t.Fatalf("backup: %+v", r)
	}
	if st, err := os.Stat(backup); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	if r := runCLI("", "backup", backup, "-data", dir); r.code != 1 || !strings.Contains(r.stderr, "a backup never overwrites a file") {
		t.Errorf("second backup to the same file: %+v", r)
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

// A mistyped -data is refused with a sentence, and nothing is created there.
func TestCommandsRefuseAFolderWithoutASite(t *testing.T) {
	cleanEnv(t)
	typo := filepath.Join(t.TempDir(), "dta")
	empty := t.TempDir()
	out := filepath.Join(t.TempDir(), "out.db")
	for _, args := range [][]string{
		{"backup", "-data", typo, out},
		{"backup", out, "-data", empty},
		{"user", "add", "-data", typo, "--email", "a@example.com", "--name", "A"},
		{"user", "passwd", "-data", typo, "--email", "a@example.com"},
		{"user", "list", "-data", empty},
		{"migrate", "-data", typo},
		{"import", "wordpress", "-data", typo, "export.xml"},
	} {
		r := runCLI("long enough pass\n", args...)
		if r.code != exitFailure || !strings.Contains(r.stderr, "there is no Broadsheet site in ") {
			t.Errorf("%v: status %d, stderr %q", args, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(typo); err == nil {
		t.Error("a command created the mistyped folder")
	}
	if entries, _ := os.ReadDir(empty); len(entries) > 0 {
		t.Errorf("a command wrote into a folder without a site: %v", entries)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a backup of no site was written")
	}
}

// migrate brings a database made by an older binary up to date and names what it applied.
func TestMigrateAppliesWhatIsPending(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	// An older binary's database: every migration but the last two, applied as models does.
	files, err := filepath.Glob(filepath.Join("models", "migrations", "*.sql"))
	if err != nil || len(files) < 3 {
		t.Fatalf("migrations: %v %v", files, err)
	}
	db, err := sql.Open("sqlite3", filepath.Join(dir, "broadsheet.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	for _, f := range files[:len(files)-2] {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatal(f, err)
		}
		if _, err := db.Exec("INSERT INTO schema_migrations VALUES (?, '2026-01-01 00:00:00')", "migrations/"+filepath.Base(f)); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	r := runCLI("", "migrate", "-data", dir)
	want := "Applied 2 migration(s) to the database in " + dir + ":\n  " + filepath.Base(files[len(files)-2]) + "\n  " + filepath.Base(files[len(files)-1]) + "\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("migrate: status %d\n got %q\nwant %q\n%s", r.code, r.stdout, want, r.stderr)
	}
	if r := runCLI("", "migrate", "-data", dir); r.code != 0 || !strings.Contains(r.stdout, "up to date; there was nothing to apply") {
		t.Errorf("second migrate: %+v", r)
	}
}

// terminal runs `broadsheet args…` with a pseudo-terminal for stdin, stdout and
// stderr. The test keeps the terminal's own end to read its settings.
type terminal struct {
	cmd      *exec.Cmd
	ptmx, tt *os.File
	out      syncBuffer
	done     chan error
}

func startAtTerminal(t *testing.T, args ...string) *terminal {
	t.Helper()
	ptmx, tt, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{cmd: broadsheetProcess(args...), ptmx: ptmx, tt: tt, done: make(chan error, 1)}
	term.cmd.Stdin, term.cmd.Stdout, term.cmd.Stderr = tt, tt, tt
	term.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := term.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go io.Copy(&term.out, ptmx)
	go func() { term.done <- term.cmd.Wait() }()
	t.Cleanup(func() {
		term.cmd.Process.Kill()
		ptmx.Close()
		tt.Close()
	})
	return term
}

// echo reports whether the terminal shows what is typed.
func (term *terminal) echo(t *testing.T) bool {
	tio, err := unix.IoctlGetTermios(int(term.tt.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// typeAtPrompt waits for the prompt and for echo to be off, then types line.
func (term *terminal) typeAtPrompt(t *testing.T, prompt, line string) {
	t.Helper()
	waitFor(t, &term.out, prompt)
	for deadline := time.Now().Add(10 * time.Second); term.echo(t); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("echo still on at %q", prompt)
		}
	}
	term.ptmx.WriteString(line + "\r")
}

// exitCode waits for the command and returns its exit status.
func (term *terminal) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case <-term.done:
		return term.cmd.ProcessState.ExitCode()
	case <-time.After(30 * time.Second):
		t.Fatalf("still running:\n%s", term.out.String())
	}
	return -1
}

// At a terminal the password is asked twice and never shown; two different ones are refused.
func TestPasswordPromptAtATerminal(t *testing.T) {
	cleanEnv(t)
	dir := newSite(t)
	term := startAtTerminal(t, "user", "add", "-data", dir, "--email", "ed@example.com", "--name", "Ed", "--role", "admin")
	term.typeAtPrompt(t, "New password (not shown): ", "correct horse battery")
	term.typeAtPrompt(t, "The same password again: ", "correct horse battery")
	if code := term.exitCode(t); code != 0 || strings.Contains(term.out.String(), "horse") {
		t.Fatalf("status %d; the terminal showed:\n%s", code, term.out.String())
	}
	if !term.echo(t) {
		t.Error("echo left off")
	}
	store, err := models.Open(filepath.Join(dir, "broadsheet.db"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Users.Authenticate(context.Background(), "ed@example.com", "correct horse battery"); err != nil {
		t.Errorf("the typed password does not log in: %v", err)
	}

	term = startAtTerminal(t, "user", "passwd", "-data", dir, "--email", "ed@example.com")
	term.typeAtPrompt(t, "New password (not shown): ", "a new password 1")
	term.typeAtPrompt(t, "The same password again: ", "a new password 2")
	if code := term.exitCode(t); code != 1 {
		t.Errorf("different passwords: status %d\n%s", code, term.out.String())
	}
	waitFor(t, &term.out, "broadsheet user: the two passwords differ; nothing was changed.")
	if _, err := store.Users.Authenticate(context.Background(), "ed@example.com", "correct horse battery"); err != nil {
		t.Errorf("a refused change changed the password: %v", err)
	}
}

// SIGINT or SIGTERM at a password prompt ends the command at once, with the shell's
// status for the signal and the terminal's echo back on.
func TestSignalsEndAPasswordPrompt(t *testing.T) {
	cleanEnv(t)
	dir := newSite(t)
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
		says string
	}{{syscall.SIGINT, 130, "interrupted (SIGINT) before it finished."}, {syscall.SIGTERM, 143, "stopped by SIGTERM before it finished."}} {
		term := startAtTerminal(t, "user", "add", "-data", dir, "--email", "x@example.com", "--name", "X")
		waitFor(t, &term.out, "New password (not shown): ")
		for term.echo(t) {
			time.Sleep(10 * time.Millisecond)
		}
		term.cmd.Process.Signal(tc.sig)
		if code := term.exitCode(t); code != tc.code {
			t.Errorf("%v: status %d (want %d)\n%s", tc.sig, code, tc.code, term.out.String())
		}
		waitFor(t, &term.out, "broadsheet user: "+tc.says)
		if !term.echo(t) {
			t.Errorf("%v left the terminal without echo", tc.sig)
		}
	}
}

// generate fills a new folder with an archive a reader can browse, and never adds
// invented stories to a site that has some.
func TestGenerateFillsOnlyAnEmptySite(t *testing.T) {
	cleanEnv(t)
	dir := filepath.Join(t.TempDir(), "big")
	r := runCLI("", "generate", "-data", dir, "-articles", "30", "-comments", "120")
	if r.code != 0 || !strings.Contains(r.stdout, "Generated 30 stories") {
		t.Fatalf("generate: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI("", "generate", "-data", dir, "-articles", "5", "-comments", "5"); r.code != 1 {
		t.Errorf("a second generate into the same site: exit %d, want 1\n%s", r.code, r.stderr)
	}
	if r := runCLI("", "generate", "-data", dir, "-articles", "many"); r.code != 2 {
		t.Errorf("a bad number: exit %d, want 2", r.code)
	}
}
