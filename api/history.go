package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/core"
)

func (s *Server) getChanges(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := newQuery(r.URL)
	f := amigo.ChangeFilter{
		ResourceType: q.values.Get("resource_type"), ResourceID: q.values.Get("resource_id"),
		ActorUserID: q.values.Get("actor_user_id"), Operation: q.values.Get("operation"),
		Since: q.time("since"), Until: q.time("until"),
		After: q.values.Get("continuation_token"), Limit: q.int("limit", 50, 1, 100),
	}
	if err := q.err(); err != nil {
		return err
	}
	changes, more, err := s.app.ListChanges(r.Context(), t, f)
	if err != nil {
		return err
	}
	out := wire.ChangeList{Changes: make([]wire.Change, len(changes)), HasMore: more}
	for i, c := range changes {
		out.Changes[i] = wire.NewChange(c)
	}
	if more {
		out.ContinuationToken = &changes[len(changes)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// time returns the RFC 3339 parameter name, or the zero time when absent.
func (q *queryParams) time(name string) time.Time {
	s := q.values.Get(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		q.fail(name, "datetime_from_date_parsing", "Input should be a valid datetime (RFC 3339)")
	}
	return t
}

func transitionsOut(ts []core.Transition) []wire.Transition {
	out := make([]wire.Transition, len(ts))
	for i, t := range ts {
		out[i] = wire.Transition{From: t.From, To: t.To, Description: t.Description}
	}
	return out
}

// diffRange reads the from and to parameters; both are required.
func diffRange(r *http.Request) (string, string, error) {
	q := newQuery(r.URL)
	from, to := q.values.Get("from"), q.values.Get("to")
	if from == "" {
		q.fail("from", "missing", "Field required")
	}
	if to == "" {
		q.fail("to", "missing", "Field required")
	}
	return from, to, q.err()
}

func (s *Server) getAgentVersionDiff(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	from, to, err := diffRange(r)
	if err != nil {
		return err
	}
	d, err := s.app.AgentVersionDiff(r.Context(), t, r.PathValue("agent_id"), from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.VersionDiff{From: d.From, To: d.To, Patch: wire.Patch(d.Patch), Summary: nonNilStrings(d.Summary)})
	return nil
}

func (s *Server) getStateMachineVersionDiff(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	from, to, err := diffRange(r)
	if err != nil {
		return err
	}
	d, err := s.app.StateMachineVersionDiff(r.Context(), t, r.PathValue("service_hierarchical_state_machine_id"), from, to)
	if err != nil {
		return err
	}
	m := d.Machine
	writeJSON(w, http.StatusOK, wire.MachineDiff{VersionDiff: wire.VersionDiff{From: d.From, To: d.To, Patch: wire.Patch(d.Patch), Summary: nonNilStrings(d.Summary)},
		StatesAdded: m.StatesAdded, StatesRemoved: m.StatesRemoved, StatesChanged: m.StatesChanged,
		TransitionsAdded: transitionsOut(m.TransitionsAdded), TransitionsRemoved: transitionsOut(m.TransitionsRemoved),
		ReferencesChanged: m.ReferencesChanged})
	return nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Server) getVersionSetRevisions(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := newQuery(r.URL)
	limit, offset := q.intAbove("limit", 10, 0, 50), q.int("continuation_token", 0, 0, -1)
	if err := q.err(); err != nil {
		return err
	}
	revs, more, err := s.app.ListVersionSetRevisions(r.Context(), t, r.PathValue("service_id"), r.PathValue("version_set_name"), offset, limit)
	if err != nil {
		return err
	}
	out := wire.RevisionList{Revisions: make([]wire.Revision, len(revs)), Page: wire.Page{HasMore: more}}
	for i, rev := range revs {
		out.Revisions[i] = wire.NewRevision(rev)
	}
	if more {
		n := offset + len(revs)
		out.ContinuationToken = &n
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// ifMatch reads an If-Match header holding one revision, quoted as an
// entity tag ("3") or bare (3). Absent: nil.
func ifMatch(r *http.Request) (*int, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(h, "W/"), `"`))
	if err != nil || n < 1 {
		return nil, amigo.Invalid(amigo.FieldError{In: "header", Loc: []any{"If-Match"}, Type: "value_error",
			Msg: `If-Match must be the version set's revision as an entity tag, such as "3"`})
	}
	return &n, nil
}

// setETag announces a version set's revision.
func setETag(w http.ResponseWriter, revision int) {
	w.Header().Set("ETag", `"`+strconv.Itoa(revision)+`"`)
}

func (s *Server) promoteVersionSet(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	name, err := checkVersionSetName(r)
	if err != nil {
		return err
	}
	match, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in wire.PromoteInput
	if err := decodeRequired(r, &in, "from", func() bool { return in.From != nil && *in.From != "" }); err != nil {
		return err
	}
	rev, err := s.app.PromoteVersionSet(r.Context(), t, r.PathValue("service_id"), name, *in.From, match)
	if err != nil {
		return err
	}
	setETag(w, rev)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) rollbackVersionSet(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	name, err := checkVersionSetName(r)
	if err != nil {
		return err
	}
	match, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in wire.RollbackInput
	if err := decodeRequired(r, &in, "to_revision", func() bool { return in.ToRevision != nil }); err != nil {
		return err
	}
	rev, err := s.app.RollbackVersionSet(r.Context(), t, r.PathValue("service_id"), name, *in.ToRevision, match)
	if err != nil {
		return err
	}
	setETag(w, rev)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// decodeRequired decodes a body of one required field: what the decoder
// could not read is reported first, then the field if present says it is
// missing.
func decodeRequired(r *http.Request, dst any, field string, present func() bool) error {
	bad, err := decode(r, dst, defaultMaxBody)
	if err != nil {
		return err
	}
	if bad != nil {
		return bad
	}
	if !present() {
		return amigo.Invalid(amigo.FieldError{Loc: []any{field}, Type: "missing", Msg: "Field required"})
	}
	return nil
}
