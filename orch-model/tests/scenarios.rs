//! One scenario environment per rule of the environment compiler and graph builder.

use std::path::Path;

#[test]
fn scenarios() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    insta::glob!("scenarios/*", |path| {
        insta::assert_snapshot!(crate::show(path, &base));
    });
}
