//! The committed `include/vyre.h` must be exactly what cbindgen generates from the
//! sources. Regenerate with `VYRE_BLESS=1 cargo test --release --test header`.

use std::path::Path;

#[test]
fn committed_header_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
        .expect("cbindgen failed to parse the crate");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let path = root.join("include/vyre.h");
    if std::env::var_os("VYRE_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write include/vyre.h");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/vyre.h is out of date: run `VYRE_BLESS=1 cargo test --release --test header` and commit it"
    );
}
