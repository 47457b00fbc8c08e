//! Device selection: list adapters, pick one (best hardware GPU, else lavapipe; or the
//! one named by `VYRE_ADAPTER` / [`DeviceOptions::adapter`]), request every limit the
//! adapter offers, and rebuild the device after it is lost.
//!
//! A [`Device`] is a cheap, cloneable, thread-safe handle. The wgpu device behind it is
//! replaced on recovery; every user holds an `Arc<DeviceState>` of one *generation* and
//! notices a newer generation on its next call.

use crate::error::{Error, Result, Status};
use std::collections::HashMap;
use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// Environment variable naming the adapter to use (same syntax as [`DeviceOptions::adapter`]).
pub const ADAPTER_ENV: &str = "VYRE_ADAPTER";

/// Kind of adapter, most capable first (numbering is ABI: `VYRE_DEVICE_TYPE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    Discrete = 1,
    Integrated = 2,
    Virtual = 3,
    Cpu = 4,
    Other = 5,
}

impl DeviceKind {
    fn from_wgpu(t: wgpu::DeviceType) -> Self {
        match t {
            wgpu::DeviceType::DiscreteGpu => DeviceKind::Discrete,
            wgpu::DeviceType::IntegratedGpu => DeviceKind::Integrated,
            wgpu::DeviceType::VirtualGpu => DeviceKind::Virtual,
            wgpu::DeviceType::Cpu => DeviceKind::Cpu,
            wgpu::DeviceType::Other => DeviceKind::Other,
        }
    }

    /// Lower is preferred by the default selection.
    fn rank(self) -> u32 {
        self as u32
    }

    /// Lower-case name used by the selector syntax and in reports.
    pub fn name(self) -> &'static str {
        match self {
            DeviceKind::Discrete => "discrete",
            DeviceKind::Integrated => "integrated",
            DeviceKind::Virtual => "virtual",
            DeviceKind::Cpu => "cpu",
            DeviceKind::Other => "other",
        }
    }
}

/// Backend numbering is ABI (`VYRE_BACKEND_*`).
pub fn backend_code(b: wgpu::Backend) -> u32 {
    match b {
        wgpu::Backend::Vulkan => 1,
        wgpu::Backend::Metal => 2,
        wgpu::Backend::Dx12 => 3,
        wgpu::Backend::Gl => 4,
        wgpu::Backend::BrowserWebGpu => 5,
        wgpu::Backend::Noop => 6,
    }
}

/// The limits vyre cares about (all requested from the adapter at their maximum).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceLimits {
    pub max_storage_buffer_binding_size: u64,
    pub max_buffer_size: u64,
    pub max_storage_buffers_per_shader_stage: u32,
    pub max_compute_workgroup_size_x: u32,
    pub max_compute_invocations_per_workgroup: u32,
    pub max_compute_workgroups_per_dimension: u32,
    pub max_compute_workgroup_storage_size: u32,
}

impl DeviceLimits {
    fn from_wgpu(l: &wgpu::Limits) -> Self {
        DeviceLimits {
            max_storage_buffer_binding_size: l.max_storage_buffer_binding_size,
            max_buffer_size: l.max_buffer_size,
            max_storage_buffers_per_shader_stage: l.max_storage_buffers_per_shader_stage,
            max_compute_workgroup_size_x: l.max_compute_workgroup_size_x,
            max_compute_invocations_per_workgroup: l.max_compute_invocations_per_workgroup,
            max_compute_workgroups_per_dimension: l.max_compute_workgroups_per_dimension,
            max_compute_workgroup_storage_size: l.max_compute_workgroup_storage_size,
        }
    }
}

/// What an adapter is, as reported by wgpu.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdapterDescription {
    pub name: String,
    pub driver: String,
    pub driver_info: String,
    pub backend: wgpu::Backend,
    pub kind: DeviceKind,
    pub vendor_id: u32,
    pub device_id: u32,
    pub limits: DeviceLimits,
}

impl AdapterDescription {
    fn of(adapter: &wgpu::Adapter) -> Self {
        let info = adapter.get_info();
        AdapterDescription {
            name: info.name,
            driver: info.driver,
            driver_info: info.driver_info,
            backend: info.backend,
            kind: DeviceKind::from_wgpu(info.device_type),
            vendor_id: info.vendor,
            device_id: info.device,
            limits: DeviceLimits::from_wgpu(&adapter.limits()),
        }
    }

