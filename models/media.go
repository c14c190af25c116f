package models

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"strconv"
	"strings"
	"sync"
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

// Limits on uploads. A tiny file may claim 50000×50000 pixels, and decoding it would
// allocate gigabytes: the pixel limit refuses such claims outright, and the memory
// budget refuses what fits the pixel limit but not memory (a 323 KB 16-bit PNG of
// 40 megapixels decodes to 320 MB and took ~900 MB to store). The size and the budget
// are the defaults of MediaStore's settings (serve's -upload-limit and -photo-memory).
const (
	DefaultMaxUploadBytes = 15 << 20
	MaxUploadPixels       = 40_000_000
	DefaultMaxDecodeBytes = 768 << 20
)

// SizeText writes a byte count in whole megabytes or kilobytes, the way people read
// limits ("15 MB"); the handlers' messages about limits use it too.
func SizeText(n int64) string {
	if n >= 1<<20 {
		return strconv.FormatInt(n>>20, 10) + " MB"
	}
	return strconv.FormatInt(n>>10, 10) + " KB"
}

// widths are the srcset sizes made for each photo (only those narrower than the original).
var widths = [...]int{480, 960, 1600}

// File is the name of the stored file at width w (0 = the original).
func (m Media) File(w int) string {
	if w == 0 || w >= m.Width {
		return m.Hash + "." + m.Ext
	}
	return m.Hash + "-" + strconv.Itoa(w) + "." + m.Ext
}

// Files names every stored file of the photo: the original and each smaller width.
func (m Media) Files() []string {
	names := []string{m.File(0)}
	for _, w := range m.Sizes {
		names = append(names, m.File(w))
	}
	return names
}

// MediaPath is where this site serves photo files; stories' HTML keeps addresses under it.
const MediaPath = "/media/"

// URL is the address of the file at width w (0 = the original) on this site.
func (m Media) URL(w int) string { return m.URLAt(MediaPath, w) }

// URLAt is the address of the file at width w under base, which ends in a slash:
// MediaPath, or a public bucket's or CDN's address.
func (m Media) URLAt(base string, w int) string { return base + m.File(w) }

// SrcSet is the srcset attribute value listing every stored width on this site.
func (m Media) SrcSet() string { return m.SrcSetAt(MediaPath) }

// SrcSetAt is SrcSet with the files' addresses under base (see URLAt).
func (m Media) SrcSetAt(base string) string {
	var parts []string
	for _, w := range m.Sizes {
		parts = append(parts, m.URLAt(base, w)+" "+strconv.Itoa(w)+"w")
	}
	parts = append(parts, m.URLAt(base, 0)+" "+strconv.Itoa(m.Width)+"w")
	return strings.Join(parts, ", ")
}

// BodyFigure is the HTML an editor inserts into a story's Markdown body to show this
// library photo there: a figure at every stored width with its caption and credit,
// written on one line so that Markdown keeps it as one block. The article sanitiser
// lets exactly this shape through (see figureBlock); the words are escaped here, so
// a caption is always text.
func (m Media) BodyFigure() string {
	var b strings.Builder
	b.WriteString(`<figure class="photo"><img src="` + m.URL(960) + `" srcset="` + m.SrcSet() + `" sizes="` + bodyPhotoSizes +
		`" width="` + strconv.Itoa(m.Width) + `" height="` + strconv.Itoa(m.Height) + `" alt="` + oneLine(m.Alt) + `" loading="lazy">`)
	credit := Image{Credit: m.Credit}.CreditLine()
	if m.Caption != "" || credit != "" {
		b.WriteString("<figcaption>" + oneLine(m.Caption))
		if credit != "" {
			b.WriteString(` <span class="credit">` + oneLine(credit) + "</span>")
		}
		b.WriteString("</figcaption>")
	}
	b.WriteString("</figure>")
	return b.String()
}

// bodyPhotoSizes is the width a photo takes in a story's column, as the lead photo's.
const bodyPhotoSizes = "(min-width: 48rem) 46rem, 100vw"

// oneLine escapes text for HTML and folds its line breaks, which would end the block.
func oneLine(s string) string { return html.EscapeString(strings.Join(strings.Fields(s), " ")) }

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

