package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"broadsheet/models"
)

// logLines captures the App's log as JSON lines.
func (ta *testApp) logLines() *bytes.Buffer {
	var buf bytes.Buffer
	ta.Log = slog.New(slog.NewJSONHandler(&buf, nil))
	return &buf
}

// requestStatuses are the status of every "request" line in a JSON log, by URI.
func requestStatuses(t *testing.T, log *bytes.Buffer) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var rec struct {
			Msg, URI string
			Status   int
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec.Msg == "request" {
			out[rec.URI] = rec.Status
		}
	}
	return out
}

func TestRequestLogRecordsTheStatusSent(t *testing.T) {
	ta := newTestApp(t, func(c *Config) { c.RateLimits = RateLimits{"search": {Max: 1, Per: time.Minute}} })
	log := ta.logLines()
	e := ta.router() // the real middleware, plus two routes that fail on purpose
	e.GET("/test/panic", func(echo.Context) error { panic("on purpose") })
	e.GET("/test/error", func(echo.Context) error { return errors.New("on purpose") })
	send := func(method, target, body string) int {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec.Code
	}
	want := map[string]int{
		"/":            200,
		"/account":     303,
		"/nowhere":     404,
		"/search?q=a":  200,
		"/search?q=b":  429, // a second cache miss in the minute
		"/test/panic":  500,
		"/test/error":  500,
		"/login?big=1": 413,
	}
	for target, status := range want {
		method, body := http.MethodGet, ""
		if target == "/login?big=1" {
			method, body = http.MethodPost, "password="+strings.Repeat("x", defaultFormBytes)
		}
		if target == "/search?q=b" {
			send(method, "/search?q=a", "") // make sure a is first
		}
		if got := send(method, target, body); got != status {
			t.Errorf("%s %s answered %d, want %d", method, target, got, status)
		}
	}
	logged := requestStatuses(t, log)
	for target, status := range want {
		if logged[target] != status {
			t.Errorf("log line for %s says status %d, want %d", target, logged[target], status)
		}
	}
	if !strings.Contains(log.String(), `"msg":"panic"`) {
		t.Error("the panic has no log line of its own")
	}
}

// scrape reads /metrics as a Prometheus server would, from this machine.
func scrape(t *testing.T, ta *testApp) map[string]*dto.MetricFamily {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = "127.0.0.1:40000"
	res := ta.do(req)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/metrics from loopback: %d", res.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("/metrics is not Prometheus text format: %v", err)
	}
	return fams
}

