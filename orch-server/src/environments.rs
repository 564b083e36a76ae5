//! Where the server finds each environment's code, and evaluating it (on a thread with the
//! stack the model needs, off the async workers).

use std::path::PathBuf;

use orch_model::{EnvironmentGraph, EnvironmentSource, Level, Model};

/// The environments the server knows.
#[derive(Debug, Clone)]
pub enum Environments {
    /// One environment (`-m PATH`), by its name.
    One(EnvironmentSource),
    /// Every directory of `DIR/environments` (`--codedir DIR`), with extra module directories.
    Codedir {
        /// The code dir.
        dir: PathBuf,
        /// `--modulepath`, after each environment's own.
        extra_modulepath: Vec<PathBuf>,
    },
}

/// An environment evaluated.
#[derive(Debug)]
pub(crate) struct Evaluated {
    pub(crate) source: EnvironmentSource,
    pub(crate) model: Model,
}

impl Evaluated {
    /// The errors (with Puppet's wording and location), if any.
    pub(crate) fn errors(&self) -> Vec<String> {
        self.model
            .problems
            .iter()
            .filter(|p| p.level == Level::Error)
            .map(ToString::to_string)
            .collect()
    }

    /// The whole environment's graph.
    pub(crate) fn graph(&self) -> EnvironmentGraph {
        orch_model::graph(&self.model, &orch_model::select(&self.model, &[]))
    }
}

impl Environments {
    /// The environments' names, sorted.
    pub fn names(&self) -> Vec<String> {
        match self {
            Environments::One(source) => vec![source.name.clone()],
            Environments::Codedir { dir, .. } => {
                let mut names: Vec<String> = std::fs::read_dir(dir.join("environments"))
                    .into_iter()
                    .flatten()
                    .flatten()
                    .filter(|e| e.path().is_dir())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| is_environment_name(n))
                    .collect();
                names.sort();
                names
            }
        }
    }

    /// Where environment `name`'s code is, if the server has it.
    pub fn source(&self, name: &str) -> Option<EnvironmentSource> {
        match self {
            Environments::One(source) => (source.name == name).then(|| source.clone()),
            Environments::Codedir {
                dir,
                extra_modulepath,
            } => {
                let path = dir.join("environments").join(name);
                (is_environment_name(name) && path.is_dir()).then(|| EnvironmentSource {
                    path,
                    name: name.to_owned(),
                    extra_modulepath: extra_modulepath.clone(),
                })
            }
        }
    }

    /// Loads and compiles environment `name`; `None` when there is no such environment.
    pub(crate) async fn evaluate(&self, name: &str) -> Option<Evaluated> {
        let source = self.source(name)?;
        let (send, receive) = tokio::sync::oneshot::channel();
        let spawned = std::thread::Builder::new()
            .name("orch-environment".into())
            .stack_size(orch_model::STACK_SIZE)
            .spawn(move || {
                let mut env = orch_model::Environment::load(&source);
                let model = orch_model::compile(&mut env);
                let _ = send.send(Evaluated { source, model });
            });
        match spawned {
            Ok(_) => receive.await.ok(),
            Err(_) => None,
        }
    }
}

/// Puppet's rule for environment names (`^[a-z0-9_]+$`): also keeps `..` and `/` out of paths.
fn is_environment_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
