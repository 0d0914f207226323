package main

import (
	"context"

	"github.com/amigo-oss/amigo-server/client"
)

// remote is what the organization holds, as apply and export need it.
type remote struct {
	machines []client.StateMachine
	agents   []client.Agent
	services []client.Service
}

func loadRemote(ctx context.Context, c *client.Client) (*remote, error) {
	var r remote
	var err error
	if r.machines, err = client.Collect(c.StateMachines(ctx, client.ListOptions{})); err != nil {
		return nil, err
	}
	if r.agents, err = client.Collect(c.Agents(ctx, client.ListOptions{})); err != nil {
		return nil, err
	}
	if r.services, err = client.Collect(c.Services(ctx, client.ServiceListOptions{})); err != nil {
		return nil, err
	}
	return &r, nil
}

// machine finds a state machine by name, a live one first.
func (r *remote) machine(name string) *client.StateMachine {
	return pick(r.machines, func(m client.StateMachine) (string, bool) { return m.Name, !m.Deprecated }, name)
}

// agent finds an agent by name, a live one first.
func (r *remote) agent(name string) *client.Agent {
	return pick(r.agents, func(a client.Agent) (string, bool) { return a.Name, !a.Deprecated }, name)
}

// service finds a service by name, an active one first.
func (r *remote) service(name string) *client.Service {
	return pick(r.services, func(s client.Service) (string, bool) { return s.Name, s.IsActive }, name)
}

// pick returns the first item named name that is live, else the first
// named name, else nil.
func pick[T any](items []T, key func(T) (string, bool), name string) *T {
	var fallback *T
	for i := range items {
		n, live := key(items[i])
		if n != name {
			continue
		}
		if live {
			return &items[i]
		}
		if fallback == nil {
			fallback = &items[i]
		}
	}
	return fallback
}

// latestMachineVersion returns a machine's latest version, nil if none.
func latestMachineVersion(ctx context.Context, c *client.Client, id string) (*client.StateMachineVersion, error) {
	vs, _, err := c.ListStateMachineVersions(ctx, id, client.VersionOptions{Version: "latest"}, 0)
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	return &vs[0], nil
}

// latestAgentVersion returns an agent's latest version, nil if none.
func latestAgentVersion(ctx context.Context, c *client.Client, id string) (*client.AgentVersion, error) {
	vs, _, err := c.ListAgentVersions(ctx, id, client.VersionOptions{Version: "latest"}, 0)
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	return &vs[0], nil
}
