//! The GEMM against a naive triple loop (summed in f64) on this machine, for every kernel level
//! the CPU supports, f32 and f64, many shapes (edge tiles, several depth blocks, several
//! column blocks, k = 0) and every layout the engine passes (plain, transposed, strided).

use ndarray::{s, Array2, ArrayView2, ShapeBuilder};

use super::*;
use crate::NumpyRng;

fn naive(
    alpha: f64,
    a: &ArrayView2<'_, f64>,
    b: &ArrayView2<'_, f64>,
    beta: f64,
    c0: &Array2<f64>,
) -> Array2<f64> {
    Array2::from_shape_fn(c0.dim(), |(i, j)| {
        let dot: f64 = (0..a.ncols()).map(|p| a[[i, p]] * b[[p, j]]).sum();
        let old = if beta == 0.0 { 0.0 } else { beta * c0[[i, j]] };
        alpha * dot + old
    })
}

/// Operands of shape (m, k) and (k, n) in the layout `layout` (0 plain, 1 transposed
/// storage, 2 every other column of a wider array), as f64 values exact in f32.
fn operand(rows: usize, cols: usize, layout: u8, rng: &mut NumpyRng) -> Array2<f64> {
    let values = rng.randn(rows, cols).mapv(|v| (v * 64.0).round() / 64.0);
    match layout {
        0 => values,
        1 => {
            // Column-major: each column contiguous, as a transposed row-major array.
            let mut t = Array2::zeros((rows, cols).f());
            t.assign(&values);
            t
        }
        _ => {
            let mut wide = Array2::zeros((rows, 2 * cols));
            wide.slice_mut(s![.., ..;2]).assign(&values);
            wide
        }
    }
}

fn view(a: &Array2<f64>, layout: u8) -> ArrayView2<'_, f64> {
    if layout == 2 {
        a.slice(s![.., ..;2])
    } else {
        a.view()
    }
}

/// `matmul_at(level, threads)` in `F` against `want` (the naive product); C is strided and
/// starts as NaN where `beta = 0` (so reading it would show).
#[allow(clippy::too_many_arguments)]
fn check<F: Float>(
    level: Level,
    threads: usize,
    (alpha, beta): (f64, f64),
    a: &ArrayView2<'_, f64>,
    b: &ArrayView2<'_, f64>,
    c0: &Array2<f64>,
    want: &Array2<f64>,
    tolerance: f64,
) {
    let (m, n) = c0.dim();
    let k = a.ncols();
    let (af, bf) = (a.mapv(F::of), b.mapv(F::of));
    let mut c_store = Array2::from_elem((m, 2 * n), F::nan());
    if beta != 0.0 {
        c_store.slice_mut(s![.., ..;2]).assign(&c0.mapv(F::of));
    }
    let mut c = c_store.slice_mut(s![.., ..;2]);
    matmul_at(
        level,
        threads,
        F::of(alpha),
        &af.view(),
        &bf.view(),
        F::of(beta),
        &mut c,
    );
    for ((i, j), &w) in want.indexed_iter() {
        let got = c[[i, j]].to_f64_lossless();
        let scale = w.abs().max(1.0) * (k as f64).sqrt().max(1.0);
        assert!(
            (got - w).abs() <= tolerance * scale,
            "{level:?} {} threads={threads} ({m},{n},{k}) alpha {alpha} beta {beta}: C[{i},{j}] = {got}, naive {w}",
            F::NAME
        );
    }
    // The columns between C's are untouched.
    assert!(
        c_store.slice(s![.., 1..;2]).iter().all(|v| v.is_nan()),
        "wrote outside C"
    );
}

