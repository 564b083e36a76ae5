//! orch-planner: the node run order of an application-orchestration environment, computed as
//! `puppet job plan` did, and shown better.
//!
//! The input is an [`orch_model::EnvironmentGraph`] (Puppet Server's environment graph, whether
//! orch evaluated the Puppet code or a real Puppet Server served it), plus any extra node names
//! (an inventory's nodes) that host no component. From it:
//!
//! - the **node graph**: the node hosting a capability's producer runs before every other node
//!   hosting one of its consumers, across applications; same-node edges are dropped (an
//!   all-in-one node orders its components inside its own catalog);
//! - a **target** (whole environment, application types or instances, a node list) picks the
//!   nodes; dependencies on nodes outside it are reported, not waited for;
//! - **levels**: level 0 has no dependencies, every other node sits one level above its highest
//!   dependency; nodes within a level sorted by certname;
//! - **cycles**: every strongly connected set of nodes is an error naming its nodes and, per edge,
//!   the capability and the components behind it.
//!
//! The result is a [`Plan`] (serde: the JSON of `orch job plan --format json`), rendered by
//! [`render`] (or streamed by [`write`]) as Puppet's text layout, JSON, DOT or Mermaid.
//!
//! ```
//! use orch_model::EnvironmentGraph;
//! use orch_planner::{plan, render, Format, PlanRequest};
//!
//! let graph = EnvironmentGraph::from_json(r#"{ "environment": "production", "applications": {
//!   "Stack[prod]": {
//!     "Db[prod]":  { "produces": ["Sql[prod]"], "consumes": [],            "node": "db1" },
//!     "Web[prod]": { "produces": [],            "consumes": ["Sql[prod]"], "node": "web1" } } } }"#).unwrap();
//! let plan = plan(&graph, &PlanRequest::default()).unwrap();
//! assert_eq!(plan.levels[1].nodes[0].depends_on, ["db1"]);
//! print!("{}", render(&plan, Format::Text));
//! ```

mod error;
mod levels;
mod node_graph;
mod plan;
mod planner;
mod render;
mod target;

pub use error::PlanError;
pub use node_graph::NodeGraph;
pub use plan::{ComponentRef, Cycle, Edge, Level, Plan, PlanNode, Warning};
pub use planner::{PlanRequest, plan};
pub use render::{Format, render, render_job_header, write};
pub use target::{ApplicationSelector, Target};
