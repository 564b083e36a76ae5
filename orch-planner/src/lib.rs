//! Computes the node run order from an application model, as `puppet job plan` did.
//!
//! Not built yet. It will build the node graph (a producer's node runs before its consumers'
//! nodes), select targets, assign levels, report node-level cycles, and render plans as text,
//! JSON, DOT and Mermaid.