    /// Backend as a lower-case name ("vulkan", ...).
    pub fn backend_name(&self) -> String {
        self.backend.to_str().to_ascii_lowercase()
    }
}

/// How to pick an adapter. Zero/default = automatic.
#[derive(Clone, Debug, Default)]
pub struct DeviceOptions {
    /// Adapter selector; `None` falls back to the `VYRE_ADAPTER` environment variable,
    /// then to automatic selection. Syntax: comma-separated terms, all of which must
    /// match (case-insensitive): `name:TEXT` (substring of the adapter name),
    /// `backend:vulkan|metal|dx12|gl`, `type:discrete|integrated|virtual|cpu|other`, or a
    /// bare word matching any of those (e.g. `llvmpipe`, `cpu`, `H200`).
    pub adapter: Option<String>,
}

/// A parsed selector.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Selector {
    terms: Vec<(Field, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Any,
    Name,
    Backend,
    Kind,
}

impl Selector {
    fn parse(text: &str) -> Result<Self> {
        let mut terms = Vec::new();
        for raw in text.split(',') {
            let term = raw.trim().to_ascii_lowercase();
            if term.is_empty() {
                continue;
            }
            let (field, value) = match term.split_once(':') {
                Some(("name", v)) => (Field::Name, v),
                Some(("backend", v)) => (Field::Backend, v),
                Some(("type", v)) => (Field::Kind, v),
                Some((k, _)) => {
                    return Err(Error::invalid(format!(
                        "adapter selector term `{raw}` has unknown key `{k}`; use name:, backend: or type:"
                    )))
                }
                None => (Field::Any, term.as_str()),
            };
            terms.push((field, value.trim().to_string()));
        }
        Ok(Selector { terms })
    }

    fn matches(&self, d: &AdapterDescription) -> bool {
        let name = d.name.to_ascii_lowercase();
        let backend = d.backend_name();
        let kind = d.kind.name();
        self.terms.iter().all(|(field, v)| match field {
            Field::Name => name.contains(v.as_str()),
            Field::Backend => backend == *v,
            Field::Kind => kind == v,
            Field::Any => name.contains(v.as_str()) || backend == *v || kind == v,
        })
    }
}

/// The process's one wgpu instance (one Vulkan instance), made on first use and never
/// destroyed.
fn instance() -> &'static wgpu::Instance {
    static INSTANCE: once_cell::sync::Lazy<wgpu::Instance> = once_cell::sync::Lazy::new(|| {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = wgpu::Backends::all();
        wgpu::Instance::new(desc)
    });
    &INSTANCE
}

/// Every adapter wgpu can see, in enumeration order.
pub fn list_adapters() -> Vec<AdapterDescription> {
    let _no_destroy = lifecycle();
    pollster::block_on(instance().enumerate_adapters(wgpu::Backends::all()))
        .iter()
        .map(AdapterDescription::of)
        .collect()
}

fn pick_adapter(
    instance: &wgpu::Instance,
    selector: &Selector,
    text: &str,
) -> Result<wgpu::Adapter> {
    let adapters = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
    let mut best: Option<(u32, usize)> = None;
    let descs: Vec<AdapterDescription> = adapters.iter().map(AdapterDescription::of).collect();
    for (i, d) in descs.iter().enumerate() {
        if !selector.matches(d) {
            continue;
        }
        let rank = d.kind.rank();
        if best.is_none_or(|(r, _)| rank < r) {
            best = Some((rank, i));
        }
    }
    match best {
        Some((_, i)) => Ok(adapters
            .into_iter()
            .nth(i)
            .expect("index from the same list")),
        None => {
            let seen: Vec<String> = descs
                .iter()
                .map(|d| format!("{} ({}, {})", d.name, d.backend_name(), d.kind.name()))
                .collect();
            let want = if text.is_empty() {
                "any adapter".to_string()
            } else {
                format!("selector `{text}`")
            };
            Err(Error::new(
                Status::NoAdapter,
                format!(
                    "no GPU adapter matches {want}; adapters seen: [{}]. Install a Vulkan driver \
                     (mesa-vulkan-drivers provides lavapipe) or change {ADAPTER_ENV}",
                    seen.join(", ")
                ),
            ))
        }
    }
}

