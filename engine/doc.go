// Package engine runs conversations: a walker that interprets a service's
// state machine version, asking a Model at each decision point and
// emitting each step and each piece of the reply as it happens.
//
// It depends on the domain package amigo and the OpenAI Go SDK only. It
// knows nothing of storage or HTTP: the caller loads a Turn (agent and
// machine versions, the conversation's State, history, input), streams the
// Events Run emits (declared in the leaf package engine/event; api/wire
// encodes them as the spec's NDJSON events), and
// stores the Outcome (the new State as MarshalState's bytes, the reply,
// the inner thoughts, the Insights).
//
// # The walk
//
// A conversation is created in the machine's new-user (or, with
// Turn.ReturningUser, returning-user) initial state. Each interaction
// walks from the state it starts in until an action state has the agent
// speak:
//
//   - action: the model chooses an exit condition, or stays and chooses
//     one of the state's actions; staying emits action-selected and the
//     reply, which ends the interaction. The root machine's terminal state
//     speaks its one action and completes the conversation
//     (Outcome.Completed).
//   - decision: decision-started, then the model's exit condition.
//   - reflection: prompt-retrieved, the model's reflection cut to the
//     state's word limit (reflection-generated), stored as an inner thought.
//   - annotation: annotation-retrieved, the fixed inner thought.
//   - recall: the static queries, or the model's queries for the requested
//     information; each is answered from Turn.Memories (the line sharing
//     the most words, else NoMemory).
//   - tool-call: no tool runtime exists on this server; the state records
//     NoToolRuntime as its designated tool's output and moves on.
//
// Every exit emits exit-condition-selected; every transition emits
// state-transitioned and adds a TransitionLog. An external next state
// "reference.state" enters that state of the referenced machine version
// (Turn.References; Resolve collects them), pushing a Frame with the
// jumpback state; arriving at the referenced machine's terminal state pops
// the frame and moves to the jumpback state (a "jumpback" log), without
// running that terminal state.
//
// # Bounds
//
// One interaction visits at most Walker.MaxSteps (DefaultMaxSteps = 64)
// states, else ErrTooManySteps: a machine whose non-action states cycle
// stops instead of spinning. Models see at most MaxHistory (50) messages.
// Run checks ctx before every step and models stop when it is done; the
// first error of emit ends the run and is returned unchanged.
//
// # Replies
//
// Each piece the model writes is emitted at once as a Fragment (sequence
// numbers from 0), followed by an empty Fragment with Stop set, so no
// piece waits to learn whether it is the last.
//
// # Models
//
// Builtin is the default: offline and deterministic (docs/conversations.md,
// "The built-in model"). OpenAIModel speaks to OpenAI-compatible
// chat-completions endpoints through the official SDK, configured by
// OpenAIConfig; choices are asked as strict JSON, asked once more on a bad
// answer, then answered by Builtin. Endpoint failures are
// ErrModelUnavailable.
package engine
