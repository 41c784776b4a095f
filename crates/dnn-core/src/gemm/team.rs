//! A team of worker threads, started once, that shares out the chunks of one job: how a
//! product (or the fused weight update) is split over the cores.
//!
//! Members take chunks as they go, so the calling thread finishes the job alone if a worker is
//! not scheduled (on a busy machine), and waits only for workers that are running a chunk; a
//! worker that wakes after the job is over leaves it alone. The caller takes chunks from the
//! front and the workers from the back, so where two jobs of an iteration split the same rows
//! alike (the forward product of a layer and its weight step, 12 rows a chunk), each block of
//! rows tends to stay on one core from one job to the next. Running a job
//! allocates nothing (a mutex, a condition variable and atomics), so the training loop stays
//! allocation-free; a worker spins briefly after each job, because the next product of an
//! iteration follows at once, and yields its core now and then while it spins, so that on a
//! busy machine it does not keep the thread that posts the next job (or another program)
//! from running. A chunk that panics (a bug) makes the job panic on the caller
//! once every member has left it, rather than leave the caller waiting for a worker that is
//! gone, or the workers running a job whose caller has unwound.
//!
//! Besides its jobs, the team takes work posted *beside* the caller's own ([`Team::beside`]):
//! the workers run its chunks while they would otherwise wait for the next job (during the
//! serial passes of an iteration, or while the caller finishes a job's last chunk), one chunk
//! at a time so that a job posted meanwhile is joined soon, and the caller runs whatever is
//! left when it needs the result. A training loop gathers its next mini-batch that way.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The job: called with the member's index (the caller is member 0) and a chunk.
type Job = dyn Fn(usize, usize) + Sync;

/// A job's address with its lifetime erased; valid while its generation is open.
#[derive(Clone, Copy)]
struct JobPtr(*const Job);
// SAFETY: the job is `Sync`, and is only called while [`Team::run`] (or a [`Beside`]) keeps it
// alive.
unsafe impl Send for JobPtr {}

struct Shared {
    /// The latest job: its generation and address.
    slot: Mutex<(u64, Option<JobPtr>)>,
    wake: Condvar,
    /// The generation of the job still open (0: none).
    open: AtomicU64,
    /// The chunks not yet taken, `front..back`, as `(front << 32) | back`.
    ends: AtomicU64,
    /// Workers inside the open job.
    active: AtomicUsize,
    /// Workers asleep on `wake`, counted under `slot`'s lock: a job is posted with a
    /// `futex` wake only when one is (most find the next job while they spin, and a wake
    /// with no sleeper is a system call for nothing: 9,377 of the mnist-shaped bench's
    /// 9,386 wakes in f32 woke no one).
    sleeping: AtomicUsize,
    /// Whether a worker's chunk of the open job panicked.
    panicked: AtomicBool,
    /// The work posted beside the jobs ([`Team::beside`]).
    side: Side,
}

/// Work posted beside the team's jobs ([`Team::beside`]), with its own generations: the
/// same protocol as a job's (a member counts itself in `active`, then checks that the
/// generation is still open before it reads the job), without waking anyone.
struct Side {
    /// The open side job's generation and address.
    slot: Mutex<(u64, Option<JobPtr>)>,
    /// The generation of the side job still open (0: none).
    open: AtomicU64,
    /// Its chunks not yet taken, as [`Shared::ends`].
    ends: AtomicU64,
    /// Threads running its chunks, other than the one dropping its [`Beside`].
    active: AtomicUsize,
    /// Whether a chunk of it panicked on another member.
    panicked: AtomicBool,
}

impl Side {
    /// Whether the open side job (if any) has chunks left: a load or two, for the loops that
    /// wait.
    fn has_chunks(&self) -> bool {
        if self.open.load(SeqCst) == 0 {
            return false;
        }
        let ends = self.ends.load(SeqCst);
        ends >> 32 < ends & 0xffff_ffff
    }
}

/// The process's team: `threads() - 1` workers plus the calling thread.
pub(super) struct Team {
    shared: &'static Shared,
    workers: usize,
    /// One job at a time: a second caller runs its job alone instead of waiting.
    busy: Mutex<u64>,
    /// One side job at a time ([`Team::beside`]), its generations counted here.
    side_busy: Mutex<u64>,
}

/// How long a worker keeps checking for the next job before it sleeps: longer than the serial
/// passes between an iteration's products (activations, cost, a small last layer), because
/// waking a sleeping worker is a futex call, and slow under a hypervisor (50 µs here left
/// the worker asleep at most products of a mini-batch run).
const SPIN: Duration = Duration::from_micros(3000);

