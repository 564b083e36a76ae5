use std::path::Path;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use rusqlite::Connection;
use tempfile::TempDir;

use super::*;
use crate::event::{EventKind, EventSink, OutputTail};

fn open_temp() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("jobs.sqlite3")).unwrap();
    (dir, store)
}

fn node(name: &str, level: usize, depends_on: &[&str]) -> NewJobNode {
    NewJobNode {
        name: name.into(),
        level,
        depends_on: depends_on.iter().map(|d| d.to_string()).collect(),
        applications: Vec::new(),
    }
}

fn new_job(nodes: Vec<NewJobNode>) -> NewJob {
    NewJob {
        environment: "production".into(),
        target: "all".into(),
        noop: Some(false),
        description: None,
        user: "alice".into(),
        concurrency: Some(100),
        timeout_s: None,
        rerun_of: None,
        nodes,
    }
}

/// The plan of the examples: a database, two web servers on it, a load balancer on them.
fn shop_job() -> NewJob {
    new_job(vec![
        node("lb01", 2, &["web01", "web02"]),
        node("web02", 1, &["db01"]),
        node("db01", 0, &[]),
        node("web01", 1, &["db01"]),
    ])
}

/// Builds a job's events with consecutive seqs, one second apart.
struct Stream {
    job: JobId,
    seq: u64,
}

const T0: i64 = 1_796_288_400_000; // 2026-12-03T09:00:00.000Z

impl Stream {
    fn new(job: JobId) -> Stream {
        Stream { job, seq: 0 }
    }

    fn next(&mut self, kind: EventKind, message: &str) -> Event {
        self.seq += 1;
        Event {
            seq: self.seq,
            time: Timestamp::from_millis(T0 + (self.seq as i64 - 1) * 1000),
            job: self.job,
            kind,
            message: message.into(),
        }
    }
}

fn output(text: &str) -> OutputTail {
    OutputTail {
        text: text.into(),
        truncated: false,
    }
}

/// web01's run summary: one failed resource.
fn web01_summary() -> crate::RunSummary {
    crate::RunSummary::from_fetch(
        std::path::Path::new("/s.yaml"),
        Ok(Some(
            b"version: {config: 17, puppet: 7.23.0}\nresources: {failed: 1, out_of_sync: 1, total: 9}\n"
                .to_vec(),
        )),
        Timestamp::from_millis(T0),
    )
}

/// The shop job's whole stream: db01 finishes, web01 fails, web02 times out, lb01 is skipped.
fn shop_events(job: JobId) -> Vec<Event> {
    let mut s = Stream::new(job);
    let mut counts = NodeCounts::default();
    for state in [
        NodeState::Finished,
        NodeState::Failed,
        NodeState::Errored,
        NodeState::Skipped,
    ] {
        counts.add(state);
    }
    vec![
        s.next(
            EventKind::JobStarted {
                nodes: 4,
                environment: "production".into(),
                target: "all".into(),
                noop: Some(false),
                concurrency: Some(100),
            },
            "Starting deployment",
        ),
        s.next(
            EventKind::NodeRunning {
                node: "db01".into(),
                level: 0,
                failed_dependencies: Vec::new(),
            },
            "Started puppet run on db01 ...",
        ),
        s.next(
            EventKind::NodeFinished {
                node: "db01".into(),
                exit_code: 2,
                duration_s: 1.0,
                output: output("Notice: Applied catalog\n"),
                summary: None,
            },
            "Finished puppet run on db01 - Success!",
        ),
        s.next(
            EventKind::NodeRunning {
                node: "web01".into(),
                level: 1,
                failed_dependencies: Vec::new(),
            },
            "Started puppet run on web01 ...",
        ),
        s.next(
            EventKind::NodeRunning {
                node: "web02".into(),
                level: 1,
                failed_dependencies: Vec::new(),
            },
            "Started puppet run on web02 ...",
        ),
        s.next(
            EventKind::NodeFailed {
                node: "web01".into(),
                exit_code: Some(4),
                duration_s: 2.0,
                output: OutputTail {
                    text: "Error: boom\n".into(),
                    truncated: true,
                },
                summary: Some(web01_summary()),
            },
            "Finished puppet run on web01 - Failed!",
        ),
        s.next(
            EventKind::NodeErrored {
                node: "web02".into(),
                error: ErrorCause::TimedOut,
                duration_s: 2.5,
                output: OutputTail::default(),
            },
            "Puppet run on web02 timed out",
        ),
        s.next(
            EventKind::NodeSkipped {
                node: "lb01".into(),
                skipped_because: Some("web01".into()),
            },
            "Skipped puppet run on lb01",
        ),
        s.next(
            EventKind::JobFinished {
                state: JobState::Failed,
                node_states: counts,
                duration_s: 8.0,
            },
            "Job failed.",
        ),
    ]
}

fn record(store: &Store, job: JobId, events: &[Event]) {
    let mut recorder = store.recorder(job).unwrap();
    for e in events {
        recorder.event(e);
    }
    recorder.finish().unwrap();
}

fn at(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp::from_millis(T0 + seconds * 1000))
}

fn store_message(e: Error) -> String {
    match e {
        Error::Store { .. } => e.to_string(),
        other => panic!("expected a store error, got {other:?}"),
    }
}

