package api

import (
	"time"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/services/discharge/internal/domain"
)

// stayView is a stay as GET and every command answer show it: the state
// with its times in UTC, the version (also the ETag), and the times staff
// read rendered in the rules' zone (Europe/London). A cancelled discharge
// stays in retractedDischarges with its cancellation: retracted, not gone.
type stayView struct {
	domain.StayState
	// CurrentPathway is the standing discharge's pathway, else the plan's.
	CurrentPathway string     `json:"currentPathway,omitempty"`
	Version        int64      `json:"version"`
	Local          localTimes `json:"local"`
}

// localTimes are the deadlines and events staff act on, in local time
// (RFC 3339 with the local offset: +01:00 in British Summer Time, Z in winter).
type localTimes struct {
	Zone                     string `json:"zone"`
	AdmittedAt               string `json:"admittedAt,omitempty"`
	DischargedAt             string `json:"dischargedAt,omitempty"`
	SummaryDueBy             string `json:"summaryDueBy,omitempty"`
	FollowUpDueBy            string `json:"followUpDueBy,omitempty"`
	MedicinesFirstCheckDueBy string `json:"medicinesFirstCheckDueBy,omitempty"`
}

func newStayView(l aggregate.Loaded[domain.StayState], loc *time.Location) stayView {
	s := l.State
	v := stayView{StayState: s, CurrentPathway: string(s.Pathway()), Version: l.Version}
	local := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format(time.RFC3339)
	}
	v.Local = localTimes{Zone: loc.String(), AdmittedAt: local(s.AdmittedAt)}
	if d := s.Discharge; d != nil {
		v.Local.DischargedAt, v.Local.SummaryDueBy = local(d.DischargedAt), local(d.SummaryDueBy)
		v.Local.FollowUpDueBy = local(d.FollowUpDueBy)
		if d.FollowUp != nil {
			v.Local.FollowUpDueBy = local(d.FollowUp.DueBy)
		}
		if d.Medicines != nil {
			v.Local.MedicinesFirstCheckDueBy = local(d.Medicines.FirstCheckDueBy)
		}
	}
	return v
}
