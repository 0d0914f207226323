package core

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/sqlite"
)

// heldDirectory is a real directory whose lookups count themselves, read
// and then wait until release is closed.
type heldDirectory struct {
	amigo.Directory
	lookups atomic.Int32
	release chan struct{}
}

func (d *heldDirectory) Lookup(ctx context.Context, orgID string) (*amigo.Placement, error) {
	p, err := d.Directory.Lookup(ctx, orgID)
	d.lookups.Add(1)
	<-d.release
	return p, err
}

func openHeldDirectory(t *testing.T) *heldDirectory {
	t.Helper()
	ctx := context.Background()
	dir, err := sqlite.OpenDirectory(ctx, filepath.Join(t.TempDir(), "directory.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	if err := dir.Place(ctx, &amigo.Placement{OrgID: "acme", Region: "us", Cluster: "default", State: amigo.OrgActive}); err != nil {
		t.Fatal(err)
	}
	return &heldDirectory{Directory: dir, release: make(chan struct{})}
}

// The requests that find an organization's entry expired together read
// the directory once, not once each: under load every entry expires while
// many requests are in flight.
func TestPlacementCacheSharesOneRead(t *testing.T) {
	dir := openHeldDirectory(t)
	c := newPlacementCache(dir, time.Minute, time.Now)
	const callers = 16
	var started, done sync.WaitGroup
	for range callers {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			started.Done()
			if p, err := c.lookup(context.Background(), "acme"); err != nil || p == nil || p.Cluster != "default" {
				t.Errorf("lookup: %+v, %v", p, err)
			}
		}()
	}
	started.Wait()
	time.Sleep(100 * time.Millisecond) // every caller has reached the shared read
	close(dir.release)
	done.Wait()
	if n := dir.lookups.Load(); n != 1 {
		t.Fatalf("%d concurrent lookups read the directory %d times, want 1", callers, n)
	}
	if _, err := c.lookup(context.Background(), "acme"); err != nil || dir.lookups.Load() != 1 {
		t.Fatalf("the entry was not kept: %d reads, %v", dir.lookups.Load(), err)
	}
}

// A read that began before this server changed the organization is
// neither shared with a request that comes after the change nor kept.
func TestPlacementCacheForgetsAReadInFlight(t *testing.T) {
	ctx := context.Background()
	dir := openHeldDirectory(t)
	c := newPlacementCache(dir, time.Minute, time.Now)
	first := make(chan *amigo.Placement)
	go func() {
		p, _ := c.lookup(ctx, "acme")
		first <- p
	}()
	for dir.lookups.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	if err := dir.Directory.SetOrgMaintenance(ctx, "acme", true); err != nil {
		t.Fatal(err)
	}
	c.forget("acme")
	second := make(chan *amigo.Placement)
	go func() {
		p, _ := c.lookup(ctx, "acme")
		second <- p
	}()
	for dir.lookups.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	close(dir.release)
	if p := <-first; p == nil || p.Maintenance {
		t.Fatalf("the lookup before the change read %+v, want maintenance off", p)
	}
	if p := <-second; p == nil || !p.Maintenance {
		t.Fatalf("the lookup after the change read %+v, want maintenance on", p)
	}
	if p, _ := c.lookup(ctx, "acme"); !p.Maintenance || dir.lookups.Load() != 2 {
		t.Fatalf("cached %+v after %d reads: the read that began before the change was kept", p, dir.lookups.Load())
	}
}
