package sqldb

import (
	"testing"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core/coretest"
)

// TestStoredMachineMatchesStored checks that the state-by-state encoding
// of a state machine writes what the whole-document one does, for
// machines with every state type, none, and a description that needs
// escaping.
func TestStoredMachineMatchesStored(t *testing.T) {
	empty := amigo.StateMachineDefinition{Description: `"<states>" & \ more`}
	for _, d := range []amigo.StateMachineDefinition{*coretest.StateMachine(1), *coretest.StateMachine(40), empty} {
		if got, want := storedMachine(d), stored[storedStateMachineDefinition](d); got != want {
			t.Errorf("storedMachine of %d states:\n%s\nwant\n%s", len(d.States), got, want)
		}
	}
}