#[test]
fn every_supported_kernel_matches_a_naive_product_in_f32_and_f64() {
    let levels: Vec<Level> = Level::ALL.into_iter().filter(|l| l.supported()).collect();
    assert!(levels.contains(&Level::Portable));
    let mut rng = NumpyRng::new(7);
    let shapes = [
        (1, 1, 1),
        (3, 5, 2),
        (12, 32, 256),
        (13, 33, 257),
        (29, 70, 300),
        (64, 1, 600),
        (1, 100, 40),
        (150, 65, 9),
        (20, 1100, 70),
        (7, 9, 0),
        (256, 64, 520),
        // A packed block of B over 1 MiB in f64 (256 x 700): walked in the BLIS order.
        (40, 700, 300),
    ];
    let scalars = [(1.0, 0.0), (0.5, 1.0), (-1.0, -0.25)];
    let mut cases = 0;
    for (shape, &(m, n, k)) in shapes.iter().enumerate() {
        for a_layout in 0..3 {
            for b_layout in 0..3 {
                let (a_store, b_store) = (
                    operand(m, k, a_layout, &mut rng),
                    operand(k, n, b_layout, &mut rng),
                );
                let (a, b) = (view(&a_store, a_layout), view(&b_store, b_layout));
                let ab = scalars[(shape + a_layout as usize + b_layout as usize) % 3];
                let c0 = rng.randn(m, n);
                let want = naive(ab.0, &a, &b, ab.1, &c0);
                for &level in &levels {
                    for threads in [1, 2] {
                        check::<f64>(level, threads, ab, &a, &b, &c0, &want, 1e-13);
                        check::<f32>(level, threads, ab, &a, &b, &c0, &want, 1e-5);
                    }
                }
                cases += 1;
            }
        }
    }
    assert_eq!(cases, shapes.len() * 9);
    eprintln!("checked {levels:?} on {cases} cases");
}

#[test]
fn the_chosen_kernel_is_the_best_supported_one_and_passed_its_check() {
    let chosen = chosen();
    let best = Level::ALL.into_iter().find(|l| l.supported()).unwrap();
    assert_eq!(chosen.level, best, "rejected: {:?}", chosen.rejected);
    assert!(self_check(chosen.level));
}

#[test]
fn fused_kernels_give_the_same_bits_whatever_the_level_and_the_threads() {
    let mut rng = NumpyRng::new(3);
    // Split by columns; and by rows, each member packing B (three depth blocks) for its own.
    for (m, n, k) in [(150, 300, 700), (300, 150, 700)] {
        let a = rng.randn(k, m);
        let b = rng.randn(k, n);
        for_types(&a, &b, m, n);
    }

    fn for_types(a: &Array2<f64>, b: &Array2<f64>, m: usize, n: usize) {
        let fused: Vec<Level> = [Level::Avx512, Level::Avx2]
            .into_iter()
            .filter(|l| l.supported())
            .collect();
        let mut results = Vec::new();
        for &level in &fused {
            for threads in [1, 2] {
                let mut c = Array2::<f64>::zeros((m, n));
                matmul_at(
                    level,
                    threads,
                    1.0,
                    &a.t(),
                    &b.view(),
                    0.0,
                    &mut c.view_mut(),
                );
                let a32 = a.mapv(|v| v as f32);
                let b32 = b.mapv(|v| v as f32);
                let mut c32 = Array2::<f32>::zeros((m, n));
                matmul_at(
                    level,
                    threads,
                    1.0,
                    &a32.t(),
                    &b32.view(),
                    0.0,
                    &mut c32.view_mut(),
                );
                results.push((level, threads, c, c32));
            }
        }
        for r in &results[1..] {
            assert!(
                r.2 == results[0].2 && r.3 == results[0].3,
                "{:?}/{} differs from {:?}/{}",
                r.0,
                r.1,
                results[0].0,
                results[0].1
            );
        }
    }
}

#[test]
fn a_packed_b_gives_the_bits_of_the_plain_product_on_every_level() {
    let levels: Vec<Level> = Level::ALL.into_iter().filter(|l| l.supported()).collect();
    let mut rng = NumpyRng::new(9);
    let mut cases = 0;
    // Depth over two blocks (300), widths that end in a partial tile, one row, k = 0.
    for (m, k, n) in [(29, 300, 70), (13, 40, 33), (1, 7, 1), (5, 0, 9)] {
        for a_layout in 0..3 {
            for b_layout in 0..3 {
                let (a_store, b_store) = (
                    operand(m, k, a_layout, &mut rng),
                    operand(k, n, b_layout, &mut rng),
                );
                let (a, b) = (view(&a_store, a_layout), view(&b_store, b_layout));
                let c0 = rng.randn(m, n);
                for &level in &levels {
                    same_bits::<f64>(level, &a, &b, &c0);
                    same_bits::<f32>(level, &a, &b, &c0);
                }
                cases += 1;
            }
        }
    }
    assert_eq!(cases, 4 * 9);

    fn same_bits<F: Float>(
        level: Level,
        a: &ArrayView2<'_, f64>,
        b: &ArrayView2<'_, f64>,
        c0: &Array2<f64>,
    ) {
        let (a, b, c0) = (a.mapv(F::of), b.mapv(F::of), c0.mapv(F::of));
        let (alpha, beta) = (F::of(0.75), F::of(-0.5));
        let mut plain = c0.clone();
        matmul_at(
            level,
            1,
            alpha,
            &a.view(),
            &b.view(),
            beta,
            &mut plain.view_mut(),
        );
        let mut packed = Vec::new();
        pack_b_at(level, &b.view(), &mut packed);
        let mut fused = c0.clone();
        matmul_packed_b_at(
            level,
            alpha,
            &a.view(),
            &packed,
            b.ncols(),
            beta,
            &mut fused.view_mut(),
        );
        let bits = |x: &Array2<F>| {
            x.iter()
                .map(|v| v.to_f64_lossless().to_bits())
                .collect::<Vec<_>>()
        };
        assert!(
            bits(&plain) == bits(&fused),
            "{level:?} {} {:?} x {:?}",
            F::NAME,
            a.dim(),
            b.dim()
        );
    }
}

