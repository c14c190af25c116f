// Package public holds the static files (CSS, scripts, images), embedded in the
// binary and served under fingerprinted names so browsers may cache them forever.
package public

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
)

// FS holds every static file.
//
//go:embed css img js
var FS embed.FS

// Assets maps file names to fingerprinted URLs and back.
type Assets struct {
	fsys   fs.FS
	url    map[string]string // "css/site.css" → "/static/css/site.1a2b3c4d5e.css"
	byHash map[string]string // "css/site.1a2b3c4d5e.css" → "css/site.css"
}

// NewAssets hashes every file in fsys once, at start-up.
func NewAssets(fsys fs.FS) (*Assets, error) {
	a := &Assets{fsys: fsys, url: map[string]string{}, byHash: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		hashed := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		a.url[p] = "/static/" + hashed
		a.byHash[hashed] = p
		return nil
	})
	return a, err
}

// URL returns the fingerprinted URL of a file, or "" if there is no such file
// (templates then fail visibly in tests rather than linking to a 404).
func (a *Assets) URL(name string) string { return a.url[name] }

// Lookup returns the file name behind a fingerprinted path (without "/static/").
func (a *Assets) Lookup(hashed string) (string, bool) {
	name, ok := a.byHash[hashed]
	return name, ok
}

// Read returns the bytes of a file.
func (a *Assets) Read(name string) ([]byte, error) { return fs.ReadFile(a.fsys, name) }
