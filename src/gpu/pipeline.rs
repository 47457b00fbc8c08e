//! Compiled pipelines, cached per device generation by a hash of their generated source,
//! so megakernels with identical source share one pipeline.

use super::device::DeviceState;
use super::kernel::{Epilogue, ExtraKind};
use crate::error::{Error, Result, Status};
use std::sync::Arc;

/// One compute pipeline and the bind-group layouts resident sets are built against.
pub struct CompiledPipeline {
    pub(crate) pipeline: wgpu::ComputePipeline,
    /// The epilogue entry points, run after each wave in order (`true`: one workgroup
    /// per `VYRE_WG` ring slots, else one workgroup).
    pub(crate) epilogues: Vec<(wgpu::ComputePipeline, bool)>,
    /// Group 0: the four ABI buffers + user buffers.
    pub(crate) layout_abi: wgpu::BindGroupLayout,
    /// Group 1: the engine-state buffer.
    pub(crate) layout_engine: wgpu::BindGroupLayout,
}

fn storage_entry(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

/// Error from a popped error scope: device loss or a plain GPU error.
pub(crate) fn scope_error(state: &DeviceState, what: &str, e: wgpu::Error) -> Error {
    if state.probe_lost() {
        return Error::new(
            Status::DeviceLost,
            format!("{what}: the GPU device was lost ({e})"),
        );
    }
    match e {
        wgpu::Error::OutOfMemory { .. } => Error::oom(format!("{what}: the GPU is out of memory")),
        other => Error::new(Status::Gpu, format!("{what}: {other}")),
    }
}

/// The pipeline for `source` on this device generation, compiling it on first use.
pub(crate) fn get_or_compile(
    state: &DeviceState,
    source: &str,
    hash: u64,
    extras: &[ExtraKind],
    epilogues: &[Epilogue],
) -> Result<Arc<CompiledPipeline>> {
    let mut cache = state.pipelines.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(p) = cache.get(&hash) {
        return Ok(p.clone());
    }
    let device = &state.device;
    let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let oom = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
    let mut entries: Vec<wgpu::BindGroupLayoutEntry> =
        (0..4).map(|b| storage_entry(b, false)).collect();
    for (i, k) in extras.iter().enumerate() {
        entries.push(storage_entry(4 + i as u32, k.is_read_only()));
    }
    let layout_abi = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("vyre abi buffers"),
        entries: &entries,
    });
    let layout_engine = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("vyre engine state"),
        entries: &[storage_entry(0, false)],
    });
    let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some("vyre megakernel"),
        bind_group_layouts: &[Some(&layout_abi), Some(&layout_engine)],
        immediate_size: 0,
    });
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("vyre megakernel"),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    });
    let entry = |name: &str| {
        device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("vyre megakernel"),
            layout: Some(&layout),
            module: &module,
            entry_point: Some(name),
            compilation_options: Default::default(),
            cache: None,
        })
    };
    let pipeline = entry("main");
    let epilogues = epilogues
        .iter()
        .map(|e| (entry(&e.name), e.per_slots))
        .collect();
    let oom_err = pollster::block_on(oom.pop());
    let err = pollster::block_on(scope.pop());
    if let Some(e) = oom_err.or(err) {
        let what = "creating the megakernel pipeline failed";
        let mut e = scope_error(state, what, e);
        if e.status == Status::Gpu {
            e.status = Status::Shader;
        }
        return Err(e);
    }
    if state.is_lost() {
        return Err(Error::new(
            Status::DeviceLost,
            "the GPU device was lost while compiling the megakernel",
        ));
    }
    let compiled = Arc::new(CompiledPipeline {
        pipeline,
        epilogues,
        layout_abi,
        layout_engine,
    });
    cache.insert(hash, compiled.clone());
    Ok(compiled)
}
