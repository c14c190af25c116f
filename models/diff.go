package models

import (
	"regexp"
	"strings"
)

// DiffLine is one line of a line-based diff.
type DiffLine struct {
	Op    string // "=" kept, "-" only in the old text, "+" only in the new, "~" changed within
	Text  string
	Words []DiffLine // for "~": the line's words (and the spaces between), each kept, removed or added
}

// maxDiffCells bounds the LCS table (lines × lines): past it the texts are shown as
// wholly replaced rather than spending memory on an alignment nobody can read.
const maxDiffCells = 4 << 20

// Diff compares two texts line by line through their longest common subsequence. A
// removed line followed by an added one that keeps at least half its words is one
// changed line, compared word by word: an edit inside a paragraph shows as the words
// it touched, not as two paragraphs to compare by eye.
func Diff(oldText, newText string) []DiffLine {
	a, b := strings.Split(oldText, "\n"), strings.Split(newText, "\n")
	lines := diffTokens(a, b)
	if len(a)*len(b) > maxDiffCells {
		return lines // shown as replaced: not aligned, so not paired either
	}
	var out []DiffLine
	for i := 0; i < len(lines); {
		// A run of removed lines, then a run of added ones: pair them in order.
		j := i
		for j < len(lines) && lines[j].Op == "-" {
			j++
		}
		k := j
		for k < len(lines) && lines[k].Op == "+" {
			k++
		}
		if j == i || k == j {
			out = append(out, lines[i])
			i++
			continue
		}
		dels, adds := lines[i:j], lines[j:k]
		var rest []DiffLine
		for p := range max(len(dels), len(adds)) {
			switch {
			case p < len(dels) && p < len(adds):
				if w, ok := wordDiff(dels[p].Text, adds[p].Text); ok {
					out = append(out, DiffLine{Op: "~", Text: adds[p].Text, Words: w})
				} else {
					out = append(out, dels[p])
					rest = append(rest, adds[p])
				}
			case p < len(dels):
				out = append(out, dels[p])
			default:
				rest = append(rest, adds[p])
			}
		}
		out = append(out, rest...)
		i = k
	}
	return out
}

// wordRE splits a line into words and the spaces between them.
var wordRE = regexp.MustCompile(`\s+|[^\s]+`)

// wordDiff compares two lines word by word; ok is false when they share fewer than
// half the words of the longer, which reads better as a line replaced.
func wordDiff(oldLine, newLine string) (parts []DiffLine, ok bool) {
	a, b := wordRE.FindAllString(oldLine, -1), wordRE.FindAllString(newLine, -1)
	parts = diffTokens(a, b)
	kept, words := 0, max(countWords(a), countWords(b))
	for _, p := range parts {
		if p.Op == "=" && strings.TrimSpace(p.Text) != "" {
			kept++
		}
	}
	if words == 0 || 2*kept < words {
		return nil, false
	}
	return parts, true
}

func countWords(tokens []string) int {
	n := 0
	for _, t := range tokens {
		if strings.TrimSpace(t) != "" {
			n++
		}
	}
	return n
}

// diffTokens aligns two sequences (lines, or a line's words) through their longest
// common subsequence.
func diffTokens(a, b []string) []DiffLine {
	n, m := len(a), len(b)
	if n*m > maxDiffCells {
		out := make([]DiffLine, 0, n+m)
		for _, l := range a {
			out = append(out, DiffLine{Op: "-", Text: l})
		}
		for _, l := range b {
			out = append(out, DiffLine{Op: "+", Text: l})
		}
		return out
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []DiffLine
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			out = append(out, DiffLine{Op: "=", Text: a[i]})
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, DiffLine{Op: "-", Text: a[i]})
			i++
		default:
			out = append(out, DiffLine{Op: "+", Text: b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, DiffLine{Op: "-", Text: a[i]})
	}
	for ; j < m; j++ {
		out = append(out, DiffLine{Op: "+", Text: b[j]})
	}
	return out
}
