package engine

import (
	"slices"
	"strings"
	"unicode"
)

// stopWords are the English words the built-in model ignores when it
// compares texts.
var stopWords = []string{
	"a", "about", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do", "does",
	"for", "from", "had", "has", "have", "he", "her", "his", "how", "i", "if", "in", "into", "is", "it", "its",
	"me", "my", "of", "on", "or", "our", "she", "should", "so", "that", "the", "their", "them", "they", "this", "to",
	"user", "was", "we", "were", "what", "when", "which", "who", "will", "with", "would", "you", "your",
}

// words returns the distinct words of s, lower-cased, in order of first
// appearance: runs of letters and digits, without stop words and without
// one-character words.
func words(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if len([]rune(w)) < 2 || slices.Contains(stopWords, w) || slices.Contains(out, w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// match reports whether two words count as the same: equal, or both of at
// least four letters with one a prefix of the other ("book", "booking").
func match(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) < 4 || len(b) < 4 {
		return false
	}
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}

// overlap counts the words of a that match some word of b.
func overlap(a, b []string) int {
	n := 0
	for _, x := range a {
		if slices.ContainsFunc(b, func(y string) bool { return match(x, y) }) {
			n++
		}
	}
	return n
}
