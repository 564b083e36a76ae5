//! `orch-fuzz`: cargo-fuzz needs a nightly toolchain; this runs on stable. Inputs are
//! mutations of the conformance corpus (`orch-parser/tests/fixtures`): byte edits, Puppet
//! tokens, splices and deep nesting. Each input goes through parsing (both dialects),
//! validation, every dump and, for some, environment loading and compilation.
//!
//! Inputs are made from a seed alone, so a batch can be replayed. A batch runs in a child
//! process on threads with small stacks: a panic is caught and its input saved; an abort (a
//! stack overflow) ends the child, and a batch that runs past its time limit is killed (a
//! hang); either way the parent replays that batch one input per process to find and save the
//! input (`panic-*.pp`, `abort-*.pp`, `hang-*.pp`).
//!
//! `cargo run --release -p orch-fuzz -- [--inputs N] [--seconds S] [--seed N] [--out DIR]`;
//! exits 1 when an input crashed or hung. `orch-fuzz --replay FILE` runs one saved input.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The parser's stages run on this stack: what the parser's limit is measured to fit in a
/// release build with a margin (Rust's default for spawned threads is 2 MiB).
const PARSE_STACK: usize = 2 << 20;
/// Environment loading and evaluation: what `orch_model::MAX_EVAL_DEPTH` is measured to fit.
const MODEL_STACK: usize = 8 << 20;
/// Inputs per child process.
const BATCH: u64 = 2_000;
/// One input in this many is also loaded as an environment (it writes files: slower).
const MODEL_EVERY: u64 = 16;
/// A batch that takes longer than this is a hang (a batch takes 2 to 10 s): it is killed and
/// replayed one input per process, each within `INPUT_LIMIT`.
const BATCH_LIMIT: Duration = Duration::from_secs(120);
const INPUT_LIMIT: Duration = Duration::from_secs(20);

struct Args {
    inputs: u64,
    seconds: u64,
    seed: u64,
    out: PathBuf,
    corpus: PathBuf,
}

fn main() -> std::process::ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    let corpus_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../orch-parser/tests/fixtures");
    if argv.get(1).map(String::as_str) == Some("--worker") {
        // --worker CORPUS OUT SEED FIRST COUNT
        let n = |i: usize| argv[i].parse::<u64>().expect("a number");
        let corpus = load_corpus(Path::new(&argv[2]));
        worker(&corpus, Path::new(&argv[3]), n(4), n(5), n(6));
        return std::process::ExitCode::SUCCESS;
    }
    if argv.get(1).map(String::as_str) == Some("--replay") {
        // --replay FILE: one saved input, in this process, timed.
        let Some(text) = argv.get(2).and_then(|f| std::fs::read(f).ok()) else {
            eprintln!("usage: orch-fuzz --replay FILE");
            return std::process::ExitCode::from(2);
        };
        let input = String::from_utf8_lossy(&text).into_owned();
        let dir = std::env::temp_dir().join(format!("orch-fuzz-{}", std::process::id()));
        let start = Instant::now();
        let ok = run_input(&input, &dir, true);
        let _ = std::fs::remove_dir_all(&dir);
        println!(
            "orch-fuzz: {} in {:.1} s",
            if ok { "no crash" } else { "panicked" },
            start.elapsed().as_secs_f64()
        );
        return std::process::ExitCode::from(u8::from(!ok));
    }
    let mut args = Args {
        inputs: u64::MAX,
        seconds: u64::MAX,
        seed: 1,
        out: PathBuf::from("fuzz/crashes"),
        corpus: corpus_dir,
    };
    let mut it = argv.iter().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().unwrap_or_default();
        match a.as_str() {
            "--inputs" => args.inputs = value().parse().expect("--inputs N"),
            "--seconds" => args.seconds = value().parse().expect("--seconds S"),
            "--seed" => args.seed = value().parse().expect("--seed N"),
            "--out" => args.out = PathBuf::from(value()),
            "--corpus" => args.corpus = PathBuf::from(value()),
            other => {
                eprintln!("unknown argument {other}");
                return std::process::ExitCode::from(2);
            }
        }
    }
    if args.inputs == u64::MAX && args.seconds == u64::MAX {
        args.inputs = 100_000;
    }
    let crashes = run(&args);
    if crashes == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(1)
    }
}

