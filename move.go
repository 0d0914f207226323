package amigo

import (
	"context"
	"fmt"
)

// OrgMoved is the directory state of an organization whose cluster has been
// switched to the move's target while the copy left on the old cluster is
// erased; MoveTarget then names the old cluster.
const OrgMoved = "moved"

// TableChecksum summarises one tenant table's rows of an organization. Two
// clusters hold the same rows exactly when every table's count and sum
// agree, whatever their database engines.
type TableChecksum struct {
	Table string
	Rows  int64
	Sum   string // hex SHA-256 over the rows in a canonical, engine-neutral form
}

// CompareChecksums returns nil if a copy's sums (got) equal its source's
// (want), and otherwise an error naming the first table that differs.
func CompareChecksums(want, got []TableChecksum) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d tables in the copy, %d in the source", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			return fmt.Errorf("table %s: %d rows (sum %.12s) in the copy, %d rows (sum %.12s) in the source",
				want[i].Table, got[i].Rows, got[i].Sum, want[i].Rows, want[i].Sum)
		}
	}
	return nil
}

// OrgRowScanner streams an organization's rows out of a cluster.
type OrgRowScanner interface {
	// ScanOrganization calls fn for every row of orgID, table by table,
	// parents before children. vals holds the columns named by cols.
	ScanOrganization(ctx context.Context, orgID string, fn func(table string, cols []string, vals []any) error) error
}

// MovableStore is a cluster store whose organizations can be moved to
// another cluster. Both SQL backends implement it.
type MovableStore interface {
	OrgRowScanner
	// ReplaceOrganization makes this cluster's copy of orgID exactly the
	// rows src scans, in one transaction: any earlier (partial or stale)
	// copy is deleted first, so repeating it never duplicates a row, and
	// it commits only if the copy matches src read again, so a source that
	// changes or empties meanwhile leaves this cluster as it was.
	ReplaceOrganization(ctx context.Context, orgID string, src OrgRowScanner) error
	// OrganizationChecksums returns a count and checksum per tenant table.
	OrganizationChecksums(ctx context.Context, orgID string) ([]TableChecksum, error)
	// EraseOrganizationRows deletes every row of orgID; erasing an absent
	// organization is not an error.
	EraseOrganizationRows(ctx context.Context, orgID string) error
}

// OperatorDirectory is what the operator commands need of the directory
// beyond Directory.
type OperatorDirectory interface {
	Directory
	// SwitchCluster atomically moves a placement from state OrgMoving on
	// cluster from (with MoveTarget to) to state OrgMoved on cluster to
	// (with MoveTarget from). Returns ECONFLICT if the placement is not in
	// that state, e.g. because another operator got there first.
	SwitchCluster(ctx context.Context, orgID, from, to string) error
	// ListPlacements returns the placements of region, by organization id.
	ListPlacements(ctx context.Context, region string) ([]*Placement, error)
}
