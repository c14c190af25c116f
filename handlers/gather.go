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
	"time"

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
// An answer's own headers can be written here too: those a hit carries in answerHeaders
// (headers.go), which never enter the header map, and the Date. Side by side (callgrind,
// gzip hits of the 60-comment story, c=1): 114,800 instructions a hit when net/http wrote
// every header, 101,200 when sendWhole took a dozen out of the map and wrote them itself,
// 100,500-103,300 on a later session's machine, 84,800-85,400 when they never entered it,
// 83,200 with the Date made once a second.

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
	body []byte      // the body sendWhole is writing
	tail []byte      // the end of body, as net/http handed it over
	head []byte      // the answer's answerHeaders, written out
	vec  [4][]byte   // what send passes to writev
	out  net.Buffers // send's view of vec, which writev consumes
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

// send writes what was held with head (the headers sendWhole wrote) inserted where
// net/http's end, then the tail: in one writev on a TCP connection, or on a connection that passes them to one.
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

// ReadFrom keeps net/http's sendfile for files (photos, static assets) when the
// connection underneath has it, as a bare TCP connection from a trusted proxy does.
func (g *gatheringConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := g.Conn.(io.ReaderFrom); ok && g.held == nil {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{g}, r) // hides this method from io.Copy
}

// sendWhole answers 200 with body, its Content-Length and own. Over a connection from
// GatherWrites, over HTTP/1 without TLS (where only this goroutine writes to it), the
// whole answer leaves in one write, own written after net/http's headers; anywhere else
// own goes in the header map. body must stay unchanged until sendWhole returns.
func (a *App) sendWhole(w http.ResponseWriter, r *http.Request, body []byte, own answerHeaders) error {
	w.Header()[echo.HeaderContentLength] = []string{strconv.Itoa(len(body))}
	g, _ := r.Context().Value(gatheringConnKey{}).(*gatheringConn)
	if g != nil && (g.held != nil || r.ProtoMajor != 1 || r.TLS != nil) {
		g = nil // net/http writes it as it always does
	}
	if g == nil {
		own.setIn(w.Header())
	} else {
		bp := a.pageBuffers.Get().(*[]byte)
		defer a.pageBuffers.Put(bp)
		*bp = (*bp)[:0]
		g.held, g.body = bp, body
		g.head = a.appendDate(own.appendTo(g.head[:0]), time.Now())
		w.Header()["Date"] = nil // net/http's way to be told not to write its own
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
	sendErr := g.send(held, g.head, tail)
	return cmp.Or(err, sendErr, flushErr)
}
