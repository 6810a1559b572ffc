package timeline

import (
	"github.com/careweave/careweave/events"
	pe "github.com/careweave/careweave/events/patients"
)

// patients maps the registry's events. They carry no personal details, and
// neither do their entries: a change of details says which kinds of detail
// changed, never their values. A merge adds an entry on both records.
func (p *Projector) patients(env events.Envelope, data events.Data) (Effect, error) {
	s, err := p.newSource(env, data, "patients", "patient", CategoryRegistration)
	if err != nil {
		return Effect{}, err
	}
	switch d := data.(type) {
	case pe.PatientRegistered:
		pt, err := s.patient(d.Patient)
		if err != nil {
			return Effect{}, err
		}
		sum := "Registered at practice " + ident(d.Practice) + " (PCN " + ident(d.PCN) + "); NHS number " + trace(d.TraceStatus)
		return one(s.entry(pt, env.Time, "", sum)), nil

	case pe.DemographicsChanged:
		pt, err := s.patient(d.Patient)
		if err != nil {
			return Effect{}, err
		}
		seen := map[string]bool{}
		var kinds []string
		for _, c := range d.Changed {
			k := detail(c)
			if !seen[k] {
				seen[k] = true
				kinds = append(kinds, k)
			}
		}
		sum := "Personal details updated in the patient registry"
		if len(kinds) > 0 {
			sum += ": " + list(kinds)
		}
		return one(s.entry(pt, env.Time, "", sum)), nil

	case pe.TraceStatusChanged:
		pt, err := s.patient(d.Patient)
		if err != nil {
			return Effect{}, err
		}
		return one(s.entry(pt, env.Time, "", "NHS number trace status changed: "+trace(d.TraceStatus))), nil

	case pe.PracticeChanged:
		pt, err := s.patient(d.Patient)
		if err != nil {
			return Effect{}, err
		}
		sum := "Registered practice changed from " + ident(d.FromPractice) + " (PCN " + ident(d.FromPCN) + ") to " +
			ident(d.ToPractice) + " (PCN " + ident(d.ToPCN) + ")"
		return one(s.entry(pt, env.Time, "", sum)), nil

	case pe.PatientMerged:
		pt, err := s.patient(d.Patient)
		if err != nil {
			return Effect{}, err
		}
		if !isRef(d.Survivor) || d.Survivor == pt {
			return Effect{}, malformed("merge names no other surviving record")
		}
		return Effect{Add: []Entry{
			s.entry(pt, env.Time, "", "Record merged into "+d.Survivor+": it was a duplicate, and its care continues on that record"),
			s.entry(d.Survivor, env.Time, "", "Duplicate record "+pt+" merged into this record"),
		}}, nil
	}
	return Effect{}, unknown(data)
}

// trace says what an NHS number trace status means (PDS NSTS01-08).
func trace(t pe.TraceStatus) string {
	switch t {
	case pe.TraceVerified:
		return "verified (01)"
	case pe.TraceNotTraced:
		return "present but not traced (02)"
	case pe.TraceRequired:
		return "trace required (03)"
	case pe.TraceNoMatch:
		return "trace attempted, no or several matches (04)"
	case pe.TraceToResolve:
		return "trace needs resolving (05)"
	case pe.TraceInProgress:
		return "trace in progress (06)"
	case pe.TraceNotPresent:
		return "not present, trace not required (07)"
	case pe.TracePostponed:
		return "trace postponed (08)"
	}
	return "trace status unknown"
}

// detail names a kind of personal detail without its value; anything it
// does not know is "other details", so a value put in the list by mistake
// never reaches a timeline.
func detail(field string) string {
	switch field {
	case "givenName":
		return "given name"
	case "familyName":
		return "family name"
	case "birthDate":
		return "date of birth"
	case "nhsNumber":
		return "NHS number"
	case "gender", "sex":
		return "gender"
	case "address", "postcode":
		return "address"
	case "phone", "telephone", "email":
		return "contact details"
	}
	return "other details"
}
