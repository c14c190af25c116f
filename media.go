package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"broadsheet/models"
	"broadsheet/models/s3files"
)

// mediaConfig says where the photo files live: DATA/uploads (the default) or an
// S3-compatible bucket, and the public address readers fetch them from, if any.
type mediaConfig struct {
	s3         s3files.Config
	secretFile string
	publicURL  string
}

// secretEnv holds the S3 secret key. It has no flag: a command line shows in ps.
const secretEnv = "BROADSHEET_S3_SECRET"

// mediaFlags registers the media storage settings, each with its environment twin.
func (f *flagSet) mediaFlags(m *mediaConfig) {
	m.s3.TLS = true
	f.StringVar(&m.s3.Endpoint, "s3-endpoint", "", "keep photos in an S3-compatible bucket: the `HOST:PORT` of its S3 API (with -s3-bucket;\n"+
		"default: photos in DIR/uploads)")
	f.StringVar(&m.s3.Bucket, "s3-bucket", "", "the `NAME` of the bucket for photos (it must exist)")
	f.StringVar(&m.s3.Region, "s3-region", "", "the bucket's `REGION` (default: asked of the server)")
	f.StringVar(&m.s3.AccessKey, "s3-access-key", "", "the access key `ID` for the bucket")
	f.StringVar(&m.secretFile, "s3-secret-file", "", "a `FILE` holding the secret key for the bucket; or set "+secretEnv)
	f.Var(boolValue{&m.s3.TLS}, "s3-tls", "speak https to the S3 endpoint")
	f.Var(urlValue{&m.publicURL}, "media-url", "the public `URL` of the photo files (a public bucket, or a CDN in front of it):\n"+
		"pages link photos there, and the security policy allows images from its origin (default: served by the site at /media/)")
	for _, name := range []string{"s3-endpoint", "s3-bucket", "s3-region", "s3-access-key", "s3-secret-file", "s3-tls", "media-url"} {
		f.twin(name)
	}
}

// onS3 reports whether the settings name a bucket.
func (m mediaConfig) onS3() bool { return m.s3.Endpoint != "" || m.s3.Bucket != "" }

// openBucket reads the secret and connects, checking the bucket and the keys.
func (m mediaConfig) openBucket(ctx context.Context) (*s3files.Bucket, error) {
	cfg := m.s3
	cfg.SecretKey = os.Getenv(secretEnv)
	if m.secretFile != "" {
		b, err := os.ReadFile(m.secretFile)
		if err != nil {
			return nil, fmt.Errorf("S3 media: read the secret key: %w", err)
		}
		cfg.SecretKey = strings.TrimSpace(string(b))
	}
	return s3files.Open(ctx, cfg)
}

// files opens where the site's photo files are kept: the bucket, when the settings
// name one (checking it and the keys before anything is written), else DATA/uploads.
func (m mediaConfig) files(ctx context.Context, log *slog.Logger, data string) (models.MediaFiles, error) {
	if !m.onS3() {
		return models.LocalFiles{Dir: uploadsDir(data)}, nil
	}
	b, err := m.openBucket(ctx)
	if err != nil {
		return nil, err
	}
	log.Info("photos are kept in an S3 bucket", "bucket", b.String())
	return b, nil
}

// media is `broadsheet media copy-to-s3`.
func (r *cli) media(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "copy-to-s3" {
		if len(args) > 0 && strings.Contains(args[0], "help") {
			fmt.Fprintln(out, "usage: broadsheet media copy-to-s3 [flags]; see broadsheet media copy-to-s3 --help")
			return nil
		}
		return usageErrorf("media has one command: broadsheet media copy-to-s3")
	}
	var m mediaConfig
	fl := newFlagSet("media copy-to-s3", "broadsheet media copy-to-s3 [-data DIR] -s3-endpoint HOST:PORT -s3-bucket NAME [-s3-…]",
		"Copies the photo files in DIR/uploads to the bucket (files already there with the same size are\n"+
			"skipped, so it can run again), then checks that every photo of the library has all its files in\n"+
			"the bucket. Run it before the first start with the -s3 settings; run it again, site stopped, just\n"+
			"before switching, to catch photos uploaded meanwhile.")
	fl.mediaFlags(&m)
	store, _, err := r.existingSite(fl, args[1:], func() error {
		if !m.onS3() {
			return usageErrorf("name the bucket to copy to: -s3-endpoint and -s3-bucket (or their environment twins)")
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer store.Close()
	bucket, err := m.openBucket(ctx)
	if err != nil {
		return err
	}
	sum, err := store.Media.CopyFiles(ctx, bucket)
	fmt.Fprintf(out, "%s: %d file(s) in the folder, %d copied, %d already in the bucket.\n", bucket, sum.Files, sum.Copied, sum.Present)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Checked: the library's %d photo(s) have all their %d file(s) in the bucket.\n", sum.Photos, sum.Checked)
	return nil
}
