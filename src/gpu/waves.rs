//! Waves: the host loop that replaces a forever-running kernel.
//!
//! One wave = clear the engine counters, one compute dispatch per set, copy the census
//! (16 words) to a staging buffer, submit, wait. The host starts another wave while a set
//! still has claimable slots and neither `max_wall_time` nor `max_waves` is reached; then
//! it stops and reports what remains (drain, never drop). Requested readbacks are copied
//! in the same submission when they are small (speculating that the wave is the last),
//! else in one extra submission after the last wave.

use super::device::{
    DeviceKind, DeviceState, PooledStaging, MAP_FAILED, MAP_PENDING, MAP_READY,
    STAGING_POOL_BUFFERS, STAGING_POOL_MAX_BYTES,
};
use super::engine::{self, Census};
use super::megakernel::Megakernel;
use super::pipeline::{scope_error, CompiledPipeline};
use super::resident::{DeviceCopy, GpuSet};
use super::stats::{DispatchOptions, DispatchReport, StopReason, VISIT_CAP};
use crate::error::{Error, Result, Status};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Readbacks up to this size ride along with every wave's submission.
const SPECULATE_BYTES: u64 = 8 << 20;
/// Longest a single GPU wait may take before the call fails with TIMEOUT.
const WAIT_LIMIT: Duration = Duration::from_secs(300);

/// How long a thread waiting for a wave polls the device before it sleeps: 5 ms on
/// GPUs, none on CPU adapters (the poller would take a core from the work it waits
/// for). `VYRE_WAIT_SPIN_US` (microseconds, at most 1 s; 0 = sleep at once) sets it for
/// every adapter (the tests use it to run this path on lavapipe). One thread per device
/// polls; its polls run every waiter's callbacks. Measured on the H200: resident scans
/// of 512 MiB with regexes 5-11 % faster (dictionaries -5 to +8 %), and the host's pass
/// over the hits right after the wait took 0.168 ms instead of 0.266 ms (BENCHMARKS.md,
/// session 8). Our guess is that a thread that sleeps through a round of a few
/// milliseconds wakes on a core that has slowed down. Longer rounds sleep as before.
fn spin_time(kind: DeviceKind) -> Duration {
    static SET: once_cell::sync::Lazy<Option<u64>> = once_cell::sync::Lazy::new(|| {
        let v = std::env::var("VYRE_WAIT_SPIN_US").ok()?;
        v.trim().parse().ok()
    });
    let default = if kind == DeviceKind::Cpu { 0 } else { 5_000 };
    Duration::from_micros(SET.unwrap_or(default).min(1_000_000))
}

/// A byte range of one buffer of a set to read back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ReadSpec {
    pub buffer: usize,
    pub offset: u64,
    pub len: u64,
}

impl ReadSpec {
    /// The 4-byte aligned range the copy actually moves.
    fn aligned(&self) -> (u64, u64) {
        let start = self.offset & !3;
        let end = (self.offset + self.len + 3) & !3;
        (start, end)
    }
}

/// Host data for the GPU, staged in one mapped buffer and copied by the first command
/// buffer of the dispatch. One staging buffer per dispatch or batch, instead of one
/// `queue.write_buffer` (each a staging allocation in wgpu) per range and per set.
#[derive(Default)]
pub(crate) struct Uploads {
    staging: Option<wgpu::Buffer>,
    copies: Vec<UploadCopy>,
    /// Buffer-to-buffer copies inside a job's set, after the staged ones.
    device: Vec<(usize, DeviceCopy)>,
    /// Bytes staged.
    pub bytes: u64,
    /// The generation the staging buffer lives on: its pool takes the buffer back
    /// (re-mapped) when the uploads are dropped, and the device outlives the buffer.
    owner: Option<Arc<DeviceState>>,
}

struct UploadCopy {
    job: usize,
    buffer: usize,
    dst: u64,
    src: u64,
    len: u64,
}

