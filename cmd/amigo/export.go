package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server/client"
)

func newExportCmd(g *globals) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "export --dir DIR",
		Short: "Write the organization's agents, state machines and services as manifests",
		Long: `export writes every live agent and state machine (at its latest version) and
every service of the organization as manifests under DIR: state-machines/,
agents/ and services/, one YAML file per resource. State-machine references
and services name their resources by name, so the files can be applied to
another organization; applying them to the same one changes nothing.`,
		Example: `  amigo export --dir manifests/
  amigo export --dir backup/ --org acme && amigo apply -f backup/ --org acme-staging`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				return errors.New("export needs --dir DIR")
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			docs, err := exportManifests(cmd.Context(), c)
			if err != nil {
				return err
			}
			written := map[string]bool{}
			for _, d := range docs {
				if err := writeManifest(dir, d, written); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "exported %d resources to %s\n", len(docs), dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory to write the manifests to")
	cmd.MarkFlagDirname("dir")
	return cmd
}

// exportManifests builds a manifest for every live agent and state
// machine and every service (one per name, the active one first).
func exportManifests(ctx context.Context, c *client.Client) ([]*manifest, error) {
	r, err := loadRemote(ctx, c)
	if err != nil {
		return nil, err
	}
	machineNames := map[string]string{}
	for _, m := range r.machines {
		machineNames[m.ID] = m.Name
	}
	agentNames := map[string]string{}
	for _, a := range r.agents {
		agentNames[a.ID] = a.Name
	}
	var out []*manifest
	add := func(kind, name, id string, spec any) error {
		m := &manifest{Kind: kind, Name: name, id: id}
		if spec != nil {
			var err error
			if m.Spec, err = json.Marshal(spec); err != nil {
				return err
			}
		}
		out = append(out, m)
		return nil
	}
	for _, m := range r.machines {
		if m.Deprecated {
			continue
		}
		v, err := latestMachineVersion(ctx, c, m.ID)
		if err != nil {
			return nil, err
		}
		var spec any
		if v != nil {
			spec = exportMachine(v.StateMachineDefinition, machineNames)
		}
		if err := add(KindStateMachine, m.Name, m.ID, spec); err != nil {
			return nil, err
		}
	}
	for _, a := range r.agents {
		if a.Deprecated {
			continue
		}
		v, err := latestAgentVersion(ctx, c, a.ID)
		if err != nil {
			return nil, err
		}
		var spec any
		if v != nil {
			spec = exportAgent(v)
		}
		if err := add(KindAgent, a.Name, a.ID, spec); err != nil {
			return nil, err
		}
	}
	done := map[string]bool{}
	for _, s := range r.services {
		if done[s.Name] {
			continue
		}
		done[s.Name] = true
		live := r.service(s.Name)
		if err := add(KindService, s.Name, live.ID, exportService(live, agentNames, machineNames)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// exportedMachine is a state-machine spec with references by name, its
// fields in the API's order.
type exportedMachine struct {
	client.StateMachineSpec
	References map[string]machineRef `json:"references"`
}

func exportMachine(spec client.StateMachineSpec, names map[string]string) exportedMachine {
	refs := make(map[string]machineRef, len(spec.References))
	for k, r := range spec.References {
		name, ok := names[r.MachineID]
		if !ok {
			name = r.MachineID
		}
		refs[k] = machineRef{Machine: name, Version: r.Version}
	}
	return exportedMachine{StateMachineSpec: spec, References: refs}
}

func exportAgent(v *client.AgentVersion) *client.AgentVersionRequest {
	req := &client.AgentVersionRequest{
		Initials: &v.Initials, Identity: &v.Identity, Background: &v.Background,
		Behaviors: &v.Behaviors, CommunicationPatterns: &v.CommunicationPatterns,
	}
	if v.VoiceConfig != nil {
		req.VoiceConfig = &client.VoiceConfig{VoiceID: v.VoiceConfig.VoiceID}
	}
	return req
}

func exportService(s *client.Service, agents, machines map[string]string) *serviceSpec {
	spec := &serviceSpec{
		Description: s.Description, Agent: agents[s.AgentID], StateMachine: machines[s.StateMachineID],
		IsActive: &s.IsActive, Tags: tagMap(s.Tags), Keyterms: s.Keyterms, VersionSets: map[string]versionSetSpec{},
	}
	for name, vs := range s.VersionSets {
		if name == "edge" {
			continue
		}
		spec.VersionSets[name] = versionSetSpec{
			AgentVersion: versionPin{vs.AgentVersion}, StateMachineVersion: versionPin{vs.StateMachineVersion},
			LLMModelPreferences: vs.LLMModelPreferences,
		}
	}
	return spec
}

// kindDirs are the subdirectories export writes each kind to.
var kindDirs = map[string]string{KindStateMachine: "state-machines", KindAgent: "agents", KindService: "services"}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// writeManifest writes one manifest to DIR/<kind>/<name>.yaml. Names are
// case-sensitive but many file systems are not, so when two names of this
// export map to file names that differ at most in case ("Amy" and "amy"),
// the later one's file is <name>-<id>.yaml: no export overwrites one of its
// own files, on any file system. Files of an earlier export are
// overwritten.
func writeManifest(dir string, m *manifest, written map[string]bool) error {
	sub := filepath.Join(dir, kindDirs[m.Kind])
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return err
	}
	base := strings.Trim(unsafeFileChars.ReplaceAllString(m.Name, "_"), "._")
	if base == "" {
		base = "unnamed"
	}
	path := filepath.Join(sub, base+".yaml")
	if written[strings.ToLower(path)] && m.id != "" {
		path = filepath.Join(sub, base+"-"+m.id+".yaml")
	}
	for i := 2; written[strings.ToLower(path)]; i++ {
		path = filepath.Join(sub, fmt.Sprintf("%s-%d.yaml", base, i))
	}
	written[strings.ToLower(path)] = true
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	node, err := jsonToYAML(data)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := encodeYAML(f, node); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
