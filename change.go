package amigo

import (
	"context"
	"encoding/json"
	"sync"
	"time"
)

// Change is one immutable record of an organization's change log: who
// changed which resource, how, and the RFC 6902 JSON Patch from the
// resource's state before to its state after. A change and its record are
// written in one transaction, so neither exists without the other. Diffs
// never hold secrets (API key secrets and hashes, signing keys).
type Change struct {
	ID           string
	OrgID        string
	Time         time.Time
	Actor        Actor
	Operation    string // the API's operationId, or the operator command
	ResourceType string
	ResourceID   string
	Summary      string
	// Diff is a JSON Patch document (a JSON array of operations).
	Diff json.RawMessage
}

// Actor is who made a change: a user of an organization, through an API
// key's token, or the operator running a command.
type Actor struct {
	OrgID    string
	UserID   string
	APIKeyID string
	// KeyCreatorOrgID and KeyCreatorUserID name the user who created the
	// API key, when the change was made through a key's token.
	KeyCreatorOrgID  string
	KeyCreatorUserID string
	Operator         bool
}

// ActorOf returns the actor behind a request's caller; nil is the operator.
func ActorOf(c *Caller) Actor {
	if c == nil {
		return Actor{Operator: true}
	}
	return Actor{OrgID: c.OrgID, UserID: c.UserID, APIKeyID: c.APIKeyID, KeyCreatorOrgID: c.KeyCreatorOrgID, KeyCreatorUserID: c.KeyCreatorUserID}
}

// ChangeFilter selects change records, newest first. Zero fields do not
// filter. After is a continuation token: the id of the last record of the
// previous page.
type ChangeFilter struct {
	ResourceType, ResourceID, ActorUserID, Operation string
	Since, Until                                     time.Time
	After                                            string
	Limit                                            int
}

// VersionSetRevision is one state of a service's version set. Revision 1
// is its creation; every change adds the next number. A deletion is a
// revision whose Set is nil. Numbers continue across a deletion, so a
// revision number names one state for the life of the service.
type VersionSetRevision struct {
	OrgID, ServiceID, Name string
	Revision               int
	Time                   time.Time
	Actor                  Actor
	Operation              string // upsert, promote, rollback or delete
	Set                    *VersionSet
}

// Operations recorded in version set revisions.
const (
	RevisionUpsert   = "upsert"
	RevisionPromote  = "promote"
	RevisionRollback = "rollback"
	RevisionDelete   = "delete"
)

// ChangeStore reads the change log and version set history; records are
// written only through a Journal, inside the transaction of their change.
type ChangeStore interface {
	// ListChanges returns one page of the organization's change log,
	// newest first, and whether more follow.
	ListChanges(ctx context.Context, orgID string, f ChangeFilter) ([]*Change, bool, error)
	// PruneChanges erases the records of every organization older than
	// before and returns how many went.
	PruneChanges(ctx context.Context, before time.Time) (int, error)
	// ListVersionSetRevisions returns one page of a version set's
	// revisions, newest first, and whether more follow.
	ListVersionSetRevisions(ctx context.Context, orgID, serviceID, name string, offset, limit int) ([]*VersionSetRevision, bool, error)
	// AppendChanges writes the context's journal in a transaction of its
	// own, for changes made outside the cluster (the directory's switches
	// of move-org and maintenance), which cannot share its transaction.
	AppendChanges(ctx context.Context) error
	// FindVersionSetRevision returns ENOTFOUND.
	FindVersionSetRevision(ctx context.Context, orgID, serviceID, name string, revision int) (*VersionSetRevision, error)
}

// Journal collects the records of a change while core makes it. Core puts
// one in the context of a mutating call and adds records, before calling
// the store or from the callbacks the store runs inside its transaction;
// the store writes whatever the journal holds in the same transaction,
// just before it commits, and empties it. A failed transaction leaves no
// record behind.
type Journal struct {
	mu        sync.Mutex
	changes   []*Change
	revisions []*VersionSetRevision
}

type journalKey struct{}

// WithJournal returns ctx carrying a new, empty journal, and the journal.
func WithJournal(ctx context.Context) (context.Context, *Journal) {
	j := &Journal{}
	return context.WithValue(ctx, journalKey{}, j), j
}

// JournalFrom returns the context's journal, or nil.
func JournalFrom(ctx context.Context) *Journal {
	j, _ := ctx.Value(journalKey{}).(*Journal)
	return j
}

// Record adds a change record.
func (j *Journal) Record(c *Change) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.changes = append(j.changes, c)
}

// RecordRevision adds a version set revision.
func (j *Journal) RecordRevision(r *VersionSetRevision) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.revisions = append(j.revisions, r)
}

// Pending reports whether the journal holds records to write. A nil
// journal holds none.
func (j *Journal) Pending() bool {
	if j == nil {
		return false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.changes)+len(j.revisions) > 0
}

// Take empties the journal and returns what it held. A nil journal holds
// nothing.
func (j *Journal) Take() ([]*Change, []*VersionSetRevision) {
	if j == nil {
		return nil, nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	c, r := j.changes, j.revisions
	j.changes, j.revisions = nil, nil
	return c, r
}
