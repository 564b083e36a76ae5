//! Agreement with Puppet 5.5.22: every fixture environment under `tests/puppet/` has what
//! Puppet's environment compiler and graph builder gave for it (`puppet.json`, the graph, or
//! `puppet.error`, the first error), produced by running Puppet locally (`DEVELOPERS.md`).
//! orch must give the same graph, or the same first error at the same place. A fixture with a
//! `puppet.warnings` (Puppet's warnings, which the Hiera and type fixtures use to show values with
//! `warning()`) must give the same warnings in the same order.

use std::path::{Path, PathBuf};

use orch_model::{Environment, EnvironmentSource, Level, Problem};

/// The fixtures: every directory but `_modules` (the modules' stand-ins).
fn fixtures() -> Vec<PathBuf> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/puppet");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&base)
        .expect("tests/puppet")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && !p.ends_with("_modules"))
        .collect();
    out.sort();
    out
}

fn compile(dir: &Path) -> orch_model::Model {
    let conf = std::fs::read_to_string(dir.join("environment.conf")).unwrap_or_default();
    // `$basemodulepath` in environment.conf: Puppet had the real modules there.
    let extra = if conf.contains("$basemodulepath") {
        vec![dir.parent().expect("base").join("_modules")]
    } else {
        vec![]
    };
    let source = EnvironmentSource {
        path: dir.to_path_buf(),
        name: "production".into(),
        extra_modulepath: extra,
    };
    let mut env = Environment::load(&source);
    orch_model::compile(&mut env)
}

/// A message and its place: `msg (file: F, line: L[, column: C])`.
#[derive(Debug, PartialEq)]
struct Placed {
    message: String,
    file: Option<String>,
    line: Option<String>,
    column: Option<String>,
}

/// Puppet's error text without its wrappers, split from its location.
fn parse_puppet(text: &str) -> Placed {
    let t = text.trim_end();
    let t = t.strip_prefix("Error: ").unwrap_or(t);
    let t = t.strip_suffix(" in environment production").unwrap_or(t);
    let t = t
        .strip_prefix("Could not parse for environment production: ")
        .unwrap_or(t);
    split_location(t)
}

fn split_location(t: &str) -> Placed {
    let (message, loc) = match t.rfind(" (file: ").or_else(|| t.rfind(" (line: ")) {
        Some(i) if t.ends_with(')') => (&t[..i], &t[i + 2..t.len() - 1]),
        _ => (t, ""),
    };
    let field = |name: &str| {
        loc.split(", ")
            .find_map(|p| p.strip_prefix(name).map(str::to_string))
    };
    Placed {
        message: message.to_string(),
        file: field("file: "),
        line: field("line: "),
        column: field("column: "),
    }
}

fn orch_placed(p: &Problem, dir: &Path) -> Placed {
    let text =
        format!("{}{}", p.message, p.location.suffix()).replace(&format!("{}/", dir.display()), "");
    split_location(&text)
}

/// One fixture: `Ok` when orch agrees with Puppet, else what differs.
fn check(dir: &Path) -> Result<(), String> {
    let model = compile(dir);
    check_result(dir, &model)?;
    check_warnings(dir, &model)
}

/// Puppet's log says where it does not know where with a literal `\n   (file & line not
/// available)`; orch's Hiera warnings copy it, its other warnings have none.
fn no_position(w: &str) -> &str {
    w.strip_suffix("\\n   (file & line not available)")
        .unwrap_or(w)
}

/// A message as the oracle's log line shows it, read back by [`puppet_warnings`]: a final
/// newline vanishes (`puts`), lines after the first join the first.
fn as_logged(m: &str) -> String {
    let m = m.strip_suffix('\n').unwrap_or(m);
    let mut lines = m.lines();
    let mut out = lines.next().unwrap_or_default().to_string();
    for l in lines {
        out.push(' ');
        out.push_str(l.trim_start());
    }
    out
}

/// Puppet's warnings, one per entry (a continuation line joins the line before it).
fn puppet_warnings(log: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for line in log.lines() {
        if let Some(w) = line.strip_prefix("Warning: ") {
            out.push(no_position(w).to_string());
        } else if let Some(last) = out.last_mut() {
            last.push(' ');
            last.push_str(line.trim_start());
        }
    }
    out
}

