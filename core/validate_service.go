package core

import "github.com/amigo-oss/amigo-server"

// ValidateServiceInput checks a create-service (create) or update-service
// body as the operation does before it looks anything up: EINVALID listing
// every violation, else EBADREQUEST for an unknown model or out-of-range
// sampling parameter. It strips the body's strings in place. Clients that
// check requests offline (the amigo CLI) call it too.
func ValidateServiceInput(in *ServiceInput, create bool) error {
	if err := in.check(create); err != nil {
		return err
	}
	if in.ReleaseVersionSet != nil {
		return checkLLMPreferences(in.ReleaseVersionSet)
	}
	return nil
}

// ValidateVersionSet checks the version set of an
// upsert-service-version-set body, located at ["version_set"], as
// the operation does before it looks anything up.
func ValidateVersionSet(vs *amigo.VersionSet) error {
	var c fieldErrs
	checkVersionSetShape(&c, at("version_set"), vs)
	if err := c.err(); err != nil {
		return err
	}
	return checkLLMPreferences(vs)
}
