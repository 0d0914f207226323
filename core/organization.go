package core

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// OrganizationInput is the body of create- and modify-organization: the
// union of the spec's and the seed's fields. Every field is a pointer so an
// absent or null field can be told apart and left unchanged.
type OrganizationInput struct {
	OrgName                *string
	Title                  *string
	MainDescription        *string
	SubDescription         *string
	Logo                   *string
	SquareLogo             *string
	Favicon                *string
	SignupPageHeadshot     *string
	UserDimensions         *[]amigo.UserDimension
	DefaultUserPreferences *PreferencesInput
	OnboardingInstructions *[]string
	AzureDevOpsTeamName    *string
	// Malformed is what the decoder of the request could not read, nil
	// when it read everything; it is reported with the checks' findings.
	Malformed *amigo.Error `shape:"-"`
}

// IsOrgID reports whether s may name a new organization: 1 to 63
// lower-case letters, digits and inner hyphens, a DNS label.
func IsOrgID(s string) bool { return orgIDPattern.MatchString(s) }

var (
	orgIDPattern   = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	azureTeamMatch = regexp.MustCompile(`^[a-z-]+$`)
)

// ReservedOrgIDs cannot be created: they name Amigo's own hosts under
// {org_id}.amigo.ai or would be confusing in logs and URLs.
var ReservedOrgIDs = []string{
	"admin", "amigo", "api", "app", "auth", "default", "dashboard", "docs", "global", "internal",
	"login", "mail", "root", "static", "status", "support", "system", "www",
}

// check validates the input; create makes the spec's required fields
// mandatory. It returns the decoded images keyed by field name.
func (in *OrganizationInput) check(create bool) (map[string][]byte, error) {
	var c fieldErrs
	c.decoded(in.Malformed, nil)
	body := func(f string) []any { return at(f) }
	if create {
		c.required(body("org_name"), in.OrgName != nil)
		c.required(body("user_dimensions"), in.UserDimensions != nil)
		c.required(body("logo"), in.Logo != nil)
		c.required(body("square_logo"), in.SquareLogo != nil)
		c.required(body("favicon"), in.Favicon != nil)
		c.required(body("azure_devops_team_name"), in.AzureDevOpsTeamName != nil)
	}
	for _, f := range []struct {
		name string
		s    *string
		max  int
	}{{"org_name", in.OrgName, maxName}, {"title", in.Title, maxName}, {"main_description", in.MainDescription, maxText}, {"sub_description", in.SubDescription, maxText}} {
		if f.s != nil {
			c.str(body(f.name), strings.TrimSpace(*f.s), 1, f.max, nil)
		}
	}
	if in.AzureDevOpsTeamName != nil {
		c.str(body("azure_devops_team_name"), strings.TrimSpace(*in.AzureDevOpsTeamName), 1, 20, azureTeamMatch)
	}
	images := map[string][]byte{}
	for _, img := range []struct {
		field string
		val   *string
		rule  imageRule
	}{
		{"logo", in.Logo, logoRule}, {"square_logo", in.SquareLogo, squareRule},
		{"favicon", in.Favicon, faviconRule}, {"signup_page_headshot", in.SignupPageHeadshot, headshotRule},
	} {
		if img.val == nil {
			continue
		}
		raw, err := decodeImage(*img.val, img.rule)
		if err != nil {
			c.add(body(img.field), nil, "value_error", "Invalid %s: %v", img.field, err)
		}
		images[img.field] = raw
	}
	if in.UserDimensions != nil {
		if !create && len(*in.UserDimensions) == 0 {
			c.add(body("user_dimensions"), nil, "too_short", "List should have at least 1 item")
		}
		for i, d := range *in.UserDimensions {
			c.str(at("user_dimensions", i, "description"), strings.TrimSpace(d.Description), 1, maxText, nil)
			if d.Tags == nil {
				c.add(at("user_dimensions", i, "tags"), nil, "missing", "Field required")
			}
			for j, t := range d.Tags {
				c.str(at("user_dimensions", i, "tags", j), strings.TrimSpace(t), 1, maxName, nil)
			}
		}
	}
	if in.DefaultUserPreferences != nil {
		in.DefaultUserPreferences.check(&c, body("default_user_preferences"))
	}
	return images, c.err()
}

