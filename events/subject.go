package events

import (
	"fmt"
	"hash/fnv"
)

// The NATS subject scheme. Every event is published on
//
//	care.<service>.<area>.p<NN>.<event>.v<version>
//
// e.g. care.discharge.U12345.p07.patient_discharged.v1, where
//   - service is the owning service (homevisits, medreviews, carehomes, discharge, ...),
//   - area is the routing token of the owning organisation (a PCN ODS code),
//     or of a notice's recipient (a team's or clinician's directory id),
//   - pNN is the partition, a hash of the patient reference modulo Partitions,
//   - event and version come from the wire type name.
//
// No token carries a patient identifier, a name or a clinical term: the
// partition is a hash bucket shared by thousands of patients. Subscribers
// filter with wildcards: a community team takes care.discharge.<area>.>, a
// projection worker takes care.*.*.p07.> for its partition. All events of one
// patient share a partition, so one consumer per partition sees them in order.
const (
	SubjectRoot = "care"
	// MaxAreaLen bounds a routing token.
	MaxAreaLen = 64
	// Partitions is fixed: changing it moves patients between partitions and
	// needs a coordinated re-partition of consumers.
	Partitions = 16
)

// Partition returns the partition (0..Partitions-1) for a partition key.
func Partition(key string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return int(h.Sum32() % Partitions)
}

// PartitionToken returns the subject token of partition p, e.g. "p07".
func PartitionToken(p int) string { return fmt.Sprintf("p%02d", p) }

// SubjectOf returns the subject an envelope is published on.
func SubjectOf(e *Envelope) (string, error) {
	tn, err := ParseTypeName(e.Type)
	if err != nil {
		return "", &FieldError{"type", err.Error()}
	}
	if !isToken(e.Area, MaxAreaLen) {
		return "", &FieldError{"area", "is not a valid routing token"}
	}
	return fmt.Sprintf("%s.%s.%s.%s.%s.v%d", SubjectRoot, tn.Service, e.Area,
		PartitionToken(Partition(e.PartitionKey())), tn.Event, tn.Version), nil
}

// FilterAll matches every Careweave event.
const FilterAll = SubjectRoot + ".>"

// FilterService matches every event of one service.
func FilterService(service string) string { return SubjectRoot + "." + service + ".>" }

// FilterArea matches one service's events for one area (a PCN).
func FilterArea(service, area string) string {
	return SubjectRoot + "." + service + "." + area + ".>"
}

// FilterServicePartition matches one service's events in one partition.
func FilterServicePartition(service string, p int) string {
	return SubjectRoot + "." + service + ".*." + PartitionToken(p) + ".>"
}

// FilterPartition matches every service's events in one partition.
func FilterPartition(p int) string {
	return SubjectRoot + ".*.*." + PartitionToken(p) + ".>"
}

// FilterEvent matches one event type (service, event and version of its
// wire name) in partition p or, for p < 0, in every partition.
func FilterEvent(tn TypeName, p int) string {
	part := "*"
	if p >= 0 {
		part = PartitionToken(p)
	}
	return fmt.Sprintf("%s.%s.*.%s.%s.v%d", SubjectRoot, tn.Service, part, tn.Event, tn.Version)
}
