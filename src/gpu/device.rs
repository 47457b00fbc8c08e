//! Device selection: list adapters, pick one (best hardware GPU, else lavapipe; or the
//! one named by `VYRE_ADAPTER` / [`DeviceOptions::adapter`]), request every limit the
//! adapter offers, and rebuild the device after it is lost.
//!
//! A [`Device`] is a cheap, cloneable, thread-safe handle. The wgpu device behind it is
//! replaced on recovery; every user holds an `Arc<DeviceState>` of one *generation* and
//! notices a newer generation on its next call.

use crate::error::{Error, Result, Status};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
/// destroyed. Devices come and go on it: an instance per device would create and
/// destroy Vulkan instances next to other threads' work, more churn in the driver than
/// anything here needs (wgpu issue 8365 reports deadlocks on NVIDIA + Linux when
/// Vulkan objects go away while other threads work).
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
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
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
pub(crate) const STAGING_POOL_MAX_BYTES: u64 = 1 << 30;

impl DeviceState {
    /// True once wgpu reported the device lost or it was destroyed.
    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::Acquire)
    }

    pub(crate) fn mark_lost(&self) {
        self.lost.store(true, Ordering::Release);
    }

    /// After a failed GPU operation: was it because the device is lost? Polls once so
    /// wgpu runs its lost callback (wgpu reports a destroyed device only through that
    /// callback; operations on it fail with generic "invalid resource" errors).
    pub(crate) fn probe_lost(&self) -> bool {
        if self.is_lost() {
            return true;
        }
        let _ = self.device.poll(wgpu::PollType::Poll);
        self.is_lost()
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

fn open(
    instance: &wgpu::Instance,
    selector: &Selector,
    text: &str,
    generation: u64,
) -> Result<DeviceState> {
    let adapter = pick_adapter(instance, selector, text)?;
    let adapter_desc = AdapterDescription::of(&adapter);
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
    let limits = DeviceLimits::from_wgpu(&device.limits());
    Ok(DeviceState {
        adapter_desc,
        device,
        queue,
        generation,
        lost,
        limits,
        pipelines: Mutex::new(HashMap::new()),
        errors,
        staging: Arc::new(Mutex::new(Vec::new())),
        spinning: AtomicBool::new(false),
    })
}

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
