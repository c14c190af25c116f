package handlers

import (
	"bytes"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"broadsheet/models"
	"broadsheet/models/s3files/s3test"
)

// Photos kept in an S3 bucket (a real S3 server on loopback): uploaded through the
// newsroom's story form, served by the site streamed and cached as from the folder,
// replaced on the story, then deleted from the library and gone from the bucket.
func TestMediaOnS3(t *testing.T) {
	srv := s3test.Start(t)
	n := newAdminSite(t)
	n.Store.Media.Files = srv.Open(t)

	form := articleFormValues(n.sec, "Harbour wall photographed")
	form.Set("status", models.StatusPublished)
	form.Set("slug", "harbour-wall-photographed")
	form.Set("image_alt", "The new harbour wall")
	res := n.postMultipart("/admin/articles", "editor", form, "photo", "wall.jpg", testJPEG(t, 1000, 600))
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("story with a photo: %d", res.StatusCode)
	}
	edit := res.Header.Get("Location")
	first := leadPhoto(t, n, "/articles/harbour-wall-photographed")
	if objects := srv.Objects(t); len(objects) != 3 { // the original, 480 and 960 wide
		t.Fatalf("bucket holds %v, want the photo in three widths", objects)
	}
	b := fetchPhoto(t, n, first)
	if img, err := jpeg.DecodeConfig(bytes.NewReader(b)); err != nil || img.Width != 960 {
		t.Errorf("served %s: %d bytes, not a 960-wide JPEG: %v %+v", first, len(b), err, img)
	}

	// Replace the story's photo: the next anonymous request of the page shows the new one.
	doc := parse(t, n.send(http.MethodGet, edit, "editor", nil))
	form.Set("version", doc.Find(`input[name="version"]`).AttrOr("value", ""))
	form.Set("image_alt", "The harbour wall at night")
	res = n.postMultipart(edit, "editor", form, "photo", "night.jpg", testJPEG(t, 800, 500))
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("replacing the photo: %d", res.StatusCode)
	}
	second := leadPhoto(t, n, "/articles/harbour-wall-photographed")
	if second == first {
		t.Fatalf("the story still shows %s after its photo was replaced", first)
	}
	fetchPhoto(t, n, second)

	// Delete the first photo from the library: its files leave the bucket, the second stays.
	m, err := n.Store.Media.List(t.Context(), "", models.Page{Number: 1, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	var old models.Media
	for _, p := range m.Items {
		if strings.Contains(first, p.Hash) {
			old = p
		}
	}
	res = n.send(http.MethodPost, "/admin/media/"+strconv.FormatInt(old.ID, 10)+"/delete", "editor", nil)
	res.Body.Close()
	if old.ID == 0 || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete photo %d: %d", old.ID, res.StatusCode)
	}
	if res := n.get(first); res.StatusCode != http.StatusNotFound {
		t.Errorf("deleted photo %s: %d, want 404", first, res.StatusCode)
	}
	for _, name := range srv.Objects(t) {
		if strings.HasPrefix(name, old.Hash) {
			t.Errorf("the deleted photo's file %s is still in the bucket", name)
		}
	}
	fetchPhoto(t, n, second)
	if res := n.send(http.MethodPost, "/admin/media/"+strconv.FormatInt(old.ID, 10)+"/delete", "editor", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("deleting it again: %d, want 404", res.StatusCode)
	}
}

