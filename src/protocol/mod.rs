//! The megakernel wire protocol (SPEC §1): buffer layouts, opcodes, publishers and strict
//! decoders over caller-owned little-endian `u32` buffers. Pure Rust, no GPU.

pub mod abi;

pub use abi::*;
