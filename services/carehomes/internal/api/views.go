package api

import (
	"time"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
)

// localLayout renders an instant in the care home's calendar with its
// offset, so staff read 10:00+01:00 in summer and 10:00+00:00 in winter.
const localLayout = "2006-01-02T15:04:05-07:00"

// roundView is a round as the API shows it: the domain state (instants in
// UTC), its version, and the same instants on the care home's clock.
type roundView struct {
	domain.RoundState
	Version         int64             `json:"version"`
	AwaitingOutcome []string          `json:"awaitingOutcome"`
	TimeZone        string            `json:"timeZone"`
	Local           map[string]string `json:"local"`
}

func newRoundView(l aggregate.Loaded[domain.RoundState], loc *time.Location) roundView {
	s := l.State
	if s.Nominations == nil {
		s.Nominations = []domain.Nomination{}
	}
	if s.Actions == nil {
		s.Actions = []domain.Action{}
	}
	v := roundView{RoundState: s, Version: l.Version, AwaitingOutcome: s.AwaitingOutcome(), TimeZone: loc.String()}
	if v.AwaitingOutcome == nil {
		v.AwaitingOutcome = []string{}
	}
	v.Local = local(loc, map[string]time.Time{"plannedStart": s.PlannedStart, "startedAt": s.StartedAt, "endedAt": s.EndedAt})
	return v
}

// residencyView is a residency as the API shows it.
type residencyView struct {
	ID string `json:"id"`
	domain.ResidencyState
	Version  int64             `json:"version"`
	TimeZone string            `json:"timeZone"`
	Local    map[string]string `json:"local"`
}

func newResidencyView(l aggregate.Loaded[domain.ResidencyState], loc *time.Location) residencyView {
	s := l.State
	return residencyView{
		ID: l.ID, ResidencyState: s, Version: l.Version, TimeZone: loc.String(),
		Local: local(loc, map[string]time.Time{
			"admittedAt": s.AdmittedAt, "assessedAt": s.AssessedAt, "carePlanAgreedAt": s.CarePlanAgreedAt,
			"dischargedAt": s.DischargedAt, "diedAt": s.DiedAt,
		}),
	}
}

// local renders the non-zero instants in loc.
func local(loc *time.Location, ts map[string]time.Time) map[string]string {
	out := make(map[string]string, len(ts))
	for k, t := range ts {
		if !t.IsZero() {
			out[k] = t.In(loc).Format(localLayout)
		}
	}
	return out
}