// leadPhoto is the address of the lead photo an anonymous reader sees on a story.
func leadPhoto(t *testing.T, n *adminSite, path string) string {
	t.Helper()
	res := n.get(path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	src := parse(t, res).Find("figure.lead-photo img").AttrOr("src", "")
	if !strings.HasPrefix(src, "/media/") {
		t.Fatalf("%s shows lead photo %q", path, src)
	}
	return src
}

// fetchPhoto gets a photo as a browser and a CDN would: whole, then again with the
// validator it was given (304, no body), then a range of it.
func fetchPhoto(t *testing.T, n *adminSite, src string) []byte {
	t.Helper()
	res := n.get(src)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	h := res.Header
	if res.StatusCode != http.StatusOK || h.Get("Content-Type") != "image/jpeg" || h.Get("Content-Length") != strconv.Itoa(len(b)) {
		t.Fatalf("GET %s: %d %q length %q of %d bytes", src, res.StatusCode, h.Get("Content-Type"), h.Get("Content-Length"), len(b))
	}
	if h.Get("Cache-Control") != "public, max-age=31536000, immutable" || h.Get("ETag") == "" || h.Get("Last-Modified") == "" {
		t.Errorf("GET %s: Cache-Control %q, ETag %q, Last-Modified %q", src, h.Get("Cache-Control"), h.Get("ETag"), h.Get("Last-Modified"))
	}
	for _, cond := range [][2]string{{"If-None-Match", h.Get("ETag")}, {"If-Modified-Since", h.Get("Last-Modified")}} {
		req := httptest.NewRequest(http.MethodGet, src, nil)
		req.Header.Set(cond[0], cond[1])
		if res := n.do(req); res.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with %s: %d, want 304", src, cond[0], res.StatusCode)
		}
	}
	req := httptest.NewRequest(http.MethodGet, src, nil)
	req.Header.Set("Range", "bytes=100-199")
	res = n.do(req)
	part, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusPartialContent || !slices.Equal(part, b[100:200]) {
		t.Errorf("GET %s bytes 100-199: %d, %d bytes", src, res.StatusCode, len(part))
	}
	return b
}

// With -media-url naming a public bucket, pages send readers' browsers to the bucket
// for photos, the security policy allows images from there, and the bucket serves
// them with the caching the site would send.
func TestMediaFromPublicBucket(t *testing.T) {
	srv := s3test.Start(t)
	srv.MakePublic(t)
	public := "http://" + srv.Endpoint + "/" + srv.Bucket
	n := newTestApp(t, func(c *Config) { c.MediaURL = public })
	n.Store.Media.Files = srv.Open(t)
	photo := n.photo()
	n.article("Seen from the bucket", n.section("World"), n.user("Ed", models.RoleEditor), func(in *models.ArticleInput) {
		in.MediaID, in.ImageAlt = photo.ID, "A gradient"
	})

	res := n.get("/articles/seen-from-the-bucket")
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' http://"+srv.Endpoint+";") {
		t.Errorf("CSP %q does not allow images from the bucket", csp)
	}
	doc := parse(t, res)
	img := doc.Find("figure.lead-photo img")
	src, srcset := img.AttrOr("src", ""), img.AttrOr("srcset", "")
	if src != public+"/"+photo.File(960) || strings.Count(srcset, public+"/") != 3 {
		t.Fatalf("lead photo src %q srcset %q, want addresses in %s", src, srcset, public)
	}
	if og := doc.Find(`meta[property="og:image"]`).AttrOr("content", ""); !strings.HasPrefix(og, public+"/") {
		t.Errorf("og:image %q", og)
	}
	get, err := http.Get(src) // as a browser would, with no keys
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if get.StatusCode != http.StatusOK || get.Header.Get("Content-Type") != "image/png" ||
		get.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || len(b) == 0 {
		t.Errorf("GET %s from the bucket: %d %q %q, %d bytes", src, get.StatusCode, get.Header.Get("Content-Type"), get.Header.Get("Cache-Control"), len(b))
	}
	// Addresses kept in stories' HTML still work through the site.
	if res := n.get(photo.URL(0)); res.StatusCode != http.StatusOK {
		t.Errorf("GET %s from the site: %d", photo.URL(0), res.StatusCode)
	}
}

// BenchmarkMediaShow serves a photo (the 1600-wide original, ~290 KB) from the folder and
// from the bucket over real connections; the bytes allocated per request (server and
// client together) show the file is streamed, not held whole.
func BenchmarkMediaShow(b *testing.B) {
	for _, where := range []string{"folder", "s3"} {
		b.Run(where, func(b *testing.B) {
			ta := newTestApp(b)
			if where == "s3" {
				ta.Store.Media.Files = s3test.Start(b).Open(b)
			}
			m, err := ta.Store.Media.Save(b.Context(), testNow, bytes.NewReader(testJPEG(b, 1600, 1000)), models.Media{Alt: "x"}, 0)
			if err != nil {
				b.Fatal(err)
			}
			site := httptest.NewServer(ta.h) // a recorder would hold the whole answer
			defer site.Close()
			src := site.URL + m.URL(0)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				res, err := http.Get(src)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %d", src, res.StatusCode)
				}
				b.SetBytes(n)
			}
		})
	}
}