impl Uploads {
    /// Stage `(job, buffer, destination offset, data)` parts; offsets and lengths are
    /// multiples of 4.
    pub fn stage(
        state: &Arc<DeviceState>,
        parts: &[(usize, usize, u64, &[u8])],
    ) -> Result<Uploads> {
        let total: u64 = parts.iter().map(|p| p.3.len() as u64).sum();
        if total == 0 {
            return Ok(Uploads::default());
        }
        let staging = match Self::pooled(state, total) {
            Some(b) => b,
            None => {
                let scope = state
                    .device
                    .push_error_scope(wgpu::ErrorFilter::OutOfMemory);
                // Whole MiBs (small uploads exact), so the buffer serves similar sizes.
                let size = if total >= 1 << 20 {
                    total.next_multiple_of(1 << 20)
                } else {
                    total
                };
                let b = state.device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("vyre upload"),
                    size,
                    usage: wgpu::BufferUsages::MAP_WRITE | wgpu::BufferUsages::COPY_SRC,
                    mapped_at_creation: true,
                });
                if let Some(e) = pollster::block_on(scope.pop()) {
                    return Err(scope_error(state, "staging an upload failed", e));
                }
                b
            }
        };
        let mut copies = Vec::with_capacity(parts.len());
        {
            let mut view = staging
                .slice(..total)
                .get_mapped_range_mut()
                .map_err(|e| failed(state, &format!("mapping the upload buffer ({e})")))?;
            let mut at = 0u64;
            for &(job, buffer, dst, data) in parts {
                if data.is_empty() {
                    continue;
                }
                let len = data.len() as u64;
                super::copy::copy_to_mapped(view.slice(at as usize..(at + len) as usize), data);
                copies.push(UploadCopy {
                    job,
                    buffer,
                    dst,
                    src: at,
                    len,
                });
                at += len;
            }
        }
        staging.unmap();
        Ok(Uploads {
            staging: Some(staging),
            copies,
            device: Vec::new(),
            bytes: total,
            owner: Some(state.clone()),
        })
    }

    /// A pooled staging buffer of at least `total` bytes, mapped (waits for a re-map
    /// still in flight, and only for that: another thread's long dispatch on the same
    /// device does not hold this upload up); None: create one.
    fn pooled(state: &DeviceState, total: u64) -> Option<wgpu::Buffer> {
        let p = {
            let mut pool = state.staging.lock().ok()?;
            let i = (0..pool.len())
                .filter(|&i| pool[i].size >= total)
                .min_by_key(|&i| pool[i].size)?;
            pool.swap_remove(i)
        };
        // The re-map completes once the GPU finished the copy that used it.
        let deadline = Instant::now() + WAIT_LIMIT;
        while p.map.load(Ordering::Acquire) == MAP_PENDING
            && Instant::now() < deadline
            && !state.is_lost()
        {
            if state.device.poll(wgpu::PollType::Poll).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_micros(50));
        }
        (p.map.load(Ordering::Acquire) == MAP_READY).then_some(p.buffer)
    }

    /// Add job `job`'s queued device copies (encoded after the uploads).
    pub fn with_device_copies(mut self, job: usize, copies: Vec<DeviceCopy>) -> Uploads {
        self.device.extend(copies.into_iter().map(|c| (job, c)));
        self
    }

    fn encode(&self, encoder: &mut wgpu::CommandEncoder, sets: &[&GpuSet]) {
        if let Some(staging) = &self.staging {
            for c in &self.copies {
                encoder.copy_buffer_to_buffer(
                    staging,
                    c.src,
                    &sets[c.job].buffers[c.buffer],
                    c.dst,
                    c.len,
                );
            }
        }
        for (job, c) in &self.device {
            let b = &sets[*job].buffers;
            encoder.copy_buffer_to_buffer(&b[c.src], c.src_offset, &b[c.dst], c.dst_offset, c.len);
        }
    }
}

impl Drop for Uploads {
    /// Give the staging buffer back to its device's pool, re-mapping it for the next
    /// upload (the map completes after the submission that read it).
    fn drop(&mut self) {
        let (Some(buffer), Some(owner)) = (self.staging.take(), self.owner.take()) else {
            return;
        };
        let pool = &owner.staging;
        let size = buffer.size();
        if size > STAGING_POOL_MAX_BYTES {
            return;
        }
        let map = Arc::new(AtomicU8::new(MAP_PENDING));
        let flag = map.clone();
        buffer.slice(..).map_async(wgpu::MapMode::Write, move |r| {
            flag.store(
                if r.is_ok() { MAP_READY } else { MAP_FAILED },
                Ordering::Release,
            );
        });
        let Ok(mut kept) = pool.lock() else {
            return;
        };
        kept.push(PooledStaging { buffer, size, map });
        if kept.len() > STAGING_POOL_BUFFERS {
            // Keep the largest: they serve every smaller upload too.
            kept.sort_by_key(|p| std::cmp::Reverse(p.size));
            kept.truncate(STAGING_POOL_BUFFERS);
        }
    }
}

