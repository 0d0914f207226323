package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"

	"github.com/amigo-oss/amigo-server"
)

const serviceColumns = `id, org_id, name, description, is_active, agent_id, state_machine_id, keyterms,
	creator_org_id, creator_user_id, updated_by_org_id, updated_by_user_id, created_at, updated_at`

func scanService(row Row) (*amigo.Service, error) {
	s, _, err := scanServiceAt(row)
	return s, err
}

// serviceColumnsAt are serviceColumns and the row's rev.
const serviceColumnsAt = serviceColumns + `, rev`

// scanServiceAt scans serviceColumnsAt.
func scanServiceAt(row Row) (*amigo.Service, int64, error) {
	var s amigo.Service
	var keyterms string
	var created, updated, rev int64
	if err := row.Scan(&s.ID, &s.OrgID, &s.Name, &s.Description, &s.IsActive, &s.AgentID, &s.StateMachineID, &keyterms,
		&s.CreatorOrgID, &s.CreatorUserID, &s.UpdatedByOrgID, &s.UpdatedByUserID, &created, &updated, &rev); err != nil {
		return nil, 0, err
	}
	s.CreatedAt, s.UpdatedAt = fromTS(created), fromTS(updated)
	s.Tags, s.VersionSets = map[string]*string{}, map[string]amigo.VersionSet{}
	return &s, rev, fromJSON(keyterms, &s.Keyterms)
}

// writeService inserts s, or replaces it when update is set, with its tags
// and version sets, and writes the context's journal. When the journal
// holds version set revisions, an update writes only the sets they name
// (the others are as they were read), and each revision reuses its set's
// stored preferences: one upsert costs in proportion to its own set, not
// to every set of the service, and encodes its preferences once. read
// names the only sets s was read with (nil: all of them); such a service
// is stored only through revisions of those sets, since rewriting every
// set would delete the others.
func (db *ClusterStore) writeService(ctx context.Context, tx *sql.Tx, s *amigo.Service, update bool, read []string) error {
	changes, revisions := amigo.JournalFrom(ctx).Take()
	if err := checkPartial(read, revisions); err != nil {
		return err
	}
	var err error
	rev := newRev()
	if update {
		_, err = tx.ExecContext(ctx, `UPDATE services SET name = $1, description = $2, is_active = $3, agent_id = $4,
			state_machine_id = $5, keyterms = $6, updated_by_org_id = $7, updated_by_user_id = $8, updated_at = $9, rev = $10
			WHERE id = $11 AND org_id = $12`, s.Name, s.Description, s.IsActive, s.AgentID, s.StateMachineID,
			jsonText(s.Keyterms), s.UpdatedByOrgID, s.UpdatedByUserID, ts(s.UpdatedAt), rev, s.ID, s.OrgID)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO services (`+serviceColumnsAt+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			s.ID, s.OrgID, s.Name, s.Description, s.IsActive, s.AgentID, s.StateMachineID, jsonText(s.Keyterms),
			s.CreatorOrgID, s.CreatorUserID, s.UpdatedByOrgID, s.UpdatedByUserID, ts(s.CreatedAt), ts(s.UpdatedAt), rev)
	}
	if db.dialect.IsUniqueViolation(err) {
		return amigo.Errorf(amigo.ECONFLICT, "An active service named %q already exists.", s.Name)
	} else if err != nil {
		return err
	}
	old := map[string]*string{}
	if update {
		if old, err = serviceTags(ctx, tx, s.ID); err != nil {
			return err
		}
	}
	if err := writeTags(ctx, tx, s, old, rev); err != nil {
		return err
	}
	if err := writeChanges(ctx, tx, changes); err != nil {
		return err
	}
	names := slices.Collect(maps.Keys(s.VersionSets))
	if update && len(revisions) > 0 {
		names = names[:0]
		for _, r := range revisions {
			names = append(names, r.Name)
		}
		for _, name := range names {
			if _, err := tx.ExecContext(ctx, `DELETE FROM version_sets WHERE service_id = $1 AND name = $2`, s.ID, name); err != nil {
				return err
			}
		}
	} else if update {
		if _, err := tx.ExecContext(ctx, `DELETE FROM version_sets WHERE service_id = $1`, s.ID); err != nil {
			return err
		}
	}
	// docs holds the stored document of each set a revision names.
	docs := make(map[string]string, len(revisions))
	for _, name := range names {
		vs, ok := s.VersionSets[name]
		if _, done := docs[name]; !ok || done {
			continue
		}
		var prefs string
		if len(revisions) > 0 {
			docs[name], prefs = storedSet(vs)
		} else {
			prefs = storedLLMPreferences(vs.LLMModelPreferences)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO version_sets (org_id, service_id, name, agent_version, state_machine_version, llm_model_preferences)
			VALUES ($1, $2, $3, $4, $5, $6)`, s.OrgID, s.ID, name, vs.AgentVersion, vs.StateMachineVersion, prefs); err != nil {
			return err
		}
	}
	for _, r := range revisions {
		if err := writeRevision(ctx, tx, r, docs[r.Name]); err != nil {
			return err
		}
	}
	return nil
}

