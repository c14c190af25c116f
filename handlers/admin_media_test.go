package handlers

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/models"
)

func testPNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func testJPEG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 3), uint8(x ^ y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// bombPNG is a few dozen bytes claiming width×height pixels: a valid signature and
// IHDR (with its CRC), so a decoder would believe it, then an empty IDAT and IEND.
func bombPNG(width, height uint32) []byte {
	return rawPNG(width, height, 8, 6, []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01}) // 8-bit RGBA
}

// rawPNG assembles a PNG from an IHDR's fields and the IDAT's (zlib) bytes, each
// chunk with its CRC, so any header can be claimed.
func rawPNG(width, height uint32, depth, colorType byte, idat []byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(kind)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(kind), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], width)
	binary.BigEndian.PutUint32(ihdr[4:], height)
	ihdr[8], ihdr[9] = depth, colorType
	chunk("IHDR", ihdr)
	chunk("IDAT", idat)
	chunk("IEND", nil)
	return b.Bytes()
}

// blankPNG is a real, decodable PNG of width×height black pixels at the given depth
// and colour type (0 grey, 6 RGBA), compressed row by row so that making even a
// 40-megapixel one never holds its pixels: a few hundred KB that decode to hundreds of MB.
func blankPNG(tb testing.TB, width, height int, depth, colorType byte) []byte {
	tb.Helper()
	channels := map[byte]int{0: 1, 6: 4}[colorType]
	row := make([]byte, 1+width*channels*int(depth)/8) // filter byte 0, then the samples
	var idat bytes.Buffer
	z, err := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	if err != nil {
		tb.Fatal(err)
	}
	for range height {
		z.Write(row)
	}
	if err := z.Close(); err != nil {
		tb.Fatal(err)
	}
	return rawPNG(uint32(width), uint32(height), depth, colorType, idat.Bytes())
}

// stored counts media rows and stored files, to prove a refusal left nothing behind.
func (n *adminSite) stored() (rows, files int) {
	n.tb.Helper()
	n.Store.R.QueryRow("SELECT count(*) FROM media").Scan(&rows)
	err := n.Store.Media.Files.Walk(context.Background(), func(string, int64) error { files++; return nil })
	if err != nil {
		n.tb.Fatal(err)
	}
	return rows, files
}

func TestMediaUploadRefusesHostileFiles(t *testing.T) {
	n := newAdminSite(t)
	good := testJPEG(t, 200, 150)
	cases := []struct {
		name, filename string
		data           []byte
		status         int
		message        string
	}{
		{"truncated JPEG", "photo.jpg", good[:len(good)/2], 422, "truncated"},
		{"text named .png", "photo.png", []byte("this is not a picture, just words\n"), 422, "not a JPEG, PNG, GIF or WebP"},
		{"decompression bomb", "bomb.png", bombPNG(50000, 50000), 422, "50000×50000 pixels"},
		{"over the size limit", "huge.jpg", append(append([]byte{}, good...), make([]byte, models.DefaultMaxUploadBytes)...), 422, "larger than 15 MB"},
		{"over the body limit", "huger.jpg", make([]byte, models.DefaultMaxUploadBytes+defaultFormBytes+1), 413, "Too large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, files := n.stored()
			res := n.postMultipart("/admin/media", "editor", url.Values{"alt": {"A test"}}, "file", tc.filename, tc.data)
			doc := parse(t, res)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			if got := text(doc.Find("main")); !strings.Contains(got, tc.message) {
				t.Errorf("page says %q, want %q", got, tc.message)
			}
			if tc.status == 422 && doc.Find("#e-file").Length() != 1 {
				t.Errorf("no message beside the file field")
			}
			if res.Header.Get("Cache-Control") != "private, no-store" {
				t.Errorf("Cache-Control %q", res.Header.Get("Cache-Control"))
			}
			if r2, f2 := n.stored(); r2 != rows || f2 != files {
				t.Errorf("refused upload left %d rows, %d files (before %d, %d)", r2, f2, rows, files)
			}
		})
	}
}

