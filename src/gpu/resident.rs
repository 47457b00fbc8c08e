//! Resident buffer sets: the four ABI buffers, the extra user buffers and the engine-state
//! buffer of one ring, kept on the GPU between dispatches.
//!
//! [`GpuSet`] is the device side (one device generation). [`ResidentSet`] adds a host
//! mirror: every `write` lands in the mirror and marks a dirty range; a dispatch uploads
//! only dirty ranges (never unchanged data); after a device loss the set is rebuilt from
//! the mirror. The mirror holds what the host wrote; GPU-side progress that was not read
//! back is not in it (unless `sync_mirror` is set, which reads every writable buffer back
//! into the mirror after each dispatch so a recovery replays only the interrupted one).

use super::device::{DeviceLimits, DeviceState};
use super::engine;
use super::kernel::ExtraKind;
use super::megakernel::Megakernel;
use super::pipeline::CompiledPipeline;
use super::recovery::with_recovery;
use super::stats::{DispatchOptions, DispatchReport};
use super::waves::{self, Job, ReadSpec, Uploads};
use crate::error::{Error, Result, Status};
use crate::protocol::abi::{CONTROL_WORDS, DEBUG_RECORD_WORDS, IO_SLOT_WORDS, SLOT_WORDS};
use std::sync::{Arc, Mutex};

/// Buffer ids of a set (numbering is ABI: `VYRE_BUFFER_*`); extra buffer i is `EXTRA + i`.
pub mod buffer {
    pub const CONTROL: usize = 0;
    pub const RING: usize = 1;
    pub const DEBUG_LOG: usize = 2;
    pub const IO_QUEUE: usize = 3;
    pub const EXTRA: usize = 4;
}

const NAMES: [&str; 4] = ["control", "ring", "debug log", "io queue"];

fn buffer_name(i: usize) -> String {
    NAMES
        .get(i)
        .map(|s| s.to_string())
        .unwrap_or_else(|| format!("extra buffer {}", i - buffer::EXTRA))
}

/// Check a full list of buffer sizes (bytes) against the protocol and the device limits.
pub(crate) fn check_sizes(
    sizes: &[u64],
    extras: &[ExtraKind],
    limits: &DeviceLimits,
) -> Result<()> {
    if sizes.len() != buffer::EXTRA + extras.len() {
        return Err(Error::invalid(format!(
            "the megakernel declares {} extra buffer(s) but {} were given",
            extras.len(),
            sizes.len().saturating_sub(buffer::EXTRA)
        )));
    }
    let rules: [(u64, u64, &str); 4] = [
        (
            4,
            (CONTROL_WORDS * 4) as u64,
            "a multiple of 4 bytes and at least 160 words",
        ),
        (
            (SLOT_WORDS * 4) as u64,
            (SLOT_WORDS * 4) as u64,
            "a non-zero multiple of 64 bytes (16-word slots)",
        ),
        (4, 4, "1 + 4 x records words"),
        (
            (IO_SLOT_WORDS * 4) as u64,
            (IO_SLOT_WORDS * 4) as u64,
            "a non-zero multiple of 32 bytes (8-word io slots)",
        ),
    ];
    let max = limits
        .max_storage_buffer_binding_size
        .min(limits.max_buffer_size);
    for (i, &len) in sizes.iter().enumerate() {
        let vec4 = i >= buffer::EXTRA && extras[i - buffer::EXTRA] == ExtraKind::ReadOnlyVec4;
        let (multiple, min, rule) = match rules.get(i) {
            Some(&r) => r,
            None if vec4 => (16, 16, "a non-zero multiple of 16 bytes"),
            None => (4, 4, "a non-zero multiple of 4 bytes"),
        };
        let debug_ok =
            i != buffer::DEBUG_LOG || (len / 4).saturating_sub(1) % DEBUG_RECORD_WORDS as u64 == 0;
        if len % multiple != 0 || len < min || !debug_ok {
            return Err(Error::malformed(format!(
                "the {} buffer is {len} bytes; it must be {rule}",
                buffer_name(i)
            )));
        }
        if len > max {
            return Err(Error::new(
                Status::TooLarge,
                format!(
                    "the {} buffer is {len} bytes, over this adapter's storage binding limit of {max} bytes; \
                     split the work over several sets",
                    buffer_name(i)
                ),
            ));
        }
    }
    Ok(())
}

