//! Loading and evaluating a generated environment into the application model (what
//! `orch app show` does): 1k and 10k application instances of three components each, written
//! as a Puppet environment (site.pp + module + capability types) by `orch_benches::Synthetic`.
//! Peak memory: `target/release/gen_environment 30000 --puppet DIR` then
//! `/usr/bin/time -v target/release/orch app show -m DIR --format json`.

use orch_benches::Synthetic;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

#[divan::bench(args = [1_000, 10_000], sample_count = 5)]
fn load_and_compile(bencher: divan::Bencher, instances: usize) {
    let dir = std::env::temp_dir().join(format!("orch-bench-model-{instances}"));
    let _ = std::fs::remove_dir_all(&dir);
    Synthetic::with_nodes(instances * 3)
        .write_puppet(&dir)
        .expect("writes the environment");
    let source = orch_model::EnvironmentSource {
        path: dir.clone(),
        name: "production".to_string(),
        extra_modulepath: vec![],
    };
    bencher.bench(|| {
        let mut env = orch_model::Environment::load(&source);
        let model = orch_model::compile(&mut env);
        assert!(!model.has_errors());
        divan::black_box(model)
    });
    let _ = std::fs::remove_dir_all(&dir);
}
