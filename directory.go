package amigo

import (
	"context"
	"time"
)

// Organization states in the directory.
const (
	OrgActive   = "active"
	OrgDeleting = "deleting" // deleted from the first DELETE call on; erased asynchronously or by a retry
	OrgMoving   = "moving"   // being copied to another cluster
)

// Placement says where an organization lives. The directory holds no tenant
// data: only placements and operator switches.
type Placement struct {
	OrgID       string
	Region      string
	Cluster     string
	State       string
	Maintenance bool
	// MoveTarget is the destination cluster while State is OrgMoving.
	MoveTarget string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Directory is the global map from organization to region and cluster.
type Directory interface {
	// Place records a new organization. Returns ECONFLICT if the id is
	// already placed, in any region.
	Place(ctx context.Context, p *Placement) error
	// Lookup returns ENOTFOUND for an unknown organization.
	Lookup(ctx context.Context, orgID string) (*Placement, error)
	// SetState changes the state (and move target) of a placement.
	SetState(ctx context.Context, orgID, state, moveTarget string) error
	// SetCluster switches the organization to another cluster.
	SetCluster(ctx context.Context, orgID, cluster string) error
	// SetOrgMaintenance switches an organization's maintenance flag.
	SetOrgMaintenance(ctx context.Context, orgID string, on bool) error
	// Remove deletes the placement; removing an absent one is not an error.
	Remove(ctx context.Context, orgID string) error

	// RegionMaintenance reports whether a region is in maintenance.
	RegionMaintenance(ctx context.Context, region string) (bool, error)
	SetRegionMaintenance(ctx context.Context, region string, on bool) error

	// PlatformOrg returns the id of the platform organization, or "" if none
	// has been bootstrapped yet. ClaimPlatformOrg sets it only if unset and
	// returns the value in force.
	PlatformOrg(ctx context.Context) (string, error)
	ClaimPlatformOrg(ctx context.Context, orgID string) (string, error)

	// RevokeSession records that the console session whose token has id
	// tokenID was signed out; the record may go after expires, when the
	// token expires. Revoking one twice is not an error.
	RevokeSession(ctx context.Context, tokenID string, expires time.Time) error
	// SessionRevoked reports whether RevokeSession recorded tokenID.
	SessionRevoked(ctx context.Context, tokenID string) (bool, error)
}
