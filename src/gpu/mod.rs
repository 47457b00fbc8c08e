//! The wgpu engine: device selection, the interpreter kernel, resident buffers, waves,
//! batches and device-loss recovery. See DESIGN.md "How the kernel runs".
//!
//! - [`device`]: adapters, selection (`VYRE_ADAPTER`), limits, recovery of a lost device.
//! - [`kernel`]: WGSL generation (built-ins + custom opcodes / fused payload), naga checks.
//! - [`pipeline`]: one compute pipeline per kernel variant, cached by source hash.
//! - [`megakernel`]: the compiled kernel and plain dispatch on caller-owned buffers.
//! - [`resident`]: resident buffer sets with host mirrors, range writes, selective reads.
//! - [`batch`]: many resident sets in one submission per wave.
//! - [`copy`]: large host copies on several threads.
//! - [`waves`]: the bounded-wave host loop, census readback, drain.
//! - [`engine`]: vyre's engine-state buffer layout.
//! - [`recovery`]: retry after device loss.
//! - [`stats`]: dispatch options and reports.
//! - [`reference`]: a CPU model of the kernel, used by tests to check GPU results.

pub mod batch;
pub mod copy;
pub mod device;
pub mod engine;
pub mod kernel;
pub mod megakernel;
pub mod pipeline;
pub mod recovery;
pub mod reference;
pub mod resident;
pub mod stats;
pub mod waves;

pub use device::{
    list_adapters, AdapterDescription, Device, DeviceKind, DeviceLimits, DeviceOptions,
};
pub use kernel::{CustomOpcode, Epilogue, ExtraKind, FusedPayload};
pub use megakernel::{HostBuffers, Megakernel, MegakernelDesc};
pub use resident::{buffer, ReadRequest, ResidentDesc, ResidentSet};
pub use stats::{DispatchOptions, DispatchReport, StopReason};
