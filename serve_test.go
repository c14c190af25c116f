package main

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"broadsheet/models"
)

// A slow-loris attack on loopback: one address opens many connections and trickles
// header lines into each. The server keeps only its per-client share open (the rest are
// refused with 429 at once), drops the admitted ones when the header timeout passes,
// and meanwhile a reader from another address is served within a second.
// Oversized headers are refused too.
func TestSlowLorisCannotStarveOthers(t *testing.T) {
	cleanEnv(t)
	var logs syncBuffer
	const perClient, attackers = 8, 60
	addr, stop := startServe(t, &logs, "-data", t.TempDir(), "-seed=false",
		"-read-header-timeout", "700ms", "-max-conns-per-client", "8")
	defer stop()

	type outcome struct {
		refused bool          // answered 429 before sending anything
		closed  time.Duration // when the server hung up, from the first byte sent
	}
	results := make([]outcome, attackers)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range attackers {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
		conn, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("attacker connection %d: %v", i, err)
		}
		defer conn.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			sent := time.Now()
			conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n"))
			go func() { // trickle a header line every 100 ms, never ending the headers
				for range 50 {
					time.Sleep(100 * time.Millisecond)
					if _, err := conn.Write([]byte("X-Slow: 1\r\n")); err != nil {
						return
					}
				}
			}()
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			line, _ := bufio.NewReader(conn).ReadString('\n')
			results[i] = outcome{refused: strings.Contains(line, " 429 "), closed: time.Since(sent)}
		}()
	}

	time.Sleep(200 * time.Millisecond) // the attack is under way
	t0 := time.Now()
	client := http.Client{Timeout: 5 * time.Second}
	res, err := client.Get("http://" + addr + "/")
	took := time.Since(t0)
	if err != nil {
		t.Fatalf("a normal reader during the attack: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || took > time.Second {
		t.Errorf("a normal reader during the attack: status %d after %v, want 200 within 1 s", res.StatusCode, took)
	}
	t.Logf("normal reader served in %v during %d slow connections", took, attackers)

	// Headers past -max-header-bytes (64 KB by default) are refused before the site sees them.
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/", nil)
	req.Header.Set("X-Big", strings.Repeat("b", 100<<10))
	if res, err := client.Do(req); err != nil || res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("100 KB of headers: %v %v, want 431", res, err)
	} else {
		res.Body.Close()
	}

	wg.Wait()
	refused := 0
	for i, r := range results {
		switch {
		case r.refused:
			refused++
		case r.closed > 3*time.Second:
			t.Errorf("slow connection %d was still open after %v, past the 700ms header timeout", i, r.closed)
		}
	}
	if refused < attackers-perClient {
		t.Errorf("%d of %d slow connections refused, want all but the %d one address may hold", refused, attackers, perClient)
	}
	t.Logf("%d refused at once, %d dropped at the header timeout, all within %v", refused, attackers-refused, time.Since(start))
}

// A binary older than its database refuses to start, in a sentence that says why.
func TestServeRefusesNewerDatabase(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	store, err := openSite(site{data: dir}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.W.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES ('migrations/0999_from_the_future.sql', 'x')"); err != nil {
		t.Fatal(err)
	}
	store.Close()
	r := runCLI("", "serve", "-data", dir, "-addr", "127.0.0.1:0")
	if r.code != exitFailure || !strings.Contains(r.stderr, "0999_from_the_future.sql") || !strings.Contains(r.stderr, "newer Broadsheet") {
		t.Errorf("serve on a newer database: exit %d, stderr %q", r.code, r.stderr)
	}
}

