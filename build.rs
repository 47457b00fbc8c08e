//! Build script: give the shared library its soname so the dynamic linker and
//! distributions see `libvyre.so.0` (ABI major 0 until 1.0).

fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" || target_os == "freebsd" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libvyre.so.0");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
