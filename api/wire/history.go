package wire

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

// The shapes of the history extension: the change log, version diffs and
// version set revisions. None is in the Amigo spec; docs/history.md
// documents them.

// Actor is who made a change: a user (through the API key api_key_id, when
// the token came from one, created by api_key_creator), or the operator
// running a command.
type Actor struct {
	OrgID    string `json:"org_id"`
	UserID   string `json:"user_id"`
	APIKeyID string `json:"api_key_id"`
	// APIKeyCreator is null for the operator's changes and for records
	// written before creators were recorded.
	APIKeyCreator *KeyCreator `json:"api_key_creator"`
	Operator      bool        `json:"operator"`
}

// KeyCreator is the user who created the API key of a change's token.
type KeyCreator struct {
	OrgID  string `json:"org_id"`
	UserID string `json:"user_id"`
}

func newActor(a amigo.Actor) Actor {
	out := Actor{OrgID: a.OrgID, UserID: a.UserID, APIKeyID: a.APIKeyID, Operator: a.Operator}
	if a.KeyCreatorUserID != "" {
		out.APIKeyCreator = &KeyCreator{OrgID: a.KeyCreatorOrgID, UserID: a.KeyCreatorUserID}
	}
	return out
}

// Change is one record of get-changes. ResourceType is organization,
// api_key, user, role, agent, service_hierarchical_state_machine, service
// or version_set; ResourceID is a version set's SERVICE_ID/NAME, an API
// key's api_key_id, a role's name.
type Change struct {
	ID           string    `json:"id"`
	Time         time.Time `json:"time"`
	Actor        Actor     `json:"actor"`
	Operation    string    `json:"operation"`
	ResourceType string    `json:"resource_type"`
	ResourceID   string    `json:"resource_id"`
	Summary      string    `json:"summary"`
	// Diff turns the resource's document before the change into the one
	// after it.
	Diff Patch `json:"diff"`
}

// NewChange returns the change as get-changes lists it.
func NewChange(c *amigo.Change) Change {
	return Change{ID: c.ID, Time: c.Time, Actor: newActor(c.Actor), Operation: c.Operation,
		ResourceType: c.ResourceType, ResourceID: c.ResourceID, Summary: c.Summary, Diff: Patch(c.Diff)}
}

// ChangeList is get-changes' answer; continuation_token is the id to pass
// for the next page (null on the last).
type ChangeList struct {
	Changes           []Change `json:"changes"`
	HasMore           bool     `json:"has_more"`
	ContinuationToken *string  `json:"continuation_token"`
}

// Patch is an RFC 6902 JSON Patch: the JSON array of its operations, held
// as the server stored it, so that listing the change log or a diff writes
// each patch as it is, never decoding it; Operations decodes it.
type Patch json.RawMessage

// PatchOperation is one operation of a Patch. From is the source of a move
// or copy; Value is the JSON value of an add, replace or test ("null" is a
// JSON null, nil none).
type PatchOperation struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	From  string          `json:"from,omitempty"`
	Value json.RawMessage `json:"value,omitempty"`
}

// MarshalJSON writes the patch as it is, as json.RawMessage does (nil is
// null).
func (p Patch) MarshalJSON() ([]byte, error) { return json.RawMessage(p).MarshalJSON() }

// UnmarshalJSON keeps a copy of the patch's JSON.
func (p *Patch) UnmarshalJSON(data []byte) error {
	return (*json.RawMessage)(p).UnmarshalJSON(data)
}

// Operations decodes the patch; an empty or null patch has none.
func (p Patch) Operations() ([]PatchOperation, error) {
	if len(p) == 0 {
		return nil, nil
	}
	var ops []PatchOperation
	if err := json.Unmarshal(p, &ops); err != nil {
		return nil, fmt.Errorf("wire: decode JSON Patch: %w", err)
	}
	return ops, nil
}

// Transition is one exit of a state in a state machine diff.
type Transition struct {
	From        string `json:"from"`
	To          string `json:"to"`
	Description string `json:"description"`
}

// VersionDiff is the answer of get-agent-version-diff: Patch turns
// version From's document into version To's; Summary has one line per
// top-level field, e.g. "background changed".
type VersionDiff struct {
	From    int      `json:"from"`
	To      int      `json:"to"`
	Patch   Patch    `json:"patch"`
	Summary []string `json:"summary"`
}

