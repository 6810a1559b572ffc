// Package directory is the one directory of the organisations and people
// around a patient: PCNs, their practices and aligned care homes, community
// teams and the areas they cover, and clinicians with their roles. It is a
// versioned JSON file loaded at start-up (DIRECTORY_FILE), with the demo PCN
// embedded as the default so `make run` shows a living system at once.
package directory
