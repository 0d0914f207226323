package core

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// ServiceInput is the body of create-service and update-service. Absent or
// null fields are left unchanged by an update.
type ServiceInput struct {
	StateMachineID    *string
	AgentID           *string
	Name              *string
	Description       *string
	IsActive          *bool
	ReleaseVersionSet *amigo.VersionSet
	Keyterms          *[]string
	Tags              *map[string]*string
	// Malformed is what the decoder of the request could not read, nil
	// when it read everything; it is reported with the checks' findings.
	Malformed *amigo.Error `shape:"-"`
}

// VersionSetInput is the body of upsert-service-version-set.
type VersionSetInput struct {
	VersionSet *amigo.VersionSet
	// Malformed is what the decoder of the request could not read, nil
	// when it read everything; it is reported with the checks' findings.
	Malformed *amigo.Error `shape:"-"`
}

var (
	tagPattern     = regexp.MustCompile(`^[\w\s]+$`)
	keytermPattern = regexp.MustCompile(`^[a-z-]+( [a-z-]+){0,2}$`)
	idPattern      = regexp.MustCompile(`^[a-f0-9]{24}$`)
)

// check validates the fields that are set; create makes the spec's
// required fields mandatory.
func (in *ServiceInput) check(create bool) error {
	var c fieldErrs
	c.decoded(in.Malformed, nil)
	body := func(parts ...any) []any { return append([]any(nil), parts...) }
	if create {
		c.required(body("service_hierarchical_state_machine_id"), in.StateMachineID != nil)
		c.required(body("agent_id"), in.AgentID != nil)
		c.required(body("name"), in.Name != nil)
		c.required(body("description"), in.Description != nil)
		c.required(body("is_active"), in.IsActive != nil)
		c.required(body("keyterms"), in.Keyterms != nil)
		c.required(body("tags"), in.Tags != nil)
	}
	if in.StateMachineID != nil {
		c.str(body("service_hierarchical_state_machine_id"), *in.StateMachineID, 24, 24, idPattern)
	}
	if in.AgentID != nil {
		c.str(body("agent_id"), *in.AgentID, 24, 24, idPattern)
	}
	if in.Name != nil {
		*in.Name = strings.TrimSpace(*in.Name)
		c.str(body("name"), *in.Name, 1, maxName, nil)
	}
	if in.Description != nil {
		*in.Description = strings.TrimSpace(*in.Description)
		c.str(body("description"), *in.Description, 1, maxText, nil)
	}
	if in.Keyterms != nil {
		// Like pydantic, a list over its bound is refused without reading
		// its items: refusing 300,000 of them costs no more than counting.
		if len(*in.Keyterms) > 20 {
			c.add(body("keyterms"), nil, "too_long", "List should have at most 20 items")
		} else {
			checkKeyterms(&c, body, *in.Keyterms)
		}
	}
	if in.Tags != nil {
		if len(*in.Tags) > 20 {
			c.add(body("tags"), nil, "too_long", "Dictionary should have at most 20 items")
		} else {
			checkTags(&c, body, *in.Tags)
		}
	}
	if in.ReleaseVersionSet != nil {
		checkVersionSetShape(&c, body("release_version_set"), in.ReleaseVersionSet)
	}
	return c.err()
}

// checkVersionSetShape validates what the schema says of a version set,
// listing the violations of its preferences in name order. Only the names
// in violation are sorted: a set of 150,000 valid preferences is checked
// in one pass over its map.
func checkVersionSetShape(c *fieldErrs, loc []any, vs *amigo.VersionSet) {
	if v := vs.AgentVersion; v != nil && *v < 1 {
		c.add(loc, "agent_version_number", "greater_than", "Input should be greater than 0")
	}
	if v := vs.StateMachineVersion; v != nil && *v < 1 {
		c.add(loc, "service_hierarchical_state_machine_version_number", "greater_than", "Input should be greater than 0")
	}
	var bad []string
	for name, pref := range vs.LLMModelPreferences {
		if strings.TrimSpace(name) == "" || pref.LLMName == "" {
			bad = append(bad, name)
		}
	}
	slices.Sort(bad)
	for _, name := range bad {
		if strings.TrimSpace(name) == "" {
			c.add(append(slices.Clone(loc), "llm_model_preferences"), nil, "value_error", "LLM interaction names cannot be empty")
		}
		if vs.LLMModelPreferences[name].LLMName == "" {
			c.add(append(slices.Clone(loc), "llm_model_preferences", name, "llm_name"), nil, "missing", "Field required")
		}
	}
}