// checkPartial refuses to store a service read with only the version sets
// read (not nil) unless revisions name the sets written, each one read.
func checkPartial(read []string, revisions []*amigo.VersionSetRevision) error {
	if read == nil {
		return nil
	}
	if len(revisions) == 0 {
		return fmt.Errorf("sqldb: a service read with only its version sets %q was stored without a revision", read)
	}
	for _, r := range revisions {
		if !slices.Contains(read, r.Name) {
			return fmt.Errorf("sqldb: a revision of version set %q of a service read with only its sets %q", r.Name, read)
		}
	}
	return nil
}

// loadDetails fills the tags and version sets of services, in one round
// trip: a listing on PostgreSQL spent most of its time in round trips.
// sets, when not nil, names the only version sets to read.
func loadDetails(ctx context.Context, q Reader, services []*amigo.Service, sets []string) error {
	if len(services) == 0 {
		return nil
	}
	ids := make([]string, len(services))
	for i, s := range services {
		ids[i] = s.ID
	}
	query, args := detailsQuery(ids, sets)
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return scanDetails(rows, services)
}

// detailsQuery is the statement that reads the tags and version sets of
// the services ids (of sets only, when sets is not nil).
func detailsQuery(ids []string, sets []string) (string, []any) {
	args := make([]any, len(ids), len(ids)+len(sets))
	for i, id := range ids {
		args[i] = id
	}
	in := " IN (" + placeholders(1, len(args)) + ")"
	only := ""
	if len(sets) > 0 {
		only = " AND name IN (" + placeholders(len(args)+1, len(sets)) + ")"
		for _, name := range sets {
			args = append(args, name)
		}
	} else if sets != nil {
		only = " AND 1 = 0"
	}
	return `SELECT service_id, key, value, NULL, NULL, NULL FROM service_tags WHERE service_id` + in + `
		UNION ALL SELECT service_id, name, NULL, agent_version, state_machine_version, llm_model_preferences FROM version_sets WHERE service_id` + in + only, args
}

// scanDetails reads detailsQuery's rows into services.
func scanDetails(rows Rows, services []*amigo.Service) error {
	byID := make(map[string]*amigo.Service, len(services))
	for _, s := range services {
		byID[s.ID] = s
	}
	for rows.Next() {
		var id, name string
		var value, prefs sql.NullString
		var agentV, smV sql.NullInt64
		if err := rows.Scan(&id, &name, &value, &agentV, &smV, &prefs); err != nil {
			return err
		}
		s := byID[id]
		switch {
		case !prefs.Valid: // a tag: only version sets have preferences
			s.Tags[name] = nil
			if value.Valid {
				s.Tags[name] = &value.String
			}
		default:
			vs := amigo.VersionSet{AgentVersion: nullInt(agentV), StateMachineVersion: nullInt(smV)}
			if err := loadStored[map[string]storedLLMConfig](prefs.String, &vs.LLMModelPreferences); err != nil {
				return err
			}
			s.VersionSets[name] = vs
		}
	}
	return rows.Err()
}

func nullInt(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// pin locks and loads the agent and state machine of the organization: the
// no-op UPDATE takes each row's write lock, so a concurrent deprecation
// waits for this transaction and then sees the service.
func (db *ClusterStore) pin(ctx context.Context, tx *sql.Tx, orgID string) amigo.PinFunc {
	return func(agentID, smID string) (amigo.Pinned, error) {
		a, err := lockResource(ctx, tx, agentKind, orgID, agentID)
		if err != nil {
			return amigo.Pinned{}, err
		}
		m, err := lockResource(ctx, tx, stateMachineKind, orgID, smID)
		if err != nil {
			return amigo.Pinned{}, err
		}
		return amigo.Pinned{Agent: agents.toR(a), StateMachine: stateMachines.toR(m)}, nil
	}
}

// CreateService stores s once check accepts its pinned resources.
func (db *ClusterStore) CreateService(ctx context.Context, s *amigo.Service, check func(amigo.Pinned) error) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		p, err := db.pin(ctx, tx, s.OrgID)(s.AgentID, s.StateMachineID)
		if err != nil {
			return err
		} else if err := check(p); err != nil {
			return err
		}
		return db.writeService(ctx, tx, s, false, nil)
	})
}

