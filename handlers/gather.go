package handlers

import (
	"cmp"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"

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

// maxGathered is the largest answer sent in one write. Larger ones are few, their
// second write a small part of their cost, and the buffers kept for gathering stay small.
const maxGathered = 64 << 10

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

// gatheringConn is a connection whose writes, while held is set, are kept in held
// instead. Only the goroutine serving its current request writes to an HTTP/1 connection,
// so the field needs no lock.
type gatheringConn struct {
	net.Conn
	held *[]byte
}

func (g *gatheringConn) Write(p []byte) (int, error) {
	if g.held == nil {
		return g.Conn.Write(p)
	}
	*g.held = append(*g.held, p...) // a copy: net/http reuses its buffer
	return len(p), nil
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
// GatherWrites, over HTTP/1 without TLS (where only this goroutine writes to it), with a
// body of at most maxGathered bytes, the whole answer leaves in one write.
func (a *App) sendWhole(w http.ResponseWriter, r *http.Request, body []byte) error {
	w.Header()[echo.HeaderContentLength] = []string{strconv.Itoa(len(body))}
	g, _ := r.Context().Value(gatheringConnKey{}).(*gatheringConn)
	if g != nil && (g.held != nil || r.ProtoMajor != 1 || r.TLS != nil || len(body) > maxGathered) {
		g = nil // net/http writes it as it always does
	}
	if g != nil {
		bp := a.pageBuffers.Get().(*[]byte)
		defer a.pageBuffers.Put(bp)
		*bp = (*bp)[:0]
		g.held = bp
	}
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	if g == nil {
		return err
	}
	// What net/http still buffers joins the rest; were the writer unable to flush, it
	// would follow, in order, after what was held.
	flushErr := http.NewResponseController(w).Flush()
	held := *g.held
	g.held = nil
	_, sendErr := g.Conn.Write(held)
	return cmp.Or(err, sendErr, flushErr)
}
