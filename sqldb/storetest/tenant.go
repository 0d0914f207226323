package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// testOrganizations checks creation with roles and users, partial updates
// and erasure.
func testOrganizations(t *testing.T, s Stores) {
	c := s.Cluster
	o := newOrg(t, c, "acme")
	wantCode(t, "create twice", c.CreateOrganization(ctx, &amigo.Organization{ID: "acme", CreatedAt: epoch, UpdatedAt: epoch}, nil, nil), amigo.ECONFLICT)

	got, err := c.FindOrganization(ctx, "acme")
	must(t, "find", err)
	if got.Title != "Title acme" || !got.CreatedAt.Equal(epoch) || !got.DefaultUserPreferences.ConversationsVisibleToAdmins {
		t.Fatalf("found %+v", got)
	}
	if u, err := c.FindUser(ctx, "acme", o.User.ID); err != nil || u.Email != o.User.Email {
		t.Fatalf("the first user: %+v, %v", u, err)
	}
	_, err = c.FindOrganization(ctx, "nobody")
	wantCode(t, "find unknown", err, amigo.ENOTFOUND)

	later := epoch.Add(time.Hour)
	must(t, "update", c.UpdateOrganization(ctx, "acme", amigo.OrganizationUpdate{Title: ptr("New"), Logo: []byte("png")}, later))
	got, _ = c.FindOrganization(ctx, "acme")
	if got.Title != "New" || string(got.Logo) != "png" || got.Name != "acme" || !got.UpdatedAt.Equal(later) {
		t.Fatalf("after update: %+v", got)
	}
	wantCode(t, "update unknown", c.UpdateOrganization(ctx, "nobody", amigo.OrganizationUpdate{Title: ptr("x")}, later), amigo.ENOTFOUND)

	must(t, "erase", c.EraseOrganization(ctx, "acme"))
	must(t, "erase again", c.EraseOrganization(ctx, "acme"))
	_, err = c.FindOrganization(ctx, "acme")
	wantCode(t, "find erased", err, amigo.ENOTFOUND)
	_, err = c.FindUser(ctx, "acme", o.User.ID)
	wantCode(t, "find a user of an erased organization", err, amigo.ENOTFOUND)
}

// testRoles checks lookups and that PutRole lets the caller refuse.
func testRoles(t *testing.T, s Stores) {
	c := s.Cluster
	o := newOrg(t, c, "acme")
	if r, err := c.FindRoleByName(ctx, "acme", "Admin"); err != nil || r.ID != o.Role.ID || !r.Builtin {
		t.Fatalf("by name: %+v, %v", r, err)
	}
	_, err := c.FindRole(ctx, "acme", "missing")
	wantCode(t, "find unknown", err, amigo.ENOTFOUND)
	_, err = c.FindRole(ctx, "other", o.Role.ID)
	wantCode(t, "find in another organization", err, amigo.ENOTFOUND)

	var seen []*amigo.Role
	check := func(existing *amigo.Role) error { seen = append(seen, existing); return nil }
	custom := &amigo.Role{ID: amigo.NewID(epoch), OrgID: "acme", Name: "Support", Grants: []amigo.Grant{{Permission: amigo.PermGetAgent}}}
	must(t, "create", c.PutRole(ctx, custom, check))
	firstID := custom.ID
	again := &amigo.Role{ID: amigo.NewID(epoch), OrgID: "acme", Name: "Support", Description: "d", Grants: []amigo.Grant{}}
	must(t, "replace", c.PutRole(ctx, again, check))
	if len(seen) != 2 || seen[0] != nil || seen[1] == nil || seen[1].ID != firstID || again.ID != firstID {
		t.Fatalf("check saw %v; replaced role id %s, want %s", seen, again.ID, firstID)
	}
	if r, _ := c.FindRole(ctx, "acme", firstID); r.Description != "d" || len(r.Grants) != 0 {
		t.Fatalf("replaced: %+v", r)
	}
	wantRefused(t, "refused", c.PutRole(ctx, &amigo.Role{ID: amigo.NewID(epoch), OrgID: "acme", Name: "Admin", Description: "x"},
		func(*amigo.Role) error { return errRefused }))
	if r, _ := c.FindRoleByName(ctx, "acme", "Admin"); r.Description != "" {
		t.Fatal("a refused PutRole changed the role")
	}
	roles, err := c.ListRoles(ctx, "acme")
	must(t, "list", err)
	if got := ids(roles, func(r *amigo.Role) string { return r.Name }); !slices.Equal(got, []string{"Admin", "Support"}) {
		t.Fatalf("roles by name: %v", got)
	}
}

