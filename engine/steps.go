package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/engine/event"
)

// action handles an action state: the model leaves it by an exit
// condition, or stays, picks an action and the agent speaks. The root
// machine's terminal state always speaks its one action and completes the
// conversation.
func (r *run) action(ctx context.Context, d *amigo.StateMachineDefinition, s *amigo.State, here Position) (bool, error) {
	a := s.Action
	if len(a.Actions) == 0 {
		return false, fmt.Errorf("%w: action state %q has no actions", ErrBadMachine, a.Name)
	}
	terminal := len(r.st.Stack) == 1 && a.Name == d.TerminalState
	choice := Choice{Exit: -1}
	if !terminal && len(a.ExitConditions) > 0 {
		req := &ChoiceRequest{Call: r.call(KindSelectNextAction, d, s), Exits: a.ExitConditions,
			Actions: a.Actions, CanStay: true, Fresh: r.moves > 0}
		c, err := r.w.Model.Choose(ctx, req)
		if err != nil {
			return false, err
		}
		choice = checkChoice(c, req)
	}
	if choice.Exit >= 0 {
		return false, r.exit(d, amigo.StateAction, here, a.ExitConditions[choice.Exit])
	}
	act := a.Actions[choice.Action]
	if err := r.emit(Event{Action: &Action{Type: event.ActionActionSelected, Text: act}}); err != nil {
		return false, err
	}
	r.out.Insights.StateName, r.out.Insights.Action, r.out.Insights.Objective = a.Name, act, a.Objective
	if err := r.engage(ctx, d, s, act); err != nil {
		return false, err
	}
	if terminal {
		r.st.Completed = true
		r.out.Completed = true
	}
	return true, nil
}

// checkChoice replaces a choice outside req by the fallback: stay with the
// first action where staying is allowed, else the first exit condition.
func checkChoice(c Choice, req *ChoiceRequest) Choice {
	switch {
	case c.Exit >= 0 && c.Exit < len(req.Exits):
		return Choice{Exit: c.Exit}
	case c.Exit == -1 && req.CanStay && c.Action >= 0 && c.Action < len(req.Actions):
		return c
	case req.CanStay:
		return Choice{Exit: -1}
	}
	return Choice{Exit: 0}
}

// engage has the model write the reply, emitting each piece as a fragment
// and an empty stop fragment at the end.
func (r *run) engage(ctx context.Context, d *amigo.StateMachineDefinition, s *amigo.State, act string) error {
	req := &EngageRequest{Call: r.call(KindEngageUser, d, s), Action: act, Inner: r.inner, First: r.t.State == nil}
	var reply strings.Builder
	seq := 0
	model, err := r.w.Model.Engage(ctx, req, func(piece string) error {
		if piece == "" {
			return nil
		}
		reply.WriteString(piece)
		seq++
		return r.emit(Event{Fragment: &Fragment{Seq: seq - 1, Text: piece}})
	})
	if err != nil {
		return err
	}
	if reply.Len() == 0 {
		return fmt.Errorf("%w in state %q", ErrEmptyReply, r.st.Current)
	}
	r.out.Reply, r.out.Model = reply.String(), model
	return r.emit(Event{Fragment: &Fragment{Seq: seq, Stop: true}})
}

// decision handles a decision state: the model picks an exit condition.
func (r *run) decision(ctx context.Context, d *amigo.StateMachineDefinition, s *amigo.State, here Position) error {
	ds := s.Decision
	if len(ds.ExitConditions) == 0 {
		return fmt.Errorf("%w: decision state %q has no exit conditions", ErrBadMachine, ds.Name)
	}
	if err := r.emit(Event{Action: &Action{Type: event.ActionDecisionStarted}}); err != nil {
		return err
	}
	req := &ChoiceRequest{Call: r.call(KindMakeDecision, d, s), Exits: ds.ExitConditions, Fresh: r.moves > 0}
	c, err := r.w.Model.Choose(ctx, req)
	if err != nil {
		return err
	}
	return r.exit(d, amigo.StateDecision, here, ds.ExitConditions[checkChoice(c, req).Exit])
}

