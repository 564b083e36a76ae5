//! A `Sensitive` value stays redacted in every output of the binary: `app show` (text, JSON),
//! `job plan` (every format), and the errors of an environment that fails with it.

use crate::run;

/// The secret orch-model's Sensitive scenarios hold (in Hiera data and in site.pp).
const SECRET: &str = "S3cr3tBytes42";

#[test]
fn no_output_shows_a_sensitive_value() {
    let ok = "orch-model/tests/puppet/sensitive_ok_sensitive";
    let mut runs: Vec<Vec<&str>> = vec![
        vec!["app", "show", "-m", ok],
        vec!["app", "show", "-m", ok, "--format", "json"],
    ];
    for f in ["text", "json", "dot", "mermaid"] {
        runs.push(vec!["job", "plan", "-m", ok, "--format", f]);
    }
    for bad in [
        "orch-model/tests/puppet/sensitive_err_sensitive",
        "orch-model/tests/puppet/sensitive_err_sensitive_fail",
    ] {
        runs.push(vec!["app", "show", "-m", bad]);
        runs.push(vec!["job", "plan", "-m", bad]);
    }
    for args in &runs {
        let out = run(args);
        assert!(out.contains("exit: "), "{args:?}: {out}");
        assert!(!out.contains(SECRET), "{args:?} shows the secret:\n{out}");
    }
    // The environments do use the secret: the app shows it redacted where a value is shown.
    let shown = run(&[
        "app",
        "show",
        "-m",
        "orch-model/tests/puppet/sensitive_err_sensitive_fail",
    ]);
    assert!(shown.contains("Sensitive [value redacted]"), "{shown}");
    let plan = run(&["job", "plan", "-m", ok]);
    assert!(
        plan.contains("exit: 0") && plan.contains("db.example"),
        "{plan}"
    );
}
