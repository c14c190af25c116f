package handlers

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/models"
)

// countingListener counts its connections and the writes made to them.
type countingListener struct {
	net.Listener
	conns, writes atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.conns.Add(1)
		c = writeCountingConn{c, &l.writes}
	}
	return c, err
}

type writeCountingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c writeCountingConn) Write(p []byte) (int, error) {
	c.writes.Add(1) // before the bytes leave, so a client that has them sees the count
	return c.Conn.Write(p)
}

// WriteBuffers passes bufs to the TCP connection, which sends them in one writev, as
// main's countedConn does: one write.
func (c writeCountingConn) WriteBuffers(bufs *net.Buffers) (int64, error) {
	c.writes.Add(1)
	return bufs.WriteTo(c.Conn)
}

// A story page from the page cache, many times net/http's 4 KB buffer in either encoding
// (and over 64 KB without it, as the 60-comment story is), reaches the reader whole and
// in one write, over a connection kept for the next request; HEAD and a revalidation
// still get their answers.
func TestCachedAnswerLeavesInOneWrite(t *testing.T) {
	ta := newTestApp(t)
	world := ta.section("World")
	ed := ta.user("Mina Karimi", "editor")
	var body strings.Builder
	for i := range 1000 { // paragraphs gzip cannot squeeze much
		fmt.Fprintf(&body, "Paragraph %x.\n\n", sha256.Sum256([]byte{byte(i), byte(i >> 8)}))
	}
	art := ta.article("A long story", world, ed, func(in *models.ArticleInput) { in.Body = body.String() })

	counted := &countingListener{Listener: newLocalListener(t)}
	srv := ta.serverOn(counted)
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}} // we ask, and decode, ourselves
	url := srv.URL + "/articles/" + art.Slug

	fetch := func(method, encoding string, header ...string) (res *http.Response, page []byte, writes int64) {
		t.Helper()
		req, _ := http.NewRequest(method, url, nil)
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		before := counted.writes.Load()
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		page = raw
		if res.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(strings.NewReader(string(raw)))
			if err != nil {
				t.Fatal(err)
			}
			if page, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s %s: the gzip answer does not decode: %v", method, encoding, err)
			}
		}
		if method != http.MethodHead && res.ContentLength >= 0 && int64(len(raw)) != res.ContentLength {
			t.Errorf("%s %s: %d bytes for a Content-Length of %d", method, encoding, len(raw), res.ContentLength)
		}
		return res, raw, counted.writes.Load() - before
	}

	_, miss, _ := fetch("GET", "")
	res, hit, writes := fetch("GET", "")
	if res.Header.Get("Etag") == "" || string(hit) != string(miss) || len(hit) < 64<<10 {
		t.Fatalf("the cached answer (%d bytes, ETag %q) is not the page first rendered (%d bytes)", len(hit), res.Header.Get("Etag"), len(miss))
	}
	if !strings.Contains(string(hit), art.Title) || !strings.HasSuffix(strings.TrimSpace(string(hit)), "</html>") {
		t.Fatal("the cached answer is not the whole story page")
	}
	if writes != 1 {
		t.Errorf("a %d-byte answer from the cache took %d writes, want 1", len(hit), writes)
	}
	fetch("GET", "gzip") // its gzip form is made on the first ask
	res, zipped, writes := fetch("GET", "gzip")
	if res.Header.Get("Content-Encoding") != "gzip" || len(zipped) < 4<<10 || writes != 1 {
		t.Errorf("gzip answer: encoding %q, %d bytes, %d writes; want gzip, over 4 KB, one write",
			res.Header.Get("Content-Encoding"), len(zipped), writes)
	}
	res, head, _ := fetch("HEAD", "")
	if res.StatusCode != http.StatusOK || len(head) != 0 || res.Header.Get("Content-Length") != fmt.Sprint(len(hit)) {
		t.Errorf("HEAD: %d, %d bytes of body, Content-Length %q", res.StatusCode, len(head), res.Header.Get("Content-Length"))
	}
	res, _, _ = fetch("GET", "", "If-None-Match", res.Header.Get("Etag"))
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", res.StatusCode)
	}
	if _, again, _ := fetch("GET", ""); string(again) != string(hit) {
		t.Error("the answer after a revalidation on the same connection differs")
	}
	if n := counted.conns.Load(); n != 1 {
		t.Errorf("%d connections for the requests of one client, want 1 kept alive", n)
	}
}

