package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/sqlite"
)

// The WAL is checkpointed in the background, not by the commit that
// crosses SQLite's automatic threshold (64 MiB), and it starts over
// although writers never stop: a server that keeps writing keeps its WAL
// near what a few checkpoint intervals of writes add.
func TestWALIsCheckpointedInTheBackground(t *testing.T) {
	ctx := context.Background()
	defer sqlite.SetCheckpointInterval(20 * time.Millisecond)()
	path := filepath.Join(t.TempDir(), "cluster.db")
	c, err := sqlite.OpenCluster(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	now := time.Now().UTC()
	o := &amigo.Organization{ID: "acme", Name: "acme", Title: "Acme", DefaultUserPreferences: amigo.DefaultPreferences(),
		UserDimensions: []amigo.UserDimension{}, OnboardingInstructions: []string{}, CreatedAt: now, UpdatedAt: now}
	role := &amigo.Role{ID: amigo.NewID(now), OrgID: "acme", Name: "Admin", Grants: []amigo.Grant{}, Builtin: true}
	user := &amigo.User{ID: amigo.NewID(now), OrgID: "acme", FirstName: "F", LastName: "L", Email: "f@acme.example", RoleID: role.ID,
		Preferences: amigo.DefaultPreferences(), NonsensitiveVariables: map[string]string{}, SensitiveVariables: map[string]string{}, CreatedAt: now}
	if err := c.CreateOrganization(ctx, o, []*amigo.Role{role}, []*amigo.User{user}); err != nil {
		t.Fatal(err)
	}
	const mib = 1 << 20
	var largest int64
	// 60 MiB, a MiB at a time with pauses of a few checkpoint intervals,
	// each write through the store: without the background checkpoint
	// the WAL would hold it all.
	for i := range 60 {
		m := &amigo.UserModel{OrgID: "acme", UserID: user.ID, UpdatedAt: now,
			Models: []amigo.UserModelEntry{{Content: strings.Repeat(string(rune('a'+i%26)), mib), InsightIDs: []string{}, Dimensions: []amigo.UserDimension{}}}}
		if err := c.PutUserModel(ctx, m); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path + "-wal"); err == nil {
			largest = max(largest, fi.Size())
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("largest WAL: %.1f MiB", float64(largest)/mib)
	if largest > 40*mib {
		t.Fatalf("the WAL grew to %d MiB while 60 MiB were written: it is not checkpointed in the background, or never starts over", largest/mib)
	}
}