// checkLLMPreferences refuses unknown models and out-of-range sampling
// parameters (EBADREQUEST, as the spec's 400 says), naming the first
// preference in name order that is refused. It finds it in one pass over
// the map, without sorting: a preference is checked only while its name
// comes before the first refused so far.
func checkLLMPreferences(vs *amigo.VersionSet) error {
	var first string
	var refused error
	for name, p := range vs.LLMModelPreferences {
		if refused != nil && name > first {
			continue
		}
		if err := checkLLMPreference(name, p); err != nil {
			first, refused = name, err
		}
	}
	return refused
}

// checkLLMPreference checks the preference for the interaction name.
func checkLLMPreference(name string, p amigo.LLMConfig) error {
	if !slices.Contains(amigo.LLMTypes, p.LLMName) {
		return amigo.Errorf(amigo.EBADREQUEST, "LLM preference %q names unknown model %q.", name, p.LLMName)
	}
	topP, temp, topK := p.TopP, p.Temperature, p.TopK
	var keys []string // sorted only when there are params: most preferences have none
	if len(p.Params) > 0 {
		keys = slices.Sorted(maps.Keys(p.Params))
	}
	for _, key := range keys {
		raw := p.Params[key]
		var dst any
		switch key {
		case "top_p":
			dst = &topP
		case "temperature":
			dst = &temp
		case "top_k":
			dst = &topK
		default:
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return amigo.Errorf(amigo.EBADREQUEST, "LLM preference %q: params.%s must be a number.", name, key)
		}
	}
	switch {
	case topP != nil && (*topP < 0 || *topP > 1):
		return amigo.Errorf(amigo.EBADREQUEST, "LLM preference %q: top_p must be between 0 and 1.", name)
	case temp != nil && (*temp < 0 || *temp > 2):
		return amigo.Errorf(amigo.EBADREQUEST, "LLM preference %q: temperature must be between 0 and 2.", name)
	case topK != nil && *topK < 1:
		return amigo.Errorf(amigo.EBADREQUEST, "LLM preference %q: top_k must be at least 1.", name)
	}
	return nil
}

// checkPinnedVersions refuses a version set whose versions the service's
// agent or state machine do not have.
func checkPinnedVersions(setName string, vs amigo.VersionSet, p amigo.Pinned) error {
	if v := vs.AgentVersion; v != nil && (p.Agent.LatestVersion == nil || *v > *p.Agent.LatestVersion) {
		return amigo.Errorf(amigo.EBADREQUEST, "Version set %s: agent %s has no version %d.", setName, p.Agent.ID, *v)
	}
	if v := vs.StateMachineVersion; v != nil && (p.StateMachine.LatestVersion == nil || *v > *p.StateMachine.LatestVersion) {
		return amigo.Errorf(amigo.EBADREQUEST, "Version set %s: state machine %s has no version %d.", setName, p.StateMachine.ID, *v)
	}
	return nil
}

// checkUsable refuses deprecated resources and resources without versions.
func checkUsable(p amigo.Pinned) error {
	switch {
	case p.Agent.Deprecated:
		return amigo.Errorf(amigo.EBADREQUEST, "Agent %s is deprecated.", p.Agent.ID)
	case p.StateMachine.Deprecated:
		return amigo.Errorf(amigo.EBADREQUEST, "State machine %s is deprecated.", p.StateMachine.ID)
	case p.Agent.LatestVersion == nil:
		return amigo.Errorf(amigo.EBADREQUEST, "Agent %s has no version yet.", p.Agent.ID)
	case p.StateMachine.LatestVersion == nil:
		return amigo.Errorf(amigo.EBADREQUEST, "State machine %s has no version yet.", p.StateMachine.ID)
	}
	return nil
}