// findService reads a service with its tags and its version sets (only
// those named by sets, when not nil).
func (db *ClusterStore) findService(ctx context.Context, q Reader, orgID, id string, sets []string) (*amigo.Service, error) {
	s, err := scanService(q.QueryRow(ctx, `SELECT `+serviceColumnsAt+` FROM services WHERE org_id = $1 AND id = $2`, orgID, id))
	if err != nil {
		return nil, notFound(err, "Service %s not found.", id)
	}
	return s, loadDetails(ctx, q, []*amigo.Service{s}, sets)
}

// FindService returns the service or ENOTFOUND.
func (db *ClusterStore) FindService(ctx context.Context, orgID, id string) (*amigo.Service, error) {
	return db.findService(ctx, db.read, orgID, id, nil)
}

// ListServices returns one page of services. The page is read as (id,
// rev) pairs; servicesAt supplies the services themselves.
func (db *ClusterStore) ListServices(ctx context.Context, orgID string, f amigo.ServiceFilter) (amigo.ServicePage, error) {
	var q query
	from, col, order := "services", "", orderBy(f.Sort, "created_at")
	cols := "id, rev"
	onTags := false // the tag index alone answers, org_id included
	tags := f.Tags
	// One exact tag listed by name is read in order from the tag index,
	// which carries the service's name and rev: a page costs its own index
	// entries however many services carry the tag, where the IN below
	// first collects every one of them. With no other condition the index
	// alone answers. The order is the same as orderBy's, so pages and
	// tokens agree.
	if i := slices.IndexFunc(tags, func(t amigo.TagFilter) bool { return !t.Any }); i >= 0 && len(f.Sort) == 1 && f.Sort[0].Field == "name" {
		t := tags[i]
		tags = slices.Delete(slices.Clone(tags), i, i+1)
		q.add("t.org_id = ? AND t.key = ? AND COALESCE(t.value, '') = ?", orgID, t.Key, deref(t.Value))
		order = " ORDER BY t.name ASC, t.service_id"
		if f.Sort[0].Desc {
			order = " ORDER BY t.name DESC, t.service_id"
		}
		onTags = len(tags) == 0 && len(f.IDs) == 0 && f.IsActive == nil
		from, cols = "service_tags t", "t.service_id, t.rev"
		if !onTags {
			from, col, cols = "service_tags t JOIN services s ON s.id = t.service_id", "s.", "s.id, s.rev"
		}
	}
	if !onTags {
		q.add(col+"org_id = ?", orgID)
	}
	q.in(col+"id", f.IDs)
	if f.IsActive != nil {
		q.add(col+"is_active = ?", *f.IsActive)
	}
	// Each other tag filter is an IN over the tag index: the database
	// builds the matching id set once instead of probing the tags of every
	// row it scans in sort order (5x faster at 10,000 services on SQLite).
	// A tag without a value is matched as '', as the index holds it.
	for _, t := range tags {
		const in = "id IN (SELECT service_id FROM service_tags WHERE org_id = ? AND key = ?"
		if t.Any {
			q.add(col+in+")", orgID, t.Key)
		} else {
			q.add(col+in+" AND COALESCE(value, '') = ?)", orgID, t.Key, deref(t.Value))
		}
	}
	// The organization's tags come as one more column: the database
	// evaluates the uncorrelated subquery once, which costs far less than
	// a statement of its own. Only an empty page needs that statement.
	var orgTags []byte // NULL when the organization has no tags
	if f.WithTags {
		cols += ", " + db.tagsColumn(&q, orgID)
	}
	rows, err := db.read.Query(ctx, `SELECT `+cols+` FROM `+from+q.clause()+order+q.page(f.Offset, f.Limit), q.args...)
	refs, err := collect(rows, err, func(row Row) (serviceRef, error) {
		var r serviceRef
		if f.WithTags {
			return r, row.Scan(&r.id, &r.rev, &orgTags)
		}
		return r, row.Scan(&r.id, &r.rev)
	})
	if err != nil {
		return amigo.ServicePage{}, err
	}
	var page amigo.ServicePage
	refs, page.More = trimPage(refs, f.Limit)
	if page.Services, err = db.servicesAt(ctx, refs); err != nil {
		return amigo.ServicePage{}, err
	}
	switch {
	case !f.WithTags:
	case len(refs) == 0:
		page.Tags, err = db.ServiceTags(ctx, orgID)
	case orgTags != nil:
		page.Tags, err = db.tagLists.decode(orgID, orgTags)
	}
	return page, err
}

