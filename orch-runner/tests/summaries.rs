//! Run summaries written by real Puppet (`tests/data/run_summaries/`, see its README): every
//! file parses, with the counts PE would have shown; and no input makes the parser panic.

use std::path::{Path, PathBuf};

use orch_runner::{ResourceCounts, RunSummary, SummaryStatus, Timestamp};
use proptest::prelude::*;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/run_summaries")
}

fn files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["puppet5", "puppet7"]
        .iter()
        .flat_map(|v| std::fs::read_dir(data().join(v)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn parse(path: &Path) -> RunSummary {
    RunSummary::parse(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// (failed, changed, unchanged, skipped, noop, total), as PE's `Resource events` line.
fn counts(r: &ResourceCounts) -> [Option<u64>; 6] {
    [r.failed, r.changed, r.unchanged, r.skipped, r.noop, r.total]
}

#[test]
fn every_real_summary_parses_with_pes_counts() {
    let expected: [(&str, [u64; 6]); 5] = [
        ("changes.yaml", [0, 6, 7, 0, 0, 13]),
        ("failures.yaml", [3, 2, 7, 1, 0, 13]),
        ("no_changes.yaml", [0, 0, 13, 0, 0, 13]),
        ("noop_pending.yaml", [0, 0, 8, 0, 5, 13]),
        ("noop_resource_string_version.yaml", [0, 2, 8, 0, 1, 11]),
    ];
    let files = files();
    assert_eq!(files.len(), 2 * expected.len());
    for path in &files {
        let s = parse(path);
        let name = path.file_name().unwrap().to_str().unwrap();
        let (_, want) = expected.iter().find(|(n, _)| *n == name).unwrap();
        assert_eq!(counts(&s.resources), want.map(Some), "{}", path.display());
        let r = &s.resources;
        // PE's five columns add up to the catalog's resources.
        let sum: u64 = [r.failed, r.changed, r.unchanged, r.skipped, r.noop]
            .iter()
            .map(|c| c.unwrap())
            .sum();
        assert_eq!(Some(sum), r.total, "{}", path.display());
        let major = if path.parent().unwrap().ends_with("puppet5") {
            "5.5.22"
        } else {
            "7.23.0"
        };
        assert_eq!(s.puppet_version.as_deref(), Some(major));
        assert!(s.last_run.is_some() && s.run_time_s.is_some() && s.config_version.is_some());
        assert_eq!(s.transaction_uuid, None, "Puppet's summaries carry no UUID");
        assert_eq!(
            s.failure().is_some(),
            name == "failures.yaml",
            "{}",
            path.display()
        );
    }
}

#[test]
fn real_summaries_snapshot() {
    let mut out = String::new();
    for path in files() {
        let s = parse(&path);
        let rel = path.strip_prefix(data()).unwrap().display().to_string();
        out += &format!("--- {rel}\n");
        for line in s.lines() {
            out += &format!("  {line}\n");
        }
        out += &format!(
            "  events: {:?}\n  puppet {:?}, run time {:?} s, written {}\n",
            s.events,
            s.puppet_version.unwrap_or_default(),
            s.run_time_s.unwrap_or_default(),
            s.last_run.map(|t| t.to_string()).unwrap_or_default()
        );
    }
    insta::assert_snapshot!(out);
}

#[test]
fn a_real_summary_is_fresh_for_its_run_and_stale_for_a_later_one() {
    let path = data().join("puppet7/changes.yaml");
    let bytes = std::fs::read(&path).unwrap();
    let written = parse(&path).last_run.unwrap();
    let judge = |start_ms: i64| {
        RunSummary::from_fetch(
            &path,
            Ok(Some(bytes.clone())),
            Timestamp::from_millis(start_ms),
        )
        .status
    };
    assert_eq!(judge(written.as_millis() - 5_000), SummaryStatus::Ok);
    assert_eq!(judge(written.as_millis() + 60_000), SummaryStatus::Ok);
    assert_eq!(judge(written.as_millis() + 61_000), SummaryStatus::Stale);
}

/// Real files with one byte changed, cut short, or lines dropped.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let originals: Vec<Vec<u8>> = files().iter().map(|p| std::fs::read(p).unwrap()).collect();
    (0..originals.len(), any::<usize>(), any::<u8>(), 0u8..3).prop_map(
        move |(file, at, byte, how)| {
            let mut b = originals[file].clone();
            let at = at % b.len();
            match how {
                0 => b[at] = byte,
                1 => b.truncate(at),
                _ => {
                    let text = String::from_utf8_lossy(&b).into_owned();
                    let lines: Vec<&str> = text.lines().collect();
                    let skip = at % lines.len();
                    b = lines
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != skip)
                        .map(|(_, l)| format!("{l}\n"))
                        .collect::<String>()
                        .into_bytes();
                }
            }
            b
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn no_input_panics(bytes in prop_oneof![proptest::collection::vec(any::<u8>(), 0..300), mutated()]) {
        let s = RunSummary::from_fetch(Path::new("/s"), Ok(Some(bytes)), Timestamp::from_millis(0));
        // Whatever it is, it is shown and serializes.
        prop_assert!(!s.lines().is_empty());
        prop_assert!(serde_json::to_string(&s).is_ok());
        if s.status == SummaryStatus::Unreadable {
            prop_assert!(s.reason.is_some());
        }
    }

    #[test]
    fn counts_never_exceed_the_total(
        total in 0u64..1000, oos in 0u64..1000, changed in 0u64..1000,
        failed in 0u64..1000, skipped in 0u64..1000,
    ) {
        let yaml = format!(
            "resources: {{total: {total}, out_of_sync: {oos}, changed: {changed}, failed: {failed}, skipped: {skipped}}}\n"
        );
        let r = RunSummary::parse(yaml.as_bytes()).unwrap().resources;
        prop_assert!(r.unchanged.unwrap() <= total);
        prop_assert!(r.noop.unwrap() <= oos);
    }
}
