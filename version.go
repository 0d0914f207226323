package amigo

// VersionFilter selects versions of one agent or state machine, as the
// version, sort_by, limit and continuation_token parameters of
// get-agent-versions and get-service-hierarchical-state-machine-versions
// describe.
type VersionFilter struct {
	// From and To bound the version numbers, inclusive; zero leaves a side
	// unbounded.
	From, To int
	// Latest selects only the latest version; From and To are ignored.
	Latest     bool
	Offset     int
	Limit      int
	Descending bool
}