/// One generation of the wgpu device. Replaced (never mutated) by recovery.
pub struct DeviceState {
    pub(crate) adapter_desc: AdapterDescription,
    /// Taken by `Drop` (see [`LIFECYCLE`]).
    pub(crate) device: ManuallyDrop<wgpu::Device>,
    pub(crate) queue: ManuallyDrop<wgpu::Queue>,
    pub(crate) generation: u64,
    lost: Arc<AtomicBool>,
    pub(crate) limits: DeviceLimits,
    /// Compiled pipelines of this generation, by hash of their generated source.
    pub(crate) pipelines: Mutex<HashMap<u64, Arc<crate::gpu::pipeline::CompiledPipeline>>>,
    /// Errors wgpu reported outside an error scope (kept for messages).
    errors: Arc<Mutex<Vec<String>>>,
    /// Upload staging buffers kept for reuse (see [`StagingPool`]).
    pub(crate) staging: StagingPool,
    /// A thread is polling this device while it waits for a wave (at most one does: its
    /// polls run every waiter's callbacks; the others sleep).
    pub(crate) spinning: AtomicBool,
}

/// An upload staging buffer back in the pool: being re-mapped for writing until
/// `map` is set by the map callback ([`MAP_PENDING`], [`MAP_READY`] or [`MAP_FAILED`]).
pub(crate) struct PooledStaging {
    pub buffer: wgpu::Buffer,
    pub size: u64,
    pub map: Arc<std::sync::atomic::AtomicU8>,
}

/// Upload staging buffers of one device generation, reused across dispatches: the
/// first write to a freshly mapped buffer costs a page fault per 4 KiB (about 100 ms
/// for a 512 MiB haystack), a re-mapped one is written at memcpy speed. Holds at most
/// [`STAGING_POOL_BUFFERS`] buffers of at most [`STAGING_POOL_MAX_BYTES`] each.
pub(crate) type StagingPool = Arc<Mutex<Vec<PooledStaging>>>;
pub(crate) const MAP_PENDING: u8 = 0;
pub(crate) const MAP_READY: u8 = 1;
pub(crate) const MAP_FAILED: u8 = 2;
pub(crate) const STAGING_POOL_BUFFERS: usize = 2;

/// How long a failed operation waits for wgpu's device-lost callback (failure path only).
const LOST_SETTLE: std::time::Duration = std::time::Duration::from_millis(100);
pub(crate) const STAGING_POOL_MAX_BYTES: u64 = 1 << 30;

impl DeviceState {
    /// True once wgpu reported the device lost or it was destroyed.
    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::Acquire)
    }

    pub(crate) fn mark_lost(&self) {
        self.lost.store(true, Ordering::Release);
    }

    /// After a failed GPU operation: was it because the device is lost? Polls so wgpu
    /// runs its lost callback (wgpu reports a destroyed device only through that
    /// callback; operations on it fail with generic "invalid resource" errors). The
    /// callback can come a little after the failure it causes (on the H200 a readback
    /// failed first while other work was still in flight), so a failure polls for up
    /// to [`LOST_SETTLE`] before it is taken for something else.
    pub(crate) fn probe_lost(&self) -> bool {
        let deadline = std::time::Instant::now() + LOST_SETTLE;
        loop {
            if self.is_lost() {
                return true;
            }
            let _ = self.device.poll(wgpu::PollType::Poll);
            if self.is_lost() {
                return true;
            }
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// Last error wgpu reported outside an error scope, if any.
    pub(crate) fn last_uncaptured_error(&self) -> Option<String> {
        self.errors.lock().ok().and_then(|e| e.last().cloned())
    }
}

struct DeviceShared {
    selector: Selector,
    selector_text: String,
    current: RwLock<Arc<DeviceState>>,
    next_generation: AtomicU64,
    /// Serialises recoveries so concurrent callers rebuild once.
    recovering: Mutex<()>,
}

/// A GPU device handle: cheap to clone, safe to share between threads.
#[derive(Clone)]
pub struct Device {
    shared: Arc<DeviceShared>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.state();
        f.debug_struct("Device")
            .field("adapter", &s.adapter_desc.name)
            .field("generation", &s.generation)
            .finish()
    }
}

