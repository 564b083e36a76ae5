//! orch-model: a Puppet environment (`site.pp` plus modules) evaluated as Puppet's environment
//! compiler did — top scope, the `site` body and every application instance's body — into the
//! *application model*: which application instances exist, which components they have, which
//! node each runs on, which capabilities each produces and consumes.
//!
//! The model's exchange format is Puppet Server's *environment graph*
//! (`GET /puppet/v3/environment/:env`), [`EnvironmentGraph`]: the planner orders nodes from it,
//! whether orch computed it or a real Puppet Server served it.
//!
//! Status: the environment graph (types, JSON in and out, references) is built; the loader and
//! evaluator are next.

mod error;
mod graph;
mod reference;

pub use error::ModelError;
pub use graph::{Component, EnvironmentGraph};
pub use reference::ResourceRef;
