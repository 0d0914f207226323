package amigo

import (
	"context"
	"time"
)

// Organization is a tenant. Its images are kept as the decoded bytes of the
// validated PNG/ICO files.
type Organization struct {
	ID                     string
	Name                   string
	Title                  string
	MainDescription        string
	SubDescription         string
	Logo                   []byte
	SquareLogo             []byte
	Favicon                []byte
	SignupPageHeadshot     []byte
	UserDimensions         []UserDimension
	DefaultUserPreferences Preferences
	OnboardingInstructions []string
	AzureDevOpsTeamName    string
	TenantID               string
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

// UserDimension is one axis along which the organization profiles users.
type UserDimension struct {
	Description string
	Tags        []string
}

// Preferences are a user's (or an organization's default) preferences.
type Preferences struct {
	EnableResponseRecommendation bool
	PreferredLanguage            *string
	ConversationsVisibleToAdmins bool
	UserModelVisibleToAdmins     bool
	Timezone                     *string
	AudioKeyterms                []string
}

// DefaultPreferences are the spec's defaults for new organizations.
func DefaultPreferences() Preferences {
	return Preferences{ConversationsVisibleToAdmins: true, UserModelVisibleToAdmins: true, AudioKeyterms: []string{}}
}

// OrganizationUpdate holds the fields of a modification; nil means "leave as is".
type OrganizationUpdate struct {
	Title                  *string
	MainDescription        *string
	SubDescription         *string
	Logo                   []byte
	SquareLogo             []byte
	Favicon                []byte
	SignupPageHeadshot     []byte
	UserDimensions         []UserDimension
	DefaultUserPreferences *Preferences
	OnboardingInstructions []string
	AzureDevOpsTeamName    *string
}

// OrganizationStore persists organizations in one cluster.
type OrganizationStore interface {
	// CreateOrganization stores org together with its roles and first users
	// in one transaction. Returns ECONFLICT if the id is taken.
	CreateOrganization(ctx context.Context, org *Organization, roles []*Role, users []*User) error
	// FindOrganization returns ENOTFOUND if the organization is not in this cluster.
	FindOrganization(ctx context.Context, id string) (*Organization, error)
	// UpdateOrganization applies the non-nil fields. Returns ENOTFOUND.
	UpdateOrganization(ctx context.Context, id string, upd OrganizationUpdate, now time.Time) error
	// EraseOrganization deletes every row of the organization in this
	// cluster. Erasing an organization that is already gone is not an error.
	EraseOrganization(ctx context.Context, id string) error
}
