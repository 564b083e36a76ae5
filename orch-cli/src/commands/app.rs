//! `orch app show`.

use std::io::Write;

use orch_model::{Environment, Level};

use crate::cli::{AppCommand, AppShowArgs, ShowFormat};
use crate::commands::environment_source;
use crate::exit::Exit;

pub(crate) fn run(cmd: AppCommand) -> Exit {
    match cmd {
        AppCommand::Show(args) => show(&args),
    }
}

fn show(args: &AppShowArgs) -> Exit {
    let source = environment_source(&args.code);
    let mut env = Environment::load(&source);
    let model = orch_model::compile(&mut env);
    let mut stderr = std::io::stderr().lock();
    for p in &model.problems {
        let _ = writeln!(stderr, "{p}");
    }
    if model.problems.iter().any(|p| p.level == Level::Error) {
        return Exit::InvalidInput;
    }
    let instances = orch_model::select(&model, &args.targets);
    let text = match args.format {
        ShowFormat::Text => orch_model::render_text(&instances),
        ShowFormat::Json => format!("{}\n", orch_model::graph(&model, &instances).to_json()),
    };
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
        return Exit::Internal;
    }
    Exit::Success
}
