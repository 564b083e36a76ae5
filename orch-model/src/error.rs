//! The crate's error type.

/// What can go wrong in orch-model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A resource reference that is not `Type[title]`.
    #[error("`{text}` is not a resource reference (Type[title])")]
    BadReference {
        /// The text.
        text: String,
    },
    /// Environment-graph JSON that does not have Puppet Server's shape.
    #[error("environment graph: {message}")]
    GraphJson {
        /// What is wrong, as serde_json says it.
        message: String,
    },
}
