package wordpress

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"broadsheet/models"
)

// Keys of the post meta the export adds to what WordPress itself writes, so that
// Broadsheet's importer gets back what WXR has no element for. WordPress keeps them
// as hidden custom fields (the leading underscore) and otherwise ignores them.
const (
	metaMarkdown   = "_broadsheet_markdown"     // the body as the editor typed it; content:encoded holds the HTML readers saw
	metaStatus     = "_broadsheet_status"       // our status where WordPress has none ("unpublished")
	metaDateline   = "_broadsheet_dateline"     //
	metaWire       = "_broadsheet_wire"         //
	metaCorrection = "_broadsheet_correction"   //
	metaUpdated    = "_broadsheet_updated_gmt"  // the "Updated" time shown to readers
	metaCredit     = "_broadsheet_image_credit" // the lead photo's credit (alt and caption ride on the attachment)
	metaOldAddress = "_broadsheet_old_address"  // a path of an earlier site that redirects here (one per meta)
	metaOldSlug    = "_wp_old_slug"             // WordPress's own key for a slug the post had before
	metaByline     = "_broadsheet_byline"       // the login of each author, in byline order (dc:creator holds one)
)

// ExportCounts says how much an export wrote.
type ExportCounts struct {
	Authors, Sections, Tags, Articles, Photos, Comments int
	Bytes                                               int64
}

// Export writes the whole site as a WXR 1.2 file (WordPress's export format) to w,
// streaming: stories are read and written one at a time. site is the site's
// public address (https://news.example), the root of every link. Authors are all
// accounts (commenters too, so registered commenters keep their comments); sections
// are categories, each story's section its first category; a story's lead photo is an
// attachment whose file is uploads/HASH.EXT of the data folder. progress, if not
// nil, is called after every story.
func Export(ctx context.Context, s *models.Store, now time.Time, site string, w io.Writer, progress func(ExportCounts)) (ExportCounts, error) {
	site = strings.TrimRight(site, "/")
	st, err := s.Settings.Get(ctx)
	if err != nil {
		return ExportCounts{}, err
	}
	x := &wxrWriter{b: bufio.NewWriterSize(w, 64<<10), site: site}
	var n ExportCounts
	err = s.Export(ctx, func(snap *models.Snapshot) error {
		x.header(st.SiteName, st.Tagline, now)
		logins := map[int64]string{}
		names := map[int64]string{}
		if err := snap.Users(ctx, func(u models.ExportedUser) error {
			logins[u.ID], names[u.ID] = u.Slug, u.Name
			n.Authors++
			return x.author(u)
		}); err != nil {
			return err
		}
		sections := map[int64]models.ExportedSection{}
		var lastSection int64
		if err := snap.Sections(ctx, func(sec models.ExportedSection) error {
			sections[sec.ID], lastSection = sec, sec.ID
			n.Sections++
			return x.category(sec)
		}); err != nil {
			return err
		}
		tags := map[int64]models.ExportedTag{}
		if err := snap.Tags(ctx, func(t models.ExportedTag) error {
			tags[t.ID] = t
			n.Tags++
			return x.tag(lastSection+t.ID, t)
		}); err != nil {
			return err
		}
		x.line(1, "<generator>Broadsheet</generator>")
		maxID, err := snap.MaxArticleID(ctx)
		if err != nil {
			return err
		}
		photos := map[int64]bool{} // media written as an attachment already
		return snap.Articles(ctx, func(a models.ExportedArticle) error {
			// Attachment ids must not meet post ids: they follow the highest story id.
			var thumb int64
			if a.Photo != nil {
				thumb = maxID + a.Photo.ID
				if !photos[a.Photo.ID] {
					photos[a.Photo.ID] = true
					n.Photos++
					x.attachment(thumb, a)
				}
			}
			x.itemStart(a, thumb, logins, sections[a.SectionID], tags)
			if err := snap.Comments(ctx, a.ID, func(c models.ExportedComment) error {
				n.Comments++
				x.comment(c, logins, names)
				return x.err
			}); err != nil {
				return err
			}
			x.line(1, "</item>")
			n.Articles++
			if progress != nil {
				n.Bytes = x.n
				progress(n)
			}
			return x.err
		})
	})
	if err != nil {
		return n, err
	}
	x.line(0, "</channel>")
	x.line(0, "</rss>")
	if x.err == nil {
		x.err = x.b.Flush()
	}
	n.Bytes = x.n
	return n, x.err
}

