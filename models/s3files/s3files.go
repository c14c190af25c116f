// Package s3files keeps the photo library's files in an S3-compatible bucket
// (AWS S3, Ceph, Garage, SeaweedFS, the Versity gateway, …), so that several app
// servers share one library and a CDN or the bucket itself can serve the photos.
package s3files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"broadsheet/models"
)

// Config is where the bucket is and how to sign in to it.
type Config struct {
	Endpoint  string // HOST[:PORT] of the S3 API, no scheme
	Bucket    string
	Region    string // empty: asked of the server
	AccessKey string
	SecretKey string
	TLS       bool // https to the endpoint
}

// Bucket is models.MediaFiles on an S3 bucket. Objects are stored under the photos'
// own flat names, each with the Content-Type and Cache-Control a public bucket or
// CDN should send, so the bucket can serve readers directly.
type Bucket struct {
	c   *minio.Client
	cfg Config
}

var _ models.MediaFiles = (*Bucket)(nil)

// Open connects to the bucket and checks, before the site starts, that it exists and
// that the keys are accepted: a wrong setting is a start-up error that says what to
// fix, never a failed upload later.
func Open(ctx context.Context, cfg Config) (*Bucket, error) {
	switch {
	case cfg.Endpoint == "":
		return nil, errors.New("S3 media: the endpoint (HOST:PORT of the S3 API) is not set")
	case cfg.Bucket == "":
		return nil, errors.New("S3 media: the bucket is not set")
	case cfg.AccessKey == "" || cfg.SecretKey == "":
		return nil, errors.New("S3 media: the access key and the secret key are both needed")
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.TLS,
		Region: cfg.Region,
		// Path-style requests (endpoint/bucket/name) work on every S3-compatible server;
		// virtual-host names need DNS for each bucket.
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, fmt.Errorf("S3 media at %s: %w", cfg.Endpoint, err)
	}
	b := &Bucket{c: c, cfg: cfg}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("S3 media: cannot reach bucket %s: %s", b, explain(err))
	}
	if !ok {
		return nil, fmt.Errorf("S3 media: there is no bucket %q at %s: create it, or correct the bucket name", cfg.Bucket, cfg.Endpoint)
	}
	return b, nil
}

// explain turns the server's refusal into what the operator should check.
func explain(err error) string {
	switch minio.ToErrorResponse(err).Code {
	case "InvalidAccessKeyId", "XAdminUserNotFound": // the second is the Versity gateway's
		return "the server does not know this access key"
	case "SignatureDoesNotMatch":
		return "the secret key is wrong for this access key"
	case "AccessDenied", "Forbidden":
		return "these keys may not use this bucket (access denied)"
	}
	if minio.ToErrorResponse(err).StatusCode == http.StatusForbidden {
		return "the keys were refused (403 Forbidden): check the access key and the secret key"
	}
	return err.Error()
}

func (b *Bucket) String() string {
	scheme := "http"
	if b.cfg.TLS {
		scheme = "https"
	}
	return scheme + "://" + b.cfg.Endpoint + "/" + b.cfg.Bucket
}

// Put uploads in one request: S3 makes an object visible only when it is whole.
func (b *Bucket) Put(ctx context.Context, name string, data []byte) error {
	_, err := b.c.PutObject(ctx, b.cfg.Bucket, name, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{
		ContentType:  mime.TypeByExtension(path.Ext(name)),
		CacheControl: "public, max-age=31536000, immutable", // the names are content hashes
	})
	if err != nil {
		return fmt.Errorf("store %s in %s: %s", name, b, explain(err))
	}
	return nil
}

// Open asks only for the object's size and time (a HEAD request); the bytes are
// fetched as they are read, from the offset Seek last set.
func (b *Bucket) Open(ctx context.Context, name string) (*models.MediaFile, error) {
	obj, err := b.c.GetObject(ctx, b.cfg.Bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, err
	}
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		if isMissing(err) {
			return nil, models.ErrNotFound
		}
		return nil, fmt.Errorf("read %s from %s: %s", name, b, explain(err))
	}
	return &models.MediaFile{ReadSeekCloser: obj, Size: info.Size, ModTime: info.LastModified}, nil
}

func isMissing(err error) bool {
	return minio.ToErrorResponse(err).Code == "NoSuchKey"
}

func (b *Bucket) Exists(ctx context.Context, name string) (bool, error) {
	_, err := b.c.StatObject(ctx, b.cfg.Bucket, name, minio.StatObjectOptions{})
	if isMissing(err) {
		return false, nil
	}
	return err == nil, err
}

// Delete: S3 answers a delete of a missing object with success, as the interface asks.
func (b *Bucket) Delete(ctx context.Context, name string) error {
	return b.c.RemoveObject(ctx, b.cfg.Bucket, name, minio.RemoveObjectOptions{})
}

func (b *Bucket) Walk(ctx context.Context, fn func(name string, size int64) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing when fn fails
	for obj := range b.c.ListObjects(ctx, b.cfg.Bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("list %s: %s", b, explain(obj.Err))
		}
		if err := fn(obj.Key, obj.Size); err != nil {
			return err
		}
	}
	return nil
}
