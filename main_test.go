package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test start this very binary as the broadsheet command (see
// broadsheetProcess), to send it real signals and give it a real terminal.
func TestMain(m *testing.M) {
	if os.Getenv("BROADSHEET_TEST_RUN_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// broadsheetProcess is `broadsheet args…` as a separate process.
func broadsheetProcess(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "BROADSHEET_TEST_RUN_MAIN=1")
	return cmd
}

// syncBuffer is an output safe for a command's goroutines and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls out until it holds want.
func waitFor(t *testing.T, out interface{ String() string }, want string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(out.String(), want) {
			return
		}
	}
	t.Fatalf("no %q in the output:\n%s", want, out.String())
}

// result is what a person sees of one run: exit status, stdout and stderr.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command line in this process, with stdin piped from input.
func runCLI(input string, args ...string) result {
	var out, errs bytes.Buffer
	code := run(args, strings.NewReader(input), &out, &errs)
	return result{code, out.String(), errs.String()}
}

// cleanEnv clears the settings a developer's shell might have exported.
func cleanEnv(t *testing.T) {
	for _, name := range []string{"BROADSHEET_ADMIN_PASSWORD", "BROADSHEET_ADMIN_EMAIL", "BROADSHEET_SESSION_KEYS",
		"BROADSHEET_DATA", "BROADSHEET_DB", "BROADSHEET_ADDR", "BROADSHEET_BASE_URL", "BROADSHEET_SEED", "BROADSHEET_DEV",
		"BROADSHEET_LOG_FORMAT", "BROADSHEET_LOG_LEVEL", "BROADSHEET_READ_HEADER_TIMEOUT", "BROADSHEET_READ_TIMEOUT",
		"BROADSHEET_WRITE_TIMEOUT", "BROADSHEET_IDLE_TIMEOUT", "BROADSHEET_MAX_HEADER_BYTES", "BROADSHEET_MAX_CONNS_PER_CLIENT",
		"BROADSHEET_FORM_LIMIT", "BROADSHEET_COMMENT_LIMIT", "BROADSHEET_MAX_FORM_FIELDS", "BROADSHEET_RATE_LIMITS",
		"BROADSHEET_TRUSTED_PROXIES", "BROADSHEET_METRICS_TOKEN", "BROADSHEET_DISK_FLOOR", "BROADSHEET_SMTP", "BROADSHEET_MAIL_FROM",
		"BROADSHEET_S3_ENDPOINT", "BROADSHEET_S3_BUCKET", "BROADSHEET_S3_REGION", "BROADSHEET_S3_ACCESS_KEY", "BROADSHEET_S3_SECRET_FILE",
		"BROADSHEET_S3_TLS", "BROADSHEET_MEDIA_URL", secretEnv} {
		t.Setenv(name, "")
	}
}

// startServe runs serve in this process until the returned stop is called.
func startServe(t *testing.T, stderr io.Writer, args ...string) (addr string, stop func() int) {
	t.Helper()
	ready := make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		r := &cli{stdin: strings.NewReader(""), stdout: io.Discard, stderr: stderr, ready: ready}
		done <- r.run(append([]string{"serve", "-addr", "127.0.0.1:0"}, args...))
	}()
	select {
	case addr = <-ready:
	case code := <-done:
		t.Fatalf("serve ended early with status %d:\n%s", code, stderr)
	case <-time.After(60 * time.Second):
		t.Fatalf("site did not start:\n%s", stderr)
	}
	// A real SIGTERM to this test process: run has caught it since before serve was ready.
	return addr, func() int {
		if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		return <-done
	}
}

// A newcomer's first start: the data folder is created, the administrator's password
// is shown once in a frame, the sample paper is seeded with a loud warning, the site
// answers, and SIGTERM shuts it down with status 0. A second start seeds nothing.
func TestFirstStartSeedsAndShutsDownCleanly(t *testing.T) {
	cleanEnv(t)
	data := filepath.Join(t.TempDir(), "data")
	var logs syncBuffer
	addr, stop := startServe(t, &logs, "-data", data)
	for _, f := range []string{"broadsheet.db", "session.key", "address.key", "uploads"} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			t.Errorf("first start did not create data/%s: %v", f, err)
		}
	}
	out := logs.String()
	for _, want := range []string{"Broadsheet is running", "url=http://" + addr + "/", "login=http://" + addr + "/login",
		"email=admin@example.com", "┌", "│   password  ", "└", "SAMPLE CONTENT", "BROADSHEET_SEED=false"} {
		if !strings.Contains(out, want) {
			t.Errorf("start-up output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "password=") {
		t.Errorf("the password went into a log line, not only the frame:\n%s", out)
	}
	res, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `class="lead-story `) {
		t.Errorf("front page after seeding: %d, lead story present: %v", res.StatusCode, strings.Contains(string(body), "lead-story"))
	}
	// Again, now from the page cache, uncompressed: the served connection's answer leaves
	// in one writev, its body by reference (handlers/gather.go, countedConn.WriteBuffers).
	plain := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	if res, err = plain.Get("http://" + addr + "/"); err != nil {
		t.Fatal(err)
	}
	cached, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(cached) != string(body) {
		t.Errorf("front page from the cache: %d, %d bytes, want the %d bytes first served", res.StatusCode, len(cached), len(body))
	}
	if code := stop(); code != exitOK || !strings.Contains(logs.String(), "reason=\"stopped by SIGTERM\"") {
		t.Fatalf("shutdown on SIGTERM: exit status %d:\n%s", code, logs.String())
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("still answering after shutdown")
	}

	before := logs.String()
	_, stop = startServe(t, &logs, "-data", data)
	stop()
	again := strings.TrimPrefix(logs.String(), before)
	if strings.Contains(again, "password  ") || strings.Contains(again, "SAMPLE CONTENT") {
		t.Errorf("second start seeded again or showed a new password:\n%s", again)
	}
}

