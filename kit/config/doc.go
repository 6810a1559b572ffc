// Package config binds a component's settings to command-line flags with
// environment-variable fallbacks (flag beats environment beats default), and
// builds the structured logger from them. Components validate the result in
// their own Config.Validate.
package config