// reflection handles a reflection state: the model reflects on the
// problem, in at most WordLimit words, as an inner thought.
func (r *run) reflection(ctx context.Context, d *amigo.StateMachineDefinition, s *amigo.State, here Position) error {
	rs := s.Reflection
	if err := r.emit(Event{Action: &Action{Type: event.ActionReflectionPrompt, Text: rs.Problem}}); err != nil {
		return err
	}
	text, err := r.w.Model.Reflect(ctx, &ReflectionRequest{Call: r.call(KindReflection, d, s), Problem: rs.Problem, WordLimit: rs.WordLimit})
	if err != nil {
		return err
	}
	text = limitWords(strings.TrimSpace(text), rs.WordLimit)
	if err := r.emit(Event{Action: &Action{Type: event.ActionReflectionGenerated, Text: text}}); err != nil {
		return err
	}
	r.out.Insights.Reflections = append(r.out.Insights.Reflections, text)
	id := r.addInnerThought(rs.Name, text)
	return r.next(d, TransitionLog{Type: amigo.StateReflection, From: here, InnerThoughtID: id}, rs.NextState)
}

// limitWords keeps the first n words of s (all when n <= 0).
func limitWords(s string, n int) string {
	if n <= 0 {
		return s
	}
	f := strings.Fields(s)
	if len(f) <= n {
		return s
	}
	return strings.Join(f[:n], " ")
}

// annotation handles an annotation state: its fixed inner thought.
func (r *run) annotation(s *amigo.State, here Position) error {
	as := s.Annotation
	if err := r.emit(Event{Action: &Action{Type: event.ActionAnnotationRetrieved, Text: as.InnerThought}}); err != nil {
		return err
	}
	id := r.addInnerThought(as.Name, as.InnerThought)
	d, _, err := r.top()
	if err != nil {
		return err
	}
	return r.next(d, TransitionLog{Type: amigo.StateAnnotation, From: here, InnerThoughtID: id}, as.NextState)
}

// recall handles a recall state: its static queries, or queries the model
// writes for its requested information, answered from the turn's
// memories.
func (r *run) recall(ctx context.Context, d *amigo.StateMachineDefinition, s *amigo.State, here Position) error {
	rs := s.Recall
	var queries []string
	if rs.Queries != nil {
		queries = *rs.Queries
		if err := r.emit(Event{Action: &Action{Type: event.ActionStaticQueries, Queries: queries}}); err != nil {
			return err
		}
	} else {
		info := ""
		if rs.RequestedInformation != nil {
			info = *rs.RequestedInformation
		}
		q, err := r.w.Model.RecallQueries(ctx, &RecallRequest{Call: r.call(KindRecallQueries, d, s), RequestedInformation: info})
		if err != nil {
			return err
		}
		queries = nonEmpty(q)
		if len(queries) == 0 {
			queries = []string{info}
		}
		if err := r.emit(Event{Action: &Action{Type: event.ActionDynamicQueries, Queries: queries, Text: info}}); err != nil {
			return err
		}
	}
	var mems []Memory
	var performed []string
	for _, q := range queries {
		mems = append(mems, Memory{Query: q, Answer: answer(q, r.t.Memories)})
		if !slices.Contains(r.st.Performed, q) {
			performed = append(performed, q)
			r.st.Performed = append(r.st.Performed, q)
		}
	}
	if n := len(r.st.Performed) - MaxPerformedQueries; n > 0 {
		r.st.Performed = r.st.Performed[n:]
	}
	if err := r.emit(Event{Action: &Action{Type: event.ActionMemoryRetrieved, Memories: mems}}); err != nil {
		return err
	}
	r.out.Insights.WorkingMemory = append(r.out.Insights.WorkingMemory, mems...)
	return r.next(d, TransitionLog{Type: amigo.StateRecall, From: here, PerformedQueries: performed}, rs.NextState)
}

// NoMemory is the answer to a recall query that no memory matches.
const NoMemory = "nothing is known about this"

// answer returns the memory line sharing the most words with q (the first
// of equals), or NoMemory.
func answer(q string, memories []string) string {
	best, score := NoMemory, 0
	qw := words(q)
	for _, m := range memories {
		if n := overlap(qw, words(m)); n > score {
			best, score = m, n
		}
	}
	return best
}

// toolCall handles a tool-call state: no tool runtime exists here, so it
// records that the designated tool was not called and moves on.
func (r *run) toolCall(s *amigo.State, here Position) error {
	ts := s.ToolCall
	tool := &ToolCall{ToolID: ts.DesignatedTool.ToolID, Version: ts.DesignatedTool.VersionConstraint, Output: NoToolRuntime}
	if err := r.emit(Event{Action: &Action{Type: event.ActionToolOutput, Tool: tool}}); err != nil {
		return err
	}
	d, _, err := r.top()
	if err != nil {
		return err
	}
	return r.next(d, TransitionLog{Type: amigo.StateToolCall, From: here, Tool: tool}, ts.NextState)
}

// nonEmpty returns the trimmed, non-empty strings of s.
func nonEmpty(s []string) []string {
	var out []string
	for _, x := range s {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
