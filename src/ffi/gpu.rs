//! C ABI of the GPU engine: devices, megakernels, dispatch on caller buffers, resident
//! sets, batches and the device-loss test hook.
//!
//! Thread safety: `vyre_device`, `vyre_megakernel` and `vyre_resident` handles may be
//! used from any number of threads at once (calls on one resident set serialise on an
//! internal lock). Caller-owned buffers passed to a call must not be touched by other
//! threads during that call.

use super::core::{
    boundary, guarded, obj_ref, require_out, slice_mut, slice_ref, write_out, Poison,
};
use super::core::{destroy_boxed, vyre_error, vyre_status, with_handle, Handle};
use super::protocol::vyre_debug_record;
use crate::error::{Error, Result};
use crate::gpu::{
    self, CustomOpcode, DispatchOptions, DispatchReport, ExtraKind, FusedPayload, StopReason,
};
use crate::protocol;
use std::ffi::{c_char, CStr};
use std::time::Duration;

// ---------------------------------------------------------------------------------------
// Constants.
// ---------------------------------------------------------------------------------------

/// `vyre_adapter_info.backend`: Vulkan (lavapipe, NVIDIA, AMD, Intel on Linux).
pub const VYRE_BACKEND_VULKAN: u32 = 1;
/// `vyre_adapter_info.backend`: Metal.
pub const VYRE_BACKEND_METAL: u32 = 2;
/// `vyre_adapter_info.backend`: Direct3D 12.
pub const VYRE_BACKEND_DX12: u32 = 3;
/// `vyre_adapter_info.backend`: OpenGL.
pub const VYRE_BACKEND_GL: u32 = 4;
/// `vyre_adapter_info.backend`: browser WebGPU.
pub const VYRE_BACKEND_BROWSER_WEBGPU: u32 = 5;
/// `vyre_adapter_info.backend`: no-op backend.
pub const VYRE_BACKEND_NOOP: u32 = 6;

/// `vyre_adapter_info.device_type`: discrete GPU (preferred by default).
pub const VYRE_DEVICE_TYPE_DISCRETE: u32 = 1;
/// `vyre_adapter_info.device_type`: integrated GPU.
pub const VYRE_DEVICE_TYPE_INTEGRATED: u32 = 2;
/// `vyre_adapter_info.device_type`: virtual GPU.
pub const VYRE_DEVICE_TYPE_VIRTUAL: u32 = 3;
/// `vyre_adapter_info.device_type`: CPU implementation (lavapipe / llvmpipe).
pub const VYRE_DEVICE_TYPE_CPU: u32 = 4;
/// `vyre_adapter_info.device_type`: other.
pub const VYRE_DEVICE_TYPE_OTHER: u32 = 5;

/// Resident buffer id: control block.
pub const VYRE_BUFFER_CONTROL: u32 = 0;
/// Resident buffer id: ring.
pub const VYRE_BUFFER_RING: u32 = 1;
/// Resident buffer id: debug log.
pub const VYRE_BUFFER_DEBUG_LOG: u32 = 2;
/// Resident buffer id: io queue.
pub const VYRE_BUFFER_IO_QUEUE: u32 = 3;
/// Resident buffer id of extra buffer 0; extra buffer i is `VYRE_BUFFER_EXTRA + i`.
pub const VYRE_BUFFER_EXTRA: u32 = 4;

/// Extra buffer kind: `var<storage, read_write> userN: array<u32>`.
pub const VYRE_EXTRA_READ_WRITE: u32 = 0;
/// Extra buffer kind: `var<storage, read> userN: array<u32>` (never read back).
pub const VYRE_EXTRA_READ_ONLY: u32 = 1;
/// Extra buffer kind: `var<storage, read_write> userN: array<atomic<u32>>`.
pub const VYRE_EXTRA_ATOMIC: u32 = 2;

/// `vyre_dispatch_stats.stop`: no claimable slot remains.
pub const VYRE_STOP_COMPLETE: u32 = 0;
/// `vyre_dispatch_stats.stop`: the SHUTDOWN word was set; workers stopped claiming.
pub const VYRE_STOP_SHUTDOWN: u32 = 1;
/// `vyre_dispatch_stats.stop`: max_wall_time or max_waves ended the dispatch (drained).
pub const VYRE_STOP_TIME_LIMIT: u32 = 2;

/// `vyre_dispatch_options.flags`: never rebuild a lost device; fail with DEVICE_LOST.
pub const VYRE_DISPATCH_NO_RECOVERY: u32 = 1;
/// `vyre_resident_options.flags`: read every writable buffer back into the host mirror
/// after each dispatch, so a device-loss recovery replays only the interrupted dispatch.
pub const VYRE_RESIDENT_SYNC_MIRROR: u32 = 1;

/// Bootstrap ring slots (`vyre_megakernel_bootstrap`).
pub const VYRE_MEGAKERNEL_DEFAULT_SLOT_COUNT: u32 = 256;
/// Bootstrap lanes per workgroup.
pub const VYRE_MEGAKERNEL_DEFAULT_WORKGROUP_SIZE_X: u32 = 256;
/// Default lane work budget per wave (loop iterations of long opcodes).
pub const VYRE_DISPATCH_DEFAULT_WORK_BUDGET: u32 = 32768;
/// Largest lane work budget per wave.
pub const VYRE_DISPATCH_MAX_WORK_BUDGET: u32 = 40960;

const _: () = {
    assert!(
        VYRE_BUFFER_EXTRA as usize == gpu::buffer::EXTRA
            && VYRE_BUFFER_RING as usize == gpu::buffer::RING
    );
    assert!(VYRE_BUFFER_DEBUG_LOG as usize == gpu::buffer::DEBUG_LOG);
    assert!(VYRE_BUFFER_IO_QUEUE as usize == gpu::buffer::IO_QUEUE);
    assert!(VYRE_BUFFER_CONTROL as usize == gpu::buffer::CONTROL);
    assert!(
        VYRE_EXTRA_READ_ONLY == ExtraKind::ReadOnly as u32
            && VYRE_EXTRA_ATOMIC == ExtraKind::Atomic as u32
    );
    assert!(VYRE_EXTRA_READ_WRITE == ExtraKind::ReadWrite as u32);
    assert!(VYRE_DEVICE_TYPE_CPU == gpu::DeviceKind::Cpu as u32);
    assert!(VYRE_DEVICE_TYPE_DISCRETE == gpu::DeviceKind::Discrete as u32);
    assert!(VYRE_MEGAKERNEL_DEFAULT_SLOT_COUNT == gpu::megakernel::DEFAULT_SLOT_COUNT);
    assert!(VYRE_MEGAKERNEL_DEFAULT_WORKGROUP_SIZE_X == gpu::megakernel::DEFAULT_WORKGROUP_SIZE_X);
    assert!(VYRE_DISPATCH_DEFAULT_WORK_BUDGET == gpu::stats::DEFAULT_WORK_BUDGET);
    assert!(VYRE_DISPATCH_MAX_WORK_BUDGET == gpu::stats::MAX_WORK_BUDGET);
};