// wxrWriter writes WXR by hand, as WordPress does: the elements are few and fixed,
// and text goes into CDATA sections, which keeps Markdown and HTML readable.
type wxrWriter struct {
	b    *bufio.Writer
	site string
	n    int64 // bytes written, for the progress bar
	err  error // the first write error; later writes are skipped
}

func (x *wxrWriter) line(indent int, s string) {
	if x.err != nil {
		return
	}
	x.b.WriteString(strings.Repeat("\t", indent))
	x.b.WriteString(s)
	_, x.err = x.b.WriteString("\n")
	x.n += int64(indent + len(s) + 1)
}

// cdata wraps s in a CDATA section, splitting any "]]>" inside it the way WordPress's
// exporter does, after dropping the characters XML 1.0 does not allow anywhere.
func cdata(s string) string {
	return "<![CDATA[" + strings.ReplaceAll(xmlChars(s), "]]>", "]]]]><![CDATA[>") + "]]>"
}

// esc escapes s as XML character data.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(xmlChars(s)))
	return b.String()
}

// xmlChars drops what XML 1.0 forbids (most control characters, lone surrogates,
// U+FFFE/U+FFFF), which a reader would otherwise reject the whole file for.
func xmlChars(s string) string {
	ok := func(r rune) bool {
		return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
	}
	for _, r := range s {
		if !ok(r) {
			return strings.Map(func(r rune) rune {
				if ok(r) {
					return r
				}
				return -1
			}, s)
		}
	}
	return s
}

// el is <wp:NAME><![CDATA[value]]></wp:NAME>.
func el(name, value string) string { return "<" + name + ">" + cdata(value) + "</" + name + ">" }

// num is <NAME>n</NAME>.
func num(name string, n int64) string {
	return "<" + name + ">" + strconv.FormatInt(n, 10) + "</" + name + ">"
}

// wpDate is WordPress's "2006-01-02 15:04:05"; a time never set is WordPress's zero date.
func wpDate(t time.Time) string {
	if t.IsZero() {
		return "0000-00-00 00:00:00"
	}
	return t.UTC().Format(time.DateTime)
}

func (x *wxrWriter) header(name, tagline string, now time.Time) {
	x.line(0, `<?xml version="1.0" encoding="UTF-8" ?>`)
	x.line(0, "<!-- A WordPress eXtended RSS (WXR) file written by Broadsheet: import it with WordPress's")
	x.line(0, "     Tools > Import > WordPress, or with `broadsheet import wordpress`. -->")
	x.line(0, `<rss version="2.0"`)
	x.line(1, `xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"`)
	x.line(1, `xmlns:content="http://purl.org/rss/1.0/modules/content/"`)
	x.line(1, `xmlns:wfw="http://wellformedweb.org/CommentAPI/"`)
	x.line(1, `xmlns:dc="http://purl.org/dc/elements/1.1/"`)
	x.line(1, `xmlns:wp="http://wordpress.org/export/1.2/"`)
	x.line(0, ">")
	x.line(0, "<channel>")
	x.line(1, "<title>"+esc(name)+"</title>")
	x.line(1, "<link>"+esc(x.site)+"</link>")
	x.line(1, "<description>"+esc(tagline)+"</description>")
	x.line(1, "<pubDate>"+now.UTC().Format(time.RFC1123Z)+"</pubDate>")
	x.line(1, "<language>en</language>")
	x.line(1, "<wp:wxr_version>1.2</wp:wxr_version>")
	x.line(1, "<wp:base_site_url>"+esc(x.site)+"</wp:base_site_url>")
	x.line(1, "<wp:base_blog_url>"+esc(x.site)+"</wp:base_blog_url>")
}

// author writes an account. Its slug is the login (unique, like a login) and its id
// is the one comments' wp:comment_user_id points at. First and last names are not
// kept apart here, so they stay empty and the display name says it all.
func (x *wxrWriter) author(u models.ExportedUser) error {
	x.line(1, "<wp:author>"+num("wp:author_id", u.ID)+el("wp:author_login", u.Slug)+el("wp:author_email", u.Email)+
		el("wp:author_display_name", u.Name)+el("wp:author_first_name", "")+el("wp:author_last_name", "")+"</wp:author>")
	return x.err
}

