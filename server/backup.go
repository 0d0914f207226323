package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server/sqlite"
)

// BackupManifestFile names the manifest in a backup directory.
const BackupManifestFile = "manifest.json"

// BackupManifest describes a backup directory written by Backup: one
// SQLite file per database, named for it (directory.db, and NAME.db for
// cluster NAME, the names of the default data directory), and this
// manifest. A database on PostgreSQL is listed with the reason it is not
// in the backup.
type BackupManifest struct {
	CreatedAt time.Time        `json:"created_at"`
	Version   string           `json:"version"`
	Region    string           `json:"region"`
	Databases []BackupDatabase `json:"databases"`
}

// BackupDatabase is one database of a backup.
type BackupDatabase struct {
	// Cluster is the cluster's name; empty for the directory.
	Cluster string `json:"cluster,omitempty"`
	// Source is the database's URL, without a password.
	Source string `json:"source"`
	// File is the copy's name in the backup directory, and Bytes its size;
	// both empty when NotBackedUp says why there is none.
	File        string `json:"file,omitempty"`
	Bytes       int64  `json:"bytes,omitempty"`
	NotBackedUp string `json:"not_backed_up,omitempty"`
}

// Name says which database d is, for messages.
func (d BackupDatabase) Name() string {
	if d.Cluster == "" {
		return "directory"
	}
	return "cluster " + d.Cluster
}

// notBackedUp is why a PostgreSQL database is not in a backup.
const notBackedUp = "on PostgreSQL: back it up with pg_dump"

// Backup writes a consistent copy of the directory and every SQLite
// cluster of cfg to a new directory at to, while servers keep serving (see
// sqlite.Backup). Each database is its own snapshot: they are taken one
// after the other, as the servers' own writes to several databases are.
// The copies are written to a temporary directory beside to and renamed
// into place at the end, so a failed backup leaves nothing at to.
// PostgreSQL databases are listed in the manifest as not backed up, and
// it is an error if that leaves nothing to back up.
func Backup(ctx context.Context, cfg Config, to string) (*BackupManifest, error) {
	if _, err := os.Lstat(to); err == nil {
		return nil, fmt.Errorf("backup: %s already exists; give a new path (backup writes a new directory)", to)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("backup: %w", err)
	}
	parent := filepath.Dir(filepath.Clean(to))
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(to)+".partial-")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	m, err := backupInto(ctx, cfg, tmp)
	if err == nil {
		err = os.Rename(tmp, to)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	return m, syncDir(parent)
}

func backupInto(ctx context.Context, cfg Config, dir string) (*BackupManifest, error) {
	m := &BackupManifest{CreatedAt: time.Now().UTC().Truncate(time.Second), Version: Version().Version, Region: cfg.Region}
	dbs := []BackupDatabase{{Source: cfg.DirectoryURL}}
	names := make([]string, 0, len(cfg.Clusters))
	for name := range cfg.Clusters {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		dbs = append(dbs, BackupDatabase{Cluster: name, Source: cfg.Clusters[name]})
	}
	copied := 0
	for _, d := range dbs {
		path, ok := sqlitePath(d.Source)
		d.Source = redact(d.Source)
		if !ok {
			d.NotBackedUp = notBackedUp
			m.Databases = append(m.Databases, d)
			continue
		}
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("backup: %s: %w", d.Name(), err)
		}
		file, err := backupFile(d.Cluster)
		if err != nil {
			return nil, err
		}
		dst := filepath.Join(dir, file)
		if err := sqlite.Backup(ctx, path, dst); err != nil {
			return nil, fmt.Errorf("backup: %s: %w", d.Name(), err)
		}
		info, err := os.Stat(dst)
		if err != nil {
			return nil, err
		}
		d.File, d.Bytes = file, info.Size()
		m.Databases = append(m.Databases, d)
		copied++
	}
	if copied == 0 {
		return nil, errors.New("backup: nothing to back up: the directory and every cluster are on PostgreSQL; back them up with pg_dump")
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeSynced(filepath.Join(dir, BackupManifestFile), append(b, '\n')); err != nil {
		return nil, err
	}
	return m, syncDir(dir)
}

// backupFile names a database's copy: directory.db, or NAME.db for cluster
// NAME, as in the default data directory; a cluster name that is no plain
// file name, or that is "directory", is refused rather than mangled.
func backupFile(cluster string) (string, error) {
	if cluster == "" {
		return "directory.db", nil
	}
	if cluster == "directory" || strings.ContainsAny(cluster, `/\`) || strings.HasPrefix(cluster, ".") {
		return "", fmt.Errorf("backup: cluster %q: its name cannot name a file of the backup; rename the cluster", cluster)
	}
	return cluster + ".db", nil
}

func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes the names in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