#[test]
fn a_team_job_with_a_panicking_chunk_panics_and_the_team_works_after() {
    use std::collections::HashSet;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    // The other tests of this binary share the team, and a job posted while it is busy runs
    // on the caller alone (as does one whose worker is not scheduled in time): so each part
    // is tried until it ran as meant, a worker panicking and then every member taking
    // chunks, up to a deadline. (Checked once, the last part failed that way beside the
    // other tests.)
    let deadline = Instant::now() + Duration::from_secs(30);
    let has_workers = threads() > 1;
    // On a thread of its own, so that a hang fails the test instead of stalling the suite.
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut every_job_panicked, mut on_a_worker) = (true, false);
        while !on_a_worker && Instant::now() < deadline {
            // Each chunk in turn panics, whichever member takes it: the caller takes chunks
            // from the front, a worker from the back.
            for bad in 0..8 {
                let taker = Mutex::new(None);
                let job = catch_unwind(AssertUnwindSafe(|| {
                    on_team(8, &|member, chunk| {
                        std::thread::sleep(Duration::from_millis(2));
                        if chunk == bad {
                            *taker.lock().unwrap() = Some(member);
                            panic!("chunk {chunk} panics on purpose");
                        }
                    })
                }));
                every_job_panicked &= job.is_err();
                on_a_worker |= taker.into_inner().unwrap().is_some_and(|m| m != 0);
            }
            if !has_workers {
                break;
            }
        }
        let mut members = 0;
        while members < threads() && Instant::now() < deadline {
            let took = Mutex::new(HashSet::new());
            on_team(64, &|member, _| {
                std::thread::sleep(Duration::from_millis(1));
                took.lock().unwrap().insert(member);
            });
            members = took.into_inner().unwrap().len();
        }
        sender
            .send((every_job_panicked, on_a_worker, members))
            .unwrap();
    });
    let (every_job_panicked, on_a_worker, members) = receiver
        .recv_timeout(Duration::from_secs(90))
        .expect("a team job with a panicking chunk never returned");
    assert!(every_job_panicked, "a job with a panicking chunk returned");
    assert!(
        on_a_worker || !has_workers,
        "no panicking chunk ran on a worker in 30 s"
    );
    assert_eq!(
        members,
        threads(),
        "members that took chunks of one job after the panics (in 30 s)"
    );
}

#[test]
fn a_job_posted_while_the_workers_sleep_wakes_them() {
    use std::collections::HashSet;
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    // A job is posted with a wake only when a worker sleeps (`Shared::sleeping`): this waits
    // until every worker has gone to sleep (the other tests of this binary keep them busy
    // now and then), then checks that a job's chunks reach a worker. Tried until then, up to
    // a deadline: a job posted while the team is busy runs on its caller alone.
    let team = Team::get();
    let workers = team.threads() - 1;
    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut woke, mut slept) = (workers == 0, false);
    while !woke && Instant::now() < deadline {
        while team.asleep() < workers && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        slept |= team.asleep() == workers;
        let took = Mutex::new(HashSet::new());
        on_team(16, &|member, _| {
            std::thread::sleep(Duration::from_millis(2));
            took.lock().unwrap().insert(member);
        });
        woke = took.into_inner().unwrap().len() == team.threads();
    }
    assert!(
        workers == 0 || slept,
        "the team's {workers} workers never slept together in 60 s"
    );
    assert!(
        woke,
        "a job posted to sleeping workers ran on its caller alone for 60 s"
    );
}

