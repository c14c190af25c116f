package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"broadsheet/models"
	"broadsheet/models/s3files/s3test"
)

// s3Args are the flags that put a site's photos in the test server's bucket; the
// secret goes in the environment, as the help advises.
func s3Args(t *testing.T, srv *s3test.Server) []string {
	t.Setenv(secretEnv, s3test.SecretKey)
	return []string{"-s3-endpoint", srv.Endpoint, "-s3-bucket", srv.Bucket, "-s3-access-key", s3test.AccessKey, "-s3-tls=false"}
}

// A wrong bucket or wrong keys stop serve at start with what to fix, before a site is
// created, and the secret is never repeated; right settings seed the sample paper's
// photos into the bucket, and the site serves them from there.
func TestServeWithPhotosOnS3(t *testing.T) {
	cleanEnv(t)
	srv := s3test.Start(t)
	args := s3Args(t, srv)
	data := filepath.Join(t.TempDir(), "data")

	r := runCLI("", append(append([]string{"serve", "-data", data, "-addr", "127.0.0.1:0"}, args...), "-s3-bucket", "no-such-bucket")...)
	if r.code != exitFailure || !strings.Contains(r.stderr, `no bucket "no-such-bucket"`) {
		t.Errorf("missing bucket: exit %d, stderr %q", r.code, r.stderr)
	}
	secretFile := filepath.Join(t.TempDir(), "s3-secret")
	os.WriteFile(secretFile, []byte("not-the-secret\n"), 0o600)
	r = runCLI("", append([]string{"serve", "-data", data, "-addr", "127.0.0.1:0", "-s3-secret-file", secretFile}, args...)...)
	if r.code != exitFailure || !strings.Contains(r.stderr, "secret key is wrong") || strings.Contains(r.stderr, "not-the-secret") {
		t.Errorf("wrong secret: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "broadsheet.db")); err == nil {
		t.Error("a refused start created a site")
	}

	var logs syncBuffer
	addr, stop := startServe(t, &logs, append([]string{"-data", data}, args...)...)
	defer stop()
	res, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	home, _ := io.ReadAll(res.Body)
	res.Body.Close()
	src := regexp.MustCompile(`src="(/media/[0-9a-f]+[^"]*)"`).FindSubmatch(home)
	if src == nil {
		t.Fatalf("the seeded front page shows no photo:\n%.2000s", home)
	}
	photo, err := http.Get("http://" + addr + string(src[1]))
	if err != nil {
		t.Fatal(err)
	}
	photo.Body.Close()
	if photo.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %d", src[1], photo.StatusCode)
	}
	if objects := srv.Objects(t); len(objects) == 0 {
		t.Error("the sample paper's photos are not in the bucket")
	}
	if local, _ := os.ReadDir(filepath.Join(data, "uploads")); len(local) != 0 {
		t.Errorf("photos written to the folder too: %d files", len(local))
	}
}

// copy-to-s3 copies a folder site's photos and checks every photo is whole in the
// bucket; a second run copies nothing; a file missing from both places is named.
func TestMediaCopyToS3(t *testing.T) {
	cleanEnv(t)
	srv := s3test.Start(t)
	args := s3Args(t, srv)
	dir := newSite(t)
	store, err := openSite(site{data: dir}, false)
	if err != nil {
		t.Fatal(err)
	}
	var wide models.Media
	for _, w := range []int{1200, 600} { // 3 files (960 and 480 wide too), then 2
		wide, err = store.Media.Save(t.Context(), time.Now(), bytes.NewReader(gradient(t, w)), models.Media{Alt: "Gradient"}, 0)
		if err != nil {
			t.Fatal(err)
		}
	}
	store.Close()

	cmd := append([]string{"media", "copy-to-s3", "-data", dir}, args...)
	r := runCLI("", cmd...)
	if r.code != exitOK || !strings.Contains(r.stdout, "5 file(s) in the folder, 5 copied, 0 already in the bucket") ||
		!strings.Contains(r.stdout, "the library's 2 photo(s) have all their 5 file(s) in the bucket") {
		t.Fatalf("copy: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := len(srv.Objects(t)); n != 5 {
		t.Errorf("bucket holds %d objects, want 5", n)
	}
	if r = runCLI("", cmd...); r.code != exitOK || !strings.Contains(r.stdout, "0 copied, 5 already in the bucket") {
		t.Errorf("second copy: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	os.Remove(filepath.Join(dir, "uploads", wide.File(480)))
	srv.Client(t, s3test.SecretKey).RemoveObject(t.Context(), srv.Bucket, wide.File(480), minio.RemoveObjectOptions{})
	if r = runCLI("", cmd...); r.code != exitFailure || !strings.Contains(r.stderr, wide.File(480)) {
		t.Errorf("copy with a file lost: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func gradient(t *testing.T, w int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, w/2))
	for y := range w / 2 {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