func (x *wxrWriter) category(s models.ExportedSection) error {
	x.line(1, "<wp:category>"+num("wp:term_id", s.ID)+el("wp:category_nicename", s.Slug)+el("wp:category_parent", "")+
		el("wp:cat_name", s.Name)+el("wp:category_description", s.Description)+"</wp:category>")
	return x.err
}

// tag writes a tag; termID numbers it after the sections, since WordPress numbers
// categories and tags in one sequence.
func (x *wxrWriter) tag(termID int64, t models.ExportedTag) error {
	x.line(1, "<wp:tag>"+num("wp:term_id", termID)+el("wp:tag_slug", t.Slug)+el("wp:tag_name", t.Name)+"</wp:tag>")
	return x.err
}

// wpStatus maps our status to WordPress's; where WordPress has none, metaStatus keeps ours.
func wpStatus(status string) string {
	switch status {
	case models.StatusPublished:
		return "publish"
	case models.StatusScheduled:
		return "future"
	case models.StatusReview:
		return "pending"
	}
	return "draft"
}

func (x *wxrWriter) link(a models.ExportedArticle) string {
	return x.site + "/articles/" + url.PathEscape(a.Slug)
}

func (x *wxrWriter) meta(key, value string) {
	x.line(2, "<wp:postmeta>"+el("wp:meta_key", key)+el("wp:meta_value", value)+"</wp:postmeta>")
}

// attachment writes a story's lead photo as WordPress's attachment post.
func (x *wxrWriter) attachment(id int64, a models.ExportedArticle) {
	file := strings.TrimPrefix(a.Photo.URL(0), "/media/")
	x.line(1, "<item>")
	x.line(2, "<title>"+cdata(a.ImageAlt)+"</title>")
	x.line(2, "<link>"+esc(x.site+a.Photo.URL(0))+"</link>")
	x.line(2, "<guid isPermaLink=\"false\">"+esc(x.site+a.Photo.URL(0))+"</guid>")
	x.line(2, "<content:encoded>"+cdata("")+"</content:encoded>")
	x.line(2, "<excerpt:encoded>"+cdata(a.ImageCaption)+"</excerpt:encoded>")
	x.line(2, num("wp:post_id", id))
	x.line(2, el("wp:post_date", wpDate(a.CreatedAt)))
	x.line(2, el("wp:post_date_gmt", wpDate(a.CreatedAt)))
	x.line(2, el("wp:post_name", strings.TrimSuffix(file, "."+a.Photo.Ext)))
	x.line(2, el("wp:status", "inherit"))
	x.line(2, num("wp:post_parent", a.ID))
	x.line(2, el("wp:post_type", "attachment"))
	x.line(2, el("wp:attachment_url", x.site+a.Photo.URL(0)))
	x.meta("_wp_attached_file", file)
	x.meta("_wp_attachment_image_alt", a.ImageAlt)
	x.line(1, "</item>")
}

