package sqldb

// TenantTables lists every table holding tenant data, parents before
// children. Each has an org_id column except organizations, whose id is the
// organization's. Moving an organization between clusters copies exactly
// these tables in this order; a migration that adds a tenant table must add
// it here.
var TenantTables = []string{
	"organizations",
	"roles",
	"users",
	"api_keys",
	"resources",
	"resource_versions",
	"services",
	"service_tags",
	"version_sets",
	"service_tag_counts",
	"version_set_revisions",
	"version_set_heads",
	"conversations",
	"conversation_tags",
	"interactions",
	"messages",
	"user_models",
	"post_conversation_jobs",
	"change_log",
}

// OrgColumn returns the column of table that holds the organization id.
func OrgColumn(table string) string {
	if table == "organizations" {
		return "id"
	}
	return "org_id"
}