// serviceAttrs describes a service for conditional grants.
func serviceAttrs(s *amigo.Service) amigo.Attributes {
	attrs := amigo.Attributes{"name": {s.Name}, "tags": amigo.TagValues(s.Tags)}
	if s.ID != "" {
		attrs["id"] = []string{s.ID}
	}
	return attrs
}

// versionSetAttrs describes a version set of s.
func versionSetAttrs(s *amigo.Service, name string) amigo.Attributes {
	attrs := serviceAttrs(s)
	attrs["version_set"] = []string{name}
	return attrs
}

// normalized returns a copy of vs with empty maps where the request left
// them out, so a stored version set always reads back with the spec's {}
// defaults.
func normalized(vs amigo.VersionSet) amigo.VersionSet {
	vs.LLMModelPreferences = maps.Clone(vs.LLMModelPreferences)
	withDefaults(&vs)
	return vs
}

// withDefaults fills in vs's own maps the {} defaults that normalized
// gives a copy: for a version set the request decoded, which nothing else
// holds, without copying its preferences.
func withDefaults(vs *amigo.VersionSet) {
	if vs.LLMModelPreferences == nil {
		vs.LLMModelPreferences = map[string]amigo.LLMConfig{}
	}
	for name, p := range vs.LLMModelPreferences {
		if p.Params == nil {
			p.Params = map[string]json.RawMessage{}
			vs.LLMModelPreferences[name] = p
		}
	}
}

// edgeVersionSet resolves to the latest versions with no LLM preference.
func edgeVersionSet() amigo.VersionSet {
	return amigo.VersionSet{LLMModelPreferences: map[string]amigo.LLMConfig{}}
}

func trimmedTags(tags map[string]*string) map[string]*string {
	out := make(map[string]*string, len(tags))
	for k, v := range tags {
		out[strings.TrimSpace(k)] = trimmed(v)
	}
	return out
}