/// How often a waiting worker offers its core to another thread (`sched_yield`), in spins:
/// on a machine with other work it gives the core to the thread that will post the next job
/// (or to the other program) instead of spinning through its time slice. Measured with the
/// mnist-shaped bench's run (`dnn train` on `mnist.npz`, f32, Adam, batches of 128, 2 epochs,
/// 2 cores, medians of 3): beside a one-core busy loop, `--threads 2` took 2.30 s against
/// `--threads 1`'s 1.87 s before and 1.87 s after; on idle cores 1.46 s before and after,
/// with no more CPU time (2.5 s user).
const YIELD_EVERY: u32 = 256;

/// The process's team, started once.
static TEAM: OnceLock<Team> = OnceLock::new();

impl Team {
    /// The team, started on first use with one member per available core (at most 8).
    pub(super) fn get() -> &'static Team {
        TEAM.get_or_init(|| {
            Team::start(std::thread::available_parallelism().map_or(1, |n| n.get().min(8)))
        })
    }

    /// The team of `threads` members, started now if it has not started yet; `Err` with the
    /// members of the team already running when that is another number.
    pub(super) fn get_with(threads: usize) -> Result<&'static Team, usize> {
        let team = TEAM.get_or_init(|| Team::start(threads));
        if team.threads() == threads {
            Ok(team)
        } else {
            Err(team.threads())
        }
    }

    /// Starts `threads - 1` workers (fewer if the system refuses some) and waits until each
    /// runs.
    fn start(threads: usize) -> Team {
        let shared: &'static Shared = Box::leak(Box::new(Shared {
            slot: Mutex::new((0, None)),
            wake: Condvar::new(),
            open: AtomicU64::new(0),
            ends: AtomicU64::new(0),
            active: AtomicUsize::new(0),
            sleeping: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
            side: Side {
                slot: Mutex::new((0, None)),
                open: AtomicU64::new(0),
                ends: AtomicU64::new(0),
                active: AtomicUsize::new(0),
                panicked: AtomicBool::new(false),
            },
        }));
        let (ready, running) = std::sync::mpsc::channel();
        let mut started = 0;
        for index in 1..threads {
            let ready = ready.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("dnn-gemm-{index}"))
                .spawn(move || {
                    super::reserve_buffers();
                    let _ = ready.send(());
                    drop(ready);
                    worker(shared, index)
                });
            if spawned.is_ok() {
                started += 1;
            }
        }
        // Wait until every worker runs with its buffers: a new thread allocates as it
        // starts (the bookkeeping of its stack guard, and here its packing buffers), and
        // would otherwise do so whenever the system gets round to it, or at the first
        // chunk it takes, in a training loop that allocates nothing after its first
        // iteration.
        drop(ready);
        for _ in 0..started {
            let _ = running.recv();
        }
        Team {
            shared,
            workers: started,
            busy: Mutex::new(0),
            side_busy: Mutex::new(0),
        }
    }

    /// Workers asleep now, waiting for a job to be posted.
    #[cfg(test)]
    pub(super) fn asleep(&self) -> usize {
        self.shared.sleeping.load(SeqCst)
    }

    /// Members, the calling thread included.
    pub(super) fn threads(&self) -> usize {
        self.workers + 1
    }

    /// Runs `job(member, chunk)` once for every chunk in `0..chunks`, shared out over the
    /// members, and returns when all chunks are done. If another thread is using the team,
    /// runs every chunk here instead.
    ///
    /// # Panics
    /// If a chunk panics, once no member is inside the job any more.
    pub(super) fn run(&self, chunks: usize, job: &(dyn Fn(usize, usize) + Sync + '_)) {
        let mut generation = match self.busy.try_lock() {
            Ok(g) if self.workers > 0 && chunks > 1 => g,
            _ => {
                for chunk in 0..chunks {
                    job(0, chunk);
                }
                return;
            }
        };
        *generation += 1;
        let id = *generation;
        // SAFETY: the job outlives this call; workers call it only while generation `id` is
        // open, and this call closes it and waits for the workers inside before returning.
        let erased: *const Job = unsafe {
            std::mem::transmute::<&(dyn Fn(usize, usize) + Sync + '_), &'static Job>(job)
        };
        let shared = self.shared;
        // The generation's chunks, `0..chunks` (`back` has 32 bits).
        let back = u32::try_from(chunks).expect("a team job has fewer than 2^32 chunks");
        shared.ends.store(u64::from(back), SeqCst);
        shared.open.store(id, SeqCst);
        let sleeping = {
            let mut slot = shared.slot.lock().unwrap_or_else(|e| e.into_inner());
            *slot = (id, Some(JobPtr(erased)));
            // A worker that has not counted itself asleep by now finds this job under the
            // lock before it would wait.
            shared.sleeping.load(SeqCst)
        };
        if sleeping > 0 {
            shared.wake.notify_all();
        }
        let mine = catch_unwind(AssertUnwindSafe(|| {
            take_chunks(&shared.ends, 0, job, || false)
        }));
        shared.open.store(0, SeqCst);
        // Chunks of side work while a worker finishes the job's last chunk: the wait is
        // seldom longer than one.
        wait_until_none(&shared.active, || {
            help_beside(shared, 0, || shared.active.load(SeqCst) == 0)
        });
        let theirs = shared.panicked.swap(false, SeqCst);
        // Released before unwinding, so that the lock is not poisoned for the next job.
        drop(generation);
        if let Err(payload) = mine {
            resume_unwind(payload);
        }
        assert!(
            !theirs,
            "a chunk of a GEMM team job panicked on a worker thread"
        );
    }

    /// Posts `job(member, chunk)` for every chunk in `0..chunks` beside this thread's own
    /// work, and returns at once: the workers run its chunks while they wait for jobs (and
    /// the caller of [`Team::run`] while it waits for them), and dropping the returned
    /// [`Beside`] runs the chunks still left on this thread and waits for those under way.
    /// Where there are no workers, or another thread has side work posted, every chunk runs
    /// here and now. Allocates nothing.
    ///
    /// # Safety
    /// The returned [`Beside`] must be dropped, not leaked (`mem::forget`): the workers may
    /// call `job` until it is.
    pub(super) unsafe fn beside<'a>(
        &'a self,
        chunks: usize,
        job: &'a (dyn Fn(usize, usize) + Sync + 'a),
    ) -> Beside<'a> {
        let mut generation = match self.side_busy.try_lock() {
            Ok(g) if self.workers > 0 && chunks > 0 => g,
            _ => {
                for chunk in 0..chunks {
                    job(0, chunk);
                }
                return Beside {
                    posted: None,
                    shared: self.shared,
                    job,
                };
            }
        };
        *generation += 1;
        let id = *generation;
        // SAFETY: as in `run`: workers call the job only while generation `id` is open, and
        // dropping the `Beside` closes it and waits for them before the borrow ends.
        let erased: *const Job = unsafe {
            std::mem::transmute::<&(dyn Fn(usize, usize) + Sync + '_), &'static Job>(job)
        };
        let side = &self.shared.side;
        let back = u32::try_from(chunks).expect("a side job has fewer than 2^32 chunks");
        *side.slot.lock().unwrap_or_else(|e| e.into_inner()) = (id, Some(JobPtr(erased)));
        side.ends.store(u64::from(back), SeqCst);
        side.open.store(id, SeqCst);
        Beside {
            posted: Some(generation),
            shared: self.shared,
            job,
        }
    }
}