/// The GPU side of one set on one device generation.
pub(crate) struct GpuSet {
    pub generation: u64,
    pub sizes: Vec<u64>,
    pub buffers: Vec<wgpu::Buffer>,
    pub engine: wgpu::Buffer,
    pub bind_abi: wgpu::BindGroup,
    pub bind_engine: wgpu::BindGroup,
    pub staging: Option<wgpu::Buffer>,
    /// Engine parameters last written (budget, visit cap); zero = never.
    pub params: [u32; 2],
    /// The generation these buffers live on, kept until they are gone (declared last,
    /// so dropped last): vyre destroys a device only when no resource of it is left
    /// (see `device::LIFECYCLE`).
    owner: Arc<DeviceState>,
}

impl GpuSet {
    pub fn new(state: &Arc<DeviceState>, pipe: &CompiledPipeline, sizes: &[u64]) -> Result<GpuSet> {
        let device = &state.device;
        let oom = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let val = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let usage = wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST;
        let buffers: Vec<wgpu::Buffer> = sizes
            .iter()
            .enumerate()
            .map(|(i, &size)| {
                device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some(&format!("vyre {}", buffer_name(i))),
                    size,
                    usage,
                    mapped_at_creation: false,
                })
            })
            .collect();
        let engine = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("vyre engine state"),
            size: engine::BYTES,
            usage,
            mapped_at_creation: false,
        });
        let entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry {
                binding: i as u32,
                resource: b.as_entire_binding(),
            })
            .collect();
        let bind_abi = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("vyre abi buffers"),
            layout: &pipe.layout_abi,
            entries: &entries,
        });
        let bind_engine = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("vyre engine state"),
            layout: &pipe.layout_engine,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: engine.as_entire_binding(),
            }],
        });
        let v = pollster::block_on(val.pop());
        let o = pollster::block_on(oom.pop());
        if let Some(e) = o.or(v) {
            return Err(super::pipeline::scope_error(
                state,
                "allocating the resident buffers failed",
                e,
            ));
        }
        Ok(GpuSet {
            generation: state.generation,
            sizes: sizes.to_vec(),
            buffers,
            engine,
            bind_abi,
            bind_engine,
            staging: None,
            owner: state.clone(),
            params: [0, 0],
        })
    }

    /// Ring slots of this set.
    pub fn slots(&self) -> u32 {
        (self.sizes[buffer::RING] / (SLOT_WORDS as u64 * 4)) as u32
    }

    /// The mappable readback buffer, on this set's own device, of at least `size` bytes.
    pub fn staging(&mut self, size: u64) -> &wgpu::Buffer {
        let small = self.staging.as_ref().is_none_or(|s| s.size() < size);
        if small {
            let size = size.next_power_of_two().max(256);
            self.staging = Some(self.owner.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("vyre readback"),
                size,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }));
        }
        self.staging.as_ref().expect("staging buffer created above")
    }
}

/// Sizes of a resident set. Zero fields take the defaults noted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResidentDesc {
    /// Ring slots (0 = the megakernel's slot_count).
    pub slot_count: u32,
    /// Observable words after the 160 control words (0 = 64).
    pub observable_words: u32,
    /// Debug-log records (0 = 64).
    pub debug_records: u32,
    /// Io-queue slots (0 = 64).
    pub io_slots: u32,
    /// Byte size of each extra buffer, one per extra buffer the megakernel declares.
    pub extra_sizes: Vec<u64>,
    /// Read every writable buffer back into the mirror after each dispatch.
    pub sync_mirror: bool,
}

pub(crate) const DEFAULT_OBSERVABLE_WORDS: u32 = 64;

