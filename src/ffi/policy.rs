//! C API of the launch policy (SPEC §2): plain-data structs with pinned layouts, enum
//! numbers as `uint32_t` constants, and functions over `crate::policy`.
//!
//! Conventions specific to this module:
//! - enums cross as `uint32_t` and are checked: an out-of-range value from C is
//!   `VYRE_ERROR_INVALID_ARGUMENT`; booleans are `uint32_t`, exactly 0 or 1 both ways
//!   (any other value on input is `VYRE_ERROR_INVALID_ARGUMENT`, as in the protocol API);
//! - basis points cross as `uint32_t` and must be ≤ 10000 on input;
//! - durations cross as `uint64_t` nanoseconds (`*_ns`);
//! - every output is written only when the call succeeds.

#![allow(unused_imports)]

use super::core::{
    bool_in, boundary, guarded, obj_mut, obj_ref, require_out, slice_ref, vyre_error, vyre_status,
    write_out,
};
use super::protocol::vyre_task;
use crate::error::{Error, Result};
use crate::policy::{
    self, autotune, cache, config, evidence, geometry, launch, priority, sizing, tasks,
    DrainReason, ExecutionMode, GraphBlasSwitchClass, PromotionRoute, QueuePressure, Topology,
};
use std::ffi::{c_char, CStr};
use std::mem::{align_of, offset_of, size_of};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

mod config_api;
mod consts;
mod convert;
mod enums;
mod launch_api;
mod names;
mod sizing_api;
#[cfg(test)]
mod tests;
mod tuning_api;
mod types;

use self::convert::*;

pub use self::config_api::*;
pub use self::consts::*;
pub use self::enums::*;
pub use self::launch_api::*;
pub use self::names::*;
pub use self::sizing_api::*;
pub use self::tuning_api::*;
pub use self::types::*;
