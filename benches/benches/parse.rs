//! Parse throughput (bytes/s) of orch-parser over a corpus of Puppet manifests: the fixture
//! corpus shipped in `orch-parser/tests/fixtures`, or any directory named by
//! `ORCH_BENCH_CORPUS` (e.g. a checkout of real modules). Compare with
//! `ruby benches/puppet_parse_throughput.rb DIR`, which times Puppet's own parser on the same
//! files in one process.

use divan::counter::BytesCount;

// The same allocator as the `orch` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// The corpus files that parse, as `puppet_parse_throughput.rb` keeps the files Puppet parses:
/// both tools are timed on the same text.
fn corpus() -> Vec<String> {
    let dir = std::env::var("ORCH_BENCH_CORPUS").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../orch-parser/tests/fixtures").to_string()
    });
    let mut files = orch_benches::read_corpus(std::path::Path::new(&dir));
    files.retain(|f| !orch_parser::parse(f).has_errors());
    files
}

#[divan::bench(sample_count = 20)]
fn parse_corpus(bencher: divan::Bencher) {
    let files = corpus();
    let bytes: usize = files.iter().map(String::len).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        for f in &files {
            divan::black_box(orch_parser::parse(divan::black_box(f)));
        }
    });
}

/// The same files on every core (`orch parser validate` and `dump` read many files this way).
#[divan::bench(sample_count = 20)]
fn parse_corpus_all_cores(bencher: divan::Bencher) {
    let files = corpus();
    let bytes: usize = files.iter().map(String::len).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        divan::black_box(orch_parser::parse_all(
            divan::black_box(&files),
            orch_parser::Dialect::Puppet5,
        ))
    });
}

#[divan::bench(sample_count = 20)]
fn parse_and_dump_pn(bencher: divan::Bencher) {
    let files = corpus();
    let bytes: usize = files.iter().map(String::len).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        for f in &files {
            let p = orch_parser::parse(f);
            divan::black_box(orch_parser::dump(
                &p.program,
                orch_parser::DumpFormat::Pn,
                false,
            ));
        }
    });
}
