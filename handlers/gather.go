package handlers

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// An answer from the page cache leaves in one write.
//
// net/http writes an answer through a 4 KB buffer, so one larger than that (a story with
// its discussion, gzipped, is 8 to 30 KB) leaves in two write system calls: the full
// buffer, then the rest. Behind a reverse proxy on the same machine, as on loopback,
// each write costs about as much as everything else a cache hit does. A connection from
// GatherWrites can hold an answer's bytes and send them in one write instead: sendWhole,
// given the whole answer, holds them from its status line to its last byte.
// Side by side with wrk on the sample story, 8 KB gzipped (c=32, server on one core,
// three rounds): 38,000-39,300 hits a second with two writes, 49,300-51,000 with one.
//
// What net/http copies into its buffer (the status line, the headers, the body's first
// few KB) is copied again into the held bytes; the rest of the body, which net/http hands
// over in place, is kept by reference and follows them in the same system call (writev).
// So a large answer (the 95 KB story page for a client without gzip) is sent whole
// without being copied, and the held buffers stay a few KB.
//
// The answer's own headers are written here too. net/http handles every header of an
// answer several times over (it clones the map, sorts the keys, checks each value for
// newlines and writes it in four pieces), and the dozen a cached page carries (security,
// caching, request id) cost a hit a fifth of its instructions: callgrind, 115,800 a gzip
// hit with them, 88,700 without. sendWhole takes those (liftedHeaders) out of the map
// before net/http sees it, writes them as one block after net/http's own (status line,
// Content-Length, Content-Type, Content-Encoding, Date), and puts them back in the map,
// which the log line and the error handler read. Side by side: 114,800 instructions a
// hit before, 101,200 after; server CPU time a gzip hit 39.9 µs before, 38.0 after, and
// an identity one 62.0 and 54.9 (wrk c=32, five interleaved rounds, medians; the rounds
// spread ±15%).

// GatherWrites makes ln's connections able to send an answer in one write. Serve them
// with ConnContext as the server's ConnContext, so the handlers can find them.
func GatherWrites(ln net.Listener) net.Listener { return gatheringListener{ln} }

type gatheringListener struct{ net.Listener }

func (l gatheringListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &gatheringConn{Conn: c}, nil
}

// ConnContext puts a connection from GatherWrites in its requests' context.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if g, ok := c.(*gatheringConn); ok {
		return context.WithValue(ctx, gatheringConnKey{}, g)
	}
	return ctx
}

type gatheringConnKey struct{}

// gatheringConn is a connection whose writes, while held is set, are kept instead of
// sent: copied into held, except the end of body (the answer being sent), which is kept
// in place as tail; send inserts head, the headers sendWhole wrote itself, after
// net/http's. Only the goroutine serving its current request writes to an HTTP/1
// connection, so the fields need no lock.
type gatheringConn struct {
	net.Conn
	held *[]byte
	body []byte                       // the body sendWhole is writing
	tail []byte                       // the end of body, as net/http handed it over
	head []byte                       // the lifted headers, written out (liftHeaders)
	took [len(liftedHeaders)][]string // their values, to put back in the map
	vec  [4][]byte                    // what send passes to writev
	out  net.Buffers                  // send's view of vec, which writev consumes
}

func (g *gatheringConn) Write(p []byte) (int, error) {
	if g.held == nil {
		return g.Conn.Write(p)
	}
	// Only a slice ending where body ends is kept in place: it is the caller's, whose
	// bytes stay put until sendWhole returns. Anything else may be net/http's own
	// buffer, which it fills again, and is copied.
	if g.tail == nil && len(p) > 0 && len(g.body) > 0 && &p[len(p)-1] == &g.body[len(g.body)-1] {
		g.tail = p
		return len(p), nil
	}
	if g.tail != nil { // net/http writes nothing after the body; were it to, order is kept
		*g.held = append(*g.held, g.tail...)
		g.tail = nil
	}
	*g.held = append(*g.held, p...)
	return len(p), nil
}

// buffersWriter is a connection that sends several slices in one system call. A
// wrapper around a TCP connection (main's countedConn) has it when it passes them on:
// net.Buffers sends them with writev only to the net package's own connections.
type buffersWriter interface {
	WriteBuffers(*net.Buffers) (int64, error)
}