/// The warnings of `puppet.warnings`, if the fixture has one, against orch's (deprecations aside:
/// the oracle runs with `--disable_warnings deprecations`). Puppet stops at its first error,
/// so after one only as many of orch's warnings count as Puppet printed.
fn check_warnings(dir: &Path, model: &orch_model::Model) -> Result<(), String> {
    let Ok(log) = std::fs::read_to_string(dir.join("puppet.warnings")) else {
        return Ok(());
    };
    let want: Vec<String> = puppet_warnings(&log)
        .into_iter()
        .map(unparsable_json)
        .collect();
    let got: Vec<String> = model
        .problems
        .iter()
        .filter(|p| p.level == Level::Warning && !p.message.contains("is deprecated"))
        .map(|p| {
            let m = p
                .message
                .strip_prefix("Scope(Site): ")
                .unwrap_or(&p.message);
            let w = format!("{}{}", as_logged(no_position(m)), p.location.suffix());
            unparsable_json(w.replace(&format!("{}/", dir.display()), ""))
        })
        .collect();
    // Puppet's log shows where for some warnings only (not for `warning()`'s, nor for those a
    // function logs): where it does, orch's position must be the same.
    let got: Vec<String> = got
        .into_iter()
        .zip(want.iter().map(Some).chain(std::iter::repeat(None)))
        .map(|(g, w)| match (g.find(" (file: "), w) {
            (Some(i), Some(w)) if !w.contains(" (file: ") => g[..i].to_string(),
            (Some(i), None) => g[..i].to_string(),
            _ => g,
        })
        .collect();
    let errored = dir.join("puppet.error").is_file();
    let got: Vec<String> = if errored {
        got.into_iter().take(want.len()).collect()
    } else {
        got
    };
    if want != got {
        return Err(format!(
            "warnings differ:\n  puppet: {want:?}\n  orch:   {got:?}"
        ));
    }
    Ok(())
}

/// A metadata.json parse error's own words are Ruby's JSON parser's in Puppet and serde_json's in
/// orch: compared up to them.
fn unparsable_json(w: String) -> String {
    const PARSE_ERROR: &str = "metadata.json file. The parse error: ";
    match w.find(PARSE_ERROR) {
        Some(i) => w[..i + PARSE_ERROR.len()].to_string(),
        None => w,
    }
}

/// The graph or the first error.
fn check_result(dir: &Path, model: &orch_model::Model) -> Result<(), String> {
    let first_error = model.problems.iter().find(|p| p.level == Level::Error);
    if let Ok(text) = std::fs::read_to_string(dir.join("puppet.error")) {
        let want = parse_puppet(&text);
        let Some(p) = first_error else {
            return Err(format!("Puppet failed ({}), orch did not", want.message));
        };
        let mut got = orch_placed(p, dir);
        if want.column.is_none() {
            got.column = None;
        }
        // Where Puppet gives no position at all (its errors about an application instance's
        // parameters), orch still says where the instance is: a deliberate difference.
        if want.file.is_none() && want.line.is_none() {
            got.file = None;
            got.line = None;
        }
        return if got == want {
            Ok(())
        } else {
            Err(format!(
                "first error differs:\n  puppet: {want:?}\n  orch:   {got:?}"
            ))
        };
    }
    let text = std::fs::read_to_string(dir.join("puppet.json"))
        .map_err(|_| "no puppet.json or puppet.error".to_string())?;
    if let Some(p) = first_error {
        return Err(format!("Puppet gave a graph, orch an error: {p}"));
    }
    let mut want: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let all = orch_model::select(model, &[]);
    let mut got: serde_json::Value =
        serde_json::from_str(&orch_model::graph(model, &all).to_json())
            .map_err(|e| e.to_string())?;
    for v in [&mut want, &mut got] {
        if let Some(o) = v.as_object_mut() {
            o.remove("code_id");
        }
    }
    if got == want {
        return Ok(());
    }
    // Name what differs: each component (or application) on one side and not equal on the other.
    let apps = |v: &serde_json::Value| v["applications"].as_object().cloned().unwrap_or_default();
    let (w, g) = (apps(&want), apps(&got));
    let mut diffs = vec![];
    for name in w.keys().chain(g.keys().filter(|k| !w.contains_key(*k))) {
        let (wc, gc) = (w.get(name), g.get(name));
        let empty = serde_json::Map::new();
        let wm = wc.and_then(|x| x.as_object()).unwrap_or(&empty);
        let gm = gc.and_then(|x| x.as_object()).unwrap_or(&empty);
        for c in wm.keys().chain(gm.keys().filter(|k| !wm.contains_key(*k))) {
            if wm.get(c) != gm.get(c) {
                diffs.push(format!(
                    "{name} {c}: puppet {:?}, orch {:?}",
                    wm.get(c),
                    gm.get(c)
                ));
            }
        }
        if wc.is_none() || gc.is_none() {
            diffs.push(format!(
                "{name}: puppet {}, orch {}",
                wc.is_some(),
                gc.is_some()
            ));
        }
    }
    Err(format!("graph differs:\n  {}", diffs.join("\n  ")))
}

#[test]
fn orch_agrees_with_puppet() {
    let fixtures = fixtures();
    assert!(!fixtures.is_empty());
    let failures: Vec<String> = fixtures
        .iter()
        .filter_map(|d| {
            check(d).err().map(|e| {
                format!(
                    "{}: {e}",
                    d.file_name().unwrap_or_default().to_string_lossy()
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} fixtures disagree with Puppet 5.5.22:\n{}",
        failures.len(),
        fixtures.len(),
        failures.join("\n")
    );
}
