use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::Inventory;
use crate::Error;
use crate::transport::TransportKind;

const SPEC_EXAMPLE: &str = r#"config:
  transport: ssh              # ssh (default) | local
  ssh:                        # Bolt's names
    user: deploy
    port: 22
    private-key: /keys/id_ed25519
    host-key-check: true
    connect-timeout: 10
    run-as: root              # sudo -n -u root --
  orch:
    command: [puppet, agent, --test, --detailed-exitcodes]
    summary: /opt/puppetlabs/puppet/cache/state/last_run_summary.yaml
groups:
  - name: web
    targets: [web01.example.net, web02.example.net]
    config: { ssh: { user: webops } }
targets:
  - uri: db01.example.net
    alias: db
  - name: lb01.example.net
    config: { transport: local, orch: { command: [./agent, --fail] } }
"#;

fn parse(text: &str) -> Result<Inventory, Error> {
    Inventory::parse(text, Path::new("inv.yaml"), Path::new("/srv/inv"))
}

fn position(e: &Error) -> (Option<usize>, Option<usize>, String) {
    match e {
        Error::Inventory {
            line,
            column,
            message,
            ..
        } => (*line, *column, message.clone()),
        other => panic!("not an inventory error: {other}"),
    }
}

#[test]
fn the_spec_example_resolves_with_bolt_precedence() {
    let inv = parse(SPEC_EXAMPLE).unwrap();
    let web = inv.target("web01.example.net");
    assert_eq!(web.transport, TransportKind::Ssh);
    assert_eq!(
        web.ssh.user.as_deref(),
        Some("webops"),
        "group over top level"
    );
    assert_eq!(web.ssh.port, Some(22));
    assert_eq!(web.ssh.run_as.as_deref(), Some("root"));
    assert_eq!(web.host, "web01.example.net");

    let db = inv.target("db");
    assert_eq!(
        db.name, "db01.example.net",
        "alias resolves to the certname"
    );
    assert_eq!(db.ssh.user.as_deref(), Some("deploy"));
    assert_eq!(inv.resolve_name("db"), Some("db01.example.net"));

    let lb = inv.target("lb01.example.net");
    assert_eq!(lb.transport, TransportKind::Local);
    assert_eq!(lb.command, ["/srv/inv/./agent", "--fail"]);
    assert_eq!(
        lb.summary,
        Some(PathBuf::from(
            "/opt/puppetlabs/puppet/cache/state/last_run_summary.yaml"
        ))
    );

    let other = inv.target("mail.example.net");
    assert_eq!(other.host, "mail.example.net");
    assert_eq!(
        other.ssh.user.as_deref(),
        Some("deploy"),
        "top-level config"
    );
    assert_eq!(
        other.command,
        ["puppet", "agent", "--test", "--detailed-exitcodes"]
    );
    assert!(other.append_flags);
    assert_eq!(
        inv.certnames().collect::<Vec<_>>(),
        [
            "db01.example.net",
            "lb01.example.net",
            "web01.example.net",
            "web02.example.net"
        ]
    );
}

#[test]
fn nested_groups_innermost_first_and_uri_parts() {
    let inv = parse(
        r#"
groups:
  - name: outer
    config: { ssh: { user: a, port: 2200 }, orch: { append-flags: false } }
    groups:
      - name: inner
        config: { ssh: { user: b } }
        targets:
          - uri: ssh://carol@h1.example.net:2222
            name: h1
          - local://h2
          - alias: [x, y]
            uri: h3
            config: { ssh: { port: 1 } }
"#,
    )
    .unwrap();
    let h1 = inv.target("h1");
    assert_eq!(h1.host, "h1.example.net");
    assert_eq!(h1.ssh.user.as_deref(), Some("carol"), "uri over groups");
    assert_eq!(h1.ssh.port, Some(2222));
    assert!(!h1.append_flags);
    let h2 = inv.target("h2");
    assert_eq!(h2.transport, TransportKind::Local);
    assert_eq!(h2.ssh.user.as_deref(), Some("b"), "inner over outer");
    assert_eq!(h2.ssh.port, Some(2200));
    let h3 = inv.target("y");
    assert_eq!(h3.name, "h3");
    assert_eq!(h3.ssh.port, Some(1), "target over groups");
}

#[test]
fn a_bolt_inventory_with_keys_orch_does_not_use_loads() {
    let inv = parse(
        r#"
version: 2
vars: { a: 1 }
facts: { os: linux }
config:
  winrm: { user: Administrator, ssl: false }
  docker: { service-url: x }
groups:
  - name: g
    vars: { b: 2 }
    features: [puppet-agent]
    facts: { c: 3 }
    targets:
      - name: n1
        uri: n1.example.net
        vars: { d: 4 }
        facts: { e: 5 }
"#,
    )
    .unwrap();
    assert_eq!(inv.target("n1").host, "n1.example.net");
}

#[test]
fn errors_name_the_line_and_column() {
    // A bad value is placed at its key (serde_yaml_ng reports the entry being read).
    let cases: &[(&str, usize, usize, &str)] = &[
        ("config:\n  ssh:\n    usr: x\n", 3, 5, "unknown field `usr`"),
        (
            "config:\n  transport: winrm\n",
            2,
            3,
            "unknown transport `winrm`",
        ),
        ("colour: red\n", 1, 1, "unknown field `colour`"),
        (
            "targets:\n  - uri: 'ftp://x'\n",
            2,
            5,
            "unknown transport `ftp`",
        ),
        (
            "targets:\n  - alias: x\n",
            2,
            5,
            "a target needs a `uri` or a `name`",
        ),
        (
            "config:\n  orch:\n    command: []\n",
            3,
            5,
            "`command` must be a non-empty list",
        ),
        ("version: 1\n", 1, 1, "inventory version 1 is not supported"),
        ("targets:\n  - 'h:99999'\n", 2, 5, "bad port `99999`"),
        ("groups:\n  - targets: [a]\n", 2, 5, "missing field `name`"),
        ("config: [\n", 1, 9, "invalid type"),
    ];
    let mut wrong = Vec::new();
    for (text, line, column, message) in cases {
        let e = parse(text).unwrap_err();
        let (l, c, m) = position(&e);
        if (l, c) != (Some(*line), Some(*column)) || !m.contains(message) {
            wrong.push(format!("{text:?}: {l:?}:{c:?} {m}"));
        }
        assert!(e.to_string().contains("(file: inv.yaml, line: "), "{e}");
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn an_empty_file_is_an_empty_inventory() {
    let inv = parse("").unwrap();
    assert_eq!(inv.target("a").transport, TransportKind::Ssh);
    assert_eq!(inv.certnames().count(), 0);
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics_and_errors_have_a_position(text in "\\PC{0,200}") {
        if let Err(e) = parse(&text) {
            let (line, _, _) = position(&e);
            prop_assert!(line.is_some(), "{}", e);
        }
    }

    #[test]
    fn mutated_inventories_never_panic(cut in 0usize..700, insert in "[ :\\-\\[\\]{},a-z0-9\\n]{0,8}") {
        let mut text = SPEC_EXAMPLE.to_owned();
        let at = cut.min(text.len());
        if text.is_char_boundary(at) {
            text.insert_str(at, &insert);
        }
        if let Err(e) = parse(&text) {
            let (line, _, _) = position(&e);
            prop_assert!(line.is_some(), "{}", e);
        }
    }
}