/// The keys of a JSON object, in the order the text has them.
fn keys_in_order(json: &str) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut keys: Vec<(usize, String)> = value
        .as_object()
        .unwrap()
        .keys()
        .map(|k| (json.find(&format!("\"{k}\":")).unwrap(), k.clone()))
        .collect();
    keys.sort();
    keys.into_iter().map(|(_, k)| k).collect()
}

#[test]
fn a_recorded_job_reads_back_with_its_nodes_in_plan_order() {
    let (_dir, store) = open_temp();
    let id = store.create_job(&shop_job()).unwrap();
    assert_eq!(id, 1);
    let fresh = store.job(id).unwrap();
    assert_eq!(fresh.state, JobState::New);
    assert_eq!(fresh.node_states.get(NodeState::New), 4);

    record(&store, id, &shop_events(id));
    let job = store.job(id).unwrap();
    assert_eq!(job.state, JobState::Failed);
    assert_eq!(job.message, None);
    assert_eq!((job.started, job.finished), (at(0), at(8)));
    assert_eq!(job.duration_s, Some(8.0));
    assert_eq!(job.node_count, 4);
    let names: Vec<&str> = job.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["db01", "web01", "web02", "lb01"]);
    for state in [
        NodeState::Finished,
        NodeState::Failed,
        NodeState::Errored,
        NodeState::Skipped,
    ] {
        assert_eq!(job.node_states.get(state), 1, "{state}");
    }

    let [db, web1, web2, lb] = &job.nodes[..] else {
        unreachable!()
    };
    assert_eq!(db.state, NodeState::Finished);
    assert_eq!(
        (db.started, db.finished, db.duration_s),
        (at(1), at(2), Some(1.0))
    );
    assert_eq!(db.exit_code, Some(2));
    assert_eq!(
        db.message.as_deref(),
        Some("Finished puppet run on db01 - Success!")
    );
    assert_eq!(db.output_tail.as_deref(), Some("Notice: Applied catalog\n"));
    assert_eq!(web1.depends_on, ["db01"]);
    assert_eq!((web1.state, web1.exit_code), (NodeState::Failed, Some(4)));
    assert!(web1.output_truncated);
    assert_eq!(web1.run_summary(), Some(web01_summary()));
    assert_eq!(
        web1.summary.as_ref().unwrap()["resources"]["failed"],
        serde_json::json!(1)
    );
    assert_eq!((db.summary.as_ref(), lb.summary.as_ref()), (None, None));
    assert_eq!(web2.state, NodeState::Errored);
    assert_eq!(
        (web2.error, web2.exit_code),
        (Some(ErrorCause::TimedOut), None)
    );
    assert_eq!(lb.state, NodeState::Skipped);
    assert_eq!(lb.skipped_because.as_deref(), Some("web01"));
    assert_eq!(
        (lb.started, lb.finished, lb.output_tail.as_ref()),
        (None, None, None)
    );
    assert_eq!(lb.depends_on, ["web01", "web02"]);
}