// ---------------------------------------------------------------------------------------
// Plain structs.
// ---------------------------------------------------------------------------------------

/// Options of `vyre_device_create`. A zeroed struct (or NULL) means defaults.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vyre_device_options {
    /// Adapter selector (NUL-terminated, may be NULL): comma-separated terms that must
    /// all match, case-insensitive: `name:TEXT`, `backend:vulkan`,
    /// `type:discrete|integrated|virtual|cpu|other`, or a bare word matching any of them
    /// (e.g. "llvmpipe", "cpu", "H200"). NULL uses the `VYRE_ADAPTER` environment
    /// variable, else picks the most capable adapter (discrete > integrated > virtual > CPU).
    pub adapter: *const c_char,
    /// Reserved, must be 0.
    pub flags: u32,
    /// Reserved, must be 0.
    pub reserved: u32,
}

/// What an adapter is and the limits vyre requests from it.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vyre_adapter_info {
    /// Adapter name, NUL-terminated (truncated to fit).
    pub name: [c_char; 256],
    /// Driver name, NUL-terminated.
    pub driver: [c_char; 128],
    /// Driver version information, NUL-terminated.
    pub driver_info: [c_char; 128],
    /// `VYRE_BACKEND_*`.
    pub backend: u32,
    /// `VYRE_DEVICE_TYPE_*`.
    pub device_type: u32,
    /// PCI vendor id (backend-specific).
    pub vendor_id: u32,
    /// PCI device id (backend-specific).
    pub device_id: u32,
    /// Largest storage-buffer binding in bytes (caps each ABI/extra buffer).
    pub max_storage_buffer_binding_size: u64,
    /// Largest buffer in bytes.
    pub max_buffer_size: u64,
    /// Storage buffers per shader stage (vyre uses 5 + extra buffers).
    pub max_storage_buffers_per_shader_stage: u32,
    /// Largest `workgroup_size_x`.
    pub max_compute_workgroup_size_x: u32,
    /// Largest invocations per workgroup.
    pub max_compute_invocations_per_workgroup: u32,
    /// Largest workgroup count per dispatch dimension.
    pub max_compute_workgroups_per_dimension: u32,
    /// Workgroup memory in bytes.
    pub max_compute_workgroup_storage_size: u32,
    /// Padding, always 0.
    pub reserved: u32,
}

/// One custom opcode: WGSL source defining `fn <name>(slot: u32) -> u32`, selected by
/// slots whose opcode word is `opcode` (a user opcode: 8..=0xFFEF or 0x10000..=0x7FFFFFFF).
/// See the README section "Running work on the GPU" for the helpers the source may use.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vyre_custom_opcode {
    /// Opcode id.
    pub opcode: u32,
    /// Reserved, must be 0.
    pub reserved: u32,
    /// Function name (NUL-terminated WGSL identifier).
    pub name: *const c_char,
    /// WGSL source (NUL-terminated) defining the function and any helpers it needs.
    pub wgsl: *const c_char,
}

/// Options of `vyre_megakernel_create`. A zeroed struct means the bootstrap kernel
/// (256 slots x 1 workgroup of 256 lanes, built-in opcodes only).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vyre_megakernel_options {
    /// Custom opcodes (`opcode_count` entries; may be NULL when 0).
    pub opcodes: *const vyre_custom_opcode,
    /// Number of custom opcodes.
    pub opcode_count: usize,
    /// `VYRE_EXTRA_*` kind of each extra buffer (`extra_buffer_count` entries).
    pub extra_buffer_kinds: *const u32,
    /// Number of extra buffers (bound at bindings 4.., named user0.. in WGSL).
    pub extra_buffer_count: usize,
    /// Fused payload function name; non-NULL selects the fused variant (no custom opcodes).
    pub fused_name: *const c_char,
    /// Fused payload WGSL source (required with `fused_name`).
    pub fused_wgsl: *const c_char,
    /// Ring slots (default ring size of resident sets); 0 = 256.
    pub slot_count: u32,
    /// Lanes per workgroup; 0 = 256.
    pub workgroup_size_x: u32,
    /// Workgroups per wave; 0 = ceil(slot_count / workgroup_size_x), at most 1024.
    pub worker_groups: u32,
    /// Reserved, must be 0.
    pub reserved: u32,
}

/// Options of a dispatch. A zeroed struct (or NULL) means defaults.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct vyre_dispatch_options {
    /// Stop starting waves after this many microseconds, then drain; 0 = 60 s.
    pub max_wall_time_us: u64,
    /// Stop after this many waves; 0 = no limit.
    pub max_waves: u32,
    /// Lane work budget per wave; 0 = `VYRE_DISPATCH_DEFAULT_WORK_BUDGET`, at most
    /// `VYRE_DISPATCH_MAX_WORK_BUDGET`.
    pub work_budget: u32,
    /// Workgroups per wave; 0 = the megakernel's worker_groups (raised when a ring needs
    /// more to be visited in one wave).
    pub worker_groups: u32,
    /// Device-loss recoveries allowed in this call; 0 = 1.
    pub recovery_attempts: u32,
    /// `VYRE_DISPATCH_*` flags.
    pub flags: u32,
    /// Reserved, must be 0.
    pub reserved: u32,
}

/// What a dispatch did. Slot counts refer to this call.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_dispatch_stats {
    /// Bytes uploaded to the GPU.
    pub bytes_in: u64,
    /// Bytes read back from the GPU.
    pub bytes_out: u64,
    /// Wall time of the call in nanoseconds.
    pub latency_ns: u64,
    /// Slots that reached DONE.
    pub done: u64,
    /// Slots that reached FAULT.
    pub faulted: u64,
    /// Claims (resumed YIELD/REQUEUE/WAIT_IO slots count again).
    pub claims: u64,
    /// Slots left unfinished: claimable + waiting_io + denied + unvisited.
    pub remaining: u64,
    /// PUBLISHED/YIELD/REQUEUE slots left (drained at a time limit or on shutdown).
    pub claimable: u64,
    /// WAIT_IO slots left: complete their io requests and dispatch again.
    pub waiting_io: u64,
    /// Claimable slots whose tenant is not allowed (left untouched).
    pub denied: u64,
    /// Slots not visited by the last wave (only when a limit stopped it).
    pub unvisited: u64,
    /// Waves run.
    pub waves: u32,
    /// Compute dispatches recorded.
    pub kernel_launches: u32,
    /// Host waits for the GPU.
    pub sync_points: u32,
    /// Device-loss recoveries performed (device, pipelines and buffers rebuilt).
    pub recovered: u32,
    /// `VYRE_STOP_*`.
    pub stop: u32,
    /// Padding, always 0.
    pub reserved: u32,
}

/// A caller-owned byte buffer.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vyre_buffer {
    /// Start of the buffer (may be NULL only when `len` is 0).
    pub data: *mut u8,
    /// Length in bytes.
    pub len: usize,
}