// MediaStore keeps photos' files in Files and their records in the database.
type MediaStore struct {
	s     *Store
	Files MediaFiles
	// MaxBytes and MaxDecodeBytes are the largest file taken and the most memory one
	// photo may take to process (Open sets the defaults above).
	MaxBytes, MaxDecodeBytes int64
	// decoding lets one photo at a time through decoding, resizing and encoding, so
	// the server's memory for photos is one MaxDecodeBytes budget, not one per upload
	// (four bombs at once took 2.6 GB).
	decoding sync.Mutex
}

// ErrMediaBusy: another photo is being processed and TrySave would not wait.
var ErrMediaBusy = errors.New("another photo is being processed")

// MediaError is an upload refused for what it is; the message is for the uploader.
type MediaError string

func (e MediaError) Error() string { return string(e) }

// Save checks, re-encodes and stores an uploaded photo, waiting while another photo
// is processed. The format is judged by the bytes, never the file name; metadata
// (EXIF, GPS) is dropped by re-encoding. Saving the same picture twice returns the
// existing record.
func (ms *MediaStore) Save(ctx context.Context, now time.Time, r io.Reader, meta Media, by int64) (Media, error) {
	return ms.save(ctx, now, r, meta, by, true)
}

// TrySave is Save for a request that someone is waiting on: while another photo is
// being processed it returns ErrMediaBusy at once instead of queueing uploads (and
// their memory) behind it.
func (ms *MediaStore) TrySave(ctx context.Context, now time.Time, r io.Reader, meta Media, by int64) (Media, error) {
	return ms.save(ctx, now, r, meta, by, false)
}

