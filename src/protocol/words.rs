//! Little-endian `u32` word access on byte buffers, and the shape checks every
//! protocol function runs before it reads or writes anything.

use crate::error::{Error, Result};

/// Number of `u32` words in a byte buffer; a length that is not a multiple of 4 cannot
/// be a protocol buffer.
pub(crate) fn word_count(bytes: &[u8], what: &str) -> Result<usize> {
    if bytes.len() % 4 != 0 {
        return Err(Error::malformed(format!(
            "{what} is {} bytes, which is not a whole number of 4-byte words",
            bytes.len()
        )));
    }
    Ok(bytes.len() / 4)
}

/// Read word `w` (caller has checked bounds).
#[inline(always)]
pub(crate) fn get(bytes: &[u8], w: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[4 * w..4 * w + 4]);
    u32::from_le_bytes(b)
}

/// Write word `w` (caller has checked bounds).
#[inline(always)]
pub(crate) fn put(bytes: &mut [u8], w: usize, v: u32) {
    bytes[4 * w..4 * w + 4].copy_from_slice(&v.to_le_bytes());
}

/// Write a run of words starting at word `w`.
#[inline(always)]
pub(crate) fn put_all(bytes: &mut [u8], w: usize, words: &[u32]) {
    for (i, v) in words.iter().enumerate() {
        put(bytes, w + i, *v);
    }
}

/// `count × words_each × 4` bytes, refusing counts above `cap` and sizes that overflow.
pub(crate) fn sized(
    count: u32,
    words_each: usize,
    extra_words: usize,
    cap: u32,
    what: &str,
) -> Result<usize> {
    if count > cap {
        return Err(Error::out_of_range(format!(
            "{what} {count} exceeds the protocol cap of {cap}; use a smaller value"
        )));
    }
    (count as usize)
        .checked_mul(words_each)
        .and_then(|w| w.checked_add(extra_words))
        .and_then(|w| w.checked_mul(4))
        .filter(|b| *b / 4 <= u32::MAX as usize)
        .ok_or_else(|| Error::overflow(format!("{what} {count} does not fit in memory")))
}

/// Check that a caller-provided destination can hold `needed` bytes/elements.
pub(crate) fn check_dst(len: usize, needed: usize, what: &str) -> Result<()> {
    if len < needed {
        return Err(Error::insufficient(what, needed, len));
    }
    Ok(())
}
