package wire

import "time"

// Page is the envelope every paginated listing embeds.
type Page struct {
	HasMore           bool `json:"has_more"`
	ContinuationToken *int `json:"continuation_token"`
}

// Created is the answer of the create operations that return an id.
type Created struct {
	ID string `json:"id"`
}

// Creator is the spec's UserInfo: who created or last changed something.
type Creator struct {
	OrgID  string `json:"org_id"`
	UserID string `json:"user_id"`
}

// CreatedVersion is the answer of the create-version operations.
type CreatedVersion struct {
	ID        string    `json:"id"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
}

// Empty is the {} answer of operations that return nothing else.
type Empty struct{}

// nonNil makes a nil list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
