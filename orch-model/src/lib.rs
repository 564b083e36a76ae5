//! orch-model: a Puppet environment (`site.pp` plus modules) evaluated as Puppet's environment
//! compiler did — top scope, the `site` body and every application instance's body — into the
//! *application model*: which application instances exist, which components they have, which
//! node each runs on, which capabilities each produces and consumes.
//!
//! The model's exchange format is Puppet Server's *environment graph*
//! (`GET /puppet/v3/environment/:env`), [`EnvironmentGraph`]: the planner orders nodes from it,
//! whether orch computed it or a real Puppet Server served it.
//!
//! ```no_run
//! use orch_model::{Environment, EnvironmentSource};
//! let source = EnvironmentSource { path: "examples/lamp".into(), name: "production".into(), ..Default::default() };
//! let mut env = Environment::load(&source);
//! let model = orch_model::compile(&mut env);
//! for p in &model.problems { eprintln!("{p}"); }
//! print!("{}", orch_model::render_text(&orch_model::select(&model, &[])));
//! ```

mod code;
mod compile;
mod data;
mod error;
mod eval;
mod graph;
mod load;
mod model;
mod problem;
mod reference;
mod show;
mod value;
mod walk;

pub use code::CapabilityType;
pub use compile::compile;
pub use error::ModelError;
pub use eval::{MAX_EVAL_DEPTH, MAX_EVAL_STEPS};
pub use graph::{Component as GraphComponent, EnvironmentGraph};
pub use load::{Environment, EnvironmentSource};
pub use model::{AppInstance, Capability, Component, Model};
pub use problem::{Level, Location, Problem};
pub use reference::ResourceRef;
pub use show::{graph, render_text, select};

/// The stack a thread that loads and compiles an environment should have: the deepest input
/// the limits allow ([`orch_parser::MAX_NESTING`], [`MAX_EVAL_DEPTH`]) needs about 6 MiB in a
/// release build and several times that unoptimised. Only the pages used are ever committed.
pub const STACK_SIZE: usize = 256 << 20;
pub use value::{MAX_VALUE_DEPTH, MAX_VALUE_ELEMENTS, Secret, Value};
