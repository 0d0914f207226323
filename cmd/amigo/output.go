package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Output formats of the listing commands.
var outputFormats = []string{"table", "json", "yaml"}

// table is rows of cells under a header.
type table struct {
	header []string
	rows   [][]string
}

// write prints v in format: the table, or v itself as JSON or YAML.
func write(w io.Writer, format string, v any, t table) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "yaml":
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		node, err := jsonToYAML(data)
		if err != nil {
			return err
		}
		return encodeYAML(w, node)
	case "table", "":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(t.header, "\t"))
		for _, r := range t.rows {
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
		return tw.Flush()
	}
	return fmt.Errorf("unknown output format %q: use %s", format, strings.Join(outputFormats, ", "))
}

// orNone prints an optional number.
func orNone(n *int) string {
	if n == nil {
		return "-"
	}
	return fmt.Sprint(*n)
}
