package conformance

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
)

// Schemas validates JSON documents against the named component schemas of
// one spec document, for what Check cannot see: the single lines of an
// NDJSON stream, and bodies built before a handler serves them. It is safe
// for concurrent use.
type Schemas struct {
	components map[string]*base.Schema
	version    float32
	mu         sync.Mutex
	validator  schema_validation.SchemaValidator
}

var conversations struct {
	once sync.Once
	s    *Schemas
	err  error
}

// ConversationsSpecPath is conversations.json beside SpecPath's openapi.json.
func ConversationsSpecPath() (string, error) {
	p, err := SpecPath()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(p), "conversations.json"), nil
}

// LoadConversations returns the process-wide Schemas of conversations.json,
// parsed on first use; an absent file yields an error wrapping
// ErrSpecNotFound.
func LoadConversations() (*Schemas, error) {
	conversations.once.Do(func() {
		path, err := ConversationsSpecPath()
		if err != nil {
			conversations.err = err
			return
		}
		conversations.s, conversations.err = loadSchemas(path)
	})
	return conversations.s, conversations.err
}

// ConversationSchemas is ForTest for conversations.json's schemas: nil
// (the test runs unvalidated, and says so) when the spec is absent, unless
// AMIGO_TEST_REQUIRE_SERVICES=1, which fails t.
func ConversationSchemas(t testing.TB) *Schemas {
	t.Helper()
	s, err := LoadConversations()
	switch {
	case err == nil:
		return s
	case errors.Is(err, ErrSpecNotFound) && os.Getenv(requireEnv) != "1":
		announceMissingSpec(err)
	default:
		t.Fatalf("conformance: %v", err)
	}
	return nil
}

func loadSchemas(path string) (*Schemas, error) {
	spec, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s", ErrSpecNotFound, path)
	}
	if err != nil {
		return nil, fmt.Errorf("conformance: %w", err)
	}
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		return nil, fmt.Errorf("conformance: %s: %w", path, err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("conformance: %s: %w", path, err)
	}
	s := &Schemas{components: map[string]*base.Schema{}, version: 3.1,
		validator: schema_validation.NewSchemaValidator(config.WithFormatAssertions())}
	for name, proxy := range model.Model.Components.Schemas.FromOldest() {
		s.components[name] = proxy.Schema()
	}
	return s, nil
}

// Check validates body against the component schema named component
// (such as "ConversationCreatedEvent"), returning every violation.
func (s *Schemas) Check(component string, body []byte) error {
	sch := s.components[component]
	if sch == nil {
		return fmt.Errorf("conformance: no component schema %q", component)
	}
	s.mu.Lock()
	ok, errs := s.validator.ValidateSchemaBytes(sch, body)
	s.mu.Unlock()
	if ok {
		return nil
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Message+": "+e.Reason)
		for _, v := range e.SchemaValidationErrors {
			msgs = append(msgs, "  "+v.FieldPath+": "+v.Reason)
		}
	}
	return fmt.Errorf("conformance: %s does not match %s:\n\t%s", body, component, strings.Join(msgs, "\n\t"))
}
