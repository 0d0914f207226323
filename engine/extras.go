package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// MaxMachines bounds the state machine versions Resolve collects.
const MaxMachines = 64

// Resolve returns the versions root's references pin, and theirs in turn,
// keyed as Turn.References wants them, fetching each once with fetch. It
// visits references in name order so that fetch sees the same calls on
// every run. More than MaxMachines versions is ErrBadMachine; fetch's
// error is returned wrapped.
func Resolve(ctx context.Context, root *amigo.StateMachineVersion,
	fetch func(ctx context.Context, ref amigo.Reference) (*amigo.StateMachineVersion, error)) (map[amigo.Reference]*amigo.StateMachineVersion, error) {
	out := map[amigo.Reference]*amigo.StateMachineVersion{}
	self := amigo.Reference{MachineID: root.MachineID, Version: root.Version}
	queue := []*amigo.StateMachineVersion{root}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		names := make([]string, 0, len(v.Definition.References))
		for name := range v.Definition.References {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			ref := v.Definition.References[name]
			if _, ok := out[ref]; ok || ref == self {
				continue
			}
			if len(out) >= MaxMachines {
				return nil, fmt.Errorf("%w: more than %d referenced state machine versions", ErrBadMachine, MaxMachines)
			}
			got, err := fetch(ctx, ref)
			if err != nil {
				return nil, fmt.Errorf("engine: reference %q (version %d of state machine %s): %w", name, ref.Version, ref.MachineID, err)
			}
			out[ref] = got
			queue = append(queue, got)
		}
	}
	return out, nil
}

// MaxRecommendations bounds what Recommend returns.
const MaxRecommendations = 10

// Recommend asks the model for responses the user could give in the
// conversation as t describes it after an interaction (t.State and
// t.History set, t.Input unused). It returns at most MaxRecommendations
// distinct non-empty responses.
func (w *Walker) Recommend(ctx context.Context, t Turn, context string) ([]string, error) {
	if t.Agent == nil || t.Machine == nil || t.State == nil || len(t.State.Stack) == 0 {
		return nil, fmt.Errorf("%w: recommending needs an agent, a machine and a conversation state", ErrBadMachine)
	}
	r := &run{w: w, t: &t, st: t.State, hist: t.History}
	if n := w.maxHistory(); len(r.hist) > n {
		r.hist = r.hist[len(r.hist)-n:]
	}
	r.t.Input = Input{}
	d, _, err := r.top()
	if err != nil {
		return nil, err
	}
	got, err := w.Model.Recommend(ctx, &RecommendRequest{Call: r.call(KindRecommend, d, findState(d, t.State.Current)), Context: context})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range nonEmpty(got) {
		if len(out) < MaxRecommendations && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// ErrBadStarterRequest is returned by Starters for counts outside 1..10 or
// min above max, and for no facets.
var ErrBadStarterRequest = errors.New("engine: bad conversation starter request")

// Starters asks the model for conversation starters: between r.MinCount
// and r.MaxCount of them (a model that writes more is cut at MaxCount;
// fewer than MinCount is an error), each with non-empty prompt and facets
// among r.Facets.
func (w *Walker) Starters(ctx context.Context, agent *amigo.AgentVersion, prefs map[string]amigo.LLMConfig, r StarterRequest) ([]Starter, error) {
	if r.MinCount < 1 || r.MaxCount > 10 || r.MinCount > r.MaxCount || len(r.Facets) == 0 {
		return nil, fmt.Errorf("%w: min_count %d, max_count %d, %d facets", ErrBadStarterRequest, r.MinCount, r.MaxCount, len(r.Facets))
	}
	if agent != nil {
		r.Agent = &agent.Definition
	}
	r.LLM = preference(prefs, KindStarters)
	got, err := w.Model.Starters(ctx, &r)
	if err != nil {
		return nil, err
	}
	var out []Starter
	for _, s := range got {
		s.Prompt = strings.TrimSpace(s.Prompt)
		s.Facets = slices.DeleteFunc(slices.Clone(s.Facets), func(f string) bool { return !slices.Contains(r.Facets, f) })
		if s.Prompt == "" || len(out) == r.MaxCount {
			continue
		}
		if len(s.Facets) == 0 {
			s.Facets = []string{r.Facets[len(out)%len(r.Facets)]}
		}
		out = append(out, s)
	}
	if len(out) < r.MinCount {
		return nil, fmt.Errorf("engine: the model wrote %d conversation starters, fewer than the %d asked", len(out), r.MinCount)
	}
	return out, nil
}

// UserModel asks the model for the user's model updated with a finished
// conversation (its messages, oldest first; at most MaxHistory of the most
// recent are shown), along the organization's user dimensions. prior is
// nil for a user without a model.
func (w *Walker) UserModel(ctx context.Context, agent *amigo.AgentVersion, prefs map[string]amigo.LLMConfig, dims []amigo.UserDimension, prior *UserModel, conversation []Message) (*UserModel, error) {
	if n := w.maxHistory(); len(conversation) > n {
		conversation = conversation[len(conversation)-n:]
	}
	req := &UserModelRequest{LLM: preference(prefs, KindUserModel), Prior: prior, Conversation: conversation, Dimensions: dims}
	if agent != nil {
		req.Agent = &agent.Definition
	}
	um, err := w.Model.UserModel(ctx, req)
	if err != nil {
		return nil, err
	}
	if um == nil {
		return nil, errors.New("engine: the model wrote no user model")
	}
	return um, nil
}