/// A wgpu device with the callbacks [`open_new`] set on it: what a parked device keeps.
struct Opened {
    adapter_desc: AdapterDescription,
    device: wgpu::Device,
    queue: wgpu::Queue,
    lost: Arc<AtomicBool>,
    errors: Arc<Mutex<Vec<String>>>,
}

/// When devices are created and destroyed. NVIDIA's Vulkan driver (580.159, H200)
/// deadlocks when `vkDestroyDevice` runs while other threads call into Vulkan: the
/// destroying thread waits for a driver thread of its device that spins forever, and
/// every other thread blocks on a driver-wide lock (thread dumps in BENCHMARKS.md,
/// session 9; wgpu issue 8365 reports the like). So vyre destroys devices only when
/// no device generation is alive in the process, under this lock, which device
/// creation and adapter enumeration also hold. Until then the last generation of a
/// device parks it here. Every wgpu object vyre keeps (resident buffers, staging
/// buffers, pipelines) holds or lives inside its [`DeviceState`], so none is left when
/// a device is destroyed (checked: [`late_resources`]).
///
/// A parked device is not reused while fewer than [`PARK_REUSE_AT`] wait: on the H200,
/// a scan on a reused device ran up to 5× slower than on a fresh one (same session), so
/// a process that opens one scanner after another gets fresh devices as before. A
/// process that keeps one device open and opens and closes others reuses parked ones.
/// A parked device keeps its driver context and some memory (the allocator keeps a
/// block per memory type), and a lost one is never reused: both stay until no device
/// is alive. The last generation of a device may be dropped on a thread holding other
/// locks (a resident set's, say); it then waits here for another thread's open.
static LIFECYCLE: once_cell::sync::Lazy<Mutex<Lifecycle>> =
    once_cell::sync::Lazy::new(|| Mutex::new(Lifecycle::default()));

/// Parked devices that make a new open reuse one instead of creating a device.
const PARK_REUSE_AT: usize = 8;

/// Device destructions that found wgpu objects of vyre's instance still alive (their
/// device would really go later, outside [`LIFECYCLE`]). Always 0 unless a change
/// lets a resource outlive its generation; tests assert it.
static LATE_RESOURCES: AtomicUsize = AtomicUsize::new(0);

/// See [`LATE_RESOURCES`].
#[cfg(test)]
pub(crate) fn late_resources() -> usize {
    LATE_RESOURCES.load(Ordering::Acquire)
}

#[derive(Default)]
struct Lifecycle {
    /// Device generations ([`DeviceState`]s) alive in the process.
    live: usize,
    /// Devices whose last generation went, healthy or lost (a lost one is never reused).
    parked: Vec<Opened>,
}

fn lifecycle() -> std::sync::MutexGuard<'static, Lifecycle> {
    LIFECYCLE.lock().unwrap_or_else(|p| p.into_inner())
}

impl Lifecycle {
    /// A healthy parked device on this adapter, when enough are parked to reuse one.
    fn reuse(&mut self, adapter_desc: &AdapterDescription) -> Option<Opened> {
        if self.parked.len() < PARK_REUSE_AT {
            return None;
        }
        let i = self.parked.iter().position(|p| {
            // A device can be lost while parked (a GPU fault): polling runs the lost
            // callback.
            let _ = p.device.poll(wgpu::PollType::Poll);
            !p.lost.load(Ordering::Acquire) && p.adapter_desc == *adapter_desc
        })?;
        let p = self.parked.swap_remove(i);
        if let Ok(mut e) = p.errors.lock() {
            e.clear();
        }
        Some(p)
    }
}

/// Open a device on the adapter `selector` picks (see [`LIFECYCLE`]).
fn open(
    instance: &wgpu::Instance,
    selector: &Selector,
    text: &str,
    generation: u64,
) -> Result<DeviceState> {
    let mut lc = lifecycle();
    let adapter = pick_adapter(instance, selector, text)?;
    let adapter_desc = AdapterDescription::of(&adapter);
    let opened = match lc.reuse(&adapter_desc) {
        Some(p) => p,
        None => open_new(&adapter, adapter_desc)?,
    };
    lc.live += 1;
    drop(lc);
    let limits = DeviceLimits::from_wgpu(&opened.device.limits());
    Ok(DeviceState {
        adapter_desc: opened.adapter_desc,
        device: ManuallyDrop::new(opened.device),
        queue: ManuallyDrop::new(opened.queue),
        generation,
        lost: opened.lost,
        limits,
        pipelines: Mutex::new(HashMap::new()),
        errors: opened.errors,
        staging: Arc::new(Mutex::new(Vec::new())),
        spinning: AtomicBool::new(false),
    })
}

