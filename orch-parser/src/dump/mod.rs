//! Dumps of a parsed program in Puppet's three formats.

pub(crate) mod json;
pub(crate) mod old;
pub(crate) mod pn;

use crate::ast::Program;

/// The dump formats of `puppet parser dump`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpFormat {
    /// Puppet Extended S-Expression Notation.
    Pn,
    /// PN as JSON.
    Json,
    /// The `ModelTreeDumper` format of Puppet's parser tests.
    Old,
}

/// Renders a program exactly as `puppet parser dump --format <format> [--pretty]` prints it
/// after the `--- FILE` header, including the final newline.
pub fn dump(program: &Program, format: DumpFormat, pretty: bool) -> String {
    let mut out = String::new();
    match format {
        DumpFormat::Pn => pn::format_pn(&pn::to_pn(program), pretty, &mut out),
        DumpFormat::Json => json::format_json(&pn::to_pn(program), pretty, &mut out),
        DumpFormat::Old => out = old::dump_old(program),
    }
    out.push('\n');
    out
}
