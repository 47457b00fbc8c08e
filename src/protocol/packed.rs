//! Packed slots (SPEC §1.6): several small ops in the 12 argument words of one slot.
//!
//! The 12 args are viewed as 48 little-endian bytes: byte 0 op count, byte 1 total packed
//! arg words, then per op `(opcode u8, arg offset u8)`. Metadata takes
//! `ceil((2 + 2·count) / 4)` words; op i's args start at arg word
//! `metadata_words + offset_i` and run to the next op's offset (the last op's to the
//! total). Metadata + args must fit in 12 words, so at most 23 arg-less ops fit.

use super::abi::SLOT_ARGS;
use crate::error::{Error, Result};

/// Most ops one packed slot can hold (all without args).
pub const PACKED_MAX_OPS: usize = 23;

/// Metadata words for `count` ops: `ceil((2 + 2·count) / 4)`.
pub const fn packed_metadata_words(count: usize) -> usize {
    (2 + 2 * count).div_ceil(4)
}

/// One inner op of a packed slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackedOp {
    pub opcode: u8,
    pub args: Vec<u32>,
}

fn set_byte(words: &mut [u32; SLOT_ARGS], i: usize, v: u8) {
    let shift = 8 * (i % 4);
    words[i / 4] = (words[i / 4] & !(0xFF << shift)) | ((v as u32) << shift);
}

fn byte(words: &[u32; SLOT_ARGS], i: usize) -> u8 {
    (words[i / 4] >> (8 * (i % 4))) as u8
}

/// Pack `(inner opcode, args)` pairs into the 12 arg words of a PACKED_SLOT.
/// Every u8 opcode is accepted (0..=7 built-ins, 8..=255 user opcodes), and the kernel
/// runs every op the host accepted. Errors (`InvalidArgument`): no ops, more than 23
/// ops, or metadata + args over 12 words.
pub fn pack_ops<A: AsRef<[u32]>>(ops: &[(u8, A)]) -> Result<[u32; SLOT_ARGS]> {
    if ops.is_empty() || ops.len() > PACKED_MAX_OPS {
        return Err(Error::invalid(format!(
            "a packed slot holds 1..={PACKED_MAX_OPS} ops, {} given",
            ops.len()
        )));
    }
    let meta = packed_metadata_words(ops.len());
    let total: usize = ops.iter().map(|(_, a)| a.as_ref().len()).sum();
    if meta + total > SLOT_ARGS {
        return Err(Error::invalid(format!(
            "{} packed ops need {meta} metadata words + {total} arg words, over the {SLOT_ARGS} words of a slot",
            ops.len()
        )));
    }
    let mut words = [0u32; SLOT_ARGS];
    set_byte(&mut words, 0, ops.len() as u8);
    set_byte(&mut words, 1, total as u8);
    let mut offset = 0usize;
    for (i, (opcode, args)) in ops.iter().enumerate() {
        let args = args.as_ref();
        set_byte(&mut words, 2 + 2 * i, *opcode);
        set_byte(&mut words, 3 + 2 * i, offset as u8);
        words[meta + offset..meta + offset + args.len()].copy_from_slice(args);
        offset += args.len();
    }
    Ok(words)
}

/// Strictly decode the 12 arg words of a PACKED_SLOT (the CPU reference of what the
/// kernel executes). Errors (`InvalidArgument`): op count 0 or over 23, metadata + total
/// over 12 words, offsets that decrease or pass the total.
pub fn unpack_ops(args: &[u32; SLOT_ARGS]) -> Result<Vec<PackedOp>> {
    let count = byte(args, 0) as usize;
    let total = byte(args, 1) as usize;
    if count == 0 || count > PACKED_MAX_OPS {
        return Err(Error::invalid(format!(
            "packed slot op count {count} is not in 1..={PACKED_MAX_OPS}"
        )));
    }
    let meta = packed_metadata_words(count);
    if meta + total > SLOT_ARGS {
        return Err(Error::invalid(format!(
            "packed slot declares {meta} metadata + {total} arg words, over {SLOT_ARGS}"
        )));
    }
    let offsets: Vec<usize> = (0..count).map(|i| byte(args, 3 + 2 * i) as usize).collect();
    let mut ops = Vec::with_capacity(count);
    for i in 0..count {
        let start = offsets[i];
        let end = if i + 1 < count { offsets[i + 1] } else { total };
        if start > end || end > total {
            return Err(Error::invalid(format!(
                "packed op {i} has args {start}..{end}, outside 0..{total} or out of order"
            )));
        }
        ops.push(PackedOp {
            opcode: byte(args, 2 + 2 * i),
            args: args[meta + start..meta + end].to_vec(),
        });
    }
    Ok(ops)
}