fn open_new(adapter: &wgpu::Adapter, adapter_desc: AdapterDescription) -> Result<Opened> {
    let desc = wgpu::DeviceDescriptor {
        label: Some("vyre"),
        required_features: wgpu::Features::empty(),
        // The kernel wants big storage bindings and many bindings: ask for everything.
        required_limits: adapter.limits(),
        ..Default::default()
    };
    let (device, queue) = pollster::block_on(adapter.request_device(&desc)).map_err(|e| {
        Error::new(
            Status::Gpu,
            format!(
                "could not open a device on adapter `{}`: {e}",
                adapter_desc.name
            ),
        )
    })?;
    let lost = Arc::new(AtomicBool::new(false));
    let lost_flag = lost.clone();
    device.set_device_lost_callback(move |_reason, _msg| lost_flag.store(true, Ordering::Release));
    let errors = Arc::new(Mutex::new(Vec::new()));
    let sink = errors.clone();
    device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
        if let Ok(mut v) = sink.lock() {
            if v.len() >= 16 {
                v.remove(0);
            }
            v.push(e.to_string());
        }
    }));
    Ok(Opened {
        adapter_desc,
        device,
        queue,
        lost,
        errors,
    })
}

/// The last reference to a generation frees its resources and parks its device; the
/// last generation in the process destroys every parked device (see [`LIFECYCLE`]).
/// Resident buffers hold their generation, so none is left when this runs.
impl Drop for DeviceState {
    fn drop(&mut self) {
        // SAFETY: taken once, here; the fields are not used after this.
        let (device, queue) = unsafe {
            (
                ManuallyDrop::take(&mut self.device),
                ManuallyDrop::take(&mut self.queue),
            )
        };
        if !self.is_lost() {
            // Let wgpu release what finished submissions still hold.
            let _ = device.poll(wgpu::PollType::Wait {
                submission_index: None,
                timeout: Some(std::time::Duration::from_secs(5)),
            });
        }
        self.pipelines
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.staging
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        let mut lc = lifecycle();
        debug_assert!(lc.live > 0);
        lc.live = lc.live.saturating_sub(1);
        lc.parked.push(Opened {
            adapter_desc: self.adapter_desc.clone(),
            device,
            queue,
            lost: self.lost.clone(),
            errors: self.errors.clone(),
        });
        if lc.live == 0 {
            // Nothing else in vyre uses Vulkan now, and openers wait for this lock.
            let gone = std::mem::take(&mut lc.parked);
            drop(gone);
            if let Some(report) = instance().generate_report() {
                let h = report.hub_report();
                let left = [
                    &h.devices,
                    &h.queues,
                    &h.buffers,
                    &h.bind_groups,
                    &h.compute_pipelines,
                    &h.command_encoders,
                ];
                if left.iter().any(|r| r.num_allocated > 0) {
                    LATE_RESOURCES.fetch_add(1, Ordering::AcqRel);
                }
            }
        }
    }
}

/// Held by the crate's unit tests that open devices, so that each sees only its own
/// devices in [`LIFECYCLE`].
#[cfg(test)]
pub(crate) static GPU_TEST_LOCK: Mutex<()> = Mutex::new(());

impl Device {
    /// Open a device: the adapter named by `options.adapter`, else by `VYRE_ADAPTER`, else
    /// the most capable one (discrete > integrated > virtual > CPU such as lavapipe).
    pub fn new(options: &DeviceOptions) -> Result<Device> {
        let text = match &options.adapter {
            Some(t) => t.clone(),
            None => std::env::var(ADAPTER_ENV).unwrap_or_default(),
        };
        let selector = Selector::parse(&text)?;
        let state = open(instance(), &selector, &text, 1)?;
        Ok(Device {
            shared: Arc::new(DeviceShared {
                selector,
                selector_text: text,
                current: RwLock::new(Arc::new(state)),
                next_generation: AtomicU64::new(2),
                recovering: Mutex::new(()),
            }),
        })
    }

