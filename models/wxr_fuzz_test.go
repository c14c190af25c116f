package models

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseWXR: whatever the bytes, the parser returns an export with a site or an
// error, and never panics or hangs.
func FuzzParseWXR(f *testing.F) {
	for _, name := range []string{"export.xml", "truncated.xml", "malformed.xml", "laughs.xml"} {
		b, err := os.ReadFile(filepath.Join(wpFixtures, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := ParseWXR(bytes.NewReader(b), nil)
		if err == nil && w.Site == "" {
			t.Error("an export without a site was accepted")
		}
	})
}

// FuzzImportedArticleHTML: no imported body keeps a script, an event handler or a
// javascript: link, judged on the parsed output (text may say "onerror=" harmlessly).
func FuzzImportedArticleHTML(f *testing.F) {
	san := NewSanitizer()
	for _, s := range []string{"One.\n\nTwo", `<p onclick="x()">Hi</p>`, "<script>alert(1)</script>", `<a href="javascript:alert(1)">x</a>`,
		"<!-- wp:paragraph -->\n<p>Block</p>", "<img src=x onerror=alert(1)>", `<a href=" JaVaScRiPt:x">y</a>`,
		`[caption]<img src="https://x/wp-content/uploads/a.jpg" onerror=x>cap <script>y</script>[/caption]`,
		"[embed]javascript:alert(1)[/embed]\nhttps://youtu.be/x\n[gallery ids=\"1\"]", "<ul><li>a\n\nb</li></ul><pre>x\n\ny</pre>",
		`<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">https://x.com/a" onload="x</div></figure>`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		assertSafeArticleHTML(t, s, string(san.ImportedArticleHTML(s)))
		// The importer's conversion first, as an import runs it.
		b := &wpBody{
			media:      func(string) (Media, bool) { return Media{ID: 1, Hash: "ab", Ext: "png", Width: 10, Height: 10}, true },
			attachment: func(id string) (wxrItem, bool) { return wxrItem{ID: id, AttachmentURL: s}, true },
		}
		assertSafeArticleHTML(t, s, string(san.ImportedArticleHTML(b.convert(s))))
	})
}
