package core

import (
	"context"
	"fmt"

	"github.com/amigo-oss/amigo-server"
)

// Maintenance is switched in the directory by operator commands. Servers
// see a switch within their directory cache TTL; until then they keep
// serving. While on, every affected /v1 request is answered 503 with
// amigo.MsgMaintenance and a Retry-After header; health endpoints answer.

// SetRegionMaintenance switches maintenance for every organization of this
// region, and for creating new ones here.
func (a *App) SetRegionMaintenance(ctx context.Context, on bool) error {
	return a.Directory.SetRegionMaintenance(ctx, a.Region, on)
}

// SetOrgMaintenance switches maintenance for one organization of this
// region. Lifting it is refused while the organization is being moved:
// writes during the copy would be lost.
func (a *App) SetOrgMaintenance(ctx context.Context, orgID string, on bool) error {
	p, err := a.Directory.Lookup(ctx, orgID)
	if err != nil {
		return err
	}
	if p.Region != a.Region {
		return amigo.Errorf(amigo.ENOTFOUND, "Organization %s lives in region %s, not %s.", orgID, p.Region, a.Region)
	}
	if !on && (p.State == amigo.OrgMoving || p.State == amigo.OrgMoved) {
		return amigo.Errorf(amigo.ECONFLICT, "Organization %s is being moved to cluster %s; run move-org again to finish (maintenance ends with it).", orgID, moveDestination(p))
	}
	if err := a.Directory.SetOrgMaintenance(ctx, orgID, on); err != nil {
		return err
	}
	a.placements.forget(orgID)
	state := "off"
	if on {
		state = "on"
	}
	// Maintenance must work while a cluster is sick, so its record is
	// best effort: a cluster this process has not opened, or one that
	// fails, is logged instead of failing the switch.
	if err := a.recordOperator(ctx, orgID, p.Cluster, "maintenance", "Maintenance "+state,
		&placementDoc{Cluster: p.Cluster, Maintenance: p.Maintenance}, &placementDoc{Cluster: p.Cluster, Maintenance: on}); err != nil {
		a.Logger.WarnContext(ctx, "the maintenance switch is not in the change log", "org", orgID, "cluster", p.Cluster, "error", err)
	}
	return nil
}

// moveDestination is the cluster an unfinished move is heading to.
func moveDestination(p *amigo.Placement) string {
	if p.State == amigo.OrgMoved {
		return p.Cluster
	}
	return p.MoveTarget
}

// MaintenanceStatus is the region's switch and every organization of the
// region that is in maintenance or in the middle of a move or a deletion.
type MaintenanceStatus struct {
	Region        string           `json:"region"`
	Maintenance   bool             `json:"maintenance"`
	Organizations []OrgMaintenance `json:"organizations"`
}

// OrgMaintenance is one organization in MaintenanceStatus.
type OrgMaintenance struct {
	OrgID       string `json:"org_id"`
	Cluster     string `json:"cluster"`
	State       string `json:"state"`
	Maintenance bool   `json:"maintenance"`
	// MoveTo is the destination of an unfinished move.
	MoveTo string `json:"move_to,omitempty"`
}

// Maintenance reports the region's maintenance and the organizations that
// are not simply active.
func (a *App) Maintenance(ctx context.Context) (*MaintenanceStatus, error) {
	dir, ok := a.Directory.(amigo.OperatorDirectory)
	if !ok {
		return nil, fmt.Errorf("maintenance: the directory cannot list placements")
	}
	on, err := a.Directory.RegionMaintenance(ctx, a.Region)
	if err != nil {
		return nil, err
	}
	ps, err := dir.ListPlacements(ctx, a.Region)
	if err != nil {
		return nil, err
	}
	st := &MaintenanceStatus{Region: a.Region, Maintenance: on, Organizations: []OrgMaintenance{}}
	for _, p := range ps {
		if p.Maintenance || p.State != amigo.OrgActive {
			o := OrgMaintenance{OrgID: p.OrgID, Cluster: p.Cluster, State: p.State, Maintenance: p.Maintenance}
			if p.State == amigo.OrgMoving || p.State == amigo.OrgMoved {
				o.MoveTo = moveDestination(p)
			}
			st.Organizations = append(st.Organizations, o)
		}
	}
	return st, nil
}
