package sqldb

import (
	"context"
	"database/sql"

	"github.com/amigo-oss/amigo-server"
)

// versioned adapts the shared resource storage to one domain type R (an
// agent or a state machine) and its version type V, so both stores are the
// same code.
type versioned[R, V any] struct {
	kind kind
	// toR and fromR convert between the row and the domain resource.
	toR   func(*resource) *R
	fromR func(*R) *resource
	// toV decodes a stored version; fromV gives the row to store for a
	// version built by the caller (creator and definition); stamp sets
	// the stored row's identity (id, number, time) on that version.
	toV   func(*version) (*V, error)
	fromV func(*V) *version
	stamp func(*V, *version)
}

func (t versioned[R, V]) create(ctx context.Context, db *ClusterStore, r *R) error {
	return db.createResource(ctx, t.kind, t.fromR(r))
}

func (t versioned[R, V]) find(ctx context.Context, db *ClusterStore, orgID, id string) (*R, error) {
	return t.findIn(ctx, db.read, orgID, id)
}

// findIn reads the resource through q, a transaction or the handle.
func (t versioned[R, V]) findIn(ctx context.Context, q Reader, orgID, id string) (*R, error) {
	r, err := findResource(ctx, q, t.kind, orgID, id)
	if err != nil {
		return nil, err
	}
	return t.toR(r), nil
}

func (t versioned[R, V]) list(ctx context.Context, db *ClusterStore, orgID string, deprecated *bool, ids []string, offset, limit int) ([]*R, bool, error) {
	rs, more, err := db.listResources(ctx, t.kind, orgID, deprecated, ids, offset, limit)
	if err != nil {
		return nil, false, err
	}
	out := make([]*R, len(rs))
	for i, r := range rs {
		out[i] = t.toR(r)
	}
	return out, more, nil
}

func (t versioned[R, V]) createVersion(ctx context.Context, db *ClusterStore, orgID, id string, expected *int, build func(tx *sql.Tx, latest *V) (*V, error)) (*V, error) {
	var out *V
	stored, err := db.createVersion(ctx, t.kind, orgID, id, expected, func(tx *sql.Tx, latest *version) (*version, error) {
		var prev *V
		if latest != nil {
			var err error
			if prev, err = t.toV(latest); err != nil {
				return nil, err
			}
		}
		v, err := build(tx, prev)
		if err != nil {
			return nil, err
		}
		out = v
		return t.fromV(v), nil
	})
	if err != nil {
		return nil, err
	}
	// The version built is what was stored: decoding the stored copy
	// again would cost as much as the body once more, for nothing.
	t.stamp(out, stored)
	return out, nil
}

func (t versioned[R, V]) deprecate(ctx context.Context, db *ClusterStore, orgID, id string, check func(r *R, activeServices int) error) error {
	return db.deprecateResource(ctx, t.kind, orgID, id, func(r *resource, n int) error { return check(t.toR(r), n) })
}

func (t versioned[R, V]) listVersions(ctx context.Context, db *ClusterStore, orgID, id string, f amigo.VersionFilter) ([]*V, bool, error) {
	vs, more, err := db.listVersions(ctx, orgID, id, f)
	if err != nil {
		return nil, false, err
	}
	out := make([]*V, len(vs))
	for i, v := range vs {
		if out[i], err = t.toV(v); err != nil {
			return nil, false, err
		}
	}
	return out, more, nil
}
