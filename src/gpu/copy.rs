//! Large host copies split across threads. Moving a 512 MiB haystack into the host
//! mirror and then into the upload staging buffer are two such copies per scan from
//! host memory; one thread copies at ~9 GB/s on the H200 host, far below its memory
//! bandwidth, so copies of [`PARALLEL_MIN`] bytes and more use all cores.

/// Copies smaller than this stay on the calling thread (spawning costs ~20 µs/thread).
pub const PARALLEL_MIN: usize = 8 << 20;
/// Each thread copies at least this much.
const PIECE_MIN: usize = 4 << 20;

/// Bytes per thread for a copy of `len` bytes; None: copy on the calling thread.
fn piece_len(len: usize) -> Option<usize> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    (len >= PARALLEL_MIN && threads >= 2).then(|| len.div_ceil(threads).max(PIECE_MIN))
}

/// `dst.copy_from_slice(src)`, on several threads when it is large.
/// Panics (like `copy_from_slice`) when the lengths differ.
pub fn copy(dst: &mut [u8], src: &[u8]) {
    assert_eq!(dst.len(), src.len(), "copy: length mismatch");
    let Some(piece) = piece_len(src.len()) else {
        dst.copy_from_slice(src);
        return;
    };
    std::thread::scope(|s| {
        for (d, c) in dst.chunks_mut(piece).zip(src.chunks(piece)) {
            s.spawn(move || d.copy_from_slice(c));
        }
    });
}

/// [`copy`] into mapped GPU memory (write-only: it may be write-combining).
pub fn copy_to_mapped(dst: wgpu::WriteOnly<'_, [u8]>, src: &[u8]) {
    assert_eq!(dst.len(), src.len(), "copy_to_mapped: length mismatch");
    let mut rest = dst;
    let Some(piece) = piece_len(src.len()) else {
        rest.copy_from_slice(src);
        return;
    };
    let mut pieces = Vec::new();
    let mut at = 0;
    while rest.len() > piece {
        let (head, tail) = rest.split_at(piece);
        pieces.push((head, at));
        rest = tail;
        at += piece;
    }
    pieces.push((rest, at));
    /// A disjoint piece of the mapping, handed to one thread.
    struct Piece(std::ptr::NonNull<[u8]>);
    // SAFETY: each piece is a disjoint, write-valid range of the mapping, alive (borrowed
    // by `pieces`) until the scope has joined every thread.
    unsafe impl Send for Piece {}
    std::thread::scope(|s| {
        for (d, at) in pieces.iter_mut() {
            let c = &src[*at..*at + d.len()];
            let p = Piece(d.as_raw_ptr());
            s.spawn(move || {
                let p = p;
                // SAFETY: `p` covers exactly `c.len()` writable bytes (see `Piece`), and
                // `c` is ordinary memory that cannot overlap a GPU mapping.
                unsafe {
                    std::ptr::copy_nonoverlapping(c.as_ptr(), p.0.as_ptr() as *mut u8, c.len())
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn copies_every_byte_small_and_large() {
        for len in [0usize, 1, 4097, super::PARALLEL_MIN + 12_345] {
            let src: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
            let mut dst = vec![0u8; len];
            super::copy(&mut dst, &src);
            assert!(dst == src, "len {len}");
        }
    }
}
