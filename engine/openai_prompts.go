package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/openai/openai-go/v3"

	"github.com/amigo-oss/amigo-server"
)

// system writes the system prompt of every call: the agent (identity,
// background, behaviors, communication patterns), the machine's global
// guidelines, and the current state.
func system(c *Call) string {
	var b strings.Builder
	if a := c.Agent; a != nil {
		id := a.Identity
		fmt.Fprintf(&b, "You are %s", cmpOr(id.Name, "an assistant"))
		if id.Role != "" {
			fmt.Fprintf(&b, ", %s", id.Role)
		}
		if id.DevelopedBy != "" {
			fmt.Fprintf(&b, ", developed by %s", id.DevelopedBy)
		}
		b.WriteString(".\n")
		if id.DefaultSpokenLanguage != "" {
			fmt.Fprintf(&b, "Speak the language with ISO 639-3 code %q unless the user speaks another.\n", id.DefaultSpokenLanguage)
		}
		if a.Background != "" {
			fmt.Fprintf(&b, "Background: %s\n", a.Background)
		}
		list(&b, "Your behaviors", a.Behaviors)
		list(&b, "Your communication patterns", a.CommunicationPatterns)
	}
	if d := c.Machine; d != nil {
		list(&b, "Guidelines for every state: navigation", d.GlobalIntraStateNavigationGuidelines)
		list(&b, "Guidelines for every state: actions", d.GlobalActionGuidelines)
		list(&b, "Boundaries in every state", d.GlobalBoundaryConstraints)
	}
	if s := c.State; s != nil {
		fmt.Fprintf(&b, "The conversation is in the %s state %q.\n", s.Kind(), s.Name())
		switch {
		case s.Action != nil:
			a := s.Action
			fmt.Fprintf(&b, "Objective: %s\n", a.Objective)
			list(&b, "Actions", a.Actions)
			list(&b, "Navigation guidelines", a.IntraStateNavigationGuidelines)
			list(&b, "Action guidelines", a.ActionGuidelines)
			list(&b, "Boundaries", a.BoundaryConstraints)
		case s.Decision != nil:
			fmt.Fprintf(&b, "Objective: %s\n", s.Decision.Objective)
			list(&b, "Decision guidelines", s.Decision.DecisionGuidelines)
		}
	}
	return b.String()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// list writes a titled bullet list, nothing when items is empty.
func list(b *strings.Builder, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "%s:\n", title)
	for _, it := range items {
		fmt.Fprintf(b, "- %s\n", it)
	}
}

// numbered writes items numbered from 1.
func numbered(items []string) string {
	var b strings.Builder
	for i, it := range items {
		fmt.Fprintf(&b, "%d. %s\n", i+1, it)
	}
	return b.String()
}

// messages returns the chat of a call: the system prompt, the history,
// the input, and the task as the last system message.
func messages(c *Call, task string) []openai.ChatCompletionMessageParamUnion {
	msgs := []openai.ChatCompletionMessageParamUnion{openai.SystemMessage(system(c))}
	for _, m := range c.History {
		msgs = append(msgs, chatMessage(m.Type, m.Text))
	}
	switch c.Input.Kind {
	case InputMessage:
		msgs = append(msgs, openai.UserMessage(c.Input.Message))
	case InputExternalEvents:
		for _, e := range c.Input.Events {
			msgs = append(msgs, chatMessage(MessageExternal, e.At.UTC().Format("2006-01-02T15:04:05Z")+" "+e.Text))
		}
	case InputSkip:
		msgs = append(msgs, openai.SystemMessage("The user passed their turn without saying anything."))
	}
	return append(msgs, openai.SystemMessage(task))
}

func chatMessage(typ, text string) openai.ChatCompletionMessageParamUnion {
	switch typ {
	case MessageAgent:
		return openai.AssistantMessage(text)
	case MessageInnerThought:
		return openai.SystemMessage("Your inner thought (not shown to the user): " + text)
	case MessageExternal:
		return openai.SystemMessage("External event: " + text)
	}
	return openai.UserMessage(text)
}

