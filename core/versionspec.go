package core

import (
	"regexp"
	"strings"
)

// A tool's version constraint is a Python packaging specifier set (PEP 440):
// comma-separated clauses such as ">=1.0", "~=2.2", "==1.*" or "!=1.3.4",
// or empty for any version. The grammar below is PEP 440's; like the
// packaging library it is case-insensitive and allows an optional "v".
var versionSpecifier = func() *regexp.Regexp {
	const (
		release = `v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*`
		pre     = `(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?`
		post    = `(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?`
		dev     = `(?:[-_.]?dev[-_.]?[0-9]*)?`
		local   = `(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?`
		// ~= needs at least two release components.
		compatible = `v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)+`
	)
	clause := `===\s*[^\s;)]*` +
		`|(?:==|!=)\s*` + release + `(?:\.\*|` + pre + post + dev + local + `)` +
		`|~=\s*` + compatible + pre + post + dev +
		`|(?:<=|>=|<|>)\s*` + release + pre + post + dev
	return regexp.MustCompile(`(?i)^\s*(?:` + clause + `)\s*$`)
}()

// isVersionSpecifierSet reports whether s is a valid specifier set.
func isVersionSpecifierSet(s string) bool {
	for clause := range strings.SplitSeq(s, ",") {
		if strings.TrimSpace(clause) != "" && !versionSpecifier.MatchString(clause) {
			return false
		}
	}
	return true
}
