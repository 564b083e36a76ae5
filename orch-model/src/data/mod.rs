//! Hiera data for `lookup` and the legacy `hiera*` functions: the request the evaluator makes
//! and the reply it gets, through [`crate::code::CodeSource::lookup_data`], and Hiera 5 itself
//! ([`hiera`]): `hiera.yaml` ([`config`]), data files ([`files`]), `%{...}`
//! ([`interpolate`]) and merge strategies ([`merge`]).

mod config;
mod files;
mod hiera;
pub(crate) mod interpolate;
pub(crate) mod merge;

use std::path::PathBuf;

pub(crate) use hiera::{Found, Hiera, HieraError, Segment, Variables, dig, split_key};
pub(crate) use merge::Merge;

use crate::Value;

/// One lookup as the function asks it.
#[derive(Debug, Clone)]
pub(crate) struct DataRequest<'a> {
    /// The key (`profile::port`, or a dotted path into a value).
    pub(crate) key: &'a str,
    /// The merge strategy the call gave (`None`: the key's `lookup_options`, else `first`).
    pub(crate) merge: Option<&'a Merge>,
    /// A legacy `hiera*` call: without an environment layer it sees only the global layer,
    /// which orch does not have.
    pub(crate) legacy: bool,
}

/// What the data layer found.
#[derive(Debug, Clone)]
pub(crate) enum DataAnswer {
    /// A value, and the `convert_to` of its `lookup_options` (the evaluator converts).
    Found(Found),
    /// No layer has the key (the function then takes its default or fails with Puppet's
    /// `did not find a value` message).
    NotFound,
    /// The lookup failed (bad `hiera.yaml` or data, recursion, bad options).
    Failed(HieraError),
}

/// The answer and the warnings Hiera gave on the way (each once per compile).
#[derive(Debug, Clone)]
pub(crate) struct DataReply {
    pub(crate) answer: DataAnswer,
    /// A warning's text and the file it is about, if any.
    pub(crate) warnings: Vec<(String, Option<PathBuf>)>,
}

/// The scope's variables as the evaluator hands them over.
struct ScopeVars<'a>(&'a dyn Fn(&str) -> Option<Value>);

impl Variables for ScopeVars<'_> {
    fn variable(&mut self, name: &str) -> Option<Value> {
        (self.0)(name)
    }
}

impl Hiera {
    /// Answers a request (what the loader's `lookup_data` does).
    pub(crate) fn answer(
        &mut self,
        request: &DataRequest<'_>,
        vars: &dyn Fn(&str) -> Option<Value>,
    ) -> DataReply {
        let answer = (|| {
            if request.legacy && !self.has_environment_layer()? {
                return Ok(None);
            }
            self.lookup(request.key, request.merge, &mut ScopeVars(vars))
        })();
        DataReply {
            answer: match answer {
                Ok(Some(f)) => DataAnswer::Found(f),
                Ok(None) => DataAnswer::NotFound,
                Err(e) => DataAnswer::Failed(e),
            },
            warnings: std::mem::take(&mut self.warnings),
        }
    }
}
