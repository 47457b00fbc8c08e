//! The 64-byte task work item (SPEC §1.7). A task is exactly one ring slot: its first
//! four words are the slot's status, opcode, tenant and priority, and the other twelve
//! fields are the slot's args. Transitions are pure: they return the new task and leave
//! `self` alone, so a rejected transition changes nothing.

use super::abi::{state, SLOT_WORDS};
use super::ring::{
    check_free, check_priority, check_tenant, read_slot, ring_slot_count, write_slot,
};
use crate::error::{Error, Result};
use bytemuck::{Pod, Zeroable};

/// Task flag: paused, waiting for a resume.
pub const TASK_FLAG_PAUSED: u32 = 1;
/// Task flag: yielded with a continuation.
pub const TASK_FLAG_YIELDED: u32 = 2;
/// Task flag: asked to be requeued.
pub const TASK_FLAG_REQUEUE_REQUESTED: u32 = 4;
/// Task flag: resumed and ready to run its continuation.
pub const TASK_FLAG_RESUME_READY: u32 = 8;
/// Every defined flag.
pub const TASK_FLAGS_ALL: u32 = 15;

/// Task states: the ring states of SPEC §1.2 under task names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum TaskState {
    Empty = state::EMPTY,
    Ready = state::PUBLISHED,
    Running = state::CLAIMED,
    Completed = state::DONE,
    /// Shares its number with WAIT_IO (4).
    Paused = state::WAIT_IO,
    Yielded = state::YIELD,
    Requeued = state::REQUEUE,
    Faulted = state::FAULT,
}

impl TaskState {
    /// Decode a state word; `None` for unknown values.
    pub fn from_raw(raw: u32) -> Option<TaskState> {
        Some(match raw {
            state::EMPTY => TaskState::Empty,
            state::PUBLISHED => TaskState::Ready,
            state::CLAIMED => TaskState::Running,
            state::DONE => TaskState::Completed,
            state::WAIT_IO => TaskState::Paused,
            state::YIELD => TaskState::Yielded,
            state::REQUEUE => TaskState::Requeued,
            state::FAULT => TaskState::Faulted,
            _ => return None,
        })
    }

    /// Ready, Yielded and Requeued tasks can be claimed by a worker.
    pub fn is_schedulable(self) -> bool {
        matches!(
            self,
            TaskState::Ready | TaskState::Yielded | TaskState::Requeued
        )
    }

    /// Completed and Faulted tasks take no further transitions.
    pub fn is_finished(self) -> bool {
        matches!(self, TaskState::Completed | TaskState::Faulted)
    }
}

/// The 64-byte task work item, field order = wire order.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Pod, Zeroable)]
pub struct Task {
    pub state: u32,
    pub op_handle: u32,
    pub tenant: u32,
    pub priority: u32,
    pub input: u32,
    pub output: u32,
    pub param: u32,
    pub continuation_pc: u32,
    pub continuation_data: u32,
    pub resume_epoch: u32,
    pub task_id: u32,
    pub parent_task_id: u32,
    pub age_ticks: u32,
    pub requeue_count: u32,
    pub yield_count: u32,
    pub flags: u32,
}

const _: () = assert!(std::mem::size_of::<Task>() == SLOT_WORDS * 4);

fn bump(v: u32, what: &str) -> Result<u32> {
    v.checked_add(1).ok_or_else(|| {
        Error::overflow(format!(
            "task {what} is at u32::MAX and cannot be incremented"
        ))
    })
}

impl Task {
    /// A Ready task with no continuation, counters or flags.
    pub fn new(
        task_id: u32,
        op_handle: u32,
        tenant: u32,
        priority: u32,
        input: u32,
        output: u32,
        param: u32,
    ) -> Task {
        Task {
            state: state::PUBLISHED,
            op_handle,
            tenant,
            priority,
            input,
            output,
            param,
            task_id,
            ..Task::default()
        }
    }

    /// Decoded state; unknown state words are `MalformedBuffer`.
    pub fn task_state(&self) -> Result<TaskState> {
        TaskState::from_raw(self.state).ok_or_else(|| {
            Error::malformed(format!(
                "task state word {} is not a known state (0..=7)",
                self.state
            ))
        })
    }

    /// Whether a worker may claim this task (Ready, Yielded, Requeued).
    pub fn is_schedulable(&self) -> Result<bool> {
        Ok(self.task_state()?.is_schedulable())
    }

    /// Known, unfinished state required by every transition.
    fn live(&self) -> Result<TaskState> {
        let st = self.task_state()?;
        if st.is_finished() {
            return Err(Error::invalid(format!(
                "task {} is {:?}; a finished task takes no transitions",
                self.task_id, st
            )));
        }
        Ok(st)
    }