// Choose asks for {"exit": n, "action": m}: n numbers an exit condition
// from 1, 0 stays (action states only) with action m.
func (m *OpenAIModel) Choose(ctx context.Context, c *ChoiceRequest) (Choice, error) {
	descs := make([]string, len(c.Exits))
	for i, ec := range c.Exits {
		descs[i] = ec.Description
	}
	task := "Decide whether one of these exit conditions is met by the conversation so far:\n" + numbered(descs)
	if c.CanStay {
		task += "If none is met, stay in the state and pick the action to take next from:\n" + numbered(c.Actions) +
			`Answer with only a JSON object {"exit": N, "action": M}: N is the number of the exit condition met, or 0 to stay; M is the number of the action when N is 0, else 0.`
	} else {
		task += `Pick the exit condition that fits best. Answer with only a JSON object {"exit": N, "action": 0}: N is its number.`
	}
	var got Choice
	ok, err := m.askJSON(ctx, c.LLM, messages(&c.Call, task), func(s string) error {
		var v struct {
			Exit   *int `json:"exit"`
			Action *int `json:"action"`
		}
		if err := decodeStrict(s, &v); err != nil {
			return err
		}
		switch {
		case v.Exit == nil || v.Action == nil:
			return fmt.Errorf(`"exit" and "action" are both required`)
		case *v.Exit >= 1 && *v.Exit <= len(c.Exits):
			got = Choice{Exit: *v.Exit - 1}
		case *v.Exit == 0 && c.CanStay && *v.Action >= 1 && *v.Action <= len(c.Actions):
			got = Choice{Exit: -1, Action: *v.Action - 1}
		default:
			return fmt.Errorf("exit %d with action %d is not one of the choices", *v.Exit, *v.Action)
		}
		return nil
	})
	if err != nil || ok {
		return got, err
	}
	return Builtin{}.Choose(ctx, c)
}

// Reflect asks for the reflection as plain text.
func (m *OpenAIModel) Reflect(ctx context.Context, r *ReflectionRequest) (string, error) {
	task := fmt.Sprintf("Reflect, as an inner thought the user will not see, on this problem: %s\nUse at most %d words.", r.Problem, max(r.WordLimit, 1))
	return m.complete(ctx, r.LLM, messages(&r.Call, task))
}

// RecallQueries asks for {"queries": [...]}.
func (m *OpenAIModel) RecallQueries(ctx context.Context, r *RecallRequest) ([]string, error) {
	task := "Write up to three short search queries over what is remembered about the user that would find this information: " +
		r.RequestedInformation + `
Answer with only a JSON object {"queries": ["...", ...]}.`
	var got []string
	ok, err := m.askJSON(ctx, r.LLM, messages(&r.Call, task), func(s string) error {
		var v struct {
			Queries []string `json:"queries"`
		}
		if err := decodeStrict(s, &v); err != nil {
			return err
		}
		if got = nonEmpty(v.Queries); len(got) == 0 {
			return fmt.Errorf(`"queries" is empty`)
		}
		return nil
	})
	if err != nil || ok {
		return got, err
	}
	return Builtin{}.RecallQueries(ctx, r)
}

// Engage streams the reply.
func (m *OpenAIModel) Engage(ctx context.Context, e *EngageRequest, emit func(string) error) (string, error) {
	task := "Take this action now, speaking to the user: " + e.Action
	if len(e.Inner) > 0 {
		task += "\nYour inner thoughts in this turn:\n" + numbered(e.Inner)
	}
	if e.First {
		task += "\nThis is your first message in the conversation."
	}
	task += "\nWrite only your message to the user."
	return m.stream(ctx, e.LLM, messages(&e.Call, task), emit)
}

