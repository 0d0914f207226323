package core

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// Patterns of the spec's StateOrRefName, ExternalStateName and resource ids.
var (
	stateNamePattern     = specPattern{`^[A-Za-z0-9_]+$`, isWord}
	externalStatePattern = specPattern{`^[A-Za-z0-9_]+\.[A-Za-z0-9_]+$`, func(s string) bool {
		ref, state, ok := strings.Cut(s, ".")
		return ok && isWord(ref) && isWord(state)
	}}
	resourceIDPattern = specPattern{`^[a-f0-9]{24}$`, isResourceID}
)

// isWord reports whether s is a non-empty run of [A-Za-z0-9_].
func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; !(c >= 'a' && c <= 'z' || s[i] >= '0' && s[i] <= '9' || s[i] == '_') {
			return false
		}
	}
	return s != ""
}

// isResourceID reports whether s is 24 lower-case hex digits, like amigo.IsID
// without a regular expression.
func isResourceID(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return len(s) == 24
}

var resultPersistences = []string{amigo.ResultEphemeral, amigo.ResultPersistedPreferred, amigo.ResultPersisted}

// ValidateStateMachineVersion checks a
// create-service-hierarchical-state-machine-version body: the schema of
// every field, decoding problems included, and every rule of the
// operation's description. It returns one EINVALID error listing every
// violation, each located down to the offending element and, below
// "states", naming the state. It also returns the distinct ids of the
// referenced state machines, sorted; checking that they exist and are not
// deprecated (400 otherwise) is the caller's job. It strips the request's
// strings in place, as the spec's models do.
func ValidateStateMachineVersion(req *StateMachineVersionInput) ([]string, error) {
	v := &smCheck{d: &req.Definition, names: make(map[string]int, len(req.Definition.States)), current: -1}
	v.f.subject = v.currentSubject
	v.f.decoded(req.Malformed, v.subjectAt)
	v.unnamed = v.f.reported[locKey([]any{"states"})]
	for i := range v.d.States {
		name := v.d.States[i].Name()
		if _, dup := v.names[name]; !dup && isWord(name) {
			v.names[name] = i
		}
		v.unnamed = v.unnamed || v.d.States[i].Kind() == ""
	}

	body := []any(nil)
	v.f.text(body, "description", &v.d.Description, 0)
	for i := range v.d.States {
		v.state(i)
	}
	v.entryState("new_user_initial_state", v.d.NewUserInitialState)
	v.entryState("returning_user_initial_state", v.d.ReturningUserInitialState)
	v.entryState("terminal_state", v.d.TerminalState)
	v.references()
	v.f.texts(body, "global_intra_state_navigation_guidelines", v.d.GlobalIntraStateNavigationGuidelines, 0, 0)
	v.f.texts(body, "global_action_guidelines", v.d.GlobalActionGuidelines, 0, 0)
	v.f.texts(body, "global_boundary_constraints", v.d.GlobalBoundaryConstraints, 0, 0)

	var ids []string
	for _, r := range v.d.References {
		if isResourceID(r.MachineID) {
			ids = append(ids, r.MachineID)
		}
	}
	slices.Sort(ids)
	slices.SortStableFunc(v.f.errs, func(a, b amigo.FieldError) int {
		fa, ia := smErrorPlace(a.Loc)
		fb, ib := smErrorPlace(b.Loc)
		return cmp.Or(cmp.Compare(fa, fb), cmp.Compare(ia, ib))
	})
	return slices.Compact(ids), v.f.err()
}

// smFields lists the body's fields in the spec's order.
var smFields = []string{
	"description", "states", "new_user_initial_state", "returning_user_initial_state", "terminal_state",
	"references", "global_intra_state_navigation_guidelines", "global_action_guidelines", "global_boundary_constraints",
}

// smErrorPlace orders violations by the body field, then the state they
// concern, so that decoding and rule violations of a state read together.
func smErrorPlace(loc []any) (field, index int) {
	if len(loc) > 0 {
		field = slices.Index(smFields, fmt.Sprint(loc[0]))
	}
	if len(loc) > 1 {
		if i, ok := loc[1].(int); ok {
			index = i
		}
	}
	return field, index
}

// smCheck validates one state machine definition.
type smCheck struct {
	f fieldErrs
	d *amigo.StateMachineDefinition
	// names maps each well-formed state name to the index of its first
	// state.
	names map[string]int
	// unnamed is set when some state, or the list, could not be decoded: a
	// name that is not found may be that state's, so "no such state" is not
	// reported.
	unnamed bool
	// current is the index of the state being checked, or -1.
	current int
	// specifiers caches version constraints already checked: machines
	// repeat the same few.
	specifiers map[string]bool
}

// subjectAt names the state a location below "states" belongs to.
func (v *smCheck) subjectAt(loc []any) string {
	if len(loc) >= 2 && loc[0] == "states" {
		if i, ok := loc[1].(int); ok && i < len(v.d.States) {
			return v.stateSubject(i)
		}
	}
	return ""
}

