// Package views holds Broadsheet's html/template files, embedded in the binary and
// parsed once at start-up, and the small, pure functions templates may call.
package views

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"
)

// FS holds every template. Pages extend layouts/base.html; partials are shared.
//
//go:embed layouts partials pages admin
var FS embed.FS

// Renderer executes named pages. Each page gets its own template set (a clone of
// the layouts and partials) so that every page can define "title" and "content".
type Renderer struct {
	fsys  fs.FS
	funcs template.FuncMap
	dev   bool // re-parse from disk on every render (the -dev flag)
	pages map[string]*template.Template
	bufs  sync.Pool // *bytes.Buffer: a page is built whole before it is sent (see Render)
}

// maxPooledBuffer keeps a rare huge page's buffer out of the pool.
const maxPooledBuffer = 1 << 20

// NewRenderer parses every template in fsys. funcs extends the built-in helpers
// (the caller adds "asset", which knows fingerprinted static URLs).
func NewRenderer(fsys fs.FS, funcs template.FuncMap, dev bool) (*Renderer, error) {
	r := &Renderer{fsys: fsys, funcs: template.FuncMap{}, dev: dev}
	for k, v := range baseFuncs {
		r.funcs[k] = v
	}
	for k, v := range funcs {
		r.funcs[k] = v
	}
	pages, err := r.parse()
	if err != nil {
		return nil, err
	}
	r.pages = pages
	return r, nil
}

func (r *Renderer) parse() (map[string]*template.Template, error) {
	root, err := template.New("").Funcs(r.funcs).ParseFS(r.fsys, "layouts/*.html", "partials/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, dir := range []string{"pages", "admin"} {
		files, err := fs.Glob(r.fsys, dir+"/*.html")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			t, err := root.Clone()
			if err != nil {
				return nil, err
			}
			if _, err := t.ParseFS(r.fsys, f); err != nil {
				return nil, err
			}
			name := strings.TrimSuffix(path.Base(f), ".html")
			if dir == "admin" {
				name = "admin/" + name
			}
			pages[name] = t
		}
	}
	return pages, nil
}

// page returns the template set of page name, parsed afresh in dev mode.
func (r *Renderer) page(name string) (*template.Template, error) {
	pages := r.pages
	if r.dev {
		var err error
		if pages, err = r.parse(); err != nil {
			return nil, err
		}
	}
	t, ok := pages[name]
	if !ok {
		return nil, fmt.Errorf("views: no page %q", name)
	}
	return t, nil
}

// Render writes page name with data. It renders into a buffer first so a template
// error never leaves half a page on the wire.
func (r *Renderer) Render(w io.Writer, name string, data any) error {
	return r.write(w, name, "base", data)
}

// WriteFragment writes the named template of page's set on its own, as Fragment
// renders it, to w: for a handler that puts a page together from parts (a story's
// discussion into the rest of its page, kept).
func (r *Renderer) WriteFragment(w io.Writer, page, name string, data any) error {
	return r.write(w, page, name, data)
}

// write executes template name of page's set into a buffer, then writes it to w.
func (r *Renderer) write(w io.Writer, page, name string, data any) error {
	t, err := r.page(page)
	if err != nil {
		return err
	}
	// The page is built in a buffer so that a failing template sends the error page,
	// not half a page. The buffer is reused: growing a fresh one to a story page's size
	// was a third of everything a page miss allocated.
	buf, _ := r.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			r.bufs.Put(buf)
		}
	}()
	if err := t.ExecuteTemplate(buf, name, data); err != nil {
		return fmt.Errorf("views: render %s/%s: %w", page, name, err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// Fragment renders the named template of page's set on its own, for a handler to reuse
// in later pages (the comments of a discussion page, shared by readers it looks the
// same to). The result is html/template's own output, escaped for element content,
// and is only ever put back into element content: so it may be trusted as HTML.
func (r *Renderer) Fragment(page, name string, data any) (template.HTML, error) {
	t, err := r.page(page)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("views: render %s/%s: %w", page, name, err)
	}
	return template.HTML(buf.String()), nil
}

var baseFuncs = template.FuncMap{
	"plural": Plural,
	"noun":   noun,
	"iso":    func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"add":    func(a, b int) int { return a + b },
	"seq": func(n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = i + 1
		}
		return s
	},
}

// Plural is a count with its noun: "1 draft", "2 drafts". Handlers use it for flashes.
func Plural(n int, one, many string) string { return fmt.Sprintf("%d %s", n, noun(n, one, many)) }

// noun is the word for n things without the number, for counts set in their own markup.
func noun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
