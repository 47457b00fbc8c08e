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

/// Every exported function's doc comment (what C users read in the header) must state
/// its thread safety, and every function returning `vyre_status` must list its errors.
/// It must be self-contained: Rust module docs never reach the header.
#[test]
fn every_exported_function_documents_errors_and_thread_safety() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header = std::fs::read_to_string(root.join("include/vyre.h")).expect("include/vyre.h");
    let mut missing = Vec::new();
    let mut functions = 0;
    for chunk in header.split("/**").skip(1) {
        let Some((doc, rest)) = chunk.split_once("*/") else {
            continue;
        };
        let decl = rest.trim_start();
        let Some(open) = decl.find('(') else { continue };
        let head = &decl[..open];
        if head.contains('#')
            || head.contains('{')
            || head.contains(';')
            || head.contains("typedef")
        {
            continue;
        }
        let Some(name) = head.split_whitespace().last() else {
            continue;
        };
        let name = name.trim_start_matches('*');
        if !name.starts_with("vyre_") {
            continue;
        }
        functions += 1;
        // `out_error` in the safety notes is not a description of the errors.
        let d = doc.to_lowercase().replace("out_error", "");
        if !d.contains("thread") && !d.contains("reentrant") {
            missing.push(format!("{name}: no thread-safety note"));
        }
        if head.starts_with("vyre_status") && !d.contains("error") {
            missing.push(format!(
                "{name}: returns vyre_status but documents no errors"
            ));
        }
        if d.contains("file notes") {
            missing.push(format!(
                "{name}: refers to Rust module docs that are not in the header"
            ));
        }
    }
    assert!(
        functions > 90,
        "parsed only {functions} functions from the header"
    );
    assert!(
        missing.is_empty(),
        "header docs incomplete:\n{}",
        missing.join("\n")
    );
}