// currentSubject names the state being checked, if any.
func (v *smCheck) currentSubject() string {
	if v.current < 0 {
		return ""
	}
	return v.stateSubject(v.current)
}

func (v *smCheck) stateSubject(i int) string {
	if name := v.d.States[i].Name(); name != "" {
		return fmt.Sprintf("State %q: ", name)
	}
	return fmt.Sprintf("State at index %d: ", i)
}

// state checks the state at index i; messages name it.
func (v *smCheck) state(i int) {
	s := &v.d.States[i]
	if s.Kind() == "" {
		return // undecodable; already reported
	}
	loc := []any{"states", i}
	v.current = i
	defer func() { v.current = -1 }()
	name := s.Name()
	if v.f.match(loc, "name", name, stateNamePattern) && v.names[name] != i {
		v.f.invalid(loc, "name", "the name is already used by the state at index %d", v.names[name])
	}
	switch {
	case s.Action != nil:
		v.action(loc, i, s.Action)
	case s.Decision != nil:
		d := s.Decision
		v.exitConditions(loc, name, d.ExitConditions)
		v.f.texts(loc, "decision_guidelines", d.DecisionGuidelines, 0, 0)
		v.f.text(loc, "objective", &d.Objective, 0)
		v.toolSpecs(loc, "tool_call_specs", d.ToolCallSpecs)
		v.f.texts(loc, "audio_fillers", d.AudioFillers, 0, 5)
		v.f.interval(loc, "audio_filler_triggered_after", d.AudioFillerTriggeredAfter, 0, 10)
	case s.Recall != nil:
		v.recall(loc, s.Recall)
	case s.Annotation != nil:
		v.f.text(loc, "inner_thought", &s.Annotation.InnerThought, 0)
		v.nextState(loc, "next_state", name, &s.Annotation.NextState)
	case s.Reflection != nil:
		r := s.Reflection
		v.f.text(loc, "problem", &r.Problem, 0)
		v.f.positive(loc, "word_limit", r.WordLimit)
		v.nextState(loc, "next_state", name, &r.NextState)
		v.toolSpecs(loc, "tool_call_specs", r.ToolCallSpecs)
		v.f.texts(loc, "audio_fillers", r.AudioFillers, 0, 5)
		v.f.interval(loc, "audio_filler_triggered_after", r.AudioFillerTriggeredAfter, 0, 10)
	case s.ToolCall != nil:
		v.toolCall(loc, s.ToolCall)
	}
}

func (v *smCheck) action(loc []any, i int, s *amigo.ActionState) {
	v.f.text(loc, "objective", &s.Objective, 0)
	v.f.texts(loc, "actions", s.Actions, 1, 0)
	v.f.texts(loc, "intra_state_navigation_guidelines", s.IntraStateNavigationGuidelines, 0, 0)
	v.f.texts(loc, "action_guidelines", s.ActionGuidelines, 0, 0)
	v.f.texts(loc, "boundary_constraints", s.BoundaryConstraints, 0, 0)
	v.exitConditions(loc, s.Name, s.ExitConditions)
	v.toolSpecs(loc, "action_tool_call_specs", s.ActionToolCallSpecs)
	v.toolSpecs(loc, "exit_condition_tool_call_specs", s.ExitConditionToolCallSpecs)
	if s.Name != v.d.TerminalState || v.names[s.Name] != i {
		return
	}
	if n := len(s.ExitConditions); n > 0 {
		v.f.invalid(loc, "exit_conditions", "the terminal state cannot have exit conditions, but has %d", n)
	}
	if n := len(s.Actions); n > 1 { // none is reported by the actions check
		v.f.invalid(loc, "actions", "the terminal state must have exactly one action, not %d", n)
	}
}

func (v *smCheck) recall(loc []any, s *amigo.RecallState) {
	if s.Queries != nil {
		v.f.items(loc, "queries", len(*s.Queries), 1, 0)
	}
	if s.RequestedInformation != nil {
		v.f.text(loc, "requested_information", s.RequestedInformation, 0)
	}
	if !v.f.broken(join(loc, "queries")) && !v.f.broken(join(loc, "requested_information")) {
		if s.Queries == nil && s.RequestedInformation == nil {
			v.f.invalid(loc, nil, "one of queries and requested_information must be set")
		} else if s.Queries != nil && s.RequestedInformation != nil {
			v.f.invalid(loc, nil, "queries and requested_information cannot both be set")
		}
	}
	v.nextState(loc, "next_state", s.Name, &s.NextState)
}