impl ResidentDesc {
    /// Byte sizes of all buffers.
    pub fn sizes(&self, mk_slots: u32) -> Result<Vec<u64>> {
        let or = |v: u32, d: u32| if v == 0 { d } else { v };
        let slots = or(self.slot_count, mk_slots) as u64;
        let obs = or(self.observable_words, DEFAULT_OBSERVABLE_WORDS) as u64;
        let records = or(
            self.debug_records,
            crate::protocol::abi::DEFAULT_DEBUG_RECORDS,
        ) as u64;
        let io = or(self.io_slots, crate::protocol::abi::DEFAULT_IO_SLOTS) as u64;
        let mut sizes = vec![
            (CONTROL_WORDS as u64 + obs) * 4,
            slots * SLOT_WORDS as u64 * 4,
            (1 + DEBUG_RECORD_WORDS as u64 * records) * 4,
            io * IO_SLOT_WORDS as u64 * 4,
        ];
        sizes.extend(self.extra_sizes.iter().copied());
        Ok(sizes)
    }
}

/// A byte range to read back during a dispatch, filled into `data`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadRequest {
    pub buffer: usize,
    pub offset: u64,
    pub data: Vec<u8>,
}

struct ResidentState {
    mirror: Vec<Vec<u8>>,
    /// Dirty byte ranges per buffer (4-byte aligned).
    dirty: Vec<Vec<(u64, u64)>>,
    gpu: Option<GpuSet>,
    /// Set when the GPU side was rebuilt after a device loss; reported by the next
    /// dispatch as `recovered`.
    rebuilt: bool,
    /// Device-side copies queued by [`ResidentSet::copy_on_device`], run after the
    /// uploads of the next dispatch or read.
    copies: Vec<DeviceCopy>,
    /// Device copies not yet applied to the mirror, in order: applied only when the
    /// mirror is next needed (a write or copy touching them, `mirror`, a rebuild), so a
    /// copy of a large template costs no host memcpy per dispatch.
    mirror_lag: Vec<DeviceCopy>,
}

/// A copy between two buffers of one set, done by the GPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DeviceCopy {
    pub src: usize,
    pub src_offset: u64,
    pub dst: usize,
    pub dst_offset: u64,
    pub len: u64,
}

fn overlaps(a: u64, a_len: u64, b: u64, b_len: u64) -> bool {
    a < b + b_len && b < a + a_len
}

struct ResidentShared {
    mk: Megakernel,
    sizes: Vec<u64>,
    sync_mirror: bool,
    state: Mutex<ResidentState>,
}

/// A resident buffer set bound to one megakernel. Cloning shares the set; calls on one
/// set are serialised by an internal lock, so it is safe to share between threads.
#[derive(Clone)]
pub struct ResidentSet {
    shared: Arc<ResidentShared>,
}

fn align_range(offset: u64, len: u64) -> (u64, u64) {
    let start = offset & !3;
    let end = (offset + len + 3) & !3;
    (start, end)
}

impl ResidentSet {
    /// Create a set (all buffers zero) for `mk`. Buffers are allocated on first dispatch.
    pub fn new(mk: &Megakernel, desc: &ResidentDesc) -> Result<ResidentSet> {
        let sizes = desc.sizes(mk.slot_count())?;
        check_sizes(&sizes, mk.extra_buffers(), &mk.device().limits())?;
        let mut mirror = Vec::with_capacity(sizes.len());
        for &s in &sizes {
            let mut v = Vec::new();
            v.try_reserve_exact(s as usize)
                .map_err(|_| Error::oom(format!("cannot allocate a {s}-byte host mirror")))?;
            v.resize(s as usize, 0);
            mirror.push(v);
        }
        let dirty = vec![Vec::new(); sizes.len()];
        Ok(ResidentSet {
            shared: Arc::new(ResidentShared {
                mk: mk.clone(),
                sizes,
                sync_mirror: desc.sync_mirror,
                state: Mutex::new(ResidentState {
                    mirror,
                    dirty,
                    gpu: None,
                    rebuilt: false,
                    copies: Vec::new(),
                    mirror_lag: Vec::new(),
                }),
            }),
        })
    }

