// Package storetest is the contract every storage backend must meet: one
// suite of store-level tests that the SQLite and the PostgreSQL backends
// both run (in the manner of Vault's sdk/physical/testing.go). It speaks
// only the storage interfaces of package amigo, so it checks what core may
// rely on, never how a backend does it. It must not depend on core, api or
// any backend.
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// Stores is a fresh, empty directory and cluster of the backend under test.
type Stores struct {
	Directory amigo.OperatorDirectory
	Cluster   amigo.ClusterStore
	// Replica is a second store on Cluster's database, as another server
	// of the region holds it: what one writes, the other must read.
	Replica amigo.ClusterStore
}

// Run runs the whole contract against the stores open returns; open is
// called once per subtest and must give empty databases, closed when t ends.
func Run(t *testing.T, open func(t *testing.T) Stores) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s Stores)
	}{
		{"directory", testDirectory},
		{"organizations", testOrganizations},
		{"roles", testRoles},
		{"users", testUsers},
		{"api keys", testAPIKeys},
		{"agents", testAgents},
		{"agent versions", testAgentVersions},
		{"state machine versions", testStateMachineVersions},
		{"deprecation", testDeprecation},
		{"services", testServices},
		{"listings see other replicas' writes", testListingsAcrossReplicas},
		{"change log", testChanges},
		{"conversations", testConversations},
		{"conversation listing", testConversationListing},
		{"interaction leases", testLeases},
		{"finishing conversations", testFinish},
		{"completing the last interaction", testCompleteFinishes},
		{"user models", testUserModels},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// epoch is the time the fixtures are stamped with; stores keep microseconds.
var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var ctx = context.Background()

// wantCode fails unless err carries code (nil error for code "").
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := amigo.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

// must fails on a non-nil error.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// errRefused is a caller's refusal, which stores must return unchanged.
var errRefused = amigo.Errorf(amigo.EBADREQUEST, "refused by the caller")

func wantRefused(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, errRefused) {
		t.Fatalf("%s: error %v, want the callback's own error", what, err)
	}
}

// org is a created organization with its one role and user.
type org struct {
	ID   string
	Role *amigo.Role
	User *amigo.User
}

// newOrg creates organization id with a builtin role and one user.
func newOrg(t *testing.T, c amigo.ClusterStore, id string) org {
	t.Helper()
	o := &amigo.Organization{ID: id, Name: id, Title: "Title " + id, DefaultUserPreferences: amigo.DefaultPreferences(),
		UserDimensions: []amigo.UserDimension{}, OnboardingInstructions: []string{}, CreatedAt: epoch, UpdatedAt: epoch}
	role := &amigo.Role{ID: amigo.NewID(epoch), OrgID: id, Name: "Admin", Grants: []amigo.Grant{}, Builtin: true}
	user := newUser(id, role.ID, "admin@"+id+".example", epoch)
	must(t, "create organization", c.CreateOrganization(ctx, o, []*amigo.Role{role}, []*amigo.User{user}))
	return org{ID: id, Role: role, User: user}
}

func newUser(orgID, roleID, email string, at time.Time) *amigo.User {
	return &amigo.User{ID: amigo.NewID(at), OrgID: orgID, FirstName: "F", LastName: "L", Email: email, RoleID: roleID,
		Preferences: amigo.DefaultPreferences(), NonsensitiveVariables: map[string]string{}, SensitiveVariables: map[string]string{}, CreatedAt: at}
}

// ids returns the ids of items by f.
func ids[T any](items []T, f func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = f(it)
	}
	return out
}

func ptr[T any](v T) *T { return &v }
