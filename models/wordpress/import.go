package wordpress

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"html/template"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"broadsheet/models"
)

// Report is what an import did: the counts of new rows, and everything it left
// out with the reason, for the summary the command prints.
type Report struct {
	Site                                                           string
	Authors, Sections, Tags, Articles, Photos, Comments, Redirects int // created by this run
	Skipped                                                        []Skip
	ImageRefs                                                      []ImageRef
	// Titles of imported articles whose text shows images from another host, which
	// our Content-Security-Policy (img-src 'self') will not display.
	RemoteImages []string
	// Titles of password-protected posts, imported as drafts so nobody reads them
	// until an editor decides.
	Protected []string
	// Categories renamed to stay apart from a same-named one: "Foo (foo-2)".
	Renamed []string
	// Per article title: shortcodes we do not know (kept as text), images from the
	// old uploads that were not beside the export, and shortcodes made into markup.
	UnknownShortcodes, MissingImages, Rewritten map[string][]string
}

// note adds what one article's conversion found to the report.
func (r *Report) note(title string, b *wpBody) {
	for _, x := range []struct {
		to   *map[string][]string
		what []string
	}{{&r.UnknownShortcodes, b.unknown}, {&r.MissingImages, b.missing}, {&r.Rewritten, b.rewritten}} {
		if len(x.what) == 0 {
			continue
		}
		if *x.to == nil {
			*x.to = map[string][]string{}
		}
		(*x.to)[title] = append((*x.to)[title], x.what...)
	}
}

// Skip is one thing not imported.
type Skip struct {
	Kind   string // post, page, comment, item, tag
	Title  string // what a person recognises it by
	Reason string
}

// ImageRef is a featured image that was not brought in; its old address is kept on
// the article (articles.imported_image_url) so an editor can fetch it later.
type ImageRef struct {
	Article string // title
	URL     string
	Reason  string
}

func (r *Report) skip(kind, title, reason string) {
	r.Skipped = append(r.Skipped, Skip{Kind: kind, Title: title, Reason: reason})
}

// Outcomes of the rows of a report, in the order the table shows them.
const (
	Imported       = "imported"
	Skipped        = "skipped"
	Changed        = "changed"
	NeedsAttention = "needs attention"
)

// Row is one thing a person may act on: what happened to it, and why.
type Row struct {
	Outcome string // Imported, Skipped, Changed or NeedsAttention
	Kind    string // article, comment, account, section, tag, photo, redirect, post, page, item, image
	Title   string // what a person recognises it by; "" on a row that counts (Imported)
	Reason  string // why, and what to do about it
	Detail  string // this one's particulars: shortcodes, image addresses
	Count   int    // on an Imported row: how many
}

// Rows is the whole report, one row per thing skipped, changed or needing attention,
// after one row per kind of thing imported.
func (r *Report) Rows() []Row {
	var rows []Row
	for _, c := range []struct {
		kind string
		n    int
	}{{"article", r.Articles}, {"comment", r.Comments}, {"account", r.Authors}, {"section", r.Sections},
		{"tag", r.Tags}, {"photo", r.Photos}, {"redirect", r.Redirects}} {
		rows = append(rows, Row{Outcome: Imported, Kind: c.kind, Count: c.n})
	}
	for _, s := range r.Skipped {
		rows = append(rows, Row{Outcome: Skipped, Kind: s.Kind, Title: s.Title, Reason: s.Reason})
	}
	for _, t := range r.Renamed {
		rows = append(rows, Row{Outcome: Changed, Kind: "section", Title: t, Reason: "another category has the same name: kept apart under this one (rename it if you like)"})
	}
	perArticle := func(outcome string, m map[string][]string, reason string) {
		titles := make([]string, 0, len(m))
		for t := range m {
			titles = append(titles, t)
		}
		sort.Strings(titles)
		for _, t := range titles {
			rows = append(rows, Row{Outcome: outcome, Kind: "article", Title: t, Reason: reason, Detail: strings.Join(uniq(m[t]), ", ")})
		}
	}
	perArticle(Changed, r.Rewritten, "shortcodes made into figures, galleries and link cards")
	for _, t := range r.Protected {
		rows = append(rows, Row{Outcome: NeedsAttention, Kind: "article", Title: t,
			Reason: "had a password in WordPress: imported as an unpublished draft for an editor to decide"})
	}
	perArticle(NeedsAttention, r.UnknownShortcodes, "shortcodes we do not know, kept as text (edit them out or into markup)")
	perArticle(NeedsAttention, r.MissingImages, "images not found in uploads/ beside the export (upload them and edit)")
	for _, ref := range r.ImageRefs {
		rows = append(rows, Row{Outcome: NeedsAttention, Kind: "image", Title: ref.Article,
			Reason: "featured image kept as its old address only: upload it and edit", Detail: ref.Reason + ": " + ref.URL})
	}
	for _, t := range r.RemoteImages {
		rows = append(rows, Row{Outcome: NeedsAttention, Kind: "article", Title: t,
			Reason: "shows images from another site, which our pages will not load (upload them and edit)"})
	}
	return rows
}

