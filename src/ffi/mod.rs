//! The C ABI. This is the only layer that touches raw pointers.
//!
//! Conventions (see README "C ABI conventions"), implemented once here and used by every
//! exported function:
//! - every fallible function returns [`vyre_status`] and takes an optional last
//!   `vyre_error **out_error`, written only on failure;
//! - every body runs inside [`boundary`], so no panic crosses into C;
//! - every pointer is checked with the helpers below before use;
//! - enums arrive as fixed-width integers and are validated before conversion.

#![allow(non_camel_case_types)]

pub mod core;
pub mod gpu;
pub mod policy;
pub mod protocol;
pub mod scan;

pub use self::core::*;