func newLocalListener(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// Files (here a photo) still reach the reader whole over gathering connections, both
// when the connection underneath can send a file by itself (sendfile, on a bare TCP
// connection) and when it cannot.
func TestFilesOverGatheringConnections(t *testing.T) {
	ta := newTestApp(t)
	m := ta.photo()
	path := m.URL(slices.Max(m.Sizes))
	want, err := io.ReadAll(ta.get(path).Body)
	if err != nil || len(want) == 0 {
		t.Fatalf("the photo from the site itself: %d bytes, %v", len(want), err)
	}
	wrapped := ta.serverOn(&countingListener{Listener: newLocalListener(t)}) // writeCountingConn: no ReadFrom
	for _, srv := range []*httptest.Server{ta.server(), wrapped} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK || string(got) != string(want) {
			t.Errorf("%d: %d bytes of the photo's %d (%v)", res.StatusCode, len(got), len(want), err)
		}
	}
}

// A gathering connection copies what it is handed, except the end of the body being
// sent, which it keeps in place: net/http fills its own buffer again after handing it
// over, so a buffer kept by reference would send other bytes. Anything written after
// the body still follows it, and the lifted headers go after net/http's.
func TestGatheringKeepsOnlyTheBodyInPlace(t *testing.T) {
	body := []byte("<p>the page's own bytes</p>")
	for _, after := range []string{"", "!"} {
		server, client := net.Pipe()
		got := make(chan string)
		go func() { b, _ := io.ReadAll(client); got <- string(b) }()
		g := &gatheringConn{Conn: server}
		held := []byte{}
		g.held, g.body = &held, body

		buf := []byte("HTTP/1.1 200 OK\r\nDate: today\r\n\r\n<p>")
		g.Write(buf)
		copy(buf, strings.Repeat("#", len(buf))) // net/http reusing its buffer
		g.Write(body[3:])                        // the rest of the body, handed over in place
		if after == "" && (len(g.tail) == 0 || &g.tail[0] != &body[3]) {
			t.Error("the end of the body was copied, not kept in place")
		}
		if after != "" {
			g.Write([]byte(after)) // net/http sends nothing after the body, but order must hold
		}
		if err := g.send(*g.held, []byte("Vary: Cookie\r\n"), g.tail); err != nil {
			t.Fatal(err)
		}
		server.Close()
		if sent, want := <-got, "HTTP/1.1 200 OK\r\nDate: today\r\nVary: Cookie\r\n\r\n"+string(body)+after; sent != want {
			t.Errorf("sent %q, want %q", sent, want)
		}
	}
}

