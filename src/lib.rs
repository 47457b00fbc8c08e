//! vyre: a persistent GPU megakernel runtime with a C ABI.
//!
//! Layers (one folder each, one way down):
//! - [`protocol`]: the wire format (ring slots, control block, debug log, io queue),
//!   publishers and strict decoders. Pure Rust, no GPU.
//! - [`policy`]: launch sizing and routing maths. Pure Rust, no GPU.
//! - [`gpu`]: the wgpu engine that keeps the interpreter kernel and its buffers resident.
//! - [`scan`]: DFA compilation and the built-in scanner opcodes.
//! - `ffi`: the C ABI over all of the above (the only unsafe-pointer code). Only this
//!   module is parsed by cbindgen: every type and constant C sees is declared here.

/// cbindgen:ignore
pub mod error;
/// cbindgen:ignore
pub mod gpu;
/// cbindgen:ignore
pub mod policy;
/// cbindgen:ignore
pub mod protocol;
/// cbindgen:ignore
pub mod scan;

pub mod ffi;

pub use error::{Error, Result, Status};