// sample finds the value of the series of name whose labels include want.
func sample(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func TestMetricsInPrometheusFormat(t *testing.T) {
	ta := newTestApp(t)
	sec := ta.section("World")
	author := ta.user("Ann Author", models.RoleAuthor)
	art := ta.article("Rain falls", sec, author, nil)
	ta.comment(art, ta.user("Cal Commenter", models.RoleCommenter), 0, "A first comment.")
	for i := 0; i < 3; i++ { // one miss, two hits
		if res := ta.get("/articles/" + art.Slug); res.StatusCode != 200 {
			t.Fatalf("article: %d", res.StatusCode)
		}
	}
	ta.get("/articles/no-such-story")

	fams := scrape(t, ta)
	sqliteMemory := 0.0 // PostgreSQL: the series is there, SQLite holds nothing
	if ta.Store.Engine() == "sqlite" {
		sqliteMemory = 1 << 20 // the schema and caches of the open connections: what Go's figures miss
	}
	checks := []struct {
		name   string
		labels map[string]string
		min    float64
	}{
		{"broadsheet_http_requests_total", map[string]string{"route": "/articles/:slug", "method": "GET", "status": "200"}, 3},
		{"broadsheet_http_requests_total", map[string]string{"route": "/articles/:slug", "status": "404"}, 1},
		{"broadsheet_http_request_duration_seconds", map[string]string{"route": "/articles/:slug"}, 4},
		{"broadsheet_page_cache_hits_total", nil, 2},
		{"broadsheet_page_cache_misses_total", nil, 1},
		{"broadsheet_page_cache_bytes", nil, 1000},
		{"broadsheet_comments", map[string]string{"status": "approved"}, 1},
		{"go_sql_max_open_connections", map[string]string{"db_name": "writer"}, 1},
		{"go_sql_max_open_connections", map[string]string{"db_name": "reader"}, 8},
		{"broadsheet_sqlite_memory_bytes", nil, sqliteMemory},
	}
	for _, c := range checks {
		v, ok := sample(fams, c.name, c.labels)
		if !ok || v < c.min {
			t.Errorf("%s%v = %v (found %v), want at least %v", c.name, c.labels, v, ok, c.min)
		}
	}
	if _, ok := sample(fams, "broadsheet_comments", map[string]string{"status": "pending"}); !ok {
		t.Error("no series for held (pending) comments")
	}
	if _, ok := sample(fams, "broadsheet_mail_outbox", map[string]string{"state": "failed"}); !ok {
		t.Error("no series for mail the outbox gave up on")
	}
	for _, m := range fams["broadsheet_http_requests_total"].Metric {
		for _, l := range m.Label {
			if l.GetName() == "route" && strings.Contains(l.GetValue(), "rain-falls") {
				t.Errorf("a raw URL became a label: %q", l.GetValue())
			}
		}
	}
}

func TestMetricsOnlyForLoopbackOrToken(t *testing.T) {
	ta := newTestApp(t, func(c *Config) { c.MetricsToken = "s3cret-token" })
	for _, tc := range []struct {
		name, remote, auth, xff string
		want                    int
	}{
		{"from the network", "198.51.100.7:5000", "", "", 403},
		{"from loopback", "127.0.0.1:5000", "", "", 200},
		{"from loopback over IPv6", "[::1]:5000", "", "", 200},
		{"through a proxy on this machine", "127.0.0.1:5000", "", "198.51.100.7", 403},
		{"with the token", "198.51.100.7:5000", "Bearer s3cret-token", "", 200},
		{"with a wrong token", "198.51.100.7:5000", "Bearer s3cret-tokem", "", 403},
	} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.RemoteAddr = tc.remote
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		if tc.xff != "" {
			req.Header.Set("X-Forwarded-For", tc.xff)
		}
		if res := ta.do(req); res.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, res.StatusCode, tc.want)
		}
	}
}

func TestReadinessChecks(t *testing.T) {
	body := parseText
	ta := newTestApp(t)
	res := ta.get("/readyz")
	if got := body(res); res.StatusCode != 200 || strings.Contains(got, "FAIL") || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("healthy /readyz: %d %q (Cache-Control %q)", res.StatusCode, got, res.Header.Get("Cache-Control"))
	}

	// A newer binary migrated the database under this running server.
	if _, err := ta.Store.W.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES ('migrations/9999_future.sql', 'x')"); err != nil {
		t.Fatal(err)
	}
	res = ta.get("/readyz")
	if got := body(res); res.StatusCode != 503 || !strings.Contains(got, "migrations current: FAIL") || !strings.Contains(got, "9999_future") {
		t.Errorf("/readyz with an unknown migration: %d %q", res.StatusCode, got)
	}

	// Disk under the floor.
	ta = newTestApp(t, func(c *Config) { c.DiskFloor = 1 << 62 })
	res = ta.get("/readyz")
	if got := body(res); res.StatusCode != 503 || !strings.Contains(got, "disk space: FAIL") {
		t.Errorf("/readyz under the disk floor: %d %q", res.StatusCode, got)
	}
	if res := ta.get("/healthz"); res.StatusCode != 200 {
		t.Errorf("liveness follows readiness: /healthz %d", res.StatusCode)
	}
}

