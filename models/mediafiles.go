package models

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// MediaFiles is where the photo files live: a folder on this machine (LocalFiles,
// the default) or an S3-compatible bucket (package models/s3files), so that several
// app servers can share one library. Names are the flat, content-addressed names
// MediaStore makes ("<hash>.jpg", "<hash>-480.jpg"); a name never changes its bytes.
type MediaFiles interface {
	// Put stores b under name, whole or not at all: a reader never sees half a photo.
	Put(ctx context.Context, name string, b []byte) error
	// Open returns the file to read, with its size and time; ErrNotFound if there is none.
	Open(ctx context.Context, name string) (*MediaFile, error)
	// Exists reports whether name is stored.
	Exists(ctx context.Context, name string) (bool, error)
	// Delete removes name; a name that is already gone is no error.
	Delete(ctx context.Context, name string) error
	// Walk calls fn for every stored file, in no promised order.
	Walk(ctx context.Context, fn func(name string, size int64) error) error
	// String says where the files are, for logs and messages (never a secret).
	String() string
}

// MediaFile is an open photo file. Reading it streams the bytes (a bucket's object
// is fetched as it is read, and Seek turns into a ranged request), so serving one
// never holds a whole photo in memory.
type MediaFile struct {
	io.ReadSeekCloser
	Size    int64
	ModTime time.Time
}

// LocalFiles keeps photo files in one folder (DATA/uploads).
type LocalFiles struct{ Dir string }

func (l LocalFiles) String() string { return l.Dir }

// path confines a name to the folder: names come from URLs.
func (l LocalFiles) path(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return "", ErrNotFound
	}
	return filepath.Join(l.Dir, name), nil
}

func (l LocalFiles) Put(_ context.Context, name string, b []byte) error {
	p, err := l.path(name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(l.Dir, 0o755); err != nil {
		return err
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

func (l LocalFiles) Open(_ context.Context, name string) (*MediaFile, error) {
	p, err := l.path(name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, errors.Join(ErrNotFound, err)
	}
	return &MediaFile{ReadSeekCloser: f, Size: st.Size(), ModTime: st.ModTime()}, nil
}

func (l LocalFiles) Exists(_ context.Context, name string) (bool, error) {
	p, err := l.path(name)
	if err != nil {
		return false, nil
	}
	_, err = os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

func (l LocalFiles) Delete(_ context.Context, name string) error {
	p, err := l.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Walk skips what Put leaves behind when interrupted (*.tmp) and anything not a plain file.
func (l LocalFiles) Walk(ctx context.Context, fn func(name string, size int64) error) error {
	entries, err := os.ReadDir(l.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	for _, e := range entries {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !e.Type().IsRegular() || strings.HasSuffix(e.Name(), ".tmp") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		if err := fn(e.Name(), info.Size()); err != nil {
			return err
		}
	}
	return nil
}

// CopySummary counts what CopyFiles did and checked.
type CopySummary struct {
	Files, Copied, Present int // files in the source; copied; already at the destination with the same size
	Photos, Checked        int // the library's photos, and their files found at the destination
}

// CopyFiles copies every photo file from the store's Files to dst, skipping those dst
// already holds at the same size (so an interrupted copy can run again), then checks
// that every photo in the library has all its files in dst.
func (ms *MediaStore) CopyFiles(ctx context.Context, dst MediaFiles) (CopySummary, error) {
	var sum CopySummary
	there, err := sizes(ctx, dst)
	if err != nil {
		return sum, err
	}
	err = ms.Files.Walk(ctx, func(name string, size int64) error {
		sum.Files++
		if n, ok := there[name]; ok && n == size {
			sum.Present++
			return nil
		}
		f, err := ms.Files.Open(ctx, name)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if err := dst.Put(ctx, name, b); err != nil {
			return err
		}
		sum.Copied++
		return nil
	})
	if err != nil {
		return sum, err
	}
	if there, err = sizes(ctx, dst); err != nil {
		return sum, err
	}
	all, err := queryAll(ctx, ms.s.R, scanMedia, "SELECT "+mediaCols+" FROM media ORDER BY id")
	if err != nil {
		return sum, err
	}
	var missing []string
	for _, m := range all {
		sum.Photos++
		for _, name := range m.Files() {
			if _, ok := there[name]; ok {
				sum.Checked++
			} else {
				missing = append(missing, name)
			}
		}
	}
	if len(missing) > 0 {
		return sum, fmt.Errorf("%d file(s) of the library are in neither %s nor %s, so their photos will not show: %s",
			len(missing), ms.Files, dst, strings.Join(missing[:min(len(missing), 10)], ", "))
	}
	return sum, nil
}

// sizes lists the files of f by name.
func sizes(ctx context.Context, f MediaFiles) (map[string]int64, error) {
	out := map[string]int64{}
	err := f.Walk(ctx, func(name string, size int64) error { out[name] = size; return nil })
	return out, err
}
