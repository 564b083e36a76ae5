//! Parses a manifest and prints its PN dump: `cargo run -p orch-examples --example dump_manifest FILE`.

fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump_manifest FILE");
        return std::process::ExitCode::from(2);
    };
    match orch_parser::SourceFile::read(std::path::Path::new(&path)) {
        Ok(f) if !f.parsed.has_errors() => {
            print!(
                "{}",
                orch_parser::dump(&f.parsed.program, orch_parser::DumpFormat::Pn, true)
            );
            std::process::ExitCode::SUCCESS
        }
        Ok(f) => {
            let index = orch_parser::LineIndex::new(&f.text);
            for d in &f.parsed.diagnostics {
                eprintln!("{}", d.render(Some(&path), &f.text, &index));
            }
            std::process::ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
