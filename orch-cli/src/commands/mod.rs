//! One module per command group.

pub(crate) mod app;
pub(crate) mod job;
pub(crate) mod parser;

use std::path::PathBuf;

use crate::cli::CodeArgs;

/// The environment named by `-m`, `--codedir`/`--environment`, or the current directory.
pub(crate) fn environment_source(code: &CodeArgs) -> orch_model::EnvironmentSource {
    let path = match (&code.manifest, &code.codedir) {
        (Some(m), _) => m.clone(),
        (None, Some(dir)) => dir.join("environments").join(&code.environment),
        (None, None) => PathBuf::from("."),
    };
    orch_model::EnvironmentSource {
        path,
        name: code.environment.clone(),
        extra_modulepath: code
            .modulepath
            .as_deref()
            .map(|m| {
                m.split(':')
                    .filter(|s| !s.is_empty())
                    .map(PathBuf::from)
                    .collect()
            })
            .unwrap_or_default(),
    }
}
