package engine_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/engine"
	"github.com/amigo-oss/amigo-server/engine/event"
)

func fixtureTurn(input engine.Input, state *engine.State) engine.Turn {
	return engine.Turn{Agent: agent(), Machine: intake(), References: map[amigo.Reference]*amigo.StateMachineVersion{schedRef: sched()},
		State: state, Input: input}
}

func discard(engine.Event) error { return nil }

// TestCycleIsBounded: a machine whose non-action states cycle stops with
// ErrTooManySteps after MaxSteps states instead of spinning.
func TestCycleIsBounded(t *testing.T) {
	m := intake()
	for i := range m.Definition.States {
		if s := m.Definition.States[i].Annotation; s != nil {
			s.NextState = amigo.NextState{Name: "ping"}
		}
	}
	m.Definition.States = append(m.Definition.States,
		amigo.State{Type: amigo.StateAnnotation, Annotation: &amigo.AnnotationState{Name: "ping", InnerThought: "ping", NextState: amigo.NextState{Name: "pong"}}},
		amigo.State{Type: amigo.StateToolCall, ToolCall: &amigo.ToolCallState{Name: "pong", NextState: amigo.NextState{Name: "ping"}}})
	steps := 0
	turn := fixtureTurn(engine.Input{Kind: engine.InputMessage, Message: "book an appointment"}, nil)
	turn.Machine = m
	_, err := engine.New(nil).Run(context.Background(), turn, func(e engine.Event) error {
		if e.Action != nil && e.Action.Type == event.ActionStateTransitioned {
			steps++
		}
		return nil
	})
	if !errors.Is(err, engine.ErrTooManySteps) || steps != engine.DefaultMaxSteps {
		t.Fatalf("err %v after %d transitions, want ErrTooManySteps after %d", err, steps, engine.DefaultMaxSteps)
	}
}

func TestRunStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := engine.New(nil).Run(ctx, fixtureTurn(engine.Input{Kind: engine.InputMessage, Message: "book an appointment"}, nil), func(engine.Event) error {
		if n++; n == 2 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 2 {
		t.Errorf("cancelled mid-walk: err %v after %d events", err, n)
	}
	boom := errors.New("client gone")
	n = 0
	_, err = engine.New(nil).Run(context.Background(), fixtureTurn(engine.Input{}, nil), func(e engine.Event) error {
		n++
		if e.Fragment != nil {
			return boom
		}
		return nil
	})
	if err != boom || n != 2 {
		t.Errorf("emit error: err %v after %d events, want the emit error unchanged after the first fragment", err, n)
	}
}

func TestRunRefuses(t *testing.T) {
	w := engine.New(nil)
	done := &engine.State{Stack: []engine.Frame{{Machine: amigo.Reference{MachineID: intakeID, Version: 3}}}, Current: "farewell", Completed: true}
	if _, err := w.Run(context.Background(), fixtureTurn(engine.Input{Kind: engine.InputSkip}, done), discard); !errors.Is(err, engine.ErrCompleted) {
		t.Errorf("completed: %v", err)
	}
	other := &engine.State{Stack: []engine.Frame{{Machine: amigo.Reference{MachineID: intakeID, Version: 2}}}, Current: "welcome"}
	if _, err := w.Run(context.Background(), fixtureTurn(engine.Input{Kind: engine.InputSkip}, other), discard); !errors.Is(err, engine.ErrBadMachine) {
		t.Errorf("another version's state: %v", err)
	}
	turn := fixtureTurn(engine.Input{Kind: engine.InputMessage, Message: "I want a regular appointment, book it"}, nil)
	turn.References = nil
	if _, err := w.Run(context.Background(), turn, discard); !errors.Is(err, engine.ErrBadMachine) {
		t.Errorf("missing reference: %v", err)
	}
}

func TestReturningUserAndStateRoundTrip(t *testing.T) {
	turn := fixtureTurn(engine.Input{}, nil)
	turn.ReturningUser = true
	o, err := engine.New(nil).Run(context.Background(), turn, discard)
	if err != nil || o.Insights.StateName != "welcome_back" {
		t.Fatalf("state %q, err %v", o.Insights.StateName, err)
	}
	o, err = engine.New(nil).Run(context.Background(), fixtureTurn(engine.Input{Kind: engine.InputMessage, Message: "I'd like to book an appointment, regular please"}, o.State), discard)
	if err != nil {
		t.Fatal(err)
	}
	b, err := engine.MarshalState(o.State)
	if err != nil {
		t.Fatal(err)
	}
	back, err := engine.UnmarshalState(b)
	if err != nil || !reflect.DeepEqual(back, o.State) || len(back.Stack) != 2 {
		t.Errorf("round trip: %+v, %v, want %+v", back, err, o.State)
	}
	if _, err := engine.UnmarshalState([]byte(`{"v":9}`)); !errors.Is(err, engine.ErrBadState) {
		t.Errorf("bad state: %v", err)
	}
	ins, err := engine.UnmarshalInsights(must(engine.MarshalInsights(&o.Insights)))
	if err != nil || !reflect.DeepEqual(*ins, o.Insights) {
		t.Errorf("insights round trip: %+v, %v", ins, err)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestResolve(t *testing.T) {
	var asked []amigo.Reference
	got, err := engine.Resolve(context.Background(), intake(), func(_ context.Context, ref amigo.Reference) (*amigo.StateMachineVersion, error) {
		asked = append(asked, ref)
		return sched(), nil
	})
	if err != nil || len(got) != 1 || got[schedRef] == nil || len(asked) != 1 {
		t.Fatalf("resolved %v, asked %v, err %v", got, asked, err)
	}
	gone := errors.New("not found")
	if _, err := engine.Resolve(context.Background(), intake(), func(context.Context, amigo.Reference) (*amigo.StateMachineVersion, error) {
		return nil, gone
	}); !errors.Is(err, gone) {
		t.Errorf("fetch error: %v", err)
	}
}

func TestBuiltinExtras(t *testing.T) {
	w := engine.New(nil)
	o, err := w.Run(context.Background(), fixtureTurn(engine.Input{}, nil), discard)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := w.Recommend(context.Background(), fixtureTurn(engine.Input{}, o.State), "PERSONA: a patient")
	if want := []string{"The user wants to book an appointment", "The user says goodbye"}; err != nil || !reflect.DeepEqual(rec, want) {
		t.Errorf("recommend %q, %v", rec, err)
	}
	st, err := w.Starters(context.Background(), agent(), nil, engine.StarterRequest{Facets: []string{"vaccines", "check-ups"}, MinCount: 3, MaxCount: 5, Instructions: "be brief"})
	want := []engine.Starter{{Prompt: "Tell me about vaccines.", Facets: []string{"vaccines"}}, {Prompt: "Tell me about check-ups.", Facets: []string{"check-ups"}},
		{Prompt: "What should I know about vaccines?", Facets: []string{"vaccines"}}}
	if err != nil || !reflect.DeepEqual(st, want) {
		t.Errorf("starters %+v, %v", st, err)
	}
	if _, err := w.Starters(context.Background(), agent(), nil, engine.StarterRequest{Facets: []string{"x"}, MinCount: 4, MaxCount: 2}); !errors.Is(err, engine.ErrBadStarterRequest) {
		t.Errorf("min above max: %v", err)
	}
	conv := []engine.Message{{Type: engine.MessageUser, Text: "I need a vaccine appointment for my daughter"}, {Type: engine.MessageAgent, Text: "Sure."},
		{Type: engine.MessageUser, Text: "The vaccine appointment should be on Tuesday"}}
	um, err := w.UserModel(context.Background(), agent(), nil, nil, nil, conv)
	if err != nil || um.Content != "Talked about: appointment, vaccine, daughter, need, tuesday." ||
		!reflect.DeepEqual(um.Dimensions, []amigo.UserDimension{{Description: engine.TopicsDimension, Tags: []string{"appointment", "vaccine", "daughter", "need", "tuesday"}}}) {
		t.Errorf("user model %+v, %v", um, err)
	}
	// The organization's dimensions gain the tags the user mentioned
	// (every word of the tag, "vaccines" matching "vaccine"), after the
	// prior's; a dimension none of whose tags was mentioned is left out.
	dims := []amigo.UserDimension{{Description: "Family", Tags: []string{"daughter", "son"}}, {Description: "Schedule", Tags: []string{"tuesday mornings", "weekends"}},
		{Description: "Care", Tags: []string{"vaccines", "dental"}}, {Description: "Pets", Tags: []string{"dog"}}}
	um2, err := w.UserModel(context.Background(), agent(), nil, dims, um, []engine.Message{{Type: engine.MessageUser, Text: "Tuesday mornings suit me, and my son needs vaccines too"}})
	wantDims := []amigo.UserDimension{{Description: "Family", Tags: []string{"son"}}, {Description: "Schedule", Tags: []string{"tuesday mornings"}},
		{Description: "Care", Tags: []string{"vaccines"}},
		{Description: engine.TopicsDimension, Tags: []string{"appointment", "vaccine", "daughter", "need", "mornings", "needs", "suit", "tuesday", "vaccines"}}}
	if err != nil || um2.Content != um.Content+"\nTalked about: mornings, needs, suit, tuesday, vaccines." || !reflect.DeepEqual(um2.Dimensions, wantDims) {
		t.Errorf("updated user model %+v, %v", um2, err)
	}
	um3, err := w.UserModel(context.Background(), agent(), nil, dims, um2, []engine.Message{{Type: engine.MessageUser, Text: "My daughter has a dog"}})
	if err != nil || !reflect.DeepEqual(um3.Dimensions[0], amigo.UserDimension{Description: "Family", Tags: []string{"son", "daughter"}}) ||
		!reflect.DeepEqual(um3.Dimensions[3], amigo.UserDimension{Description: "Pets", Tags: []string{"dog"}}) {
		t.Errorf("user model after a third conversation %+v, %v", um3, err)
	}
}
