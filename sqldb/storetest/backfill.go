package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/sqldb"
)

// VersionIDBackfill checks the migration that gave versions their own ids:
// versions written before it get ids that are well-formed, distinct, the
// same on every database, and left alone by later migrations, and versions
// written after it get new ids. h is a fresh, empty cluster database
// opened as h.
func VersionIDBackfill(t *testing.T, h sqldb.Handle) {
	const stop = "0005_version_ids.sql"
	handle := h.SQL
	old, err := sqldb.OpenClusterBefore(ctx, h, nil, stop)
	must(t, "migrate to the release before version ids", err)
	newOrg(t, old, "acme")
	a := newAgent(t, old, "acme", "a", epoch)
	m := newMachine(t, old, "acme", "m", epoch)
	for _, r := range []string{a.ID, m.ID} {
		for v := 1; v <= 2; v++ {
			_, err := handle.ExecContext(ctx, `INSERT INTO resource_versions (org_id, resource_id, version, creator_org_id, creator_user_id, created_at, definition)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, "acme", r, v, "acme", "u", epoch.UnixMicro(), `{"initials":"A"}`)
			must(t, "insert a version the old way", err)
		}
		_, err := handle.ExecContext(ctx, `UPDATE resources SET latest_version = 2 WHERE id = $1`, r)
		must(t, "set latest", err)
	}

	c, err := sqldb.OpenCluster(ctx, h, nil)
	must(t, "migrate", err)
	vs, _, err := c.ListAgentVersions(ctx, "acme", a.ID, amigo.VersionFilter{Limit: 10})
	must(t, "list agent versions", err)
	ms, _, err := c.ListStateMachineVersions(ctx, "acme", m.ID, amigo.VersionFilter{Limit: 10})
	must(t, "list machine versions", err)
	got := append(ids(vs, func(v *amigo.AgentVersion) string { return v.ID }), ids(ms, func(v *amigo.StateMachineVersion) string { return v.ID })...)
	want := []string{
		fmt.Sprintf("%08d%s", 1, a.ID[8:]), fmt.Sprintf("%08d%s", 2, a.ID[8:]),
		fmt.Sprintf("%08d%s", 1, m.ID[8:]), fmt.Sprintf("%08d%s", 2, m.ID[8:]),
	}
	if !slices.Equal(got, want) {
		t.Fatalf("backfilled ids %v, want %v", got, want)
	}
	for _, id := range got {
		if !amigo.IsID(id) {
			t.Fatalf("backfilled id %q is not a resource id", id)
		}
	}

	v, err := agentVersion(c, "acme", a.ID, ptr(3), "A3")
	must(t, "version after the migration", err)
	if !amigo.IsID(v.ID) || slices.Contains(got, v.ID) {
		t.Fatalf("new version id %q: want a fresh resource id", v.ID)
	}
	again, err := sqldb.OpenCluster(ctx, h, nil)
	must(t, "reopen", err)
	vs, _, err = again.ListAgentVersions(ctx, "acme", a.ID, amigo.VersionFilter{Limit: 10})
	must(t, "list after reopening", err)
	if ids := ids(vs, func(v *amigo.AgentVersion) string { return v.ID }); !slices.Equal(ids, append(want[:2:2], v.ID)) {
		t.Fatalf("ids after reopening %v: want them unchanged", ids)
	}
}