#[test]
fn the_job_json_has_the_specs_keys_in_the_specs_order() {
    let (_dir, store) = open_temp();
    let id = store.create_job(&shop_job()).unwrap();
    record(&store, id, &shop_events(id));
    let job = store.job(id).unwrap();

    let json = serde_json::to_string(&job).unwrap();
    let spec = [
        "schema",
        "id",
        "state",
        "environment",
        "target",
        "noop",
        "description",
        "rerun_of",
        "user",
        "started",
        "finished",
        "duration_s",
        "node_states",
        "nodes",
    ];
    let keys = keys_in_order(&json);
    assert_eq!(keys[..spec.len()], spec);
    assert_eq!(
        keys[spec.len()..],
        [
            "message",
            "no_noop",
            "created",
            "node_count",
            "concurrency",
            "timeout_s",
            "stop_request"
        ]
    );
    assert!(json.starts_with(
        r#"{"schema":1,"id":1,"state":"failed","environment":"production","target":"all","noop":false,"description":null,"rerun_of":null,"user":"alice","started":"2026-12-03T09:00:00.000Z","finished":"2026-12-03T09:00:08.000Z","duration_s":8.0,"node_states":{"finished":1,"failed":1,"errored":1,"skipped":1},"nodes":[{"name":"db01","state":"finished","level":0,"started":"2026-12-03T09:00:01.000Z","finished":"2026-12-03T09:00:02.000Z","duration_s":1.0,"exit_code":2,"message":"Finished puppet run on db01 - Success!","output_tail":"Notice: Applied catalog\n","summary":null,"skipped_because":null,"#
    ));

    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let node_json = serde_json::to_string(&value["nodes"][3]).unwrap();
    let node_spec = [
        "name",
        "state",
        "level",
        "started",
        "finished",
        "duration_s",
        "exit_code",
        "message",
        "output_tail",
        "summary",
        "skipped_because",
    ];
    // serde_json::Value sorts keys, so check the order on the record's own text.
    let node_text = serde_json::to_string(&job.nodes[3]).unwrap();
    assert_eq!(keys_in_order(&node_text)[..node_spec.len()], node_spec);
    assert!(node_json.contains(r#""skipped_because":"web01""#));
    assert_eq!(value["nodes"][2]["error"], "timed_out");

    let summary = serde_json::to_string(&job.summary_json()).unwrap();
    let summary_keys = keys_in_order(&summary);
    assert!(!summary_keys.contains(&"nodes".to_string()));
    assert_eq!(summary_keys[..spec.len() - 1], spec[..spec.len() - 1]);
}

#[test]
fn the_list_is_newest_first_and_limited() {
    let (_dir, store) = open_temp();
    let ids: Vec<JobId> = (0..5)
        .map(|_| store.create_job(&shop_job()).unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    record(&store, 2, &shop_events(2));
    let list = store.jobs(3).unwrap();
    let listed: Vec<JobId> = list.iter().map(|j| j.id).collect();
    assert_eq!(listed, [5, 4, 3]);
    assert!(list.iter().all(|j| j.nodes.is_empty() && j.node_count == 4));
    let all = store.jobs(100).unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all[3].state, JobState::Failed);
    assert_eq!(all[3].node_states.get(NodeState::Skipped), 1);
    assert_eq!(all[3].node_states, store.job(2).unwrap().node_states);
}

#[test]
fn events_read_back_in_order_after_a_seq() {
    let (_dir, store) = open_temp();
    let id = store.create_job(&shop_job()).unwrap();
    let events = shop_events(id);
    record(&store, id, &events);
    assert_eq!(store.events(id, 0).unwrap(), events);
    assert_eq!(store.events(id, 6).unwrap(), events[6..]);
    assert!(store.events(id, 99).unwrap().is_empty());
    assert!(matches!(
        store.events(42, 0),
        Err(Error::UnknownJob { id: 42, .. })
    ));
    assert!(matches!(
        store.job(42),
        Err(Error::UnknownJob { id: 42, .. })
    ));
    assert!(matches!(store.recorder(42), Err(Error::UnknownJob { .. })));
}

#[test]
fn a_second_reader_sees_progress_while_the_job_runs() {
    let (dir, store) = open_temp();
    let id = store.create_job(&shop_job()).unwrap();
    let reader = Store::open(&dir.path().join("jobs.sqlite3")).unwrap();
    let events = shop_events(id);
    let mut recorder = store.recorder(id).unwrap();
    for e in &events[..3] {
        recorder.event(e);
    }
    // The writer commits on its own thread: wait for it, without finishing the recorder.
    let deadline = Instant::now() + Duration::from_secs(10);
    let job = loop {
        let job = reader.job(id).unwrap();
        if job.nodes[0].state == NodeState::Finished || Instant::now() > deadline {
            break job;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(job.state, JobState::Running);
    assert_eq!(job.nodes[0].state, NodeState::Finished);
    assert_eq!(job.node_states.get(NodeState::New), 3);
    assert_eq!(reader.events(id, 0).unwrap().len(), 3);
    for e in &events[3..] {
        recorder.event(e);
    }
    recorder.finish().unwrap();
    assert_eq!(reader.job(id).unwrap().state, JobState::Failed);
}

#[test]
fn dropping_a_recorder_still_commits_what_it_was_sent() {
    let (_dir, store) = open_temp();
    let id = store.create_job(&shop_job()).unwrap();
    {
        let mut recorder = store.recorder(id).unwrap();
        for e in shop_events(id) {
            recorder.event(&e);
        }
    }
    assert_eq!(store.job(id).unwrap().state, JobState::Failed);
}

#[test]
fn a_write_error_is_reported_by_finish() {
    let (_dir, store) = open_temp();
    let id = store.create_job(&shop_job()).unwrap();
    let events = shop_events(id);
    let mut recorder = store.recorder(id).unwrap();
    recorder.event(&events[0]);
    recorder.event(&events[0]); // the same seq twice
    let message = store_message(recorder.finish().unwrap_err());
    assert!(
        message.contains("could not record the job's events"),
        "{message}"
    );
}

#[test]
fn an_event_for_a_node_not_in_the_plan_still_shows() {
    let (_dir, store) = open_temp();
    let id = store.create_job(&new_job(vec![])).unwrap();
    let mut s = Stream::new(id);
    let running = s.next(
        EventKind::NodeRunning {
            node: "extra".into(),
            level: 3,
            failed_dependencies: Vec::new(),
        },
        "Started puppet run on extra ...",
    );
    record(&store, id, &[running]);
    let job = store.job(id).unwrap();
    assert_eq!(job.nodes.len(), 1);
    assert_eq!(
        (job.nodes[0].level, job.nodes[0].state),
        (3, NodeState::Running)
    );
}

#[test]
fn threads_creating_jobs_at_once_get_distinct_sequential_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.sqlite3");
    Store::open(&path).unwrap();
    let mut ids: Vec<JobId> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    let store = Store::open(&path).unwrap();
                    (0..25)
                        .map(|_| store.create_job(&shop_job()).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    ids.sort();
    assert_eq!(ids, (1..=100).collect::<Vec<JobId>>());
}

const CHILD_STORE: &str = "ORCH_STORE_TEST_CHILD";

/// Not a test on its own: the body of a process started by the test below.
#[test]
fn child_process_creating_jobs() {
    let Some(path) = std::env::var_os(CHILD_STORE) else {
        return;
    };
    let store = Store::open(Path::new(&path)).unwrap();
    for _ in 0..20 {
        println!("created job {}", store.create_job(&shop_job()).unwrap());
    }
}

#[test]
fn processes_creating_jobs_at_once_get_distinct_sequential_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh/jobs.sqlite3");
    let exe = std::env::current_exe().unwrap();
    // Both start on a store that does not exist yet: creation and migration race too.
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "store::tests::child_process_creating_jobs",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD_STORE, &path)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut ids: Vec<JobId> = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        ids.extend(
            text.lines()
                // The harness may print the test's name on the same line as its first output.
                .filter_map(|l| l.split("created job ").nth(1))
                .map(|n| n.parse::<JobId>().unwrap()),
        );
    }
    ids.sort();
    assert_eq!(ids, (1..=40).collect::<Vec<JobId>>());
}

#[test]
fn a_schema_1_store_is_migrated_and_its_jobs_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.sqlite3");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(schema::V1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO jobs (state, environment, target, noop, user, created_ms, started_ms)
                 VALUES ('running', 'production', 'all', NULL, 'bob', 1796288400000, 1796288400000);
             INSERT INTO job_nodes (job_id, name, level, depends_on, state)
                 VALUES (1, 'db01', 0, '[]', 'finished'), (1, 'web01', 1, '[\"db01\"]', 'running');
             INSERT INTO events (job_id, seq, type, time_ms, line) VALUES (1, 1, 'job_stopping',
                 1796288400000, '{\"schema\":1,\"seq\":1,\"type\":\"job_stopping\",\"time\":\"2026-12-03T09:00:00.000Z\",\"job\":1,\"force\":false,\"message\":\"\"}');",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let conn = Connection::open(&path).unwrap();
    assert_eq!(schema::version(&conn).unwrap(), schema::LATEST);
    let index: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'events_by_job_seq'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(index, 1);

    // No runner recorded: nothing to judge it by, so it reads as it was.
    let job = store.job(1).unwrap();
    assert_eq!(
        (job.state, job.user.as_str(), job.noop),
        (JobState::Running, "bob", None)
    );
    assert_eq!(job.nodes[1].depends_on, ["db01"]);
    assert_eq!(store.events(1, 0).unwrap().len(), 1);
    // New jobs continue the sequence.
    assert_eq!(store.create_job(&shop_job()).unwrap(), 2);
    // Opening again is a no-op.
    drop(store);
    Store::open(&path).unwrap();
}