// A read-only database: tests may run as root, whom file modes do not stop, so SQLite
// is told to refuse writes itself (PRAGMA query_only on the one writer connection),
// which fails them with the real SQLITE_READONLY a read-only file gives.
func TestReadOnlyDatabaseAnswers503(t *testing.T) {
	ta := newTestApp(t)
	sec := ta.section("World")
	art := ta.article("Rain falls", sec, ta.user("Ann Author", models.RoleAuthor), nil)
	cal := ta.user("Cal Commenter", models.RoleCommenter)
	cookies := ta.loginCookies(cal)
	log := ta.logLines()
	if ta.Store.Engine() != "sqlite" {
		t.Skip("SQLite only: a read-only database file, made with a pragma")
	}
	if _, err := ta.Store.W.Exec("PRAGMA query_only = 1"); err != nil {
		t.Fatal(err)
	}

	res := ta.get("/readyz")
	if b := parseText(res); res.StatusCode != 503 || !strings.Contains(b, "database writable: FAIL") || !strings.Contains(b, "read-only") {
		t.Errorf("/readyz on a read-only database: %d %q", res.StatusCode, b)
	}
	if res := ta.get("/articles/" + art.Slug); res.StatusCode != 200 {
		t.Errorf("reading a story on a read-only database: %d", res.StatusCode)
	}
	res = ta.postForm("/articles/"+art.Slug+"/comments", url.Values{"body": {"Will this be saved?"}}, cookies...)
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Fatalf("a comment on a read-only database: %d (Retry-After %q), want 503", res.StatusCode, res.Header.Get("Retry-After"))
	}
	doc := parse(t, res)
	if h := text(doc.Find("h1")); !strings.Contains(h, "Not saved") || doc.Find("header, footer").Length() == 0 {
		t.Errorf("503 page: heading %q, in the layout: %v", h, doc.Find("header, footer").Length() > 0)
	}
	if !strings.Contains(log.String(), "give the user running Broadsheet write access") {
		t.Errorf("no log line saying what to fix:\n%s", log.String())
	}
}

// parseText is a plain-text answer's body.
func parseText(res *http.Response) string {
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	return b.String()
}

