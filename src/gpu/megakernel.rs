//! The megakernel: one generated interpreter kernel (built-in opcodes + custom opcodes,
//! or one fused payload) compiled into one compute pipeline per device generation, and
//! the plain dispatch path on caller-owned buffers.
//!
//! A `Megakernel` is immutable after creation and safe to share between threads; plain
//! dispatches from several threads use separate pooled GPU buffer sets.

use super::device::{Device, DeviceState};
use super::kernel::{self, CustomOpcode, Epilogue, ExtraKind, FusedPayload, KernelSpec};
use super::pipeline::{self, CompiledPipeline};
use super::recovery::with_recovery;
use super::resident::{buffer, check_sizes, GpuSet};
use super::stats::{DispatchOptions, DispatchReport};
use super::waves::{self, Job, ReadSpec, Uploads};
use crate::error::{Error, Result};
use crate::protocol::abi::{DEFAULT_IO_SLOTS, IO_SLOT_WORDS};
use std::sync::{Arc, Mutex};

/// Default bootstrap geometry: 256 slots, 256 lanes per workgroup, 1 workgroup.
pub const DEFAULT_SLOT_COUNT: u32 = 256;
pub const DEFAULT_WORKGROUP_SIZE_X: u32 = 256;
/// Cap of the default worker-group count (SPEC: max dispatch workgroups).
pub const MAX_DEFAULT_WORKER_GROUPS: u32 = 1024;
/// Most extra buffers a megakernel may declare (bindings 4..4+N), whatever the adapter.
pub const MAX_EXTRA_BUFFERS: usize = 24;
/// Pooled GPU buffer sets kept per megakernel for plain dispatches.
const SCRATCH_POOL: usize = 16;

/// How to build a megakernel. `Default` = bootstrap (256 slots x 1 workgroup of 256).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MegakernelDesc {
    /// Ring slots the kernel is sharded for (the default ring size of its resident sets).
    pub slot_count: u32,
    /// Lanes per workgroup.
    pub workgroup_size_x: u32,
    /// Workgroups per wave (0 = ceil(slot_count / workgroup_size_x), at most 1024).
    pub worker_groups: u32,
    /// Custom opcodes spliced into the interpreter switch.
    pub opcodes: Vec<CustomOpcode>,
    /// Extra buffers `user0..` at bindings 4.. of every set.
    pub extra_buffers: Vec<ExtraKind>,
    /// Fused payload replacing the opcode switch (no custom opcodes then).
    pub fused: Option<FusedPayload>,
    /// Crate-internal per-workgroup hook (see [`KernelSpec::workgroup_hook`]).
    pub workgroup_hook: Option<String>,
    /// Crate-internal entry points run after each wave (see [`KernelSpec::epilogues`]).
    pub epilogues: Vec<Epilogue>,
}

impl Default for MegakernelDesc {
    fn default() -> Self {
        MegakernelDesc {
            slot_count: DEFAULT_SLOT_COUNT,
            workgroup_size_x: DEFAULT_WORKGROUP_SIZE_X,
            worker_groups: 0,
            opcodes: Vec::new(),
            extra_buffers: Vec::new(),
            fused: None,
            workgroup_hook: None,
            epilogues: Vec::new(),
        }
    }
}

struct MkShared {
    device: Device,
    desc: MegakernelDesc,
    source: String,
    hash: u64,
    id: String,
    worker_groups: u32,
    scratch: Mutex<Vec<GpuSet>>,
}

/// A compiled megakernel. Cheap to clone; safe to share between threads.
#[derive(Clone)]
pub struct Megakernel {
    shared: Arc<MkShared>,
}

/// Caller-owned buffers of a plain dispatch: uploaded, run, read back in place.
pub struct HostBuffers<'a> {
    pub control: &'a mut [u8],
    pub ring: &'a mut [u8],
    pub debug_log: &'a mut [u8],
    /// `None`: an internal, zeroed io queue of 64 slots (LOAD_MISS requests then wait).
    pub io_queue: Option<&'a mut [u8]>,
    /// One per extra buffer of the megakernel; read-only ones are not read back.
    pub extras: Vec<&'a mut [u8]>,
}

