//! `parse_all` (every core) gives what `parse_dialect` gives file by file, in the same order.

use std::path::Path;

#[test]
fn parse_all_matches_one_by_one_in_order() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let paths = orch_parser::manifest_files(&[dir]).expect("fixtures");
    let texts: Vec<String> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    assert!(texts.len() > 800, "{}", texts.len());
    let dialect = orch_parser::Dialect::Puppet5;
    let all = orch_parser::parse_all(&texts, dialect);
    assert_eq!(all.len(), texts.len());
    for (text, parsed) in texts.iter().zip(&all) {
        let one = orch_parser::parse_dialect(text, dialect);
        assert_eq!(parsed.program, one.program, "{text}");
        assert_eq!(parsed.diagnostics, one.diagnostics, "{text}");
    }
}
