package models

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "golang.org/x/image/webp" // … or WebP
	_ "image/gif"               // decoders registered for image.Decode: uploads may be GIF …

	xdraw "golang.org/x/image/draw"
)

// Media is a stored photo: a re-encoded original plus the smaller widths pages use in srcset.
type Media struct {
	ID      int64
	Hash    string
	Ext     string
	Width   int
	Height  int
	Sizes   []int
	Alt     string
	Caption string
	Credit  string
}

// Limits on uploads. The pixel limit is what stops decompression bombs: a tiny
// file may claim 50000×50000 pixels, and decoding it would allocate gigabytes.
const (
	MaxUploadBytes  = 15 << 20
	MaxUploadPixels = 40_000_000
)

// widths are the srcset sizes made for each photo (only those narrower than the original).
var widths = [...]int{480, 960, 1600}

// URL is the address of the file at width w (0 = the original).
func (m Media) URL(w int) string {
	if w == 0 || w >= m.Width {
		return "/media/" + m.Hash + "." + m.Ext
	}
	return "/media/" + m.Hash + "-" + strconv.Itoa(w) + "." + m.Ext
}

// SrcSet is the srcset attribute value listing every stored width.
func (m Media) SrcSet() string {
	var parts []string
	for _, w := range m.Sizes {
		parts = append(parts, m.URL(w)+" "+strconv.Itoa(w)+"w")
	}
	parts = append(parts, m.URL(0)+" "+strconv.Itoa(m.Width)+"w")
	return strings.Join(parts, ", ")
}

// HeightAt is the height of the image scaled to width w, for width/height attributes.
func (m Media) HeightAt(w int) int {
	if m.Width == 0 {
		return 0
	}
	return m.Height * w / m.Width
}

func parseSizes(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// MediaStore keeps photos on disk under Dir and their records in the database.
type MediaStore struct {
	s   *Store
	Dir string
}

// MediaError is an upload refused for what it is; the message is for the uploader.
type MediaError string

func (e MediaError) Error() string { return string(e) }

// Save checks, re-encodes and stores an uploaded photo. The format is judged by
// the bytes, never the file name; metadata (EXIF, GPS) is dropped by re-encoding.
// Saving the same picture twice returns the existing record.
func (ms *MediaStore) Save(ctx context.Context, now time.Time, r io.Reader, meta Media, by int64) (Media, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxUploadBytes+1))
	if err != nil {
		return Media{}, err
	}
	if len(data) > MaxUploadBytes {
		return Media{}, MediaError(fmt.Sprintf("The file is larger than %d MB.", MaxUploadBytes>>20))
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Media{}, MediaError("This is not a JPEG, PNG, GIF or WebP image, or the file is damaged.")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxUploadPixels || cfg.Width > 20000 || cfg.Height > 20000 {
		return Media{}, MediaError(fmt.Sprintf("The image is %d×%d pixels; the limit is %d megapixels.", cfg.Width, cfg.Height, MaxUploadPixels/1_000_000))
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return Media{}, MediaError("The image could not be read; the file may be truncated.")
	}
	// PNG and GIF keep lossless PNG (diagrams, logos); photos become JPEG.
	ext := "jpg"
	if format == "png" || format == "gif" {
		ext = "png"
	}
	orig, err := encode(img, ext)
	if err != nil {
		return Media{}, err
	}
	sum := sha256.Sum256(orig)
	m := meta
	m.Hash, m.Ext = hex.EncodeToString(sum[:16]), ext
	m.Width, m.Height = img.Bounds().Dx(), img.Bounds().Dy()

	if existing, err := ms.byHash(ctx, m.Hash); err == nil {
		return existing, nil
	} else if !errors.Is(err, ErrNotFound) {
		return Media{}, err
	}
	if err := os.MkdirAll(ms.Dir, 0o755); err != nil {
		return Media{}, err
	}
	if err := writeFile(filepath.Join(ms.Dir, m.Hash+"."+ext), orig); err != nil {
		return Media{}, err
	}
	// Widest first, each size scaled from the one before: a step of at most ~2× keeps
	// CatmullRom's quality while the smaller sizes read far fewer pixels.
	src := img
	for i := len(widths) - 1; i >= 0; i-- {
		w := widths[i]
		if w >= m.Width {
			continue
		}
		src = resize(src, w)
		b, err := encode(src, ext)
		if err != nil {
			return Media{}, err
		}
		if err := writeFile(filepath.Join(ms.Dir, fmt.Sprintf("%s-%d.%s", m.Hash, w, ext)), b); err != nil {
			return Media{}, err
		}
		m.Sizes = append([]int{w}, m.Sizes...) // kept ascending, as srcset lists them
	}
	sizes := make([]string, len(m.Sizes))
	for i, w := range m.Sizes {
		sizes[i] = strconv.Itoa(w)
	}
	err = ms.s.W.QueryRowContext(ctx, `INSERT INTO media (hash, ext, width, height, sizes, alt, caption, credit, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, m.Hash, m.Ext, m.Width, m.Height, strings.Join(sizes, ","),
		m.Alt, m.Caption, m.Credit, sql.NullInt64{Int64: by, Valid: by != 0}, fmtTime(now)).Scan(&m.ID)
	return m, err
}

func (ms *MediaStore) byHash(ctx context.Context, hash string) (Media, error) {
	return scanMedia(ms.s.R.QueryRowContext(ctx, "SELECT "+mediaCols+" FROM media WHERE hash = ?", hash))
}

func encode(img image.Image, ext string) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	if ext == "png" {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 82})
	}
	return buf.Bytes(), err
}

func resize(img image.Image, w int) image.Image {
	b := img.Bounds()
	h := b.Dy() * w / b.Dx()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

// writeFile writes atomically: a reader never sees half a photo.
func writeFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

const mediaCols = "id, hash, ext, width, height, sizes, alt, caption, credit"

func scanMedia(sc scanner) (Media, error) {
	var m Media
	var sizes string
	err := sc.Scan(&m.ID, &m.Hash, &m.Ext, &m.Width, &m.Height, &sizes, &m.Alt, &m.Caption, &m.Credit)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	m.Sizes = parseSizes(sizes)
	return m, err
}

// Get returns the photo with this id, or ErrNotFound.
func (ms *MediaStore) Get(ctx context.Context, id int64) (Media, error) {
	return scanMedia(ms.s.R.QueryRowContext(ctx, "SELECT "+mediaCols+" FROM media WHERE id = ?", id))
}

// List returns one page of the library, newest first.
func (ms *MediaStore) List(ctx context.Context, p Page) (Paged[Media], error) {
	var out Paged[Media]
	if err := ms.s.R.QueryRowContext(ctx, "SELECT count(*) FROM media").Scan(&out.Total); err != nil {
		return out, err
	}
	out.setPage(p)
	var err error
	out.Items, err = queryAll(ctx, ms.s.R, scanMedia, "SELECT "+mediaCols+" FROM media ORDER BY id DESC LIMIT ? OFFSET ?", p.limit(), p.offset())
	return out, err
}

// UpdateMeta changes the words kept with a photo: alt text (required), caption and credit.
func (ms *MediaStore) UpdateMeta(ctx context.Context, id int64, alt, caption, credit string) error {
	alt = strings.TrimSpace(alt)
	if alt == "" {
		return ValidationError{"alt": "Describe the photo for readers who cannot see it."}
	}
	return oneRow(ms.s.W.ExecContext(ctx, "UPDATE media SET alt = ?, caption = ?, credit = ? WHERE id = ?",
		alt, strings.TrimSpace(caption), strings.TrimSpace(credit), id))
}