// send writes what was held with the lifted headers inserted where net/http's end, then
// the tail: in one writev on a TCP connection, or on a connection that passes them to one.
func (g *gatheringConn) send(held, head, tail []byte) error {
	end := bytes.Index(held, headerEnd)
	if end < 0 { // net/http always ends its headers so; were it not to, send nothing rather than a wrong answer
		g.Conn.Close()
		return errors.New("gather: no end of headers in the answer")
	}
	end += 2 // after the last header's line, before the empty line
	g.vec = [4][]byte{held[:end], head, held[end:], tail}
	g.out = g.vec[:]
	var err error
	if bw, ok := g.Conn.(buffersWriter); ok {
		_, err = bw.WriteBuffers(&g.out)
	} else {
		_, err = g.out.WriteTo(g.Conn)
	}
	g.vec, g.out = [4][]byte{}, nil // the body is not kept past its answer
	return err
}

var headerEnd = []byte("\r\n\r\n")

// liftedHeaders are the headers sendWhole writes itself when it gathers: those every
// page from the cache carries, none of which net/http reads (it reads Content-Length,
// Content-Type, Content-Encoding, Transfer-Encoding, Connection, Trailer and Date, which
// it is left to write).
var liftedHeaders = [...]string{
	"Cache-Control", "Content-Security-Policy", "Etag", "Last-Modified", "Referrer-Policy",
	"Strict-Transport-Security", "Surrogate-Key", "Vary", "X-Content-Type-Options",
	"X-Frame-Options", "X-Request-Id", "X-Xss-Protection",
}

// liftHeaders takes liftedHeaders out of h and writes them into g.head as net/http would
// (one value each, on a line of its own). A header with several values, or a value net/http
// would change (a line break, which it turns into a space, or space at either end, which it
// trims), is left to net/http.
func (g *gatheringConn) liftHeaders(h http.Header) {
	g.head = g.head[:0]
	for i, k := range liftedHeaders {
		vs := h[k]
		if len(vs) != 1 || !plainHeaderValue(vs[0]) {
			continue
		}
		g.head = append(append(append(append(g.head, k...), ": "...), vs[0]...), "\r\n"...)
		g.took[i] = vs
		delete(h, k)
	}
}

// restoreHeaders puts what liftHeaders took back in h.
func (g *gatheringConn) restoreHeaders(h http.Header) {
	for i, vs := range g.took {
		if vs != nil {
			h[liftedHeaders[i]] = vs
			g.took[i] = nil
		}
	}
}

func plainHeaderValue(v string) bool {
	if strings.IndexByte(v, '\n') >= 0 || strings.IndexByte(v, '\r') >= 0 {
		return false
	}
	return v == "" || (v[0] != ' ' && v[0] != '\t' && v[len(v)-1] != ' ' && v[len(v)-1] != '\t')
}

// ReadFrom keeps net/http's sendfile for files (photos, static assets) when the
// connection underneath has it, as a bare TCP connection from a trusted proxy does.
func (g *gatheringConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := g.Conn.(io.ReaderFrom); ok && g.held == nil {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{g}, r) // hides this method from io.Copy
}

// sendWhole answers 200 with body and its Content-Length. Over a connection from
// GatherWrites, over HTTP/1 without TLS (where only this goroutine writes to it), the
// whole answer leaves in one write. body must stay unchanged until sendWhole returns.
func (a *App) sendWhole(w http.ResponseWriter, r *http.Request, body []byte) error {
	w.Header()[echo.HeaderContentLength] = []string{strconv.Itoa(len(body))}
	g, _ := r.Context().Value(gatheringConnKey{}).(*gatheringConn)
	if g != nil && (g.held != nil || r.ProtoMajor != 1 || r.TLS != nil) {
		g = nil // net/http writes it as it always does
	}
	if g != nil {
		bp := a.pageBuffers.Get().(*[]byte)
		defer a.pageBuffers.Put(bp)
		*bp = (*bp)[:0]
		g.held, g.body = bp, body
		g.liftHeaders(w.Header())
	}
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	if g == nil {
		return err
	}
	// What net/http still buffers joins the rest; were the writer unable to flush, it
	// would follow, in order, after what was held.
	flushErr := http.NewResponseController(w).Flush()
	held, tail := *g.held, g.tail
	g.held, g.body, g.tail = nil, nil, nil
	g.restoreHeaders(w.Header())
	sendErr := g.send(held, g.head, tail)
	return cmp.Or(err, sendErr, flushErr)
}