func TestMediaUploadJudgesBytesNotNames(t *testing.T) {
	n := newAdminSite(t)
	rows, files := n.stored()
	res := n.postMultipart("/admin/media", "author", url.Values{"alt": {"Gradient"}, "credit": {"Photo: Staff"}}, "file", "really-a-png.jpg", testPNG(t, 1200, 300))
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("PNG named .jpg: %d", res.StatusCode)
	}
	r2, f2 := n.stored()
	if r2 != rows+1 || f2 != files+3 { // the original plus the 480 and 960 widths
		t.Errorf("stored %d rows, %d files; want %d, %d", r2, f2, rows+1, files+3)
	}
	doc := parse(t, n.send(http.MethodGet, "/admin/media", "author", nil))
	img := doc.Find(".media-grid img").First()
	if src := img.AttrOr("src", ""); !strings.HasSuffix(src, "-480.png") || img.AttrOr("alt", "") != "Gradient" {
		t.Errorf("library shows %q alt %q", src, img.AttrOr("alt", ""))
	}
	// GIFs are accepted too, kept losslessly as PNG.
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, image.NewPaletted(image.Rect(0, 0, 40, 30), color.Palette{color.Black, color.White}), nil); err != nil {
		t.Fatal(err)
	}
	res = n.postMultipart("/admin/media", "author", url.Values{"alt": {"A tiny GIF"}}, "file", "anim.gif", gifBuf.Bytes())
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("GIF upload: %d", res.StatusCode)
	}
	// Alt text is required; credit and caption are kept with the photo.
	id := strconv.FormatInt(int64(r2), 10) // the PNG, uploaded first
	res = n.send(http.MethodPost, "/admin/media/"+id, "author", url.Values{"alt": {""}, "credit": {"X"}})
	doc = parse(t, res)
	if res.StatusCode != 422 || doc.Find("#e-alt-"+id).Length() != 1 {
		t.Errorf("empty alt: %d", res.StatusCode)
	}
	res = n.send(http.MethodPost, "/admin/media/"+id, "author", url.Values{"alt": {"A blue gradient"}, "caption": {"Dusk."}, "credit": {"Photo: Broadsheet"}})
	res.Body.Close()
	m, _ := n.Store.Media.Get(t.Context(), int64(r2))
	if res.StatusCode != http.StatusSeeOther || m.Alt != "A blue gradient" || m.Credit != "Photo: Broadsheet" || m.Caption != "Dusk." {
		t.Errorf("edit: %d %+v", res.StatusCode, m)
	}
}

// The article form takes its photo in the same post; a bad photo keeps every field.
func TestArticleFormPhotoUpload(t *testing.T) {
	n := newAdminSite(t)
	rows, files := n.stored()
	form := articleFormValues(n.sec, "With a bomb")
	form.Set("image_alt", "Nothing")
	res := n.postMultipart("/admin/articles", "editor", form, "photo", "x.png", bombPNG(50000, 50000))
	doc := parse(t, res)
	if res.StatusCode != 422 || !strings.Contains(text(doc.Find("#e-photo")), "megapixels") || doc.Find("#f-title").AttrOr("value", "") != "With a bomb" {
		t.Fatalf("bomb on the article form: %d %q", res.StatusCode, text(doc.Find("#e-photo")))
	}
	if r2, f2 := n.stored(); r2 != rows || f2 != files {
		t.Errorf("refused photo stored something")
	}
	form.Set("title", "With a photo")
	res = n.postMultipart("/admin/articles", "editor", form, "photo", "p.jpg", testJPEG(t, 1000, 600))
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("photo upload: %d", res.StatusCode)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(res.Header.Get("Location"), "/admin/articles/"), 10, 64)
	doc = parse(t, n.send(http.MethodGet, "/admin/articles/"+strconv.FormatInt(id, 10)+"/preview", "editor", nil))
	img := doc.Find("figure.lead-photo img")
	if img.AttrOr("alt", "") != "Nothing" || !strings.Contains(img.AttrOr("srcset", ""), "480w") {
		t.Errorf("preview photo: alt %q srcset %q", img.AttrOr("alt", ""), img.AttrOr("srcset", ""))
	}
}

