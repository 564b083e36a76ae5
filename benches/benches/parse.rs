//! Parse throughput placeholder; replaced by the corpus benchmark.
fn main() {
    divan::main();
}
