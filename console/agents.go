package console

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/client"
)

type agentsPage struct {
	Agents []client.Agent
}

func (c *Console) agents(w http.ResponseWriter, r *http.Request, v *visit) error {
	list, err := client.Collect(v.api.Agents(r.Context(), client.ListOptions{}))
	if err != nil {
		return err
	}
	c.render(w, v, http.StatusOK, "agents.html", "Agents", agentsPage{Agents: list})
	return nil
}

// agentPage is an agent's versions and the diff of two of them.
type agentPage struct {
	resource
	Versions []client.AgentVersion
	// A and B are the compared versions (A older), zero when the agent has
	// fewer than two.
	A, B int
	Diff []diffRow
}

// agent shows an agent's versions and, side by side, the difference of
// versions ?a= and ?b= (by default the last two).
func (c *Console) agent(w http.ResponseWriter, r *http.Request, v *visit) error {
	id := r.PathValue("id")
	versions, err := client.Collect(v.api.AgentVersions(r.Context(), id, client.VersionOptions{}))
	if err != nil {
		return err
	}
	if len(versions) == 0 {
		return &pageError{status: http.StatusNotFound, msg: "This agent has no versions yet."}
	}
	res, err := agentResource(r, v, id)
	if err != nil {
		return err
	}
	res.CanDeprecate = !res.Deprecated && v.session.can(amigo.PermDeleteAgent)
	p := agentPage{resource: res, Versions: versions}
	byNumber := map[int]client.AgentVersion{}
	for _, ver := range versions {
		byNumber[ver.Version] = ver
	}
	if len(versions) >= 2 {
		p.A, p.B = pickPair(r, versions[len(versions)-2].Version, versions[len(versions)-1].Version, func(n int) bool {
			_, ok := byNumber[n]
			return ok
		})
		p.Diff = sideBySide(agentLines(byNumber[p.A]), agentLines(byNumber[p.B]))
	}
	c.render(w, v, http.StatusOK, "agent.html", "Agents", p)
	return nil
}

// pickPair reads ?a= and ?b=, keeping the defaults for a missing or
// unknown version.
func pickPair(r *http.Request, a, b int, exists func(int) bool) (int, int) {
	if n, err := strconv.Atoi(r.URL.Query().Get("a")); err == nil && exists(n) {
		a = n
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("b")); err == nil && exists(n) {
		b = n
	}
	return a, b
}

// agentLines is the content of a version as the lines the diff compares:
// its indented JSON without the fields every version differs in.
func agentLines(ver client.AgentVersion) []string {
	return jsonLines(struct {
		Initials              string                      `json:"initials"`
		Identity              client.Identity             `json:"identity"`
		Background            string                      `json:"background"`
		Behaviors             []string                    `json:"behaviors"`
		CommunicationPatterns []string                    `json:"communication_patterns"`
		VoiceConfig           *client.VoiceConfigInstance `json:"voice_config"`
	}{ver.Initials, ver.Identity, ver.Background, ver.Behaviors, ver.CommunicationPatterns, ver.VoiceConfig})
}

func jsonLines(v any) []string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return []string{err.Error()}
	}
	return splitLines(string(b))
}