// Ordinary forms keep the small body limit; only upload routes take photos' sizes.
func TestFormBodyLimitOutsideUploads(t *testing.T) {
	n := newAdminSite(t)
	res := n.send(http.MethodPost, "/admin/sections", "editor", url.Values{"name": {strings.Repeat("x", defaultFormBytes+1)}})
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || res.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("big form: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
}

// Bombs under the pixel cap are refused by the memory they would take, from the header
// alone: a 323 KB 16-bit PNG of 40 megapixels took 10.5 s and ~1 GB to store, and a
// tall 2000×20000 PNG 2 GB (the scaler's working rows). Refused, neither allocates
// its pixels, and nothing is stored.
func TestMediaUploadRefusesBombsByTheirMemory(t *testing.T) {
	n := newAdminSite(t)
	for _, tc := range []struct {
		name string
		data []byte
		says string
	}{
		{"16-bit 40 MP PNG", blankPNG(t, 8000, 5000, 16, 6), "16 bits per channel"},
		{"tall 8-bit PNG", blankPNG(t, 2000, 20000, 8, 6), "2000×20000 pixels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, files := n.stored()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			res := n.postMultipart("/admin/media", "editor", url.Values{"alt": {"A test"}}, "file", "bomb.png", tc.data)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			doc := parse(t, res)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			if got := text(doc.Find("#e-file")); !strings.Contains(got, tc.says) || !strings.Contains(got, "the limit is 768 MB") {
				t.Errorf("file error %q, want it to say %q and the limit", got, tc.says)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("refusing a %d KB bomb allocated %d MB in %v", len(tc.data)>>10, alloc>>20, took)
			}
			if r2, f2 := n.stored(); r2 != rows || f2 != files {
				t.Errorf("refused upload left %d rows, %d files (before %d, %d)", r2, f2, rows, files)
			}
		})
	}
}

