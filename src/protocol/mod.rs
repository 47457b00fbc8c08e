//! The megakernel wire protocol (SPEC §1): buffer layouts, opcodes, publishers and strict
//! decoders over caller-owned little-endian `u32` buffers. Pure Rust, no GPU.
//!
//! - [`control`]: control block encoder, priority partitions, tenants, counters.
//! - [`ring`]: ring slots, every publisher, slot readers.
//! - [`packed`]: the packed-slot layout.
//! - [`debug_log`]: PRINTF records.
//! - [`io`]: the io queue's host operations.
//! - [`task`]: the 64-byte task work item and its transitions.
//! - [`opcode`]: opcode classes and tenant opcode windows.
//!
//! All functions are plain functions over borrowed buffers: they are thread-safe in the
//! sense that they share no state; concurrent calls on the same buffer need the caller's
//! synchronisation. Validation always precedes writing: a call that returns `Err` has
//! not modified any buffer.

pub mod abi;
pub mod control;
pub mod debug_log;
pub mod io;
pub mod opcode;
pub mod packed;
pub mod ring;
pub mod task;
mod words;

pub use abi::*;
pub use control::*;
pub use debug_log::*;
pub use io::*;
pub use opcode::*;
pub use packed::*;
pub use ring::*;
pub use task::*;

#[cfg(test)]
mod tests;