/// Side work posted by [`Team::beside`]; dropping it finishes the work.
pub(crate) struct Beside<'a> {
    /// The side generations' lock, held while the work is posted (`None`: it ran already).
    posted: Option<std::sync::MutexGuard<'a, u64>>,
    shared: &'static Shared,
    job: &'a (dyn Fn(usize, usize) + Sync + 'a),
}

impl Drop for Beside<'_> {
    /// Runs the chunks that no worker has taken, waits for those under way, and closes the
    /// generation; then panics if a chunk panicked (unless this thread is unwinding already).
    fn drop(&mut self) {
        let Some(generation) = self.posted.take() else {
            return;
        };
        let side = &self.shared.side;
        let job = self.job;
        let mine = catch_unwind(AssertUnwindSafe(|| {
            take_chunks(&side.ends, 0, job, || false)
        }));
        side.open.store(0, SeqCst);
        wait_until_none(&side.active, || false);
        let theirs = side.panicked.swap(false, SeqCst);
        *side.slot.lock().unwrap_or_else(|e| e.into_inner()) = (0, None);
        drop(generation);
        if std::thread::panicking() {
            return;
        }
        if let Err(payload) = mine {
            resume_unwind(payload);
        }
        assert!(!theirs, "a chunk of side work panicked on another thread");
    }
}

