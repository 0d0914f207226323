package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
)

// serviceJSON keeps the JSON of each listed service, by the identity of
// the domain value. A store hands out one value per stored revision of a
// service (sqldb's service cache), immutable, so a listing encodes each
// service once per revision instead of converting and encoding all ten on
// every request, which was a fifth of a listing's time. A service that
// changed is a new value, whose encoding replaces the old one's; a store
// that returns fresh values each time is only encoded each time.
type serviceJSON struct {
	mu      sync.Mutex
	entries map[string]encodedService // by service id
}

// encodedService is the JSON of one value of a service. Keeping one entry
// per service id, not per value, lets a newer value replace the older one.
type encodedService struct {
	of   *amigo.Service
	json []byte
}

// maxEncodedServices bounds serviceJSON at about a kilobyte an entry.
const maxEncodedServices = 20_000

// encode returns the JSON of s as get-services lists it.
func (c *serviceJSON) encode(s *amigo.Service) []byte {
	c.mu.Lock()
	e, ok := c.entries[s.ID]
	c.mu.Unlock()
	if ok && e.of == s {
		return e.json
	}
	b, err := json.Marshal(wire.NewService(s))
	if err != nil {
		panic("api: encode service: " + err.Error()) // the server's own types
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxEncodedServices {
		c.entries = make(map[string]encodedService)
	}
	c.entries[s.ID] = encodedService{of: s, json: b}
	return b
}

// writeServiceList writes the answer of get-services: wire.ServiceList,
// byte for byte as writeJSON would write it (TestServiceListEncoding),
// with each service's JSON from c.
func (c *serviceJSON) writeServiceList(w http.ResponseWriter, services []*amigo.Service, page wire.Page, tags []string) {
	writeBody(w, http.StatusOK, func(buf *bytes.Buffer) error {
		buf.WriteString(`{"services":[`)
		for i, s := range services {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.Write(c.encode(s))
		}
		buf.WriteByte(']')
		// The rest of the object is encoded as its own struct, whose
		// opening brace becomes the comma after "services".
		rest := serviceListTail{Page: page}
		rest.FilterValues.Tags = tags
		if tags == nil {
			rest.FilterValues.Tags = []string{}
		}
		tail, err := json.Marshal(rest)
		if err != nil {
			return err
		}
		buf.WriteByte(',')
		buf.Write(tail[1:])
		buf.WriteByte('\n') // as json.Encoder ends every value
		return nil
	})
}

// serviceListTail is wire.ServiceList without its services.
type serviceListTail struct {
	wire.Page
	FilterValues struct {
		Tags []string `json:"tags"`
	} `json:"filter_values"`
}