// With -log-format json every line on stderr is a JSON object, and the generated
// password is in none of them; -log-level warn leaves out the info lines.
func TestJSONLogNeverCarriesThePassword(t *testing.T) {
	cleanEnv(t)
	var logs syncBuffer
	_, stop := startServe(t, &logs, "-data", t.TempDir(), "-seed=false", "-log-format", "json", "-log-level", "warn")
	stop()
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Errorf("not a JSON line: %q", l)
		}
		if rec["level"] == "INFO" {
			t.Errorf("an info line despite -log-level warn: %s", l)
		}
	}
	out := logs.String()
	if strings.Contains(out, "│") || !strings.Contains(out, "not written to a JSON log") || !strings.Contains(out, "user passwd --email admin@example.com") {
		t.Errorf("the JSON log shows a framed password or does not say how to set one:\n%s", out)
	}
}

// BROADSHEET_SEED reads like a boolean: false, no, off and 0 all start an empty site.
func TestSeedFalseStartsEmpty(t *testing.T) {
	for _, v := range []string{"false", "no", "OFF", "0"} {
		t.Run(v, func(t *testing.T) {
			cleanEnv(t)
			t.Setenv("BROADSHEET_SEED", v)
			var logs syncBuffer
			addr, stop := startServe(t, &logs, "-data", t.TempDir())
			res, err := http.Get("http://" + addr + "/")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			stop()
			if strings.Contains(string(body), `class="lead-story `) || strings.Contains(logs.String(), "SAMPLE CONTENT") {
				t.Errorf("BROADSHEET_SEED=%s seeded the sample paper", v)
			}
		})
	}
}

// Help exits 0 on stdout; a command line that cannot run exits 2 with a sentence and a
// pointer to the help; nothing answers in slog's voice.
func TestHelpUsageErrorsAndExitStatuses(t *testing.T) {
	cleanEnv(t)
	for _, tc := range []struct {
		args       []string
		env        string // NAME=value set for this case
		code       int
		out, errs  string
		notCreated bool
	}{
		{args: []string{"help"}, out: "user add|passwd|list"},
		{args: []string{"--help"}, out: "migrate   apply pending database migrations"},
		{args: []string{"-h"}, out: "version   print the version"},
		{args: []string{"help", "backup"}, out: "usage: broadsheet backup [-data DIR] FILE"},
		{args: []string{"serve", "--help"}, out: "BROADSHEET_BASE_URL"},
		{args: []string{"user", "--help"}, out: "user passwd"},
		{args: []string{"user", "add", "-h"}, out: "-email"},
		{args: []string{"user", "passwd", "--help"}, out: "ends every session"},
		{args: []string{"user", "list", "--help"}, out: "one a line"},
		{args: []string{"backup", "--help"}, out: "mode 0600"},
		{args: []string{"import", "--help"}, out: "-new"},
		{args: []string{"migrate", "--help"}, out: "usage: broadsheet migrate"},
		{args: []string{"version", "--help"}, out: "-log-format text|json"},
		{args: []string{"frobnicate"}, code: 2, errs: `there is no command "frobnicate"`},
		{args: []string{"help", "frobnicate"}, code: 2, errs: `there is no command "frobnicate"`},
		{args: []string{"backup", "-bogus"}, code: 2, errs: "flag provided but not defined: -bogus"},
		{args: []string{"backup"}, code: 2, errs: "give one file"},
		{args: []string{"user"}, code: 2, errs: "user add, user passwd or user list"},
		{args: []string{"user", "frob"}, code: 2, errs: "there is no `user frob`"},
		{args: []string{"user", "add", "--name", "X"}, code: 2, errs: "--email and --name"},
		{args: []string{"user", "list", "extra"}, code: 2, errs: `unexpected argument "extra"`},
		{args: []string{"import", "blogger", "x.xml"}, code: 2, errs: "import wordpress FILE.xml"},
		{args: []string{"version", "-log-level", "loud"}, code: 2, errs: `-log-level "loud": use debug, info, warn or error`},
		{args: []string{"-log-format", "xml"}, code: 2, errs: `-log-format "xml": use text or json`},
		{args: []string{"version"}, env: "BROADSHEET_LOG_LEVEL=chatty", code: 2, errs: `BROADSHEET_LOG_LEVEL="chatty"`},
		{args: []string{"serve", "-base-url", "not a url"}, code: 2, errs: "absolute http:// or https:// URL", notCreated: true},
		{args: []string{"-base-url", "https://news.example/?utm=1"}, code: 2, errs: "drop the ?query or #fragment", notCreated: true},
		{args: []string{"serve", "-base-url", "https:///path"}, code: 2, errs: "no host", notCreated: true},
		{args: []string{"serve"}, env: "BROADSHEET_BASE_URL=news.example", code: 2, errs: `BROADSHEET_BASE_URL="news.example"`, notCreated: true},
		{args: []string{"serve", "-seed=maybe"}, code: 2, errs: `invalid boolean value "maybe" for -seed`, notCreated: true},
		{args: []string{"serve"}, env: "BROADSHEET_SEED=maybe", code: 2, errs: `BROADSHEET_SEED="maybe": not a yes-or-no value`, notCreated: true},
		{args: []string{"serve", "extra"}, code: 2, errs: "serve takes no arguments", notCreated: true},
	} {
		t.Run(strings.Join(tc.args, " ")+" "+tc.env, func(t *testing.T) {
			if name, value, ok := strings.Cut(tc.env, "="); ok {
				t.Setenv(name, value)
			}
			data := filepath.Join(t.TempDir(), "data")
			t.Setenv("BROADSHEET_DATA", data)
			r := runCLI("", tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout, tc.out) || !strings.Contains(r.stderr, tc.errs) {
				t.Errorf("status %d (want %d)\nstdout (want %q):\n%s\nstderr (want %q):\n%s", r.code, tc.code, tc.out, r.stdout, tc.errs, r.stderr)
			}
			if tc.code == exitUsage && !strings.Contains(r.stderr, "--help` for usage") {
				t.Errorf("a usage error without a pointer to the help:\n%s", r.stderr)
			}
			if tc.code == exitOK && r.stderr != "" {
				t.Errorf("help wrote to stderr:\n%s", r.stderr)
			}
			if strings.Contains(r.stderr, "level=") || strings.Contains(r.stderr, "msg=") {
				t.Errorf("a log line where a sentence belongs:\n%s", r.stderr)
			}
			if _, err := os.Stat(data); tc.notCreated && err == nil {
				t.Error("a refused start created the data folder")
			}
		})
	}
	// Every command of the table is in the help, with its summary.
	help := runCLI("", "help").stdout
	for _, c := range (&cli{}).commands() {
		if !strings.Contains(help, "  "+c.name+" ") || !strings.Contains(help, c.summary) {
			t.Errorf("help lacks %s — %s:\n%s", c.name, c.summary, help)
		}
	}
}

