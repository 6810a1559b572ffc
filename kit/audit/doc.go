// Package audit records who read or changed a patient's data (ISO 27789
// access audit) as events in the recording service's own append-only event
// log: events/access's AccessRecorded and BreakGlassGranted, in stream
// access-<patient>, with the service's name as the envelope's area. The
// log's triggers refuse UPDATE, DELETE and TRUNCATE, no API writes the
// table, and the service's relay publishes the records on
// care.access.<service>.p<NN>.<event>.v1 like any other event, where the
// projections build the patient's access log.
//
// Two ways to record, one rule: an access that succeeded always has its
// record.
//   - A change records with RecordTx in the transaction that appends the
//     change's events, so the record commits with the change or not at all.
//   - A read records with Record, in its own transaction, after deciding what
//     to answer and before writing a byte of the response; if the record
//     cannot be stored the handler answers 503 (Record's error says so to
//     httpkit.WriteError) and the data is never served.
//
// A denial is recorded the same way, with outcome denied and basis none.
// Of builds a record from the request: the caller from its verified token
// (auth.From), the request id the httpkit middleware keeps, and the path.
package audit