// itemStart writes a story up to its comments.
func (x *wxrWriter) itemStart(a models.ExportedArticle, thumb int64, logins map[int64]string, sec models.ExportedSection, tags map[int64]models.ExportedTag) {
	date := a.PublishedAt
	if date.IsZero() {
		date = a.CreatedAt
	}
	gmt := a.PublishedAt // a draft has no GMT date in WordPress's exports either
	creator := ""
	if len(a.AuthorIDs) > 0 {
		creator = logins[a.AuthorIDs[0]]
	}
	x.line(1, "<item>")
	x.line(2, "<title>"+cdata(a.Title)+"</title>")
	x.line(2, "<link>"+esc(x.link(a))+"</link>")
	if !a.PublishedAt.IsZero() {
		x.line(2, "<pubDate>"+a.PublishedAt.UTC().Format(time.RFC1123Z)+"</pubDate>")
	}
	x.line(2, "<dc:creator>"+cdata(creator)+"</dc:creator>")
	x.line(2, "<guid isPermaLink=\"false\">"+esc(x.site+"/?p="+strconv.FormatInt(a.ID, 10))+"</guid>")
	x.line(2, "<description></description>")
	if a.BodyFormat == "markdown" {
		x.line(2, "<content:encoded>"+cdata(a.BodyHTML)+"</content:encoded>")
	} else { // the text WordPress once gave, which both importers read as they did then
		x.line(2, "<content:encoded>"+cdata(a.BodySrc)+"</content:encoded>")
	}
	x.line(2, "<excerpt:encoded>"+cdata(a.Dek)+"</excerpt:encoded>")
	x.line(2, num("wp:post_id", a.ID))
	x.line(2, el("wp:post_date", wpDate(date)))
	x.line(2, el("wp:post_date_gmt", wpDate(gmt)))
	x.line(2, el("wp:post_modified", wpDate(a.ModifiedAt)))
	x.line(2, el("wp:post_modified_gmt", wpDate(a.ModifiedAt)))
	x.line(2, el("wp:comment_status", map[bool]string{true: "open", false: "closed"}[a.CommentsOpen]))
	x.line(2, el("wp:ping_status", "closed"))
	x.line(2, el("wp:post_name", a.Slug))
	x.line(2, el("wp:status", wpStatus(a.Status)))
	x.line(2, num("wp:post_parent", 0))
	x.line(2, num("wp:menu_order", 0))
	x.line(2, el("wp:post_type", "post"))
	x.line(2, el("wp:post_password", ""))
	x.line(2, num("wp:is_sticky", 0))
	// The section first: an importer takes a post's first category as its section.
	x.line(2, `<category domain="category" nicename="`+esc(sec.Slug)+`">`+cdata(sec.Name)+"</category>")
	for _, id := range a.TagIDs {
		t := tags[id]
		x.line(2, `<category domain="post_tag" nicename="`+esc(t.Slug)+`">`+cdata(t.Name)+"</category>")
	}
	if a.BodyFormat == "markdown" {
		x.meta(metaMarkdown, a.BodySrc)
	}
	if a.Status == models.StatusUnpublished {
		x.meta(metaStatus, a.Status)
	}
	for _, m := range [][2]string{{metaDateline, a.Dateline}, {metaWire, a.Wire}, {metaCorrection, a.Correction}, {metaCredit, a.ImageCredit}} {
		if m[1] != "" {
			x.meta(m[0], m[1])
		}
	}
	if !a.UpdatedAt.IsZero() {
		x.meta(metaUpdated, wpDate(a.UpdatedAt))
	}
	if thumb != 0 {
		x.meta("_thumbnail_id", strconv.FormatInt(thumb, 10))
	}
	if len(a.AuthorIDs) > 1 {
		for _, id := range a.AuthorIDs {
			x.meta(metaByline, logins[id])
		}
	}
	for _, s := range a.OldSlugs {
		x.meta(metaOldSlug, s)
	}
	for _, p := range a.OldAddresses {
		x.meta(metaOldAddress, p)
	}
}

// wpApproved maps a comment's state to wp:comment_approved.
var wpApproved = map[string]string{"approved": "1", "pending": "0", "spam": "spam", "deleted": "trash"}

func (x *wxrWriter) comment(c models.ExportedComment, logins, names map[int64]string) {
	author := c.GuestName
	if c.UserID != 0 {
		author = names[c.UserID]
	}
	x.line(2, "<wp:comment>")
	x.line(3, num("wp:comment_id", c.ID))
	x.line(3, el("wp:comment_author", author))
	x.line(3, el("wp:comment_author_email", c.GuestEmail))
	x.line(3, el("wp:comment_author_url", c.GuestURL))
	// No wp:comment_author_IP: Broadsheet keeps only a keyed hash of a network, which
	// means nothing to another site.
	x.line(3, el("wp:comment_date", wpDate(c.CreatedAt)))
	x.line(3, el("wp:comment_date_gmt", wpDate(c.CreatedAt)))
	x.line(3, el("wp:comment_content", c.BodySrc))
	x.line(3, el("wp:comment_approved", wpApproved[c.Status]))
	x.line(3, el("wp:comment_type", "comment"))
	x.line(3, num("wp:comment_parent", c.ParentID))
	x.line(3, num("wp:comment_user_id", c.UserID))
	if c.Status == models.CommentDeleted { // WordPress's trash, which our importer reads back as deleted
		x.line(3, "<wp:commentmeta>"+el("wp:meta_key", metaStatus)+el("wp:meta_value", c.Status)+"</wp:commentmeta>")
	}
	x.line(2, "</wp:comment>")
}

// String is the one line the command prints.
func (n ExportCounts) String() string {
	return fmt.Sprintf("%s, %s, %s, %s, %s, %s", count(n.Articles, "article"), count(n.Comments, "comment"),
		count(n.Authors, "account"), count(n.Sections, "section"), count(n.Tags, "tag"), count(n.Photos, "photo"))
}
