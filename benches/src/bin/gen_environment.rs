//! Writes a synthetic environment: `gen_environment NODES [--graph FILE] [--puppet DIR]`
//! (the environment graph JSON, and/or the Puppet environment directory that evaluates to it).

use std::path::PathBuf;

use orch_benches::Synthetic;

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let usage = || {
        eprintln!("usage: gen_environment NODES [--graph FILE] [--puppet DIR]");
        std::process::ExitCode::from(2)
    };
    let Some(nodes) = args.next().and_then(|n| n.parse::<usize>().ok()) else {
        return usage();
    };
    let synthetic = Synthetic::with_nodes(nodes);
    while let Some(flag) = args.next() {
        let Some(path) = args.next().map(PathBuf::from) else {
            return usage();
        };
        let written = match flag.as_str() {
            "--graph" => std::fs::write(&path, synthetic.graph_json()),
            "--puppet" => synthetic.write_puppet(&path),
            _ => return usage(),
        };
        if let Err(e) = written {
            eprintln!("error: {}: {e}", path.display());
            return std::process::ExitCode::from(3);
        }
    }
    std::process::ExitCode::SUCCESS
}
