// Package discharge holds the event contracts of the hospital discharge
// service: one stream per hospital stay (admission to discharge and the
// community work that follows it), under the wire names
// careweave.discharge.<event>.v<N>.
//
// The patient is the envelope's subject, an opaque reference; no event
// carries an NHS number, a name, a date of birth or an address. Hospitals,
// practices, pharmacies and PCNs appear by ODS code; care homes, community
// teams and clinicians by directory id. Each event carries what a consumer
// needs to build a timeline entry or a worklist row without calling back
// (windows, deadlines, pathway, destination), and a cancelled discharge is a
// compensating event (HL7 ADT A13) that names the discharge it retracts:
// nothing is ever deleted.
//
// It imports only the standard library and the events module.
package discharge
