package handlers

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

// A page is compressed fast for the reader who first asks, and again at the best
// setting once it has been served upgradeAfter times over at least upgradeAge; every
// form reads back as the page.
func TestCompressedPagesImproveOnceTheyStay(t *testing.T) {
	var page strings.Builder
	for i := range 200 {
		fmt.Fprintf(&page, "<li class=\"comment\" id=\"comment-%d\"><p>Comment %d: a thought of a sentence or two, with <a href=\"https://example.com/%d\">a link</a>.</p></li>\n", i, i*7, i*13)
	}
	identity := []byte(page.String())
	for _, tc := range []struct {
		name   string
		codec  *codec
		reader func(io.Reader) (io.Reader, error)
	}{
		{"gzip", newGzipCodec(), func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
		{"br", newBrotliCodec(), func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			readBack := func(b []byte) {
				t.Helper()
				r, err := tc.reader(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, identity) {
					t.Fatalf("the compressed page reads back as %d bytes (err %v), want the %d-byte page", len(got), err, len(identity))
				}
			}
			var e encoded
			first := e.get(identity, tc.codec)
			readBack(first)
			for range 2 * upgradeAfter {
				if b := e.get(identity, tc.codec); !bytes.Equal(b, first) {
					t.Fatalf("the compressed page changed within %v of being made: a page replaced in a comment storm would be compressed twice", upgradeAge)
				}
			}
			time.Sleep(upgradeAge)
			var best []byte
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
				if b := e.get(identity, tc.codec); !bytes.Equal(b, first) {
					best = b
					break
				}
			}
			if best == nil {
				t.Fatalf("after %d answers over %v the page is still in its first compression", 2*upgradeAfter, upgradeAge)
			}
			readBack(best)
			if len(best) >= len(first) {
				t.Errorf("the best compression is %d bytes, the fast one %d: want it smaller", len(best), len(first))
			}
		})
	}
}

// A browser, which takes gzip and brotli both, gets a page in gzip while the page is
// new, so a miss never waits on brotli, and in brotli (at its best setting, made in the
// background) once the page has stayed; a client that takes brotli alone gets it at
// once. Every answer reads back as the page.
func TestBrowsersGetBrotliOnceAPageStays(t *testing.T) {
	ta, art, ed, _, _ := discussionFixture(t)
	ta.comment(art, ed, 0, "A first word on it, long enough to be worth compressing.")
	path := "/articles/" + art.Slug
	page := body(t, ta.get(path)) // the page as stored
	fetch := func(accept string) string {
		t.Helper()
		enc, got := fetchEncoded(t, ta, path, accept)
		if got != page {
			t.Fatalf("%s: the answer (%q) reads back as %d bytes, want the %d-byte page", accept, enc, len(got), len(page))
		}
		if enc == "" {
			t.Fatalf("no Content-Encoding for %q", accept)
		}
		return enc
	}
	const browser = "gzip, deflate, br, zstd"
	for range 2 * upgradeAfter {
		if enc := fetch(browser); enc != "gzip" {
			t.Fatalf("a browser got %s within %v of the page being made, want gzip", enc, upgradeAge)
		}
	}
	time.Sleep(upgradeAge)
	deadline := time.Now().Add(10 * time.Second)
	for fetch(browser) != "br" {
		if time.Now().After(deadline) {
			t.Fatalf("after %d answers over %v browsers still get gzip", 2*upgradeAfter, upgradeAge)
		}
		time.Sleep(time.Millisecond)
	}
	ta.comment(art, ed, 0, "A second word changes the page.")
	page = body(t, ta.get(path))
	if enc := fetch("br"); enc != "br" {
		t.Errorf("a client taking brotli alone got %s", enc)
	}
}

// fetchEncoded asks for path with the given Accept-Encoding and returns the answer's
// Content-Encoding and its body decoded.
func fetchEncoded(t *testing.T, ta *testApp, path, accept string) (encoding, body string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", accept)
	rec := httptest.NewRecorder()
	ta.h.ServeHTTP(rec, req)
	var r io.Reader = bytes.NewReader(rec.Body.Bytes())
	switch enc := rec.Header().Get("Content-Encoding"); enc {
	case "gzip":
		z, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = z
	case "br":
		r = brotli.NewReader(r)
	case "":
	default:
		t.Fatalf("Content-Encoding %q for %q", enc, accept)
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: the answer does not read back: %v", accept, err)
	}
	return rec.Header().Get("Content-Encoding"), string(got)
}

// A cached page goes out only in a coding the client's Accept-Encoding admits: names
// match whatever their case and spacing, and q=0 (in any of its spellings) refuses one.
func TestCachedPagesHonourAcceptEncoding(t *testing.T) {
	ta, art, ed, _, _ := discussionFixture(t)
	ta.comment(art, ed, 0, "A first word on it, long enough to be worth compressing.")
	path := "/articles/" + art.Slug
	page := body(t, ta.get(path))
	for accept, want := range map[string]string{
		"":                            "",
		"identity":                    "",
		"gzip":                        "gzip",
		"GZip":                        "gzip",
		" deflate ,  gzip ; q=0.5":    "gzip",
		"gzip;q=0":                    "",
		"gzip; q=0.000, identity":     "",
		"gzip ; q = 0":                "",
		"x-gzip, gzipped":             "",
		"br;q=0, gzip":                "gzip",
		"br":                          "br",
		"deflate, zstd":               "",
		"gzip;q=0.001":                "gzip",
		"compress, br ;q=0 ,gzip;q=0": "",
	} {
		enc, got := fetchEncoded(t, ta, path, accept)
		if enc != want || got != page {
			t.Errorf("Accept-Encoding %q: got Content-Encoding %q reading back as %d bytes; want %q and the %d-byte page", accept, enc, len(got), want, len(page))
		}
	}
}
