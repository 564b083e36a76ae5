//! Deeply nested input: every construct that nests, 10,000 and 1,000,000 levels deep, gives
//! the nesting error at its position and goes through every later stage (dumps, validation,
//! drop) without overflowing a small stack; the deepest input accepted does too.

use orch_parser::{DumpFormat, LineIndex, MAX_NESTING, Severity};

/// The stack the tests run on: three quarters of the 2 MiB of Rust's spawned threads in an
/// optimised build (the deepest accepted input needs about 1 MiB there); an unoptimised build
/// (`cargo test`) has frames up to ten times larger.
const STACK: usize = if cfg!(debug_assertions) {
    32 << 20
} else {
    3 << 19
};

/// `prefix`, `open` n times, `middle`, `close` n times, `suffix`.
struct Nest {
    name: &'static str,
    prefix: &'static str,
    open: &'static str,
    middle: &'static str,
    close: &'static str,
    suffix: &'static str,
}

const fn nest(
    name: &'static str,
    prefix: &'static str,
    open: &'static str,
    middle: &'static str,
    close: &'static str,
    suffix: &'static str,
) -> Nest {
    Nest {
        name,
        prefix,
        open,
        middle,
        close,
        suffix,
    }
}

const NESTS: &[Nest] = &[
    nest("array", "$x = ", "[", "1", "]", "\n"),
    nest("parentheses", "$x = ", "(", "1", ")", "\n"),
    nest("hash", "$x = ", "{a=>", "1", "}", "\n"),
    nest("if", "", "if $a {", "1", "}", "\n"),
    nest("unless", "", "unless $a {", "1", "}", "\n"),
    nest("case", "", "case $a { 1: {", "1", "} }", "\n"),
    nest("elsif", "if $a {}", " elsif $a {}", "", "", "\n"),
    nest("selector", "$x = ", "$a ? { 1 => ", "1", " }", "\n"),
    nest("call", "$x = ", "f(", "1", ")", "\n"),
    nest("lambda", "", "$a.each |$b| {", "1", "}", "\n"),
    nest("method chain", "$x = $a", ".f", "", "", "\n"),
    nest("access chain", "$x = $a", "[0]", "", "", "\n"),
    nest("access argument", "$x = ", "$a[", "0", "]", "\n"),
    nest("type", "type A = ", "Array[", "Integer", "]", "\n"),
    nest("interpolation", "$x = ", "\"${", "1", "}\"", "\n"),
    nest("interpolated access", "$x = \"${a", "[0]", "", "", "}\"\n"),
    nest(
        "heredoc in interpolation",
        "$x = ",
        "\"${",
        "@(E)",
        "}\"",
        "\nx\nE\n",
    ),
    nest("addition", "$x = 1", " + 1", "", "", "\n"),
    nest("and", "$x = $a", " and $a", "", "", "\n"),
    nest("not", "$x = ", "!", "$a", "", "\n"),
    nest("unary minus", "$x = ", "-", "1", "", "\n"),
    nest("splat", "$x = [", "*", "$a", "", "]\n"),
    nest("assignment", "", "$a = ", "1", "", "\n"),
    nest("relationship", "a", " -> a", "", "", "\n"),
    nest("virtual", "", "@", "file { 'x': }", "", "\n"),
    nest("resource bodies", "x", " { 'a': }", "", "", "\n"),
    nest("class", "", "class a {", "1", "}", "\n"),
    nest("function", "", "function f() {", "1", "}", "\n"),
    nest("site", "", "site {", "1", "}", "\n"),
    nest("collector", "", "A <| a == ", "1", " |>", "\n"),
];

impl Nest {
    fn text(&self, n: usize) -> String {
        let mut s = String::with_capacity(
            self.prefix.len() + n * (self.open.len() + self.close.len()) + 32,
        );
        s.push_str(self.prefix);
        for _ in 0..n {
            s.push_str(self.open);
        }
        s.push_str(self.middle);
        for _ in 0..n {
            s.push_str(self.close);
        }
        s.push_str(self.suffix);
        s
    }
}

/// Runs `f` on a thread with [`STACK`] bytes of stack (an overflow aborts the test binary).
fn on_small_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(STACK)
            .spawn_scoped(s, f)
            .expect("thread")
            .join()
            .expect("no panic")
    })
}

/// Parses, dumps in every format, validates and drops; returns the first error.
fn exercise(src: &str) -> Option<orch_parser::Diagnostic> {
    let parsed = orch_parser::parse(src);
    for f in [DumpFormat::Pn, DumpFormat::Json, DumpFormat::Old] {
        assert!(orch_parser::dump(&parsed.program, f, true).ends_with('\n'));
    }
    let mut diagnostics = parsed.diagnostics.clone();
    diagnostics.extend(orch_parser::validate_with_source(
        &parsed.program,
        src,
        orch_parser::Dialect::Puppet7,
    ));
    drop(parsed);
    diagnostics
        .into_iter()
        .find(|d| d.severity == Severity::Error)
}

