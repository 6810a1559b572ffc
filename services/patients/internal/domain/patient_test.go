package domain_test

import (
	"testing"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/patients"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	pd "github.com/careweave/careweave/services/patients/internal/domain"
)

var typ = aggregate.Type[pd.Patient]{Name: "patient", Registry: patients.Registry(), Evolve: pd.Evolve, Route: pd.Route}

var (
	registered = patients.PatientRegistered{Patient: "p1", Practice: "L84001", PCN: "U84001", TraceStatus: patients.TraceVerified}
	merged     = patients.PatientMerged{Patient: "p1", Survivor: "p2"}
)

func TestRegister(t *testing.T) {
	cmd := pd.RegisterCmd{Ref: "p1", Practice: "L84001", PCN: "U84001", TraceStatus: patients.TraceVerified}
	aggregatetest.Then(t, typ, nil, pd.Register(cmd), registered)
	aggregatetest.Fails(t, typ, []events.Data{registered}, pd.Register(cmd), domain.ErrAlreadyExists)
	cmd.TraceStatus = "09"
	aggregatetest.Invalid(t, typ, nil, pd.Register(cmd), "traceStatus")
}

func TestChangeDemographics(t *testing.T) {
	aggregatetest.Then(t, typ, []events.Data{registered}, pd.ChangeDemographics([]string{"familyName"}),
		patients.DemographicsChanged{Patient: "p1", Changed: []string{"familyName"}})
	aggregatetest.Then(t, typ, []events.Data{registered}, pd.ChangeDemographics(nil))
	aggregatetest.Invalid(t, typ, []events.Data{registered}, pd.ChangeDemographics([]string{"nhsNumber"}), "nhsNumber")
	aggregatetest.Refused(t, typ, []events.Data{registered, merged}, pd.ChangeDemographics([]string{"familyName"}), "merged")
	aggregatetest.Fails(t, typ, nil, pd.ChangeDemographics([]string{"familyName"}), domain.ErrNotFound)
}

func TestChangeTraceStatus(t *testing.T) {
	aggregatetest.Then(t, typ, []events.Data{registered}, pd.ChangeTraceStatus(patients.TraceNoMatch),
		patients.TraceStatusChanged{Patient: "p1", TraceStatus: patients.TraceNoMatch})
	aggregatetest.Then(t, typ, []events.Data{registered}, pd.ChangeTraceStatus(patients.TraceVerified))
	aggregatetest.Invalid(t, typ, []events.Data{registered}, pd.ChangeTraceStatus("00"), "traceStatus")
	aggregatetest.Refused(t, typ, []events.Data{registered, merged}, pd.ChangeTraceStatus(patients.TraceNoMatch), "merged")
}

func TestChangePractice(t *testing.T) {
	aggregatetest.Then(t, typ, []events.Data{registered}, pd.ChangePractice(pd.ChangePracticeCmd{Practice: "L84011", PCN: "U84002"}),
		patients.PracticeChanged{Patient: "p1", FromPractice: "L84001", ToPractice: "L84011", FromPCN: "U84001", ToPCN: "U84002"})
	aggregatetest.Then(t, typ, []events.Data{registered}, pd.ChangePractice(pd.ChangePracticeCmd{Practice: "L84001", PCN: "U84001"}))
	aggregatetest.Refused(t, typ, []events.Data{registered, merged}, pd.ChangePractice(pd.ChangePracticeCmd{Practice: "L84011", PCN: "U84002"}), "merged")
}

func TestMerge(t *testing.T) {
	aggregatetest.Then(t, typ, []events.Data{registered}, pd.Merge("p2"), merged)
	aggregatetest.Invalid(t, typ, []events.Data{registered}, pd.Merge("p1"), "survivor")
	aggregatetest.Refused(t, typ, []events.Data{registered, merged}, pd.Merge("p3"), "merged")
	aggregatetest.Fails(t, typ, nil, pd.Merge("p2"), domain.ErrNotFound)
}

func TestRouteIsThePatientInTheirPCN(t *testing.T) {
	s, _ := aggregatetest.Given(typ, registered, patients.PracticeChanged{Patient: "p1", ToPractice: "L84011", ToPCN: "U84002"})
	if subject, area := pd.Route(s); subject != "p1" || area != "U84002" {
		t.Fatalf("Route = %s, %s", subject, area)
	}
}