// version and --version print the module version and the Go release; a binary built
// in a git checkout also names its revision.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runCLI("", args...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "broadsheet ") || !strings.Contains(r.stdout, runtime.Version()) {
			t.Errorf("%v: status %d, %q", args, r.code, r.stdout)
		}
	}
	line := versionLine(&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-11-29T18:00:00Z"}, {Key: "vcs.modified", Value: "true"}}})
	if want := "broadsheet v1.2.0, revision 0123abcd of 2026-11-29T18:00:00Z with uncommitted changes, built with go1.26.8"; line != want {
		t.Errorf("version line\n got %q\nwant %q", line, want)
	}
}

// Flags may follow positional arguments; "--" makes the rest positional.
func TestFlagsAfterArguments(t *testing.T) {
	cleanEnv(t)
	var st site
	fl := newFlagSet("backup", "", "")
	fl.siteFlags(&st)
	pos, err := fl.parse([]string{"one.db", "-data", "site", "--", "-two.db", "-data"}, io.Discard)
	if err != nil || st.data != "site" || strings.Join(pos, " ") != "one.db -two.db -data" {
		t.Errorf("parse: %v, data %q, arguments %q", err, st.data, pos)
	}
}

// The boolean and URL readers behind -seed/-dev/-new and -base-url.
func TestBoolAndURLValues(t *testing.T) {
	for in, want := range map[string]bool{"true": true, "yes": true, "On": true, "1": true, "T": true,
		"false": false, "NO": false, "off": false, "0": false} {
		b := !want
		if err := (boolValue{&b}).Set(in); err != nil || b != want {
			t.Errorf("%q → %v, %v; want %v", in, b, err, want)
		}
	}
	var b bool
	if err := (boolValue{&b}).Set("maybe"); err == nil {
		t.Error(`"maybe" read as a boolean`)
	}
	for in, ok := range map[string]bool{"https://news.example": true, "http://localhost:8080/": true, "https://x.example/paper": true,
		"not a url": false, "news.example": false, "ftp://news.example": false, "https://": false,
		"https://news.example/#top": false, "https://news.example/?a=b": false, "https://news.example/?": false} {
		var s string
		err := (urlValue{&s}).Set(in)
		if (err == nil) != ok {
			t.Errorf("%q: %v, want accepted=%v", in, err, ok)
		}
		if ok && strings.HasSuffix(s, "/") {
			t.Errorf("%q kept its trailing slash: %q", in, s)
		}
	}
}
