//! orch-parser's integration tests: conformance with Puppet's own output over the fixture
//! corpus, and property tests over arbitrary input.

mod deep;
mod fixtures;
mod parse_all;
mod properties;