/// Caller-owned buffers of `vyre_megakernel_dispatch_ex`: uploaded, run, read back in
/// place (read-only extra buffers are not read back).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vyre_dispatch_buffers {
    /// Control block: (160 + observable) words.
    pub control: vyre_buffer,
    /// Ring: slot_count x 64 bytes.
    pub ring: vyre_buffer,
    /// Debug log: (1 + 4 x records) words.
    pub debug_log: vyre_buffer,
    /// Io queue (8-word slots); `data` NULL = an internal zeroed 64-slot queue.
    pub io_queue: vyre_buffer,
    /// One buffer per extra buffer of the megakernel (may be NULL when 0).
    pub extras: *const vyre_buffer,
    /// Number of extra buffers.
    pub extra_count: usize,
}

/// Options of `vyre_resident_create`. A zeroed struct (or NULL) means defaults.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vyre_resident_options {
    /// Byte size of each extra buffer (one per extra buffer of the megakernel).
    pub extra_sizes: *const u64,
    /// Number of entries in `extra_sizes`.
    pub extra_count: usize,
    /// Ring slots; 0 = the megakernel's slot_count.
    pub slot_count: u32,
    /// Observable words after the 160 control words; 0 = 64.
    pub observable_words: u32,
    /// Debug-log records; 0 = 64.
    pub debug_records: u32,
    /// Io-queue slots; 0 = 64.
    pub io_slots: u32,
    /// `VYRE_RESIDENT_*` flags.
    pub flags: u32,
    /// Reserved, must be 0.
    pub reserved: u32,
}

/// A range to read back during `vyre_resident_dispatch_read`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vyre_read_range {
    /// `VYRE_BUFFER_*` id.
    pub buffer: u32,
    /// Reserved, must be 0.
    pub reserved: u32,
    /// Byte offset in the buffer.
    pub offset: usize,
    /// Destination (caller-owned, `len` bytes).
    pub dst: *mut u8,
    /// Bytes to read.
    pub len: usize,
}

/// Decoded results of `vyre_megakernel_dispatch_readback`. The caller sets the storage
/// fields (`observables`/`observable_capacity`, `records`/`record_capacity`; NULL skips
/// them); everything else is written by the call.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vyre_readback {
    /// Control word DONE_COUNT.
    pub done_count: u32,
    /// Control word EPOCH (BATCH_FENCEs executed).
    pub epoch: u32,
    /// Control word FAULT_COUNT.
    pub fault_count: u32,
    /// Non-zero when the SHUTDOWN word is set.
    pub shutdown: u32,
    /// Control word STARVATION.
    pub starvation: u32,
    /// PRINTF records dropped because the debug log was full.
    pub dropped_records: u32,
    /// Executions per opcode (opcodes < 32).
    pub metrics: [u32; 32],
    /// Claims per tenant (t mod 32), control words 64..95.
    pub tenant_claims: [u32; 32],
    /// Claims per priority level (CRITICAL..IDLE).
    pub priority_claims: [u32; 5],
    /// Padding, always 0.
    pub reserved: u32,
    /// In: caller array for the observable words (control words 160..), or NULL.
    pub observables: *mut u32,
    /// In: entries in `observables`; must hold every observable word of the control block.
    pub observable_capacity: usize,
    /// Out: observable words in the control block (copied when `observables` is set).
    pub observable_count: usize,
    /// In: caller array for the PRINTF records, or NULL.
    pub records: *mut vyre_debug_record,
    /// In: entries in `records`; must hold the debug log's record capacity.
    pub record_capacity: usize,
    /// Out: records stored in the debug log (copied when `records` is set).
    pub record_count: usize,
}

// ---------------------------------------------------------------------------------------
// Handles.
// ---------------------------------------------------------------------------------------

/// A GPU device (adapter + wgpu device, rebuilt after a loss).
///
/// Ownership: created by `vyre_device_create`, released with `vyre_device_destroy`;
/// megakernels keep their device alive internally. Thread safety: shareable.
pub struct vyre_device {
    inner: gpu::Device,
    poison: Poison,
}

/// A compiled megakernel (one interpreter kernel variant, one pipeline per device).
///
/// Ownership: created by `vyre_megakernel_*` constructors, released with
/// `vyre_megakernel_destroy`; keeps its device alive. Thread safety: shareable; any
/// number of threads may dispatch on it at once.
pub struct vyre_megakernel {
    inner: gpu::Megakernel,
    poison: Poison,
}

/// A resident buffer set (4 ABI buffers + extra buffers) kept on the GPU for one
/// megakernel, with a host mirror used to rebuild it after a device loss.
///
/// Ownership: created by `vyre_resident_create`, released with `vyre_resident_destroy`;
/// keeps its megakernel alive. Thread safety: shareable; calls on one set serialise.
pub struct vyre_resident {
    inner: gpu::ResidentSet,
    poison: Poison,
}

// ---------------------------------------------------------------------------------------
// Conversions.
// ---------------------------------------------------------------------------------------

unsafe fn c_string(ptr: *const c_char, name: &str) -> Result<String> {
    if ptr.is_null() {
        return Err(Error::null(name));
    }
    CStr::from_ptr(ptr)
        .to_str()
        .map(str::to_owned)
        .map_err(|_| Error::invalid(format!("`{name}` is not valid UTF-8")))
}

fn fill_c_string(dst: &mut [c_char], s: &str) {
    dst.fill(0);
    let n = s.len().min(dst.len() - 1);
    for (d, b) in dst.iter_mut().zip(&s.as_bytes()[..n]) {
        *d = *b as c_char;
    }
}

fn adapter_info(d: &gpu::AdapterDescription) -> vyre_adapter_info {
    let mut info = vyre_adapter_info {
        name: [0; 256],
        driver: [0; 128],
        driver_info: [0; 128],
        backend: gpu::device::backend_code(d.backend),
        device_type: d.kind as u32,
        vendor_id: d.vendor_id,
        device_id: d.device_id,
        max_storage_buffer_binding_size: d.limits.max_storage_buffer_binding_size,
        max_buffer_size: d.limits.max_buffer_size,
        max_storage_buffers_per_shader_stage: d.limits.max_storage_buffers_per_shader_stage,
        max_compute_workgroup_size_x: d.limits.max_compute_workgroup_size_x,
        max_compute_invocations_per_workgroup: d.limits.max_compute_invocations_per_workgroup,
        max_compute_workgroups_per_dimension: d.limits.max_compute_workgroups_per_dimension,
        max_compute_workgroup_storage_size: d.limits.max_compute_workgroup_storage_size,
        reserved: 0,
    };
    fill_c_string(&mut info.name, &d.name);
    fill_c_string(&mut info.driver, &d.driver);
    fill_c_string(&mut info.driver_info, &d.driver_info);
    info
}

