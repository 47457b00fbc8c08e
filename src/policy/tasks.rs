//! Queue telemetry from 64-byte task work items (SPEC §1.7): from the protocol's
//! [`Task`] values, or straight from the words or bytes of a task ring.

use super::launch::LaunchRequest;
use crate::error::{Error, Result};
use crate::protocol::abi::{state, SLOT_WORDS};
use crate::protocol::task::Task;

/// Words per task work item (one ring slot).
pub const TASK_WORDS: usize = SLOT_WORDS;
/// Bytes per task work item.
pub const TASK_BYTES: usize = TASK_WORDS * 4;

/// Word offsets of the task fields the policy reads (SPEC §1.7 field order).
mod word {
    pub const STATE: usize = 0;
    pub const AGE_TICKS: usize = 12;
    pub const REQUEUE_COUNT: usize = 13;
}

/// Counts of task states and the scheduler counters of a task ring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TaskQueueSnapshot {
    /// Ready (PUBLISHED) tasks.
    pub ready: u32,
    /// Paused (WAIT_IO) tasks.
    pub paused: u32,
    /// Yielded tasks.
    pub yielded: u32,
    /// Requeued tasks.
    pub requeued: u32,
    /// Running (CLAIMED) tasks.
    pub running: u32,
    /// Faulted tasks.
    pub faulted: u32,
    /// Sum of every task's requeue counter.
    pub total_requeues: u64,
    /// Largest age_ticks of any task.
    pub max_priority_age: u32,
}

fn bump(counter: &mut u32, what: &str) -> Result<()> {
    *counter = counter.checked_add(1).ok_or_else(|| {
        Error::overflow(format!(
            "{what} task count overflowed u32; shard the task ring"
        ))
    })?;
    Ok(())
}

impl TaskQueueSnapshot {
    /// Snapshot of task work items. Errors as [`from_words`](Self::from_words).
    pub fn from_tasks(tasks: &[Task]) -> Result<Self> {
        Self::from_words(bytemuck::cast_slice(tasks))
    }

    /// Snapshot of a ring given as words (`len` must be a multiple of 16).
    ///
    /// Errors: a length that is not whole tasks or an unknown state word
    /// (`MalformedBuffer`), a counter overflow (`Overflow`).
    pub fn from_words(words: &[u32]) -> Result<Self> {
        if words.len() % TASK_WORDS != 0 {
            return Err(Error::malformed(format!(
                "task ring has {} words, not a multiple of {TASK_WORDS} (one task = 64 bytes)",
                words.len()
            )));
        }
        let mut snap = TaskQueueSnapshot::default();
        for (index, task) in words.chunks_exact(TASK_WORDS).enumerate() {
            snap.add(
                index,
                task[word::STATE],
                task[word::AGE_TICKS],
                task[word::REQUEUE_COUNT],
            )?;
        }
        Ok(snap)
    }