// serviceRef is an entry of a page: a service and the rev of its row.
type serviceRef struct {
	id  string
	rev int64
}

// servicesAt returns the services of refs, in order: from the cache where
// it holds a service at the rev the page read, and otherwise from the
// database in one query (and one for their tags and version sets). A
// service read at a newer rev than its ref (it changed since the page was
// read) is returned as read; one gone since is left out.
func (db *ClusterStore) servicesAt(ctx context.Context, refs []serviceRef) ([]*amigo.Service, error) {
	out := make([]*amigo.Service, len(refs))
	var missing []any
	for i, r := range refs {
		if s, ok := db.services.get(r.id, r.rev); ok {
			out[i] = s
		} else {
			missing = append(missing, r.id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	rows, err := db.read.Query(ctx, `SELECT `+serviceColumnsAt+` FROM services WHERE id IN (`+placeholders(1, len(missing))+`)`, missing...)
	type loaded struct {
		s   *amigo.Service
		rev int64
	}
	read, err := collect(rows, err, func(row Row) (loaded, error) {
		s, rev, err := scanServiceAt(row)
		return loaded{s, rev}, err
	})
	if err != nil {
		return nil, err
	}
	services := make([]*amigo.Service, len(read))
	for i, l := range read {
		services[i] = l.s
	}
	if err := loadDetails(ctx, db.read, services, nil); err != nil {
		return nil, err
	}
	byID := make(map[string]*amigo.Service, len(read))
	for _, l := range read {
		byID[l.s.ID] = db.services.put(l.s, l.rev)
	}
	for i, r := range refs {
		if out[i] == nil {
			out[i] = byID[r.id]
		}
	}
	return slices.DeleteFunc(out, func(s *amigo.Service) bool { return s == nil }), nil
}

// UpdateService applies apply to the stored service in one transaction.
func (db *ClusterStore) UpdateService(ctx context.Context, orgID, id string, apply func(*amigo.Service, amigo.PinFunc) error) (*amigo.Service, error) {
	return db.updateService(ctx, orgID, id, nil, apply)
}

// UpdateVersionSets applies apply to the stored service, read with only
// the version sets names, in one transaction.
func (db *ClusterStore) UpdateVersionSets(ctx context.Context, orgID, id string, names []string, apply func(*amigo.Service, amigo.PinFunc) error) (*amigo.Service, error) {
	if names == nil {
		names = []string{}
	}
	return db.updateService(ctx, orgID, id, names, apply)
}

// updateService applies apply to the stored service, read with only the
// version sets sets (all when nil), in one transaction.
func (db *ClusterStore) updateService(ctx context.Context, orgID, id string, sets []string, apply func(*amigo.Service, amigo.PinFunc) error) (*amigo.Service, error) {
	var out *amigo.Service
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		// The no-op UPDATE takes the service's write lock before it is
		// read, so concurrent updates of one service apply one after the
		// other and each sees the previous one's result (what If-Match on
		// a version set relies on).
		if _, err := tx.ExecContext(ctx, `UPDATE services SET updated_at = updated_at WHERE org_id = $1 AND id = $2`, orgID, id); err != nil {
			return err
		}
		s, err := db.findService(ctx, inTxReader(tx), orgID, id, sets)
		if err != nil {
			return err
		}
		if s.Revisions, err = latestRevisions(ctx, tx, id); err != nil {
			return err
		}
		if err := apply(s, db.pin(ctx, tx, orgID)); err != nil {
			return err
		}
		out = s
		return db.writeService(ctx, tx, s, true, sets)
	})
	return out, err
}

// DeleteVersionSet removes one version set of a service.
func (db *ClusterStore) DeleteVersionSet(ctx context.Context, orgID, serviceID, name string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM services WHERE org_id = $1 AND id = $2`, orgID, serviceID).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			return amigo.Errorf(amigo.ENOTFOUND, "Service %s not found.", serviceID)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM version_sets WHERE org_id = $1 AND service_id = $2 AND name = $3`, orgID, serviceID, name)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return amigo.Errorf(amigo.ENOTFOUND, "Version set %s not found.", name)
		}
		return restamp(ctx, tx, serviceID)
	})
}

// restamp gives a service's rows a new rev, after a change to it that does
// not go through writeService.
func restamp(ctx context.Context, tx *sql.Tx, serviceID string) error {
	rev := newRev()
	if _, err := tx.ExecContext(ctx, `UPDATE services SET rev = $1 WHERE id = $2`, rev, serviceID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE service_tags SET rev = $1 WHERE service_id = $2`, rev, serviceID)
	return err
}
