//! Loading arbitrary files and directory trees never panics.

use std::path::PathBuf;

use proptest::prelude::*;

fn scratch() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let p = std::env::temp_dir().join(format!(
        "orch-model-prop-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

const PIECES: &[&str] = &[
    "site { ",
    "} ",
    "application app($x = 1) { ",
    "prod { $name: export => Cap[$name] } ",
    "cons { 'c': consume => Cap['a'] } ",
    "app { 't': nodes => { Node['n'] => Prod['t'] } } ",
    "define prod($host = 'h') { } ",
    "Prod produces Cap { } ",
    "$x = [1, 2].map |$i| { $i } ",
    "notify { 'n': } ",
    "fail('x') ",
    "include foo ",
    "$a = $b[1] ",
    "Cons consumes Cap { port => $p + 1 } ",
    "class c inherits d { } ",
    "@@x { 'y': } ",
    "$h = { 'a' => 1 }['a'] ",
    "node default { } ",
    "${",
    "'",
    "\"",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\n",
];

fn manifest() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..25).prop_map(|v| v.concat())
}

/// A module's metadata.json: complete with a dependency on `dep` and arbitrary version
/// requirements and versions, with keys left out, or not JSON at all.
fn metadata() -> impl Strategy<Value = String> {
    let version = "[0-9.xX*<>=~^| v+-]{0,16}";
    prop_oneof![
        (version, version, "(author|source|license|version|dependencies|x)", "[ -~]{0,12}").prop_map(
            |(range, v, key, junk)| {
                format!(
                    r#"{{"name": "me-app", "version": "{v}", "author": "a", "license": "l", "source": "s", "dependencies": [{{"name": "me-dep", "version_requirement": "{range}"}}], "{key}": {junk:?}}}"#
                )
            }
        ),
        "[ -~]{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_environment_trees_never_panic(
        site in manifest(),
        module in manifest(),
        // Paths stay inside the environment (`..` would send the loader over the whole disk).
        conf in "(manifest = [a-z/]{0,10}\n)?(modulepath = [a-z:$]{0,12}\n)?",
        app_metadata in metadata(),
        dep_metadata in metadata(),
        rb in "(Puppet::Type.newtype\\(:[a-z]{1,5}, :is_capability => true\\) do\n  newparam :[a-z]{1,5}\nend\n)?[ -~]{0,30}",
    ) {
        let dir = scratch();
        std::fs::create_dir_all(dir.join("manifests")).unwrap();
        std::fs::create_dir_all(dir.join("modules/app/manifests")).unwrap();
        std::fs::create_dir_all(dir.join("modules/app/lib/puppet/type")).unwrap();
        std::fs::write(dir.join("manifests/site.pp"), &site).unwrap();
        std::fs::write(dir.join("modules/app/manifests/init.pp"), &module).unwrap();
        std::fs::write(dir.join("modules/app/lib/puppet/type/cap.rb"), &rb).unwrap();
        std::fs::write(dir.join("environment.conf"), &conf).unwrap();
        std::fs::write(dir.join("modules/app/metadata.json"), &app_metadata).unwrap();
        std::fs::create_dir_all(dir.join("modules/dep/functions")).unwrap();
        std::fs::write(dir.join("modules/dep/metadata.json"), &dep_metadata).unwrap();
        std::fs::write(dir.join("modules/dep/functions/f.pp"), "function dep::f() { 1 }").unwrap();
        let model = crate::compile(&dir);
        let _ = orch_model::render_text(&orch_model::select(&model, &[]));
        let _ = orch_model::graph(&model, &orch_model::select(&model, &[])).to_json();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn arbitrary_bytes_as_a_manifest_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let dir = scratch();
        let f = dir.join("site.pp");
        std::fs::write(&f, &bytes).unwrap();
        let _ = crate::compile(&f);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
