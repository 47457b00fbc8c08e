//! Shared helpers of the GPU tests: one device per test binary, small protocol encoders
//! (until the protocol layer's publishers are used), GPU-vs-reference runners.
#![allow(dead_code)]

use std::sync::OnceLock;
use vyre::gpu::reference::{self, RefBuffers, RefOptions};
use vyre::gpu::*;
use vyre::protocol::abi::{control as c, op, slot, state, CONTROL_WORDS, SLOT_WORDS};

pub fn device() -> &'static Device {
    static D: OnceLock<Device> = OnceLock::new();
    D.get_or_init(|| {
        Device::new(&DeviceOptions::default()).expect("a GPU adapter (lavapipe in CI)")
    })
}

pub fn words_to_bytes(w: &[u32]) -> Vec<u8> {
    w.iter().flat_map(|x| x.to_le_bytes()).collect()
}

pub fn bytes_to_words(b: &[u8]) -> Vec<u32> {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Control block allowing tenants 0..tenants, default priority partitions for `slots`.
pub fn control(tenants: u32, observable: usize, slots: u32) -> Vec<u32> {
    let mut w = vec![0u32; CONTROL_WORDS + observable];
    w[c::TENANT_BASE] = c::TENANT_TABLE as u32;
    for t in 0..tenants {
        w[c::TENANT_TABLE + (t / 32) as usize] |= 1 << (t % 32);
    }
    let base = slots / 5;
    let mut at = 0;
    for p in 0..5 {
        w[c::PRIORITY_OFFSETS + p] = at;
        at += if p == 2 { base + slots % 5 } else { base };
    }
    w[c::PRIORITY_OFFSETS + 5] = slots;
    w
}

/// Publish `opcode(args)` for `tenant` at `priority` into slot `i` (body first, status last).
pub fn publish(ring: &mut [u32], i: usize, tenant: u32, priority: u32, opcode: u32, args: &[u32]) {
    let w = i * SLOT_WORDS;
    ring[w + slot::OPCODE] = opcode;
    ring[w + slot::TENANT] = tenant;
    ring[w + slot::PRIORITY] = priority;
    for a in 0..12 {
        ring[w + slot::ARGS + a] = args.get(a).copied().unwrap_or(0);
    }
    ring[w + slot::STATUS] = state::PUBLISHED;
}

/// Pack (inner op, args) pairs into 12 arg words (SPEC 1.6).
pub fn pack(ops: &[(u8, &[u32])]) -> Vec<u32> {
    let mut bytes = [0u8; 48];
    let meta = (2 + 2 * ops.len()).div_ceil(4);
    let total: usize = ops.iter().map(|(_, a)| a.len()).sum();
    bytes[0] = ops.len() as u8;
    bytes[1] = total as u8;
    let mut words = [0u32; 12];
    let mut off = 0;
    for (i, (o, a)) in ops.iter().enumerate() {
        bytes[2 + 2 * i] = *o;
        bytes[3 + 2 * i] = off as u8;
        for (k, v) in a.iter().enumerate() {
            words[meta + off + k] = *v;
        }
        off += a.len();
    }
    for (i, wd) in words.iter_mut().enumerate().take(meta) {
        *wd = u32::from_le_bytes([
            bytes[4 * i],
            bytes[4 * i + 1],
            bytes[4 * i + 2],
            bytes[4 * i + 3],
        ]);
    }
    words.to_vec()
}

pub fn empty_ring(slots: usize) -> Vec<u32> {
    vec![0; slots * SLOT_WORDS]
}

pub fn debug_log(records: usize) -> Vec<u32> {
    vec![0; 1 + 4 * records]
}

pub fn io_queue(slots: usize) -> Vec<u32> {
    vec![0; 8 * slots]
}

/// Run `bufs` on the GPU (plain dispatch, caller io queue), returning the new buffers.
pub fn gpu_run(
    mk: &Megakernel,
    bufs: &RefBuffers,
    opts: &DispatchOptions,
) -> (RefBuffers, DispatchReport) {
    let mut control = words_to_bytes(&bufs.control);
    let mut ring = words_to_bytes(&bufs.ring);
    let mut dbg = words_to_bytes(&bufs.debug_log);
    let mut io = words_to_bytes(&bufs.io_queue);
    let mut extras: Vec<Vec<u8>> = bufs.extras.iter().map(|e| words_to_bytes(e)).collect();
    let report = {
        let mut hb = HostBuffers {
            control: &mut control,
            ring: &mut ring,
            debug_log: &mut dbg,
            io_queue: Some(&mut io),
            extras: extras.iter_mut().map(|e| e.as_mut_slice()).collect(),
        };
        mk.dispatch(&mut hb, opts).expect("dispatch")
    };
    let out = RefBuffers {
        control: bytes_to_words(&control),
        ring: bytes_to_words(&ring),
        debug_log: bytes_to_words(&dbg),
        io_queue: bytes_to_words(&io),
        extras: extras.iter().map(|e| bytes_to_words(e)).collect(),
    };
    (out, report)
}

pub fn ref_run(bufs: &RefBuffers, opts: &RefOptions) -> (RefBuffers, reference::RefReport) {
    let mut b = bufs.clone();
    let r = reference::run(&mut b, opts);
    (b, r)
}

/// First differing word of two buffers, for readable assertion messages.
pub fn diff(name: &str, a: &[u32], b: &[u32]) -> Option<String> {
    if a.len() != b.len() {
        return Some(format!("{name}: length {} vs {}", a.len(), b.len()));
    }
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .map(|i| format!("{name}[{i}]: gpu {:#x} vs reference {:#x}", a[i], b[i]))
}

pub fn assert_same(gpu: &RefBuffers, cpu: &RefBuffers) {
    let mut errs = Vec::new();
    errs.extend(diff("control", &gpu.control, &cpu.control));
    errs.extend(diff("ring", &gpu.ring, &cpu.ring));
    errs.extend(diff("debug_log", &gpu.debug_log, &cpu.debug_log));
    errs.extend(diff("io_queue", &gpu.io_queue, &cpu.io_queue));
    for (i, (g, r)) in gpu.extras.iter().zip(&cpu.extras).enumerate() {
        errs.extend(diff(&format!("extra{i}"), g, r));
    }
    assert!(
        errs.is_empty(),
        "GPU and reference differ:\n{}",
        errs.join("\n")
    );
}

pub fn status_of(ring: &[u32], i: usize) -> u32 {
    ring[i * SLOT_WORDS]
}

pub const NOP: u32 = op::NOP;
