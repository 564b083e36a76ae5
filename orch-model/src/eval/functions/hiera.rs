//! Puppet's data functions (`lookup`), answered by the code source's data layer
//! ([`crate::code::CodeSource::lookup_data`]). Only the name form is read here so far: the
//! other call forms (value type, merge, default, options hash, default lambda) and the legacy
//! `hiera*` functions belong here too.

use super::Call;
use crate::Value;
use crate::data::{DataAnswer, DataRequest};
use crate::eval::scope::lookup_in;
use crate::eval::{EvalResult, Evaluator};

/// The functions of this group.
pub(super) const NAMES: &[&str] = &["lookup"];

pub(super) fn call(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    c.arity(ev, &args, 1)?;
    let key = args[0].to_string();
    let request = DataRequest {
        key: &key,
        merge: args.get(2),
    };
    // Variables are read from the scopes while the code source answers.
    let (frames, matches) = (&ev.frames, &ev.matches);
    let answer = ev
        .code
        .lookup_data(&request, &|name| lookup_in(frames, matches, name));
    match answer {
        DataAnswer::Found(v) => Ok(v),
        DataAnswer::NotFound => c.fail(
            ev,
            format!("Function lookup() did not find a value for the name '{key}'"),
        ),
        DataAnswer::Unavailable(why) => c.fail(
            ev,
            format!(
                "Unsupported function: '{}': orch evaluates the environment without a Puppet server, and {why}",
                c.name
            ),
        ),
    }
}