    /// Pause with a continuation until `epoch`: state Paused, flags = PAUSED.
    pub fn paused(&self, pc: u32, data: u32, epoch: u32) -> Result<Task> {
        self.live()?;
        Ok(Task {
            state: TaskState::Paused as u32,
            continuation_pc: pc,
            continuation_data: data,
            resume_epoch: epoch,
            flags: TASK_FLAG_PAUSED,
            ..*self
        })
    }

    /// Resume a Paused task: state Ready, flags = RESUME_READY (continuation kept).
    pub fn resumed(&self) -> Result<Task> {
        if self.live()? != TaskState::Paused {
            return Err(Error::invalid(format!(
                "task {} is not Paused; only a Paused task can resume",
                self.task_id
            )));
        }
        Ok(Task {
            state: TaskState::Ready as u32,
            flags: TASK_FLAG_RESUME_READY,
            ..*self
        })
    }

    /// Yield with a continuation: state Yielded, flags = YIELDED, yield_count + 1.
    pub fn yielded(&self, pc: u32, data: u32) -> Result<Task> {
        self.live()?;
        Ok(Task {
            state: TaskState::Yielded as u32,
            continuation_pc: pc,
            continuation_data: data,
            yield_count: bump(self.yield_count, "yield_count")?,
            flags: TASK_FLAG_YIELDED,
            ..*self
        })
    }

    /// Requeue with a continuation at `priority`: state Requeued, flags =
    /// REQUEUE_REQUESTED, requeue_count + 1, age_ticks + 1.
    pub fn requeued(&self, pc: u32, data: u32, priority: u32) -> Result<Task> {
        self.live()?;
        check_priority(priority)?;
        Ok(Task {
            state: TaskState::Requeued as u32,
            priority,
            continuation_pc: pc,
            continuation_data: data,
            requeue_count: bump(self.requeue_count, "requeue_count")?,
            age_ticks: bump(self.age_ticks, "age_ticks")?,
            flags: TASK_FLAG_REQUEUE_REQUESTED,
            ..*self
        })
    }

    /// Complete: state Completed, flags 0.
    pub fn completed(&self) -> Result<Task> {
        self.live()?;
        Ok(Task {
            state: TaskState::Completed as u32,
            flags: 0,
            ..*self
        })
    }

    /// Fault with `code`: state Faulted, continuation_data = code (flags kept, to show
    /// what the task was doing).
    pub fn faulted(&self, code: u32) -> Result<Task> {
        self.live()?;
        Ok(Task {
            state: TaskState::Faulted as u32,
            continuation_data: code,
            ..*self
        })
    }

    fn words(&self) -> [u32; SLOT_WORDS] {
        bytemuck::cast(*self)
    }
}

/// Publish a task into ring slot `slot` verbatim (its state becomes the slot status,
/// written last). The task must be schedulable (Ready, Yielded or Requeued), its tenant
/// < 928, priority ≤ 4, opcode publishable by its tenant, flags within 0..=15, and the
/// slot EMPTY or DONE.
pub fn publish_task(ring: &mut [u8], slot: u32, task: &Task) -> Result<()> {
    let slots = ring_slot_count(ring)?;
    if slot >= slots {
        return Err(Error::out_of_range(format!(
            "slot {slot} is outside the {slots}-slot ring"
        )));
    }
    if !task.is_schedulable()? {
        return Err(Error::invalid(format!(
            "task {} has state {}; only Ready (1), Yielded (5) or Requeued (6) tasks are published",
            task.task_id, task.state
        )));
    }
    check_tenant(task.tenant)?;
    check_priority(task.priority)?;
    super::opcode::check_publishable(task.op_handle, task.tenant)?;
    if task.op_handle == super::abi::op::PACKED_SLOT {
        return Err(Error::invalid("PACKED_SLOT cannot be a task opcode"));
    }
    if task.flags & !TASK_FLAGS_ALL != 0 {
        return Err(Error::invalid(format!(
            "task flags {:#x} use undefined bits (defined: 0xF)",
            task.flags
        )));
    }
    check_free(ring, slot)?;
    let w = task.words();
    write_slot(ring, slot, w[0], [w[1], w[2], w[3]], &w[4..]);
    Ok(())
}

/// Read ring slot `slot` as a task (any state word; check it with [`Task::task_state`]).
pub fn read_task(ring: &[u8], slot: u32) -> Result<Task> {
    Ok(bytemuck::cast(read_slot(ring, slot)?))
}
