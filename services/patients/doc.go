// Package patients is the patient registry: the one place that registers a
// patient and issues the opaque reference every event, subject and read
// model uses. An NHS number arriving at any service resolves here to the
// same reference. Personal details (NHS number, name, date of birth) stay in
// this service's own table so they can be erased or encrypted per patient;
// its events carry none of them.
package patients
