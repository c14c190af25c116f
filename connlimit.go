package main

import (
	"fmt"
	"net"
	"sync"
	"time"
)

// perClientListener caps the connections one client address may hold open at once, so
// that a slow-loris client (many connections, each trickling its headers) fills only
// its own share and never the server's. A connection over the cap gets a plain 429
// and is closed before any request is read. Peers in exempt (trusted proxies, which
// carry many readers on one address) are not capped.
type perClientListener struct {
	net.Listener
	max    int
	exempt []*net.IPNet

	mu   sync.Mutex
	open map[string]int
}

func limitPerClient(ln net.Listener, max int, exempt []*net.IPNet) net.Listener {
	if max <= 0 {
		return ln
	}
	return &perClientListener{Listener: ln, max: max, exempt: exempt, open: map[string]int{}}
}

func (l *perClientListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host, _, err := net.SplitHostPort(c.RemoteAddr().String())
		if err != nil || l.isExempt(host) {
			return c, nil
		}
		l.mu.Lock()
		n := l.open[host]
		if n < l.max {
			l.open[host] = n + 1
		}
		l.mu.Unlock()
		if n >= l.max {
			go refuse(c)
			continue
		}
		return &countedConn{Conn: c, release: func() { l.release(host) }}, nil
	}
}

func (l *perClientListener) isExempt(host string) bool {
	ip := net.ParseIP(host)
	for _, n := range l.exempt {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

func (l *perClientListener) release(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[host]--; l.open[host] <= 0 {
		delete(l.open, host)
	}
}

// refuse answers a connection over the cap without reading from it, off the accept
// loop, with a deadline so a client that never reads cannot hold it.
func refuse(c net.Conn) {
	const body = "Too many connections from your address at once. Close some and try again.\n"
	c.SetWriteDeadline(time.Now().Add(time.Second))
	fmt.Fprintf(c, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 10\r\nContent-Type: text/plain; charset=utf-8\r\n"+
		"Connection: close\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	c.Close()
}

// countedConn gives its slot back once, however often it is closed.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// WriteBuffers sends bufs on the connection beneath, in one writev when it is TCP's
// (the page cache's answers are sent so: handlers.GatherWrites). Writes need no
// counting, so they may go straight to it.
func (c *countedConn) WriteBuffers(bufs *net.Buffers) (int64, error) { return bufs.WriteTo(c.Conn) }

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}