/// Waits until no thread is inside a job (`inside` is 0), spinning and offering the core to
/// other threads now and then; on each turn `meanwhile()` may do some other work first (it
/// says whether it did).
fn wait_until_none(inside: &AtomicUsize, mut meanwhile: impl FnMut() -> bool) {
    let mut spins = 0u32;
    while inside.load(SeqCst) != 0 {
        if meanwhile() {
            continue;
        }
        spins = spins.wrapping_add(1);
        if spins.is_multiple_of(1024) {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
}

/// Runs chunks of the open side job, if it has any left, one at a time until none is left or
/// `stop()` says a job is waiting; returns whether it ran one. `member` 0 takes chunks from the
/// front, the others from the back.
fn help_beside(shared: &Shared, member: usize, stop: impl Fn() -> bool) -> bool {
    let side = &shared.side;
    if !side.has_chunks() {
        return false;
    }
    side.active.fetch_add(1, SeqCst);
    let id = side.open.load(SeqCst);
    let mut ran = false;
    if id != 0 {
        let job = match *side.slot.lock().unwrap_or_else(|e| e.into_inner()) {
            (posted, Some(job)) if posted == id => Some(job),
            _ => None,
        };
        if let Some(JobPtr(job)) = job {
            // SAFETY: generation `id` is open and this member is counted in `active`, so the
            // `Beside` that posted it has not finished dropping and the job is alive.
            let job = unsafe { &*job };
            let taken = || take_chunks(&side.ends, member, job, stop);
            match catch_unwind(AssertUnwindSafe(taken)) {
                Ok(chunks) => ran = chunks > 0,
                Err(_) => {
                    side.panicked.store(true, SeqCst);
                    ran = true;
                }
            }
        }
    }
    side.active.fetch_sub(1, SeqCst);
    ran
}

/// Takes chunks until none is left: the caller (member 0) the first one left, a worker the
/// last one. (Measured in one process, alternating runs of the mnist-shaped bench with a
/// shared counter: training 1.636 -> 1.621 s in f32 and 3.050 -> 2.975 s in f64, medians of
/// 10 and 5; the forward phase 0.578 -> 0.563 s.)
///
/// `ends_left` holds the chunks left (a job's or a side job's); `stop()`, asked before each
/// chunk, ends the taking early. Returns how many chunks this member ran.
fn take_chunks(
    ends_left: &AtomicU64,
    member: usize,
    job: &(dyn Fn(usize, usize) + Sync + '_),
    stop: impl Fn() -> bool,
) -> usize {
    let mut ran = 0;
    let mut ends = ends_left.load(SeqCst);
    loop {
        let (front, back) = (ends >> 32, ends & 0xffff_ffff);
        if front >= back || stop() {
            return ran;
        }
        let (taken, chunk) = match member {
            0 => (((front + 1) << 32) | back, front),
            _ => ((front << 32) | (back - 1), back - 1),
        };
        match ends_left.compare_exchange_weak(ends, taken, SeqCst, SeqCst) {
            Ok(_) => {
                job(member, chunk as usize);
                ran += 1;
                ends = ends_left.load(SeqCst);
            }
            Err(now) => ends = now,
        }
    }
}

fn worker(shared: &'static Shared, index: usize) {
    let mut seen = 0u64;
    loop {
        // Spin a little, then sleep until a new job is posted.
        let mut start = Instant::now();
        let mut spins = 0u32;
        while shared.open.load(SeqCst) <= seen && start.elapsed() < SPIN {
            // Side work while no job is posted, a chunk at a time.
            if help_beside(shared, index, || shared.open.load(SeqCst) > seen) {
                start = Instant::now();
                continue;
            }
            spins = spins.wrapping_add(1);
            if spins.is_multiple_of(YIELD_EVERY) {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
        let (id, job) = {
            let mut slot = shared.slot.lock().unwrap_or_else(|e| e.into_inner());
            while slot.0 == seen {
                shared.sleeping.fetch_add(1, SeqCst);
                slot = shared.wake.wait(slot).unwrap_or_else(|e| e.into_inner());
                shared.sleeping.fetch_sub(1, SeqCst);
            }
            *slot
        };
        seen = id;
        shared.active.fetch_add(1, SeqCst);
        if shared.open.load(SeqCst) == id {
            if let Some(JobPtr(job)) = job {
                // SAFETY: generation `id` is open and this worker is counted in `active`, so
                // the caller of `run` is still waiting and the job is alive.
                let job = unsafe { &*job };
                let taken = || take_chunks(&shared.ends, index, job, || false);
                if catch_unwind(AssertUnwindSafe(taken)).is_err() {
                    shared.panicked.store(true, SeqCst);
                }
            }
        }
        shared.active.fetch_sub(1, SeqCst);
    }
}