unsafe fn dispatch_options(opts: *const vyre_dispatch_options) -> Result<DispatchOptions> {
    let Some(o) = opts.as_ref() else {
        return Ok(DispatchOptions::default());
    };
    if o.flags & !VYRE_DISPATCH_NO_RECOVERY != 0 || o.reserved != 0 {
        return Err(Error::invalid(format!(
            "unknown dispatch flags {:#x} (or non-zero reserved field); valid: VYRE_DISPATCH_NO_RECOVERY",
            o.flags
        )));
    }
    let d = DispatchOptions::default();
    let r = DispatchOptions {
        max_wall_time: if o.max_wall_time_us == 0 {
            d.max_wall_time
        } else {
            Duration::from_micros(o.max_wall_time_us)
        },
        max_waves: o.max_waves,
        work_budget: if o.work_budget == 0 {
            d.work_budget
        } else {
            o.work_budget
        },
        worker_groups: o.worker_groups,
        recovery_attempts: if o.flags & VYRE_DISPATCH_NO_RECOVERY != 0 {
            0
        } else if o.recovery_attempts == 0 {
            d.recovery_attempts
        } else {
            o.recovery_attempts
        },
    };
    r.validate()?;
    Ok(r)
}

fn stats_of(r: &DispatchReport) -> vyre_dispatch_stats {
    vyre_dispatch_stats {
        bytes_in: r.bytes_in,
        bytes_out: r.bytes_out,
        latency_ns: r.latency.as_nanos().min(u64::MAX as u128) as u64,
        done: r.done,
        faulted: r.faulted,
        claims: r.claims,
        remaining: r.remaining(),
        claimable: r.claimable,
        waiting_io: r.waiting_io,
        denied: r.denied,
        unvisited: r.unvisited,
        waves: r.waves,
        kernel_launches: r.kernel_launches,
        sync_points: r.sync_points,
        recovered: r.recovered,
        stop: match r.stop {
            StopReason::Complete => VYRE_STOP_COMPLETE,
            StopReason::Shutdown => VYRE_STOP_SHUTDOWN,
            StopReason::TimeLimit => VYRE_STOP_TIME_LIMIT,
        },
        reserved: 0,
    }
}

unsafe fn custom_opcodes(
    ptr: *const vyre_custom_opcode,
    count: usize,
) -> Result<Vec<CustomOpcode>> {
    let list = slice_ref(ptr, count, "opcodes")?;
    list.iter()
        .enumerate()
        .map(|(i, c)| {
            if c.reserved != 0 {
                return Err(Error::invalid(format!("opcodes[{i}].reserved must be 0")));
            }
            Ok(CustomOpcode {
                opcode: c.opcode,
                name: c_string(c.name, &format!("opcodes[{i}].name"))?,
                wgsl: c_string(c.wgsl, &format!("opcodes[{i}].wgsl"))?,
            })
        })
        .collect()
}

unsafe fn megakernel_desc(o: &vyre_megakernel_options) -> Result<gpu::MegakernelDesc> {
    if o.reserved != 0 {
        return Err(Error::invalid("vyre_megakernel_options.reserved must be 0"));
    }
    let d = gpu::MegakernelDesc::default();
    let kinds = slice_ref(
        o.extra_buffer_kinds,
        o.extra_buffer_count,
        "extra_buffer_kinds",
    )?;
    let extra_buffers = kinds
        .iter()
        .map(|&k| ExtraKind::from_raw(k))
        .collect::<Result<Vec<_>>>()?;
    let fused = match (o.fused_name.is_null(), o.fused_wgsl.is_null()) {
        (true, true) => None,
        _ => Some(FusedPayload {
            name: c_string(o.fused_name, "fused_name")?,
            wgsl: c_string(o.fused_wgsl, "fused_wgsl")?,
        }),
    };
    Ok(gpu::MegakernelDesc {
        slot_count: if o.slot_count == 0 {
            d.slot_count
        } else {
            o.slot_count
        },
        workgroup_size_x: if o.workgroup_size_x == 0 {
            d.workgroup_size_x
        } else {
            o.workgroup_size_x
        },
        worker_groups: o.worker_groups,
        opcodes: custom_opcodes(o.opcodes, o.opcode_count)?,
        extra_buffers,
        fused,
        workgroup_hook: None,
        epilogues: Vec::new(),
    })
}

fn buffer_id(raw: u32) -> usize {
    raw as usize
}

/// Two caller buffers must not overlap (they become separate mutable slices).
fn check_disjoint(views: &[(&str, *const u8, usize)]) -> Result<()> {
    for (i, a) in views.iter().enumerate() {
        for b in &views[i + 1..] {
            let (a0, a1) = (a.1 as usize, a.1 as usize + a.2);
            let (b0, b1) = (b.1 as usize, b.1 as usize + b.2);
            if a.2 != 0 && b.2 != 0 && a0 < b1 && b0 < a1 {
                return Err(Error::invalid(format!(
                    "buffers `{}` and `{}` overlap; pass separate buffers",
                    a.0, b.0
                )));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Devices.
// ---------------------------------------------------------------------------------------

/// List every adapter wgpu can see. Caller-owned output convention: `buf` NULL asks for
/// the count in `*out_written`; a too-small `buf` fails with INSUFFICIENT_SIZE and the
/// count needed. `len` and `*out_written` count `vyre_adapter_info` elements.
/// Thread safety: safe from any thread.
///
/// Errors: NULL_POINTER (`out_written`), INSUFFICIENT_SIZE (the count needed is reported).
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// `buf` is NULL or valid for `len` elements; `out_written` is valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_device_list_adapters(
    buf: *mut vyre_adapter_info,
    len: usize,
    out_written: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        require_out(out_written, "out_written")?;
        let list = gpu::list_adapters();
        write_out(buf, len, out_written, list.len(), "buf", |dst| {
            for (d, a) in dst.iter_mut().zip(&list) {
                *d = adapter_info(a);
            }
            Ok(())
        })
    })
}

/// Open a device (see `vyre_device_options.adapter` for the selection rules). `options`
/// may be NULL. On success `*out_device` owns a new handle (`vyre_device_destroy`).
/// Errors: NO_ADAPTER (nothing matches; the message lists the adapters seen), GPU.
///
/// Also INVALID_ARGUMENT (bad selector, non-zero reserved fields) and NULL_POINTER.
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// `options` is NULL or valid; `out_device` is valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_device_create(
    options: *const vyre_device_options,
    out_device: *mut *mut vyre_device,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        require_out(out_device, "out_device")?;
        let mut opts = gpu::DeviceOptions::default();
        if let Some(o) = options.as_ref() {
            if o.flags != 0 || o.reserved != 0 {
                return Err(Error::invalid(
                    "vyre_device_options.flags and .reserved must be 0",
                ));
            }
            if !o.adapter.is_null() {
                opts.adapter = Some(c_string(o.adapter, "adapter")?);
            }
        }
        let dev = gpu::Device::new(&opts)?;
        *out_device = Box::into_raw(Box::new(vyre_device {
            inner: dev,
            poison: Poison::default(),
        }));
        Ok(())
    })
}

/// Release a device handle (NULL is a no-op). Megakernels and resident sets created
/// from it stay valid until they are destroyed.
///
/// The GPU device goes when its last user (handle, megakernel, resident set, scanner)
/// does, but vyre destroys it only once no vyre device is alive in the process:
/// NVIDIA's Vulkan driver can deadlock when a device is destroyed while other threads
/// use Vulkan. Until then it is parked: its buffers are freed, its driver context and
/// some memory stay. A process that keeps one device open while it opens and closes
/// others reuses parked devices once 8 wait (a lost one is never reused).
///
/// Thread safety: must not race with other calls on the same handle.
///
/// # Safety
/// `device` is NULL or a live handle not used after this call.
#[no_mangle]
pub unsafe extern "C" fn vyre_device_destroy(device: *mut vyre_device) {
    destroy_boxed(device);
}

