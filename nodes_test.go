package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"broadsheet/models"
	"broadsheet/models/storetest"
)

// node is one `broadsheet serve` process of a cluster.
type node struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:PORT
	logs *syncBuffer
}

// startNode runs serve on a free port over the shared database, with its own data
// folder (which holds only keys and uploads when the data is in PostgreSQL).
func startNode(t *testing.T, db, data, publicURL string, env ...string) *node {
	t.Helper()
	addr := freeAddr(t)
	n := &node{base: "http://" + addr, logs: &syncBuffer{}}
	n.cmd = broadsheetProcess("serve", "-db", db, "-data", data, "-addr", addr, "-base-url", publicURL)
	n.cmd.Env = append(n.cmd.Env, env...)
	n.cmd.Stdout, n.cmd.Stderr = n.logs, n.logs
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.kill)
	waitFor(t, n.logs, "Broadsheet is running")
	return n
}

func (n *node) kill() {
	if n.cmd.ProcessState == nil {
		n.cmd.Process.Kill()
		n.cmd.Wait()
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startNginx runs Debian's nginx in the foreground as the load balancer in front of the
// nodes, passing a request to the next node when one cannot be reached.
func startNginx(t *testing.T, nodes ...*node) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin = "/usr/sbin/nginx"
	}
	if _, err := os.Stat(bin); err != nil {
		msg := "nginx is not installed (apt-get install nginx-light): the two-node test needs it as the load balancer"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	var upstream strings.Builder
	for _, n := range nodes {
		fmt.Fprintf(&upstream, "    server %s max_fails=1 fail_timeout=30s;\n", strings.TrimPrefix(n.base, "http://"))
	}
	conf := fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  upstream broadsheet {
%[2]s  }
  server {
    listen %[3]s;
    location / {
      proxy_pass http://broadsheet;
      proxy_set_header Host $http_host;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
    }
  }
}
`, dir, upstream.String(), addr)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-e", filepath.Join(dir, "error.log"), "-p", dir, "-c", path)
	// Its own process group, so that stopping it stops its worker too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	base := "http://" + addr
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if res, err := http.Get(base + "/healthz"); err == nil && res.StatusCode == http.StatusOK {
			res.Body.Close()
			return base
		}
		if time.Now().After(deadline) {
			logs, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx did not answer:\n%s", logs)
		}
	}
}

// Two app nodes on one PostgreSQL database behind nginx act as one site: what is done on
// one is seen on the other at its next request (page caches follow the versions in the
// database), sessions are good on both and end on both, and when a node dies mid-stream
// nginx sends the next request to the other and no acknowledged write is lost.
func TestTwoNodesBehindNginx(t *testing.T) {
	cleanEnv(t)
	db := storetest.PostgresDatabase(t)
	const email, password = "admin@example.com", "a long and shared admin password"
	keys := strings.Repeat("ab", 32) + ":" + strings.Repeat("cd", 32)
	env := []string{"BROADSHEET_SESSION_KEYS=" + keys, "BROADSHEET_ADMIN_EMAIL=" + email, "BROADSHEET_ADMIN_PASSWORD=" + password}
	public := "http://news.test" // the name readers use; nodes are reached by address
	dataA, dataB := t.TempDir(), t.TempDir()
	a := startNode(t, db, dataA, public, env...) // the first start migrates and seeds the sample paper
	// Client addresses are hashed with the site's key: every node needs the same one.
	key, err := os.ReadFile(filepath.Join(dataA, "address.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dataB, "address.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	b := startNode(t, db, dataB, public, env...)
	if strings.Contains(b.logs.String(), "sample paper") && strings.Contains(b.logs.String(), "seeded") {
		t.Errorf("the second node seeded the shared database again:\n%s", b.logs.String())
	}

	// Both nodes share 127.0.0.1, so one cookie jar carries the session to both.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(base, path string, form url.Values) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Host = "news.test"
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	get := func(base, path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Host = "news.test"
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	if res := post(a.base, "/login", url.Values{"email": {email}, "password": {password}, "next": {"/"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login on A: %d", res.StatusCode)
	}
	if code, page := get(b.base, "/account"); code != http.StatusOK || !strings.Contains(page, email) {
		t.Fatalf("A's session on B: %d", code)
	}

	// A story both nodes have cached before anything changes.
	store, err := models.OpenPostgres(db, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	list, err := store.Articles.Published(ctx, time.Now(), models.Filter{}, models.Page{Number: 1, Size: 1})
	if err != nil || len(list.Items) == 0 {
		t.Fatalf("no published story in the sample paper: %v", err)
	}
	story := "/articles/" + list.Items[0].Slug
	for _, n := range []*node{a, b} {
		if code, _ := get(n.base, story); code != http.StatusOK {
			t.Fatalf("%s%s: %d", n.base, story, code)
		}
	}

	// A comment posted on A is on B's next page.
	const words = "Posted on node A, read on node B."
	if res := post(a.base, story+"/comments", url.Values{"body": {words}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("comment on A: %d", res.StatusCode)
	}
	if _, page := get(b.base, story); !strings.Contains(page, words) {
		t.Error("B's next request for the story does not show the comment posted on A")
	}

	// A story published on B is on A's front page at once.
	const headline = "Published on node B at once"
	res := post(b.base, "/admin/articles", url.Values{"title": {headline}, "body": {"Seen on node A."}, "section": {"1"},
		"status": {models.StatusPublished}, "comments_open": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish on B: %d", res.StatusCode)
	}
	if _, page := get(a.base, "/"); !strings.Contains(page, headline) {
		t.Error("A's front page does not show the story just published on B")
	}

	// A logout on A ends the session on B too, a saved copy of its cookie included.
	here := &url.URL{Scheme: "http", Host: "127.0.0.1"}
	saved := jar.Cookies(here)
	if res := post(a.base, "/logout", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout on A: %d", res.StatusCode)
	}
	jar.SetCookies(here, saved)
	if code, page := get(b.base, "/account"); code == http.StatusOK && strings.Contains(page, email) {
		t.Error("the session logged out on A still works on B with a saved copy of its cookie")
	}

	// Through nginx: posts stream in while node A is killed. Every acknowledged comment
	// is in the database, and nginx sends the following requests to B.
	lb := startNginx(t, a, b)
	if res := post(lb, "/login", url.Values{"email": {email}, "password": {password}, "next": {"/"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login through nginx: %d", res.StatusCode)
	}
	var mu sync.Mutex
	acked := map[int64]string{}
	post30 := func(from, n int) (failed int) {
		for i := from; i < from+n; i++ {
			body := fmt.Sprintf("Through the balancer, comment %d.", i)
			req, _ := http.NewRequest(http.MethodPost, lb+story+"/comments", strings.NewReader(url.Values{"body": {body}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Host = "news.test"
			res, err := client.Do(req)
			if err != nil {
				failed++
				continue
			}
			res.Body.Close()
			m := commentLocation.FindStringSubmatch(res.Header.Get("Location"))
			if res.StatusCode != http.StatusSeeOther || m == nil {
				failed++ // not acknowledged (the request died with node A)
				t.Logf("post %d: %d %s", i, res.StatusCode, res.Header.Get("Location"))
				continue
			}
			id, _ := strconv.ParseInt(m[1], 10, 64)
			mu.Lock()
			acked[id] = body
			mu.Unlock()
		}
		return failed
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) { defer wg.Done(); post30(w*1000, 30) }(w)
	}
	time.Sleep(150 * time.Millisecond)
	a.kill()
	wg.Wait()
	if failed := post30(9000, 20); failed != 0 {
		t.Errorf("%d of 20 posts failed after node A died: nginx should send them all to B", failed)
	}
	if code, _ := get(lb, story); code != http.StatusOK {
		t.Errorf("the story through nginx after node A died: %d", code)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(acked) < 20 {
		t.Fatalf("only %d posts acknowledged", len(acked))
	}
	for id, body := range acked {
		var stored string
		if err := store.R.QueryRowContext(ctx, "SELECT body_src FROM comments WHERE id = ?", id).Scan(&stored); err != nil || stored != body {
			t.Errorf("acknowledged comment %d (%q): stored %q, %v", id, body, stored, err)
		}
	}

	if t.Failed() {
		t.Logf("node A:\n%s\nnode B:\n%s", a.logs.String(), b.logs.String())
	}
}
