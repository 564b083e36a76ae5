//! A node's run summary: Puppet's own `last_run_summary.yaml`, read over the node's connection
//! after its agent run. PE judged runs from the agent's report as well as its exit code (§5.7):
//! a fresh summary gives the resource counts printed under each node, and failed resources in
//! it fail the node even when the exit code says success.
//!
//! A summary that is missing, unreadable or older than the run is data too (a status and a
//! reason), never an error of the job.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_yaml_ng::{Mapping, Value};

use crate::time::{Timestamp, format_duration};
use crate::transport::NodeTarget;

/// Where Puppet writes its run summary (`lastrunfile`) when the inventory does not say: the
/// AIO packages' path, the same for every transport.
pub const DEFAULT_SUMMARY_PATH: &str = "/opt/puppetlabs/puppet/cache/state/last_run_summary.yaml";

/// How much slower than orch's the node's clock may be before its summary counts as stale.
pub const CLOCK_SKEW_S: i64 = 60;

/// Real summaries are under 2 KiB; anything this large is not one, and is not parsed.
const MAX_SUMMARY_BYTES: usize = 1024 * 1024;

impl NodeTarget {
    /// Where this node's run summary is read: the inventory's `orch.summary`, else
    /// [`DEFAULT_SUMMARY_PATH`].
    pub fn summary_path(&self) -> &Path {
        self.summary
            .as_deref()
            .unwrap_or(Path::new(DEFAULT_SUMMARY_PATH))
    }
}

/// What orch read of a node's run summary. Serialized as the `summary` of `node_finished` and
/// `node_failed` events and of `job show`'s nodes; keys may be added, never renamed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunSummary {
    /// Whether it describes this run.
    pub status: SummaryStatus,
    /// Where it was read, on the node.
    pub path: String,
    /// Why it is not `ok` (the parse error, the file's age); `None` when it is, or missing.
    pub reason: Option<String>,
    /// Resource counts as PE showed them.
    pub resources: ResourceCounts,
    /// Puppet's event counts (`events.*`).
    pub events: EventCounts,
    /// The catalog's configuration version (`version.config`), as text: Puppet writes an
    /// integer (the compile time) or whatever the environment's `config_version` script printed.
    pub config_version: Option<String>,
    /// The run's transaction UUID, when the summary carries one (Puppet 5 and 7 write it only in
    /// the full report, not in the summary).
    pub transaction_uuid: Option<String>,
    /// The agent's Puppet version (`version.puppet`).
    pub puppet_version: Option<String>,
    /// Puppet's `time.total`, seconds.
    pub run_time_s: Option<f64>,
    /// When Puppet wrote it (`time.last_run`).
    pub last_run: Option<Timestamp>,
}

/// Whether a run summary describes the run that just happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SummaryStatus {
    /// Read, and written by this run (or its time is unknown).
    Ok,
    /// No file at the path.
    #[default]
    Missing,
    /// The file could not be read or is not a run summary.
    Unreadable,
    /// Written before this run started: an earlier run's.
    Stale,
}

/// Resources by outcome, PE's five columns and the total. `None` where the summary lacks the
/// keys to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ResourceCounts {
    /// Resources that failed (to apply, or to restart).
    pub failed: Option<u64>,
    /// Resources changed.
    pub changed: Option<u64>,
    /// Resources already in sync.
    pub unchanged: Option<u64>,
    /// Resources skipped (failed dependencies, schedules, tags).
    pub skipped: Option<u64>,
    /// Resources out of sync that were not changed because of noop.
    pub noop: Option<u64>,
    /// Every resource of the catalog.
    pub total: Option<u64>,
}

/// Puppet's `events` section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EventCounts {
    /// `events.failure`.
    pub failure: Option<u64>,
    /// `events.success`.
    pub success: Option<u64>,
    /// `events.noop`.
    pub noop: Option<u64>,
    /// `events.total`.
    pub total: Option<u64>,
}

