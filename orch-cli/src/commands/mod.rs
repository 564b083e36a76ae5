//! One module per command group.

pub(crate) mod app;
pub(crate) mod job;
pub(crate) mod parser;
pub(crate) mod serve;

use std::path::PathBuf;

use crate::cli::CodeArgs;
use crate::exit::Exit;

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

/// Where the job store is: `path`, else the default place. Problems are printed; `Err` is
/// exit 3.
pub(crate) fn store_path(path: Option<&std::path::Path>) -> Result<PathBuf, Exit> {
    match path {
        Some(p) => Ok(p.to_path_buf()),
        None => orch_runner::Store::default_path().ok_or_else(|| {
            eprintln!(
                "Error: no place for the job store: set --store, $ORCH_STORE, $XDG_STATE_HOME or $HOME"
            );
            Exit::Internal
        }),
    }
}

/// The job store at `path`, else the default place. Problems are printed; `Err` is exit 3.
pub(crate) fn open_store(path: Option<&std::path::Path>) -> Result<orch_runner::Store, Exit> {
    let path = store_path(path)?;
    orch_runner::Store::open(&path).map_err(|e| {
        eprintln!("Error: {e}");
        Exit::Internal
    })
}

/// Who runs the command, for the job's `user`.
pub(crate) fn user() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(orch_runner::login_name)
}

/// Writes `text` to stdout; a reader that stops early (`| head`) is not a failure.
pub(crate) fn print(text: &str) -> Exit {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Exit::Success,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Success,
        Err(e) => {
            eprintln!("Error: could not write the output: {e}");
            Exit::Internal
        }
    }
}
