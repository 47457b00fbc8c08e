//! Device-loss recovery: run an operation on the current device generation; when it
//! reports DEVICE_LOST, rebuild the device (pipelines and resident buffers follow lazily
//! from their sources and host mirrors) and retry, up to the allowed number of times.

use super::device::{Device, DeviceState};
use crate::error::{Error, Result, Status};
use std::sync::Arc;

/// Run `op` on the current generation of `device`, recovering from device loss up to
/// `attempts` times; `recovered` counts the recoveries performed.
pub(crate) fn with_recovery<T>(
    device: &Device,
    attempts: u32,
    recovered: &mut u32,
    mut op: impl FnMut(&Arc<DeviceState>) -> Result<T>,
) -> Result<T> {
    let mut tries = 0u32;
    loop {
        let state = device.state();
        let outcome = if state.is_lost() {
            Err(Error::new(Status::DeviceLost, "the GPU device was lost"))
        } else {
            // Operations on a lost device fail with generic errors; ask the device.
            op(&state).map_err(|e| {
                if e.status == Status::Gpu && state.probe_lost() {
                    Error::new(
                        Status::DeviceLost,
                        format!("the GPU device was lost ({})", e.message),
                    )
                } else {
                    e
                }
            })
        };
        match outcome {
            Err(e) if e.status == Status::DeviceLost => {
                if tries >= attempts {
                    let why = if attempts == 0 {
                        "recovery is disabled for this call".to_string()
                    } else {
                        format!("it was lost again after {tries} recovery attempt(s)")
                    };
                    let detail = state
                        .last_uncaptured_error()
                        .map(|m| format!(" (last GPU error: {m})"))
                        .unwrap_or_default();
                    return Err(Error::new(
                        Status::DeviceLost,
                        format!("{}; {why}{detail}", e.message),
                    ));
                }
                tries += 1;
                device.recover(state.generation)?;
                *recovered += 1;
            }
            other => return other,
        }
    }
}
