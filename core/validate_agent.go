package core

import (
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// VoiceCatalog is the set of voice ids agents may use. An empty catalogue
// accepts every non-empty voice id, for deployments without a voice
// provider.
type VoiceCatalog map[string]struct{}

// NewVoiceCatalog returns the catalogue of the given voice ids.
func NewVoiceCatalog(ids ...string) VoiceCatalog {
	c := make(VoiceCatalog, len(ids))
	for _, id := range ids {
		c[id] = struct{}{}
	}
	return c
}

// Has reports whether agents may use the voice id.
func (c VoiceCatalog) Has(id string) bool {
	if len(c) == 0 {
		return id != ""
	}
	_, ok := c[id]
	return ok
}

// ValidateAgentVersion checks a create-agent-version body. It returns
// EINVALID listing every violation of the spec's schema (decoding problems
// included), else EBADREQUEST when first (the agent has no version yet) and
// some fields are unset, or when the voice is not in voices. It strips the
// request's strings in place, as the spec's models do.
func ValidateAgentVersion(req *AgentVersionInput, first bool, voices VoiceCatalog) error {
	var f fieldErrs
	f.decoded(req.Malformed, nil)
	body := []any(nil)
	if req.Initials != nil {
		f.text(body, "initials", req.Initials, 3)
	}
	if req.Identity != nil {
		checkIdentity(&f, join(body, "identity"), req.Identity)
	}
	if req.Background != nil {
		f.text(body, "background", req.Background, 0)
	}
	if req.Behaviors != nil {
		f.texts(body, "behaviors", *req.Behaviors, 0, 0)
	}
	if req.CommunicationPatterns != nil {
		f.texts(body, "communication_patterns", *req.CommunicationPatterns, 0, 0)
	}
	if req.VoiceConfig != nil {
		f.text(join(body, "voice_config"), "voice_id", &req.VoiceConfig.VoiceID, 0)
	}
	if err := f.err(); err != nil {
		return err
	}

	if first {
		if missing := req.Missing(); len(missing) > 0 {
			return amigo.Errorf(amigo.EBADREQUEST,
				"The agent has no version yet, so every field must be set; missing: %s.", strings.Join(missing, ", "))
		}
	}
	if req.VoiceConfig != nil && !voices.Has(req.VoiceConfig.VoiceID) {
		return amigo.Errorf(amigo.EBADREQUEST, "Voice %q does not exist.", req.VoiceConfig.VoiceID)
	}
	return nil
}

func checkIdentity(f *fieldErrs, loc []any, id *amigo.Identity) {
	f.text(loc, "name", &id.Name, 0)
	f.text(loc, "role", &id.Role, 0)
	f.text(loc, "developed_by", &id.DevelopedBy, 0)
	if !isLanguageCode(id.DefaultSpokenLanguage) {
		// The spec enumerates 7910 codes; pydantic would quote them all.
		f.add(loc, "default_spoken_language", "literal_error", "Input should be an ISO 639-3 language code such as 'eng'")
	}
	rel, relLoc := &id.RelationshipToDeveloper, join(loc, "relationship_to_developer")
	f.text(relLoc, "ownership", &rel.Ownership, 0)
	f.text(relLoc, "type", &rel.Type, 0)
	f.text(relLoc, "conversation_visibility", &rel.ConversationVisibility, 0)
	f.text(relLoc, "thought_visibility", &rel.ThoughtVisibility, 0)
}