// Headline is the report's first line: where from, and how much came in.
func (r *Report) Headline() string {
	return fmt.Sprintf("imported from %s: %s, %s, %s, %s, %s, %s, %s", r.Site,
		count(r.Articles, "article"), count(r.Comments, "comment"), count(r.Authors, "account"),
		count(r.Sections, "section"), count(r.Tags, "tag"), count(r.Photos, "photo"), count(r.Redirects, "redirect"))
}

// Table writes the report for a terminal: the headline, then one line per outcome,
// kind and reason, with how many and which (the first few; the CSV lists them all).
func (r *Report) Table(w io.Writer) error {
	type group struct {
		Row
		which []string
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, row := range r.Rows() {
		if row.Outcome == Imported && row.Count == 0 {
			continue
		}
		k := row.Outcome + "\x00" + row.Kind + "\x00" + row.Reason
		g := byKey[k]
		switch {
		case g == nil:
			g = &group{Row: row}
			byKey[k] = g
			groups = append(groups, g)
			if row.Outcome != Imported {
				g.Count = 1
			}
		default:
			g.Count++
		}
		if row.Outcome != Imported {
			which := row.Title
			if row.Detail != "" {
				which += " (" + row.Detail + ")"
			}
			g.which = append(g.which, which)
		}
	}
	order := map[string]int{Imported: 0, Skipped: 1, Changed: 2, NeedsAttention: 3}
	sort.SliceStable(groups, func(i, j int) bool { return order[groups[i].Outcome] < order[groups[j].Outcome] })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, r.Headline())
	fmt.Fprintln(tw, "\nOUTCOME\tWHAT\tHOW MANY\tWHY, AND WHAT TO DO\tWHICH")
	for _, g := range groups {
		which := g.which
		if len(which) > 3 {
			which = append(which[:3:3], fmt.Sprintf("… %d more", len(g.which)-3))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", g.Outcome, g.Kind, g.Count, g.Reason, strings.Join(which, "; "))
	}
	return tw.Flush()
}

// WriteCSV writes every row of the report as CSV (outcome, kind, count, title,
// reason, detail), for a spreadsheet in which an editor works through the list.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"outcome", "kind", "count", "title", "reason", "detail"})
	for _, row := range r.Rows() {
		n := "1"
		if row.Outcome == Imported {
			n = strconv.Itoa(row.Count)
		}
		cw.Write([]string{row.Outcome, row.Kind, n, csvSafe(row.Title), csvSafe(row.Reason), csvSafe(row.Detail)})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from running a title from the export as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// uniq lists each distinct item once, with how often it came when more than once.
func uniq(items []string) []string {
	n := map[string]int{}
	var order []string
	for _, it := range items {
		if n[it] == 0 {
			order = append(order, it)
		}
		n[it]++
	}
	for i, it := range order {
		if n[it] > 1 {
			order[i] = fmt.Sprintf("%s ×%d", it, n[it])
		}
	}
	return order
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// Import imports the WordPress export (WXR) at xmlPath into s: authors, posts with
// their sections, tags and images, comments with their threads, and the old
// addresses as redirects. The whole file is read and checked before anything is
// written, and everything is written through the store's verbs in one transaction
// (models.TxStore), so a broken file leaves the database as it was and every rule
// of the stores applies. A re-run skips whatever an earlier run imported.
//
// Images are looked for in an uploads/ folder beside the XML (the layout of
// wp-content/uploads); photos are stored before the transaction (the media store
// writes on its own), so a failure after that point can leave unused photos, which a
// re-run reuses. progress, if not nil, receives a line now and then.
func Import(ctx context.Context, s *models.Store, now time.Time, xmlPath string, progress func(Progress)) (*Report, error) {
	var p Progress
	f, err := os.Open(xmlPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil {
		p.Size = fi.Size()
	}
	// pass reads the whole file once more, handing on each item: the file is read
	// three times rather than held in memory, so an export of any size imports in
	// the memory its attachments and the maps of ids take.
	pass := func(stage string, onItem func(wxrItem) error) (*WXR, error) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		cr := &countingReader{r: f}
		p.Stage, p.Items = stage, 0
		return ReadWXR(cr, func(it wxrItem) error {
			p.Items, p.Bytes = p.Items+1, cr.n
			if progress != nil {
				progress(p)
			}
			return onItem(it)
		})
	}

	im := &wpImport{s: s, now: now, bylines: map[string]bool{},
		attachments: map[string]wxrItem{}, sections: map[string]int64{}, tags: map[string]int64{},
		users: map[string]int64{}, userByWPID: map[string]int64{}, photos: map[string]models.Media{}, refs: map[string]ImageRef{},
		children: map[string][]wxrItem{}, bodyMedia: map[string]models.Media{}}
	// First the whole file is checked, and what items refer to across the file is kept:
	// attachments (featured images, galleries) and the logins of bylines.
	var bylines, attachmentOrder []string
	w, err := pass("reading", func(it wxrItem) error {
		if login := strings.TrimSpace(it.Creator); it.Type == "post" && !im.bylines[login] {
			im.bylines[login] = true
			bylines = append(bylines, login)
		}
		if it.Type == "attachment" {
			it.Encoded = slices.DeleteFunc(it.Encoded, func(e wxrText) bool { return e.XMLName.Space == contentNS }) // unused, and can be large
			im.attachments[it.ID] = it
			attachmentOrder = append(attachmentOrder, it.ID)
			im.children[it.Parent] = append(im.children[it.Parent], it)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	im.w, im.rep, p.Total = w, &Report{Site: w.Site}, p.Items

	// Then the photos, which the media store writes on its own, before the transaction.
	uploads := filepath.Join(filepath.Dir(xmlPath), "uploads")
	root, err := os.OpenRoot(uploads) // confines file names from the XML to that folder
	if err == nil {
		defer root.Close()
	} else {
		root = nil // no uploads/ folder: every image is listed as missing
	}
	if _, err := pass("images", func(it wxrItem) error {
		if kind, reason := importable(it); kind != "post" || reason != "" {
			return nil
		}
		if _, done, err := im.s.ImportedID(ctx, im.w.Site, "post", it.ID); err != nil || done {
			return err
		}
		if err := im.savePhoto(ctx, root, uploads, it); err != nil {
			return err
		}
		return im.saveBodyImages(ctx, root, it)
	}); err != nil {
		return nil, err
	}

	err = s.InTx(ctx, now, func(tx *models.TxStore) error {
		im.tx = tx
		for _, a := range w.Authors {
			if err := im.author(ctx, a); err != nil {
				return fmt.Errorf("author %s: %w", a.Login, err)
			}
		}
		// Old exports (and some plugins) name a post's author only in dc:creator,
		// with no <wp:author> list: the byline still deserves an author.
		for _, login := range bylines {
			if _, ok := im.users[login]; ok || login == "" {
				continue
			}
			if err := im.author(ctx, wxrAuthor{Login: login}); err != nil {
				return fmt.Errorf("author %s: %w", login, err)
			}
		}
		if _, err := pass("importing", func(it wxrItem) error {
			if err := im.item(ctx, it); err != nil {
				return fmt.Errorf("item %s (%q): %w", it.ID, it.Title, err)
			}
			return nil
		}); err != nil {
			return err
		}
		for _, id := range attachmentOrder {
			if err := im.attachmentRedirects(ctx, im.attachments[id]); err != nil {
				return fmt.Errorf("attachment %s: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return im.rep, nil
}

// Progress is how far an import has got, for a progress bar or lines in a log.
type Progress struct {
	Stage        string // "reading" the file, looking for its "images", then "importing" its items
	Items, Total int    // items read or imported; Total is known once the file is read
	Bytes, Size  int64  // bytes of the file read so far, and its size
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// wpImport is the state of one import run.
type wpImport struct {
	s           *models.Store
	tx          *models.TxStore // the one transaction everything is written in
	w           *WXR
	now         time.Time
	rep         *Report
	attachments map[string]wxrItem      // by WordPress post id
	children    map[string][]wxrItem    // attachments by the id of their post, for a bare [gallery]
	bodyMedia   map[string]models.Media // images of post bodies stored in the media library, by path under uploads/
	photos      map[string]models.Media // featured photo stored for a post, by post id
	refs        map[string]ImageRef     // featured image not brought in, by post id
	sections    map[string]int64        // by category nicename
	tags        map[string]int64        // by lower-cased name
	users       map[string]int64        // by author login
	userByWPID  map[string]int64        // by WordPress author id, for registered commenters
	bylines     map[string]bool         // logins that are the author of a post
}

// importable says whether a post item becomes an article, and if not, why.
func importable(it wxrItem) (kind, reason string) {
	switch it.Type {
	case "post":
	case "page":
		return "page", "pages are not articles; recreate the ones still needed by hand"
	case "attachment":
		return "", "" // brought in as the featured image of its post
	case "":
		return "item", "no post type"
	default:
		return "item", "WordPress " + it.Type + " items are not content"
	}
	switch it.Status {
	case "publish", "future", "draft", "pending":
		return "post", ""
	case "private":
		return "post", "private posts stay private: not imported"
	case "trash":
		return "post", "in WordPress's trash"
	default:
		return "post", "status " + strconv.Quote(it.Status) + " is not a story"
	}
}

// savePhoto stores, before the transaction, the featured photo of a post this run
// will import, when its file is in uploads (root, nil when there is no such folder).
// A post whose photo is missing keeps its URL.
func (im *wpImport) savePhoto(ctx context.Context, root *os.Root, uploads string, it wxrItem) error {
	thumb := it.meta("_thumbnail_id")
	if thumb == "" {
		return nil
	}
	att, ok := im.attachments[thumb]
	if !ok {
		im.refs[it.ID] = ImageRef{Reason: "the export does not contain its featured image (attachment " + thumb + ")"}
		return nil
	}
	rel := att.meta("_wp_attached_file")
	if rel == "" {
		if i := strings.LastIndex(att.AttachmentURL, "/uploads/"); i >= 0 {
			rel = att.AttachmentURL[i+len("/uploads/"):]
		}
	}
	ref := ImageRef{URL: att.AttachmentURL}
	var file fs.File
	var err error = fs.ErrNotExist
	if root != nil && rel != "" {
		file, err = root.Open(path.Clean(rel))
	}
	if err != nil {
		ref.Reason = "no file " + filepath.Join(uploads, filepath.FromSlash(rel))
		im.refs[it.ID] = ref
		return nil
	}
	m, err := im.s.Media.Save(ctx, im.now, file, models.Media{Alt: im.photoAlt(att), Caption: im.s.San.PlainText(att.Excerpt())}, 0)
	file.Close()
	var me models.MediaError
	if errors.As(err, &me) {
		ref.Reason = string(me)
		im.refs[it.ID] = ref
		return nil
	}
	if err != nil {
		return fmt.Errorf("featured image of post %s: %w", it.ID, err)
	}
	im.photos[it.ID] = m
	return nil
}

// body is the converter for one post's text, wired to this import's attachments
// and stored images.
func (im *wpImport) body(it wxrItem) *wpBody {
	return &wpBody{
		media: func(src string) (models.Media, bool) {
			m, ok := im.bodyMedia[uploadsPath(src)]
			return m, ok
		},
		attachment: func(id string) (wxrItem, bool) {
			att, ok := im.attachments[id]
			return att, ok
		},
		children: im.children[it.ID],
	}
}

// saveBodyImages stores, before the transaction, the images that the body of a post
// this run will import shows from the old uploads (in <img>, [caption] and [gallery])
// and that are in uploads (root). A scaled copy WordPress made ("photo-300x200.jpg")
// is taken from its original when only that is there.
func (im *wpImport) saveBodyImages(ctx context.Context, root *os.Root, it wxrItem) error {
	if root == nil {
		return nil // every such image is listed as missing
	}
	b := im.body(it)
	var srcs []string
	b.media = func(src string) (models.Media, bool) {
		srcs = append(srcs, src)
		return models.Media{}, false
	}
	b.convert(it.Content()) // only to learn which images the body shows
	for _, src := range srcs {
		rel := uploadsPath(src)
		if _, ok := im.bodyMedia[rel]; ok {
			continue
		}
		for _, name := range []string{rel, sizedVariant.ReplaceAllString(rel, "$1")} {
			f, err := root.Open(name)
			if err != nil {
				continue
			}
			m, err := im.s.Media.Save(ctx, im.now, f, models.Media{}, 0)
			f.Close()
			var me models.MediaError
			if errors.As(err, &me) {
				break // not a usable image: listed as missing
			}
			if err != nil {
				return fmt.Errorf("image %s of post %s: %w", rel, it.ID, err)
			}
			im.bodyMedia[rel] = m
			im.rep.Photos++
			break
		}
	}
	return nil
}

func (im *wpImport) photoAlt(att wxrItem) string {
	if alt := im.s.San.PlainText(att.meta("_wp_attachment_image_alt")); alt != "" {
		return alt
	}
	return im.s.San.PlainText(att.Title)
}

// fallbackSlug names something whose name has no letter or digit at all ("★",
// "!!!") with a stable slug, so a re-run finds the same row.
func fallbackSlug(prefix, key string) string {
	h := fnv.New32a()
	h.Write([]byte(key))
	return fmt.Sprintf("%s-%08x", prefix, h.Sum32())
}

func firstSlug(candidates ...string) string {
	for _, c := range candidates {
		if s := models.Slugify(c); s != "" {
			return s
		}
	}
	return ""
}

func unescapePath(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// clip keeps the first n characters of s (never cutting one in two).
func clip(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// author maps a WordPress author to a user: the one an earlier run made, else the
// account with the same email, else a new author who cannot log in (no password).
func (im *wpImport) author(ctx context.Context, a wxrAuthor) error {
	id, done, err := im.tx.ImportedID(ctx, im.w.Site, "author", a.Login)
	if err != nil {
		return err
	}
	if !done {
		email := strings.TrimSpace(a.Email)
		if email == "" {
			email = firstSlug(a.Login, a.ID) + "@wordpress.invalid" // reserved TLD: never delivered
		}
		id, err = im.tx.UserIDByEmail(ctx, email)
		if errors.Is(err, models.ErrNotFound) {
			id, err = im.newAuthor(ctx, a, email)
		}
		if err != nil {
			return err
		}
		if err := im.tx.MarkImported(ctx, im.w.Site, "author", a.Login, id); err != nil {
			return err
		}
	}
	if id != 0 {
		im.users[a.Login] = id
		// An export without author ids must not make every comment whose
		// commenter id is missing look like this author's.
		if a.ID != "" && a.ID != "0" {
			im.userByWPID[a.ID] = id
		}
		return im.termRedirect(ctx, "/author/"+strings.ToLower(a.Login), "author", id)
	}
	return nil
}

// termRedirect records the old address of a category, tag or author page.
func (im *wpImport) termRedirect(ctx context.Context, oldPath, kind string, id int64) error {
	return im.tx.AddOldTermAddress(ctx, im.w.BlogPath+oldPath, kind, id)
}

func (im *wpImport) newAuthor(ctx context.Context, a wxrAuthor, email string) (int64, error) {
	name := im.s.San.PlainText(a.DisplayName)
	if name == "" {
		name = strings.TrimSpace(im.s.San.PlainText(a.FirstName + " " + a.LastName))
	}
	if name == "" {
		name = a.Login
	}
	name = clip(name, 40)
	// An account that wrote no post is a reader who commented (a Broadsheet export
	// lists every account): it must not get a place in the newsroom.
	role := models.RoleCommenter
	if im.bylines[a.Login] {
		role = models.RoleAuthor
	}
	// Display names are unique here but not in WordPress: try the name, then the
	// name with the login, then numbered. (The store gives a taken slug its -2.)
	candidates := []string{name, name + " (" + clip(a.Login, 8) + ")"}
	for i := 2; i < 10; i++ {
		candidates = append(candidates, name+" "+strconv.Itoa(i))
	}
	for _, n := range candidates {
		id, err := im.tx.CreateImportedUser(ctx, email, n, role)
		if errors.Is(err, models.ErrDuplicate) {
			continue
		}
		if err == nil {
			im.rep.Authors++
		}
		return id, err
	}
	return 0, fmt.Errorf("no free display name for %q", name)
}

// item imports one post with its comments, or says why not.
func (im *wpImport) item(ctx context.Context, it wxrItem) error {
	kind, reason := importable(it)
	title := im.s.San.PlainText(it.Title)
	if title == "" {
		title = "WordPress item " + it.ID
	}
	if kind == "" {
		return nil
	}
	if reason != "" {
		im.rep.skip(kind, title, reason)
		im.skipComments(it, "its "+kind+" was not imported")
		return nil
	}
	id, done, err := im.tx.ImportedID(ctx, im.w.Site, "post", it.ID)
	if err != nil {
		return err
	}
	switch {
	case done && id == 0:
		im.rep.skip("post", title, "deleted here after an earlier import")
		im.skipComments(it, "its post was deleted here after an earlier import")
		return nil
	case done:
		im.rep.skip("post", title, "already imported")
	default:
		if id, err = im.post(ctx, it, title); err != nil || id == 0 {
			return err
		}
	}
	return im.comments(ctx, it, id)
}

func (im *wpImport) skipComments(it wxrItem, reason string) {
	for _, c := range it.Comments {
		im.rep.skip("comment", "comment "+c.ID, reason)
	}
}

// MaxImportedBodyBytes caps the text of one imported story. Ten times the longest
// long read leaves room for WordPress's block markup; a 52 MB "story" was stored
// without it, and every page, feed and search index then carried it.
const MaxImportedBodyBytes = 1 << 20

// post inserts one article; id 0 with no error means it was skipped (and reported).
func (im *wpImport) post(ctx context.Context, it wxrItem, title string) (int64, error) {
	in := models.ArticleInput{
		Title:        title,
		Dek:          im.s.San.PlainText(it.Excerpt()),
		Body:         it.Content(),
		CommentsOpen: it.CommentStatus == "open",
	}
	date := wxrDate(it.DateGMT, it.Date)
	switch it.Status {
	case "publish", "future":
		in.Status, in.PublishedAt = models.StatusPublished, date
		if it.Status == "future" {
			in.Status = models.StatusScheduled
		}
		if in.PublishedAt.IsZero() {
			in.PublishedAt = im.now
		}
	case "draft":
		in.Status = models.StatusDraft
	case "pending":
		in.Status = models.StatusReview
	}
	if it.meta(metaStatus) == models.StatusUnpublished {
		in.Status, in.PublishedAt = models.StatusUnpublished, wxrDate(it.DateGMT, "")
	}
	in.Dateline, in.Wire, in.Correction = it.meta(metaDateline), it.meta(metaWire), it.meta(metaCorrection)
	in.UpdatedAt = wxrDate(it.meta(metaUpdated), "")
	markdown := it.hasMeta(metaMarkdown)
	if markdown {
		in.Body = it.meta(metaMarkdown)
	}
	if it.Password != "" {
		// WordPress showed this only to readers with the password; we have no such
		// gate, so it waits as a draft for an editor.
		in.Status, in.PublishedAt = models.StatusDraft, time.Time{}
	}
	var err error
	if in.SectionID, err = im.section(ctx, it); err != nil {
		return 0, err
	}
	for _, login := range append([]string{it.Creator}, it.metas(metaByline)...) {
		if uid, ok := im.users[login]; ok && !slices.Contains(in.AuthorIDs, uid) {
			in.AuthorIDs = append(in.AuthorIDs, uid)
		}
	}
	if m, ok := im.photos[it.ID]; ok {
		in.MediaID, in.ImageAlt, in.ImageCaption, in.ImageCredit = m.ID, m.Alt, m.Caption, it.meta(metaCredit)
		if in.ImageAlt == "" {
			in.ImageAlt = "Photo: " + title
		}
	}
	if in.Slug, err = im.tx.FreeArticleSlug(ctx, firstSlug(unescapePath(it.Name), title, "post "+it.ID)); err != nil {
		return 0, err
	}
	if len(in.Body) > MaxImportedBodyBytes {
		im.rep.skip("post", title, fmt.Sprintf("its text is %.1f MB, over the limit of %d MB for one story (shorten or split it in WordPress and import again)",
			float64(len(in.Body))/(1<<20), MaxImportedBodyBytes>>20))
		return 0, nil
	}
	if err := in.Validate(); err != nil {
		if v, ok := models.AsValidation(err); ok {
			im.rep.skip("post", title, v.Error())
			return 0, nil
		}
		return 0, err
	}
	var id int64
	var body template.HTML
	if markdown {
		// A Broadsheet export: the source as its editor typed it, rendered as here.
		id, body, err = im.tx.CreateArticle(ctx, in)
	} else {
		conv := im.body(it)
		id, body, err = im.tx.CreateImportedArticle(ctx, in, conv.convert(in.Body))
		im.rep.note(title, conv)
	}
	if err != nil {
		return 0, err
	}
	im.rep.Articles++
	if it.Password != "" {
		im.rep.Protected = append(im.rep.Protected, title)
	}
	if remoteImage.MatchString(string(body)) {
		im.rep.RemoteImages = append(im.rep.RemoteImages, title)
	}
	if in.MediaID != 0 {
		im.rep.Photos++
	}
	if ref, ok := im.refs[it.ID]; ok && ref.URL == "" {
		im.rep.skip("image", title, ref.Reason)
	} else if ok {
		ref.Article = title
		im.rep.ImageRefs = append(im.rep.ImageRefs, ref)
		if err := im.tx.SetImportedImageURL(ctx, id, ref.URL); err != nil {
			return 0, err
		}
	}
	if err := im.tagArticle(ctx, it, id); err != nil {
		return 0, err
	}
	if err := im.addOldAddresses(ctx, it, id); err != nil {
		return 0, err
	}
	for _, old := range it.metas(metaOldSlug) {
		if err := im.tx.AddOldSlug(ctx, old, id); err != nil {
			return 0, err
		}
	}
	return id, im.tx.MarkImported(ctx, im.w.Site, "post", it.ID, id)
}

// attachmentRedirects sends an attachment's page (/story/photo-name/, ?attachment_id=)
// to the story it belongs to, once that story is here.
func (im *wpImport) attachmentRedirects(ctx context.Context, att wxrItem) error {
	if att.Parent == "" || att.Parent == "0" {
		return nil
	}
	id, _, err := im.tx.ImportedID(ctx, im.w.Site, "post", att.Parent)
	if err != nil || id == 0 {
		return err
	}
	return im.addOldAddresses(ctx, att, id)
}

// addOldAddresses makes the item's old addresses redirect to the article.
func (im *wpImport) addOldAddresses(ctx context.Context, it wxrItem, articleID int64) error {
	for _, p := range im.oldPaths(it) {
		added, err := im.tx.AddOldAddress(ctx, p, articleID)
		if err != nil {
			return err
		}
		if added {
			im.rep.Redirects++
		}
	}
	return nil
}

// oldPaths are the addresses the item had: its permalink path and WordPress's plain
// ?p=ID (?attachment_id=ID for an attachment) form at the blog's root, in the normal
// form OldPermalink looks up. The blog's root itself is never one: with plain
// permalinks the link is "/blog/?p=12", whose path is the front page of the blog.
func (im *wpImport) oldPaths(it wxrItem) []string {
	param := "p"
	if it.Type == "attachment" {
		param = "attachment_id"
	}
	// Addresses an exported Broadsheet kept from an earlier site come first, as they were.
	paths := append(it.metas(metaOldAddress), im.w.BlogPath+"/?"+param+"="+it.ID)
	if u, err := url.Parse(strings.TrimSpace(it.Link)); err == nil {
		if p := strings.TrimRight(u.Path, "/"); p != "" && p != im.w.BlogPath {
			paths = append(paths, p)
		}
	}
	return paths
}

// section returns the section for the post's first category, creating it on demand;
// posts without one (or only in WordPress's default "Uncategorized") go to "Uncategorised".
func (im *wpImport) section(ctx context.Context, it wxrItem) (int64, error) {
	term := wxrItemTerm{Nicename: "uncategorised", Name: "Uncategorised"}
	for _, t := range it.Terms {
		if t.Domain == "category" && t.Nicename != "uncategorized" {
			term = t
			break
		}
	}
	if id, ok := im.sections[term.Nicename]; ok {
		return id, nil
	}
	name := im.s.San.PlainText(term.Name)
	parent := ""
	for _, c := range im.w.Categories { // the channel's definition has the full name
		if c.Nicename == term.Nicename && im.s.San.PlainText(c.Name) != "" {
			name, parent = im.s.San.PlainText(c.Name), c.Parent
		}
	}
	// The category's own slug identifies it: WordPress allows two categories called
	// "Foo" (foo and foo-2), and they must not become one section.
	slug := firstSlug(unescapePath(term.Nicename), name)
	if slug == "" {
		slug = fallbackSlug("section", term.Nicename)
	}
	id, err := im.tx.SectionIDBySlug(ctx, slug)
	if errors.Is(err, models.ErrNotFound) {
		var nameTaken bool
		if nameTaken, err = im.tx.SectionNameTaken(ctx, name); err != nil {
			return 0, err
		}
		if nameTaken { // section names are unique here
			name = name + " (" + slug + ")"
			im.rep.Renamed = append(im.rep.Renamed, name)
		}
		if id, err = im.tx.CreateSection(ctx, name, slug); err == nil {
			im.rep.Sections++
		}
	}
	if err != nil {
		return 0, err
	}
	im.sections[term.Nicename] = id
	// WordPress addresses a child category through its parents: /category/news/world/.
	for _, p := range []string{im.categoryPath(term.Nicename, parent), "/category/" + term.Nicename} {
		if err := im.termRedirect(ctx, unescapePath(p), "section", id); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// categoryPath is the /category/… path of a category under its parents.
func (im *wpImport) categoryPath(nicename, parent string) string {
	p := nicename
	for hops := 0; parent != "" && hops < len(im.w.Categories); hops++ {
		p = parent + "/" + p
		next := ""
		for _, c := range im.w.Categories {
			if c.Nicename == parent {
				next = c.Parent
			}
		}
		parent = next
	}
	return "/category/" + p
}

// tagArticle gives the article the post's tags. Categories after the first (which
// became the section) are kept as tags too, so nothing the editors filed is lost.
func (im *wpImport) tagArticle(ctx context.Context, it wxrItem, articleID int64) error {
	first := true
	for _, t := range it.Terms {
		if t.Domain == "category" && first {
			first = false
			continue
		}
		if t.Domain != "category" && !isTagDomain(t.Domain) || t.Nicename == "uncategorized" {
			continue
		}
		id, err := im.tag(ctx, t)
		if err != nil {
			return err
		}
		if err := im.tx.TagArticle(ctx, articleID, id); err != nil {
			return err
		}
	}
	return nil
}

// isTagDomain: WXR 1.1 and later file tags under "post_tag", WXR 1.0 under "tag".
func isTagDomain(d string) bool { return d == "post_tag" || d == "tag" }

// tag finds or makes the tag, by the rule the article form uses (tagTx), and keeps
// its old address (/tag/slug/) for the redirects.
func (im *wpImport) tag(ctx context.Context, t wxrItemTerm) (int64, error) {
	name := im.s.San.PlainText(t.Name)
	if name == "" {
		name = unescapePath(t.Nicename)
	}
	id, ok := im.tags[strings.ToLower(name)]
	if !ok {
		full := name
		if models.Slugify(name) == "" { // a name of symbols only: keep it, with an address of its own
			full = name + " " + fallbackSlug("tag", name)
		}
		var created bool
		var err error
		if id, created, err = im.tx.Tag(ctx, clip(full, 100)); err != nil {
			return 0, err
		}
		if created {
			im.rep.Tags++
		}
		im.tags[strings.ToLower(name)] = id
	}
	// WXR 1.0 repeats each term without its slug: the copy with one gives the address.
	var err error
	if t.Nicename != "" && isTagDomain(t.Domain) {
		err = im.termRedirect(ctx, "/tag/"+unescapePath(t.Nicename), "tag", id)
	}
	return id, err
}

// commentStatus maps wp:comment_approved; "" means the comment is not imported.
func commentStatus(approved string) string {
	switch approved {
	case "1":
		return "approved"
	case "0":
		return "pending"
	case "spam":
		return "spam"
	}
	return ""
}

// comments imports a post's comments, parents before replies, keeping the real
// parent at any depth (how deep a thread is shown is the page's business). A reply
// whose parent was not imported (trash) hangs from the nearest imported ancestor.
func (im *wpImport) comments(ctx context.Context, it wxrItem, articleID int64) error {
	byID := make(map[string]wxrComment, len(it.Comments))
	for _, c := range it.Comments {
		byID[c.ID] = c
	}
	local := map[string]int64{} // WordPress comment id → our id; 0 = not imported
	var importOne func(c wxrComment, seen int) error
	importOne = func(c wxrComment, seen int) error {
		if _, ok := local[c.ID]; ok {
			return nil
		}
		local[c.ID] = 0 // also breaks parent cycles in a hostile file
		if p, ok := byID[c.Parent]; ok && seen < len(byID) {
			if err := importOne(p, seen+1); err != nil {
				return err
			}
		}
		id, done, err := im.tx.ImportedID(ctx, im.w.Site, "comment", c.ID)
		if err != nil || done {
			local[c.ID] = id
			if done {
				im.rep.skip("comment", "comment "+c.ID, "already imported")
			}
			return err
		}
		status := commentStatus(c.Approved)
		if c.Approved == "trash" && c.meta(metaStatus) == models.CommentDeleted {
			// Deleted by its writer on a Broadsheet: "[comment deleted]" with its replies under it.
			status = models.CommentDeleted
		}
		switch {
		case c.Type == "pingback" || c.Type == "trackback":
			im.rep.skip("comment", "comment "+c.ID, "pingbacks and trackbacks are not comments")
			return nil
		case status == "":
			im.rep.skip("comment", "comment "+c.ID, "in WordPress's trash")
			return nil
		case strings.TrimSpace(c.Content) == "":
			im.rep.skip("comment", "comment "+c.ID, "empty")
			return nil
		}
		var parent int64
		for p, hops := c.Parent, 0; p != "0" && p != "" && hops <= len(byID); hops++ {
			if local[p] != 0 {
				parent = local[p]
				break
			}
			p = byID[p].Parent
		}
		ic := models.ImportedComment{ArticleID: articleID, ParentID: parent, Source: c.Content, Text: wpCommentText(c.Content),
			Status: status, IP: clip(c.AuthorIP, 45), CreatedAt: wxrDate(c.DateGMT, c.Date)}
		if uid, ok := im.userByWPID[strings.TrimSpace(c.UserID)]; ok {
			ic.UserID = uid
		} else {
			// Matching guests to accounts by email would let anyone who typed a
			// staff member's address on the old blog speak as them here.
			ic.GuestName = clip(im.s.San.PlainText(c.Author), 80)
			if ic.GuestName == "" {
				ic.GuestName = "Anonymous"
			}
			ic.GuestEmail = clip(strings.TrimSpace(c.AuthorEmail), 254)
			if u, err := url.Parse(strings.TrimSpace(c.AuthorURL)); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
				ic.GuestURL = clip(u.String(), 2048)
			}
		}
		if ic.CreatedAt.IsZero() {
			ic.CreatedAt = im.now
		}
		if id, err = im.tx.ImportComment(ctx, ic); err != nil {
			return err
		}
		local[c.ID] = id
		im.rep.Comments++
		return im.tx.MarkImported(ctx, im.w.Site, "comment", c.ID, id)
	}
	for _, c := range it.Comments {
		if err := importOne(c, 0); err != nil {
			return fmt.Errorf("comment %s: %w", c.ID, err)
		}
	}
	return nil
}

// remoteImage finds an <img> in sanitised HTML whose source is on another host.
var remoteImage = regexp.MustCompile(`<img[^>]*\ssrc="(?:https?:)?//`)

var (
	wpParaTag  = regexp.MustCompile(`(?i)\s*</?p(?:\s[^>]*)?>\s*`)
	wpBreakTag = regexp.MustCompile(`(?i)<br\s*/?>\s*`)
)

// wpCommentText turns the paragraph markup WordPress comments sometimes carry back
// into the blank lines CommentHTML reads as paragraphs; other tags are left for the
// comment policy to keep (a, strong, em …) or strip.
func wpCommentText(s string) string {
	s = wpBreakTag.ReplaceAllString(s, "\n")
	s = wpParaTag.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s)
}
