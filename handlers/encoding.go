package handlers

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
)

// A cached page is compressed once per encoding, on its first request in it, while
// that reader waits; in a busy discussion the page may be replaced a few milliseconds
// later. So the first compression is the fast one (gzip 1, brotli 1: a fifth of the
// time of the best settings, about an eighth larger), and a page that proves it stays
// (asked for upgradeAfter times, the last upgradeAge or more after the first) is
// compressed again at the best setting in the background. Both conditions matter:
// during a comment storm every version of the story's page is asked for many times
// within milliseconds, and compressing each again was a tenth of the server's work.
//
// Writers are reused: a new gzip writer is about 1 MB of state to allocate and clear,
// which cost more than compressing a page with it.
const (
	upgradeAfter = 16
	upgradeAge   = time.Second
)

// codec makes one Content-Encoding, with a pool of writers for each of its two settings.
type codec struct {
	fast, best sync.Pool
}

type compressor interface {
	io.WriteCloser
	Reset(io.Writer)
}

func newCodec(mk func(level int) compressor, fast, best int) *codec {
	return &codec{
		fast: sync.Pool{New: func() any { return mk(fast) }},
		best: sync.Pool{New: func() any { return mk(best) }},
	}
}

// klauspost/compress's gzip writes the same format as the standard library's, at
// the fast level in well under half the time (a 400 KB discussion page: 0.7 ms
// against 1.6 ms, and a little smaller), which is most of a big page's miss.
func newGzipCodec() *codec {
	return newCodec(func(level int) compressor {
		z, _ := gzip.NewWriterLevel(nil, level) // the levels below are valid, so there is no error
		return z
	}, gzip.BestSpeed, gzip.BestCompression)
}

// Brotli's quality 5 makes pages as small as 6 to 9 do, at a third of the time of 9;
// 11 takes two hundred times as long for a sixth less.
func newBrotliCodec() *codec {
	return newCodec(func(level int) compressor { return brotli.NewWriterLevel(nil, level) }, 1, 5)
}

// compressWith returns b compressed with a writer from pool; writing to a bytes.Buffer
// cannot fail.
func compressWith(b []byte, pool *sync.Pool) []byte {
	z := pool.Get().(compressor)
	var out bytes.Buffer
	out.Grow(len(b) / 4)
	z.Reset(&out)
	z.Write(b)
	z.Close()
	z.Reset(io.Discard) // the pool must not keep the page alive
	pool.Put(z)
	return out.Bytes()
}

// encoded is one compressed form of a cached page.
type encoded struct {
	once     sync.Once
	bytes    atomic.Pointer[[]byte]
	made     time.Time // of the fast form
	uses     atomic.Int64
	upgraded atomic.Bool
}

// get returns the page compressed, making it on first use and starting the better
// compression once the page has stayed (see upgradeAfter).
func (e *encoded) get(identity []byte, c *codec) []byte {
	e.once.Do(func() {
		b := compressWith(identity, &c.fast)
		e.made = time.Now()
		e.bytes.Store(&b)
	})
	// Once upgraded, a hit touches no shared counter (cores would pass its cache line around).
	if !e.upgraded.Load() && e.uses.Add(1) >= upgradeAfter && time.Since(e.made) >= upgradeAge && e.upgraded.CompareAndSwap(false, true) {
		go func() {
			b := compressWith(identity, &c.best)
			e.bytes.Store(&b)
		}()
	}
	return *e.bytes.Load()
}
