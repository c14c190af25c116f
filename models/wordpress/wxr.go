package wordpress

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// WXR is a parsed WordPress export ("WordPress eXtended RSS"). Only what the
// importer uses is kept.
type WXR struct {
	Site       string // wp:base_site_url, which scopes the import map
	BlogPath   string // path of wp:base_blog_url ("/blog" for a blog in a subdirectory, "" at the root)
	Version    string // wp:wxr_version
	Authors    []wxrAuthor
	Categories []wxrTerm // channel-level wp:category definitions
}

type wxrAuthor struct {
	ID          string `xml:"author_id"`
	Login       string `xml:"author_login"`
	Email       string `xml:"author_email"`
	DisplayName string `xml:"author_display_name"`
	FirstName   string `xml:"author_first_name"`
	LastName    string `xml:"author_last_name"`
}

type wxrTerm struct {
	Nicename string `xml:"category_nicename"`
	Name     string `xml:"cat_name"`
	Parent   string `xml:"category_parent"` // the parent's nicename, or ""
}

// wxrText keeps an element's namespace: content:encoded and excerpt:encoded share
// the local name "encoded" and only the namespace tells them apart.
type wxrText struct {
	XMLName xml.Name
	Text    string `xml:",chardata"`
}

type wxrItemTerm struct {
	Domain   string `xml:"domain,attr"` // "category", "post_tag", or "tag" in WXR 1.0
	Nicename string `xml:"nicename,attr"`
	Name     string `xml:",chardata"`
}

type wxrMeta struct {
	Key   string `xml:"meta_key"`
	Value string `xml:"meta_value"`
}

type wxrComment struct {
	ID          string    `xml:"comment_id"`
	Author      string    `xml:"comment_author"`
	AuthorEmail string    `xml:"comment_author_email"`
	AuthorIP    string    `xml:"comment_author_IP"`
	Date        string    `xml:"comment_date"`
	DateGMT     string    `xml:"comment_date_gmt"`
	Content     string    `xml:"comment_content"`
	Approved    string    `xml:"comment_approved"` // "1", "0", "spam", "trash", "post-trashed"
	Type        string    `xml:"comment_type"`     // "", "comment", "pingback", "trackback"
	Parent      string    `xml:"comment_parent"`   // "0" for top level
	UserID      string    `xml:"comment_user_id"`  // the commenter's WordPress account (author_id), or "0" for a guest
	AuthorURL   string    `xml:"comment_author_url"`
	Meta        []wxrMeta `xml:"commentmeta"`
}

// meta returns the value of a wp:commentmeta key, or "".
func (c wxrComment) meta(key string) string {
	for _, m := range c.Meta {
		if m.Key == key {
			return m.Value
		}
	}
	return ""
}

type wxrItem struct {
	Title         string        `xml:"title"`
	Link          string        `xml:"link"`
	Creator       string        `xml:"creator"` // dc:creator = author_login
	Encoded       []wxrText     `xml:"encoded"`
	ID            string        `xml:"post_id"`
	Date          string        `xml:"post_date"`
	DateGMT       string        `xml:"post_date_gmt"`
	CommentStatus string        `xml:"comment_status"`
	Name          string        `xml:"post_name"`
	Status        string        `xml:"status"`
	Password      string        `xml:"post_password"` // set on a password-protected post
	Parent        string        `xml:"post_parent"`   // for an attachment, the post it belongs to
	Type          string        `xml:"post_type"`
	AttachmentURL string        `xml:"attachment_url"`
	Terms         []wxrItemTerm `xml:"category"`
	Meta          []wxrMeta     `xml:"postmeta"`
	Comments      []wxrComment  `xml:"comment"`
}

const contentNS = "http://purl.org/rss/1.0/modules/content/"

// Content is the post body (content:encoded).
func (it wxrItem) Content() string {
	return it.encoded(func(ns string) bool { return ns == contentNS })
}

// Excerpt is the hand-written summary (excerpt:encoded; its namespace carries the WXR version).
func (it wxrItem) Excerpt() string {
	return it.encoded(func(ns string) bool { return strings.HasSuffix(ns, "/excerpt/") })
}

func (it wxrItem) encoded(match func(string) bool) string {
	for _, e := range it.Encoded {
		if match(e.XMLName.Space) {
			return e.Text
		}
	}
	return ""
}

