package api_test

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestConversationPhaseMetrics checks that /metrics times every phase of
// the interactions that completed, once per interaction, by operation.
func TestConversationPhaseMetrics(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		cl := newClinic(t, env, "phases")
		created := cl.create(t, cl.admin, "", nil)
		conv := created.event(t, "conversation-created")["conversation_id"].(string)
		created.complete(t)
		cl.interact(t, cl.admin, conv, "", form{Message: "Hello"}).complete(t)
		cl.interact(t, cl.admin, conv, "", form{Message: "Hello again"}).complete(t)

		counts := phaseCounts(t, env.URL)
		common := []string{"request", "input", "check", "lease", "stream_start", "model", "first_event", "reply", "commit", "complete"}
		for _, phase := range common {
			if got := counts["create-conversation/"+phase]; got != 1 {
				t.Errorf("create-conversation %s observed %d times, want 1", phase, got)
			}
		}
		for _, phase := range append(common, "load") {
			if got := counts["interact-with-conversation/"+phase]; got != 2 {
				t.Errorf("interact-with-conversation %s observed %d times, want 2", phase, got)
			}
		}
	})
}

var phaseCount = regexp.MustCompile(`(?m)^amigo_interaction_phase_seconds_count\{operation="([^"]+)",phase="([^"]+)"\} (\d+)$`)

// phaseCounts reads the observation counts of the phase histogram by
// "operation/phase".
func phaseCounts(t *testing.T, url string) map[string]int {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out := map[string]int{}
	for _, m := range phaseCount.FindAllStringSubmatch(string(body), -1) {
		out[m[1]+"/"+m[2]], _ = strconv.Atoi(m[3])
	}
	return out
}
