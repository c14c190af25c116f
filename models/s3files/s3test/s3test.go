// Package s3test starts a real S3-compatible server on loopback for tests: the Versity
// S3 gateway (github.com/versity/versitygw, Apache-2.0) over a temporary folder. Its
// binary is found in BROADSHEET_VERSITYGW, or built once from the Go module proxy into
// the user's cache folder. Without it (no network, no cache) the tests skip with the
// reason, except under CI=true, where they fail: CI must never pass without them.
package s3test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"broadsheet/models/s3files"
)

// Module is the server built when no binary is given; .ci/run builds the same.
const Module = "github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// The root user's keys of every test server. Invented for tests: never a real secret.
const (
	AccessKey = "broadsheet-test"
	SecretKey = "broadsheet-test-secret-key"
)

// Server is one running gateway with one empty bucket.
type Server struct {
	Endpoint string // 127.0.0.1:PORT
	Bucket   string
	Root     string // the folder the gateway keeps buckets in
}

// Config is how to reach the server's bucket with the root keys.
func (s *Server) Config() s3files.Config {
	return s3files.Config{Endpoint: s.Endpoint, Bucket: s.Bucket, AccessKey: AccessKey, SecretKey: SecretKey}
}

// Open connects models' bucket storage to the server.
func (s *Server) Open(tb testing.TB) *s3files.Bucket {
	tb.Helper()
	b, err := s3files.Open(tb.Context(), s.Config())
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary finds or builds the gateway, once per test process.
func binary() (string, error) {
	buildOnce.Do(func() {
		if p := os.Getenv("BROADSHEET_VERSITYGW"); p != "" {
			binPath = p
			return
		}
		cache, err := os.UserCacheDir()
		if err != nil {
			buildErr = err
			return
		}
		version := Module[strings.LastIndex(Module, "@")+1:]
		dir := filepath.Join(cache, "broadsheet", "versitygw-"+version)
		binPath = filepath.Join(dir, "versitygw")
		buildErr = build(dir, binPath)
	})
	return binPath, buildErr
}

// build builds the gateway into bin unless it is there. The test processes of other
// packages may want it at the same moment: a lock file lets one build while they wait.
func build(dir, bin string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	lock, err := os.Create(filepath.Join(dir, "build.lock"))
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(bin); err == nil {
		return nil // built before, or while this process waited
	}
	cmd := exec.Command("go", "install", Module)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go install %s: %v\n%s", Module, err, out)
	}
	return nil
}

// Start runs a gateway on a free loopback port over a temporary folder, with one
// empty bucket, stopped when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin, err := binary()
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("the S3 test server is needed under CI=true: %v", err)
		}
		tb.Skipf("no S3 test server (set BROADSHEET_VERSITYGW, or let the tests build %s with network): %v", Module, err)
	}
	s := &Server{Root: tb.TempDir(), Bucket: "broadsheet-media"}
	for try := 0; ; try++ {
		s.Endpoint = freePort(tb)
		cmd := exec.Command(bin, "--access", AccessKey, "--secret", SecretKey, "--port", s.Endpoint, "--quiet", "posix", s.Root)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + s.Root} // none of the developer's AWS or VGW settings
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			tb.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		exited, err := waitReady(s.Endpoint, done)
		if err == nil {
			tb.Cleanup(func() {
				cmd.Process.Kill()
				<-done
			})
			break
		}
		if !exited {
			cmd.Process.Kill()
			<-done
		}
		if try == 2 {
			tb.Fatalf("the S3 test server did not start: %v\n%s", err, out.String())
		} // else the port was taken meanwhile: try another
	}
	c := s.Client(tb, SecretKey)
	if err := c.MakeBucket(tb.Context(), s.Bucket, minio.MakeBucketOptions{}); err != nil {
		tb.Fatalf("make bucket: %v", err)
	}
	return s
}

// Client is a plain S3 client of the server, to look into the bucket from outside
// the code under test.
func (s *Server) Client(tb testing.TB, secret string) *minio.Client {
	tb.Helper()
	c, err := minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(AccessKey, secret, ""), BucketLookup: minio.BucketLookupPath})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// Objects lists the bucket's object names.
func (s *Server) Objects(tb testing.TB) []string {
	tb.Helper()
	var names []string
	for o := range s.Client(tb, SecretKey).ListObjects(tb.Context(), s.Bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			tb.Fatal(o.Err)
		}
		names = append(names, o.Key)
	}
	return names
}

func freePort(tb testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return "127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// waitReady waits until the gateway accepts connections; exited says it has stopped.
func waitReady(addr string, done <-chan error) (exited bool, err error) {
	deadline := time.After(20 * time.Second)
	for {
		select {
		case err := <-done:
			return true, fmt.Errorf("exited: %v", err)
		case <-deadline:
			return false, errors.New("not listening after 20 s")
		case <-time.After(50 * time.Millisecond):
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return false, nil
		}
	}
}

// MakePublic lets anyone read the bucket's objects, as a bucket serving a site's
// photos to browsers (or to a CDN) is set up.
func (s *Server) MakePublic(tb testing.TB) {
	tb.Helper()
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject"],` +
		`"Resource":["arn:aws:s3:::` + s.Bucket + `/*"]}]}`
	if err := s.Client(tb, SecretKey).SetBucketPolicy(tb.Context(), s.Bucket, policy); err != nil {
		tb.Fatal(err)
	}
}