#[test]
fn a_store_from_a_newer_orch_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.sqlite3");
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 7)
        .unwrap();
    let message = store_message(Store::open(&path).unwrap_err());
    assert!(
        message.contains("created by a newer orch (schema 7); this orch reads up to 3"),
        "{message}"
    );
    assert!(message.contains(&path.display().to_string()), "{message}");
}

#[test]
fn a_file_that_is_not_a_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.sqlite3");
    // Deterministic noise: a simple LCG, long enough to cover SQLite's header.
    let mut x: u32 = 12345;
    let noise: Vec<u8> = (0..8192)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    std::fs::write(&path, noise).unwrap();
    let message = store_message(Store::open(&path).unwrap_err());
    assert!(
        message.contains("not an SQLite database, or corrupt"),
        "{message}"
    );
    assert!(message.contains(&path.display().to_string()), "{message}");
}

#[test]
fn someone_elses_database_is_not_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite3");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let message = store_message(Store::open(&path).unwrap_err());
    assert!(message.contains("not an orch job store"), "{message}");
}

#[test]
fn a_directory_that_cannot_be_created_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let path = file.join("orch/jobs.sqlite3");
    let message = store_message(Store::open(&path).unwrap_err());
    assert!(
        message.contains("could not create its directory"),
        "{message}"
    );
    assert!(message.contains(&path.display().to_string()), "{message}");

    let message = store_message(Store::open(dir.path()).unwrap_err());
    assert!(message.contains("is a directory"), "{message}");
}

#[test]
fn the_parent_directories_are_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/orch/jobs.sqlite3");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.path(), path);
    assert!(path.is_file());
}

#[test]
fn a_read_only_store_reads_but_does_not_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.sqlite3");
    let id = {
        let store = Store::open(&path).unwrap();
        let id = store.create_job(&shop_job()).unwrap();
        record(&store, id, &shop_events(id));
        id
    };
    // Root may write any file, so force read-only access rather than rely on permissions.
    let store = Store::open_with(&path, Access::ReadOnly).unwrap();
    assert_eq!(store.job(id).unwrap().state, JobState::Failed);
    assert_eq!(store.jobs(10).unwrap().len(), 1);
    let message = store_message(store.create_job(&shop_job()).unwrap_err());
    assert!(message.contains("read-only"), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");
    let message = store_message(store.recorder(id).unwrap_err());
    assert!(message.contains("read-only"), "{message}");
    // A dry run of a prune reads; a prune and a stop request write.
    let future: Timestamp = "3000-01-01T00:00:00Z".parse().unwrap();
    assert_eq!(store.prune(future, true).unwrap(), [id]);
    let message = store_message(store.prune(future, false).unwrap_err());
    assert!(message.contains("read-only"), "{message}");
    let message = store_message(store.request_stop(id, false, "bob").unwrap_err());
    assert!(message.contains("read-only"), "{message}");
}