/// One set taking part in a dispatch.
pub(crate) struct Job<'a> {
    pub set: &'a mut GpuSet,
    pub reads: &'a [ReadSpec],
    /// Read results, in the order of `reads`. Buffers already here when the job runs
    /// are reused (filled in place), so a caller that hands the same buffers back every
    /// call does not page-fault fresh memory for large reads.
    pub out: Vec<Vec<u8>>,
    pub report: DispatchReport,
    finished: bool,
    /// `out` holds this dispatch's reads.
    read_done: bool,
    /// The wave whose submission also copied the reads (valid if it was the last).
    speculated_wave: u32,
}

impl<'a> Job<'a> {
    pub fn new(set: &'a mut GpuSet, reads: &'a [ReadSpec]) -> Self {
        Job {
            set,
            reads,
            out: Vec::new(),
            report: DispatchReport::default(),
            finished: false,
            read_done: false,
            speculated_wave: 0,
        }
    }
}

fn lost(what: &str) -> Error {
    Error::new(
        Status::DeviceLost,
        format!("{what}: the GPU device was lost"),
    )
}

/// A wave failed without a clear cause: device loss if the device says so, else a GPU
/// error carrying wgpu's last message.
fn failed(state: &DeviceState, what: &str) -> Error {
    if state.probe_lost() {
        return lost(what);
    }
    let detail = state
        .last_uncaptured_error()
        .unwrap_or_else(|| "no further detail from wgpu".into());
    Error::new(Status::Gpu, format!("{what} failed: {detail}"))
}

