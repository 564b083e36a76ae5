//! The shipped example environments load cleanly, and their READMEs say what `orch app show`
//! prints.

use std::path::Path;

#[test]
fn examples_load_as_their_readmes_say() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    for ex in ["lamp", "shop", "shared"] {
        let dir = root.join(ex);
        let model = crate::compile(&dir);
        assert!(!model.has_errors(), "{ex}: {:?}", model.problems);
        let text = orch_model::render_text(&orch_model::select(&model, &[]));
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        assert!(
            readme.contains(text.trim_end()),
            "{ex}: README does not show:\n{text}"
        );
    }
}
