package amigo

import (
	"context"
	"time"
)

// StateMachine is a named service hierarchical state machine (SHSM) of an
// organization: the conversation graph a service follows. Its content lives
// in immutable, numbered versions; services pin a version.
type StateMachine struct {
	ID    string
	OrgID string
	Name  string
	// Deprecated is set by delete-service-hierarchical-state-machine, which
	// never removes anything.
	Deprecated bool
	// LatestVersion is nil until the first version is created.
	LatestVersion *int
	CreatorOrgID  string
	CreatorUserID string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// StateMachineDefinition is the content of one state machine version: the
// body of create-service-hierarchical-state-machine-version. Each version is complete; nothing is inherited.
type StateMachineDefinition struct {
	Description string
	States      []State
	// The three entry points name internal action states.
	NewUserInitialState       string
	ReturningUserInitialState string
	TerminalState             string
	// References maps a reference name, used as "name.state" in external
	// next states, to a pinned version of another state machine.
	References                           map[string]Reference
	GlobalIntraStateNavigationGuidelines []string
	GlobalActionGuidelines               []string
	GlobalBoundaryConstraints            []string
}

// StateMachineVersion is one immutable version of a state machine.
type StateMachineVersion struct {
	// ID is the version's own resource id, set by the store.
	ID            string
	OrgID         string
	MachineID     string
	Version       int // 1 for the first version
	CreatorOrgID  string
	CreatorUserID string
	CreatedAt     time.Time
	Definition    StateMachineDefinition
}

// StateMachineFilter selects state machines for listing. Empty fields do
// not filter.
type StateMachineFilter struct {
	Deprecated *bool
	IDs        []string
	Offset     int
	Limit      int
}

// StateMachineLookup returns a state machine of the organization, read in
// the transaction of the store call that handed it out; ENOTFOUND if there
// is none.
type StateMachineLookup func(id string) (*StateMachine, error)

// StateMachineStore persists state machines and their versions.
type StateMachineStore interface {
	// CreateStateMachine stores a new state machine without versions.
	// Returns ECONFLICT if a live (not deprecated) state machine of the
	// organization has the same name.
	CreateStateMachine(ctx context.Context, m *StateMachine) error
	// FindStateMachine returns ENOTFOUND, also for a state machine of
	// another organization.
	FindStateMachine(ctx context.Context, orgID, id string) (*StateMachine, error)
	// ListStateMachines returns one page ordered by creation, and whether
	// more follow.
	ListStateMachines(ctx context.Context, orgID string, f StateMachineFilter) ([]*StateMachine, bool, error)
	// CreateStateMachineVersion allocates the next version number in one
	// transaction: it locks the state machine (ENOTFOUND if absent), returns
	// ECONFLICT if expected is set and differs from the next number, then
	// calls build with the latest version (nil for the first) and a lookup
	// of the organization's state machines that reads inside the same
	// transaction, so the caller can check the references it stores;
	// build's error is returned unchanged and rolls back. The store sets ID
	// (a new resource id), OrgID, MachineID, Version and CreatedAt of what
	// build returns, stores it, updates the
	// machine's LatestVersion and returns the stored version.
	CreateStateMachineVersion(ctx context.Context, orgID, machineID string, expected *int,
		build func(latest *StateMachineVersion, find StateMachineLookup) (*StateMachineVersion, error)) (*StateMachineVersion, error)
	// ListStateMachineVersions returns one page of the machine's versions
	// selected by f, and whether more follow. It does not check that the
	// machine exists.
	ListStateMachineVersions(ctx context.Context, orgID, machineID string, f VersionFilter) ([]*StateMachineVersion, bool, error)
	// DeprecateStateMachine locks the machine (ENOTFOUND if absent), calls
	// check with it and the number of active services that use it, and
	// marks it deprecated if check returns nil, in one transaction; check's
	// error is returned unchanged. Versions of other machines that
	// reference it keep working.
	DeprecateStateMachine(ctx context.Context, orgID, id string, check func(m *StateMachine, activeServices int) error) error
}