func trimmedList(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// CreateService creates a service with its edge and release version sets.
func (a *App) CreateService(ctx context.Context, t *Tenant, in *ServiceInput) (string, error) {
	if err := in.check(true); err != nil {
		return "", err
	}
	caller := amigo.CallerFromContext(ctx)
	now := a.Now()
	s := &amigo.Service{
		ID: amigo.NewID(now), OrgID: t.Placement.OrgID, Name: *in.Name, Description: *in.Description, IsActive: *in.IsActive,
		AgentID: *in.AgentID, StateMachineID: *in.StateMachineID, Tags: trimmedTags(*in.Tags), Keyterms: trimmedList(*in.Keyterms),
		CreatorOrgID: caller.OrgID, CreatorUserID: caller.UserID, UpdatedByOrgID: caller.OrgID, UpdatedByUserID: caller.UserID,
		CreatedAt: now, UpdatedAt: now,
	}
	release := edgeVersionSet()
	if in.ReleaseVersionSet != nil {
		withDefaults(in.ReleaseVersionSet)
		release = *in.ReleaseVersionSet
	}
	s.VersionSets = map[string]amigo.VersionSet{amigo.VersionSetEdge: edgeVersionSet(), amigo.VersionSetRelease: release}
	if err := caller.Require(amigo.PermCreateService, serviceAttrs(s)); err != nil {
		return "", err
	}
	for name := range s.VersionSets {
		if err := caller.Require(amigo.PermCreateVersionSet, versionSetAttrs(s, name)); err != nil {
			return "", err
		}
	}
	if err := checkLLMPreferences(&release); err != nil {
		return "", err
	}
	ctx, j := journal(ctx)
	for name, vs := range s.VersionSets {
		j.RecordRevision(&amigo.VersionSetRevision{
			OrgID: s.OrgID, ServiceID: s.ID, Name: name, Revision: 1, Time: now,
			Actor: amigo.ActorOf(caller), Operation: amigo.RevisionUpsert, Set: &vs,
		})
	}
	if err := a.record(ctx, j, change{
		orgID: s.OrgID, operation: "create-service", resourceType: resService, resourceID: s.ID,
		summary: fmt.Sprintf("Created service %q", s.Name), after: serviceDocOf(s),
	}); err != nil {
		return "", err
	}
	return s.ID, t.Store.CreateService(ctx, s, func(p amigo.Pinned) error {
		if err := checkUsable(p); err != nil {
			return err
		}
		return checkPinnedVersions(amigo.VersionSetRelease, release, p)
	})
}

// ListServices returns one page of the services the caller may get, and
// the tag values a client can filter by. A caller with conditional access
// sees only the tags of the services it may get on this page.
func (a *App) ListServices(ctx context.Context, t *Tenant, f amigo.ServiceFilter) ([]*amigo.Service, *int, bool, []string, error) {
	caller := amigo.CallerFromContext(ctx)
	// A caller who may see every service gets every tag of the
	// organization, read with the page; any other, the tags of the
	// services it is shown.
	all := caller.Can(amigo.PermGetService, nil)
	var tags []string
	services, next, more, err := listAllowed(caller, amigo.PermGetService, f.Offset, f.Limit,
		func(offset, limit int) ([]*amigo.Service, bool, error) {
			f.Offset, f.Limit, f.WithTags = offset, limit, all
			p, err := t.Store.ListServices(ctx, t.Placement.OrgID, f)
			tags = p.Tags
			return p.Services, p.More, err
		}, serviceAttrs)
	if err != nil {
		return nil, nil, false, nil, err
	}
	if !all {
		for _, s := range services {
			tags = append(tags, amigo.TagValues(s.Tags)...)
		}
		slices.Sort(tags)
		tags = slices.Compact(tags)
	}
	return services, next, more, tags, err
}

// UpdateService changes the set fields of a service. Activating it (or
// switching an active service's agent or state machine) requires live
// resources; switching resources re-checks every pinned version set.
func (a *App) UpdateService(ctx context.Context, t *Tenant, id string, in *ServiceInput) error {
	if err := in.check(false); err != nil {
		return err
	}
	caller := amigo.CallerFromContext(ctx)
	ctx, j := journal(ctx)
	_, err := t.Store.UpdateService(ctx, t.Placement.OrgID, id, func(s *amigo.Service, pin amigo.PinFunc) error {
		if err := caller.Require(amigo.PermUpdateService, serviceAttrs(s)); err != nil {
			return err
		}
		before := serviceDocOf(s)
		activating := in.IsActive != nil && *in.IsActive && !s.IsActive
		switching := (in.AgentID != nil && *in.AgentID != s.AgentID) || (in.StateMachineID != nil && *in.StateMachineID != s.StateMachineID)
		applyServiceInput(s, in)
		// A conditional grant must cover the service as it will be too,
		// or a support-only editor could re-tag a service out of reach.
		if err := caller.Require(amigo.PermUpdateService, serviceAttrs(s)); err != nil {
			return err
		}
		if activating || switching {
			p, err := pin(s.AgentID, s.StateMachineID)
			if err != nil {
				return err
			}
			if err := checkUsable(p); err != nil {
				return err
			}
			for _, name := range slices.Sorted(maps.Keys(s.VersionSets)) {
				if err := checkPinnedVersions(name, s.VersionSets[name], p); err != nil {
					return err
				}
			}
		}
		s.UpdatedByOrgID, s.UpdatedByUserID, s.UpdatedAt = caller.OrgID, caller.UserID, a.Now()
		return a.record(ctx, j, change{
			orgID: s.OrgID, operation: "update-service", resourceType: resService, resourceID: s.ID,
			summary: fmt.Sprintf("Updated service %q", s.Name), before: before, after: serviceDocOf(s),
		})
	})
	return err
}

func applyServiceInput(s *amigo.Service, in *ServiceInput) {
	if in.Name != nil {
		s.Name = *in.Name
	}
	if in.Description != nil {
		s.Description = *in.Description
	}
	if in.IsActive != nil {
		s.IsActive = *in.IsActive
	}
	if in.AgentID != nil {
		s.AgentID = *in.AgentID
	}
	if in.StateMachineID != nil {
		s.StateMachineID = *in.StateMachineID
	}
	if in.Tags != nil {
		s.Tags = trimmedTags(*in.Tags)
	}
	if in.Keyterms != nil {
		s.Keyterms = trimmedList(*in.Keyterms)
	}
}

// UpsertVersionSet creates or replaces a version set and returns its new
// revision; edge cannot be written. ifMatch, when set, must be the set's
// current revision (EPRECONDITION otherwise).
func (a *App) UpsertVersionSet(ctx context.Context, t *Tenant, serviceID, name string, in *VersionSetInput, ifMatch *int) (int, error) {
	var c fieldErrs
	c.decoded(in.Malformed, nil)
	name = strings.TrimSpace(name)
	if c.required(at("version_set"), in.VersionSet != nil) {
		checkVersionSetShape(&c, at("version_set"), in.VersionSet)
	}
	if err := c.err(); err != nil {
		return 0, err
	}
	withDefaults(in.VersionSet)
	vs := *in.VersionSet
	if name == amigo.VersionSetEdge {
		return 0, amigo.Errorf(amigo.EBADREQUEST, "The edge version set always uses the latest versions and cannot be written.")
	}
	if err := checkLLMPreferences(&vs); err != nil {
		return 0, err
	}
	return a.writeVersionSet(ctx, t, setWrite{
		serviceID: serviceID, name: name, ifMatch: ifMatch, revisionOp: amigo.RevisionUpsert, changeOp: "upsert-service-version-set",
		content: func(*amigo.Service, amigo.Pinned) (amigo.VersionSet, string, error) {
			return vs, "Wrote version set " + name, nil
		},
	})
}

// DeleteVersionSet removes a version set; edge and release cannot be
// deleted. The deletion is the set's next revision. ifMatch, when set, must
// be the set's current revision.
func (a *App) DeleteVersionSet(ctx context.Context, t *Tenant, serviceID, name string, ifMatch *int) error {
	caller := amigo.CallerFromContext(ctx)
	ctx, j := journal(ctx)
	_, err := t.Store.UpdateVersionSets(ctx, t.Placement.OrgID, serviceID, []string{name}, func(s *amigo.Service, _ amigo.PinFunc) error {
		if err := caller.Require(amigo.PermDeleteVersionSet, versionSetAttrs(s, name)); err != nil {
			return err
		}
		if name == amigo.VersionSetEdge || name == amigo.VersionSetRelease {
			return amigo.Errorf(amigo.EBADREQUEST, "The %s version set cannot be deleted.", name)
		}
		before, exists := s.VersionSets[name]
		if !exists {
			return amigo.Errorf(amigo.ENOTFOUND, "Version set %s not found.", name)
		}
		if err := checkIfMatch(name, exists, s.Revisions[name], ifMatch); err != nil {
			return err
		}
		delete(s.VersionSets, name)
		now := a.Now()
		revision := s.Revisions[name] + 1
		j.RecordRevision(&amigo.VersionSetRevision{
			OrgID: s.OrgID, ServiceID: s.ID, Name: name, Revision: revision, Time: now,
			Actor: amigo.ActorOf(caller), Operation: amigo.RevisionDelete,
		})
		return a.record(ctx, j, change{
			orgID: s.OrgID, operation: "delete-service-version-set", resourceType: resVersionSet, resourceID: s.ID + "/" + name,
			summary: fmt.Sprintf("Deleted version set %s (revision %d)", name, revision), before: &before,
		})
	})
	return err
}

func checkKeyterms(c *fieldErrs, body func(...any) []any, keyterms []string) {
	for i, k := range keyterms {
		c.str(body("keyterms", i), strings.TrimSpace(k), 1, maxName, keytermPattern)
	}
}

func checkTags(c *fieldErrs, body func(...any) []any, tags map[string]*string) {
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		c.str(body("tags", k), strings.TrimSpace(k), 1, maxTag, tagPattern)
		if v := tags[k]; v != nil {
			c.str(body("tags", k), strings.TrimSpace(*v), 1, maxTag, tagPattern)
		}
	}
}
