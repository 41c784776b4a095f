//! A team of worker threads, started once, that runs one job on every member and waits for
//! all: how a product is split over the cores. Running a job allocates nothing (a mutex, a
//! condition variable and two atomics), so the training loop stays allocation-free; a worker
//! spins briefly after each job, because the next product of an iteration follows at once.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The job: called with the member's index (the caller is member 0).
type Job = dyn Fn(usize) + Sync;

/// A job's address with its lifetime erased; valid while [`Team::run`] waits for it.
#[derive(Clone, Copy)]
struct JobPtr(*const Job);
// SAFETY: the job is `Sync` and outlives every use (run waits until all members are done).
unsafe impl Send for JobPtr {}

struct Shared {
    /// The job of the current generation.
    job: Mutex<Option<JobPtr>>,
    wake: Condvar,
    /// Incremented for each job; workers watch it.
    generation: AtomicU64,
    /// Workers still running the current job.
    running: AtomicUsize,
}

/// The process's team: `threads() - 1` workers plus the calling thread.
pub(super) struct Team {
    shared: &'static Shared,
    workers: usize,
    /// One job at a time: a second caller runs its product alone instead of waiting.
    busy: Mutex<()>,
}

/// How long a worker keeps checking for the next job before it sleeps.
const SPIN: Duration = Duration::from_micros(50);

impl Team {
    /// The team, started on first use with one member per available core (at most 8).
    pub(super) fn get() -> &'static Team {
        static TEAM: OnceLock<Team> = OnceLock::new();
        TEAM.get_or_init(|| {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
            let shared: &'static Shared = Box::leak(Box::new(Shared {
                job: Mutex::new(None),
                wake: Condvar::new(),
                generation: AtomicU64::new(0),
                running: AtomicUsize::new(0),
            }));
            let mut started = 0;
            for index in 1..threads {
                let spawned = std::thread::Builder::new()
                    .name(format!("dnn-gemm-{index}"))
                    .spawn(move || worker(shared, index));
                if spawned.is_ok() {
                    started += 1;
                }
            }
            Team {
                shared,
                workers: started,
                busy: Mutex::new(()),
            }
        })
    }

    /// Members, the calling thread included.
    pub(super) fn threads(&self) -> usize {
        self.workers + 1
    }

    /// Runs `job(0)` here and `job(1..threads())` on the workers, and returns when all are
    /// done. If another thread is using the team, runs every part here instead.
    pub(super) fn run(&self, job: &(dyn Fn(usize) + Sync + '_)) {
        let guard = match self.busy.try_lock() {
            Ok(g) if self.workers > 0 => g,
            _ => {
                for i in 0..self.threads() {
                    job(i);
                }
                return;
            }
        };
        // SAFETY: `job` outlives this call, which returns only when `running` is back to 0.
        let erased: *const Job =
            unsafe { std::mem::transmute::<&(dyn Fn(usize) + Sync + '_), &'static Job>(job) };
        self.shared.running.store(self.workers, Ordering::Release);
        {
            let mut slot = self.shared.job.lock().unwrap_or_else(|e| e.into_inner());
            *slot = Some(JobPtr(erased));
            self.shared.generation.fetch_add(1, Ordering::AcqRel);
        }
        self.shared.wake.notify_all();
        job(0);
        let mut spins = 0u32;
        while self.shared.running.load(Ordering::Acquire) != 0 {
            spins = spins.wrapping_add(1);
            if spins.is_multiple_of(1024) {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
        drop(guard);
    }
}

fn worker(shared: &'static Shared, index: usize) {
    let mut seen = 0u64;
    loop {
        // Spin a little, then sleep until the generation changes.
        let start = Instant::now();
        while shared.generation.load(Ordering::Acquire) == seen && start.elapsed() < SPIN {
            std::hint::spin_loop();
        }
        let job = {
            let mut slot = shared.job.lock().unwrap_or_else(|e| e.into_inner());
            while shared.generation.load(Ordering::Acquire) == seen {
                slot = shared.wake.wait(slot).unwrap_or_else(|e| e.into_inner());
            }
            seen = shared.generation.load(Ordering::Acquire);
            *slot
        };
        if let Some(JobPtr(job)) = job {
            // SAFETY: the caller of `run` keeps the job alive until `running` reaches 0.
            unsafe { (*job)(index) };
        }
        shared.running.fetch_sub(1, Ordering::AcqRel);
    }
}