    /// The current generation of the device.
    pub fn state(&self) -> Arc<DeviceState> {
        match self.shared.current.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Adapter of the current generation.
    pub fn adapter(&self) -> AdapterDescription {
        self.state().adapter_desc.clone()
    }

    /// Limits the device was opened with.
    pub fn limits(&self) -> DeviceLimits {
        self.state().limits
    }

    /// Generation counter: 1 for the first device, +1 per successful recovery.
    pub fn generation(&self) -> u64 {
        self.state().generation
    }

    /// Test hook: destroy the current wgpu device (a genuine device loss, found by the
    /// same detection as a real one). The next call that uses the device detects the
    /// loss and recovers (or reports DEVICE_LOST).
    pub fn debug_destroy(&self) {
        self.state().device.destroy();
    }

    /// Replace the device of generation `lost_generation` by a fresh one (same selector).
    /// If another caller already replaced it, returns the newer generation unchanged.
    pub(crate) fn recover(&self, lost_generation: u64) -> Result<Arc<DeviceState>> {
        let _guard = self
            .shared
            .recovering
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let cur = self.state();
        if cur.generation != lost_generation {
            return Ok(cur);
        }
        cur.mark_lost();
        let generation = self.shared.next_generation.fetch_add(1, Ordering::AcqRel);
        let fresh = open(
            instance(),
            &self.shared.selector,
            &self.shared.selector_text,
            generation,
        )
        .map_err(|e| {
            Error::new(
                Status::DeviceLost,
                format!(
                    "the GPU device was lost and could not be rebuilt: {}",
                    e.message
                ),
            )
        })?;
        let fresh = Arc::new(fresh);
        match self.shared.current.write() {
            Ok(mut g) => *g = fresh.clone(),
            Err(p) => *p.into_inner() = fresh.clone(),
        }
        Ok(fresh)
    }
}

/// Two handles refer to the same device object.
impl PartialEq for Device {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desc(name: &str, backend: wgpu::Backend, kind: DeviceKind) -> AdapterDescription {
        AdapterDescription {
            name: name.into(),
            driver: String::new(),
            driver_info: String::new(),
            backend,
            kind,
            vendor_id: 0,
            device_id: 0,
            limits: DeviceLimits::default(),
        }
    }

    /// (generations alive, devices parked)
    fn counts() -> (usize, usize) {
        let lc = lifecycle();
        (lc.live, lc.parked.len())
    }

    fn open_default() -> Device {
        Device::new(&DeviceOptions::default()).unwrap()
    }

    /// Identity of a wgpu device: its lost flag, made once per device.
    fn device_id(d: &Device) -> usize {
        Arc::as_ptr(&d.state().lost) as usize
    }

    /// A device whose handles are gone is parked while another device is alive, and
    /// every parked device is destroyed once none is alive.
    #[test]
    fn devices_are_destroyed_only_when_none_is_alive() {
        let _one = GPU_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        assert_eq!(counts(), (0, 0));
        let a = open_default();
        let b = open_default();
        assert_eq!(counts(), (2, 0));
        drop(a);
        assert_eq!(counts(), (1, 1), "parked while another device is alive");
        drop(b);
        assert_eq!(counts(), (0, 0), "all destroyed once none is alive");
        assert_eq!(late_resources(), 0);
    }

    /// While one device stays open, closed ones are parked up to PARK_REUSE_AT and then
    /// reused; a lost one is never reused.
    #[test]
    fn parked_devices_are_reused_at_the_limit_and_lost_ones_never() {
        let _one = GPU_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let keep = open_default();
        let lost = open_default();
        lost.debug_destroy();
        assert!(lost.state().probe_lost());
        let lost_id = device_id(&lost);
        drop(lost);
        assert_eq!(counts(), (1, 1));
        let mut ids = std::collections::HashSet::new();
        for _ in 0..PARK_REUSE_AT + 2 {
            let d = open_default();
            assert_ne!(device_id(&d), lost_id, "a lost device is not reused");
            assert!(!d.state().is_lost());
            ids.insert(device_id(&d));
            drop(d);
            assert!(counts().1 <= PARK_REUSE_AT, "parked: {}", counts().1);
        }
        assert_eq!(counts(), (1, PARK_REUSE_AT));
        assert_eq!(
            ids.len(),
            PARK_REUSE_AT - 1,
            "fresh devices until the limit, then reuse"
        );
        drop(keep);
        assert_eq!(counts(), (0, 0));
    }

