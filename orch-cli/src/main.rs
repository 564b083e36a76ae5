//! The `orch` command line: argument parsing, composition of the orch libraries, and output.
//! No logic about Puppet code, plans or jobs lives here.

mod cli;
mod commands;
mod exit;

use clap::Parser;

// Parsing and planning allocate many small objects: mimalloc is markedly faster at that than
// the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    // The main thread's 8 MiB do not hold the deepest evaluation orch's limits allow.
    let work = std::thread::Builder::new()
        .name("orch".into())
        .stack_size(orch_model::STACK_SIZE)
        .spawn(move || match cli.command {
            cli::Command::Parser(cmd) => commands::parser::run(cmd),
            cli::Command::App(cmd) => commands::app::run(cmd),
            cli::Command::Job(cmd) => commands::job::run(cmd),
            cli::Command::Serve(args) => commands::serve::serve(*args),
        })
        .expect("a thread for the command");
    match work.join() {
        Ok(code) => code.into(),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}
