//! Property tests: any input, random or mutated from real-shaped code, gives a program and
//! positioned diagnostics, never a panic or a hang.

use proptest::prelude::*;

const SEEDS: &[&str] = &[
    "class foo($a = 1, String $b = \"x${a}y\") inherits bar {\n  file { '/tmp/x': ensure => present, mode => '0644' }\n}\n",
    "$x = [1, 2.5, 0x1F, 'a', \"b\\n\"]\nif $a == 1 { notice($x[0]) } elsif $a =~ /re/ { include a, b } else { fail 'no' }\n",
    "$h = { 'k' => 1, k2 => undef }\n$y = $a ? { 1 => true, default => false }\nPackage <| title == 'x' |> -> Service['y']\n",
    "$z = @(\"EOT\"/L)\n  hello ${a}\n  | EOT\nnode 'a.example.com', /^web\\d+$/ { include role::web }\n",
    "application lamp(String $db_user = 'u') {\n  lamp::db { $name: db_user => $db_user, export => Sql[$name] }\n  lamp::web { $name: consume => Sql[$name] }\n}\n",
    "site {\n  lamp { 'stack': nodes => { Node['db.example.com'] => Lamp::Db['stack'] } }\n}\nLamp::Db produces Sql { host => $host, port => $port + 1 }\n",
    "$x.each |$k, $v| { @@file { \"/etc/${k}\": content => $v } }\ncase $os { 'a', /b/: { } default: { $q = -1 } }\n",
    "define foo::bar($x) { User <<| tag == 'x' |>> { shell => '/bin/sh' } }\nfunction f(Integer *$r) >> String { \"${r}\" }\ntype T = Variant[String, Integer]\n",
];

/// Parses, dumps in every format and validates; checks every diagnostic has a position within
/// the text (or none, for end of input).
fn exercise(src: &str) {
    let parsed = orch_parser::parse(src);
    for d in &parsed.diagnostics {
        if let Some(o) = d.offset {
            assert!(o <= src.len(), "offset {o} beyond {} in {src:?}", src.len());
            let index = orch_parser::LineIndex::new(src);
            let (line, col) = index.line_col(src, o);
            assert!(line >= 1 && col >= 1);
        }
        assert!(!d.message.is_empty());
    }
    for f in [
        orch_parser::DumpFormat::Pn,
        orch_parser::DumpFormat::Json,
        orch_parser::DumpFormat::Old,
    ] {
        let out = orch_parser::dump(&parsed.program, f, false);
        assert!(out.ends_with('\n'));
    }
    if !parsed.has_errors() {
        let _ = orch_parser::validate(&parsed.program);
    }
}

/// A mutation of a seed: delete, duplicate or insert a piece at a char boundary.
fn mutated() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("{"),
        Just("}"),
        Just("("),
        Just(")"),
        Just("["),
        Just("]"),
        Just("\""),
        Just("'"),
        Just("${"),
        Just("@("),
        Just("|"),
        Just("=>"),
        Just(","),
        Just(";"),
        Just("\n"),
        Just("/"),
        Just("$"),
        Just("::"),
        Just("class "),
        Just("site "),
        Just("produces "),
        Just("-> "),
        Just("0x"),
        Just("1e"),
        Just("\\"),
        Just("<|"),
        Just("|>"),
        Just("é"),
        Just("\r\n"),
    ];
    (
        0..SEEDS.len(),
        prop::collection::vec((any::<prop::sample::Index>(), 0..3u8, pieces), 1..6),
    )
        .prop_map(|(seed, edits)| {
            let mut s = SEEDS[seed].to_string();
            for (idx, op, piece) in edits {
                let boundaries: Vec<usize> = s
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain(std::iter::once(s.len()))
                    .collect();
                let at = boundaries[idx.index(boundaries.len())];
                match op {
                    0 => s.insert_str(at, piece),
                    1 => {
                        let end = boundaries
                            .iter()
                            .copied()
                            .find(|b| *b > at)
                            .unwrap_or(s.len());
                        s.replace_range(at..end, "");
                    }
                    _ => {
                        let end = boundaries
                            .iter()
                            .copied()
                            .filter(|b| *b > at)
                            .nth(4)
                            .unwrap_or(s.len());
                        let dup = s[at..end].to_string();
                        s.insert_str(at, &dup);
                    }
                }
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,200}") {
        exercise(&src);
    }

    #[test]
    fn puppet_shaped_tokens_never_panic(src in "([a-z$@\"'{}()\\[\\]|=>,;:/\\\\ \n-]|class|site|node|\\$\\{|@\\(|<\\||\\|>){0,60}") {
        exercise(&src);
    }

    #[test]
    fn mutated_manifests_never_panic(src in mutated()) {
        exercise(&src);
    }
}

#[test]
fn seeds_parse_cleanly() {
    for s in SEEDS {
        let p = orch_parser::parse(s);
        assert!(!p.has_errors(), "{s}: {:?}", p.diagnostics);
    }
}