/// The parent: batches in child processes until the input count or the time is reached.
fn run(args: &Args) -> u64 {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(args.seconds.min(u32::MAX as u64));
    let exe = std::env::current_exe().expect("own path");
    let (mut done, mut crashes) = (0u64, 0u64);
    while done < args.inputs && Instant::now() < deadline {
        let count = BATCH.min(args.inputs - done);
        let child = |first: u64, count: u64, limit: Duration| {
            let mut command = Command::new(&exe);
            command
                .arg("--worker")
                .arg(&args.corpus)
                .arg(&args.out)
                .args([args.seed, first, count].map(|n| n.to_string()));
            run_child(command, limit)
        };
        let batch = child(done, count, BATCH_LIMIT);
        crashes += batch
            .stdout
            .lines()
            .filter(|l| l.starts_with("panic"))
            .count() as u64;
        if batch.outcome != Outcome::Exited {
            // An abort or a hang: find the input, one process each.
            for i in done..done + count {
                let one = child(i, 1, INPUT_LIMIT);
                let kind = match one.outcome {
                    Outcome::Exited => continue,
                    Outcome::Failed(_) => "abort",
                    Outcome::TimedOut => "hang",
                };
                let corpus = load_corpus(&args.corpus);
                let path = save(&args.out, kind, &make_input(&corpus, args.seed, i));
                eprintln!("input {i}: {kind} ({:?}): {}", one.outcome, path.display());
                crashes += 1;
            }
        }
        done += count;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "orch-fuzz: {done} inputs in {secs:.1} s ({:.0}/s), {crashes} crashes",
        done as f64 / secs.max(1e-9)
    );
    crashes
}

#[derive(Debug, PartialEq)]
enum Outcome {
    /// Exited with status 0.
    Exited,
    /// Exited otherwise, or was killed by a signal (an abort).
    Failed(std::process::ExitStatus),
    /// Still running at the limit: killed.
    TimedOut,
}

struct ChildRun {
    outcome: Outcome,
    stdout: String,
}

/// Runs `command` for at most `limit`, polling (a worker prints a line per panic at most, so
/// its stdout is read after it ends without filling the pipe).
fn run_child(mut command: Command, limit: Duration) -> ChildRun {
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("a worker process");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut text);
        text
    });
    let deadline = Instant::now() + limit;
    let outcome = loop {
        match child.try_wait().expect("a worker's status") {
            Some(status) if status.success() => break Outcome::Exited,
            Some(status) => break Outcome::Failed(status),
            None if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break Outcome::TimedOut;
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    ChildRun {
        outcome,
        stdout: reader.join().unwrap_or_default(),
    }
}

/// A child: runs inputs `first..first + count`; a panic saves its input and goes on.
fn worker(corpus: &[String], out: &Path, seed: u64, first: u64, count: u64) {
    std::panic::set_hook(Box::new(|_| {}));
    let env_dir = std::env::temp_dir().join(format!("orch-fuzz-{}", std::process::id()));
    for i in first..first + count {
        let input = make_input(corpus, seed, i);
        let with_model = i % MODEL_EVERY == 0;
        let ok = run_input(&input, &env_dir, with_model);
        if !ok {
            let path = save(out, "panic", &input);
            println!("panic {i} {}", path.display());
        }
    }
    let _ = std::fs::remove_dir_all(&env_dir);
    let _ = std::io::stdout().flush();
}

/// One input through the parser's stages and, `with_model`, environment loading, each on a
/// thread with the stack it is measured to fit; false if one panicked.
fn run_input(src: &str, dir: &Path, with_model: bool) -> bool {
    std::thread::scope(|s| {
        let parse = std::thread::Builder::new()
            .stack_size(PARSE_STACK)
            .spawn_scoped(s, || exercise_parser(src))
            .expect("thread");
        let parsed = parse.join().is_ok();
        let model = !with_model
            || std::thread::Builder::new()
                .stack_size(MODEL_STACK)
                .spawn_scoped(s, || exercise_model(src, dir))
                .expect("thread")
                .join()
                .is_ok();
        parsed && model
    })
}

fn exercise_parser(src: &str) {
    use orch_parser::{Dialect, DumpFormat};
    for dialect in [Dialect::Puppet5, Dialect::Puppet7] {
        let parsed = orch_parser::parse_dialect(src, dialect);
        let index = orch_parser::LineIndex::new(src);
        for d in &parsed.diagnostics {
            if let Some(o) = d.offset {
                assert!(o <= src.len(), "offset beyond the text");
                let _ = d.render(Some("f.pp"), src, &index);
            }
        }
        let _ = orch_parser::validate_with_source(&parsed.program, src, dialect);
        let _ = orch_parser::validate(&parsed.program);
        for f in [DumpFormat::Pn, DumpFormat::Json, DumpFormat::Old] {
            let _ = orch_parser::dump(&parsed.program, f, false);
            let _ = orch_parser::dump(&parsed.program, f, true);
        }
    }
}

/// The input as an environment's `site.pp` (beside a module with a function and a class, so
/// that autoloading runs too), loaded and compiled.
fn exercise_model(src: &str, dir: &Path) {
    let manifests = dir.join("manifests");
    let functions = dir.join("modules/m/functions");
    let classes = dir.join("modules/m/manifests");
    for d in [&manifests, &functions, &classes] {
        std::fs::create_dir_all(d).expect("temp dir");
    }
    let write = |p: PathBuf, text: &str| std::fs::write(p, text).expect("temp file");
    write(dir.join("environment.conf"), "modulepath = modules\n");
    write(manifests.join("site.pp"), src);
    write(
        functions.join("f.pp"),
        "function m::f($n) { m::f($n + 1) }\n",
    );
    write(classes.join("init.pp"), src);
    let source = orch_model::EnvironmentSource {
        path: dir.to_path_buf(),
        name: "fuzz".into(),
        extra_modulepath: vec![],
    };
    let mut env = orch_model::Environment::load(&source);
    let model = orch_model::compile(&mut env);
    for p in &model.problems {
        let _ = p.to_string();
    }
}

fn load_corpus(dir: &Path) -> Vec<String> {
    let mut files = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "pp") {
                files.push(p);
            }
        }
    }
    // Sorted: the same seed makes the same inputs on every machine.
    files.sort();
    let mut texts: Vec<String> = files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    texts.push(String::new());
    texts
}