/// Describe the adapter of `device` (the current one, after any recovery).
///
/// Errors: NULL_POINTER, POISONED.
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// `device` and `out_info` are valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_device_info(
    device: *const vyre_device,
    out_info: *mut vyre_adapter_info,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, device, "device", |d| {
        require_out(out_info, "out_info")?;
        *out_info = adapter_info(&d.inner.adapter());
        Ok(())
    })
}

/// Device generation: 1 for the first wgpu device, +1 after each recovery from a loss.
///
/// Errors: NULL_POINTER, POISONED.
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// `device` and `out_generation` are valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_device_generation(
    device: *const vyre_device,
    out_generation: *mut u64,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, device, "device", |d| {
        require_out(out_generation, "out_generation")?;
        *out_generation = d.inner.generation();
        Ok(())
    })
}

/// TEST HOOK: destroy the underlying wgpu device, producing a genuine device loss. The
/// next call that uses the device detects it and rebuilds the device, pipelines and
/// resident buffers (or fails with VYRE_ERROR_DEVICE_LOST when recovery is disabled).
/// Meant for tests of recovery paths; it has no other use.
///
/// Errors: NULL_POINTER.
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// `device` is valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_device_debug_destroy(
    device: *mut vyre_device,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, device, "device", |d| {
        d.inner.debug_destroy();
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Megakernels.
// ---------------------------------------------------------------------------------------

unsafe fn new_megakernel(
    device: *const vyre_device,
    out: *mut *mut vyre_megakernel,
    out_error: *mut *mut vyre_error,
    build: impl FnOnce(&gpu::Device) -> Result<gpu::Megakernel>,
) -> vyre_status {
    with_handle(out_error, device, "device", |d| {
        require_out(out, "out_megakernel")?;
        let mk = build(&d.inner)?;
        *out = Box::into_raw(Box::new(vyre_megakernel {
            inner: mk,
            poison: Poison::default(),
        }));
        Ok(())
    })
}

/// Bootstrap megakernel: 256 slots x 1 workgroup of 256 lanes, built-in opcodes only.
/// Owns a new handle in `*out_megakernel` on success.
///
/// Errors: NULL_POINTER, SHADER or GPU (pipeline creation), DEVICE_LOST, POISONED.
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// `device` and `out_megakernel` are valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_bootstrap(
    device: *const vyre_device,
    out_megakernel: *mut *mut vyre_megakernel,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    new_megakernel(
        device,
        out_megakernel,
        out_error,
        gpu::Megakernel::bootstrap,
    )
}

/// Bootstrap geometry with custom opcodes. Errors: SHADER (invalid WGSL or signature,
/// with naga's message), INVALID_ARGUMENT (reserved/system or duplicate opcode id,
/// reserved function name).
///
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// `opcodes` is valid for `opcode_count` entries (NULL when 0); strings NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_bootstrap_with_opcodes(
    device: *const vyre_device,
    opcodes: *const vyre_custom_opcode,
    opcode_count: usize,
    out_megakernel: *mut *mut vyre_megakernel,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    new_megakernel(device, out_megakernel, out_error, |d| {
        gpu::Megakernel::bootstrap_with_opcodes(d, custom_opcodes(opcodes, opcode_count)?)
    })
}

/// Sharded megakernel: explicit slot count and workgroup size, optional custom opcodes.
///
/// Errors: INVALID_ARGUMENT (zero or over-limit geometry, reserved opcode ids), SHADER (naga's message), NULL_POINTER, DEVICE_LOST.
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// As `vyre_megakernel_bootstrap_with_opcodes`.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_bootstrap_sharded(
    device: *const vyre_device,
    slot_count: u32,
    workgroup_size_x: u32,
    opcodes: *const vyre_custom_opcode,
    opcode_count: usize,
    out_megakernel: *mut *mut vyre_megakernel,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    new_megakernel(device, out_megakernel, out_error, |d| {
        gpu::Megakernel::bootstrap_sharded(
            d,
            slot_count,
            workgroup_size_x,
            custom_opcodes(opcodes, opcode_count)?,
        )
    })
}

/// Fused (JIT) megakernel: `fn <name>(slot: u32) -> u32` from `wgsl` runs for every
/// claimed slot instead of the opcode switch (for single-opcode rings).
///
/// Errors: SHADER (invalid WGSL or signature, with naga's message), INVALID_ARGUMENT (geometry, reserved name), NULL_POINTER, DEVICE_LOST.
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// `name` and `wgsl` are NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_bootstrap_fused(
    device: *const vyre_device,
    slot_count: u32,
    workgroup_size_x: u32,
    name: *const c_char,
    wgsl: *const c_char,
    out_megakernel: *mut *mut vyre_megakernel,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    new_megakernel(device, out_megakernel, out_error, |d| {
        let payload = FusedPayload {
            name: c_string(name, "name")?,
            wgsl: c_string(wgsl, "wgsl")?,
        };
        gpu::Megakernel::bootstrap_fused(d, slot_count, workgroup_size_x, payload)
    })
}

/// Megakernel from full options (custom opcodes, extra buffers, fused payload,
/// geometry). `options` NULL = bootstrap.
///
/// Errors: INVALID_ARGUMENT (extra buffer kind, reserved fields, too many extra buffers, opcode ids, opcodes together with a fused payload), SHADER, NULL_POINTER, DEVICE_LOST.
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// `options` is NULL or valid, with the arrays and strings it points to.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_create(
    device: *const vyre_device,
    options: *const vyre_megakernel_options,
    out_megakernel: *mut *mut vyre_megakernel,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    new_megakernel(device, out_megakernel, out_error, |d| {
        match options.as_ref() {
            None => gpu::Megakernel::bootstrap(d),
            Some(o) => gpu::Megakernel::new(d, &megakernel_desc(o)?),
        }
    })
}

/// Release a megakernel (NULL is a no-op). Resident sets made from it stay valid.
///
/// Thread safety: must not race with other calls on the same handle.
///
/// # Safety
/// `megakernel` is NULL or a live handle not used after this call.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_destroy(megakernel: *mut vyre_megakernel) {
    destroy_boxed(megakernel);
}

/// Ring slots the megakernel was sharded for (0 for NULL).
///
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// `megakernel` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_slot_count(megakernel: *const vyre_megakernel) -> u32 {
    guarded(0, || {
        megakernel.as_ref().map_or(0, |m| m.inner.slot_count())
    })
}

/// Lanes per workgroup (0 for NULL).
///
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// `megakernel` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_workgroup_size_x(
    megakernel: *const vyre_megakernel,
) -> u32 {
    guarded(0, || {
        megakernel
            .as_ref()
            .map_or(0, |m| m.inner.workgroup_size_x())
    })
}

