package store

import (
	"context"

	"github.com/careweave/careweave/events"
	pe "github.com/careweave/careweave/events/patients"
)

type registrationsSQL struct {
	register, move, merge string
}

func newRegistrationsSQL(schema string) registrationsSQL {
	t := schema + ".registrations"
	return registrationsSQL{
		register: `INSERT INTO ` + t + ` (patient, practice, pcn, stream_version, updated_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (patient) DO UPDATE SET practice = excluded.practice, pcn = excluded.pcn,
				stream_version = excluded.stream_version, updated_at = excluded.updated_at
			WHERE registrations.stream_version < excluded.stream_version`,
		move: `UPDATE ` + t + ` SET practice = $2, pcn = $3, stream_version = $4, updated_at = $5
			WHERE patient = $1 AND stream_version < $4`,
		merge: `UPDATE ` + t + ` SET merged_into = $2, stream_version = $3, updated_at = $4
			WHERE patient = $1 AND stream_version < $3`,
	}
}

// ApplyRegistrations applies a patient registry event to where patients
// are registered.
func (s *Store) ApplyRegistrations(ctx context.Context, w Writer, env events.Envelope, data events.Data) error {
	switch e := data.(type) {
	case pe.PatientRegistered:
		return s.exec(ctx, w, s.registrations.register, e.Patient, e.Practice, e.PCN, env.StreamVersion, env.Time)
	case pe.PracticeChanged:
		return s.exec(ctx, w, s.registrations.move, e.Patient, e.ToPractice, e.ToPCN, env.StreamVersion, env.Time)
	case pe.PatientMerged:
		return s.exec(ctx, w, s.registrations.merge, e.Patient, e.Survivor, env.StreamVersion, env.Time)
	}
	return nil
}
