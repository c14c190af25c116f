package handlers

import (
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

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
	srv := httptest.NewUnstartedServer(ta.h)
	srv.Listener = GatherWrites(counted)
	srv.Config.ConnContext = ConnContext
	srv.Start()
	defer srv.Close()
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
	counted := &countingListener{Listener: newLocalListener(t)}
	wrapped := httptest.NewUnstartedServer(ta.h)
	wrapped.Listener = GatherWrites(counted) // writeCountingConn: no ReadFrom
	wrapped.Config.ConnContext = ConnContext
	wrapped.Start()
	defer wrapped.Close()
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
// the body still follows it.
func TestGatheringKeepsOnlyTheBodyInPlace(t *testing.T) {
	body := []byte("<p>the page's own bytes</p>")
	for _, after := range []string{"", "!"} {
		server, client := net.Pipe()
		got := make(chan string)
		go func() { b, _ := io.ReadAll(client); got <- string(b) }()
		g := &gatheringConn{Conn: server}
		held := []byte{}
		g.held, g.body = &held, body

		buf := []byte("HTTP/1.1 200 OK\r\n\r\n<p>")
		g.Write(buf)
		copy(buf, "XXXXXXXXXXXXXXXXXXXXXXX") // net/http reusing its buffer
		g.Write(body[3:])                    // the rest of the body, handed over in place
		if after == "" && (len(g.tail) == 0 || &g.tail[0] != &body[3]) {
			t.Error("the end of the body was copied, not kept in place")
		}
		if after != "" {
			g.Write([]byte(after)) // net/http sends nothing after the body, but order must hold
		}
		if err := g.send(*g.held, g.tail); err != nil {
			t.Fatal(err)
		}
		server.Close()
		if sent, want := <-got, "HTTP/1.1 200 OK\r\n\r\n"+string(body)+after; sent != want {
			t.Errorf("sent %q, want %q", sent, want)
		}
	}
}