// One photo is processed at a time per server: an upload that arrives meanwhile is
// answered 503 with Retry-After and the form kept, instead of decoding alongside (four
// bombs at once took 2.6 GB). Once the first is done the same upload goes through.
func TestMediaUploadsAreProcessedOneAtATime(t *testing.T) {
	n := newAdminSite(t)
	ctx := context.Background()
	big := blankPNG(t, 8000, 5000, 8, 0) // 40 MP of grey: about a second to process
	done := make(chan error, 1)
	go func() {
		_, err := n.Store.Media.Save(ctx, testNow, bytes.NewReader(big), models.Media{Alt: "Big"}, 0)
		done <- err
	}()
	probe := testPNG(t, 40, 30)
	for deadline := time.Now().Add(10 * time.Second); ; {
		_, err := n.Store.Media.TrySave(ctx, testNow, bytes.NewReader(probe), models.Media{Alt: "Probe"}, 0)
		if errors.Is(err, models.ErrMediaBusy) {
			break
		}
		if err != nil || time.Now().After(deadline) {
			t.Fatalf("never saw the big photo being processed: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
	upload := func() *http.Response {
		return n.postMultipart("/admin/media", "editor", url.Values{"alt": {"Boats at dawn"}, "caption": {"The harbour, 6 a.m."}},
			"file", "boats.png", testPNG(t, 320, 200))
	}
	res := upload()
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Fatalf("upload while another photo is processed: %d, Retry-After %q; want 503 with Retry-After",
			res.StatusCode, res.Header.Get("Retry-After"))
	}
	doc := parse(t, res)
	if got := text(doc.Find("#e-file")); !strings.Contains(got, "processing another photo") {
		t.Errorf("file error %q", got)
	}
	if v, _ := doc.Find("#u-alt").Attr("value"); v != "Boats at dawn" {
		t.Errorf("alt text not kept: %q", v)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if res := upload(); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the same upload afterwards: %d", res.StatusCode)
	}
}

// The upload limit is the operator's setting (-upload-limit): a file over it is refused
// beside the field, a body far over it before it is read, and a file under it is taken.
func TestMediaUploadLimitIsASetting(t *testing.T) {
	n := newAdminSite(t)
	n.Store.Media.MaxBytes = 64 << 10
	good := testJPEG(t, 200, 150)
	padded := append(append([]byte{}, good...), make([]byte, 70<<10)...)
	res := n.postMultipart("/admin/media", "editor", url.Values{"alt": {"A test"}}, "file", "big.jpg", padded)
	if got := text(parse(t, res).Find("main")); res.StatusCode != 422 || !strings.Contains(got, "larger than 64 KB") {
		t.Errorf("file over the setting: %d %q", res.StatusCode, got)
	}
	res = n.postMultipart("/admin/media", "editor", url.Values{"alt": {"A test"}}, "file", "huge.jpg", make([]byte, 64<<10+defaultFormBytes+1))
	if res.StatusCode != 413 {
		t.Errorf("body over the setting: %d, want 413", res.StatusCode)
	}
	if res := n.postMultipart("/admin/media", "editor", url.Values{"alt": {"A test"}}, "file", "small.jpg", good); res.StatusCode != 303 {
		t.Errorf("file under the setting: %d, want 303", res.StatusCode)
	}
}

// The library is searched by alt text, caption and credit, every word in any of them,
// in pages whose links keep the search and the story the photo is being chosen for.
func TestMediaLibrarySearch(t *testing.T) {
	n := newAdminSite(t)
	for i := range 28 {
		meta := models.Media{Alt: fmt.Sprintf("Waves on the harbour wall, %d", i), Caption: "The storm at high tide", Credit: "Reuters"}
		if i >= 26 { // two that match only some of the words
			meta = models.Media{Alt: "A quiet harbour", Caption: "Calm 100% of the day", Credit: "Staff"}
		}
		if _, err := n.Store.Media.Save(t.Context(), testNow, bytes.NewReader(testPNG(t, 10+i, 10)), meta, n.editor.ID); err != nil {
			t.Fatal(err)
		}
	}
	id := strconv.FormatInt(n.draft.ID, 10)
	doc := parse(t, n.send(http.MethodGet, "/admin/media?q=Harbour+STORM&insert="+id, "editor", nil))
	if got := text(doc.Find(`[role=status]`)); got != "26 photos match ‘Harbour STORM’." {
		t.Errorf("summary %q", got)
	}
	if doc.Find(".media-grid > li").Length() != 25 || doc.Find(`input[name=q]`).AttrOr("value", "") != "Harbour STORM" ||
		doc.Find(`form[role=search] input[name=insert]`).AttrOr("value", "") != id {
		t.Fatalf("page 1: %d photos", doc.Find(".media-grid > li").Length())
	}
	next := doc.Find(`.pager a[rel=next]`).AttrOr("href", "")
	if next != "/admin/media?insert="+id+"&page=2&q=Harbour+STORM" && next != "/admin/media?insert="+id+"&q=Harbour+STORM&page=2" {
		t.Fatalf("next page link %q", next)
	}
	doc = parse(t, n.send(http.MethodGet, next, "editor", nil))
	if got := doc.Find(".media-grid > li"); got.Length() != 1 || !strings.Contains(got.Find("a").AttrOr("href", ""), "?insert=") {
		t.Errorf("page 2: %d photos", got.Length())
	}
	if href := doc.Find(`a[href^="/admin/media"]:contains("Show every photo")`).AttrOr("href", ""); href != "/admin/media?insert="+id {
		t.Errorf("back to every photo %q", href)
	}
	for q, want := range map[string]int{"reuters": 26, "100%": 2, "%": 2, "_": 0, "quiet staff": 2, `"storm`: 0, "": 29} {
		doc := parse(t, n.send(http.MethodGet, "/admin/media?q="+url.QueryEscape(q), "editor", nil))
		got := doc.Find(".media-grid > li").Length()
		if want > 25 {
			want = 25
		}
		if got != want {
			t.Errorf("q=%q: %d photos, want %d", q, got, want)
		}
	}
	if res := n.send(http.MethodGet, "/admin/media?q=storm", "commenter", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("a commenter searched the library: %d", res.StatusCode)
	}
}
