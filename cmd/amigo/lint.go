package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/smgraph"
)

func newLintCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "lint FILE...",
		Short: "Check manifests offline, with the server's validation and graph checks",
		Long: `lint checks manifests without a server. Agents, state machines and services go
through the server's own validation (the code the server runs), and state
machines through graph checks the API does not make: states no entry state reaches,
states with no path to the terminal state, references to state machines the
files do not define. Services must name agents and state machines of the files.

Exit status: 0 when nothing is found, 1 otherwise.`,
		Example: `  amigo lint examples/
  amigo lint support.yaml agents/amy.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ms, err := loadManifests(args)
			if err != nil {
				return err
			}
			problems := lint(ms)
			w := cmd.OutOrStdout()
			for _, p := range problems {
				fmt.Fprintln(w, p)
			}
			if len(problems) > 0 {
				return fmt.Errorf("%d problems in %d documents", len(problems), len(ms))
			}
			fmt.Fprintf(w, "ok: %d documents\n", len(ms))
			return nil
		},
	}
}

// lint returns every problem of the manifests, one line each.
func lint(ms []*manifest) []string {
	var out []string
	addErr := func(err error) {
		if err != nil {
			out = append(out, strings.Split(err.Error(), "\n")...)
		}
	}
	addErr(checkUnique(ms))
	defined := map[string]map[string]bool{KindAgent: {}, KindStateMachine: {}}
	for _, m := range ms {
		if defined[m.Kind] != nil {
			defined[m.Kind][m.Name] = true
		}
	}
	for _, m := range byKind(ms, KindStateMachine) {
		d, err := parseMachine(m)
		if err != nil {
			addErr(err)
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(d.refs)) {
			if r := d.refs[k]; !defined[KindStateMachine][r.Machine] {
				out = append(out, fmt.Sprintf("%s: %s %q: spec.references.%s: names state machine %q, which the files do not define",
					m.src.at("spec.references."+k), m.Kind, m.Name, k, r.Machine))
			}
		}
		if !m.hasSpec() {
			continue
		}
		def, err := validateMachine(d, placeholderRefs)
		if err != nil {
			addErr(err)
			continue
		}
		for _, f := range smgraph.Build(def).Findings {
			i := slices.IndexFunc(def.States, func(s amigo.State) bool { return s.Name() == f.State })
			out = append(out, fmt.Sprintf("%s: %s %q: state %q: %s: %s", m.src.at(fmt.Sprintf("spec.states.%d", i)), m.Kind, m.Name, f.State, f.Code, f.Message))
		}
	}
	for _, m := range byKind(ms, KindAgent) {
		if m.hasSpec() {
			_, err := validateAgent(m, true)
			addErr(err)
		}
	}
	for _, m := range byKind(ms, KindService) {
		s, err := parseService(m)
		if err != nil {
			addErr(err)
			continue
		}
		if !defined[KindAgent][s.Agent] {
			out = append(out, fmt.Sprintf("%s: spec.agent: names agent %q, which the files do not define", m.where(), s.Agent))
		}
		if !defined[KindStateMachine][s.StateMachine] {
			out = append(out, fmt.Sprintf("%s: spec.state_machine: names state machine %q, which the files do not define", m.where(), s.StateMachine))
		}
	}
	return out
}
