package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core"
)

// The wire shapes of the history extension: the change log, version diffs
// and version set revisions. None is in the Amigo spec; the README
// documents them.

// actorOut is who made a change: a user (through the API key api_key_id,
// when the token came from one), or the operator running a command.
type actorOut struct {
	OrgID    string `json:"org_id"`
	UserID   string `json:"user_id"`
	APIKeyID string `json:"api_key_id"`
	Operator bool   `json:"operator"`
}

func newActorOut(a amigo.Actor) actorOut {
	return actorOut{OrgID: a.OrgID, UserID: a.UserID, APIKeyID: a.APIKeyID, Operator: a.Operator}
}

// changeOut is one record of get-changes.
type changeOut struct {
	ID           string          `json:"id"`
	Time         time.Time       `json:"time"`
	Actor        actorOut        `json:"actor"`
	Operation    string          `json:"operation"`
	ResourceType string          `json:"resource_type"`
	ResourceID   string          `json:"resource_id"`
	Summary      string          `json:"summary"`
	Diff         json.RawMessage `json:"diff"`
}

// changesOut is get-changes' answer; continuation_token is the id to pass
// for the next page (null on the last).
type changesOut struct {
	Changes           []changeOut `json:"changes"`
	HasMore           bool        `json:"has_more"`
	ContinuationToken *string     `json:"continuation_token"`
}

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
	out := changesOut{Changes: make([]changeOut, len(changes)), HasMore: more}
	for i, c := range changes {
		out.Changes[i] = changeOut{ID: c.ID, Time: c.Time, Actor: newActorOut(c.Actor), Operation: c.Operation,
			ResourceType: c.ResourceType, ResourceID: c.ResourceID, Summary: c.Summary, Diff: c.Diff}
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

// transitionOut is one exit of a state in a state machine diff.
type transitionOut struct {
	From        string `json:"from"`
	To          string `json:"to"`
	Description string `json:"description"`
}

// versionDiffOut is the answer of the version diff operations; the
// state-machine fields are present only for state machines.
type versionDiffOut struct {
	From               int                 `json:"from"`
	To                 int                 `json:"to"`
	Patch              json.RawMessage     `json:"patch"`
	Summary            []string            `json:"summary"`
	StatesAdded        []string            `json:"states_added,omitempty"`
	StatesRemoved      []string            `json:"states_removed,omitempty"`
	StatesChanged      map[string][]string `json:"states_changed,omitempty"`
	TransitionsAdded   []transitionOut     `json:"transitions_added,omitempty"`
	TransitionsRemoved []transitionOut     `json:"transitions_removed,omitempty"`
	ReferencesChanged  []string            `json:"references_changed,omitempty"`
}

// machineDiffOut is versionDiffOut with the state-machine fields always
// present, even when empty.
type machineDiffOut struct {
	From               int                 `json:"from"`
	To                 int                 `json:"to"`
	Patch              json.RawMessage     `json:"patch"`
	Summary            []string            `json:"summary"`
	StatesAdded        []string            `json:"states_added"`
	StatesRemoved      []string            `json:"states_removed"`
	StatesChanged      map[string][]string `json:"states_changed"`
	TransitionsAdded   []transitionOut     `json:"transitions_added"`
	TransitionsRemoved []transitionOut     `json:"transitions_removed"`
	ReferencesChanged  []string            `json:"references_changed"`
}

func transitionsOut(ts []core.Transition) []transitionOut {
	out := make([]transitionOut, len(ts))
	for i, t := range ts {
		out[i] = transitionOut{From: t.From, To: t.To, Description: t.Description}
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
	writeJSON(w, http.StatusOK, versionDiffOut{From: d.From, To: d.To, Patch: d.Patch, Summary: nonNilStrings(d.Summary)})
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
	writeJSON(w, http.StatusOK, machineDiffOut{From: d.From, To: d.To, Patch: d.Patch, Summary: nonNilStrings(d.Summary),
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

// revisionOut is one revision of get-version-set-revisions; version_set
// is null for a deletion.
type revisionOut struct {
	Revision   int               `json:"revision"`
	Time       time.Time         `json:"time"`
	Actor      actorOut          `json:"actor"`
	Operation  string            `json:"operation"`
	VersionSet *amigo.VersionSet `json:"version_set"`
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
	out := make([]revisionOut, len(revs))
	for i, rev := range revs {
		out[i] = revisionOut{Revision: rev.Revision, Time: rev.Time, Actor: newActorOut(rev.Actor), Operation: rev.Operation, VersionSet: rev.Set}
	}
	var next *int
	if more {
		n := offset + len(revs)
		next = &n
	}
	writeJSON(w, http.StatusOK, struct {
		Revisions []revisionOut `json:"revisions"`
		page
	}{out, page{more, next}})
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
		return nil, amigo.Invalid(amigo.FieldError{Loc: []any{"header", "If-Match"}, Type: "value_error",
			Msg: `If-Match must be the version set's revision as an entity tag, such as "3"`})
	}
	return &n, nil
}

// setETag announces a version set's revision.
func setETag(w http.ResponseWriter, revision int) {
	w.Header().Set("ETag", `"`+strconv.Itoa(revision)+`"`)
}

// promoteIn is the body of promote-service-version-set.
type promoteIn struct {
	From *string `json:"from"`
}

// rollbackIn is the body of rollback-service-version-set.
type rollbackIn struct {
	ToRevision *int `json:"to_revision"`
}

func (s *Server) promoteVersionSet(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	match, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in promoteIn
	if err := decode(r, &in, defaultMaxBody); err != nil {
		return err
	}
	if in.From == nil || *in.From == "" {
		return amigo.Invalid(amigo.FieldError{Loc: []any{"body", "from"}, Type: "missing", Msg: "Field required"})
	}
	rev, err := s.app.PromoteVersionSet(r.Context(), t, r.PathValue("service_id"), r.PathValue("version_set_name"), *in.From, match)
	if err != nil {
		return err
	}
	setETag(w, rev)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) rollbackVersionSet(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	match, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in rollbackIn
	if err := decode(r, &in, defaultMaxBody); err != nil {
		return err
	}
	if in.ToRevision == nil {
		return amigo.Invalid(amigo.FieldError{Loc: []any{"body", "to_revision"}, Type: "missing", Msg: "Field required"})
	}
	rev, err := s.app.RollbackVersionSet(r.Context(), t, r.PathValue("service_id"), r.PathValue("version_set_name"), *in.ToRevision, match)
	if err != nil {
		return err
	}
	setETag(w, rev)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
