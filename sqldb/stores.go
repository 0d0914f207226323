package sqldb

import "github.com/amigo-oss/amigo-server"

// DirectoryStore is the directory: where each organization lives, and the
// operator's switches. It holds no tenant data.
type DirectoryStore struct{ *DB }

// ClusterStore is one cluster: the tenant data of the organizations placed
// on it.
type ClusterStore struct {
	*DB
	services *serviceCache
	tagLists tagLists
}

var (
	_ amigo.OperatorDirectory = (*DirectoryStore)(nil)
	_ amigo.ClusterStore      = (*ClusterStore)(nil)
	_ amigo.MovableStore      = (*ClusterStore)(nil)
)