func (ms *MediaStore) save(ctx context.Context, now time.Time, r io.Reader, meta Media, by int64, wait bool) (Media, error) {
	data, err := io.ReadAll(io.LimitReader(r, ms.MaxBytes+1))
	if err != nil {
		return Media{}, err
	}
	if int64(len(data)) > ms.MaxBytes {
		return Media{}, MediaError("The file is larger than " + SizeText(ms.MaxBytes) + ".")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Media{}, MediaError("This is not a JPEG, PNG, GIF or WebP image, or the file is damaged.")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxUploadPixels || cfg.Width > 20000 || cfg.Height > 20000 {
		return Media{}, MediaError(fmt.Sprintf("The image is %d×%d pixels; the limit is %d megapixels.", cfg.Width, cfg.Height, MaxUploadPixels/1_000_000))
	}
	if need := decodeCost(cfg, format, data); need > ms.MaxDecodeBytes {
		return Media{}, MediaError(fmt.Sprintf("The image is %d×%d pixels at %s; processing it would take about %d MB, and the limit is %d MB. "+
			"Save it smaller or as an ordinary 8-bit JPEG or PNG.", cfg.Width, cfg.Height, depthName(cfg), need>>20, ms.MaxDecodeBytes>>20))
	}
	if wait {
		ms.decoding.Lock()
	} else if !ms.decoding.TryLock() {
		return Media{}, ErrMediaBusy
	}
	defer ms.decoding.Unlock()
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
	if err := ms.Files.Put(ctx, m.File(0), orig); err != nil {
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
		m.Sizes = append([]int{w}, m.Sizes...) // kept ascending, as srcset lists them
		if err := ms.Files.Put(ctx, m.File(w), b); err != nil {
			return Media{}, err
		}
	}
	sizes := make([]string, len(m.Sizes))
	for i, w := range m.Sizes {
		sizes[i] = strconv.Itoa(w)
	}
	err = ms.s.inTurn(ctx, func() error {
		return ms.s.W.QueryRowContext(ctx, `INSERT INTO media (hash, ext, width, height, sizes, alt, caption, credit, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, m.Hash, m.Ext, m.Width, m.Height, strings.Join(sizes, ","),
			m.Alt, m.Caption, m.Credit, sql.NullInt64{Int64: by, Valid: by != 0}, fmtTime(now)).Scan(&m.ID)
	})
	return m, err
}

// decodeCost estimates the memory storing a photo takes, from its header alone: the
// decoded pixels at the depth its colour model stores them, the widest resize (the
// scaler keeps a float64 RGBA row of the new width for every source row) and the
// re-encoded original, which for noise is as large as the pixels. It errs high: for
// 40 MP it says 576 MB for an 8-bit RGBA PNG and 496 MB for a JPEG, whose stores
// peaked at 471 and 400 MB resident. A GIF costs one frame: image.Decode keeps only
// the first.
func decodeCost(cfg image.Config, format string, data []byte) int64 {
	pixels := int64(cfg.Width) * int64(cfg.Height)
	cost := 2*pixels*bytesPerPixel(cfg.ColorModel) + int64(len(data))
	if format == "jpeg" && isProgressiveJPEG(data) {
		cost += 12 * pixels // a progressive JPEG keeps every DCT coefficient as an int32 until the last scan
	}
	for i := len(widths) - 1; i >= 0; i-- { // the widest size made, the only one scaled from the original
		if widths[i] < cfg.Width {
			cost += int64(widths[i]) * int64(cfg.Height) * 32 // xdraw's kernel scaler: [4]float64 per pixel
			break
		}
	}
	return cost
}

// bytesPerPixel is how many bytes a decoded pixel of model m takes.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3 // 4:4:4 at worst; DecodeConfig does not say how the chroma is subsampled
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8 // RGBA64, NRGBA64 and anything unknown: the widest
}

// depthName names an image's sample depth for a person.
func depthName(cfg image.Config) string {
	if bytesPerPixel(cfg.ColorModel) == 8 || cfg.ColorModel == color.Gray16Model {
		return "16 bits per channel"
	}
	return "8 bits per channel"
}

// isProgressiveJPEG reports whether a JPEG has a progressive frame header (SOF2). In
// entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so the pair
// can only be a marker (or sit in an embedded thumbnail: then the estimate is high).
func isProgressiveJPEG(data []byte) bool { return bytes.Contains(data, []byte{0xFF, 0xC2}) }

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

// List returns one page of the library, newest first: every photo, or with a query
// those whose alt text, caption and credit hold each of its words (in any of the
// three, in any case for ASCII letters: SQLite's LIKE).
func (ms *MediaStore) List(ctx context.Context, query string, p Page) (Paged[Media], error) {
	var out Paged[Media]
	cond, args := "", []any{}
	for i, w := range strings.Fields(query) {
		if i == maxQueryWords {
			break
		}
		cond += ` AND (alt || ' ' || caption || ' ' || credit) LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscape(w)+"%")
	}
	if cond != "" {
		cond = " WHERE" + strings.TrimPrefix(cond, " AND")
	}
	if err := ms.s.R.QueryRowContext(ctx, "SELECT count(*) FROM media"+cond, args...).Scan(&out.Total); err != nil {
		return out, err
	}
	out.setPage(p)
	var err error
	out.Items, err = queryAll(ctx, ms.s.R, scanMedia, "SELECT "+mediaCols+" FROM media"+cond+" ORDER BY id DESC LIMIT ? OFFSET ?",
		append(args, p.limit(), p.offset())...)
	return out, err
}

// maxQueryWords bounds the work one library search asks of the database.
const maxQueryWords = 8

// UpdateMeta changes the words kept with a photo: alt text (required), caption and credit.
func (ms *MediaStore) UpdateMeta(ctx context.Context, id int64, alt, caption, credit string) error {
	alt = strings.TrimSpace(alt)
	if alt == "" {
		return ValidationError{"alt": "Describe the photo for readers who cannot see it."}
	}
	return oneRow(ms.s.exec(ctx, "UPDATE media SET alt = ?, caption = ?, credit = ? WHERE id = ?",
		alt, strings.TrimSpace(caption), strings.TrimSpace(credit), id))
}

// Delete removes a photo from the library: its record, so that no page shows it any
// more (stories that led with it lose their photo), then its files.
func (ms *MediaStore) Delete(ctx context.Context, id int64) error {
	m, err := ms.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := oneRow(ms.s.exec(ctx, "DELETE FROM media WHERE id = ?", id)); err != nil {
		return err
	}
	for _, name := range m.Files() {
		if err := ms.Files.Delete(ctx, name); err != nil {
			return fmt.Errorf("photo %d removed from the library, but not its file %s from %s: %w", id, name, ms.Files, err)
		}
	}
	return nil
}
