//! Pre-flight: every node connected first, the connections reused by the job.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use orch_runner::{
    Connection, ErrorCause, EventLog, JobOptions, NodeState, NodeTarget, RunError, Script,
    StopHandle, Transport, TransportKind, preflight, run_job,
};

use crate::common::{plan_of, scripted};

/// Counts connections made through it.
struct Counting<T> {
    inner: T,
    connects: AtomicUsize,
}

#[async_trait]
impl<T: Transport> Transport for Counting<T> {
    async fn connect(&self, node: &NodeTarget) -> Result<Box<dyn Connection>, RunError> {
        self.connects.fetch_add(1, Ordering::SeqCst);
        self.inner.connect(node).await
    }
}

#[tokio::test]
async fn a_node_is_connected_once_and_a_failed_check_is_its_error() {
    let plan = plan_of(&[("db01", &[]), ("web01", &["db01"]), ("web02", &["db01"])]);
    let transport = Arc::new(Counting {
        inner: scripted(&[(
            "web02",
            Script::Unreachable("cannot reach web02: Connection refused".into()),
        )]),
        connects: AtomicUsize::new(0),
    });
    let names: Vec<String> = plan.nodes().map(|(_, n)| n.name.clone()).collect();
    let target = |name: &str| NodeTarget::default_for(name, TransportKind::Local);
    let (checks, preconnected) = preflight(&names, target, transport.clone(), 2).await;
    let failed: Vec<_> = checks.failed().map(|c| c.name.as_str()).collect();
    assert_eq!(failed, ["web02"]);
    assert_eq!(checks.nodes[2].error, Some(ErrorCause::Unreachable));
    assert_eq!(
        checks.render(),
        "Node check: 1 of 3 nodes cannot be used:\n  web02 (unreachable): cannot reach web02: \
         Connection refused\n"
    );
    assert_eq!(transport.connects.load(Ordering::SeqCst), 3);

    let preconnected = Arc::new(preconnected);
    let mut log = EventLog::default();
    let report = run_job(
        1,
        &plan,
        target,
        preconnected.clone(),
        &JobOptions::default(),
        &StopHandle::new(),
        &mut [&mut log],
    )
    .await;
    preconnected.close_unused().await;
    assert_eq!(
        transport.connects.load(Ordering::SeqCst),
        3,
        "no second connect"
    );
    let states: Vec<NodeState> = report.nodes.iter().map(|n| n.state).collect();
    assert_eq!(
        states,
        [NodeState::Finished, NodeState::Finished, NodeState::Errored]
    );
    assert_eq!(report.nodes[2].error, Some(ErrorCause::Unreachable));
    assert_eq!(
        report.nodes[2].message,
        "Error running puppet on web02: cannot reach web02: Connection refused"
    );
}
