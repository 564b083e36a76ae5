//! orch-model's integration tests: scenario environments (one per rule, OK and error) with
//! snapshots of what `orch app show` prints, the example environments, and property tests.

mod examples;
mod properties;
mod puppet;
mod scenarios;
mod sensitive;

use std::fmt::Write as _;
use std::path::Path;

use orch_model::{Environment, EnvironmentSource, Model};

/// Loads and compiles an environment (a directory or one manifest).
pub(crate) fn compile(path: &Path) -> Model {
    let source = EnvironmentSource {
        path: path.to_path_buf(),
        name: "production".to_string(),
        extra_modulepath: vec![],
    };
    let mut env = Environment::load(&source);
    orch_model::compile(&mut env)
}

/// Everything `orch app show` shows (problems, text, JSON) plus the computed capability values,
/// with paths relative to `base`.
pub(crate) fn show(path: &Path, base: &Path) -> String {
    let model = compile(path);
    let mut out = String::new();
    let _ = writeln!(out, "--- problems");
    for p in &model.problems {
        let _ = writeln!(out, "{p}");
    }
    let all = orch_model::select(&model, &[]);
    let _ = writeln!(out, "--- text");
    out.push_str(&orch_model::render_text(&all));
    let _ = writeln!(out, "--- json");
    let _ = writeln!(out, "{}", orch_model::graph(&model, &all).to_json());
    let _ = writeln!(out, "--- capabilities");
    for c in model.capabilities.values() {
        let attrs: Vec<String> = c
            .attributes
            .iter()
            .map(|(k, v)| match v {
                Some(v) => format!("{k}={v}"),
                None => format!("{k}=?"),
            })
            .collect();
        let _ = writeln!(
            out,
            "{} by {} ({}): {}",
            c.reference,
            c.producer,
            c.application,
            attrs.join(" ")
        );
    }
    let _ = writeln!(out, "--- consumer parameters");
    for app in &model.instances {
        for comp in &app.components {
            if comp.consume.is_empty() {
                continue;
            }
            let params: Vec<String> = comp
                .parameters
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let _ = writeln!(out, "{}: {}", comp.reference, params.join(" "));
        }
    }
    out.replace(&format!("{}/", base.display()), "")
}