impl Default for RunSummary {
    fn default() -> Self {
        RunSummary {
            status: SummaryStatus::Missing,
            path: String::new(),
            reason: None,
            resources: ResourceCounts::default(),
            events: EventCounts::default(),
            config_version: None,
            transaction_uuid: None,
            puppet_version: None,
            run_time_s: None,
            last_run: None,
        }
    }
}

impl RunSummary {
    /// The summary from what fetching `path` gave (`Ok(None)`: no such file; `Err`: why it
    /// could not be read), judged against the run that started at `run_started`.
    pub fn from_fetch(
        path: &Path,
        fetched: Result<Option<Vec<u8>>, String>,
        run_started: Timestamp,
    ) -> RunSummary {
        let path = path.display().to_string();
        let bytes = match fetched {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return RunSummary::default().at(path),
            Err(reason) => return RunSummary::unreadable(path, reason),
        };
        let mut summary = match RunSummary::parse(&bytes) {
            Ok(s) => s.at(path),
            Err(reason) => return RunSummary::unreadable(path, reason),
        };
        let oldest_fresh = run_started.as_millis() - CLOCK_SKEW_S * 1000;
        if let Some(written) = summary.last_run
            && written.as_millis() < oldest_fresh
        {
            summary.status = SummaryStatus::Stale;
            summary.reason = Some(format!(
                "written {} before this run started",
                format_duration(written.seconds_until(run_started))
            ));
        }
        summary
    }

    /// Parses a `last_run_summary.yaml` (status `ok`, no path); `Err` says what is wrong with it.
    /// Unknown keys are ignored; known keys of the wrong type are an error.
    pub fn parse(bytes: &[u8]) -> Result<RunSummary, String> {
        if bytes.len() > MAX_SUMMARY_BYTES {
            return Err(format!(
                "{} bytes, too large for a run summary",
                bytes.len()
            ));
        }
        let root: Value = serde_yaml_ng::from_slice(bytes).map_err(|e| e.to_string())?;
        let Value::Mapping(root) = root else {
            return Err(format!("{}, not a mapping", describe(&root)));
        };
        let version = section(&root, "version")?;
        let resources = section(&root, "resources")?;
        let time = section(&root, "time")?;
        let events = section(&root, "events")?;

        let res = |key| count(resources, "resources", key);
        let (failed, failed_to_restart) = (res("failed")?, res("failed_to_restart")?);
        let (changed, skipped, total) = (res("changed")?, res("skipped")?, res("total")?);
        let out_of_sync = res("out_of_sync")?;
        // Derivation (Puppet 5.5 and 7 `Resource::Status#add_event`, `Report#raw_summary`): a
        // resource is `out_of_sync` when it has any event but an audit one; `changed` when one
        // succeeded; `failed` when one failed (`failed_to_restart` also fails the resource, so
        // it is within `failed`; the max guards other writers). Skipped resources have no
        // events. So, exactly, unchanged = total - out_of_sync - skipped; and the resources with
        // only noop events are out_of_sync - changed - failed (a lower bound when one resource
        // both changed and failed, which real runs rarely show).
        let failed = max_known(failed, failed_to_restart);
        let unchanged = known3(total, out_of_sync, skipped, |t, o, s| {
            t.saturating_sub(o).saturating_sub(s)
        });
        let noop = known3(out_of_sync, changed, failed, |o, c, f| {
            o.saturating_sub(c).saturating_sub(f)
        });

        let ev = |key| count(events, "events", key);
        // Puppet writes `failure`, `success` and `total` always, other statuses (`noop`,
        // `audit`) only when some event had them: absent within the section means none.
        let events_noop = match ev("noop")? {
            None if events.is_some() => Some(0),
            n => n,
        };

        Ok(RunSummary {
            status: SummaryStatus::Ok,
            path: String::new(),
            reason: None,
            resources: ResourceCounts {
                failed,
                changed,
                unchanged,
                skipped,
                noop,
                total,
            },
            events: EventCounts {
                failure: ev("failure")?,
                success: ev("success")?,
                noop: events_noop,
                total: ev("total")?,
            },
            config_version: version_text(version, "version.config", "config")?,
            transaction_uuid: text(root.get("transaction_uuid"), "transaction_uuid")?,
            puppet_version: version_text(version, "version.puppet", "puppet")?,
            run_time_s: seconds(time, "total")?,
            last_run: epoch(time, "last_run")?,
        })
    }