/// Workgroups per wave (0 for NULL).
///
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// `megakernel` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_worker_groups(megakernel: *const vyre_megakernel) -> u32 {
    guarded(0, || {
        megakernel.as_ref().map_or(0, |m| m.inner.worker_groups())
    })
}

/// Workgroups needed to cover `slot_count` slots with `workgroup_size_x` lanes (at most
/// 1024). Errors: INVALID_ARGUMENT for a zero size.
///
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// `out_worker_groups` is valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_worker_groups_for_geometry(
    slot_count: u32,
    workgroup_size_x: u32,
    out_worker_groups: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        require_out(out_worker_groups, "out_worker_groups")?;
        *out_worker_groups =
            gpu::Megakernel::worker_groups_for_geometry(slot_count, workgroup_size_x)?;
        Ok(())
    })
}

/// Pipeline id (stable hash of the generated source), NUL-terminated, into caller
/// storage: `buf` NULL asks for the size; `*out_written` counts bytes including the NUL.
///
/// Errors: NULL_POINTER, INSUFFICIENT_SIZE (the size needed is reported).
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// `buf` is NULL or valid for `len` bytes; `out_written` is valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_pipeline_id(
    megakernel: *const vyre_megakernel,
    buf: *mut c_char,
    len: usize,
    out_written: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, megakernel, "megakernel", |m| {
        let id = m.inner.pipeline_id();
        write_out(buf, len, out_written, id.len() + 1, "buf", |dst| {
            fill_c_string(dst, id);
            Ok(())
        })
    })
}

// ---------------------------------------------------------------------------------------
// Dispatch on caller-owned buffers.
// ---------------------------------------------------------------------------------------

unsafe fn dispatch_views(
    mk: &gpu::Megakernel,
    bufs: &vyre_dispatch_buffers,
    opts: &DispatchOptions,
) -> Result<DispatchReport> {
    let extras_desc = slice_ref(bufs.extras, bufs.extra_count, "extras")?;
    let mut views: Vec<(&str, *const u8, usize)> = vec![
        ("control", bufs.control.data, bufs.control.len),
        ("ring", bufs.ring.data, bufs.ring.len),
        ("debug_log", bufs.debug_log.data, bufs.debug_log.len),
    ];
    let has_io = !bufs.io_queue.data.is_null();
    if has_io {
        views.push(("io_queue", bufs.io_queue.data, bufs.io_queue.len));
    } else if bufs.io_queue.len != 0 {
        return Err(Error::null("io_queue.data"));
    }
    for e in extras_desc {
        views.push(("extras[]", e.data, e.len));
    }
    for (name, ptr, len) in &views {
        if ptr.is_null() {
            return Err(Error::null(name));
        }
        let _ = len;
    }
    check_disjoint(&views)?;
    let control = slice_mut(bufs.control.data, bufs.control.len, "control")?;
    let ring = slice_mut(bufs.ring.data, bufs.ring.len, "ring")?;
    let debug_log = slice_mut(bufs.debug_log.data, bufs.debug_log.len, "debug_log")?;
    let io_queue = if has_io {
        Some(slice_mut(
            bufs.io_queue.data,
            bufs.io_queue.len,
            "io_queue",
        )?)
    } else {
        None
    };
    let mut extras = Vec::with_capacity(extras_desc.len());
    for e in extras_desc {
        extras.push(slice_mut(e.data, e.len, "extras[]")?);
    }
    let mut hb = gpu::HostBuffers {
        control,
        ring,
        debug_log,
        io_queue,
        extras,
    };
    mk.dispatch(&mut hb, opts)
}

/// Dispatch with an internal empty io queue: upload `control`, `ring` and `debug_log`,
/// run waves until no claimable slot remains, read all three back in place. On failure
/// the buffers are unchanged. Errors: MALFORMED_BUFFER (sizes), TOO_LARGE (over the
/// adapter's binding limit), DEVICE_LOST (recovery failed), GPU, TIMEOUT.
///
/// Thread safety: safe from any thread; the handles involved may be shared between threads. Several threads may dispatch on one megakernel at once.
///
/// # Safety
/// Each pointer is valid for its length; the buffers do not overlap.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_dispatch(
    megakernel: *const vyre_megakernel,
    control: *mut u8,
    control_len: usize,
    ring: *mut u8,
    ring_len: usize,
    debug_log: *mut u8,
    debug_log_len: usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    dispatch_abi_buffers(
        megakernel,
        [
            (control, control_len),
            (ring, ring_len),
            (debug_log, debug_log_len),
            (std::ptr::null_mut(), 0),
        ],
        out_error,
    )
}

/// Like `vyre_megakernel_dispatch` with a caller-owned io queue (read back in place):
/// LOAD_MISS requests appear in it as PUBLISHED io slots; complete them (status
/// VYRE_IO_STATUS_OK / _ERROR) and dispatch again to resume the waiting slots.
///
/// Errors: as `vyre_megakernel_dispatch`; NULL_POINTER for a NULL `io_queue`.
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// Each pointer is valid for its length; the buffers do not overlap.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_dispatch_with_io_queue(
    megakernel: *const vyre_megakernel,
    control: *mut u8,
    control_len: usize,
    ring: *mut u8,
    ring_len: usize,
    debug_log: *mut u8,
    debug_log_len: usize,
    io_queue: *mut u8,
    io_queue_len: usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    if io_queue.is_null() {
        return boundary(out_error, || Err(Error::null("io_queue")));
    }
    dispatch_abi_buffers(
        megakernel,
        [
            (control, control_len),
            (ring, ring_len),
            (debug_log, debug_log_len),
            (io_queue, io_queue_len),
        ],
        out_error,
    )
}

/// The two plain entry points above: the four ABI buffers, no extras, default options.
/// A NULL io queue means "use an empty engine-owned one".
unsafe fn dispatch_abi_buffers(
    megakernel: *const vyre_megakernel,
    abi: [(*mut u8, usize); 4],
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    let [control, ring, debug_log, io_queue] = abi.map(|(data, len)| vyre_buffer { data, len });
    let bufs = vyre_dispatch_buffers {
        control,
        ring,
        debug_log,
        io_queue,
        extras: std::ptr::null(),
        extra_count: 0,
    };
    vyre_megakernel_dispatch_ex(
        megakernel,
        &bufs,
        std::ptr::null(),
        std::ptr::null_mut(),
        out_error,
    )
}

/// Full dispatch on caller-owned buffers (extra buffers, options, statistics). `options`
/// and `out_stats` may be NULL. Waves run until no claimable slot remains, SHUTDOWN, or
/// `max_wall_time`/`max_waves`; what remains is reported in `out_stats` (never dropped).
/// On failure no buffer and not `*out_stats` is modified.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (options, overlapping or missing buffers), MALFORMED_BUFFER (buffer sizes), TOO_LARGE (over the adapter's binding limit), DEVICE_LOST (recovery failed or disabled), GPU, TIMEOUT, POISONED.
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// `buffers` and the memory it describes are valid and non-overlapping.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_dispatch_ex(
    megakernel: *const vyre_megakernel,
    buffers: *const vyre_dispatch_buffers,
    options: *const vyre_dispatch_options,
    out_stats: *mut vyre_dispatch_stats,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, megakernel, "megakernel", |m| {
        let bufs = obj_ref(buffers, "buffers")?;
        let opts = dispatch_options(options)?;
        let report = dispatch_views(&m.inner, bufs, &opts)?;
        if !out_stats.is_null() {
            *out_stats = stats_of(&report);
        }
        Ok(())
    })
}