    /// A resident set on the megakernel's device, with one dispatch done (so its GPU
    /// buffers exist).
    fn dispatched_set(mk: &crate::gpu::Megakernel) -> crate::gpu::ResidentSet {
        use crate::gpu::{buffer, DispatchOptions, ResidentDesc, ResidentSet};
        use crate::protocol::{self, abi::op};
        let set = ResidentSet::new(mk, &ResidentDesc::default()).unwrap();
        let control = protocol::encode_control(false, 1, 64, 256).unwrap();
        set.write(buffer::CONTROL, 0, &control).unwrap();
        let mut ring = protocol::encode_empty_ring(256).unwrap();
        protocol::publish_slot(&mut ring, 0, 0, op::ATOMIC_ADD, &[1, 170]).unwrap();
        set.write(buffer::RING, 0, &ring).unwrap();
        assert_eq!(set.dispatch(&DispatchOptions::default()).unwrap().done, 1);
        set
    }

    /// The test lock, the late-resource count before the test, a device and a
    /// megakernel on it.
    fn with_megakernel() -> (
        std::sync::MutexGuard<'static, ()>,
        usize,
        Device,
        crate::gpu::Megakernel,
    ) {
        let one = GPU_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let dev = open_default();
        let mk = crate::gpu::Megakernel::bootstrap(&dev).unwrap();
        (one, late_resources(), dev, mk)
    }

    /// Resident buffers hold their device generation: with the device handle and the
    /// megakernel gone first, the device lives until the set goes, and nothing of it is
    /// left when it is destroyed.
    #[test]
    fn a_resident_set_keeps_its_device_until_it_goes() {
        let (_one, late, dev, mk) = with_megakernel();
        let set = dispatched_set(&mk);
        drop(dev);
        drop(mk);
        assert_eq!(counts(), (1, 0), "the set keeps its generation alive");
        drop(set);
        assert_eq!(counts(), (0, 0));
        assert_eq!(
            late_resources(),
            late,
            "a resource outlived its device generation"
        );
    }

    /// After a device loss, a set still on the lost generation keeps it alive; once
    /// rebuilt on the new one, the lost device is parked, and destroyed with the rest.
    #[test]
    fn a_lost_generation_lives_until_its_last_set_moves_on() {
        use crate::gpu::DispatchOptions;
        let (_one, late, dev, mk) = with_megakernel();
        let (a, b) = (dispatched_set(&mk), dispatched_set(&mk));
        dev.debug_destroy();
        let r = a.dispatch(&DispatchOptions::default()).unwrap();
        assert_eq!((r.recovered, dev.generation()), (1, 2));
        assert_eq!(counts(), (2, 0), "set b still holds generation 1");
        b.dispatch(&DispatchOptions::default()).unwrap();
        assert_eq!(counts(), (1, 1), "generation 1 parked, lost");
        drop((a, b, mk, dev));
        assert_eq!(counts(), (0, 0));
        assert_eq!(late_resources(), late);
    }

    #[test]
    fn selector_terms() {
        let lava = desc(
            "llvmpipe (LLVM 15.0.6, 256 bits)",
            wgpu::Backend::Vulkan,
            DeviceKind::Cpu,
        );
        let h200 = desc("NVIDIA H200", wgpu::Backend::Vulkan, DeviceKind::Discrete);
        let s = Selector::parse("llvmpipe").unwrap();
        assert!(s.matches(&lava) && !s.matches(&h200));
        let s = Selector::parse("type:discrete, backend:vulkan").unwrap();
        assert!(!s.matches(&lava) && s.matches(&h200));
        let s = Selector::parse("cpu").unwrap();
        assert!(s.matches(&lava) && !s.matches(&h200));
        let s = Selector::parse("NAME:h200").unwrap();
        assert!(s.matches(&h200));
        assert!(Selector::parse("").unwrap().matches(&lava));
        assert_eq!(
            Selector::parse("vendor:x").unwrap_err().status,
            Status::InvalidArgument
        );
    }
}
