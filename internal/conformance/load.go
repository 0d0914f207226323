package conformance

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi-validator/cache"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/responses"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// SpecPathEnv names the environment variable that overrides where the spec is
// looked for.
const SpecPathEnv = "AMIGO_SPEC_PATH"

// ConversationsSpec is the file name of the conversation operations'
// document, which Load reads from the directory of the main spec.
const ConversationsSpec = "conversations.json"

// requireEnv, when "1", turns a missing spec from a skip into a failure.
const requireEnv = "AMIGO_TEST_REQUIRE_SERVICES"

// ErrSpecNotFound is wrapped by Load's error when the spec file is absent.
var ErrSpecNotFound = errors.New("openapi spec not found")

// Validator checks exchanges against one parsed spec. It is safe for
// concurrent use.
type Validator struct {
	// companions are the other documents of the same API (Load adds
	// conversations.json, found beside openapi.json): an exchange whose
	// operation this document lacks is checked against the companion
	// that has it.
	companions []*Validator
	routes     []*route
	bodies     responses.ResponseBodyValidator
	cache      cache.SchemaCache
	version    float32
}

var loaded struct {
	once sync.Once
	v    *Validator
	err  error
}

// Load returns the process-wide Validator, parsing the spec on first use.
// The spec is $AMIGO_SPEC_PATH if set, else ../shared/spec/openapi.json
// relative to the first directory at or above the working directory that
// holds a go.mod; conversations.json beside it is loaded as its
// companion. An absent spec (either file) yields an error wrapping
// ErrSpecNotFound.
func Load() (*Validator, error) {
	loaded.once.Do(func() {
		path, err := SpecPath()
		if err != nil {
			loaded.err = err
			return
		}
		loaded.v, loaded.err = loadFile(path)
		if loaded.err != nil {
			return
		}
		// The conversation operations live in a document of their own
		// beside the control plane's; both must be there.
		var conv *Validator
		if conv, loaded.err = loadFile(filepath.Join(filepath.Dir(path), ConversationsSpec)); loaded.err == nil {
			loaded.v.companions = append(loaded.v.companions, conv)
		}
	})
	return loaded.v, loaded.err
}

// ForTest returns the process-wide Validator for a behavioural test, or nil
// when the spec is absent: the test then runs and asserts as usual, only
// responses go unvalidated, and the run says so on one line. With
// AMIGO_TEST_REQUIRE_SERVICES=1 an absent spec fails t instead; any other
// load error always fails t.
func ForTest(t testing.TB) *Validator {
	t.Helper()
	return forTest(t, Load, false)
}

// Require is ForTest for tests that exist to check the spec itself (the
// validator's own tests, the operations table against the spec): without
// the spec they have nothing to check, so they skip, and the run says so.
func Require(t testing.TB) *Validator {
	t.Helper()
	return forTest(t, Load, true)
}

func forTest(t testing.TB, load func() (*Validator, error), skip bool) *Validator {
	t.Helper()
	v, err := load()
	switch {
	case err == nil:
		return v
	case errors.Is(err, ErrSpecNotFound) && os.Getenv(requireEnv) != "1":
		announceMissingSpec(err)
		if skip {
			t.Skipf("conformance: %v; nothing to check without the spec (set %s)", err, SpecPathEnv)
		}
	default:
		t.Fatalf("conformance: %v", err)
	}
	return nil
}

// SpecPath says where the spec should be, without checking that it is there:
// $AMIGO_SPEC_PATH, else ../shared/spec/openapi.json beside the module root.
func SpecPath() (string, error) {
	if p := os.Getenv(SpecPathEnv); p != "" {
		return p, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("conformance: %w", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared", "spec", "openapi.json"), nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("%w: no go.mod at or above %s", ErrSpecNotFound, wd)
		}
	}
}

// FromDocument builds a Validator from an OpenAPI document in memory, such
// as the server's own (api.OpenAPIDocument), which the behavioural suite
// checks its traffic against besides Amigo's.
func FromDocument(spec []byte) (*Validator, error) { return newValidator(spec) }

// loadFile parses the spec at path and builds a Validator from it.
func loadFile(path string) (*Validator, error) {
	spec, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s", ErrSpecNotFound, path)
	}
	if err != nil {
		return nil, fmt.Errorf("conformance: %w", err)
	}
	v, err := newValidator(spec)
	if err != nil {
		return nil, fmt.Errorf("conformance: %s: %w", path, err)
	}
	return v, nil
}

// newValidator parses spec, builds the route table and compiles every
// response schema into the schema cache that Check's body validation reads.
func newValidator(spec []byte) (*Validator, error) {
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		return nil, err
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, err
	}
	m := &model.Model
	opts := config.NewValidationOptions(config.WithFormatAssertions())
	v := &Validator{
		routes:  buildRoutes(m),
		bodies:  responses.NewResponseBodyValidator(m, config.WithExistingOpts(opts)),
		cache:   opts.SchemaCache,
		version: helpers.VersionToFloat(m.Version),
	}
	if err := v.compileResponseSchemas(opts); err != nil {
		return nil, err
	}
	return v, nil
}

// compileResponseSchemas fills the schema cache the same way the library's
// own warm-up does, but for response bodies only, and reports failures.
func (v *Validator) compileResponseSchemas(opts *config.ValidationOptions) error {
	var errs []error
	for _, r := range v.routes {
		for _, op := range r.ops {
			if op.Responses == nil {
				continue
			}
			for code, resp := range op.Responses.Codes.FromOldest() {
				for mediaType, mt := range resp.Content.FromOldest() {
					if mt.Schema == nil {
						continue
					}
					schema := mt.Schema.Schema()
					key := v.cacheKey(mt)
					if _, ok := v.cache.Load(key); ok {
						continue
					}
					compiled, err := schema_validation.CompileSchemaForValidation(schema,
						schema_validation.SchemaValidationPurposeResponseBody, opts, v.version)
					if err != nil {
						errs = append(errs, fmt.Errorf("%s %s: %s %s: %w", op.OperationId, r.template, code, mediaType, err))
						continue
					}
					v.cache.Store(key, compiled.ToCacheEntry(schema))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// cacheKey is the key under which the library caches mt's compiled schema.
func (v *Validator) cacheKey(mt *v3.MediaType) uint64 {
	return schema_validation.SchemaCacheKey(mt.Schema.Schema().GoLow().Hash(), v.version,
		schema_validation.SchemaValidationPurposeResponseBody)
}