/// Dispatch on caller-owned buffers (as `vyre_megakernel_dispatch_ex`) and decode the
/// results into `readback` and its caller storage. Storage capacities are checked before
/// anything runs: a too-small `observables`/`records` array fails with
/// INSUFFICIENT_SIZE (the required count in the error) and nothing is modified.
///
/// Other errors: as `vyre_megakernel_dispatch_ex`.
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// As `vyre_megakernel_dispatch_ex`; `readback` is valid and its arrays are valid for
/// their capacities.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_dispatch_readback(
    megakernel: *const vyre_megakernel,
    buffers: *const vyre_dispatch_buffers,
    options: *const vyre_dispatch_options,
    readback: *mut vyre_readback,
    out_stats: *mut vyre_dispatch_stats,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, megakernel, "megakernel", |m| {
        let bufs = obj_ref(buffers, "buffers")?;
        let rb = readback.as_mut().ok_or_else(|| Error::null("readback"))?;
        let opts = dispatch_options(options)?;
        let obs_count = (bufs.control.len / 4).saturating_sub(protocol::CONTROL_WORDS);
        let record_cap = (bufs.debug_log.len / 4).saturating_sub(1) / protocol::DEBUG_RECORD_WORDS;
        if !rb.observables.is_null() && rb.observable_capacity < obs_count {
            return Err(Error::insufficient(
                "readback.observables",
                obs_count,
                rb.observable_capacity,
            ));
        }
        if !rb.records.is_null() && rb.record_capacity < record_cap {
            return Err(Error::insufficient(
                "readback.records",
                record_cap,
                rb.record_capacity,
            ));
        }
        let report = dispatch_views(&m.inner, bufs, &opts)?;
        let control = slice_ref(bufs.control.data, bufs.control.len, "control")?;
        let log = slice_ref(bufs.debug_log.data, bufs.debug_log.len, "debug_log")?;
        let word = |i: usize| protocol::read_control_word(control, i as u32);
        let mut records = vec![protocol::DebugRecord::default(); record_cap];
        let stats = protocol::read_debug_log_into(log, &mut records)?;
        let mut tenant_claims = [0u32; 32];
        for (t, w) in tenant_claims.iter_mut().enumerate() {
            *w = word(protocol::control::TENANT_FAIRNESS + t)?;
        }
        let mut priority_claims = [0u32; 5];
        for (p, w) in priority_claims.iter_mut().enumerate() {
            *w = word(protocol::control::PRIORITY_FAIRNESS + p)?;
        }
        rb.done_count = protocol::read_done_count(control)?;
        rb.epoch = protocol::read_epoch(control)?;
        rb.fault_count = protocol::read_fault_count(control)?;
        rb.shutdown = protocol::read_shutdown(control)? as u32;
        rb.starvation = word(protocol::control::STARVATION)?;
        rb.dropped_records = stats.dropped;
        rb.metrics = protocol::read_metrics(control)?;
        rb.tenant_claims = tenant_claims;
        rb.priority_claims = priority_claims;
        rb.reserved = 0;
        rb.observable_count = obs_count;
        if !rb.observables.is_null() {
            let dst = slice_mut(rb.observables, obs_count, "readback.observables")?;
            for (i, d) in dst.iter_mut().enumerate() {
                *d = word(protocol::CONTROL_WORDS + i)?;
            }
        }
        rb.record_count = stats.stored as usize;
        if !rb.records.is_null() {
            let dst = slice_mut(rb.records, stats.stored as usize, "readback.records")?;
            for (d, r) in dst.iter_mut().zip(&records) {
                *d = vyre_debug_record {
                    fmt_id: r.fmt_id,
                    arg1: r.arg1,
                    arg2: r.arg2,
                    slot_word_offset: r.slot_word_offset,
                };
            }
        }
        if !out_stats.is_null() {
            *out_stats = stats_of(&report);
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Resident sets and batches.
// ---------------------------------------------------------------------------------------

/// Create a resident set for `megakernel` (all buffers zeroed; write a control block
/// with allowed tenants before dispatching). `options` may be NULL (defaults: the
/// megakernel's slot count, 64 observable words, 64 debug records, 64 io slots; required
/// when the megakernel has extra buffers). GPU memory is allocated at the first dispatch.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (flags, extra-size count), MALFORMED_BUFFER (sizes), TOO_LARGE, OUT_OF_MEMORY (host mirror), POISONED.
/// Thread safety: safe from any thread; the handles involved may be shared between threads.
///
/// # Safety
/// `options` is NULL or valid with `extra_sizes` valid for `extra_count` entries.
#[no_mangle]
pub unsafe extern "C" fn vyre_resident_create(
    megakernel: *const vyre_megakernel,
    options: *const vyre_resident_options,
    out_resident: *mut *mut vyre_resident,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, megakernel, "megakernel", |m| {
        require_out(out_resident, "out_resident")?;
        let mut desc = gpu::ResidentDesc::default();
        if let Some(o) = options.as_ref() {
            if o.flags & !VYRE_RESIDENT_SYNC_MIRROR != 0 || o.reserved != 0 {
                return Err(Error::invalid(format!(
                    "unknown resident flags {:#x}",
                    o.flags
                )));
            }
            desc = gpu::ResidentDesc {
                slot_count: o.slot_count,
                observable_words: o.observable_words,
                debug_records: o.debug_records,
                io_slots: o.io_slots,
                extra_sizes: slice_ref(o.extra_sizes, o.extra_count, "extra_sizes")?.to_vec(),
                sync_mirror: o.flags & VYRE_RESIDENT_SYNC_MIRROR != 0,
            };
        }
        let set = gpu::ResidentSet::new(&m.inner, &desc)?;
        *out_resident = Box::into_raw(Box::new(vyre_resident {
            inner: set,
            poison: Poison::default(),
        }));
        Ok(())
    })
}

/// Release a resident set and its GPU buffers (NULL is a no-op).
///
/// Thread safety: must not race with other calls on the same handle.
///
/// # Safety
/// `resident` is NULL or a live handle not used after this call.
#[no_mangle]
pub unsafe extern "C" fn vyre_resident_destroy(resident: *mut vyre_resident) {
    destroy_boxed(resident);
}

/// Byte size of buffer `buffer` (`VYRE_BUFFER_*`) of the set.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (no such buffer).
/// Thread safety: safe from any thread; calls on one resident set serialise.
///
/// # Safety
/// `resident` and `out_size` are valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_resident_buffer_size(
    resident: *const vyre_resident,
    buffer: u32,
    out_size: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, resident, "resident", |r| {
        require_out(out_size, "out_size")?;
        let size = r
            .inner
            .sizes()
            .get(buffer_id(buffer))
            .copied()
            .ok_or_else(|| {
                Error::invalid(format!(
                    "buffer id {buffer} does not exist; this set has {} buffers",
                    r.inner.sizes().len()
                ))
            })?;
        *out_size = size as usize;
        Ok(())
    })
}

