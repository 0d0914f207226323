package console

import (
	"net/http"
	"slices"

	"github.com/amigo-oss/amigo-server/client"
)

type servicesPage struct {
	Services []client.Service
}

func (c *Console) services(w http.ResponseWriter, r *http.Request, v *visit) error {
	list, err := client.Collect(v.api.Services(r.Context(), client.ServiceListOptions{}))
	if err != nil {
		return err
	}
	c.render(w, v, http.StatusOK, "services.html", "Services", servicesPage{Services: list})
	return nil
}

// servicePage is a service with its version sets in name order.
type servicePage struct {
	Service client.Service
	Sets    []namedVersionSet
}

type namedVersionSet struct {
	Name string
	client.VersionSet
	Models []string
}

func (c *Console) service(w http.ResponseWriter, r *http.Request, v *visit) error {
	page, err := v.api.ListServices(r.Context(), client.ServiceListOptions{IDs: []string{r.PathValue("id")}}, 0)
	if err != nil {
		return err
	}
	if len(page.Services) == 0 {
		return &pageError{status: http.StatusNotFound, msg: "Service not found."}
	}
	p := servicePage{Service: page.Services[0]}
	for name, vs := range p.Service.VersionSets {
		set := namedVersionSet{Name: name, VersionSet: vs}
		for interaction, cfg := range vs.LLMModelPreferences {
			set.Models = append(set.Models, interaction+": "+cfg.LLMName)
		}
		slices.Sort(set.Models)
		p.Sets = append(p.Sets, set)
	}
	slices.SortFunc(p.Sets, func(a, b namedVersionSet) int {
		if a.Name < b.Name {
			return -1
		}
		return 1
	})
	c.render(w, v, http.StatusOK, "service.html", "Services", p)
	return nil
}
