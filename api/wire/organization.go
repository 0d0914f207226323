package wire

import (
	"encoding/base64"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

// OrganizationInput is the body of create- and modify-organization: the
// union of the spec's and the seed's fields. Absent or null fields are
// unset.
type OrganizationInput struct {
	OrgName                *string           `json:"org_name,omitempty"`
	Title                  *string           `json:"title,omitempty"`
	MainDescription        *string           `json:"main_description,omitempty"`
	SubDescription         *string           `json:"sub_description,omitempty"`
	Logo                   *string           `json:"logo,omitempty"`
	SquareLogo             *string           `json:"square_logo,omitempty"`
	Favicon                *string           `json:"favicon,omitempty"`
	SignupPageHeadshot     *string           `json:"signup_page_headshot,omitempty"`
	UserDimensions         *[]UserDimension  `json:"user_dimensions,omitempty"`
	DefaultUserPreferences *PreferencesInput `json:"default_user_preferences,omitempty"`
	OnboardingInstructions *[]string         `json:"onboarding_instructions,omitempty"`
	AzureDevOpsTeamName    *string           `json:"azure_devops_team_name,omitempty"`
}

// UserDimension is one axis along which the organization profiles users.
type UserDimension struct {
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
}

// PreferencesInput is a user's or an organization's preferences as a
// request gives them; absent fields take the spec's defaults.
type PreferencesInput struct {
	EnableResponseRecommendation *bool     `json:"enable_response_recommendation,omitempty"`
	PreferredLanguage            *string   `json:"preferred_language,omitempty"`
	ConversationsVisibleToAdmins *bool     `json:"conversations_visible_to_admins,omitempty"`
	UserModelVisibleToAdmins     *bool     `json:"user_model_visible_to_admins,omitempty"`
	Timezone                     *string   `json:"timezone,omitempty"`
	AudioKeyterms                *[]string `json:"audio_keyterms,omitempty"`
}

// Preferences are preferences as responses show them.
type Preferences struct {
	EnableResponseRecommendation bool     `json:"enable_response_recommendation"`
	PreferredLanguage            *string  `json:"preferred_language"`
	ConversationsVisibleToAdmins bool     `json:"conversations_visible_to_admins"`
	UserModelVisibleToAdmins     bool     `json:"user_model_visible_to_admins"`
	Timezone                     *string  `json:"timezone"`
	AudioKeyterms                []string `json:"audio_keyterms"`
}

func newPreferences(p amigo.Preferences) Preferences {
	out := shape.Convert[Preferences](p)
	out.AudioKeyterms = nonNil(out.AudioKeyterms)
	return out
}

// Organization is the answer of get-organization.
type Organization struct {
	OrgID                  string       `json:"org_id"`
	OrgName                string       `json:"org_name"`
	DefaultUserPreferences *Preferences `json:"default_user_preferences"`
	TenantID               *string      `json:"tenant_id"`
	// The seed's richer view: the frontend needs these to render the org.
	Title                  string          `json:"title"`
	MainDescription        string          `json:"main_description"`
	SubDescription         string          `json:"sub_description"`
	Logo                   *string         `json:"logo"`
	SquareLogo             *string         `json:"square_logo"`
	Favicon                *string         `json:"favicon"`
	SignupPageHeadshot     *string         `json:"signup_page_headshot"`
	UserDimensions         []UserDimension `json:"user_dimensions"`
	OnboardingInstructions []string        `json:"onboarding_instructions"`
}

// NewOrganization returns the organization as get-organization shows it;
// details (default preferences, tenant id) only if withDetails.
func NewOrganization(org *amigo.Organization, withDetails bool) Organization {
	out := Organization{
		OrgID: org.ID, OrgName: org.Name, Title: org.Title, MainDescription: org.MainDescription, SubDescription: org.SubDescription,
		Logo: b64(org.Logo), SquareLogo: b64(org.SquareLogo), Favicon: b64(org.Favicon), SignupPageHeadshot: b64(org.SignupPageHeadshot),
		UserDimensions: NewUserDimensions(org.UserDimensions), OnboardingInstructions: nonNil(org.OnboardingInstructions),
	}
	if withDetails {
		prefs, tenant := newPreferences(org.DefaultUserPreferences), org.TenantID
		out.DefaultUserPreferences, out.TenantID = &prefs, &tenant
	}
	return out
}

// NewUserDimensions returns dimensions as responses show them.
func NewUserDimensions(dims []amigo.UserDimension) []UserDimension {
	out := nonNil(shape.Convert[[]UserDimension](dims))
	for i := range out {
		out[i].Tags = nonNil(out[i].Tags)
	}
	return out
}

// CreatedOrganization is the answer of create-organization.
type CreatedOrganization struct {
	OrgID string `json:"org_id"`
}

// UserDimensionList is the answer of get-user-dimensions.
type UserDimensionList struct {
	UserDimensions []UserDimension `json:"user_dimensions"`
}

func b64(b []byte) *string {
	if b == nil {
		return nil
	}
	s := base64.StdEncoding.EncodeToString(b)
	return &s
}
