package handlers

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/flate"
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
//
// A browser takes gzip and brotli both. It gets the gzip form until the page has
// stayed by the same rule, and then brotli at its best setting, made in the background
// (brotliOnceItStays): brotli's fast setting took twice gzip's time, and a cut page's
// gzip form is mostly made already (cut.go), so in a comment storm no page is ever
// compressed with brotli while a reader waits, or at all. A client that takes brotli
// alone still gets it at once.
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

// stayed reports whether a page asked for uses times, its first form made at made, has
// stayed long enough to be worth compressing better (see upgradeAfter).
func stayed(uses int64, made time.Time) bool {
	return uses >= upgradeAfter && time.Since(made) >= upgradeAge
}

// ready reports whether the form has been made.
func (e *encoded) ready() bool { return e.bytes.Load() != nil }

// seed stores a fast form made another way (a cut page's, from its parts: cut.go),
// unless one was made already.
func (e *encoded) seed(b []byte) {
	e.once.Do(func() {
		e.made = time.Now()
		e.bytes.Store(&b)
	})
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
	if !e.upgraded.Load() && stayed(e.uses.Add(1), e.made) && e.upgraded.CompareAndSwap(false, true) {
		go func() {
			b := compressWith(identity, &c.best)
			e.bytes.Store(&b)
		}()
	}
	return *e.bytes.Load()
}

// deflatePart compresses b as raw DEFLATE ended by a sync flush and not closed: it
// ends on a byte boundary with the stream still open, so parts compressed this way
// can be laid end to end, with stored blocks between them, as one stream (RFC 1951).
// Whoever asks first waits for it, so at the fastest level, as a cached page's first
// compression is: the 60-comment story's 70 KB take 0.34 ms to 7.0 KB, against
// 1.28 ms to 6.3 KB at the best level. Writers are pooled, as the codecs' are: a story
// page's miss compresses the few parts that changed (cut.go), and a new writer costs
// more than such a part.
func (a *App) deflatePart(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b)/4 + 64)
	z, _ := a.deflaters.Get().(*flate.Writer)
	if z == nil {
		z, _ = flate.NewWriter(&out, flate.BestSpeed) // a valid level: no error
	} else {
		z.Reset(&out)
	}
	z.Write(b) // into a bytes.Buffer: cannot fail
	z.Flush()
	z.Reset(io.Discard) // the pool must not keep the part alive
	a.deflaters.Put(z)
	return out.Bytes()
}

// joinGzip appends to dst one gzip member (RFC 1952) holding parts with sep between
// each two: the parts' DEFLATE forms as made by deflatePart, sep in stored blocks, and
// an empty final block. The checksum covers the uncompressed bytes, so it is computed
// per answer; that is a fast pass over memory, not a compression.
func joinGzip(dst []byte, parts, deflated [][]byte, sep []byte) []byte {
	dst = append(dst, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255) // DEFLATE, no flags, no time, unknown OS
	var crc uint32
	var size int
	for i := range parts {
		if i > 0 {
			dst = appendStored(dst, sep)
			crc = crc32.Update(crc, crc32.IEEETable, sep)
			size += len(sep)
		}
		dst = append(dst, deflated[i]...)
		crc = crc32.Update(crc, crc32.IEEETable, parts[i])
		size += len(parts[i])
	}
	dst = append(dst, 1, 0, 0, 0xff, 0xff) // final stored block, empty
	dst = binary.LittleEndian.AppendUint32(dst, crc)
	return binary.LittleEndian.AppendUint32(dst, uint32(size))
}

// appendStored appends b as non-final stored DEFLATE blocks (at most 65,535 bytes
// each), starting on the byte boundary a sync flush leaves.
func appendStored(dst, b []byte) []byte {
	for len(b) > 0 {
		n := min(len(b), 0xffff)
		dst = append(dst, 0, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
		dst = append(dst, b[:n]...)
		b = b[n:]
	}
	return dst
}