    pub fn megakernel(&self) -> &Megakernel {
        &self.shared.mk
    }

    /// Byte sizes of every buffer (control, ring, debug log, io queue, extras...).
    pub fn sizes(&self) -> &[u64] {
        &self.shared.sizes
    }

    /// Ring slots.
    pub fn slot_count(&self) -> u32 {
        (self.shared.sizes[buffer::RING] / 64) as u32
    }

    fn check_range(&self, i: usize, offset: u64, len: u64) -> Result<()> {
        let size = *self.shared.sizes.get(i).ok_or_else(|| {
            Error::invalid(format!(
                "buffer id {i} does not exist; this set has {} buffers",
                self.shared.sizes.len()
            ))
        })?;
        if offset.checked_add(len).is_none_or(|end| end > size) {
            return Err(Error::out_of_range(format!(
                "range {offset}+{len} is outside the {} buffer of {size} bytes",
                buffer_name(i)
            )));
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ResidentState> {
        self.shared.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Write `data` at byte `offset` of buffer `i`: lands in the mirror now, on the GPU at
    /// the next dispatch or read.
    pub fn write(&self, i: usize, offset: u64, data: &[u8]) -> Result<()> {
        self.check_range(i, offset, data.len() as u64)?;
        if data.is_empty() {
            return Ok(());
        }
        let mut st = self.lock();
        Self::catch_up_mirror(&mut st, Some((i, offset, data.len() as u64)));
        super::copy::copy(
            &mut st.mirror[i][offset as usize..offset as usize + data.len()],
            data,
        );
        let r = align_range(offset, data.len() as u64);
        st.dirty[i].push(r);
        Self::settle_copies(&mut st, i, r.0, r.1 - r.0);
        Ok(())
    }

    /// Queue a GPU-side copy of `len` bytes from buffer `src` at `src_offset` to buffer
    /// `dst` at `dst_offset` (offsets and length multiples of 4; ranges in one buffer
    /// must not overlap). The mirror of `dst` changes now; the GPU copies at the next
    /// dispatch or read, after the uploads of earlier writes, so nothing crosses the bus
    /// (e.g. restoring a ring from a template kept in an extra buffer).
    pub fn copy_on_device(
        &self,
        src: usize,
        src_offset: u64,
        dst: usize,
        dst_offset: u64,
        len: u64,
    ) -> Result<()> {
        self.check_range(src, src_offset, len)?;
        self.check_range(dst, dst_offset, len)?;
        if (src_offset | dst_offset | len) % 4 != 0 {
            return Err(Error::invalid(format!(
                "device copy {src_offset}->{dst_offset} of {len} bytes: offsets and length must be multiples of 4"
            )));
        }
        if src == dst && overlaps(src_offset, len, dst_offset, len) {
            return Err(Error::invalid(
                "device copy within one buffer: the ranges overlap",
            ));
        }
        if len == 0 {
            return Ok(());
        }
        let mut st = self.lock();
        // Earlier queued copies that write our source, or read or write our destination,
        // must see the order of events: they become uploads from the mirror instead.
        Self::settle_copies(&mut st, src, src_offset, len);
        Self::settle_copies(&mut st, dst, dst_offset, len);
        let c = DeviceCopy {
            src,
            src_offset,
            dst,
            dst_offset,
            len,
        };
        st.copies.push(c);
        // The same copy again with nothing in between (a template restored every scan)
        // changes nothing more in the mirror: keep one.
        if st.mirror_lag.last() != Some(&c) {
            st.mirror_lag.push(c);
        }
        if self.shared.sync_mirror {
            Self::catch_up_mirror(&mut st, None);
        }
        Ok(())
    }

    /// Apply lagging device copies to the mirror (all of them, in order) when `touch`
    /// (buffer, offset, len) overlaps one of them, or always when `touch` is None.
    fn catch_up_mirror(st: &mut ResidentState, touch: Option<(usize, u64, u64)>) {
        let needed = match touch {
            None => !st.mirror_lag.is_empty(),
            Some((i, off, len)) => st.mirror_lag.iter().any(|c| {
                (c.src == i && overlaps(c.src_offset, c.len, off, len))
                    || (c.dst == i && overlaps(c.dst_offset, c.len, off, len))
            }),
        };
        if !needed {
            return;
        }
        for c in std::mem::take(&mut st.mirror_lag) {
            let (s, d, n) = (c.src_offset as usize, c.dst_offset as usize, c.len as usize);
            if c.src == c.dst {
                st.mirror[c.src].copy_within(s..s + n, d);
            } else {
                // Move the source out for the copy (no allocation), then put it back.
                let src = std::mem::take(&mut st.mirror[c.src]);
                super::copy::copy(&mut st.mirror[c.dst][d..d + n], &src[s..s + n]);
                st.mirror[c.src] = src;
            }
        }
    }

    /// A host write (or a new copy reading) bytes `offset..+len` of buffer `i`: queued
    /// device copies that read or write that range would no longer match the mirror's
    /// order of events, so they become uploads of their destination from the mirror.
    fn settle_copies(st: &mut ResidentState, i: usize, offset: u64, len: u64) {
        let mut k = 0;
        while k < st.copies.len() {
            let c = st.copies[k];
            let hit = (c.src == i && overlaps(c.src_offset, c.len, offset, len))
                || (c.dst == i && overlaps(c.dst_offset, c.len, offset, len));
            if hit {
                st.copies.remove(k);
                Self::catch_up_mirror(st, None);
                st.dirty[c.dst].push((c.dst_offset, c.dst_offset + c.len));
            } else {
                k += 1;
            }
        }
    }

    /// Take the queued device copies after `plan_sync` (none after a rebuild: the
    /// mirror, uploaded whole, already holds their result).
    /// Sync the set's GPU side (rebuilt from the mirror when it is gone) and stage what
    /// the next submission must upload or copy first.
    fn sync_uploads(
        &self,
        st: &mut ResidentState,
        state: &Arc<DeviceState>,
        pipe: &CompiledPipeline,
    ) -> Result<Uploads> {
        let plan = self.plan_sync(st, state, pipe)?;
        let copies = Self::take_copies(st);
        Uploads::stage(state, &Self::parts(st, 0, &plan)).map(|u| u.with_device_copies(0, copies))
    }

    fn take_copies(st: &mut ResidentState) -> Vec<DeviceCopy> {
        std::mem::take(&mut st.copies)
    }

    /// The host mirror of buffer `i` (what the host wrote; see the module docs).
    pub fn mirror(&self, i: usize) -> Result<Vec<u8>> {
        self.check_range(i, 0, 0)?;
        let mut st = self.lock();
        Self::catch_up_mirror(&mut st, None);
        Ok(st.mirror[i].clone())
    }

    /// Make the GPU side current and stage what must travel: on a new device generation
    /// the set is rebuilt and its whole mirror staged; otherwise only dirty ranges (many
    /// small ranges become one upload of their bounding span).
    fn plan_sync(
        &self,
        st: &mut ResidentState,
        state: &Arc<DeviceState>,
        pipe: &CompiledPipeline,
    ) -> Result<Vec<(usize, u64, u64)>> {
        let stale = st
            .gpu
            .as_ref()
            .is_none_or(|g| g.generation != state.generation);
        if stale {
            st.rebuilt |= st.gpu.is_some();
            st.gpu = None;
            st.gpu = Some(GpuSet::new(state, pipe, &self.shared.sizes)?);
            for d in st.dirty.iter_mut() {
                d.clear();
            }
            st.copies.clear();
            Self::catch_up_mirror(st, None);
            return Ok(self
                .shared
                .sizes
                .iter()
                .enumerate()
                .map(|(i, &len)| (i, 0, len))
                .collect());
        }
        let mut plan = Vec::new();
        for (i, ranges) in st.dirty.iter_mut().enumerate() {
            if ranges.is_empty() {
                continue;
            }
            ranges.sort_unstable();
            let mut merged: Vec<(u64, u64)> = Vec::new();
            for &(s, e) in ranges.iter() {
                match merged.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => merged.push((s, e)),
                }
            }
            let covered: u64 = merged.iter().map(|(s, e)| e - s).sum();
            let span = (merged[0].0, merged[merged.len() - 1].1);
            if merged.len() > 64 && covered * 2 >= span.1 - span.0 {
                merged = vec![span];
            }
            plan.extend(merged.into_iter().map(|(s, e)| (i, s, e)));
            ranges.clear();
        }
        Ok(plan)
    }

    /// The staged parts of a plan, for job `job` of a dispatch.
    fn parts<'m>(
        st: &'m ResidentState,
        job: usize,
        plan: &[(usize, u64, u64)],
    ) -> Vec<(usize, usize, u64, &'m [u8])> {
        plan.iter()
            .map(|&(i, s, e)| (job, i, s, &st.mirror[i][s as usize..e as usize]))
            .collect()
    }

    /// Run waves until no claimable slot remains (or a limit is reached).
    pub fn dispatch(&self, opts: &DispatchOptions) -> Result<DispatchReport> {
        self.dispatch_and_read(opts, &mut [])
    }

    /// Dispatch, then read the requested ranges (each `data` is filled to its length) in
    /// the same submission when possible.
    pub fn dispatch_and_read(
        &self,
        opts: &DispatchOptions,
        reads: &mut [ReadRequest],
    ) -> Result<DispatchReport> {
        opts.validate()?;
        for r in reads.iter() {
            self.check_range(r.buffer, r.offset, r.data.len() as u64)?;
        }
        let start = std::time::Instant::now();
        let mk = self.shared.mk.clone();
        let mut st = self.lock();
        let mut specs: Vec<ReadSpec> = reads
            .iter()
            .map(|r| ReadSpec {
                buffer: r.buffer,
                offset: r.offset,
                len: r.data.len() as u64,
            })
            .collect();
        let sync_first = specs.len();
        if self.shared.sync_mirror {
            for (i, &size) in self.shared.sizes.iter().enumerate() {
                if i < buffer::EXTRA || !mk.extra_buffers()[i - buffer::EXTRA].is_read_only() {
                    specs.push(ReadSpec {
                        buffer: i,
                        offset: 0,
                        len: size,
                    });
                }
            }
        }
        // The caller's buffers receive the reads in place (no fresh allocation).
        let mut bufs: Vec<Vec<u8>> = reads
            .iter_mut()
            .map(|r| std::mem::take(&mut r.data))
            .collect();
        let mut recovered = 0;
        let outcome = with_recovery(
            mk.device(),
            opts.recovery_attempts,
            &mut recovered,
            |state| {
                let pipe = mk.pipeline(state)?;
                let uploads = self.sync_uploads(&mut st, state, &pipe);
                let outcome = uploads.and_then(|uploads| {
                    let gpu = st.gpu.as_mut().expect("synced above");
                    let mut jobs = [Job::new(gpu, &specs)];
                    jobs[0].out = std::mem::take(&mut bufs);
                    waves::run(state, &pipe, &mk, &mut jobs, opts, &uploads)?;
                    let [job] = jobs;
                    let mut report = job.report;
                    report.bytes_in += uploads.bytes;
                    Ok((report, job.out))
                });
                if outcome.is_err() {
                    st.gpu = None; // rebuild from the mirror next time: nothing is lost
                }
                outcome
            },
        );
        let (mut report, mut outs) = match outcome {
            Ok(v) => v,
            Err(e) => {
                // Hand back buffers of the requested lengths (contents unspecified).
                for (r, spec) in reads.iter_mut().zip(&specs) {
                    r.data.resize(spec.len as usize, 0);
                }
                return Err(e);
            }
        };
        for (r, data) in reads.iter_mut().zip(outs.iter_mut()) {
            r.data = std::mem::take(data);
        }
        if self.shared.sync_mirror {
            for (spec, data) in specs[sync_first..].iter().zip(outs[sync_first..].iter()) {
                st.mirror[spec.buffer].copy_from_slice(data);
            }
        }
        report.recovered = recovered.max(std::mem::take(&mut st.rebuilt) as u32);
        report.latency = start.elapsed();
        Ok(report)
    }

    /// Read `out.len()` bytes at `offset` of buffer `i` from the GPU (pending writes are
    /// uploaded first). One round trip.
    pub fn read(&self, i: usize, offset: u64, out: &mut [u8]) -> Result<()> {
        self.read_with(i, offset, out, DispatchOptions::default().recovery_attempts)
    }

    /// [`ResidentSet::read`] of what the last dispatch wrote: a device lost since then
    /// is DEVICE_LOST, not a set rebuilt from the mirror (whose copy of what the kernel
    /// wrote is stale), so the caller runs its dispatch again.
    pub(crate) fn read_output(&self, i: usize, offset: u64, out: &mut [u8]) -> Result<()> {
        self.read_with(i, offset, out, 0)
    }

    fn read_with(&self, i: usize, offset: u64, out: &mut [u8], attempts: u32) -> Result<()> {
        self.check_range(i, offset, out.len() as u64)?;
        if out.is_empty() {
            return Ok(());
        }
        let mk = self.shared.mk.clone();
        let mut st = self.lock();
        let spec = [ReadSpec {
            buffer: i,
            offset,
            len: out.len() as u64,
        }];
        let mut recovered = 0;
        let data = with_recovery(mk.device(), attempts, &mut recovered, |state| {
            let pipe = mk.pipeline(state)?;
            let uploads = self.sync_uploads(&mut st, state, &pipe);
            let outcome = uploads.and_then(|uploads| {
                let gpu = st.gpu.as_mut().expect("synced above");
                let mut data = Vec::new();
                waves::read_ranges(state, gpu, &spec, &uploads, &mut data)?;
                Ok(data)
            });
            if outcome.is_err() {
                st.gpu = None;
            }
            Ok(outcome?.pop().unwrap_or_default())
        })?;
        out.copy_from_slice(&data);
        Ok(())
    }

    /// Lock this set for a batch: returns the guard so the batch can borrow its GPU side.
    pub(crate) fn lock_for_batch(&self) -> ResidentGuard<'_> {
        ResidentGuard {
            set: self,
            st: self.lock(),
        }
    }