// meta returns the (first) value of a wp:postmeta key, or "".
func (it wxrItem) meta(key string) string {
	if vs := it.metas(key); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// hasMeta says whether the item has a wp:postmeta key, even with an empty value.
func (it wxrItem) hasMeta(key string) bool { return len(it.metas(key)) > 0 }

// metas returns every value of a wp:postmeta key, in file order.
func (it wxrItem) metas(key string) []string {
	var vs []string
	for _, m := range it.Meta {
		if m.Key == key {
			vs = append(vs, m.Value)
		}
	}
	return vs
}

// wxrDate reads WordPress's "2006-01-02 15:04:05", preferring the GMT column.
// The local column has no zone in the export, so it is read as UTC: a fallback
// only, used when WordPress left the GMT one zeroed (as it does for drafts).
func wxrDate(gmt, local string) time.Time {
	for _, s := range []string{gmt, local} {
		if t, err := time.Parse(time.DateTime, strings.TrimSpace(s)); err == nil && t.Year() > 1 {
			return t.UTC()
		}
	}
	return time.Time{}
}

// WXRError is an export that cannot be read; nothing has been written when it is returned.
type WXRError struct {
	Line int
	Err  error
}

func (e *WXRError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("not a readable WordPress export (line %d): %v", e.Line, e.Err)
	}
	return "not a readable WordPress export: " + e.Err.Error()
}

func (e *WXRError) Unwrap() error { return e.Err }

// knownWXRVersions are the export formats WordPress has written (1.0 up to 3.0,
// 1.1 up to 3.4, 1.2 since); their differences are handled where they are read.
var knownWXRVersions = map[string]bool{"1.0": true, "1.1": true, "1.2": true}

// ReadWXR reads an export with a streaming decoder, one element at a time, handing
// each item to onItem as soon as it is read and keeping only the channel's own
// elements (site, authors, categories); an error from onItem stops it. It reads to
// the end before returning, so a truncated or malformed file is refused (when
// onItem writes nothing, before anything is written). Go's decoder does not expand
// entities declared in a DOCTYPE, so "billion laughs" files fail as unknown
// entities instead of exploding.
func ReadWXR(r io.Reader, onItem func(wxrItem) error) (*WXR, error) {
	d := xml.NewDecoder(r)
	d.Strict = true
	var w WXR
	var sawRSS, sawVersion bool
	fail := func(err error) (*WXR, error) {
		line, _ := d.InputPos()
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			line, err = se.Line, errors.New(se.Msg) // the line goes into WXRError once
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || se != nil && se.Msg == "unexpected EOF" {
			err = errors.New("the file ends in the middle of the export (truncated?)")
		}
		return nil, &WXRError{Line: line, Err: err}
	}
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				if t.Name.Local != "rss" {
					return fail(fmt.Errorf("the document is <%s>, not an RSS export", t.Name.Local))
				}
				sawRSS = true
				continue
			}
			if depth != 3 { // children of <channel>
				continue
			}
			var err error
			switch {
			case t.Name.Local == "wxr_version":
				err = d.DecodeElement(&w.Version, &t)
				w.Version = strings.TrimSpace(w.Version)
				sawVersion = w.Version != ""
				if err == nil && sawVersion && !knownWXRVersions[w.Version] {
					return fail(fmt.Errorf("it is WXR version %q, and this importer reads versions 1.0 to 1.2 "+
						"(export again from a WordPress that writes one of those, or tell us about the new version)", w.Version))
				}
			case t.Name.Local == "base_blog_url":
				var blog string
				if err = d.DecodeElement(&blog, &t); err == nil {
					if u, perr := url.Parse(strings.TrimSpace(blog)); perr == nil {
						w.BlogPath = strings.TrimRight(u.Path, "/")
					}
				}
			case t.Name.Local == "base_site_url":
				err = d.DecodeElement(&w.Site, &t)
				w.Site = strings.TrimRight(strings.TrimSpace(w.Site), "/")
			case t.Name.Local == "author":
				var a wxrAuthor
				err = d.DecodeElement(&a, &t)
				w.Authors = append(w.Authors, a)
			case t.Name.Local == "category" && t.Name.Space != "":
				var c wxrTerm
				err = d.DecodeElement(&c, &t)
				w.Categories = append(w.Categories, c)
			case t.Name.Local == "item":
				var it wxrItem
				if err = d.DecodeElement(&it, &t); err == nil {
					if err = onItem(it); err != nil {
						return nil, err // the caller's own error, not the file's
					}
				}
			default:
				err = d.Skip()
			}
			if err != nil {
				return fail(err)
			}
			depth-- // DecodeElement and Skip consume the end element
		case xml.EndElement:
			depth--
		}
	}
	if !sawRSS {
		return fail(errors.New("the file is empty"))
	}
	if !sawVersion {
		return fail(errors.New("no <wp:wxr_version>: this RSS file is not a WordPress export"))
	}
	if w.Site == "" {
		return fail(errors.New("no <wp:base_site_url>: the export does not say which site it came from"))
	}
	return &w, nil
}
