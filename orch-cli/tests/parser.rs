//! `orch parser validate|dump`.

use crate::{run, run_in};

fn scratch(files: &[(&str, &str)]) -> tempdir::Dir {
    let dir = tempdir::Dir::new();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// A throwaway directory under the target dir, removed on drop.
mod tempdir {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};

    static N: AtomicUsize = AtomicUsize::new(0);

    pub(crate) struct Dir(PathBuf);

    impl Dir {
        pub(crate) fn new() -> Dir {
            let p = std::env::temp_dir().join(format!(
                "orch-cli-test-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
        pub(crate) fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[test]
fn dump_source_in_each_format() {
    let src = "$x = [1, 'a', \"b${c}\"]\nif $x { notice($x) }\n";
    insta::assert_snapshot!(run(&["parser", "dump", "-e", src]));
    insta::assert_snapshot!(run(&["parser", "dump", "--format", "old", "-e", src]));
    insta::assert_snapshot!(run(&["parser", "dump", "--format", "json", "-e", src]));
    insta::assert_snapshot!(run(&["parser", "dump", "--pretty", "-e", src]));
}

#[test]
fn dump_orchestration_constructs() {
    insta::assert_snapshot!(run(&[
        "parser",
        "dump",
        "examples/lamp/modules/lamp/manifests/init.pp",
        "examples/lamp/modules/lamp/manifests/db.pp",
    ]));
}

#[test]
fn dump_file_with_syntax_error_prints_nothing_and_fails() {
    let dir = scratch(&[
        ("bad.pp", "class a {\n  $x = = 1\n}\n"),
        ("good.pp", "$y = 2\n"),
    ]);
    insta::assert_snapshot!(run_in(dir.path(), &["parser", "dump", "good.pp", "bad.pp"]));
}

#[test]
fn validate_clean_environment() {
    insta::assert_snapshot!(run(&["parser", "validate", "examples/lamp"]));
}

#[test]
fn validate_reports_every_file_with_position() {
    let dir = scratch(&[
        (
            "manifests/site.pp",
            "node default {\n  include role::web\n}\n",
        ),
        (
            "modules/a/manifests/init.pp",
            "class a {\n  file { '/x': ensure => }\n}\n",
        ),
        (
            "modules/b/manifests/init.pp",
            "class b { $s = \"unclosed\n}\n",
        ),
    ]);
    insta::assert_snapshot!(run_in(dir.path(), &["parser", "validate"]));
}

#[test]
fn validate_missing_path_is_invalid_input() {
    insta::assert_snapshot!(run(&["parser", "validate", "no/such/dir"]));
}

#[test]
fn dump_without_input_is_a_usage_error() {
    let out = run(&["parser", "dump"]);
    assert!(out.starts_with("exit: 2\n"), "{out}");
}

#[test]
fn many_files_report_and_dump_in_file_order() {
    // Files are read and checked on all cores; what is printed follows the sorted file order,
    // whatever order the work finishes in.
    let files: Vec<(String, String)> = (0..40)
        .map(|i| {
            let text = if i % 3 == 0 {
                format!("$v{i} = [\n")
            } else {
                format!("$v{i} = {i}\n")
            };
            (format!("m{i:02}.pp"), text)
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let dir = scratch(&refs);
    let validate = run_in(dir.path(), &["parser", "validate", "."]);
    let reported: Vec<&str> = validate
        .lines()
        .filter_map(|l| l.split("(file: ").nth(1))
        .filter_map(|l| l.split([',', ')']).next())
        .collect();
    let expected: Vec<String> = (0..40)
        .filter(|i| i % 3 == 0)
        .map(|i| format!("m{i:02}.pp"))
        .collect();
    assert_eq!(reported, expected, "{validate}");
    assert!(validate.starts_with("exit: 1\n"), "{validate}");

    let clean: Vec<String> = (0..40)
        .filter(|i| i % 3 != 0)
        .map(|i| format!("m{i:02}.pp"))
        .collect();
    let mut args = vec!["parser", "dump"];
    args.extend(clean.iter().map(String::as_str));
    let dump = run_in(dir.path(), &args);
    // Puppet's header, `--- FILE`, runs straight into the file's dump.
    let headers: Vec<&str> = dump
        .lines()
        .filter_map(|l| l.strip_prefix("--- "))
        .filter_map(|l| l.split_once(".pp").map(|(name, _)| name))
        .collect();
    let clean_names: Vec<&str> = clean.iter().map(|n| n.trim_end_matches(".pp")).collect();
    assert_eq!(headers, clean_names, "{dump}");
    assert!(dump.contains("(= (var \"v1\") 1)"), "{dump}");
}
