package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// BuiltinName is the model name Outcome.Model reports for Builtin.
const BuiltinName = "builtin"

// Builtin is the built-in model: offline, without configuration, and
// deterministic — the same requests get the same answers on every machine,
// as it reads no clock, no randomness and no map order. Its rules are in
// docs/conversations.md, "The built-in model"; the doc comment of each
// method states them too.
type Builtin struct{}

var _ Model = Builtin{}

// builtinPieceWords is how many words each streamed piece holds.
const builtinPieceWords = 3

// Choose leaves by the exit condition whose description shares the most
// words with the input (see words and match; the earliest exit condition
// wins a tie). An action state stays when it was entered in this
// interaction, when the input is empty, or when no exit condition shares a
// word; it then picks the action numbered (agent messages in the history)
// modulo (number of actions). A decision state with no sharing exit
// condition takes the first.
func (Builtin) Choose(ctx context.Context, c *ChoiceRequest) (Choice, error) {
	stay := Choice{Exit: -1, Action: agentMessages(c.History) % max(len(c.Actions), 1)}
	in := words(c.Input.Text())
	if c.CanStay && (c.Fresh || len(in) == 0) {
		return stay, nil
	}
	best, score := -1, 0
	for i, ec := range c.Exits {
		if n := overlap(in, words(ec.Description)); n > score {
			best, score = i, n
		}
	}
	switch {
	case best >= 0:
		return Choice{Exit: best}, nil
	case c.CanStay:
		return stay, nil
	}
	return Choice{Exit: 0}, nil
}

func agentMessages(h []Message) int {
	n := 0
	for _, m := range h {
		if m.Type == MessageAgent {
			n++
		}
	}
	return n
}

// Reflect writes "Considering "<problem>": the user said "<input>"." (or
// "the user has said nothing yet" without input); the walker cuts it to
// the state's word limit.
func (Builtin) Reflect(ctx context.Context, r *ReflectionRequest) (string, error) {
	said := "the user has said nothing yet"
	if in := strings.TrimSpace(r.Input.Text()); in != "" {
		said = fmt.Sprintf("the user said %q", clip(in, 30))
	}
	return fmt.Sprintf("Considering %q: %s.", r.Problem, said), nil
}

// RecallQueries asks the requested information itself, as one query.
func (Builtin) RecallQueries(ctx context.Context, r *RecallRequest) ([]string, error) {
	return []string{r.RequestedInformation}, nil
}

// Engage replies with, in order: on the agent's first message, "Hello, I'm
// <identity name>, <role>."; when the input is a user message, "You said:
// "<message, at most 30 words>"."; then the chosen action as a sentence.
// It streams the reply in pieces of three words, each but the last ending
// in the space that follows it. Behaviors, background and communication
// patterns are not interpreted: they reach real models only.
func (Builtin) Engage(ctx context.Context, e *EngageRequest, emit func(string) error) (string, error) {
	var parts []string
	if e.First {
		id := e.Agent.Identity
		hello := "Hello, I'm " + cmp.Or(id.Name, "your agent")
		if id.Role != "" {
			hello += ", " + id.Role
		}
		parts = append(parts, sentence(hello))
	}
	if e.Input.Kind == InputMessage && strings.TrimSpace(e.Input.Message) != "" {
		parts = append(parts, fmt.Sprintf("You said: %q.", clip(e.Input.Message, 30)))
	}
	parts = append(parts, sentence(e.Action))
	f := strings.Fields(strings.Join(parts, " "))
	for i := 0; i < len(f); i += builtinPieceWords {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		piece := strings.Join(f[i:min(i+builtinPieceWords, len(f))], " ")
		if i+builtinPieceWords < len(f) {
			piece += " "
		}
		if err := emit(piece); err != nil {
			return "", err
		}
	}
	return BuiltinName, nil
}