func TestOversizedCommentComesBackWithItsText(t *testing.T) {
	ta := newTestApp(t)
	sec := ta.section("World")
	art := ta.article("Rain falls", sec, ta.user("Ann Author", models.RoleAuthor), nil)
	cookies := ta.loginCookies(ta.user("Cal Commenter", models.RoleCommenter))
	long := "Opening words of my essay. " + strings.Repeat("more ", defaultCommentBytes/5)
	for _, chunked := range []bool{false, true} {
		form := url.Values{"body": {long}}.Encode()
		req := httptest.NewRequest(http.MethodPost, "/articles/"+art.Slug+"/comments", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if chunked {
			req.ContentLength = -1
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		res := ta.do(req)
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("chunked %v: %d, want 413", chunked, res.StatusCode)
		}
		doc := parse(t, res)
		if got := doc.Find("textarea[name=body]").Text(); !strings.HasPrefix(got, "Opening words of my essay.") {
			t.Errorf("chunked %v: the form lost the text (%d bytes kept)", chunked, len(got))
		}
		if msg := text(doc.Find("#comment-body-error")); !strings.Contains(msg, "64 KB") {
			t.Errorf("chunked %v: the limit is not stated: %q", chunked, msg)
		}
	}
	n, err := ta.Store.CommentCounts(t.Context())
	if err != nil || n[models.CommentApproved]+n[models.CommentPending] != 0 {
		t.Errorf("a refused comment was stored: %v %v", n, err)
	}
}

func TestFormLimits(t *testing.T) {
	ta := newTestApp(t)
	res := ta.postForm("/login", url.Values{"email": {"a@example.com"}, "password": {strings.Repeat("x", defaultFormBytes)}})
	if doc := parse(t, res); res.StatusCode != 413 || !strings.Contains(text(doc.Find("main")), "256 KB") {
		t.Errorf("an oversized login form: %d %q", res.StatusCode, text(doc.Find("main")))
	}
	fields := url.Values{}
	for i := 0; i <= defaultMaxFormFields; i++ {
		fields.Set(fmt.Sprint("f", i), "x")
	}
	if res := ta.postForm("/login", fields); res.StatusCode != 413 {
		t.Errorf("a form with %d fields: %d, want 413", len(fields), res.StatusCode)
	}
}

func TestRateLimits(t *testing.T) {
	ta := newTestApp(t, func(c *Config) {
		c.RateLimits = RateLimits{"search": {Max: 2, Per: time.Minute}, "comment": {Max: 1, Per: time.Hour}, "login": {Max: 2, Per: time.Minute}}
		_, trusted, _ := net.ParseCIDR("10.0.0.0/8")
		c.TrustedProxies = []*net.IPNet{trusted}
	})
	from := func(target, peer, xff string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.RemoteAddr = peer + ":4000"
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		return ta.do(req)
	}
	// Only cache misses count: the same search three times is one miss.
	for i := 0; i < 3; i++ {
		if res := from("/search?q=rain", "198.51.100.1", ""); res.StatusCode != 200 {
			t.Fatalf("repeated search %d: %d", i, res.StatusCode)
		}
	}
	from("/search?q=snow", "198.51.100.1", "")
	res := from("/search?q=hail", "198.51.100.1", "")
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "60" {
		t.Errorf("third distinct search in a minute: %d Retry-After %q, want 429 and 60", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if doc := parse(t, res); !strings.Contains(text(doc.Find("main")), "Try again in 60 seconds") {
		t.Errorf("429 page: %q", text(doc.Find("main")))
	}
	// Behind a trusted proxy each reader has a budget; a forged header from elsewhere is ignored.
	if res := from("/search?q=fog", "10.0.0.5", "203.0.113.9"); res.StatusCode != 200 {
		t.Errorf("a reader behind the trusted proxy: %d", res.StatusCode)
	}
	if res := from("/search?q=mist", "198.51.100.1", "203.0.113.10"); res.StatusCode != 429 {
		t.Errorf("a forged X-Forwarded-For from an untrusted peer escaped the limit: %d", res.StatusCode)
	}

	// A comment over the limit comes back with its text.
	sec := ta.section("World")
	art := ta.article("Rain falls", sec, ta.user("Ann Author", models.RoleAuthor), nil)
	cookies := ta.loginCookies(ta.user("Cal Commenter", models.RoleCommenter))
	if res := ta.postForm("/articles/"+art.Slug+"/comments", url.Values{"body": {"First."}}, cookies...); res.StatusCode != 303 {
		t.Fatalf("first comment: %d", res.StatusCode)
	}
	ta.advance(time.Minute) // past the model's flood control, not past the hour
	res = ta.postForm("/articles/"+art.Slug+"/comments", url.Values{"body": {"Second thoughts."}}, cookies...)
	if res.StatusCode != 429 || res.Header.Get("Retry-After") == "" {
		t.Fatalf("second comment in the hour: %d", res.StatusCode)
	}
	if got := parse(t, res).Find("textarea[name=body]").Text(); got != "Second thoughts." {
		t.Errorf("the refused comment's text was not kept: %q", got)
	}
	// Login: counted per address before any password is checked.
	for i, want := range []int{422, 422, 429} {
		res := ta.postForm("/login", url.Values{"email": {"nobody@example.com"}, "password": {"wrong"}})
		if res.StatusCode != want {
			t.Errorf("login %d: %d, want %d", i+1, res.StatusCode, want)
		}
	}
	ta.advance(time.Hour) // a fresh login window
	// Editors are exempt, as from flood control: they answer readers in bursts.
	edCookies := ta.loginCookies(ta.user("Eve Editor", models.RoleEditor))
	for i := range 3 {
		body := url.Values{"body": {"Editor's note " + strconv.Itoa(i)}}
		if res := ta.postForm("/articles/"+art.Slug+"/comments", body, edCookies...); res.StatusCode != 303 {
			t.Fatalf("editor's comment %d: %d", i+1, res.StatusCode)
		}
	}

}

// An upload that does not say its length is cut at the limit as it streams, and still
// gets the 413 page stating the limit, with nothing stored.
func TestChunkedUploadOverTheLimit(t *testing.T) {
	n := newAdminSite(t)
	rows, files := n.stored()
	body, ctype := multipartBody(t, url.Values{"alt": {"A test"}}, "file", "huge.jpg", make([]byte, models.DefaultMaxUploadBytes+defaultFormBytes+1))
	req := httptest.NewRequest(http.MethodPost, "/admin/media", body)
	req.ContentLength = -1
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range n.cookies["editor"] {
		req.AddCookie(c)
	}
	res := n.do(req)
	if doc := parse(t, res); res.StatusCode != 413 || !strings.Contains(text(doc.Find("main")), "15 MB") {
		t.Errorf("chunked upload over the limit: %d %q", res.StatusCode, text(doc.Find("main")))
	}
	if r2, f2 := n.stored(); r2 != rows || f2 != files {
		t.Errorf("refused upload left %d rows, %d files", r2-rows, f2-files)
	}
}

// Every answer leaves one log line an operator can match to what the reader saw: the
// method the client used, the URI, the status, the time taken and the id the answer
// carried in X-Request-Id, whether it came from the router or from the cache before it.
func TestRequestLogLines(t *testing.T) {
	ta := newTestApp(t)
	var logged bytes.Buffer
	ta.Log = slog.New(slog.NewTextHandler(&logged, nil))
	art := ta.article("Rain falls", ta.section("World"), ta.user("Ann Author", models.RoleAuthor), nil)
	path := "/articles/" + art.Slug

	var ids []string
	for _, method := range []string{http.MethodGet, http.MethodGet, http.MethodHead} { // a miss, a hit, a HEAD hit
		res := ta.do(httptest.NewRequest(method, path, nil))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d", method, path, res.StatusCode)
		}
		ids = append(ids, res.Header.Get(echo.HeaderXRequestID))
	}
	ids = append(ids, ta.get("/articles/no-such-story").Header.Get(echo.HeaderXRequestID))
	want := []struct{ method, uri, status string }{
		{"GET", path, "200"}, {"GET", path, "200"}, {"HEAD", path, "200"}, {"GET", "/articles/no-such-story", "404"},
	}

	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(logged.String()), "\n") {
		if strings.Contains(l, " msg=request ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != len(want) {
		t.Fatalf("%d request lines, want %d:\n%s", len(lines), len(want), logged.String())
	}
	for i, l := range lines {
		fields := map[string]string{}
		for _, f := range strings.Fields(l) {
			if k, v, ok := strings.Cut(f, "="); ok {
				fields[k] = v
			}
		}
		w := want[i]
		if fields["method"] != w.method || fields["uri"] != w.uri || fields["status"] != w.status || fields["level"] != "INFO" {
			t.Errorf("line %d = %q, want %s %s %s", i, l, w.method, w.uri, w.status)
		}
		if ids[i] == "" || fields["id"] != ids[i] {
			t.Errorf("line %d logs id %q, the answer carried %q", i, fields["id"], ids[i])
		}
		if d, err := time.ParseDuration(fields["latency"]); err != nil || d <= 0 {
			t.Errorf("line %d: latency %q", i, fields["latency"])
		}
		if at, err := time.Parse(time.RFC3339, fields["time"]); err != nil || time.Since(at) > time.Minute || time.Until(at) > time.Second {
			t.Errorf("line %d: time %q is not the time of the request", i, fields["time"])
		}
	}
}