fn too_deep(d: &Option<orch_parser::Diagnostic>) -> bool {
    d.as_ref().is_some_and(|d| d.code == "NESTING_TOO_DEEP")
}

#[test]
fn too_deep_is_an_error_at_its_position() {
    for nest in NESTS {
        for n in [10_000, 1_000_000] {
            let src = nest.text(n);
            let first = on_small_stack(|| exercise(&src));
            assert!(too_deep(&first), "{} × {n}: {first:?}", nest.name);
            let d = first.expect("checked");
            assert_eq!(
                d.message,
                format!("Expression nesting is too deep (more than {MAX_NESTING} levels)")
            );
            // Among the openings, past the deepest accepted ones.
            let off = d.offset.expect("a position");
            let opening = off
                .checked_sub(nest.prefix.len())
                .expect("after the prefix");
            assert!(opening < n * nest.open.len(), "{}: {off}", nest.name);
            assert!(opening / nest.open.len() >= 100, "{}: {off}", nest.name);
            let (line, col) = LineIndex::new(&src).line_col(&src, off);
            assert!(line >= 1 && col >= 1);
        }
    }
}

#[test]
fn the_deepest_accepted_input_fits_a_small_stack() {
    for nest in NESTS {
        // The largest n without the nesting error (parsing alone: it is cheap).
        let ok = on_small_stack(|| {
            let (mut ok, mut bad) = (0usize, MAX_NESTING as usize + 1);
            while bad - ok > 1 {
                let mid = (ok + bad) / 2;
                let parsed = orch_parser::parse(&nest.text(mid));
                if parsed
                    .diagnostics
                    .iter()
                    .any(|d| d.code == "NESTING_TOO_DEEP")
                {
                    bad = mid;
                } else {
                    ok = mid;
                }
            }
            ok
        });
        // Every construct may nest as deep as real code does, and more.
        assert!(ok >= 100, "{}: only {ok} levels", nest.name);
        let src = nest.text(ok);
        let first = on_small_stack(|| exercise(&src));
        assert!(!too_deep(&first), "{} × {ok}", nest.name);
    }
}

/// Puppet code checked inside a `pp` heredoc inside a `pp` heredoc ...: each check recurses on
/// top of the one that found it, so the budget runs out after a few.
#[test]
fn nested_pp_heredocs_run_out_of_levels() {
    let n = 10_000;
    let mut src = String::from("$x = @(E0:pp)\n");
    for i in 1..n {
        src.push_str(&format!("@(E{i}:pp)\n"));
    }
    src.push_str("1\n");
    for i in (0..n).rev() {
        src.push_str(&format!("E{i}\n"));
    }
    let first = on_small_stack(|| exercise(&src));
    let d = first.expect("an error");
    assert_eq!(d.code, "ILLEGAL_SYNTAX", "{d:?}");
    assert!(
        d.message.contains("Expression nesting is too deep"),
        "{d:?}"
    );
}

mod mixed {
    use super::{exercise, on_small_stack, too_deep};
    use proptest::prelude::*;

    /// Constructs that nest inside one another in an expression position: each an opening and
    /// its closing around whatever comes inside.
    const WRAPS: &[(&str, &str)] = &[
        ("[", "]"),
        ("(", ")"),
        ("{a=>", "}"),
        ("f(", ")"),
        ("\"${", "}\""),
        ("$a ? { 1 => ", " }"),
        ("[1, ", ", 2]"),
        ("-", ""),
        ("!", ""),
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Random mixes of constructs, nested to random depths around the limit (and far past
        /// it): never a crash, and the nesting error exactly when some path is too deep for
        /// the bound; what is accepted goes through every stage.
        #[test]
        fn random_mixes_of_nesting_never_crash(
            path in prop::collection::vec(0..WRAPS.len(), 1..40),
            repeat in prop_oneof![1usize..20, 20usize..200, 200usize..5000],
        ) {
            let mut open = String::new();
            let mut close = String::new();
            for _ in 0..repeat {
                for &w in &path {
                    open.push_str(WRAPS[w].0);
                    close.insert_str(0, WRAPS[w].1);
                }
            }
            let src = format!("$x = {open}1{close}\n");
            let first = on_small_stack(|| exercise(&src));
            let depth = path.len() * repeat;
            if depth > 4 * orch_parser::MAX_NESTING as usize {
                prop_assert!(too_deep(&first), "{depth} levels: {first:?}");
            }
            if depth < 100 {
                prop_assert!(!too_deep(&first), "{depth} levels");
            }
        }
    }
}