impl Megakernel {
    /// Workgroups needed to cover `slot_count` slots with `workgroup_size_x` lanes.
    pub fn worker_groups_for_geometry(slot_count: u32, workgroup_size_x: u32) -> Result<u32> {
        if slot_count == 0 || workgroup_size_x == 0 {
            return Err(Error::invalid(format!(
                "geometry {slot_count} slots x {workgroup_size_x} lanes is empty; both must be at least 1"
            )));
        }
        // SPEC 2 dispatch_grid_for with no worker cap: ceil(slots / wg), at most 1024.
        let grid = crate::policy::sizing::dispatch_grid_for(u32::MAX, slot_count, workgroup_size_x);
        debug_assert!(grid[0] <= MAX_DEFAULT_WORKER_GROUPS);
        Ok(grid[0])
    }

    /// Default bootstrap: 256 slots x 1 workgroup of 256 lanes, built-in opcodes only.
    pub fn bootstrap(device: &Device) -> Result<Megakernel> {
        Self::new(device, &MegakernelDesc::default())
    }

    /// Default geometry with custom opcodes.
    pub fn bootstrap_with_opcodes(
        device: &Device,
        opcodes: Vec<CustomOpcode>,
    ) -> Result<Megakernel> {
        Self::new(
            device,
            &MegakernelDesc {
                opcodes,
                ..Default::default()
            },
        )
    }

    /// Explicit geometry and custom opcodes.
    pub fn bootstrap_sharded(
        device: &Device,
        slot_count: u32,
        workgroup_size_x: u32,
        opcodes: Vec<CustomOpcode>,
    ) -> Result<Megakernel> {
        Self::new(
            device,
            &MegakernelDesc {
                slot_count,
                workgroup_size_x,
                opcodes,
                ..Default::default()
            },
        )
    }

    /// Fused variant: `payload` runs for every claimed slot instead of the opcode switch.
    pub fn bootstrap_fused(
        device: &Device,
        slot_count: u32,
        workgroup_size_x: u32,
        payload: FusedPayload,
    ) -> Result<Megakernel> {
        Self::new(
            device,
            &MegakernelDesc {
                slot_count,
                workgroup_size_x,
                fused: Some(payload),
                ..Default::default()
            },
        )
    }

    /// Build from a full description; custom opcode ids must be user opcodes.
    pub fn new(device: &Device, desc: &MegakernelDesc) -> Result<Megakernel> {
        Self::build(device, desc, false)
    }

    /// Crate-internal constructor that may also register the built-in scanner opcodes
    /// 0xFFF0..=0xFFFC (the scan layer uses it for DFA_SCAN).
    #[allow(dead_code)] // until the scan layer (DFA_SCAN) is merged
    pub(crate) fn new_internal(device: &Device, desc: &MegakernelDesc) -> Result<Megakernel> {
        Self::build(device, desc, true)
    }

    fn build(device: &Device, desc: &MegakernelDesc, internal: bool) -> Result<Megakernel> {
        let limits = device.limits();
        let max_x = limits
            .max_compute_workgroup_size_x
            .min(limits.max_compute_invocations_per_workgroup);
        if desc.workgroup_size_x == 0 || desc.workgroup_size_x > max_x {
            return Err(Error::invalid(format!(
                "workgroup_size_x {} is not in 1..={max_x} (this adapter's limit)",
                desc.workgroup_size_x
            )));
        }
        let mut worker_groups =
            Self::worker_groups_for_geometry(desc.slot_count, desc.workgroup_size_x)?;
        if desc.worker_groups != 0 {
            worker_groups = desc.worker_groups;
        }
        if worker_groups > limits.max_compute_workgroups_per_dimension {
            return Err(Error::invalid(format!(
                "worker_groups {worker_groups} is over this adapter's limit of {}",
                limits.max_compute_workgroups_per_dimension
            )));
        }
        // 4 ABI buffers + engine state + extras must fit the per-stage storage limit.
        // Some drivers report (nearly) unlimited storage buffers; vyre caps extras anyway.
        let max_extra = (limits.max_storage_buffers_per_shader_stage as usize)
            .saturating_sub(5)
            .min(MAX_EXTRA_BUFFERS);
        if desc.extra_buffers.len() > max_extra {
            return Err(Error::invalid(format!(
                "{} extra buffers requested; this adapter allows {max_extra} (storage buffers per stage {} minus 5 used by vyre)",
                desc.extra_buffers.len(),
                limits.max_storage_buffers_per_shader_stage
            )));
        }
        let spec = KernelSpec {
            workgroup_size_x: desc.workgroup_size_x,
            opcodes: desc.opcodes.clone(),
            extra_buffers: desc.extra_buffers.clone(),
            fused: desc.fused.clone(),
            workgroup_hook: desc.workgroup_hook.clone(),
            epilogues: desc.epilogues.clone(),
        };
        kernel::check_spec(&spec, internal)?;
        let source = kernel::generate(&spec);
        kernel::validate(&spec, &source)?;
        let hash = kernel::source_hash(&source);
        let mk = Megakernel {
            shared: Arc::new(MkShared {
                device: device.clone(),
                desc: desc.clone(),
                source,
                hash,
                id: format!("vyre-megakernel-{hash:016x}"),
                worker_groups,
                scratch: Mutex::new(Vec::new()),
            }),
        };
        // Compile now so pipeline errors surface at creation (cached by source hash).
        let mut recovered = 0;
        with_recovery(device, 1, &mut recovered, |state| {
            mk.pipeline(state).map(|_| ())
        })?;
        Ok(mk)
    }