func (v *smCheck) toolCall(loc []any, s *amigo.ToolCallState) {
	v.nextState(loc, "next_state", s.Name, &s.NextState)
	v.toolSpec(join(loc, "designated_tool"), &s.DesignatedTool)
	v.f.texts(loc, "designated_tool_call_params_generation_audio_fillers", s.DesignatedToolCallParamsGenerationAudioFillers, 0, 5)
	v.f.interval(loc, "designated_tool_call_params_generation_audio_filler_triggered_after", s.DesignatedToolCallParamsGenerationAudioFillerTriggeredAfter, 0, 10)
	v.f.text(loc, "designated_tool_call_objective", &s.DesignatedToolCallObjective, 0)
	v.f.text(loc, "designated_tool_call_context", &s.DesignatedToolCallContext, 0)
	v.f.texts(loc, "designated_tool_call_guidances", s.DesignatedToolCallGuidances, 0, 0)
	v.f.texts(loc, "designated_tool_call_validations", s.DesignatedToolCallValidations, 0, 0)
	v.toolSpecs(loc, "tool_call_specs", s.ToolCallSpecs)
}

// exitConditions checks the exit conditions of the state named from.
func (v *smCheck) exitConditions(loc []any, from string, ecs []amigo.ExitCondition) {
	for j := range ecs {
		l := join(loc, "exit_conditions", j)
		v.f.text(l, "description", &ecs[j].Description, 0)
		v.nextState(l, "next_state", from, &ecs[j].NextState)
	}
}

// nextState checks where the state named from leads: another state of this
// machine, or a state of a referenced machine and a jumpback state of this
// one.
func (v *smCheck) nextState(loc []any, key string, from string, n *amigo.NextState) {
	if !n.External {
		if v.f.match(loc, key, n.Name, stateNamePattern) {
			if _, ok := v.names[n.Name]; !ok && !v.unnamed {
				v.f.invalid(loc, key, "next state %q is not a state of this machine", n.Name)
			} else if n.Name == from {
				v.f.invalid(loc, key, "next state %q cannot be the state itself", n.Name)
			}
		}
		return
	}
	loc = join(loc, key)
	if v.f.match(loc, 0, n.Name, externalStatePattern) {
		ref, _, _ := strings.Cut(n.Name, ".")
		if _, ok := v.d.References[ref]; !ok {
			v.f.invalid(loc, 0, "external state %q names reference %q, which is not a key of references", n.Name, ref)
		}
	}
	if v.f.match(loc, 1, n.Jumpback, stateNamePattern) {
		if _, ok := v.names[n.Jumpback]; !ok && !v.unnamed {
			v.f.invalid(loc, 1, "jumpback state %q is not a state of this machine", n.Jumpback)
		}
	}
}

func (v *smCheck) toolSpecs(loc []any, key string, specs []amigo.ToolCallSpec) {
	for j := range specs {
		v.toolSpec(join(loc, key, j), &specs[j])
	}
}

// toolSpec checks the form of a tool call spec. Whether the tool exists is
// not checked: there is no tool registry yet.
func (v *smCheck) toolSpec(loc []any, t *amigo.ToolCallSpec) {
	v.f.match(loc, "tool_id", t.ToolID, resourceIDPattern)
	ok, seen := v.specifiers[t.VersionConstraint]
	if !seen {
		ok = isVersionSpecifierSet(t.VersionConstraint)
		if v.specifiers == nil {
			v.specifiers = make(map[string]bool)
		}
		v.specifiers[t.VersionConstraint] = ok
	}
	if !ok {
		v.f.invalid(loc, "version_constraint", "version constraint %q is not a valid version specifier such as '>=1.0,<2'", t.VersionConstraint)
	}
	v.f.text(loc, "additional_instruction", &t.AdditionalInstruction, 0)
	v.f.texts(loc, "audio_fillers", t.AudioFillers, 0, 5)
	v.f.interval(loc, "audio_filler_triggered_after", t.AudioFillerTriggeredAfter, 0, 10)
	v.f.enum(loc, "result_persistence", t.ResultPersistence, resultPersistences...)
}

// entryState checks one of the three top-level state names: it must name
// an internal action state.
func (v *smCheck) entryState(field, name string) {
	body := []any(nil)
	if externalStatePattern.match(name) {
		v.f.invalid(body, field, "%s %q must be a state of this machine, not of a referenced one", field, name)
		return
	} else if !v.f.match(body, field, name, stateNamePattern) {
		return
	}
	i, ok := v.names[name]
	if !ok {
		if !v.unnamed {
			v.f.invalid(body, field, "%s %q is not a state of this machine", field, name)
		}
	} else if s := &v.d.States[i]; s.Action == nil {
		v.f.invalid(body, field, "%s %q must be an action state, not a %s state", field, name, s.Kind())
	}
}

func (v *smCheck) references() {
	for _, name := range slices.Sorted(maps.Keys(v.d.References)) {
		loc := []any{"references", name}
		v.f.match(loc, "[key]", name, stateNamePattern)
		v.f.match(loc, 0, v.d.References[name].MachineID, resourceIDPattern)
	}
}