fn save(out: &Path, kind: &str, input: &str) -> PathBuf {
    let _ = std::fs::create_dir_all(out);
    let path = out.join(format!("{kind}-{:016x}.pp", hash(input.as_bytes())));
    let _ = std::fs::write(&path, input);
    path
}

fn hash(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325, |h, &c| {
        (h ^ c as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// SplitMix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Pieces of Puppet syntax that mutations insert.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "'",
    "${",
    "}\"",
    "@(E)\n",
    "@(E:pp)\n",
    "@(\"E\":json/L)\n",
    "\nE\n",
    "\n|-E\n",
    "|",
    "=>",
    "+>",
    ",",
    ";",
    "\n",
    "/",
    "$",
    "$x",
    "::",
    "class ",
    "define ",
    "site ",
    "application ",
    "produces ",
    "consumes ",
    "node ",
    "function ",
    "type ",
    "-> ",
    "~> ",
    "<|",
    "|>",
    "<<|",
    "|>>",
    "0x",
    "1e",
    "\\",
    "é",
    "\r\n",
    "if ",
    "elsif ",
    "else ",
    "unless ",
    "case ",
    "?",
    ":",
    "@",
    "@@",
    "*",
    "!",
    "-",
    "==",
    "=~",
    "in ",
    "and ",
    "or ",
    ".",
    "#",
    "/*",
    "*/",
    "undef",
    "default",
    "Integer[",
    "Array[",
    " ",
    "\t",
    "\u{feff}",
    "\0",
];

/// Openings (and their closings) that deep-nesting mutations repeat.
const NESTS: &[(&str, &str)] = &[
    ("[", "]"),
    ("(", ")"),
    ("{a=>", "}"),
    ("if $a {", "}"),
    ("unless $a {", "}"),
    ("case $a { 1: {", "} }"),
    ("f(", ")"),
    ("$a.each |$b| {", "}"),
    ("\"${", "}\""),
    ("\"${@(E)}\"\n", "\nE"),
    ("!", ""),
    ("-", ""),
    ("$a = ", ""),
    ("[0]", ""),
    (".f", ""),
    (" -> a", ""),
    (" + 1", ""),
    ("@", ""),
    ("class a {", "}"),
    ("Array[", "]"),
    ("$a ? { 1 => ", " }"),
    ("A <| a == ", " |>"),
    (" elsif $a {}", ""),
    ("@(E:pp)\n", "\nE\n"),
];

/// Input `i` of the run with `seed`: a corpus file with 1 to 8 mutations.
fn make_input(corpus: &[String], seed: u64, i: u64) -> String {
    let mut rng = Rng(seed ^ i.wrapping_mul(0xd134_2543_de82_ef95));
    let mut s = corpus[rng.below(corpus.len())].clone().into_bytes();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(s.len() + 1);
        match rng.below(7) {
            0 if !s.is_empty() => {
                let j = rng.below(s.len());
                s[j] = rng.next() as u8;
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                s.splice(at..at, t.bytes());
            }
            2 => {
                let end = (at + rng.below(40)).min(s.len());
                s.drain(at..end);
            }
            3 => {
                let end = (at + rng.below(40)).min(s.len());
                let piece = s[at..end].to_vec();
                s.splice(at..at, piece);
            }
            4 => {
                let other = corpus[rng.below(corpus.len())].as_bytes();
                let from = rng.below(other.len() + 1);
                let end = (from + rng.below(200)).min(other.len());
                s.splice(at..at, other[from..end].iter().copied());
            }
            _ => {
                // Deep nesting: usually around the limit, sometimes far past it.
                let (open, close) = NESTS[rng.below(NESTS.len())];
                let n = match rng.below(10) {
                    0 => 10_000 + rng.below(100_000),
                    1..=4 => 400 + rng.below(700),
                    _ => 1 + rng.below(50),
                };
                let mut piece = open.repeat(n);
                piece.push_str(["1", "$x", "", "'s'"][rng.below(4)]);
                if rng.below(4) != 0 {
                    piece.push_str(&close.repeat(n));
                }
                s.splice(at..at, piece.into_bytes());
            }
        }
    }
    // Inputs are text: the tools read files as UTF-8 and reject the rest before parsing.
    String::from_utf8_lossy(&s).into_owned()
}
