//! Opcode classes (SPEC §1.5): which opcodes are system or user opcodes, which a host
//! may publish, and the per-tenant opcode windows.

use super::abi::{control::MAX_TENANTS, op};
use crate::error::{Error, Result};

/// Built-in scanner opcodes inside the reserved range `0xFFF0..=0xFFFC`. Opcodes of that
/// range that are not listed here are reserved and cannot be published.
pub const BUILTIN_SCANNER_OPCODES: &[u32] = &[op::DFA_SCAN];

/// How the protocol treats an opcode number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpcodeClass {
    /// A system opcode implemented by the kernel itself (NOP..BATCH_FENCE, scanner
    /// built-ins, LOAD_MISS, PRINTF, PACKED_SLOT, SHUTDOWN). Publishable.
    Builtin,
    /// A system opcode number with no implementation (reserved). Not publishable.
    Reserved,
    /// A user opcode (custom opcodes registered with the kernel). Publishable.
    User,
}

/// System opcodes: high bit set, `0xFFF0..=0xFFFF`, or `<= 7`.
pub const fn is_system_opcode(opcode: u32) -> bool {
    opcode & 0x8000_0000 != 0 || (opcode >= 0xFFF0 && opcode <= 0xFFFF) || opcode <= op::BATCH_FENCE
}

/// User opcodes: `8..=0xFFEF` and `0x1_0000..=0x7FFF_FFFF` (everything that is not system).
pub const fn is_user_opcode(opcode: u32) -> bool {
    !is_system_opcode(opcode)
}

/// System opcodes the kernel implements.
pub fn is_builtin_opcode(opcode: u32) -> bool {
    opcode <= op::BATCH_FENCE
        || BUILTIN_SCANNER_OPCODES.contains(&opcode)
        || matches!(
            opcode,
            op::LOAD_MISS | op::PRINTF | op::PACKED_SLOT | op::SHUTDOWN
        )
}

/// Classify an opcode number.
pub fn classify_opcode(opcode: u32) -> OpcodeClass {
    if is_user_opcode(opcode) {
        OpcodeClass::User
    } else if is_builtin_opcode(opcode) {
        OpcodeClass::Builtin
    } else {
        OpcodeClass::Reserved
    }
}

/// A host may publish user opcodes and built-in system opcodes.
pub fn is_publishable_opcode(opcode: u32) -> bool {
    classify_opcode(opcode) != OpcodeClass::Reserved
}

/// Opcode window `[first, end)` owned by `tenant`: `0x4000_0000 + tenant·2^20 .. +2^20`.
pub fn tenant_opcode_window(tenant: u32) -> Result<(u32, u32)> {
    if tenant >= MAX_TENANTS {
        return Err(Error::out_of_range(format!(
            "tenant {tenant} is out of range; tenants are 0..{MAX_TENANTS}"
        )));
    }
    let first = op::TENANT_WINDOW_BASE + tenant * op::TENANT_WINDOW_SIZE;
    Ok((first, first + op::TENANT_WINDOW_SIZE))
}

/// The tenant whose window contains `opcode`, if any.
pub fn opcode_tenant(opcode: u32) -> Option<u32> {
    let rel = opcode.checked_sub(op::TENANT_WINDOW_BASE)?;
    let tenant = rel / op::TENANT_WINDOW_SIZE;
    (tenant < MAX_TENANTS).then_some(tenant)
}

/// The publish-time opcode check shared by every publisher: the opcode must be
/// publishable, and an opcode inside a tenant window may only be published by that tenant.
pub(crate) fn check_publishable(opcode: u32, tenant: u32) -> Result<()> {
    if !is_publishable_opcode(opcode) {
        return Err(Error::invalid(format!(
            "opcode {opcode:#x} is a reserved system opcode; publish a built-in or a user opcode \
             (8..=0xFFEF or 0x10000..=0x7FFFFFFF)"
        )));
    }
    if let Some(owner) = opcode_tenant(opcode) {
        if owner != tenant {
            return Err(Error::invalid(format!(
                "opcode {opcode:#x} lies in the opcode window of tenant {owner}, not of tenant {tenant}"
            )));
        }
    }
    Ok(())
}