// MachineDiff is the answer of
// get-service-hierarchical-state-machine-version-diff: VersionDiff with the
// graph's comparison, every field present even when empty. StatesChanged
// maps a state in both versions to its differing fields.
type MachineDiff struct {
	VersionDiff
	StatesAdded        []string            `json:"states_added"`
	StatesRemoved      []string            `json:"states_removed"`
	StatesChanged      map[string][]string `json:"states_changed"`
	TransitionsAdded   []Transition        `json:"transitions_added"`
	TransitionsRemoved []Transition        `json:"transitions_removed"`
	ReferencesChanged  []string            `json:"references_changed"`
}

// Revision is one revision of get-service-version-set-revisions;
// version_set is null for a deletion.
type Revision struct {
	Revision   int         `json:"revision"`
	Time       time.Time   `json:"time"`
	Actor      Actor       `json:"actor"`
	Operation  string      `json:"operation"`
	VersionSet *VersionSet `json:"version_set"`
}

// NewRevision returns the revision as get-service-version-set-revisions
// lists it.
func NewRevision(r *amigo.VersionSetRevision) Revision {
	out := Revision{Revision: r.Revision, Time: r.Time, Actor: newActor(r.Actor), Operation: r.Operation}
	if r.Set != nil {
		vs := NewVersionSet(*r.Set)
		out.VersionSet = &vs
	}
	return out
}

// RevisionList is the answer of get-service-version-set-revisions.
type RevisionList struct {
	Revisions []Revision `json:"revisions"`
	Page
}

// PromoteInput is the body of promote-service-version-set: From is the
// version set copied; from edge, the versions edge resolves to now are
// pinned.
type PromoteInput struct {
	From *string `json:"from,omitempty"`
}

// RollbackInput is the body of rollback-service-version-set: ToRevision
// is the revision whose content becomes the next revision.
type RollbackInput struct {
	ToRevision *int `json:"to_revision,omitempty"`
}

// AgentDefinition is an agent version's content as API users see it, for
// version diffs.
type AgentDefinition struct {
	Initials              string       `json:"initials"`
	Identity              Identity     `json:"identity"`
	Background            string       `json:"background"`
	Behaviors             []string     `json:"behaviors"`
	CommunicationPatterns []string     `json:"communication_patterns"`
	VoiceConfig           *VoiceConfig `json:"voice_config"`
}

// Document returns a domain document in the shape API users see, so that
// the JSON Patches of the change log and of version diffs use the field
// names of the API: agent and state machine definitions and states,
// version sets, preferences, user dimensions and grants. Anything else, already
// a JSON shape, is returned as is; a nil pointer is nil.
func Document(v any) any {
	switch d := v.(type) {
	case *amigo.AgentDefinition:
		if d == nil {
			return nil
		}
		return shape.Convert[AgentDefinition](*d)
	case *amigo.StateMachineDefinition:
		if d == nil {
			return nil
		}
		// Its states are converted one at a time: a 50,000-state machine is
		// never copied whole to be diffed.
		b, err := shape.MarshalList[StateMachineDefinition](*d, "States")
		if err != nil {
			panic(fmt.Sprintf("wire: encode state machine: %v", err))
		}
		return json.RawMessage(b)
	case *amigo.State:
		if d == nil {
			return nil
		}
		return shape.Convert[State](*d)
	case *amigo.VersionSet:
		if d == nil {
			return nil
		}
		return versionSetJSON(*d)
	case map[string]amigo.VersionSet:
		return shape.Convert[map[string]VersionSet](d)
	case amigo.Preferences:
		return shape.Convert[Preferences](d)
	case []amigo.UserDimension:
		return shape.Convert[[]UserDimension](d)
	case []amigo.Grant:
		return shape.Convert[[]Grant](d)
	}
	return v
}

// versionSetJSON encodes vs as json.Marshal(NewVersionSet(vs)) does, but
// converts its preferences one at a time, into the buffer of the rest: the
// wire copy of 80,000 preferences never exists whole to be diffed, and
// their encoding is not copied again.
func versionSetJSON(vs amigo.VersionSet) json.RawMessage {
	head, err := json.Marshal(VersionSet{AgentVersion: vs.AgentVersion, StateMachineVersion: vs.StateMachineVersion})
	if err == nil && vs.LLMModelPreferences != nil {
		head, err = shape.AppendMap[LLMConfig](append(head[:len(head)-1], `,"llm_model_preferences":`...), vs.LLMModelPreferences)
		head = append(head, '}')
	}
	if err != nil {
		panic(fmt.Sprintf("wire: encode version set: %v", err))
	}
	return head
}

// NewVersionSet returns a version set in its wire shape.
func NewVersionSet(vs amigo.VersionSet) VersionSet { return shape.Convert[VersionSet](vs) }