#[test]
fn a_read_only_file_opens_read_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.sqlite3");
    Store::open(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    if std::fs::OpenOptions::new().write(true).open(&path).is_ok() {
        return; // root: permissions do not apply; the forced test above covers this
    }
    let store = Store::open(&path).unwrap();
    assert!(store.create_job(&shop_job()).is_err());
}

fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

/// A job mid-run (db01 finished, web01 running, the others waiting) run by `runner`.
fn orphan(store: &Store, runner: &Runner) -> JobId {
    let id = store.create_job_as(&shop_job(), runner).unwrap();
    record(store, id, &shop_events(id)[..4]);
    id
}

fn raw_state(path: &Path, id: JobId) -> (String, Option<String>, Vec<String>) {
    let conn = Connection::open(path).unwrap();
    let (state, message) = conn
        .query_row("SELECT state, message FROM jobs WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let mut stmt = conn
        .prepare("SELECT state FROM job_nodes WHERE job_id = ?1 ORDER BY level, name")
        .unwrap();
    let nodes = stmt
        .query_map([id], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (state, message, nodes)
}

#[test]
fn a_job_whose_runner_died_reads_as_failed_and_that_is_saved() {
    let (_dir, store) = open_temp();
    let dead = Runner {
        pid: dead_pid(),
        ..Runner::current()
    };
    let id = orphan(&store, &dead);
    let job = store.job(id).unwrap();
    assert_eq!(job.state, JobState::Failed);
    assert_eq!(job.message.as_deref(), Some(RUNNER_DIED));
    let states: Vec<NodeState> = job.nodes.iter().map(|n| n.state).collect();
    use NodeState::*;
    assert_eq!(states, [Finished, Errored, Skipped, Skipped]);
    assert_eq!(job.nodes[1].message.as_deref(), Some(RUNNER_DIED));
    assert_eq!(
        job.nodes[0].message.as_deref(),
        Some("Finished puppet run on db01 - Success!")
    );
    assert_eq!(
        (job.node_states.get(Errored), job.node_states.get(Skipped)),
        (1, 2)
    );
    assert_eq!(
        raw_state(store.path(), id),
        (
            "failed".into(),
            Some(RUNNER_DIED.into()),
            vec![
                "finished".into(),
                "errored".into(),
                "skipped".into(),
                "skipped".into()
            ]
        )
    );
}

#[test]
fn a_reused_pid_is_a_dead_runner_too_and_the_list_shows_it() {
    let (_dir, store) = open_temp();
    let here = Runner::current();
    if here.start_time.is_none() {
        return; // no /proc: start times cannot be compared
    }
    let reused = Runner {
        start_time: here.start_time.map(|t| t.saturating_sub(1)),
        ..here
    };
    let id = orphan(&store, &reused);
    let listed = &store.jobs(1).unwrap()[0];
    assert_eq!((listed.id, listed.state), (id, JobState::Failed));
    assert_eq!(listed.node_states.get(NodeState::Errored), 1);
    assert_eq!(listed.node_states.get(NodeState::Skipped), 2);
    assert_eq!(raw_state(store.path(), id).0, "failed");
}

#[test]
fn a_read_only_reader_shows_the_correction_without_saving_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.sqlite3");
    let dead = Runner {
        pid: dead_pid(),
        ..Runner::current()
    };
    let id = orphan(&Store::open(&path).unwrap(), &dead);
    let store = Store::open_with(&path, Access::ReadOnly).unwrap();
    assert_eq!(store.job(id).unwrap().state, JobState::Failed);
    assert_eq!(raw_state(&path, id).0, "running");
}

#[test]
fn a_live_or_remote_runner_is_left_alone() {
    let (_dir, store) = open_temp();
    let own = orphan(&store, &Runner::current());
    let elsewhere = Runner {
        pid: dead_pid(),
        host: Some("elsewhere.example.net".into()),
        ..Runner::current()
    };
    let remote = orphan(&store, &elsewhere);
    for id in [own, remote] {
        let job = store.job(id).unwrap();
        assert_eq!((job.state, job.message), (JobState::Running, None));
    }
    // Through create_job too: the running process never sees its own job as dead.
    let id = store.create_job(&shop_job()).unwrap();
    assert_eq!(store.job(id).unwrap().state, JobState::New);
}

#[test]
fn ten_thousand_nodes_record_in_bulk() {
    let (_dir, store) = open_temp();
    let n = 10_000;
    let names: Vec<String> = (0..n).map(|i| format!("node{i:05}.example.net")).collect();
    let job = new_job(names.iter().map(|name| node(name, 0, &[])).collect());
    let started = Instant::now();
    let id = store.create_job(&job).unwrap();
    let created = started.elapsed();
    let mut s = Stream::new(id);
    let mut recorder = store.recorder(id).unwrap();
    for name in &names {
        let running = s.next(
            EventKind::NodeRunning {
                node: name.clone(),
                level: 0,
                failed_dependencies: Vec::new(),
            },
            "Started",
        );
        recorder.event(&running);
    }
    for name in &names {
        let finished = s.next(
            EventKind::NodeFinished {
                node: name.clone(),
                exit_code: 0,
                duration_s: 0.5,
                output: output("Notice: Applied catalog in 0.01 seconds\n"),
                summary: None,
            },
            "Finished",
        );
        recorder.event(&finished);
    }
    for name in &names {
        // A third event per node, as a real stream has (skips, messages): ~30k in all.
        let again = s.next(
            EventKind::NodeFinished {
                node: name.clone(),
                exit_code: 2,
                duration_s: 0.5,
                output: OutputTail::default(),
                summary: None,
            },
            "Finished again",
        );
        recorder.event(&again);
    }
    recorder.finish().unwrap();
    eprintln!(
        "10,000 nodes: job created in {created:?}, {} events recorded in {:?} ({} build)",
        s.seq,
        started.elapsed() - created,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    let job = store.job(id).unwrap();
    assert_eq!(job.node_states.get(NodeState::Finished), n);
    assert_eq!(store.events(id, 0).unwrap().len(), 3 * n);
}

#[test]
fn the_default_path_follows_the_environment() {
    use std::ffi::OsString;
    let env = |vars: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    };
    const ALL: [(&str, &str); 3] = [
        ("ORCH_STORE", "/s/jobs.db"),
        ("XDG_STATE_HOME", "/x"),
        ("HOME", "/h"),
    ];
    assert_eq!(default_path_from(env(&ALL)), Some("/s/jobs.db".into()));
    assert_eq!(
        default_path_from(env(&ALL[1..])),
        Some("/x/orch/jobs.sqlite3".into())
    );
    assert_eq!(
        default_path_from(env(&[("XDG_STATE_HOME", "relative"), ("HOME", "/h")])),
        Some("/h/.local/state/orch/jobs.sqlite3".into())
    );
    assert_eq!(
        default_path_from(env(&[("ORCH_STORE", ""), ("HOME", "/h")])),
        Some("/h/.local/state/orch/jobs.sqlite3".into())
    );
    assert_eq!(default_path_from(env(&[])), None);
}

#[test]
fn error_cause_names_match_their_json() {
    for cause in ErrorCause::ALL {
        assert_eq!(serde_json::to_value(cause).unwrap(), cause_name(cause));
        assert_eq!(parse_cause(cause_name(cause)).unwrap(), cause);
    }
}

fn outcome(node: &str, which: u8) -> EventKind {
    let node = node.to_owned();
    match which {
        0 => EventKind::NodeFinished {
            node,
            exit_code: 0,
            duration_s: 1.0,
            output: OutputTail::default(),
            summary: None,
        },
        1 => EventKind::NodeFailed {
            node,
            exit_code: Some(1),
            duration_s: 1.0,
            output: OutputTail::default(),
            summary: None,
        },
        2 => EventKind::NodeErrored {
            node,
            error: ErrorCause::Transport,
            duration_s: 1.0,
            output: OutputTail::default(),
        },
        _ => EventKind::NodeSkipped {
            node,
            skipped_because: None,
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whatever each node's outcome, the store's counts and node states are the stream's.
    #[test]
    fn the_store_is_the_projection_of_the_stream(outcomes in prop::collection::vec(0u8..4, 0..12)) {
        let (_dir, store) = open_temp();
        let names: Vec<String> = (0..outcomes.len()).map(|i| format!("n{i:02}")).collect();
        let id = store
            .create_job(&new_job(names.iter().map(|n| node(n, 0, &[])).collect()))
            .unwrap();
        let mut s = Stream::new(id);
        let mut expected = NodeCounts::default();
        let mut events = Vec::new();
        for (name, &which) in names.iter().zip(&outcomes) {
            let kind = outcome(name, which);
            if which < 3 {
                events.push(s.next(EventKind::NodeRunning { node: name.clone(), level: 0, failed_dependencies: Vec::new() }, ""));
            }
            expected.add(match kind {
                EventKind::NodeFinished { .. } => NodeState::Finished,
                EventKind::NodeFailed { .. } => NodeState::Failed,
                EventKind::NodeErrored { .. } => NodeState::Errored,
                _ => NodeState::Skipped,
            });
            events.push(s.next(kind, ""));
        }
        record(&store, id, &events);
        let job = store.job(id).unwrap();
        prop_assert_eq!(job.node_states, expected);
        prop_assert_eq!(store.jobs(1).unwrap()[0].node_states, expected);
        prop_assert_eq!(store.events(id, 0).unwrap(), events);
    }
}

#[test]
fn a_schema_2_store_is_migrated_to_3_and_its_jobs_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.sqlite3");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(schema::V1).unwrap();
        conn.execute_batch(schema::V2).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO jobs (state, environment, target, user, created_ms, finished_ms)
                 VALUES ('finished', 'production', 'all', 'bob', 1796288400000, 1796288401000);
             INSERT INTO job_nodes (job_id, name, level, depends_on, state)
                 VALUES (1, 'db01', 0, '[]', 'finished');",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let conn = Connection::open(&path).unwrap();
    assert_eq!(schema::version(&conn).unwrap(), 3);
    let index: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'jobs_by_created'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(index, 1);
    let old = store.job(1).unwrap();
    assert_eq!((old.rerun_of, &old.stop_request), (None, &None));
    assert!(old.nodes[0].applications.is_empty());
    assert_eq!(store.stop_request(1).unwrap(), None);

    // The new columns take what a new job brings.
    let mut rerun = shop_job();
    rerun.rerun_of = Some(1);
    rerun.nodes[2].applications = vec![orch_model::ResourceRef::new("shop", "prod")];
    let id = store.create_job(&rerun).unwrap();
    let job = store.job(id).unwrap();
    assert_eq!(job.rerun_of, Some(1));
    assert!(crate::render_job_detail(&job).contains("\nRerun of:    job 1\n"));
    assert_eq!(job.nodes[0].name, "db01");
    assert_eq!(job.nodes[0].applications[0].to_string(), "Shop[prod]");
    let json = serde_json::to_value(&job).unwrap();
    assert_eq!(json["rerun_of"], 1);
    assert_eq!(
        json["nodes"][0]["applications"],
        serde_json::json!(["Shop[prod]"])
    );
    drop(store);
    Store::open(&path).unwrap();
}

/// The shop job part-way: db01 finished, web01 running, web02 and lb01 waiting.
fn running_shop(store: &Store) -> JobId {
    let id = store.create_job(&shop_job()).unwrap();
    record(store, id, &shop_events(id)[..4]);
    id
}

#[test]
fn a_stop_request_is_recorded_once_and_only_upgrades() {
    let (_dir, store) = open_temp();
    let id = running_shop(&store);
    assert_eq!(store.stop_request(id).unwrap(), None);

    let answer = store.request_stop(id, false, "bob").unwrap();
    assert_eq!(
        serde_json::to_string(&answer).unwrap(),
        r#"{"schema":1,"job":1,"state":"stopping","requested":true,"force":false,"nodes":{"new":2,"running":1,"failed":0,"errored":0,"skipped":0,"finished":1}}"#
    );
    let first = store.stop_request(id).unwrap().unwrap();
    assert_eq!((first.force, first.user.as_str()), (false, "bob"));

    // Asking again changes nothing: the first asker and time stay.
    assert_eq!(store.request_stop(id, false, "carol").unwrap(), answer);
    assert_eq!(store.stop_request(id).unwrap().unwrap(), first);

    let forced = store.request_stop(id, true, "carol").unwrap();
    assert!(forced.requested && forced.force);
    let upgraded = store.stop_request(id).unwrap().unwrap();
    assert_eq!((upgraded.force, upgraded.user.as_str()), (true, "carol"));
    // A plain stop does not take the force back.
    assert!(store.request_stop(id, false, "dave").unwrap().force);
    assert_eq!(store.stop_request(id).unwrap().unwrap(), upgraded);
    // The job shows it; the job's state is the scheduler's to change.
    let job = store.job(id).unwrap();
    assert!(crate::render_job_detail(&job).contains("\nStop asked:  by carol at "));
    assert_eq!(job.stop_request, Some(upgraded));
    assert_eq!(job.state, JobState::Running);

    assert!(matches!(
        store.request_stop(42, false, "bob"),
        Err(Error::UnknownJob { id: 42, .. })
    ));
    assert!(matches!(
        store.stop_request(42),
        Err(Error::UnknownJob { id: 42, .. })
    ));
}

#[test]
fn an_ended_job_is_not_asked_to_stop() {
    let (_dir, store) = open_temp();
    let id = store.create_job(&shop_job()).unwrap();
    record(&store, id, &shop_events(id));
    let answer = store.request_stop(id, true, "bob").unwrap();
    assert_eq!(
        (answer.state, answer.requested, answer.force),
        (JobState::Failed, false, false)
    );
    assert_eq!(answer.node_states, store.job(id).unwrap().node_states);
    assert_eq!(store.stop_request(id).unwrap(), None);

    // A job whose runner died has ended too.
    let dead = Runner {
        pid: dead_pid(),
        ..Runner::current()
    };
    let orphaned = orphan(&store, &dead);
    let answer = store.request_stop(orphaned, false, "bob").unwrap();
    assert_eq!((answer.state, answer.requested), (JobState::Failed, false));
    assert_eq!(store.stop_request(orphaned).unwrap(), None);
}

#[test]
fn a_watcher_passes_stop_requests_to_the_handle() {
    let (_dir, store) = open_temp();
    let id = running_shop(&store);
    let stop = crate::StopHandle::new();
    let watcher = store.watch_stop_requests(id, stop.clone()).unwrap();
    let wait_for = |level: crate::StopLevel| {
        let deadline = Instant::now() + Duration::from_secs(10);
        while stop.level() != level {
            assert!(
                Instant::now() < deadline,
                "the watcher never passed on {level:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    std::thread::sleep(STOP_POLL);
    assert_eq!(stop.level(), crate::StopLevel::None);
    store.request_stop(id, false, "bob").unwrap();
    wait_for(crate::StopLevel::Stop);
    store.request_stop(id, true, "bob").unwrap();
    wait_for(crate::StopLevel::Force);
    drop(watcher);

    assert!(matches!(
        store.watch_stop_requests(42, stop),
        Err(Error::UnknownJob { id: 42, .. })
    ));
}

#[test]
fn dropping_a_watcher_ends_it_promptly() {
    let (_dir, store) = open_temp();
    let id = running_shop(&store);
    let watcher = store
        .watch_stop_requests(id, crate::StopHandle::new())
        .unwrap();
    let started = Instant::now();
    drop(watcher);
    assert!(started.elapsed() < STOP_POLL * 3);
}

/// Sets a job's creation time, in seconds after T0.
fn created_at(store: &Store, id: JobId, seconds: i64) {
    Connection::open(store.path())
        .unwrap()
        .execute(
            "UPDATE jobs SET created_ms = ?2 WHERE id = ?1",
            params![id, T0 + seconds * 1000],
        )
        .unwrap();
}

fn ids(page: &JobPage) -> Vec<JobId> {
    page.items.iter().map(|j| j.id).collect()
}

#[test]
fn the_list_filters_pages_and_counts() {
    let (_dir, store) = open_temp();
    let mut bob = shop_job();
    bob.user = "bob".into();
    let mut staging = shop_job();
    staging.environment = "staging".into();
    let failed = store.create_job(&shop_job()).unwrap(); // 1
    record(&store, failed, &shop_events(failed));
    let running = running_shop(&store); // 2
    let by_bob = store.create_job(&bob).unwrap(); // 3
    let in_staging = store.create_job(&staging).unwrap(); // 4
    let dead = Runner {
        pid: dead_pid(),
        ..Runner::current()
    };
    let orphaned = orphan(&store, &dead); // 5: reads as failed
    for (id, at) in [(1, 0), (2, 10), (3, 20), (4, 30), (5, 40)] {
        created_at(&store, id, at);
    }
    let list = |query: JobQuery| store.list(&query).unwrap();

    let all = list(JobQuery::default());
    assert_eq!((ids(&all), all.total), (vec![5, 4, 3, 2, 1], 5));
    let page = list(JobQuery {
        limit: 2,
        offset: 1,
        ..JobQuery::default()
    });
    assert_eq!((ids(&page), page.total), (vec![4, 3], 5));
    let past = list(JobQuery {
        offset: 9,
        ..JobQuery::default()
    });
    assert_eq!((ids(&past), past.total), (vec![], 5));

    // States as readers see them: the orphan is failed, not running.
    let failed_jobs = list(JobQuery {
        states: vec![JobState::Failed],
        ..JobQuery::default()
    });
    assert_eq!(ids(&failed_jobs), [orphaned, failed]);
    assert!(
        failed_jobs
            .items
            .iter()
            .all(|j| j.state == JobState::Failed)
    );
    let live = list(JobQuery {
        states: vec![JobState::Running, JobState::New],
        ..JobQuery::default()
    });
    assert_eq!(
        (ids(&live), live.total),
        (vec![in_staging, by_bob, running], 3)
    );

    let bobs = list(JobQuery {
        user: Some("bob".into()),
        ..JobQuery::default()
    });
    assert_eq!(ids(&bobs), [by_bob]);
    let staged = list(JobQuery {
        environment: Some("staging".into()),
        ..JobQuery::default()
    });
    assert_eq!(ids(&staged), [in_staging]);
    let recent = list(JobQuery {
        since: at(20),
        limit: 1,
        ..JobQuery::default()
    });
    assert_eq!((ids(&recent), recent.total), (vec![5], 3));
    let none = list(JobQuery {
        user: Some("bob".into()),
        states: vec![JobState::Finished],
        ..JobQuery::default()
    });
    assert_eq!((ids(&none), none.total), (vec![], 0));
    // Values are bound, never SQL.
    let hostile = list(JobQuery {
        user: Some("' OR 1=1 --".into()),
        ..JobQuery::default()
    });
    assert_eq!(hostile.total, 0);
    assert_eq!(store.jobs(2).unwrap().len(), 2);
}

fn count_rows(path: &Path, table: &str, job: JobId) -> i64 {
    let column = if table == "jobs" { "id" } else { "job_id" };
    Connection::open(path)
        .unwrap()
        .query_row(
            &format!("SELECT count(*) FROM {table} WHERE {column} = ?1"),
            [job],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn prune_deletes_ended_jobs_before_the_cutoff_with_their_nodes_and_events() {
    let (_dir, store) = open_temp();
    let old_failed = store.create_job(&shop_job()).unwrap();
    record(&store, old_failed, &shop_events(old_failed));
    let old_running = running_shop(&store);
    let dead = Runner {
        pid: dead_pid(),
        ..Runner::current()
    };
    let old_orphan = orphan(&store, &dead);
    let recent = store.create_job(&shop_job()).unwrap();
    record(&store, recent, &shop_events(recent));
    for (id, at) in [
        (old_failed, 0),
        (old_running, 1),
        (old_orphan, 2),
        (recent, 100),
    ] {
        created_at(&store, id, at);
    }
    let cutoff = at(50).unwrap();

    assert_eq!(store.prune(cutoff, true).unwrap(), [old_failed, old_orphan]);
    assert_eq!(
        store.jobs(10).unwrap().len(),
        4,
        "a dry run deletes nothing"
    );
    assert_eq!(
        store.prune(cutoff, false).unwrap(),
        [old_failed, old_orphan]
    );
    for id in [old_failed, old_orphan] {
        for table in ["jobs", "job_nodes", "events"] {
            assert_eq!(
                count_rows(store.path(), table, id),
                0,
                "{table} of job {id}"
            );
        }
        assert!(matches!(store.job(id), Err(Error::UnknownJob { .. })));
    }
    assert_eq!(store.job(old_running).unwrap().state, JobState::Running);
    assert_eq!(store.events(recent, 0).unwrap().len(), 9);
    assert!(store.prune(cutoff, false).unwrap().is_empty());
    // Ids are never reused after a prune.
    assert_eq!(store.create_job(&shop_job()).unwrap(), recent + 1);
}