// testUsers checks uniqueness of emails, lookups, pagination and removal.
func testUsers(t *testing.T, s Stores) {
	c := s.Cluster
	o := newOrg(t, c, "acme")
	newOrg(t, c, "other")
	var created []string
	for i, email := range []string{"b@x.example", "a@x.example", "c@x.example", "d@x.example"} {
		u := newUser("acme", o.Role.ID, email, epoch.Add(time.Duration(i+1)*time.Minute))
		must(t, "create "+email, c.CreateUser(ctx, u))
		created = append(created, u.ID)
	}
	wantCode(t, "duplicate email", c.CreateUser(ctx, newUser("acme", o.Role.ID, "a@x.example", epoch)), amigo.ECONFLICT)
	must(t, "the same email in another organization", c.CreateUser(ctx, newUser("other", o.Role.ID, "a@x.example", epoch)))

	if u, err := c.FindUserByEmail(ctx, "acme", "c@x.example"); err != nil || u.ID != created[2] {
		t.Fatalf("by email: %+v, %v", u, err)
	}
	_, err := c.FindUserByEmail(ctx, "acme", "zz@x.example")
	wantCode(t, "unknown email", err, amigo.ENOTFOUND)

	t.Run("pages follow creation order and say whether more follow", func(t *testing.T) {
		all := append([]string{o.User.ID}, created...)
		var got []string
		for offset := 0; ; offset += 2 {
			page, more, err := c.ListUsers(ctx, "acme", amigo.UserFilter{Offset: offset, Limit: 2})
			must(t, "list", err)
			got = append(got, ids(page, func(u *amigo.User) string { return u.ID })...)
			if want := offset+2 < len(all); more != want {
				t.Fatalf("offset %d: has more %v, want %v", offset, more, want)
			}
			if !more {
				break
			}
		}
		if !slices.Equal(got, all) {
			t.Fatalf("pages %v, want %v", got, all)
		}
	})
	t.Run("filters and sorting", func(t *testing.T) {
		page, more, err := c.ListUsers(ctx, "acme", amigo.UserFilter{Emails: []string{"a@x.example", "d@x.example"}, Limit: 10})
		must(t, "by email", err)
		if len(page) != 2 || more {
			t.Fatalf("by email: %d users, more %v", len(page), more)
		}
		page, _, err = c.ListUsers(ctx, "acme", amigo.UserFilter{Sort: []amigo.SortField{{Field: "email", Desc: true}}, Limit: 2})
		must(t, "sorted", err)
		if got := ids(page, func(u *amigo.User) string { return u.Email }); !slices.Equal(got, []string{"d@x.example", "c@x.example"}) {
			t.Fatalf("by email descending: %v", got)
		}
	})

	t.Run("UpdateUser saves what change leaves, or nothing", func(t *testing.T) {
		var seen string
		must(t, "update", c.UpdateUser(ctx, "acme", created[1], func(u *amigo.User) error {
			seen = u.Email
			u.FirstName, u.AdditionalContext = "Ann", []string{"likes tea"}
			u.Preferences.Timezone = ptr("Europe/Paris")
			return nil
		}))
		got, err := c.FindUser(ctx, "acme", created[1])
		must(t, "find", err)
		if seen != "a@x.example" || got.FirstName != "Ann" || got.LastName != "L" || !slices.Equal(got.AdditionalContext, []string{"likes tea"}) ||
			got.Preferences.Timezone == nil || *got.Preferences.Timezone != "Europe/Paris" {
			t.Fatalf("after update: %+v (change saw %q)", got, seen)
		}
		wantRefused(t, "refused", c.UpdateUser(ctx, "acme", created[1], func(u *amigo.User) error {
			u.FirstName = "lost"
			return errRefused
		}))
		if got, _ := c.FindUser(ctx, "acme", created[1]); got.FirstName != "Ann" {
			t.Fatal("a refused update was stored")
		}
		wantCode(t, "update unknown", c.UpdateUser(ctx, "acme", "missing", func(*amigo.User) error { return nil }), amigo.ENOTFOUND)
		if u, _ := c.FindUser(ctx, "acme", created[2]); u.AdditionalContext == nil {
			t.Fatal("a user never updated has a nil additional context")
		}
	})

	must(t, "update role", c.UpdateUserRole(ctx, "acme", created[0], o.Role.ID, nil))
	wantCode(t, "update role of unknown", c.UpdateUserRole(ctx, "acme", "missing", o.Role.ID, nil), amigo.ENOTFOUND)
	must(t, "delete", c.DeleteUser(ctx, "acme", created[0], nil))
	wantCode(t, "delete again", c.DeleteUser(ctx, "acme", created[0], nil), amigo.ENOTFOUND)
	_, err = c.FindUser(ctx, "acme", created[0])
	wantCode(t, "find deleted", err, amigo.ENOTFOUND)
}

