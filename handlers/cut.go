package handlers

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
)

// Pages cut into parts. Most of a story page's miss after a comment is the same bytes
// as the version before it: the story, its surroundings, and often the page of
// comments (a comment landed on another page) and their structured data. Compressing
// the whole page again was an eighth of the miss. So a page rendered for the page
// cache carries a mark (page.Cut) where it may be cut: before the discussion, around
// its list of comments, around the comments in its structured data. The page is kept
// whole, with the marks taken out, and its gzip form is made of each part's DEFLATE
// form, kept by the part's content (deflateKept): the miss compresses only the parts
// that changed, here the few kilobytes around the count.

// cutKey is set while a miss renders for the page cache: newPage then sets page.Cut.
const cutKey = "cache.cut"

// cutParts takes the marks out of a page rendered for the page cache, in place (a
// new copy of a story page cost as much as the compression it saves): the page whole,
// and its parts between the marks (nil when it had none) for gzipParts.
func (a *App) cutParts(body []byte) (page []byte, parts [][]byte) {
	mark := []byte(a.cutMark)
	i := bytes.Index(body, mark)
	if i < 0 {
		return body, nil
	}
	page = body[:i]
	parts = [][]byte{body[:i:i]}
	for rest := body[i+len(mark):]; ; {
		part, after, found := bytes.Cut(rest, mark)
		start := len(page)
		page = append(page, part...) // moves it left, over the marks taken out
		parts = append(parts, page[start:len(page):len(page)])
		if !found {
			return page, parts
		}
		rest = after
	}
}

// gzipParts is the gzip form of a page cut into parts.
func (a *App) gzipParts(parts [][]byte) []byte {
	deflated := make([][]byte, len(parts))
	for i, part := range parts {
		deflated[i] = a.deflateKept(part)
	}
	return joinGzip(nil, parts, deflated, nil)
}

// storedBelow is the length under which a part is laid in as it is, in a stored block:
// compressing a story's count ("62 comments") built a Huffman table (about 10 µs) to
// save a few bytes.
const storedBelow = 64

// deflateKept is deflatePart(part), kept by the part's content for the next page
// that has it too; a part shorter than storedBelow is stored.
func (a *App) deflateKept(part []byte) []byte {
	if len(part) < storedBelow {
		return appendStored(nil, part)
	}
	key := a.partKey(part)
	if d, ok := a.deflated.get(key); ok {
		return d
	}
	d := a.deflatePart(part)
	a.deflated.put(key, d, int64(len(d)+len(key))+64)
	return d
}

// partKey names a part by its content: its length and a 64-bit hash under this
// server's own random seed (a chance of 2^-64 that two parts share a key, and no way
// to make them do so without the seed). It is a pass over the part in memory, far
// cheaper than compressing it.
func (a *App) partKey(b []byte) string {
	var k [16]byte
	binary.LittleEndian.PutUint64(k[0:], uint64(len(b)))
	binary.LittleEndian.PutUint64(k[8:], maphash.Bytes(a.seeds[1], b))
	return string(k[:])
}
