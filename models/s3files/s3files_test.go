package s3files_test

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"broadsheet/models"
	"broadsheet/models/s3files"
	"broadsheet/models/s3files/s3test"
)

// The bucket keeps, streams, finds, lists and deletes files as the interface promises.
func TestBucketKeepsFiles(t *testing.T) {
	srv := s3test.Start(t)
	b := srv.Open(t)
	ctx := t.Context()
	data := bytes.Repeat([]byte("photo bytes "), 100_000) // 1.2 MB: more than one read
	if err := b.Put(ctx, "0123abcd.jpg", data); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.Exists(ctx, "0123abcd.jpg"); !ok || err != nil {
		t.Fatalf("Exists after Put: %v, %v", ok, err)
	}
	f, err := b.Open(ctx, "0123abcd.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if f.Size != int64(len(data)) || f.ModTime.IsZero() {
		t.Errorf("size %d, time %v; want %d and a time", f.Size, f.ModTime, len(data))
	}
	if _, err := f.Seek(1_000_000, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	tail, err := io.ReadAll(f)
	f.Close()
	if err != nil || !bytes.Equal(tail, data[1_000_000:]) {
		t.Errorf("read from offset 1000000: %d bytes, %v", len(tail), err)
	}
	if _, err := b.Open(ctx, "ffff.jpg"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("Open of a missing name: %v, want ErrNotFound", err)
	}
	b.Put(ctx, "0123abcd-480.jpg", []byte("small"))
	var names []string
	if err := b.Walk(ctx, func(name string, size int64) error { names = append(names, name); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"0123abcd-480.jpg", "0123abcd.jpg"}) {
		t.Errorf("Walk: %v", names)
	}
	for range 2 { // deleting what is gone is no error
		if err := b.Delete(ctx, "0123abcd.jpg"); err != nil {
			t.Fatal(err)
		}
	}
	if ok, _ := b.Exists(ctx, "0123abcd.jpg"); ok {
		t.Error("the deleted file is still there")
	}
	if got := srv.Objects(t); !slices.Equal(got, []string{"0123abcd-480.jpg"}) {
		t.Errorf("objects left: %v", got)
	}
}

// A wrong setting stops the start with what to fix, and the secret is never repeated.
func TestBucketRefusesWrongSettings(t *testing.T) {
	srv := s3test.Start(t)
	for _, tc := range []struct {
		name string
		edit func(*s3files.Config)
		want string
	}{
		{"missing bucket", func(c *s3files.Config) { c.Bucket = "no-such-bucket" }, `there is no bucket "no-such-bucket"`},
		{"wrong secret", func(c *s3files.Config) { c.SecretKey = "wrong-secret-value" }, "the secret key is wrong"},
		{"unknown key", func(c *s3files.Config) { c.AccessKey = "nobody" }, "does not know this access key"},
		{"no secret", func(c *s3files.Config) { c.SecretKey = "" }, "secret key are both needed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := srv.Config()
			tc.edit(&cfg)
			_, err := s3files.Open(t.Context(), cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open: %v, want an error saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "wrong-secret-value") || strings.Contains(err.Error(), s3test.SecretKey) {
				t.Errorf("the error repeats the secret: %v", err)
			}
		})
	}
}