    /// A fresh summary's failures, as the node's failure message says them
    /// (`the run summary reports 1 failed resource`); `None` when it has none or is not fresh.
    pub fn failure(&self) -> Option<String> {
        if self.status != SummaryStatus::Ok {
            return None;
        }
        let (n, what) = match (self.resources.failed, self.events.failure) {
            (Some(n), _) if n > 0 => (n, "failed resource"),
            (_, Some(n)) if n > 0 => (n, "failed event"),
            _ => return None,
        };
        let s = if n == 1 { "" } else { "s" };
        Some(format!("the run summary reports {n} {what}{s}"))
    }

    /// The lines shown under a node (`Resource events: ...`, `Configuration version: ...`, or
    /// one `Run summary: ...` line when it is not this run's), without indentation.
    pub fn lines(&self) -> Vec<String> {
        match self.status {
            SummaryStatus::Missing => vec![format!("Run summary: not found at {}", self.path)],
            SummaryStatus::Unreadable => vec![format!(
                "Run summary: unreadable: {}: {}",
                self.path,
                self.reason.as_deref().unwrap_or("unknown reason")
            )],
            SummaryStatus::Stale => vec![format!(
                "Run summary: stale ({}): {}",
                self.reason.as_deref().unwrap_or("written before this run"),
                self.path
            )],
            SummaryStatus::Ok => {
                let r = &self.resources;
                let n = |c: Option<u64>| c.map_or_else(|| "?".to_owned(), |c| c.to_string());
                let mut lines = vec![format!(
                    "Resource events: {} failed {} changed {} unchanged {} skipped {} noop",
                    n(r.failed),
                    n(r.changed),
                    n(r.unchanged),
                    n(r.skipped),
                    n(r.noop)
                )];
                let version = self
                    .config_version
                    .as_ref()
                    .map(|v| format!("Configuration version: {v}"));
                let uuid = self
                    .transaction_uuid
                    .as_ref()
                    .map(|u| format!("Transaction UUID: {u}"));
                let line: Vec<String> = version.into_iter().chain(uuid).collect();
                if !line.is_empty() {
                    lines.push(line.join(", "));
                }
                lines
            }
        }
    }

    fn at(mut self, path: String) -> RunSummary {
        self.path = path;
        self
    }

    fn unreadable(path: String, reason: String) -> RunSummary {
        RunSummary {
            status: SummaryStatus::Unreadable,
            path,
            reason: Some(reason),
            ..RunSummary::default()
        }
    }
}

/// A top-level section; absent or null is `None`.
fn section<'a>(root: &'a Mapping, key: &str) -> Result<Option<&'a Mapping>, String> {
    match root.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Mapping(m)) => Ok(Some(m)),
        Some(other) => Err(format!("`{key}` is {}, not a mapping", describe(other))),
    }
}

/// A count in a section: a non-negative integer.
fn count(section: Option<&Mapping>, name: &str, key: &str) -> Result<Option<u64>, String> {
    match section.and_then(|s| s.get(key)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.is_u64() => Ok(n.as_u64()),
        Some(other) => Err(format!(
            "`{name}.{key}` is {}, not a count",
            describe(other)
        )),
    }
}

/// `version.config` and `version.puppet`: text or a number, kept as text.
fn version_text(
    section: Option<&Mapping>,
    name: &str,
    key: &str,
) -> Result<Option<String>, String> {
    match section.and_then(|s| s.get(key)) {
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        other => text(other, name),
    }
}

fn text(value: Option<&Value>, name: &str) -> Result<Option<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("`{name}` is {}, not text", describe(other))),
    }
}

