package wire

import (
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

// StateMachineVersionRequest is the body of
// create-service-hierarchical-state-machine-version: a whole definition.
type StateMachineVersionRequest = StateMachineDefinition

// Definition returns the request as a domain definition.
func (d *StateMachineDefinition) Definition() amigo.StateMachineDefinition {
	return shape.Convert[amigo.StateMachineDefinition](*d)
}

// NewStateMachineDefinition returns a domain definition in its wire shape.
func NewStateMachineDefinition(d amigo.StateMachineDefinition) StateMachineDefinition {
	return shape.Convert[StateMachineDefinition](d)
}

// StateMachineInstance is one element of
// get-service-hierarchical-state-machines' list.
type StateMachineInstance struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Deprecated    bool   `json:"deprecated"`
	LatestVersion *int   `json:"latest_version"`
}

// StateMachineList is the answer of get-service-hierarchical-state-machines.
type StateMachineList struct {
	Machines []StateMachineInstance `json:"service_hierarchical_state_machines"`
	Page
}

// NewStateMachine returns the state machine as the listing shows it.
func NewStateMachine(m *amigo.StateMachine) StateMachineInstance {
	return StateMachineInstance{ID: m.ID, Name: m.Name, Deprecated: m.Deprecated, LatestVersion: m.LatestVersion}
}

// StateMachineVersionInstance is one element of
// get-service-hierarchical-state-machine-versions' "state_machine_versions".
type StateMachineVersionInstance struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	MachineID string    `json:"service_hierarchical_state_machine_id"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	Creator   Creator   `json:"creator"`
	StateMachineDefinition
}

// StateMachineVersionList is the answer of
// get-service-hierarchical-state-machine-versions.
type StateMachineVersionList struct {
	Versions []StateMachineVersionInstance `json:"state_machine_versions"`
	Page
}

// NewStateMachineVersion returns the version as the listing shows it.
func NewStateMachineVersion(v *amigo.StateMachineVersion) StateMachineVersionInstance {
	d := shape.Convert[StateMachineDefinition](v.Definition)
	d.States = nonNil(d.States)
	if d.References == nil {
		d.References = map[string]Reference{}
	}
	d.GlobalIntraStateNavigationGuidelines = nonNil(d.GlobalIntraStateNavigationGuidelines)
	d.GlobalActionGuidelines = nonNil(d.GlobalActionGuidelines)
	d.GlobalBoundaryConstraints = nonNil(d.GlobalBoundaryConstraints)
	return StateMachineVersionInstance{
		ID: v.ID, OrgID: v.OrgID, MachineID: v.MachineID, Version: v.Version, CreatedAt: v.CreatedAt,
		Creator:                Creator{OrgID: v.CreatorOrgID, UserID: v.CreatorUserID},
		StateMachineDefinition: d,
	}
}