    pub(crate) fn ptr_id(&self) -> usize {
        Arc::as_ptr(&self.shared) as usize
    }
}

/// A locked set during a batch dispatch.
pub(crate) struct ResidentGuard<'a> {
    set: &'a ResidentSet,
    st: std::sync::MutexGuard<'a, ResidentState>,
}

impl ResidentGuard<'_> {
    /// Make the GPU side current; returns the ranges to stage (see `stage_parts`).
    pub fn plan(
        &mut self,
        state: &Arc<DeviceState>,
        pipe: &CompiledPipeline,
    ) -> Result<Vec<(usize, u64, u64)>> {
        self.set.plan_sync(&mut self.st, state, pipe)
    }

    /// The queued device copies (take once, after `plan`).
    pub fn take_copies(&mut self) -> Vec<DeviceCopy> {
        ResidentSet::take_copies(&mut self.st)
    }

    /// The staged parts of `plan` for job `job`.
    pub fn parts<'m>(
        &'m self,
        job: usize,
        plan: &[(usize, u64, u64)],
    ) -> Vec<(usize, usize, u64, &'m [u8])> {
        ResidentSet::parts(&self.st, job, plan)
    }

    /// The GPU side (after `plan`).
    pub fn gpu(&mut self) -> &mut GpuSet {
        self.st.gpu.as_mut().expect("planned before")
    }

    /// Forget the GPU side after a failed dispatch (rebuilt from the mirror next time).
    pub fn invalidate(&mut self) {
        self.st.gpu = None;
    }

    /// Whether the set was rebuilt after a device loss since its last dispatch (clears it).
    pub fn take_rebuilt(&mut self) -> bool {
        std::mem::take(&mut self.st.rebuilt)
    }
}