    pub fn device(&self) -> &Device {
        &self.shared.device
    }
    pub fn slot_count(&self) -> u32 {
        self.shared.desc.slot_count
    }
    pub fn workgroup_size_x(&self) -> u32 {
        self.shared.desc.workgroup_size_x
    }
    /// Workgroups per wave (raised per dispatch when a ring needs more to be fully visited).
    pub fn worker_groups(&self) -> u32 {
        self.shared.worker_groups
    }
    /// Stable id of the compiled pipeline (hash of the generated source).
    pub fn pipeline_id(&self) -> &str {
        &self.shared.id
    }
    pub fn extra_buffers(&self) -> &[ExtraKind] {
        &self.shared.desc.extra_buffers
    }
    pub fn desc(&self) -> &MegakernelDesc {
        &self.shared.desc
    }
    /// The generated WGSL.
    pub fn source(&self) -> &str {
        &self.shared.source
    }

    pub(crate) fn same(&self, other: &Megakernel) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// The pipeline on this device generation (compiled once, cached by source hash).
    pub(crate) fn pipeline(&self, state: &DeviceState) -> Result<Arc<CompiledPipeline>> {
        pipeline::get_or_compile(
            state,
            &self.shared.source,
            self.shared.hash,
            &self.shared.desc.extra_buffers,
            &self.shared.desc.epilogues,
        )
    }

    fn take_scratch(
        &self,
        state: &Arc<DeviceState>,
        pipe: &CompiledPipeline,
        sizes: &[u64],
    ) -> Result<GpuSet> {
        {
            let mut pool = self
                .shared
                .scratch
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            pool.retain(|s| s.generation == state.generation);
            if let Some(i) = pool.iter().position(|s| s.sizes == sizes) {
                return Ok(pool.swap_remove(i));
            }
        }
        GpuSet::new(state, pipe, sizes)
    }

    fn put_scratch(&self, set: GpuSet) {
        let mut pool = self
            .shared
            .scratch
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if pool.len() < SCRATCH_POOL {
            pool.push(set);
        }
    }

