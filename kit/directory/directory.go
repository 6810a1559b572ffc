package directory

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
)

// Role is a clinician's role.
type Role string

// Roles a clinician may have.
const (
	RoleGP                   Role = "gp"
	RoleParamedic            Role = "paramedic"
	RoleAdvancedPractitioner Role = "advanced-clinical-practitioner"
	RoleDistrictNurse        Role = "district-nurse"
	RolePharmacist           Role = "clinical-pharmacist"
	RoleCareCoordinator      Role = "care-coordinator"
	RoleCommunityNurse       Role = "community-nurse"
	RoleSocialWorker         Role = "social-worker"
	RoleDischargeCoordinator Role = "discharge-coordinator"
)

var roles = []Role{RoleGP, RoleParamedic, RoleAdvancedPractitioner, RoleDistrictNurse, RolePharmacist,
	RoleCareCoordinator, RoleCommunityNurse, RoleSocialWorker, RoleDischargeCoordinator}

// PCN is a Primary Care Network; its ODS code is the routing area of its
// patients' events.
type PCN struct {
	ODS  string `json:"ods"`
	Name string `json:"name"`
}

// Practice is a GP practice in a PCN.
type Practice struct {
	ODS  string `json:"ods"`
	Name string `json:"name"`
	PCN  string `json:"pcn"`
}

// CareHome is a care home aligned to one PCN, with a named clinical lead.
type CareHome struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	PCN          string `json:"pcn"`
	ClinicalLead string `json:"clinicalLead"`
	Beds         int    `json:"beds"`
}

// Team is a community health or social-care team and the areas (PCNs) it
// covers.
type Team struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Kind  string   `json:"kind"` // community-health, social-care, integrated, ucr
	Areas []string `json:"areas"`
}

// Clinician is a person who can be given work.
type Clinician struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
	Org  string `json:"org"` // the PCN, practice or team they work for
}

// Directory is a loaded, validated directory.
type Directory struct {
	Version        string      `json:"version"`
	PCNs           []PCN       `json:"pcns"`
	Practices      []Practice  `json:"practices"`
	CareHomes      []CareHome  `json:"careHomes"`
	CommunityTeams []Team      `json:"communityTeams"`
	Clinicians     []Clinician `json:"clinicians"`

	pcns       map[string]PCN
	practices  map[string]Practice
	careHomes  map[string]CareHome
	teams      map[string]Team
	clinicians map[string]Clinician
}

//go:embed demo.json
var demo []byte

// Demo returns the embedded demo PCN.
func Demo() *Directory {
	d, err := Parse(demo)
	if err != nil {
		panic("directory: embedded demo is invalid: " + err.Error()) // caught by the package's tests
	}
	return d
}

// Load reads a directory file; an empty path means the demo.
func Load(path string) (*Directory, error) {
	if path == "" {
		return Demo(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read directory: %w", err)
	}
	d, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("directory %s: %w", path, err)
	}
	return d, nil
}

var (
	odsCode = regexp.MustCompile(`^[A-Z0-9]{3,8}$`)
	idToken = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,63}$`)
)

// Parse decodes and validates a directory: codes well formed and unique,
// every reference pointing at something that exists, no team sharing a
// clinician's id.
func Parse(b []byte) (*Directory, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var d Directory
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if d.Version == "" {
		return nil, errors.New("version is required")
	}
	d.pcns, d.practices, d.careHomes = map[string]PCN{}, map[string]Practice{}, map[string]CareHome{}
	d.teams, d.clinicians = map[string]Team{}, map[string]Clinician{}
	for _, p := range d.PCNs {
		if !odsCode.MatchString(p.ODS) || p.Name == "" {
			return nil, fmt.Errorf("pcn %q: want an ODS code and a name", p.ODS)
		}
		if err := unique(d.pcns, p.ODS, p); err != nil {
			return nil, err
		}
	}
	for _, p := range d.Practices {
		if !odsCode.MatchString(p.ODS) || p.Name == "" {
			return nil, fmt.Errorf("practice %q: want an ODS code and a name", p.ODS)
		}
		if _, ok := d.pcns[p.PCN]; !ok {
			return nil, fmt.Errorf("practice %s: unknown pcn %q", p.ODS, p.PCN)
		}
		if err := unique(d.practices, p.ODS, p); err != nil {
			return nil, err
		}
	}
	for _, c := range d.Clinicians {
		if !idToken.MatchString(c.ID) || c.Name == "" || !slices.Contains(roles, c.Role) {
			return nil, fmt.Errorf("clinician %q: want an id, a name and a known role", c.ID)
		}
		if err := unique(d.clinicians, c.ID, c); err != nil {
			return nil, err
		}
	}
	for _, t := range d.CommunityTeams {
		if !idToken.MatchString(t.ID) || t.Name == "" || len(t.Areas) == 0 {
			return nil, fmt.Errorf("team %q: want an id, a name and at least one area", t.ID)
		}
		for _, a := range t.Areas {
			if _, ok := d.pcns[a]; !ok {
				return nil, fmt.Errorf("team %s: unknown area %q", t.ID, a)
			}
		}
		if err := unique(d.teams, t.ID, t); err != nil {
			return nil, err
		}
		// A team and a clinician with one id would share their notice
		// subjects (care.notify.<id>.>) and their NATS user: each would
		// read the other's notices.
		if _, ok := d.clinicians[t.ID]; ok {
			return nil, fmt.Errorf("team %s: a clinician has the same id; teams and clinicians need ids of their own", t.ID)
		}
	}
	for _, h := range d.CareHomes {
		if !idToken.MatchString(h.ID) || h.Name == "" {
			return nil, fmt.Errorf("care home %q: want an id and a name", h.ID)
		}
		if _, ok := d.pcns[h.PCN]; !ok {
			return nil, fmt.Errorf("care home %s: unknown pcn %q", h.ID, h.PCN)
		}
		if _, ok := d.clinicians[h.ClinicalLead]; !ok {
			return nil, fmt.Errorf("care home %s: unknown clinical lead %q", h.ID, h.ClinicalLead)
		}
		if err := unique(d.careHomes, h.ID, h); err != nil {
			return nil, err
		}
	}
	return &d, nil
}

func unique[T any](m map[string]T, key string, v T) error {
	if _, dup := m[key]; dup {
		return fmt.Errorf("%q appears twice", key)
	}
	m[key] = v
	return nil
}

// PCN returns a PCN by ODS code.
func (d *Directory) PCN(ods string) (PCN, bool) { p, ok := d.pcns[ods]; return p, ok }

// Practice returns a practice by ODS code.
func (d *Directory) Practice(ods string) (Practice, bool) { p, ok := d.practices[ods]; return p, ok }

// CareHome returns a care home by id.
func (d *Directory) CareHome(id string) (CareHome, bool) { h, ok := d.careHomes[id]; return h, ok }

// Team returns a community team by id.
func (d *Directory) Team(id string) (Team, bool) { t, ok := d.teams[id]; return t, ok }

// Clinician returns a clinician by id.
func (d *Directory) Clinician(id string) (Clinician, bool) { c, ok := d.clinicians[id]; return c, ok }

// TeamsCovering returns the community teams covering an area.
func (d *Directory) TeamsCovering(area string) []Team {
	var out []Team
	for _, t := range d.CommunityTeams {
		if slices.Contains(t.Areas, area) {
			out = append(out, t)
		}
	}
	return out
}