// Recommend asks for {"responses": [...]}.
func (m *OpenAIModel) Recommend(ctx context.Context, r *RecommendRequest) ([]string, error) {
	task := "Suggest up to five short replies the user could send next, written as the user.\nContext about the user:\n" + r.Context +
		"\n" + `Answer with only a JSON object {"responses": ["...", ...]}.`
	var got []string
	ok, err := m.askJSON(ctx, r.LLM, messages(&r.Call, task), func(s string) error {
		var v struct {
			Responses []string `json:"responses"`
		}
		if err := decodeStrict(s, &v); err != nil {
			return err
		}
		if got = nonEmpty(v.Responses); len(got) == 0 {
			return fmt.Errorf(`"responses" is empty`)
		}
		return nil
	})
	if err != nil || ok {
		return got, err
	}
	return Builtin{}.Recommend(ctx, r)
}

// Starters asks for {"starters": [{"prompt", "facets"}]}.
func (m *OpenAIModel) Starters(ctx context.Context, r *StarterRequest) ([]Starter, error) {
	c := &Call{Agent: r.Agent}
	task := fmt.Sprintf("Write between %d and %d conversation starters a user could send to you, each about some of these facets:\n%s"+
		"Instructions: %s\n"+`Answer with only a JSON object {"starters": [{"prompt": "...", "facets": ["..."]}, ...]}.`,
		r.MinCount, r.MaxCount, numbered(r.Facets), r.Instructions)
	var got []Starter
	ok, err := m.askJSON(ctx, r.LLM, messages(c, task), func(s string) error {
		var v struct {
			Starters []struct {
				Prompt string   `json:"prompt"`
				Facets []string `json:"facets"`
			} `json:"starters"`
		}
		if err := decodeStrict(s, &v); err != nil {
			return err
		}
		got = got[:0]
		for _, st := range v.Starters {
			got = append(got, Starter{Prompt: st.Prompt, Facets: st.Facets})
		}
		if len(got) < r.MinCount {
			return fmt.Errorf("%d starters, fewer than %d", len(got), r.MinCount)
		}
		return nil
	})
	if err != nil || ok {
		return got, err
	}
	return Builtin{}.Starters(ctx, r)
}

// UserModel asks for {"content", "dimensions": [{"description", "tags"}]}.
func (m *OpenAIModel) UserModel(ctx context.Context, r *UserModelRequest) (*UserModel, error) {
	c := &Call{Agent: r.Agent, History: r.Conversation}
	prior := "(none)"
	if r.Prior != nil {
		prior = r.Prior.Content
		for _, d := range r.Prior.Dimensions {
			prior += fmt.Sprintf("\n- %s: %s", d.Description, strings.Join(d.Tags, ", "))
		}
	}
	task := "Update what is known about the user with the conversation above. What was known before:\n" + prior + "\n"
	if len(r.Dimensions) > 0 {
		task += "The organization wants these dimensions of its users known, each with the tags it may be given; give a dimension only tags from its list:"
		for _, d := range r.Dimensions {
			task += fmt.Sprintf("\n- %s: %s", d.Description, strings.Join(d.Tags, ", "))
		}
		task += "\n"
	}
	task +=
		`Answer with only a JSON object {"content": "...", "dimensions": [{"description": "...", "tags": ["..."]}]}.`
	var got *UserModel
	ok, err := m.askJSON(ctx, r.LLM, messages(c, task), func(s string) error {
		var v struct {
			Content    *string `json:"content"`
			Dimensions []struct {
				Description string   `json:"description"`
				Tags        []string `json:"tags"`
			} `json:"dimensions"`
		}
		if err := decodeStrict(s, &v); err != nil {
			return err
		}
		if v.Content == nil {
			return fmt.Errorf(`"content" is required`)
		}
		got = &UserModel{Content: *v.Content}
		for _, d := range v.Dimensions {
			got.Dimensions = append(got.Dimensions, amigo.UserDimension{Description: d.Description, Tags: nonNilStrings(d.Tags)})
		}
		return nil
	})
	if err != nil || ok {
		return got, err
	}
	return Builtin{}.UserModel(ctx, r)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