    /// Plain dispatch on caller-owned buffers: upload them, run waves until no claimable
    /// slot remains (or a limit), read every writable buffer back in place. On failure
    /// the caller's buffers are unchanged.
    pub fn dispatch(
        &self,
        bufs: &mut HostBuffers<'_>,
        opts: &DispatchOptions,
    ) -> Result<DispatchReport> {
        opts.validate()?;
        let start = std::time::Instant::now();
        let io_len = match &bufs.io_queue {
            Some(q) => q.len() as u64,
            None => DEFAULT_IO_SLOTS as u64 * IO_SLOT_WORDS as u64 * 4,
        };
        let mut sizes = vec![
            bufs.control.len() as u64,
            bufs.ring.len() as u64,
            bufs.debug_log.len() as u64,
            io_len,
        ];
        sizes.extend(bufs.extras.iter().map(|e| e.len() as u64));
        check_sizes(&sizes, self.extra_buffers(), &self.device().limits())?;
        let mut reads: Vec<ReadSpec> = Vec::new();
        for (i, &len) in sizes.iter().enumerate() {
            let writable = match i {
                buffer::IO_QUEUE => bufs.io_queue.is_some(),
                i if i >= buffer::EXTRA => !self.extra_buffers()[i - buffer::EXTRA].is_read_only(),
                _ => true,
            };
            if writable {
                reads.push(ReadSpec {
                    buffer: i,
                    offset: 0,
                    len,
                });
            }
        }
        let zero_io = vec![
            0u8;
            if bufs.io_queue.is_none() {
                io_len as usize
            } else {
                0
            }
        ];
        let mut recovered = 0;
        let (mut report, outs) = with_recovery(
            self.device(),
            opts.recovery_attempts,
            &mut recovered,
            |state| {
                let pipe = self.pipeline(state)?;
                let mut set = self.take_scratch(state, &pipe, &sizes)?;
                let uploads = {
                    let io: &[u8] = match &bufs.io_queue {
                        Some(q) => q,
                        None => &zero_io,
                    };
                    let mut parts: Vec<(usize, usize, u64, &[u8])> = vec![
                        (0, 0, 0, &*bufs.control),
                        (0, 1, 0, &*bufs.ring),
                        (0, 2, 0, &*bufs.debug_log),
                        (0, 3, 0, io),
                    ];
                    parts.extend(
                        bufs.extras
                            .iter()
                            .enumerate()
                            .map(|(i, e)| (0, buffer::EXTRA + i, 0, &**e)),
                    );
                    Uploads::stage(state, &parts)?
                };
                let (report, out) = {
                    let mut jobs = [Job::new(&mut set, &reads)];
                    waves::run(state, &pipe, self, &mut jobs, opts, &uploads)?;
                    let [job] = jobs;
                    (job.report, job.out)
                };
                let bytes_in = uploads.bytes;
                self.put_scratch(set);
                let mut report = report;
                report.bytes_in += bytes_in;
                Ok((report, out))
            },
        )?;
        for (spec, data) in reads.iter().zip(outs) {
            let dst: &mut [u8] = match spec.buffer {
                buffer::CONTROL => bufs.control,
                buffer::RING => bufs.ring,
                buffer::DEBUG_LOG => bufs.debug_log,
                buffer::IO_QUEUE => match bufs.io_queue.as_deref_mut() {
                    Some(q) => q,
                    None => continue,
                },
                i => &mut *bufs.extras[i - buffer::EXTRA],
            };
            dst.copy_from_slice(&data);
        }
        report.recovered = recovered;
        report.latency = start.elapsed();
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::{DeviceOptions, ResidentDesc, ResidentSet};
    use crate::protocol::{self, abi::op};

    /// The crate-internal path registers the reserved scanner range (DFA_SCAN = 0xFFF0);
    /// the public one refuses it.
    #[test]
    fn internal_registration_takes_the_scanner_range() {
        let _one = crate::gpu::device::GPU_TEST_LOCK
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let dev = Device::new(&DeviceOptions::default()).unwrap();
        let scan = CustomOpcode {
            opcode: op::DFA_SCAN,
            name: "scan_stub".into(),
            wgsl: "fn scan_stub(slot: u32) -> u32 { atomicAdd(&user0[0], vyre_arg(0u)); return VYRE_DONE; }".into(),
        };
        let desc = MegakernelDesc {
            opcodes: vec![scan],
            extra_buffers: vec![ExtraKind::Atomic],
            ..Default::default()
        };
        assert_eq!(
            Megakernel::new(&dev, &desc).err().unwrap().status,
            crate::Status::InvalidArgument
        );
        let mk = Megakernel::new_internal(&dev, &desc).unwrap();
        let set = ResidentSet::new(
            &mk,
            &ResidentDesc {
                extra_sizes: vec![16],
                ..Default::default()
            },
        )
        .unwrap();
        set.write(
            crate::gpu::buffer::CONTROL,
            0,
            &protocol::encode_control(false, 1, 64, 256).unwrap(),
        )
        .unwrap();
        let mut ring = protocol::encode_empty_ring(256).unwrap();
        for i in 0..10 {
            protocol::publish_slot(&mut ring, i, 0, op::DFA_SCAN, &[i + 1]).unwrap();
        }
        set.write(crate::gpu::buffer::RING, 0, &ring).unwrap();
        assert_eq!(set.dispatch(&DispatchOptions::default()).unwrap().done, 10);
        let mut w = [0u8; 4];
        set.read(crate::gpu::buffer::EXTRA, 0, &mut w).unwrap();
        assert_eq!(u32::from_le_bytes(w), 55);
    }
}