// A story page over a gathering connection, where sendWhole writes the page's own
// headers itself, carries the very headers it carries where net/http writes them all
// (here, a recorder): none lost, none twice, the same values but for the request's id
// and the Date (the recorder has none; on the wire it is now's); HSTS when the proxy
// says https. The first ask renders the page (the router's path, whose log line reads
// the id from the map afterwards), the others are hits; every line in the log has its
// answer's id.
func TestGatheredAnswersCarryEveryHeader(t *testing.T) {
	ta, art, ed, _, _ := discussionFixture(t)
	ta.comment(art, ed, 0, "A first word on it, long enough to be worth compressing.")
	var logs bytes.Buffer
	ta.Log = slog.New(slog.NewTextHandler(&logs, nil))
	path := "/articles/" + art.Slug
	srv := ta.server()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}

	var ids []string
	for _, c := range []struct{ method, encoding, proto string }{
		{"GET", "", ""}, {"GET", "gzip", ""}, {"HEAD", "gzip", ""}, {"GET", "gzip", "https"},
	} {
		wire, _ := http.NewRequest(c.method, srv.URL+path, nil)
		req := httptest.NewRequest(c.method, path, nil)
		for _, r := range []*http.Request{wire, req} {
			if c.encoding != "" {
				r.Header.Set("Accept-Encoding", c.encoding)
			}
			if c.proto != "" {
				r.Header.Set("X-Forwarded-Proto", c.proto)
			}
		}
		res, err := client.Do(wire)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		rec := httptest.NewRecorder()
		ta.h.ServeHTTP(rec, req)
		want, got := rec.Header(), res.Header
		name := c.method + " " + c.encoding + " " + c.proto
		if got.Get("Etag") == "" || got.Get("Date") == "" || (c.proto == "https") != (got.Get("Strict-Transport-Security") != "") {
			t.Errorf("%s: ETag %q, Date %q, HSTS %q", name, got.Get("Etag"), got.Get("Date"), got.Get("Strict-Transport-Security"))
		}
		for k, vs := range got {
			switch {
			case len(vs) != 1:
				t.Errorf("%s: %s sent %d times: %q", name, k, len(vs), vs)
			case k == "X-Request-Id":
				if len(vs[0]) != 16 || vs[0] == want.Get(k) {
					t.Errorf("%s: request id %q (the recorder's %q)", name, vs[0], want.Get(k))
				}
				ids = append(ids, vs[0])
			case k == "Date":
				if d, err := http.ParseTime(vs[0]); err != nil || time.Since(d) > time.Minute || time.Until(d) > time.Second {
					t.Errorf("%s: Date %q, now %s", name, vs[0], time.Now().UTC().Format(http.TimeFormat))
				}
			case vs[0] != want.Get(k):
				t.Errorf("%s: %s is %q on the wire, %q where net/http writes it", name, k, vs[0], want.Get(k))
			}
		}
		for k := range want {
			if _, ok := got[k]; !ok && k != "Content-Length" {
				t.Errorf("%s: %s is missing on the wire", name, k)
			}
		}
	}
	srv.Close() // waits for the handlers, and their log lines
	for _, id := range ids {
		if !strings.Contains(logs.String(), " id="+id) {
			t.Errorf("no log line with the request id %s:\n%s", id, logs.String())
		}
	}
}

// An answer's own headers say the same in both forms: the lines sendWhole writes read
// back (as a client reads them) as the map net/http would write. A value net/http
// would change on the way (a line break, space at an end), or a key without a value,
// is refused when the group is built.
func TestAnswerHeadersSayTheSameInBothForms(t *testing.T) {
	site := newSecurityHeaders("https://media.example.com")
	page := newHeaderLines("Cache-Control", publicCacheControl, "Etag", `W/"1f"`, "Vary", vary)
	for _, own := range []answerHeaders{
		{id: "0123456789abcdef", site: site[0], page: page},
		{site: site[1]},
		{page: page},
		{},
	} {
		inMap := http.Header{}
		own.setIn(inMap)
		wire := own.appendTo([]byte("HTTP/1.1 200 OK\r\n"))
		res, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(append(wire, "Content-Length: 0\r\n\r\n"...))), nil)
		if err != nil {
			t.Fatalf("%q: %v", wire, err)
		}
		res.Header.Del("Content-Length")
		if !reflect.DeepEqual(res.Header, inMap) {
			t.Errorf("on the wire %v, in the map %v", res.Header, inMap)
		}
	}
	for _, kv := range [][]string{
		{"Surrogate-Key", "public,\r\nInjected: yes"}, {"Surrogate-Key", " site"}, {"Surrogate-Key", "site\t"}, {"Vary"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%q was taken as headers", kv)
				}
			}()
			newHeaderLines(kv...)
		}()
	}
}

// The Date made once a second is the second's: the same line within it, the next one's
// after it, each what net/http would have written.
func TestAppendDateFollowsTheClock(t *testing.T) {
	a := &App{}
	t0 := time.Date(2026, 12, 1, 17, 30, 5, 100e6, time.FixedZone("CET", 3600))
	for _, at := range []time.Time{t0, t0.Add(800 * time.Millisecond), t0.Add(time.Second), t0.Add(time.Hour), t0} {
		want := "Date: " + at.UTC().Format(http.TimeFormat) + "\r\n"
		if got := string(a.appendDate(nil, at)); got != want {
			t.Errorf("at %s: %q, want %q", at, got, want)
		}
	}
}