// GetOrganization returns the organization; details are filled by the caller
// of this method only when the caller may see them.
func (a *App) GetOrganization(ctx context.Context, t *Tenant) (*amigo.Organization, error) {
	return t.Store.FindOrganization(ctx, t.Placement.OrgID)
}

// CanSeeOrganizationDetails reports whether the caller may see
// default_user_preferences and tenant_id of organization orgID.
func CanSeeOrganizationDetails(caller *amigo.Caller, orgID string) bool {
	return caller.Can(amigo.PermGetOrganizationDetails, orgAttrs(orgID))
}

// CreateOrganization provisions a new organization on a cluster of this
// region: it is placed in the directory first (so the id is claimed
// globally), then its data is written to the cluster in one transaction. If
// that fails the placement is removed again.
func (a *App) CreateOrganization(ctx context.Context, orgID, cluster string, in *OrganizationInput) error {
	caller := amigo.CallerFromContext(ctx)
	if err := caller.Require(amigo.PermCreateOrganization, orgAttrs(orgID)); err != nil {
		return err
	} else if !caller.Platform {
		return amigo.Errorf(amigo.EFORBIDDEN, "Only super administrators of the platform organization may create organizations.")
	}
	if !IsOrgID(orgID) {
		return amigo.Errorf(amigo.EBADREQUEST, "Organization ids are 1 to 63 lower-case letters, digits and inner hyphens.")
	}
	images, err := in.check(true)
	if err != nil {
		return err
	}
	if slices.Contains(ReservedOrgIDs, orgID) {
		return amigo.Errorf(amigo.EBADREQUEST, "The organization id %s is reserved.", orgID)
	}
	if _, ok := a.Clusters[cluster]; !ok {
		return amigo.Errorf(amigo.ENOTFOUND, "Cluster %s does not exist in region %s.", cluster, a.Region)
	}
	org := a.newOrganization(orgID, *in.OrgName)
	applyOrganizationInput(org, in, images)
	return a.provision(ctx, org, cluster)
}

// newOrganization returns an organization with the spec's defaults.
func (a *App) newOrganization(id, name string) *amigo.Organization {
	now := a.Now()
	return &amigo.Organization{
		ID: id, Name: name, UserDimensions: []amigo.UserDimension{}, DefaultUserPreferences: amigo.DefaultPreferences(),
		OnboardingInstructions: []string{}, TenantID: id + "-" + amigo.NewID(now)[16:], CreatedAt: now, UpdatedAt: now,
	}
}

func applyOrganizationInput(org *amigo.Organization, in *OrganizationInput, images map[string][]byte) {
	org.Title = strings.TrimSpace(deref(in.Title))
	org.MainDescription = strings.TrimSpace(deref(in.MainDescription))
	org.SubDescription = strings.TrimSpace(deref(in.SubDescription))
	org.AzureDevOpsTeamName = strings.TrimSpace(deref(in.AzureDevOpsTeamName))
	org.Logo, org.SquareLogo, org.Favicon, org.SignupPageHeadshot = images["logo"], images["square_logo"], images["favicon"], images["signup_page_headshot"]
	if in.UserDimensions != nil {
		org.UserDimensions = *in.UserDimensions
	}
	if in.OnboardingInstructions != nil {
		org.OnboardingInstructions = *in.OnboardingInstructions
	}
	if in.DefaultUserPreferences != nil {
		org.DefaultUserPreferences = in.DefaultUserPreferences.check(&fieldErrs{}, nil)
	}
}

