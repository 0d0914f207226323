package storetest

import (
	"testing"

	"github.com/amigo-oss/amigo-server"
)

// testDirectory checks placements, maintenance switches, the platform
// organization and the operator's compare-and-swap of clusters.
func testDirectory(t *testing.T, s Stores) {
	d := s.Directory
	p := &amigo.Placement{OrgID: "acme", Region: "eu", Cluster: "default", State: amigo.OrgActive, CreatedAt: epoch, UpdatedAt: epoch}
	must(t, "place", d.Place(ctx, p))
	wantCode(t, "place twice", d.Place(ctx, &amigo.Placement{OrgID: "acme", Region: "us", Cluster: "x", State: amigo.OrgActive}), amigo.ECONFLICT)

	got, err := d.Lookup(ctx, "acme")
	must(t, "lookup", err)
	if got.Region != "eu" || got.Cluster != "default" || got.State != amigo.OrgActive || got.Maintenance || !got.CreatedAt.Equal(epoch) {
		t.Fatalf("lookup: %+v", got)
	}
	_, err = d.Lookup(ctx, "nobody")
	wantCode(t, "lookup unknown", err, amigo.ENOTFOUND)

	for what, err := range map[string]error{
		"set state":       d.SetState(ctx, "nobody", amigo.OrgDeleting, ""),
		"set cluster":     d.SetCluster(ctx, "nobody", "x"),
		"set maintenance": d.SetOrgMaintenance(ctx, "nobody", true),
	} {
		wantCode(t, what+" of an unknown organization", err, amigo.ENOTFOUND)
	}
	must(t, "set maintenance", d.SetOrgMaintenance(ctx, "acme", true))
	if got, _ := d.Lookup(ctx, "acme"); !got.Maintenance {
		t.Fatal("maintenance flag not stored")
	}

	t.Run("a move switches clusters once", func(t *testing.T) {
		must(t, "set moving", d.SetState(ctx, "acme", amigo.OrgMoving, "dedicated"))
		wantCode(t, "switch from the wrong cluster", d.SwitchCluster(ctx, "acme", "other", "dedicated"), amigo.ECONFLICT)
		must(t, "switch", d.SwitchCluster(ctx, "acme", "default", "dedicated"))
		got, _ := d.Lookup(ctx, "acme")
		if got.Cluster != "dedicated" || got.State != amigo.OrgMoved || got.MoveTarget != "default" {
			t.Fatalf("after switch: %+v", got)
		}
		wantCode(t, "switch again", d.SwitchCluster(ctx, "acme", "default", "dedicated"), amigo.ECONFLICT)
		must(t, "set cluster", d.SetCluster(ctx, "acme", "default"))
	})

	t.Run("placements are listed by region in id order", func(t *testing.T) {
		for _, id := range []string{"zeta", "beta"} {
			must(t, "place "+id, d.Place(ctx, &amigo.Placement{OrgID: id, Region: "eu", Cluster: "default", State: amigo.OrgActive}))
		}
		must(t, "place us", d.Place(ctx, &amigo.Placement{OrgID: "gamma", Region: "us", Cluster: "default", State: amigo.OrgActive}))
		ps, err := d.ListPlacements(ctx, "eu")
		must(t, "list", err)
		if got := ids(ps, func(p *amigo.Placement) string { return p.OrgID }); len(got) != 3 || got[0] != "acme" || got[1] != "beta" || got[2] != "zeta" {
			t.Fatalf("placements of eu: %v", got)
		}
	})

	t.Run("removing is idempotent", func(t *testing.T) {
		must(t, "remove", d.Remove(ctx, "beta"))
		must(t, "remove again", d.Remove(ctx, "beta"))
		_, err := d.Lookup(ctx, "beta")
		wantCode(t, "lookup removed", err, amigo.ENOTFOUND)
	})

	t.Run("region maintenance defaults to off", func(t *testing.T) {
		if on, err := d.RegionMaintenance(ctx, "eu"); err != nil || on {
			t.Fatalf("unset region: %v, %v", on, err)
		}
		must(t, "switch on", d.SetRegionMaintenance(ctx, "eu", true))
		must(t, "switch on again", d.SetRegionMaintenance(ctx, "eu", true))
		if on, err := d.RegionMaintenance(ctx, "eu"); err != nil || !on {
			t.Fatalf("after switching on: %v, %v", on, err)
		}
		if on, _ := d.RegionMaintenance(ctx, "us"); on {
			t.Fatal("another region is in maintenance too")
		}
	})

	t.Run("the first claim of the platform organization wins", func(t *testing.T) {
		if id, err := d.PlatformOrg(ctx); err != nil || id != "" {
			t.Fatalf("unclaimed: %q, %v", id, err)
		}
		if id, err := d.ClaimPlatformOrg(ctx, "acme"); err != nil || id != "acme" {
			t.Fatalf("first claim: %q, %v", id, err)
		}
		if id, err := d.ClaimPlatformOrg(ctx, "zeta"); err != nil || id != "acme" {
			t.Fatalf("second claim: %q, %v", id, err)
		}
	})
}
