//! Hiera data for `lookup` and the legacy `hiera*` functions: the request the evaluator makes
//! and the answer it gets, through [`crate::code::CodeSource::lookup_data`]. The loader answers
//! [`DataAnswer::Unavailable`] until Hiera 5 (environment and module layers) is read here.

use crate::Value;

/// One `lookup` as the function was called.
// Read by the Hiera layer, which does not exist yet (issue 10, item 1).
#[allow(dead_code)]
#[derive(Debug, Clone)]
pub(crate) struct DataRequest<'a> {
    /// The key (`profile::port`, or a dotted path into a value).
    pub(crate) key: &'a str,
    /// The merge strategy asked for (`'first'`, `'unique'`, `'hash'`, `'deep'` or a hash), if
    /// any.
    pub(crate) merge: Option<&'a Value>,
}

/// What the data layer found.
#[allow(dead_code)]
#[derive(Debug, Clone)]
pub(crate) enum DataAnswer {
    /// A value.
    Found(Value),
    /// No layer has the key (the function then takes its default or fails with Puppet's
    /// `did not find a value` message).
    NotFound,
    /// orch cannot look data up here, and why.
    Unavailable(&'static str),
}
