package wordpress

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"broadsheet/models"
)

// FuzzReadWXR: whatever the bytes, the parser returns an export with a site or an
// error, and never panics or hangs.
func FuzzReadWXR(f *testing.F) {
	for _, name := range []string{"export.xml", "truncated.xml", "malformed.xml", "laughs.xml"} {
		b, err := os.ReadFile(filepath.Join(wpFixtures, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := ReadWXR(bytes.NewReader(b), func(wxrItem) error { return nil })
		if err == nil && w.Site == "" {
			t.Error("an export without a site was accepted")
		}
	})
}

// FuzzBody: the importer's conversion of a post's text never panics or hangs on
// any input, and what it hands the sanitiser comes out without scripts or frames.
// (The sanitiser itself is fuzzed in models.)
func FuzzBody(f *testing.F) {
	san := models.NewSanitizer()
	for _, s := range []string{"One.\n\nTwo", "<!-- wp:paragraph -->\n<p>Block</p>", "<img src=x onerror=alert(1)>",
		`[caption]<img src="https://x/wp-content/uploads/a.jpg" onerror=x>cap <script>y</script>[/caption]`,
		"[embed]javascript:alert(1)[/embed]\nhttps://youtu.be/x\n[gallery ids=\"1\"]", "<ul><li>a\n\nb</li></ul><pre>x\n\ny</pre>",
		`<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">https://x.com/a" onload="x</div></figure>`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := &wpBody{
			media: func(string) (models.Media, bool) {
				return models.Media{ID: 1, Hash: "ab", Ext: "png", Width: 10, Height: 10}, true
			},
			attachment: func(id string) (wxrItem, bool) { return wxrItem{ID: id, AttachmentURL: s}, true },
		}
		out := string(san.ImportedArticleHTML(b.convert(s)))
		if lower := strings.ToLower(out); strings.Contains(lower, "<script") || strings.Contains(lower, "<iframe") {
			t.Fatalf("body of %q kept a script or frame: %s", s, out)
		}
	})
}