/// `time.total`: non-negative seconds.
fn seconds(time: Option<&Mapping>, key: &str) -> Result<Option<f64>, String> {
    match time.and_then(|s| s.get(key)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(s) if s.is_finite() && s >= 0.0 => Ok(Some(s)),
            _ => Err(format!("`time.{key}` is {n}, not a duration")),
        },
        Some(other) => Err(format!(
            "`time.{key}` is {}, not a duration",
            describe(other)
        )),
    }
}

/// `time.last_run`: whole seconds since the Unix epoch.
fn epoch(time: Option<&Mapping>, key: &str) -> Result<Option<Timestamp>, String> {
    match time.and_then(|s| s.get(key)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .and_then(|s| s.checked_mul(1000))
            .map(|ms| Some(Timestamp::from_millis(ms)))
            .ok_or_else(|| format!("`time.{key}` is {n}, not a time in epoch seconds")),
        Some(other) => Err(format!(
            "`time.{key}` is {}, not a time in epoch seconds",
            describe(other)
        )),
    }
}

fn max_known(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

fn known3(
    a: Option<u64>,
    b: Option<u64>,
    c: Option<u64>,
    f: impl Fn(u64, u64, u64) -> u64,
) -> Option<u64> {
    Some(f(a?, b?, c?))
}

/// A value's kind, for error messages.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "empty".to_owned(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("`{n}`"),
        Value::String(_) => "text".to_owned(),
        Value::Sequence(_) => "a list".to_owned(),
        Value::Mapping(_) => "a mapping".to_owned(),
        Value::Tagged(t) => format!("tagged `{}`", t.tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRITTEN: i64 = 1_796_302_020;

    fn summary(yaml: &str) -> RunSummary {
        RunSummary::parse(yaml.as_bytes()).unwrap()
    }

    fn started(epoch_s: i64) -> Timestamp {
        Timestamp::from_millis(epoch_s * 1000)
    }

    #[test]
    fn counts_are_derived_from_puppets_keys() {
        let s = summary(
            "resources: {changed: 2, failed: 3, failed_to_restart: 1, out_of_sync: 5, skipped: 1, total: 13}\n\
             events: {failure: 3, success: 2, total: 5}\n",
        );
        assert_eq!(
            s.resources,
            ResourceCounts {
                failed: Some(3),
                changed: Some(2),
                unchanged: Some(7),
                skipped: Some(1),
                noop: Some(0),
                total: Some(13),
            }
        );
        assert_eq!(s.events.noop, Some(0));
        assert_eq!(
            s.failure().as_deref(),
            Some("the run summary reports 3 failed resources")
        );
    }

    #[test]
    fn missing_keys_are_unknown_not_zero() {
        let s = summary("version: {config: abc}\n");
        assert_eq!(s.resources, ResourceCounts::default());
        assert_eq!(s.events, EventCounts::default());
        assert_eq!(s.config_version.as_deref(), Some("abc"));
        assert_eq!(s.failure(), None);
        assert_eq!(
            s.lines()[0],
            "Resource events: ? failed ? changed ? unchanged ? skipped ? noop"
        );
    }

    #[test]
    fn failed_events_fail_a_run_without_failed_resources() {
        let s = summary("resources: {failed: 0}\nevents: {failure: 1}\n");
        assert_eq!(
            s.failure().as_deref(),
            Some("the run summary reports 1 failed event")
        );
    }

    #[test]
    fn wrong_types_and_bad_yaml_are_unreadable_with_a_reason() {
        let cases = [
            ("", "empty, not a mapping"),
            ("- a\n", "a list, not a mapping"),
            ("resources: 3\n", "`resources` is `3`, not a mapping"),
            (
                "resources: {failed: -1}\n",
                "`resources.failed` is `-1`, not a count",
            ),
            (
                "resources: {total: 1.5}\n",
                "`resources.total` is `1.5`, not a count",
            ),
            (
                "version: {config: [1]}\n",
                "`version.config` is a list, not text",
            ),
            (
                "time: {last_run: soon}\n",
                "`time.last_run` is text, not a time in epoch seconds",
            ),
            ("time: {total: -2}\n", "`time.total` is -2, not a duration"),
            (
                "transaction_uuid: true\n",
                "`transaction_uuid` is `true`, not text",
            ),
        ];
        for (yaml, reason) in cases {
            assert_eq!(
                RunSummary::parse(yaml.as_bytes()),
                Err(reason.to_owned()),
                "{yaml}"
            );
        }
        let err = RunSummary::parse(b"resources: {failed: [\n").unwrap_err();
        assert!(err.contains("line"), "{err}");
    }

    #[test]
    fn fetch_results_become_statuses() {
        let path = Path::new("/s.yaml");
        let at = |yaml: &str, start: i64| {
            RunSummary::from_fetch(path, Ok(Some(yaml.as_bytes().to_vec())), started(start))
        };
        let fresh = at(&format!("time: {{last_run: {WRITTEN}}}\n"), WRITTEN);
        assert_eq!(
            (fresh.status, fresh.path.as_str()),
            (SummaryStatus::Ok, "/s.yaml")
        );
        assert_eq!(
            fresh.last_run.unwrap().to_string(),
            "2026-12-03T12:47:00.000Z"
        );
        // Within the clock-skew allowance: still this run's.
        let skewed = at(&format!("time: {{last_run: {WRITTEN}}}\n"), WRITTEN + 60);
        assert_eq!(skewed.status, SummaryStatus::Ok);
        let stale = at(
            &format!("time: {{last_run: {WRITTEN}}}\nresources: {{failed: 2}}\n"),
            WRITTEN + 3725,
        );
        assert_eq!(stale.status, SummaryStatus::Stale);
        assert_eq!(stale.failure(), None);
        assert_eq!(
            stale.lines(),
            ["Run summary: stale (written 1 h 2 min 5 sec before this run started): /s.yaml"]
        );
        let missing = RunSummary::from_fetch(path, Ok(None), started(WRITTEN));
        assert_eq!(missing.lines(), ["Run summary: not found at /s.yaml"]);
        let denied = RunSummary::from_fetch(path, Err("permission denied".into()), started(0));
        assert_eq!(
            denied.lines(),
            ["Run summary: unreadable: /s.yaml: permission denied"]
        );
    }

    #[test]
    fn lines_omit_what_is_unknown() {
        let s = summary(
            "version: {config: 1796288400}\ntransaction_uuid: 1f4c\n\
             resources: {changed: 2, failed: 0, out_of_sync: 2, skipped: 0, total: 313}\n",
        );
        assert_eq!(
            s.lines(),
            [
                "Resource events: 0 failed 2 changed 311 unchanged 0 skipped 0 noop",
                "Configuration version: 1796288400, Transaction UUID: 1f4c"
            ]
        );
        let s = summary("resources: {total: 0}\n");
        assert_eq!(s.lines().len(), 1);
    }

    #[test]
    fn the_json_has_every_key_with_nulls_where_unknown() {
        let s = RunSummary::from_fetch(Path::new("/s.yaml"), Ok(None), started(0));
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"status":"missing","path":"/s.yaml","reason":null,"resources":{"failed":null,"changed":null,"unchanged":null,"skipped":null,"noop":null,"total":null},"events":{"failure":null,"success":null,"noop":null,"total":null},"config_version":null,"transaction_uuid":null,"puppet_version":null,"run_time_s":null,"last_run":null}"#
        );
        let back: RunSummary = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn the_default_path_is_puppets() {
        let mut t = NodeTarget::default_for("a", crate::TransportKind::Local);
        assert_eq!(t.summary_path(), Path::new(DEFAULT_SUMMARY_PATH));
        t.summary = Some("/x.yaml".into());
        assert_eq!(t.summary_path(), Path::new("/x.yaml"));
    }
}
