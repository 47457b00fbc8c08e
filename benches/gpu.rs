//! GPU engine benchmarks (standalone: `cargo bench --bench gpu`). Prints a compact table.
//!
//! (a) 256-slot NOP ring round trip: republish + dispatch + control readback, p50/p99.
//! (b) resident throughput (slots/s) for NOP and ATOMIC_ADD on the largest ring up to 4M
//!     slots the adapter can bind (lavapipe: 2M slots = 128 MiB), upload excluded.
//! (c) one batch of 1,000 resident sets vs 1,000 separate resident dispatch calls.
//! (d) naive baseline: one write + dispatch + readback per item (raw wgpu, minimal
//!     shader), and the same through vyre's plain dispatch with a 1-slot ring.
//!
//! `VYRE_BENCH_QUICK=1` shortens every measurement (smoke run).

use std::time::{Duration, Instant};
use vyre::gpu::*;
use vyre::protocol::{self, abi::op};

fn quick() -> bool {
    std::env::var("VYRE_BENCH_QUICK").is_ok_and(|v| v == "1")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// A ring with `count` published slots. Built by hand: the protocol encoders cap rings at
/// 1,048,576 slots (SPEC 1.8) and the throughput ring is bigger.
fn ring_of(slots: u32, count: u32, opcode: u32, args: impl Fn(u32) -> Vec<u32>) -> Vec<u8> {
    let mut ring = vec![0u8; slots as usize * 64];
    for i in 0..count as usize {
        let mut w = [0u32; 16];
        w[0] = protocol::abi::state::PUBLISHED;
        w[1] = opcode;
        w[3] = protocol::abi::priority::NORMAL;
        for (k, a) in args(i as u32).into_iter().enumerate() {
            w[4 + k] = a;
        }
        ring[i * 64..i * 64 + 64].copy_from_slice(bytemuck::cast_slice(&w));
    }
    ring
}

/// (a) round trip of a 256-slot NOP ring.
fn round_trip(dev: &Device) -> (Duration, Duration, usize) {
    let mk = Megakernel::bootstrap(dev).unwrap();
    let set = ResidentSet::new(
        &mk,
        &ResidentDesc {
            observable_words: 16,
            ..Default::default()
        },
    )
    .unwrap();
    let control = protocol::encode_control(false, 1, 16, 256).unwrap();
    set.write(buffer::CONTROL, 0, &control).unwrap();
    let ring = ring_of(256, 256, op::NOP, |_| vec![]);
    let iters = if quick() { 50 } else { 2000 };
    let mut times = Vec::with_capacity(iters);
    let mut reads = [ReadRequest {
        buffer: buffer::CONTROL,
        offset: 0,
        data: vec![0; control.len()],
    }];
    for i in 0..iters + 20 {
        let t = Instant::now();
        set.write(buffer::RING, 0, &ring).unwrap();
        let r = set
            .dispatch_and_read(&DispatchOptions::default(), &mut reads)
            .unwrap();
        let dt = t.elapsed();
        assert_eq!(r.done, 256);
        if i >= 20 {
            times.push(dt);
        }
    }
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99), iters)
}

/// (b) resident throughput on a big ring; returns (slots, NOP slots/s, ATOMIC_ADD slots/s).
fn throughput(dev: &Device, groups: Option<u32>) -> (u32, f64, f64) {
    let limit = dev
        .limits()
        .max_storage_buffer_binding_size
        .min(dev.limits().max_buffer_size);
    let slots = ((limit / 64).min(4 << 20) as u32).min(if quick() { 1 << 18 } else { u32::MAX });
    let wg = 256;
    let desc = MegakernelDesc {
        slot_count: slots,
        workgroup_size_x: wg,
        worker_groups: groups.unwrap_or(0),
        ..Default::default()
    };
    let mk = Megakernel::new(dev, &desc).unwrap();
    let set = ResidentSet::new(
        &mk,
        &ResidentDesc {
            observable_words: 1024,
            ..Default::default()
        },
    )
    .unwrap();
    // ring_slots 0: no priority-partition table (protocol caps the table at 1M slots).
    set.write(
        buffer::CONTROL,
        0,
        &protocol::encode_control(false, 1, 1024, 0).unwrap(),
    )
    .unwrap();
    let reps = if quick() { 2 } else { 5 };
    let measure = |opcode: u32| {
        let ring = ring_of(slots, slots, opcode, |i| vec![1, 160 + (i % 1024)]);
        let mut best = f64::MAX;
        for _ in 0..reps {
            set.write(buffer::RING, 0, &ring).unwrap();
            let mut w = [0u8; 4];
            set.read(buffer::CONTROL, 0, &mut w).unwrap(); // uploads the ring: not timed
            let t = Instant::now();
            let r = set.dispatch(&DispatchOptions::default()).unwrap();
            let dt = t.elapsed().as_secs_f64();
            assert_eq!(r.done, slots as u64);
            best = best.min(dt);
        }
        slots as f64 / best
    };
    let nop = measure(op::NOP);
    let add = measure(op::ATOMIC_ADD);
    (slots, nop, add)
}