// Recommend suggests the descriptions of the current state's exit
// conditions, in order, at most five; a state without any (the terminal
// state) gets "Thank you.".
func (Builtin) Recommend(ctx context.Context, r *RecommendRequest) ([]string, error) {
	var out []string
	if r.State != nil {
		var ecs []string
		switch {
		case r.State.Action != nil:
			for _, ec := range r.State.Action.ExitConditions {
				ecs = append(ecs, ec.Description)
			}
		case r.State.Decision != nil:
			for _, ec := range r.State.Decision.ExitConditions {
				ecs = append(ecs, ec.Description)
			}
		}
		for _, d := range ecs {
			if len(out) < 5 && !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	if len(out) == 0 {
		out = []string{"Thank you."}
	}
	return out, nil
}

// starterTemplates are the built-in model's starters, used in turn.
var starterTemplates = []string{"Tell me about %s.", "What should I know about %s?", "Can you help me with %s?"}

// Starters writes MinCount starters: starter i is about facet i modulo
// the number of facets, in template i / (number of facets) modulo 3 of
// "Tell me about F.", "What should I know about F?", "Can you help me with
// F?".
func (Builtin) Starters(ctx context.Context, r *StarterRequest) ([]Starter, error) {
	if len(r.Facets) == 0 {
		return nil, nil
	}
	out := make([]Starter, 0, r.MinCount)
	for i := range r.MinCount {
		f := r.Facets[i%len(r.Facets)]
		t := starterTemplates[i/len(r.Facets)%len(starterTemplates)]
		out = append(out, Starter{Prompt: fmt.Sprintf(t, f), Facets: []string{f}})
	}
	return out, nil
}

// Built-in user model bounds.
const (
	userModelTopics = 5  // topics taken from one conversation
	userModelTags   = 20 // tags kept in the topics dimension
	userModelLines  = 10 // lines kept in the content
)

// TopicsDimension is the description of the user-model dimension where
// the built-in model keeps the user's topics.
const TopicsDimension = "Topics the user has raised"

// UserModel adds the conversation's topics — the five words of four or
// more letters the user wrote most often (ties alphabetical) — as the line
// "Talked about: a, b, c." to the content (the last ten lines are kept)
// and to the tags of the "Topics the user has raised" dimension (the last
// twenty distinct tags are kept). Each of the organization's dimensions
// gains those of its tags the user mentioned: every word of the tag
// matches a word the user wrote (match). The prior's other dimensions are
// kept.
func (Builtin) UserModel(ctx context.Context, r *UserModelRequest) (*UserModel, error) {
	count := map[string]int{}
	var seen, said []string
	for _, m := range r.Conversation {
		if m.Type != MessageUser {
			continue
		}
		for _, w := range words(m.Text) {
			said = append(said, w)
			if len([]rune(w)) < 4 {
				continue
			}
			if count[w] == 0 {
				seen = append(seen, w)
			}
			count[w]++
		}
	}
	slices.SortFunc(seen, func(a, b string) int { return cmp.Or(cmp.Compare(count[b], count[a]), cmp.Compare(a, b)) })
	topics := seen[:min(len(seen), userModelTopics)]
	line := "Had a conversation without saying anything of substance."
	if len(topics) > 0 {
		line = "Talked about: " + strings.Join(topics, ", ") + "."
	}
	um := &UserModel{}
	var lines, tags []string
	if r.Prior != nil {
		lines = nonEmpty(strings.Split(r.Prior.Content, "\n"))
		for _, d := range r.Prior.Dimensions {
			if d.Description == TopicsDimension {
				tags = append(tags, d.Tags...)
			} else {
				um.Dimensions = append(um.Dimensions, amigo.UserDimension{Description: d.Description, Tags: slices.Clone(d.Tags)})
			}
		}
	}
	lines = append(lines, line)
	um.Content = strings.Join(lines[max(0, len(lines)-userModelLines):], "\n")
	for _, t := range topics {
		tags = slices.DeleteFunc(tags, func(x string) bool { return x == t })
		tags = append(tags, t)
	}
	for _, d := range r.Dimensions {
		mentioned := slices.DeleteFunc(slices.Clone(d.Tags), func(tag string) bool { return !mentions(said, tag) })
		if len(mentioned) == 0 {
			continue
		}
		i := slices.IndexFunc(um.Dimensions, func(p amigo.UserDimension) bool { return p.Description == d.Description })
		if i < 0 {
			um.Dimensions = append(um.Dimensions, amigo.UserDimension{Description: d.Description})
			i = len(um.Dimensions) - 1
		}
		got := um.Dimensions[i].Tags
		for _, t := range mentioned {
			got = append(slices.DeleteFunc(got, func(x string) bool { return x == t }), t)
		}
		um.Dimensions[i].Tags = got[max(0, len(got)-userModelTags):]
	}
	um.Dimensions = append(um.Dimensions, amigo.UserDimension{Description: TopicsDimension, Tags: append([]string{}, tags[max(0, len(tags)-userModelTags):]...)})
	return um, nil
}

// mentions reports whether every word of tag matches one of said.
func mentions(said []string, tag string) bool {
	ws := words(tag)
	return len(ws) > 0 && !slices.ContainsFunc(ws, func(w string) bool {
		return !slices.ContainsFunc(said, func(s string) bool { return match(w, s) })
	})
}

// sentence returns s trimmed, with an upper-case first letter and a final
// full stop unless it ends in punctuation.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r := []rune(s)
	if r[0] >= 'a' && r[0] <= 'z' {
		r[0] -= 'a' - 'A'
	}
	if !strings.ContainsRune(".!?", r[len(r)-1]) {
		r = append(r, '.')
	}
	return string(r)
}

// clip returns the first n words of s, with "…" when it cut.
func clip(s string, n int) string {
	f := strings.Fields(s)
	if len(f) <= n {
		return strings.Join(f, " ")
	}
	return strings.Join(f[:n], " ") + "…"
}
