package sqldb

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server"
)

const orgColumns = `id, name, title, main_description, sub_description, logo, square_logo, favicon,
	signup_page_headshot, user_dimensions, default_user_preferences, onboarding_instructions,
	azure_devops_team_name, tenant_id, created_at, updated_at`

// CreateOrganization stores org with its roles and users in one transaction.
func (db *ClusterStore) CreateOrganization(ctx context.Context, org *amigo.Organization, roles []*amigo.Role, users []*amigo.User) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO organizations (`+orgColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			org.ID, org.Name, org.Title, org.MainDescription, org.SubDescription, org.Logo, org.SquareLogo, org.Favicon,
			org.SignupPageHeadshot, stored[[]storedUserDimension](org.UserDimensions), stored[storedPreferences](org.DefaultUserPreferences),
			jsonText(org.OnboardingInstructions), org.AzureDevOpsTeamName, org.TenantID, ts(org.CreatedAt), ts(org.UpdatedAt))
		if db.dialect.IsUniqueViolation(err) {
			return amigo.Errorf(amigo.ECONFLICT, "Organization %s already exists.", org.ID)
		} else if err != nil {
			return err
		}
		for _, r := range roles {
			if err := insertRole(ctx, tx, r); err != nil {
				return err
			}
		}
		for _, u := range users {
			if err := db.insertUser(ctx, tx, u); err != nil {
				return err
			}
		}
		return nil
	})
}

// FindOrganization returns the organization or ENOTFOUND.
func (db *ClusterStore) FindOrganization(ctx context.Context, id string) (*amigo.Organization, error) {
	row := db.read.QueryRow(ctx, `SELECT `+orgColumns+` FROM organizations WHERE id = $1`, id)
	var o amigo.Organization
	var dims, prefs, onboarding string
	var created, updated int64
	err := row.Scan(&o.ID, &o.Name, &o.Title, &o.MainDescription, &o.SubDescription, &o.Logo, &o.SquareLogo, &o.Favicon,
		&o.SignupPageHeadshot, &dims, &prefs, &onboarding, &o.AzureDevOpsTeamName, &o.TenantID, &created, &updated)
	if err != nil {
		return nil, notFound(err, amigo.MsgOrgNotFound)
	}
	o.CreatedAt, o.UpdatedAt = fromTS(created), fromTS(updated)
	if err := loadStored[[]storedUserDimension](dims, &o.UserDimensions); err != nil {
		return nil, err
	} else if err := loadStored[storedPreferences](prefs, &o.DefaultUserPreferences); err != nil {
		return nil, err
	} else if err := fromJSON(onboarding, &o.OnboardingInstructions); err != nil {
		return nil, err
	}
	return &o, nil
}

// UpdateOrganization applies the non-nil fields of upd.
func (db *ClusterStore) UpdateOrganization(ctx context.Context, id string, upd amigo.OrganizationUpdate, now time.Time) error {
	sets := []string{"updated_at = $1"}
	args := []any{ts(now)}
	set := func(col string, v any) {
		args = append(args, v)
		sets = append(sets, col+" = $"+strconv.Itoa(len(args)))
	}
	if upd.Title != nil {
		set("title", *upd.Title)
	}
	if upd.MainDescription != nil {
		set("main_description", *upd.MainDescription)
	}
	if upd.SubDescription != nil {
		set("sub_description", *upd.SubDescription)
	}
	if upd.AzureDevOpsTeamName != nil {
		set("azure_devops_team_name", *upd.AzureDevOpsTeamName)
	}
	if upd.Logo != nil {
		set("logo", upd.Logo)
	}
	if upd.SquareLogo != nil {
		set("square_logo", upd.SquareLogo)
	}
	if upd.Favicon != nil {
		set("favicon", upd.Favicon)
	}
	if upd.SignupPageHeadshot != nil {
		set("signup_page_headshot", upd.SignupPageHeadshot)
	}
	if upd.UserDimensions != nil {
		set("user_dimensions", stored[[]storedUserDimension](upd.UserDimensions))
	}
	if upd.DefaultUserPreferences != nil {
		set("default_user_preferences", stored[*storedPreferences](upd.DefaultUserPreferences))
	}
	if upd.OnboardingInstructions != nil {
		set("onboarding_instructions", jsonText(upd.OnboardingInstructions))
	}
	args = append(args, id)
	return db.execOne(ctx, amigo.Errorf(amigo.ENOTFOUND, amigo.MsgOrgNotFound),
		`UPDATE organizations SET `+strings.Join(sets, ", ")+` WHERE id = $`+strconv.Itoa(len(args)), args...)
}

// EraseOrganization deletes the organization; every tenant table references
// organizations with ON DELETE CASCADE, so one statement erases it all.
func (db *ClusterStore) EraseOrganization(ctx context.Context, id string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM organizations WHERE id = $1`, id)
		return err
	})
}
