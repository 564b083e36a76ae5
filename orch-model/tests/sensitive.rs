//! A `Sensitive` value stays redacted in every output orch-model makes: problems, `app show`
//! text and JSON, capability values, consumer parameters and even `Debug`.

use std::path::Path;

/// The secret the environments hold (in their Hiera data and in site.pp).
pub(crate) const SECRET: &str = "S3cr3tBytes42";

#[test]
fn sensitive_values_never_show() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/puppet");
    for name in [
        "sensitive_ok_sensitive",
        "sensitive_err_sensitive",
        "sensitive_err_sensitive_fail",
    ] {
        let dir = base.join(name);
        let model = crate::compile(&dir);
        let everything = format!("{}\n{model:?}", crate::show(&dir, &base));
        assert!(
            everything.contains("Sensitive"),
            "{name}: the secret is not used, the test proves nothing:\n{everything}"
        );
        assert!(
            !everything.contains(SECRET),
            "{name} shows the secret:\n{everything}"
        );
    }
}
