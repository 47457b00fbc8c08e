//! The wgpu engine: device selection, interpreter kernel, resident buffers, waves.
