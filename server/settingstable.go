package server

import (
	"fmt"
	"strings"
)

// SettingsTable renders Settings as the settings table of docs/configuration.md, so
// that the documentation cannot drift from the flags (TestREADMESettingsTable).
func SettingsTable() string {
	var b strings.Builder
	b.WriteString("| flag | environment | file key | default | meaning |\n|---|---|---|---|---|\n")
	for _, s := range Settings {
		flag, env, key, def := "–", "–", "–", "–"
		if s.Flag != "" {
			flag = "`--" + s.Flag + "`"
			switch s.Shape {
			case List:
				flag += " (repeatable)"
			case Mapping:
				flag = "`--" + s.Flag + " NAME=VALUE` (repeatable)"
			}
		}
		if s.Env != "" {
			env = "`" + s.Env + "`"
			if s.Shape != Scalar {
				env += " (comma-separated)"
			}
		}
		if s.Key != "" {
			key = "`" + s.Key + "`"
		}
		if s.Default != "" {
			def = "`" + s.Default + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", flag, env, key, def, s.Help)
	}
	return b.String()
}