#[test]
fn side_work_runs_on_the_workers_while_the_caller_works_and_is_all_done_when_dropped() {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::time::{Duration, Instant};

    // Side work posted while another thread of this binary has some posted runs on its
    // caller at once, as does the work of a team with no workers: so this is tried until a
    // worker took a chunk, up to a deadline. Meanwhile the caller runs team jobs of its own
    // and otherwise waits, as a training step's serial passes do. In every try each chunk
    // must run exactly once, all of them by the time the side work is dropped (the workers
    // alone would take about 13 ms, the caller's own work lasts 4).
    let has_workers = threads() > 1;
    let deadline = Instant::now() + Duration::from_secs(30);
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut tries, mut on_a_worker, mut every_chunk_once) = (0, false, true);
        while Instant::now() < deadline && !(on_a_worker && tries >= 3) {
            tries += 1;
            let runs: Vec<AtomicUsize> = (0..64).map(|_| AtomicUsize::new(0)).collect();
            let by_workers = AtomicUsize::new(0);
            let job = |member: usize, chunk: usize| {
                std::thread::sleep(Duration::from_micros(200));
                runs[chunk].fetch_add(1, SeqCst);
                if member != 0 {
                    by_workers.fetch_add(1, SeqCst);
                }
            };
            // SAFETY: dropped below.
            let posted = unsafe { beside(runs.len(), &job) };
            let jobs_ran = AtomicUsize::new(0);
            let until = Instant::now() + Duration::from_millis(4);
            while Instant::now() < until {
                on_team(4, &|_, _| {
                    jobs_ran.fetch_add(1, SeqCst);
                });
                std::thread::sleep(Duration::from_millis(1));
            }
            drop(posted);
            let after: Vec<usize> = runs.iter().map(|r| r.load(SeqCst)).collect();
            every_chunk_once &= after.iter().all(|&n| n == 1);
            every_chunk_once &= jobs_ran.load(SeqCst).is_multiple_of(4);
            on_a_worker |= by_workers.load(SeqCst) > 0;
            if !has_workers {
                break;
            }
        }
        sender.send((every_chunk_once, on_a_worker)).unwrap();
    });
    let (every_chunk_once, on_a_worker) = receiver
        .recv_timeout(Duration::from_secs(90))
        .expect("side work never finished");
    assert!(every_chunk_once, "a chunk of side work ran other than once");
    assert!(
        on_a_worker || !has_workers,
        "no chunk of side work ran on a worker in 30 s"
    );
}

#[test]
fn side_work_with_a_panicking_chunk_panics_when_dropped_and_the_team_works_after() {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::time::Duration;

    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let dropped = catch_unwind(AssertUnwindSafe(|| {
            let job = |_member: usize, chunk: usize| {
                std::thread::sleep(Duration::from_micros(100));
                assert_ne!(chunk, 5, "chunk 5 panics on purpose");
            };
            // SAFETY: dropped at the end of the closure.
            let _posted = unsafe { beside(16, &job) };
            std::thread::sleep(Duration::from_millis(2));
        }));
        let ran = AtomicUsize::new(0);
        let job = |_member: usize, _chunk: usize| {
            ran.fetch_add(1, SeqCst);
        };
        // SAFETY: dropped at once.
        drop(unsafe { beside(16, &job) });
        sender.send((dropped.is_err(), ran.load(SeqCst))).unwrap();
    });
    let (panicked, ran) = receiver
        .recv_timeout(Duration::from_secs(60))
        .expect("side work with a panicking chunk never returned");
    assert!(panicked, "side work with a panicking chunk did not panic");
    assert_eq!(ran, 16, "chunks of the side work posted after the panic");
}

#[test]
fn rows_are_split_by_whole_tiles_and_columns_by_whole_panels() {
    // The cat-shaped forward product's 256 rows over two members: 132 + 124, one edge panel
    // (4 rows) in all rather than one per member.
    assert_eq!(split_chunk(256, 2, false), 132);
    for (len, parts) in [(256, 2), (784, 2), (100, 3), (7, 2), (1, 1)] {
        let rows = split_chunk(len, parts, false);
        assert_eq!(rows % ROW_ALIGN, 0, "{len} rows over {parts}");
        assert!(
            len.div_ceil(rows) <= parts,
            "{len} rows over {parts}: chunks of {rows}"
        );
        let cols = split_chunk(len, parts, true);
        assert_eq!(cols % SPLIT_ALIGN, 0, "{len} columns over {parts}");
    }
    // A tile height of every level divides the row alignment.
    for level in Level::ALL {
        let mr = match level {
            Level::Avx512 => 12,
            Level::Avx2 => 6,
            Level::Portable => PORTABLE_MR,
        };
        assert_eq!(ROW_ALIGN % mr, 0, "{level:?}");
    }
}
