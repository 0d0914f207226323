package console

import "strings"

// diffRow is one row of a side-by-side diff. Kind is "same", "changed",
// "removed" (only Left) or "added" (only Right).
type diffRow struct {
	Left, Right string
	Kind        string
}

// maxDiffLines bounds the diff's quadratic work; longer texts are shown
// whole, as one change.
const maxDiffLines = 3000

func splitLines(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") }

// sideBySide aligns two texts by their longest common subsequence of
// lines and pairs each run of removed lines with the added lines that
// replace it.
func sideBySide(a, b []string) []diffRow {
	if len(a) > maxDiffLines || len(b) > maxDiffLines {
		return pairRun(a, b)
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var rows []diffRow
	var del, add []string
	flush := func() {
		rows = append(rows, pairRun(del, add)...)
		del, add = nil, nil
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			flush()
			rows = append(rows, diffRow{Left: a[i], Right: b[j], Kind: "same"})
			i, j = i+1, j+1
		case j == len(b) || (i < len(a) && lcs[i+1][j] >= lcs[i][j+1]):
			del = append(del, a[i])
			i++
		default:
			add = append(add, b[j])
			j++
		}
	}
	flush()
	return rows
}

// pairRun shows removed lines beside the added lines that replace them.
func pairRun(del, add []string) []diffRow {
	var rows []diffRow
	for k := range max(len(del), len(add)) {
		switch {
		case k < len(del) && k < len(add):
			rows = append(rows, diffRow{Left: del[k], Right: add[k], Kind: "changed"})
		case k < len(del):
			rows = append(rows, diffRow{Left: del[k], Kind: "removed"})
		default:
			rows = append(rows, diffRow{Right: add[k], Kind: "added"})
		}
	}
	return rows
}