/// Map `buffer[0..len]` for reading once submission `idx` is done. Works when several
/// threads poll the same device (the callback may run on another thread's poll).
pub(crate) fn map_and_wait(
    state: &DeviceState,
    buffer: &wgpu::Buffer,
    len: u64,
    idx: wgpu::SubmissionIndex,
) -> Result<()> {
    let signal = Arc::new((Mutex::new(None::<bool>), Condvar::new()));
    let s2 = signal.clone();
    buffer
        .slice(0..len)
        .map_async(wgpu::MapMode::Read, move |r| {
            let (m, c) = &*s2;
            *m.lock().unwrap_or_else(|p| p.into_inner()) = Some(r.is_ok());
            c.notify_all();
        });
    let deadline = Instant::now() + WAIT_LIMIT;
    let pending = || signal.0.lock().unwrap_or_else(|p| p.into_inner()).is_none();
    let spin = spin_time(state.adapter_desc.kind);
    if !spin.is_zero() && !state.spinning.swap(true, Ordering::AcqRel) {
        let spin_until = Instant::now() + spin;
        while pending() && Instant::now() < spin_until && !state.is_lost() {
            if state.device.poll(wgpu::PollType::Poll).is_err() {
                break;
            }
            std::hint::spin_loop();
        }
        state.spinning.store(false, Ordering::Release);
    }
    if pending() {
        match state.device.poll(wgpu::PollType::Wait {
            submission_index: Some(idx),
            timeout: Some(WAIT_LIMIT),
        }) {
            Ok(_) => {}
            Err(wgpu::PollError::Timeout) => {
                return Err(Error::new(
                    Status::Timeout,
                    format!("the GPU did not finish a wave within {WAIT_LIMIT:?}"),
                ))
            }
            Err(_) => return Err(failed(state, "waiting for a wave")),
        }
    }
    let (m, c) = &*signal;
    let mut g = m.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        match *g {
            Some(true) => return Ok(()),
            Some(false) => {
                drop(g);
                return Err(failed(state, "reading back a wave"));
            }
            None => {}
        }
        if Instant::now() > deadline {
            return Err(Error::new(
                Status::Timeout,
                "a readback mapping did not complete in time",
            ));
        }
        g = c
            .wait_timeout(g, Duration::from_millis(1))
            .unwrap_or_else(|p| p.into_inner())
            .0;
        if g.is_none() {
            drop(g);
            let _ = state.device.poll(wgpu::PollType::Poll);
            g = m.lock().unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// Submit `encoder` inside a validation scope; a validation error is a device loss when
/// the device is gone, else a GPU error.
fn submit(state: &DeviceState, encoder: wgpu::CommandEncoder) -> Result<wgpu::SubmissionIndex> {
    if state.is_lost() {
        return Err(lost("submitting a wave"));
    }
    let scope = state.device.push_error_scope(wgpu::ErrorFilter::Validation);
    let idx = state.queue.submit([encoder.finish()]);
    if let Some(e) = pollster::block_on(scope.pop()) {
        return Err(scope_error(state, "submitting a wave failed", e));
    }
    Ok(idx)
}

/// Staging layout of reads after the census: 8-byte aligned offsets, total size.
fn read_layout(base: u64, reads: &[ReadSpec]) -> (Vec<u64>, u64) {
    let mut at = base;
    let mut offsets = Vec::with_capacity(reads.len());
    for r in reads {
        at = (at + 7) & !7;
        offsets.push(at);
        let (s, e) = r.aligned();
        at += e - s;
    }
    (offsets, at.max(4))
}

fn encode_reads(
    encoder: &mut wgpu::CommandEncoder,
    set: &GpuSet,
    staging: &wgpu::Buffer,
    reads: &[ReadSpec],
    offs: &[u64],
) {
    for (r, &at) in reads.iter().zip(offs) {
        let (s, e) = r.aligned();
        encoder.copy_buffer_to_buffer(&set.buffers[r.buffer], s, staging, at, e - s);
    }
}

/// Copy each read out of the mapped staging view into `out` (its buffers reused when
/// there is one per read).
fn decode_reads(view: &[u8], reads: &[ReadSpec], offs: &[u64], out: &mut Vec<Vec<u8>>) {
    out.resize_with(reads.len(), Vec::new);
    for ((r, &at), o) in reads.iter().zip(offs).zip(out.iter_mut()) {
        let skip = (r.offset - (r.offset & !3)) as usize;
        let from = at as usize + skip;
        o.clear();
        o.extend_from_slice(&view[from..from + r.len as usize]);
    }
}

/// Read ranges of a set in one submission (no kernel launch), into `out` (see
/// [`decode_reads`]).
pub(crate) fn read_ranges(
    state: &DeviceState,
    set: &mut GpuSet,
    reads: &[ReadSpec],
    uploads: &Uploads,
    out: &mut Vec<Vec<u8>>,
) -> Result<()> {
    let (offs, total) = read_layout(0, reads);
    let mut encoder = state.device.create_command_encoder(&Default::default());
    uploads.encode(&mut encoder, &[&*set]);
    let staging = set.staging(total).clone();
    encode_reads(&mut encoder, set, &staging, reads, &offs);
    let idx = submit(state, encoder)?;
    map_and_wait(state, &staging, total, idx)?;
    {
        let view = staging
            .slice(0..total)
            .get_mapped_range()
            .map_err(|e| failed(state, &format!("reading back ({e})")))?;
        decode_reads(&view, reads, &offs, out);
    }
    staging.unmap();
    Ok(())
}

/// Workgroups for one wave of a ring of `slots`: the requested count, raised so that
/// one wave visits every slot (each lane visits at most VISIT_CAP chunks).
pub(crate) fn groups_for(
    mk: &Megakernel,
    opts: &DispatchOptions,
    slots: u32,
    max_groups: u32,
) -> u32 {
    let base = if opts.worker_groups != 0 {
        opts.worker_groups
    } else {
        mk.worker_groups()
    };
    let per_group = mk.workgroup_size_x() as u64 * VISIT_CAP as u64;
    let need = (slots as u64).div_ceil(per_group) as u32;
    base.max(need).clamp(1, max_groups.max(1))
}

/// Run waves over `jobs` (one set each; several sets = one batch, recorded into one
/// command buffer per wave) until each is finished. Reads are supported for a single job.
pub(crate) fn run(
    state: &DeviceState,
    pipe: &CompiledPipeline,
    mk: &Megakernel,
    jobs: &mut [Job<'_>],
    opts: &DispatchOptions,
    uploads: &Uploads,
) -> Result<()> {
    let start = Instant::now();
    let batch = jobs.len() > 1;
    debug_assert!(!batch || jobs.iter().all(|j| j.reads.is_empty()));
    let params = [opts.work_budget, VISIT_CAP];
    let max_groups = state.limits.max_compute_workgroups_per_dimension;
    for job in jobs.iter_mut() {
        if job.set.params != params {
            let bytes: Vec<u8> = params.iter().flat_map(|w| w.to_le_bytes()).collect();
            state
                .queue
                .write_buffer(&job.set.engine, (engine::BUDGET * 4) as u64, &bytes);
            job.set.params = params;
            job.report.bytes_in += bytes.len() as u64;
        }
    }
    // Census staging: the set's own staging for one job (reads follow the census), one
    // shared buffer with a 64-byte row per set for a batch.
    let (read_offs, single_total) = match jobs.first() {
        Some(j) if !batch => read_layout(engine::CENSUS_BYTES, j.reads),
        _ => (Vec::new(), engine::CENSUS_BYTES),
    };
    let read_bytes = single_total - engine::CENSUS_BYTES;
    let speculate = !batch
        && jobs.first().is_some_and(|j| !j.reads.is_empty())
        && read_bytes <= SPECULATE_BYTES;
    let staging = if batch {
        state.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("vyre batch census"),
            size: engine::CENSUS_BYTES * jobs.len() as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    } else {
        let size = if speculate {
            single_total
        } else {
            engine::CENSUS_BYTES
        };
        match jobs.first_mut() {
            Some(j) => j.set.staging(size).clone(),
            None => return Ok(()),
        }
    };
    let mut wave = 0u32;
    loop {
        let active: Vec<usize> = (0..jobs.len()).filter(|&i| !jobs[i].finished).collect();
        if active.is_empty() {
            break;
        }
        wave += 1;
        let mut encoder = state
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("vyre wave"),
            });
        if wave == 1 {
            let sets: Vec<&GpuSet> = jobs.iter().map(|j| &*j.set).collect();
            uploads.encode(&mut encoder, &sets);
        }
        for &i in &active {
            encoder.clear_buffer(&jobs[i].set.engine, 0, Some(engine::CLEAR_BYTES));
        }
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("vyre wave"),
                timestamp_writes: None,
            });
            for &i in &active {
                let set = &jobs[i].set;
                pass.set_pipeline(&pipe.pipeline);
                pass.set_bind_group(0, &set.bind_abi, &[]);
                pass.set_bind_group(1, &set.bind_engine, &[]);
                pass.dispatch_workgroups(groups_for(mk, opts, set.slots(), max_groups), 1, 1);
                for (epilogue, per_slots) in &pipe.epilogues {
                    let groups = if *per_slots {
                        set.slots().div_ceil(mk.workgroup_size_x()).min(max_groups)
                    } else {
                        1
                    };
                    pass.set_pipeline(epilogue);
                    pass.dispatch_workgroups(groups.max(1), 1, 1);
                }
            }
        }
        for &i in &active {
            let at = if batch {
                i as u64 * engine::CENSUS_BYTES
            } else {
                0
            };
            encoder.copy_buffer_to_buffer(
                &jobs[i].set.engine,
                0,
                &staging,
                at,
                engine::CENSUS_BYTES,
            );
        }
        let map_len = if batch {
            engine::CENSUS_BYTES * jobs.len() as u64
        } else if speculate {
            let j = &mut jobs[0];
            encode_reads(&mut encoder, j.set, &staging, j.reads, &read_offs);
            j.speculated_wave = wave;
            single_total
        } else {
            engine::CENSUS_BYTES
        };
        let idx = submit(state, encoder)?;
        map_and_wait(state, &staging, map_len, idx)?;
        {
            let view = staging
                .slice(0..map_len)
                .get_mapped_range()
                .map_err(|e| Error::new(Status::Gpu, e.to_string()))?;
            let elapsed = start.elapsed();
            let limit =
                elapsed >= opts.max_wall_time || (opts.max_waves != 0 && wave >= opts.max_waves);
            for &i in &active {
                let at = if batch {
                    i * engine::CENSUS_WORDS * 4
                } else {
                    0
                };
                let c = Census::decode(&view[at..at + engine::CENSUS_BYTES as usize]);
                let job = &mut jobs[i];
                let slots = job.set.slots();
                let r = &mut job.report;
                r.waves += 1;
                r.kernel_launches += 1;
                r.sync_points += 1;
                r.bytes_out += engine::CENSUS_BYTES;
                r.done += c.done as u64;
                r.faulted += c.faulted as u64;
                r.claims += c.claims as u64;
                r.claimable = c.claimable as u64;
                r.waiting_io = c.waiting as u64;
                r.denied = c.denied as u64;
                r.unvisited = slots.saturating_sub(c.ticket) as u64;
                if c.shutdown {
                    r.stop = StopReason::Shutdown;
                    job.finished = true;
                } else if r.claimable == 0 && r.unvisited == 0 {
                    r.stop = StopReason::Complete;
                    job.finished = true;
                } else if limit {
                    r.stop = StopReason::TimeLimit;
                    job.finished = true;
                }
                if job.finished && job.speculated_wave == wave {
                    decode_reads(&view, job.reads, &read_offs, &mut job.out);
                    job.read_done = true;
                    job.report.bytes_out += read_bytes;
                }
            }
        }
        staging.unmap();
    }
    // Reads that did not ride along with the last wave.
    if let Some(job) = jobs
        .first_mut()
        .filter(|j| !batch && !j.reads.is_empty() && !j.read_done)
    {
        read_ranges(state, job.set, job.reads, &Uploads::default(), &mut job.out)?;
        job.read_done = true;
        job.report.sync_points += 1;
        job.report.bytes_out += read_bytes;
    }
    Ok(())
}