    /// Snapshot of a ring given as little-endian bytes (`len` must be a multiple of 64).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() % TASK_BYTES != 0 {
            return Err(Error::malformed(format!(
                "task ring has {} bytes, not a multiple of {TASK_BYTES}",
                bytes.len()
            )));
        }
        let read = |task: &[u8], w: usize| {
            u32::from_le_bytes([
                task[4 * w],
                task[4 * w + 1],
                task[4 * w + 2],
                task[4 * w + 3],
            ])
        };
        let mut snap = TaskQueueSnapshot::default();
        for (index, task) in bytes.chunks_exact(TASK_BYTES).enumerate() {
            snap.add(
                index,
                read(task, word::STATE),
                read(task, word::AGE_TICKS),
                read(task, word::REQUEUE_COUNT),
            )?;
        }
        Ok(snap)
    }

    fn add(&mut self, index: usize, state_word: u32, age: u32, requeues: u32) -> Result<()> {
        match state_word {
            state::EMPTY | state::DONE => {}
            state::PUBLISHED => bump(&mut self.ready, "ready")?,
            state::CLAIMED => bump(&mut self.running, "running")?,
            state::WAIT_IO => bump(&mut self.paused, "paused")?,
            state::YIELD => bump(&mut self.yielded, "yielded")?,
            state::REQUEUE => bump(&mut self.requeued, "requeued")?,
            state::FAULT => bump(&mut self.faulted, "faulted")?,
            other => {
                return Err(Error::malformed(format!(
                    "task {index} has unknown state word {other} (valid: 0..=7); \
                     write a valid task state before sizing a launch"
                )))
            }
        }
        self.max_priority_age = self.max_priority_age.max(age);
        self.total_requeues = self
            .total_requeues
            .checked_add(u64::from(requeues))
            .ok_or_else(|| {
                Error::overflow("sum of task requeue counters overflowed u64; drain the task ring")
            })?;
        Ok(())
    }

    /// Tasks a launch can run now: ready + yielded + requeued.
    pub fn schedulable_count(&self) -> Result<u32> {
        self.ready
            .checked_add(self.yielded)
            .and_then(|v| v.checked_add(self.requeued))
            .ok_or_else(|| {
                Error::overflow("schedulable task count overflowed u32; shard the task ring")
            })
    }

    /// Continuation pressure: yielded + requeued + Σ task requeue counters.
    pub fn continuation_pressure(&self) -> Result<u64> {
        u64::from(self.yielded)
            .checked_add(u64::from(self.requeued))
            .and_then(|v| v.checked_add(self.total_requeues))
            .ok_or_else(|| {
                Error::overflow("task continuation pressure overflowed u64; drain the task ring")
            })
    }

    /// Merge into a request: `requeue_count += continuation_pressure`,
    /// `max_priority_age = max(request, snapshot)`.
    pub fn apply_to_launch_request(&self, mut request: LaunchRequest) -> Result<LaunchRequest> {
        request.requeue_count = request
            .requeue_count
            .checked_add(self.continuation_pressure()?)
            .ok_or_else(|| Error::overflow("launch request requeue_count overflowed u64"))?;
        request.max_priority_age = request.max_priority_age.max(self.max_priority_age);
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    pub(crate) fn task(state_word: u32, age: u32, requeues: u32) -> [u32; 16] {
        let mut t = [0u32; 16];
        t[0] = state_word;
        t[3] = 2; // NORMAL priority
        t[10] = 77; // task id
        t[12] = age;
        t[13] = requeues;
        t
    }

    #[test]
    fn counts_every_state() {
        let words: Vec<u32> = [
            task(state::EMPTY, 0, 0),
            task(state::PUBLISHED, 3, 0),
            task(state::PUBLISHED, 1, 0),
            task(state::CLAIMED, 0, 0),
            task(state::DONE, 90, 4),
            task(state::WAIT_IO, 0, 0),
            task(state::YIELD, 5, 1),
            task(state::REQUEUE, 40, 2),
            task(state::FAULT, 0, 0),
        ]
        .concat();
        let s = TaskQueueSnapshot::from_words(&words).unwrap();
        assert_eq!(
            (s.ready, s.running, s.paused, s.yielded, s.requeued, s.faulted),
            (2, 1, 1, 1, 1, 1)
        );
        assert_eq!(s.total_requeues, 7);
        assert_eq!(s.max_priority_age, 90);
        assert_eq!(s.schedulable_count().unwrap(), 4);
        assert_eq!(s.continuation_pressure().unwrap(), 1 + 1 + 7);
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        assert_eq!(TaskQueueSnapshot::from_bytes(&bytes).unwrap(), s);
    }

    #[test]
    fn protocol_tasks_match_their_words() {
        let ready = Task::new(1, 8, 0, 2, 0, 0, 0);
        let requeued = ready.requeued(5, 6, 1).unwrap().requeued(5, 6, 1).unwrap();
        let yielded = ready.yielded(3, 4).unwrap();
        let tasks = [ready, requeued, yielded, ready.completed().unwrap()];
        let s = TaskQueueSnapshot::from_tasks(&tasks).unwrap();
        assert_eq!((s.ready, s.requeued, s.yielded), (1, 1, 1));
        assert_eq!(s.total_requeues, 2);
        assert_eq!(
            s.max_priority_age, 2,
            "each requeue ages the task by one tick"
        );
        assert_eq!(
            s,
            TaskQueueSnapshot::from_words(bytemuck::cast_slice(&tasks)).unwrap()
        );
        let bad = [Task { state: 9, ..ready }];
        assert_eq!(
            TaskQueueSnapshot::from_tasks(&bad).unwrap_err().status,
            Status::MalformedBuffer
        );
    }

    #[test]
    fn unknown_state_and_ragged_length_are_errors() {
        let words = [task(state::PUBLISHED, 0, 0), task(8, 0, 0)].concat();
        let err = TaskQueueSnapshot::from_words(&words).unwrap_err();
        assert_eq!(err.status, Status::MalformedBuffer);
        assert!(
            err.message.contains("task 1") && err.message.contains("state word 8"),
            "{}",
            err.message
        );
        assert_eq!(
            TaskQueueSnapshot::from_words(&[0; 15]).unwrap_err().status,
            Status::MalformedBuffer
        );
        assert_eq!(
            TaskQueueSnapshot::from_bytes(&[0; 65]).unwrap_err().status,
            Status::MalformedBuffer
        );
        assert_eq!(
            TaskQueueSnapshot::from_words(&[]).unwrap(),
            TaskQueueSnapshot::default()
        );
    }

    #[test]
    fn requeue_overflow_is_an_error() {
        let mut request = LaunchRequest {
            requeue_count: u64::MAX,
            ..LaunchRequest::default()
        };
        let words = task(state::REQUEUE, 0, 0);
        let s = TaskQueueSnapshot::from_words(&words).unwrap();
        assert_eq!(
            s.apply_to_launch_request(request).unwrap_err().status,
            Status::Overflow
        );
        request.requeue_count = 10;
        request.max_priority_age = 3;
        let merged = s.apply_to_launch_request(request).unwrap();
        assert_eq!(merged.requeue_count, 11);
        assert_eq!(merged.max_priority_age, 3);
    }
}