// testAPIKeys checks that CreateAPIKey counts only live keys of the
// organization, lets the caller refuse, and that keys are found by key id.
func testAPIKeys(t *testing.T, s Stores) {
	c := s.Cluster
	o := newOrg(t, c, "acme")
	newOrg(t, c, "other")
	key := func(orgID string, created, expires time.Time) *amigo.APIKey {
		return &amigo.APIKey{ID: amigo.NewID(created), KeyID: amigo.NewUUID(), OrgID: orgID, RoleID: o.Role.ID, SecretHash: []byte("hash"),
			CreatorUserID: o.User.ID, CreatorOrgID: "acme", CreatedAt: created, UpdatedAt: created, ExpiresAt: expires}
	}
	var counts []int
	admit := func(live int) error { counts = append(counts, live); return nil }
	day := 24 * time.Hour
	first := key("acme", epoch, epoch.Add(day))
	must(t, "create", c.CreateAPIKey(ctx, first, admit))
	must(t, "create in another organization", c.CreateAPIKey(ctx, key("other", epoch, epoch.Add(day)), admit))
	second := key("acme", epoch.Add(time.Hour), epoch.Add(2*day))
	must(t, "create", c.CreateAPIKey(ctx, second, admit))
	// Two days on, first has expired and second expires at that instant.
	must(t, "create after expiry", c.CreateAPIKey(ctx, key("acme", epoch.Add(2*day), epoch.Add(3*day)), admit))
	if !slices.Equal(counts, []int{0, 0, 1, 0}) {
		t.Fatalf("live counts passed to admit: %v, want [0 0 1 0]", counts)
	}
	refused := key("acme", epoch, epoch.Add(day))
	wantRefused(t, "refused", c.CreateAPIKey(ctx, refused, func(int) error { return errRefused }))
	_, err := c.FindAPIKey(ctx, "acme", refused.KeyID)
	wantCode(t, "find a refused key", err, amigo.ENOTFOUND)

	got, err := c.FindAPIKey(ctx, "acme", first.KeyID)
	must(t, "find", err)
	if got.ID != first.ID || string(got.SecretHash) != "hash" || !got.ExpiresAt.Equal(first.ExpiresAt) {
		t.Fatalf("found %+v", got)
	}
	_, err = c.FindAPIKey(ctx, "other", first.KeyID)
	wantCode(t, "find in another organization", err, amigo.ENOTFOUND)

	keys, err := c.ListAPIKeys(ctx, "acme")
	must(t, "list", err)
	if len(keys) != 3 || keys[0].CreatedAt.Before(keys[1].CreatedAt) || keys[1].ID != second.ID {
		t.Fatalf("not newest first: %v", ids(keys, func(k *amigo.APIKey) string { return k.CreatedAt.String() }))
	}
	must(t, "delete", c.DeleteAPIKey(ctx, "acme", first.KeyID))
	wantCode(t, "delete again", c.DeleteAPIKey(ctx, "acme", first.KeyID), amigo.ENOTFOUND)
}
