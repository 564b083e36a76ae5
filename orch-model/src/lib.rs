//! Loads a Puppet environment (`site.pp` plus modules) and evaluates what Puppet's environment
//! compiler evaluated: top scope, the `site` body and every application instance's body.
//!
//! Not built yet. It will produce the *application model* (instances, components, the nodes they
//! run on, the capabilities they produce and consume) and the *environment graph* in Puppet
//! Server's JSON shape, reporting every semantic error with Puppet's wording.