/// Write `len` bytes at byte `offset` of buffer `buffer`. The data lands in the host
/// mirror now and on the GPU at the next dispatch or read (only written ranges are
/// uploaded). Errors: INVALID_ARGUMENT (no such buffer), OUT_OF_RANGE.
///
/// Thread safety: safe from any thread; calls on one resident set serialise.
///
/// # Safety
/// `data` is valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn vyre_resident_write(
    resident: *mut vyre_resident,
    buffer: u32,
    offset: usize,
    data: *const u8,
    len: usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, resident, "resident", |r| {
        let bytes = slice_ref(data, len, "data")?;
        r.inner.write(buffer_id(buffer), offset as u64, bytes)
    })
}

/// Read `len` bytes at byte `offset` of buffer `buffer` from the GPU into `dst` (pending
/// writes are uploaded first). One round trip. On failure `dst` is unchanged.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (no such buffer), OUT_OF_RANGE, DEVICE_LOST, GPU, TIMEOUT.
/// Thread safety: safe from any thread; calls on one resident set serialise.
///
/// # Safety
/// `dst` is valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn vyre_resident_read(
    resident: *mut vyre_resident,
    buffer: u32,
    offset: usize,
    dst: *mut u8,
    len: usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, resident, "resident", |r| {
        let out = slice_mut(dst, len, "dst")?;
        let mut tmp = vec![0u8; len];
        r.inner.read(buffer_id(buffer), offset as u64, &mut tmp)?;
        out.copy_from_slice(&tmp);
        Ok(())
    })
}

/// Dispatch a resident set: upload written ranges only, run waves, read back the census.
/// `options` and `out_stats` may be NULL.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (options, overlapping or missing buffers), MALFORMED_BUFFER (buffer sizes), TOO_LARGE (over the adapter's binding limit), DEVICE_LOST (recovery failed or disabled), GPU, TIMEOUT, POISONED.
/// Thread safety: safe from any thread; calls on one resident set serialise.
///
/// # Safety
/// `resident` is valid; `options`/`out_stats` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_resident_dispatch(
    resident: *mut vyre_resident,
    options: *const vyre_dispatch_options,
    out_stats: *mut vyre_dispatch_stats,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    vyre_resident_dispatch_read(resident, options, std::ptr::null(), 0, out_stats, out_error)
}

/// Dispatch a resident set and read the given ranges back (in the same submission as
/// the last wave when they are small). On failure no destination is modified.
///
/// Errors: as `vyre_resident_dispatch`, plus INVALID_ARGUMENT/OUT_OF_RANGE for a bad range and NULL_POINTER for a NULL `dst`.
/// Thread safety: safe from any thread; calls on one resident set serialise.
///
/// # Safety
/// `ranges` is valid for `range_count` entries, each `dst` valid for its `len`.
#[no_mangle]
pub unsafe extern "C" fn vyre_resident_dispatch_read(
    resident: *mut vyre_resident,
    options: *const vyre_dispatch_options,
    ranges: *const vyre_read_range,
    range_count: usize,
    out_stats: *mut vyre_dispatch_stats,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, resident, "resident", |r| {
        let opts = dispatch_options(options)?;
        let ranges = slice_ref(ranges, range_count, "ranges")?;
        let mut reqs = Vec::with_capacity(ranges.len());
        for (i, rg) in ranges.iter().enumerate() {
            if rg.reserved != 0 {
                return Err(Error::invalid(format!("ranges[{i}].reserved must be 0")));
            }
            if rg.dst.is_null() && rg.len != 0 {
                return Err(Error::null("ranges[].dst"));
            }
            reqs.push(gpu::ReadRequest {
                buffer: buffer_id(rg.buffer),
                offset: rg.offset as u64,
                data: vec![0; rg.len],
            });
        }
        let report = r.inner.dispatch_and_read(&opts, &mut reqs)?;
        for (rg, req) in ranges.iter().zip(&reqs) {
            slice_mut(rg.dst, rg.len, "ranges[].dst")?.copy_from_slice(&req.data);
        }
        if !out_stats.is_null() {
            *out_stats = stats_of(&report);
        }
        Ok(())
    })
}

/// Dispatch many resident sets of `megakernel` together: each wave records every set
/// that still has claimable slots into one command buffer and one submission.
/// `out_stats` is NULL or an array of `count` entries (one per set, in order).
/// Errors: INVALID_ARGUMENT (a set of another megakernel, or the same set twice).
///
/// Thread safety: safe from any thread; the handles involved may be shared between threads. Sets are locked for the duration of the call.
///
/// # Safety
/// `sets` is valid for `count` live handles; `out_stats` NULL or valid for `count`.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_dispatch_batch(
    megakernel: *const vyre_megakernel,
    sets: *const *mut vyre_resident,
    count: usize,
    options: *const vyre_dispatch_options,
    out_stats: *mut vyre_dispatch_stats,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, megakernel, "megakernel", |m| {
        let opts = dispatch_options(options)?;
        let handles = slice_ref(sets, count, "sets")?;
        let mut list = Vec::with_capacity(handles.len());
        for (i, &h) in handles.iter().enumerate() {
            let set = h
                .as_ref()
                .ok_or_else(|| Error::null(&format!("sets[{i}]")))?;
            set.poison.check()?;
            list.push(&set.inner);
        }
        let reports = m.inner.dispatch_batch(&list, &opts)?;
        if !out_stats.is_null() {
            let out = slice_mut(out_stats, count, "out_stats")?;
            for (o, r) in out.iter_mut().zip(&reports) {
                *o = stats_of(r);
            }
        }
        Ok(())
    })
}

// Layouts pinned for C (the C tests repeat these with _Static_assert).
const _: () = {
    use std::mem::{align_of, offset_of, size_of};
    assert!(size_of::<vyre_dispatch_options>() == 32 && align_of::<vyre_dispatch_options>() == 8);
    assert!(
        size_of::<vyre_dispatch_stats>() == 112 && offset_of!(vyre_dispatch_stats, waves) == 88
    );
    assert!(size_of::<vyre_buffer>() == 2 * size_of::<usize>());
    assert!(size_of::<vyre_adapter_info>() == 512 + 16 + 16 + 24);
    assert!(offset_of!(vyre_adapter_info, backend) == 512);
    assert!(size_of::<vyre_custom_opcode>() == 8 + 2 * size_of::<usize>());
    assert!(size_of::<vyre_read_range>() == 8 + 3 * size_of::<usize>());
    assert!(
        offset_of!(vyre_readback, observables) == 304
            && size_of::<vyre_readback>() == 304 + 6 * size_of::<usize>()
    );
};

impl Handle for vyre_device {
    fn poison(&self) -> &Poison {
        &self.poison
    }
}

impl Handle for vyre_megakernel {
    fn poison(&self) -> &Poison {
        &self.poison
    }
}

impl Handle for vyre_resident {
    fn poison(&self) -> &Poison {
        &self.poison
    }
}