// At start an unwritable database is named in the log with what to fix. Root ignores
// file modes, so SQLite is told to refuse writes (query_only gives the same
// SQLITE_READONLY a read-only file does).
func TestStartNamesAnUnwritableDatabase(t *testing.T) {
	dir := t.TempDir()
	store, err := openSite(site{data: dir}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.W.Exec("PRAGMA query_only = 1"); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	checkStorage(slog.New(slog.NewTextHandler(&logs, nil)), store, dir, 1<<62)
	for _, want := range []string{"the database cannot be written", "write access to the data folder", "nearly full", "free space on that disk"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("start-up log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestLimitFlagValues(t *testing.T) {
	var n int64
	for in, want := range map[string]int64{"64KB": 64 << 10, "100 MB": 100 << 20, "512": 512, "1gb": 1 << 30} {
		if err := (sizeValue{&n}).Set(in); err != nil || n != want {
			t.Errorf("size %q = %d, %v; want %d", in, n, err, want)
		}
	}
	for _, bad := range []string{"", "-1MB", "lots", "1.5MB"} {
		if err := (sizeValue{&n}).Set(bad); err == nil {
			t.Errorf("size %q accepted", bad)
		}
	}
	var nets []*net.IPNet
	if err := (cidrsValue{&nets}).Set("10.0.0.0/8, 192.0.2.7,2001:db8::/32"); err != nil || len(nets) != 3 || !nets[1].Contains(net.ParseIP("192.0.2.7")) || nets[1].Contains(net.ParseIP("192.0.2.8")) {
		t.Errorf("trusted proxies = %v, %v", nets, err)
	}
	if err := (cidrsValue{&nets}).Set("10.0.0.0/33"); err == nil {
		t.Error("a bad range was accepted")
	}
	r := runCLI("", "serve", "-rate-limits", "search=often")
	if r.code != exitUsage || !strings.Contains(r.stderr, "search=often") {
		t.Errorf("a bad -rate-limits: exit %d %q", r.code, r.stderr)
	}
}

// A read-only data folder or database file, for real: the site is made, then loses
// its write bits. Root ignores those, so as root the command runs as nobody.
func TestReadOnlyDataForReal(t *testing.T) {
	// A read-only folder: SQLite in WAL mode cannot even read without creating its -shm
	// file, so the start is refused with what to fix.
	t.Run("folder", func(t *testing.T) {
		site, cmd := readOnlySite(t, true)
		var stderr syncBuffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != exitFailure {
			t.Fatalf("serve on a read-only folder %s: %v, want exit 1\n%s", site, err, stderr.String())
		}
		for _, want := range []string{"read-only", "give the user running Broadsheet write access"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("the refusal does not say %q:\n%s", want, stderr.String())
			}
		}
	})
	// Only the database file is read-only: the site starts and serves readers, says at
	// start what to fix, fails /readyz, and answers a write with 503.
	t.Run("database file", func(t *testing.T) {
		_, cmd := readOnlySite(t, false)
		var stderr syncBuffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
		waitFor(t, &stderr, "Broadsheet is running")
		if !strings.Contains(stderr.String(), "the database cannot be written") || !strings.Contains(stderr.String(), "write access") {
			t.Errorf("no start-up line saying what to fix:\n%s", stderr.String())
		}
		_, rest, _ := strings.Cut(stderr.String(), "url=")
		base, _, _ := strings.Cut(rest, " ")
		base = strings.TrimSuffix(base, "/")
		for _, tc := range []struct {
			method, path string
			want         int
		}{{"GET", "/", 200}, {"GET", "/readyz", 503}, {"GET", "/healthz", 200}, {"POST", "/signup", 503}} {
			req, _ := http.NewRequest(tc.method, base+tc.path, strings.NewReader("name=Ann+Reader&email=ann@example.com&password=long+enough+password"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Errorf("%s %s on a read-only database: %d, want %d", tc.method, tc.path, res.StatusCode, tc.want)
			}
		}
	})
}

// readOnlySite makes a site whose database file (and, if folder, its folder) cannot be
// written by the command it returns.
func readOnlySite(t *testing.T, folder bool) (string, *exec.Cmd) {
	cleanEnv(t)
	dir := t.TempDir()
	siteDir := filepath.Join(dir, "site")
	store, err := openSite(site{data: siteDir}, true)
	if err != nil {
		t.Fatal(err)
	}
	// An administrator, so that the first start has nothing to create.
	_, err = store.Users.Create(context.Background(), time.Now(), models.NewUser{Email: "admin@example.com", Name: "Ada Admin",
		Password: "long enough password", Role: models.RoleAdmin})
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	cmd := broadsheetProcess("serve", "-data", siteDir, "-addr", "127.0.0.1:0", "-seed=false")
	if os.Geteuid() == 0 {
		// The test binary sits in a folder only root may enter; nobody gets a copy.
		self, err := os.ReadFile(os.Args[0])
		if err != nil {
			t.Fatal(err)
		}
		bin := filepath.Join(dir, "broadsheet")
		if err := os.WriteFile(bin, self, 0o755); err != nil {
			t.Fatal(err)
		}
		cmd.Path, cmd.Args[0] = bin, bin
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		for _, p := range []string{filepath.Dir(dir), dir, siteDir, filepath.Join(siteDir, "broadsheet.db"), filepath.Join(siteDir, "uploads"), filepath.Join(siteDir, "address.key")} {
			if err := os.Chown(p, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range []string{filepath.Dir(dir), dir} {
			if err := os.Chmod(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Chmod(filepath.Join(siteDir, "broadsheet.db"), 0o444); err != nil {
		t.Fatal(err)
	}
	if folder {
		if err := os.Chmod(siteDir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(siteDir, 0o755) }) // so the temp folder can be removed
	}
	return siteDir, cmd
}

// serve paces the garbage collector by a memory budget unless the operator chose the
// pacing with GOGC or GOMEMLIMIT, and puts the previous pacing back when it returns.
func TestCollectByBudget(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetMemoryLimit(-1)
	restore := collectByBudget(96 << 20)
	if got := debug.SetMemoryLimit(-1); got != 96<<20 {
		t.Errorf("memory limit %d, want 96 MB", got)
	}
	if old := debug.SetGCPercent(-1); old != -1 {
		t.Errorf("GC percent %d while budgeted, want off (-1)", old)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("memory limit %d after restore, want %d", got, before)
	}
	t.Setenv("GOGC", "200")
	collectByBudget(96 << 20)()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Error("the budget overrode an operator's GOGC")
	}
}