/// (c) 1,000 resident sets: one batch vs 1,000 dispatch calls. Returns per-set times.
fn batch_vs_calls(dev: &Device) -> (usize, Duration, Duration) {
    let mk = Megakernel::bootstrap(dev).unwrap();
    let n = if quick() { 100 } else { 1000 };
    let control = protocol::encode_control(false, 1, 16, 256).unwrap();
    let ring = ring_of(256, 16, op::ATOMIC_ADD, |_| vec![1, 160]);
    let sets: Vec<ResidentSet> = (0..n)
        .map(|_| {
            let s = ResidentSet::new(
                &mk,
                &ResidentDesc {
                    observable_words: 16,
                    ..Default::default()
                },
            )
            .unwrap();
            s.write(buffer::CONTROL, 0, &control).unwrap();
            s
        })
        .collect();
    let refs: Vec<&ResidentSet> = sets.iter().collect();
    let republish = || {
        for s in &sets {
            s.write(buffer::RING, 0, &ring[..16 * 64]).unwrap();
        }
    };
    // Warm up: allocate every set on the GPU.
    republish();
    mk.dispatch_batch(&refs, &DispatchOptions::default())
        .unwrap();
    let reps = if quick() { 2 } else { 5 };
    let (mut batch, mut calls) = (Duration::MAX, Duration::MAX);
    for _ in 0..reps {
        republish();
        let t = Instant::now();
        let reports = mk
            .dispatch_batch(&refs, &DispatchOptions::default())
            .unwrap();
        batch = batch.min(t.elapsed());
        assert!(reports.iter().all(|r| r.done == 16));
        republish();
        let t = Instant::now();
        for s in &sets {
            assert_eq!(s.dispatch(&DispatchOptions::default()).unwrap().done, 16);
        }
        calls = calls.min(t.elapsed());
    }
    (n, batch / n as u32, calls / n as u32)
}

/// (d) naive baseline with raw wgpu: per item one write_buffer, one 1-workgroup dispatch,
/// one 4-byte readback. Returns items/s.
fn naive_raw(dev: &Device) -> f64 {
    let inst = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
    let name = dev.adapter().name;
    let adapter = pollster::block_on(inst.enumerate_adapters(wgpu::Backends::all()))
        .into_iter()
        .find(|a| a.get_info().name == name)
        .unwrap();
    let (device, queue) =
        pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor::default())).unwrap();
    let src = "@group(0) @binding(0) var<storage, read_write> item: array<u32>;
