// Package usage turns the command-line mistakes cobra reports tersely into
// errors that say what to type instead, for both commands (amigo and
// amigo-server): a misspelt command before any flag is parsed ("boostrap
// --org acme" is an unknown command, not an unknown --org), and an unknown
// flag with the nearest flag, or the one other programs' users reach for
// ("--port" is "--listen"). It depends on cobra and pflag only.
package usage

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// CheckCommand returns an error when the first word of args that is not a
// flag or a flag's value names none of root's commands, although root
// takes no arguments of its own; nil otherwise. Run it before executing
// root, whose flag parsing would otherwise report the words after the
// misspelt command as unknown flags of root.
func CheckCommand(root *cobra.Command, args []string) error {
	word := firstWord(root, args)
	if word == "" || word == cobra.ShellCompRequestCmd || word == cobra.ShellCompNoDescRequestCmd {
		return nil
	}
	// Execute adds these itself; ask for them now, as it would.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == word || c.HasAlias(word) {
			return nil
		}
	}
	if root.SuggestionsMinimumDistance <= 0 {
		root.SuggestionsMinimumDistance = 2
	}
	msg := fmt.Sprintf("unknown command %q for %q", word, root.Name())
	if s := root.SuggestionsFor(word); len(s) > 0 {
		msg += fmt.Sprintf(", did you mean %q?", s[0])
	}
	return errors.New(msg)
}

// firstWord returns the first argument that is neither a flag of root nor
// the value of one, "" if there is none.
func firstWord(root *cobra.Command, args []string) string {
	flags := pflag.NewFlagSet(root.Name(), pflag.ContinueOnError)
	flags.AddFlagSet(root.Flags())
	flags.AddFlagSet(root.PersistentFlags())
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return ""
		case strings.HasPrefix(a, "--") && strings.Contains(a, "="):
		case strings.HasPrefix(a, "--"):
			// --name value, or an unknown flag that may take one: the
			// next word is not taken for a command.
			if f := flags.Lookup(strings.TrimPrefix(a, "--")); f == nil || f.NoOptDefVal == "" {
				i++
			}
		case strings.HasPrefix(a, "-") && len(a) == 2:
			if f := flags.ShorthandLookup(a[1:]); f == nil || f.NoOptDefVal == "" {
				i++
			}
		case strings.HasPrefix(a, "-"):
		default:
			return a
		}
	}
	return ""
}

// FlagHints installs on root (and so every command) a flag error function
// that adds the flag a user probably meant to cobra's "unknown flag": the
// flag aliases names, else the command's flag nearest in spelling.
func FlagHints(root *cobra.Command, aliases map[string]string) {
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		name, ok := unknownFlag(err)
		if !ok {
			return err
		}
		if want, ok := aliases[name]; ok && cmd.Flags().Lookup(want) != nil {
			return fmt.Errorf("%w, did you mean --%s?", err, want)
		}
		if want := nearestFlag(cmd.Flags(), name); want != "" {
			return fmt.Errorf("%w, did you mean --%s?", err, want)
		}
		return err
	})
}

// unknownFlag returns the name in pflag's "unknown flag: --name".
func unknownFlag(err error) (string, bool) {
	const prefix = "unknown flag: --"
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return "", false
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(msg, prefix), "=")
	return name, true
}

// nearestFlag returns the flag of fs closest to name within two edits, or
// whose words name begins with (--listen for --listen-address), or "" if
// none is.
func nearestFlag(fs *pflag.FlagSet, name string) string {
	best, bestDist := "", 3
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := Distance(name, f.Name)
		if strings.HasPrefix(name, f.Name+"-") {
			d = min(d, 2)
		}
		if d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	return best
}

// Nearest returns the name of names closest to name, if it is within
// max(2, len(name)/3) edits: what a "did you mean" should offer for a
// misspelt key or id. The first of equally close names wins.
func Nearest(name string, names []string) (string, bool) {
	best, bestDist := "", -1
	for _, n := range names {
		if d := Distance(name, n); bestDist < 0 || d < bestDist {
			best, bestDist = n, d
		}
	}
	return best, bestDist >= 0 && bestDist <= max(2, len(name)/3)
}

// Distance is the Levenshtein distance of a and b, in bytes: how many
// letters to insert, delete or replace to spell one as the other.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