// provision places org on cluster and writes it with its default roles and
// super user.
func (a *App) provision(ctx context.Context, org *amigo.Organization, cluster string) error {
	now := a.Now()
	err := a.Directory.Place(ctx, &amigo.Placement{OrgID: org.ID, Region: a.Region, Cluster: cluster, State: amigo.OrgActive, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return err
	}
	a.placements.forget(org.ID)
	roles := amigo.DefaultRoles()
	var superRole *amigo.Role
	for _, r := range roles {
		r.ID, r.OrgID = amigo.NewID(now), org.ID
		if r.Name == amigo.RoleSuperAdministrator {
			superRole = r
		}
	}
	admin := a.newUser(org.ID, "Amigo", "Admin", amigo.SuperUserEmail, superRole.ID, org.DefaultUserPreferences)
	if err := a.Clusters[cluster].CreateOrganization(ctx, org, roles, []*amigo.User{admin}); err != nil {
		if rmErr := a.Directory.Remove(context.WithoutCancel(ctx), org.ID); rmErr != nil {
			a.Logger.ErrorContext(ctx, "cannot remove placement after failed provisioning", "org", org.ID, "err", rmErr)
		}
		a.placements.forget(org.ID)
		return err
	}
	return nil
}

// ModifyOrganization applies the non-null fields of in.
func (a *App) ModifyOrganization(ctx context.Context, t *Tenant, in *OrganizationInput) error {
	if err := amigo.CallerFromContext(ctx).Require(amigo.PermModifyOrganization, orgAttrs(t.Placement.OrgID)); err != nil {
		return err
	}
	images, err := in.check(false)
	if err != nil {
		return err
	}
	upd := amigo.OrganizationUpdate{
		Title: trimmed(in.Title), MainDescription: trimmed(in.MainDescription), SubDescription: trimmed(in.SubDescription),
		AzureDevOpsTeamName: trimmed(in.AzureDevOpsTeamName),
		Logo:                images["logo"], SquareLogo: images["square_logo"], Favicon: images["favicon"], SignupPageHeadshot: images["signup_page_headshot"],
	}
	if in.UserDimensions != nil {
		upd.UserDimensions = *in.UserDimensions
	}
	if in.OnboardingInstructions != nil {
		upd.OnboardingInstructions = *in.OnboardingInstructions
	}
	if in.DefaultUserPreferences != nil {
		p := in.DefaultUserPreferences.check(&fieldErrs{}, nil)
		upd.DefaultUserPreferences = &p
	}
	// The state before is read just ahead of the update's transaction; a
	// concurrent modification in between would show in this diff too.
	org, err := t.Store.FindOrganization(ctx, t.Placement.OrgID)
	if err != nil {
		return err
	}
	ctx, j := journal(ctx)
	if err := a.record(ctx, j, change{orgID: org.ID, operation: "modify-organization", resourceType: resOrganization, resourceID: org.ID,
		summary: "Modified the organization's settings", before: organizationDocOf(org), after: organizationDocOf(applyUpdate(*org, upd))}); err != nil {
		return err
	}
	return t.Store.UpdateOrganization(ctx, t.Placement.OrgID, upd, a.Now())
}

// DeleteOrganization erases an organization. The organization counts as
// deleted from the first call: its placement is marked deleting before
// anything is erased, then the cluster data is erased, and the placement is
// removed last. A call after a failure midway resumes where it stopped.
func (a *App) DeleteOrganization(ctx context.Context, t *Tenant) error {
	orgID := t.Placement.OrgID
	if err := amigo.CallerFromContext(ctx).Require(amigo.PermDeleteOrganization, orgAttrs(orgID)); err != nil {
		return err
	}
	if platform, err := a.platformOrg(ctx); err != nil {
		return err
	} else if platform == orgID {
		return amigo.Errorf(amigo.EBADREQUEST, "The platform organization cannot be deleted.")
	}
	// Finish even if the client goes away: a half-erased organization helps nobody.
	ctx = context.WithoutCancel(ctx)
	if t.Placement.State != amigo.OrgDeleting {
		if err := a.Directory.SetState(ctx, orgID, amigo.OrgDeleting, ""); err != nil {
			return err
		}
		a.placements.forget(orgID)
	}
	if err := t.Store.EraseOrganization(ctx, orgID); err != nil {
		return err
	}
	if err := a.Directory.Remove(ctx, orgID); err != nil {
		return err
	}
	a.placements.forget(orgID)
	return nil
}

// UserDimensions returns the organization's user dimensions.
func (a *App) UserDimensions(ctx context.Context, t *Tenant) ([]amigo.UserDimension, error) {
	if err := amigo.CallerFromContext(ctx).Require(amigo.PermGetOrganizationDetails, orgAttrs(t.Placement.OrgID)); err != nil {
		return nil, err
	}
	org, err := t.Store.FindOrganization(ctx, t.Placement.OrgID)
	if err != nil {
		return nil, err
	}
	return org.UserDimensions, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func trimmed(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	return &t
}