@compute @workgroup_size(1) fn main() { item[2] = item[0] + item[1]; }";
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: None,
        source: wgpu::ShaderSource::Wgsl(src.into()),
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: None,
        layout: None,
        module: &module,
        entry_point: Some("main"),
        compilation_options: Default::default(),
        cache: None,
    });
    let buf = device.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: 16,
        usage: wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let staging = device.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: 16,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let bg = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: None,
        layout: &pipeline.get_bind_group_layout(0),
        entries: &[wgpu::BindGroupEntry {
            binding: 0,
            resource: buf.as_entire_binding(),
        }],
    });
    let items = if quick() { 50 } else { 2000 };
    let t = Instant::now();
    for i in 0..items as u32 {
        queue.write_buffer(&buf, 0, bytemuck::cast_slice(&[i, 7u32, 0, 0]));
        let mut enc = device.create_command_encoder(&Default::default());
        {
            let mut pass = enc.begin_compute_pass(&Default::default());
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &bg, &[]);
            pass.dispatch_workgroups(1, 1, 1);
        }
        enc.copy_buffer_to_buffer(&buf, 8, &staging, 0, 4);
        let idx = queue.submit([enc.finish()]);
        staging.slice(0..4).map_async(wgpu::MapMode::Read, |_| {});
        device
            .poll(wgpu::PollType::Wait {
                submission_index: Some(idx),
                timeout: None,
            })
            .unwrap();
        let v = u32::from_le_bytes(
            staging.slice(0..4).get_mapped_range().unwrap()[..4]
                .try_into()
                .unwrap(),
        );
        assert_eq!(v, i + 7);
        staging.unmap();
    }
    items as f64 / t.elapsed().as_secs_f64()
}

/// (d') the same per-item pattern through vyre: plain dispatch of a 1-slot ring.
fn naive_vyre(dev: &Device) -> f64 {
    // 64 lanes: lavapipe runs workgroups narrower than its 8-wide SIMD very slowly.
    let mk = Megakernel::bootstrap_sharded(dev, 1, 64, vec![]).unwrap();
    let mut control = protocol::encode_control(false, 1, 1, 1).unwrap();
    let mut log = protocol::encode_empty_debug_log(0).unwrap();
    let items = if quick() { 50 } else { 1000 };
    let t = Instant::now();
    for i in 0..items as u32 {
        let mut ring = protocol::encode_empty_ring(1).unwrap();
        protocol::publish_slot(&mut ring, 0, 0, op::STORE_U32, &[i, 160]).unwrap();
        let mut hb = HostBuffers {
            control: &mut control,
            ring: &mut ring,
            debug_log: &mut log,
            io_queue: None,
            extras: vec![],
        };
        mk.dispatch(&mut hb, &DispatchOptions::default()).unwrap();
        assert_eq!(protocol::read_observable(&control, 0).unwrap(), i);
    }
    items as f64 / t.elapsed().as_secs_f64()
}

fn main() {
    let dev = Device::new(&DeviceOptions::default()).expect("a GPU adapter");
    let a = dev.adapter();
    println!(
        "vyre GPU benchmarks on {} ({}, {}){}",
        a.name,
        a.backend_name(),
        a.kind.name(),
        if quick() { " [quick]" } else { "" }
    );
    let (p50, p99, n) = round_trip(&dev);
    println!("(a) 256-slot NOP ring round trip (republish + dispatch + control readback), {n} runs: p50 {:.1} us, p99 {:.1} us", us(p50), us(p99));
    let (slots, nop, add) = throughput(&dev, None);
    let groups_default = Megakernel::worker_groups_for_geometry(slots, 256).unwrap();
    println!("(b) resident throughput, {slots} slots, {groups_default} workgroups x 256: NOP {:.3e} slots/s, ATOMIC_ADD {:.3e} slots/s", nop, add);
    let one_per_lane = slots.div_ceil(256);
    let (_, nop2, add2) = throughput(&dev, Some(one_per_lane));
    println!("(b) resident throughput, {slots} slots, {one_per_lane} workgroups x 256 (one slot per lane): NOP {:.3e} slots/s, ATOMIC_ADD {:.3e} slots/s", nop2, add2);
    let (n, batch, calls) = batch_vs_calls(&dev);
    println!(
        "(c) {n} resident sets (16 ATOMIC_ADD slots each): batch {:.1} us/set, separate calls {:.1} us/set, batch {:.1}x faster",
        us(batch),
        us(calls),
        calls.as_secs_f64() / batch.as_secs_f64()
    );
    let raw = naive_raw(&dev);
    let via = naive_vyre(&dev);
    let best = nop.max(nop2);
    println!("(d) naive one write+dispatch+readback per item: raw wgpu {:.0} items/s, vyre plain 1-slot dispatch {:.0} items/s", raw, via);
    println!(
        "    resident megakernel (b, NOP) / naive raw wgpu = {:.0}x",
        best / raw
    );
}
