//! [`TrainControl`]: a run publishes its progress batch by batch, stops between two
//! mini-batches when asked (keeping the updates of the batches that ran, as documented on
//! `TrainControl`), and computes the same numbers, to the bit, whether one is attached or not.
//!
//! The stops are deterministic: a request made before the run, at the end of an epoch (from
//! the observer), or at an exact update (`stop_after_updates`), never one timed from another
//! thread.

use std::ops::ControlFlow;
use std::sync::Arc;

use crate::common::bits;

use dnn_core::{
    BatchProgress, LrDecay, Network, NumpyRng, Optimizer, PartialEpoch, TrainConfig, TrainControl,
    TrainParams, TrainReport, Validation,
};
use ndarray::Array2;

/// Examples in the data: with batches of 20, five batches an epoch.
const M: usize = 100;
const BATCH: usize = 20;
const BATCHES: usize = M / BATCH;

/// Example-major inputs (`(M, 6)`, given transposed) and 0/1 labels.
fn data() -> (Array2<f64>, Array2<f64>) {
    let mut rng = NumpyRng::new(5);
    let x = rng.randn(M, 6);
    let y = rng.rand(1, M).mapv(|v| if v > 0.5 { 1.0 } else { 0.0 });
    (x, y)
}

fn network() -> Network<f64> {
    Network::<f64>::builder(&[6, 8, 4, 1])
        .build(&mut NumpyRng::new(2))
        .unwrap()
}

/// Mini-batch Adam with L2, dropout and decay: every path of the update that a stop could
/// disturb.
fn params(epochs: usize) -> TrainParams {
    TrainParams::new()
        .learning_rate(0.01)
        .iterations(epochs)
        .mini_batches(BATCH, 11)
        .optimizer(Optimizer::ADAM)
        .l2(0.05)
        .dropout(0.9, 3)
        .decay(LrDecay::InverseTime { rate: 0.3 })
}

/// The network after training on `data()` as `config` says, and the report.
fn trained(config: &TrainConfig) -> (Network<f64>, TrainReport) {
    let (x, y) = data();
    let mut net = network();
    let report = net.fit(x.t(), &y, config).unwrap();
    (net, report)
}

fn controlled(epochs: usize) -> (TrainConfig, Arc<TrainControl>) {
    let control = Arc::new(TrainControl::new());
    let config = params(epochs)
        .check()
        .unwrap()
        .with_control(Arc::clone(&control));
    (config, control)
}

#[test]
fn an_attached_control_changes_no_number_and_counts_every_batch() {
    let (plain_net, plain) = trained(&params(4).check().unwrap());
    let (config, control) = controlled(4);
    let (net, report) = trained(&config);
    let costs = |r: &TrainReport| r.costs().iter().map(|c| c.to_bits()).collect::<Vec<_>>();
    assert_eq!(costs(&report), costs(&plain));
    assert_eq!(bits(&net), bits(&plain_net));
    assert_eq!(report.partial_epoch(), None);
    assert!(!report.stopped_early());
    assert_eq!(
        control.progress(),
        BatchProgress {
            updates: (4 * BATCHES) as u64,
            batches: BATCHES,
            epochs: 4
        }
    );
    assert_eq!(control.progress().fraction(), 1.0);
}

#[test]
fn a_stop_requested_before_the_run_ends_it_after_the_first_mini_batch() {
    let (config, control) = controlled(4);
    control.request_stop();
    let (net, report) = trained(&config);
    assert_eq!(report.iterations_run(), 0);
    assert!(report.stopped_early());
    let partial = report.partial_epoch().expect("stopped inside epoch 0");
    assert_eq!(
        (partial.epoch, partial.batches_run, partial.batches),
        (0, 1, BATCHES)
    );
    assert!(
        partial.cost.is_finite() && partial.cost > 0.0,
        "{partial:?}"
    );
    assert_eq!(control.progress().updates, 1);
    // The first batch's update is kept.
    assert_ne!(bits(&net), bits(&network()));
}

/// A stop at update `n` keeps exactly `n` updates: at an epoch's end the network is the one a
/// run of that many epochs trains, to the bit; inside an epoch, each further batch changes it.
#[test]
fn a_stop_at_an_exact_update_keeps_exactly_the_batches_that_ran() {
    let mut seen = Vec::new();
    for n in [5u64, 6, 7, 8, 10] {
        let (config, control) = controlled(4);
        control.stop_after_updates(n);
        let (net, report) = trained(&config);
        assert_eq!(control.progress().updates, n, "stopped within the batch");
        let (epochs, batch) = (n as usize / BATCHES, n as usize % BATCHES);
        assert_eq!(report.iterations_run(), epochs, "stop after {n}");
        match batch {
            0 => {
                assert_eq!(report.partial_epoch(), None, "stop after {n}");
                let (whole, _) = trained(&params(epochs).check().unwrap());
                assert_eq!(bits(&net), bits(&whole), "stop after {n}: {epochs} epochs");
            }
            _ => {
                let partial: PartialEpoch = report.partial_epoch().expect("inside an epoch");
                assert_eq!(
                    (partial.epoch, partial.batches_run, partial.batches),
                    (epochs, batch, BATCHES),
                    "stop after {n}"
                );
            }
        }
        // The completed epochs' costs are the uncontrolled run's.
        let (_, full) = trained(&params(4).check().unwrap());
        assert_eq!(report.costs(), &full.costs()[..epochs]);
        seen.push(bits(&net));
    }
    for (i, a) in seen.iter().enumerate() {
        for b in &seen[i + 1..] {
            assert_ne!(a, b, "two stops left the same parameters");
        }
    }
}

#[test]
fn a_stop_requested_from_the_observer_ends_the_run_at_that_epochs_end() {
    let (config, control) = controlled(6);
    let (x, y) = data();
    let mut net = network();
    let mut observed = Vec::new();
    let report = net
        .train(x.t(), &y, &config, |p| {
            observed.push((p.iteration, control.progress()));
            if p.iteration == 1 {
                control.request_stop();
            }
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(report.iterations_run(), 2);
    assert_eq!(report.partial_epoch(), None);
    assert_eq!(control.progress().updates, (2 * BATCHES) as u64);
    // The observer sees the counter at each epoch's end.
    let at_ends: Vec<_> = observed
        .iter()
        .map(|(i, p)| (*i, p.epoch(), p.batch()))
        .collect();
    assert_eq!(at_ends, [(0, 1, 0), (1, 2, 0)]);
}

/// With a validation part, the observer (and the validation cost) sees the completed epochs
/// only: a partial epoch has no validation cost.
#[test]
fn a_stop_inside_an_epoch_is_not_observed_as_an_epoch() {
    let (config, control) = controlled(4);
    control.stop_after_updates(7);
    let (x, y) = data();
    let mut net = network();
    let x_val = NumpyRng::new(9).randn(6, 30);
    let y_val = NumpyRng::new(10)
        .rand(1, 30)
        .mapv(|v| (v > 0.5) as u8 as f64);
    let mut val = Validation::new(&net, &x_val, &y_val, 4).unwrap();
    let mut observed = 0;
    let report = net
        .train_validated(x.t(), &y, &mut val, &config, |_, _| {
            observed += 1;
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(observed, 1);
    assert_eq!(val.finish(&mut net).costs().len(), 1);
    assert_eq!(report.partial_epoch().map(|p| p.batches_run), Some(2));
}

/// Full-batch training has one batch an epoch: a stop ends the iteration under way, whole.
#[test]
fn full_batch_training_stops_at_the_end_of_the_iteration() {
    let control = Arc::new(TrainControl::new());
    control.request_stop();
    let config = TrainParams::new()
        .learning_rate(0.05)
        .iterations(50)
        .check()
        .unwrap()
        .with_control(Arc::clone(&control));
    let (_, report) = trained(&config);
    assert_eq!(report.iterations_run(), 1);
    assert_eq!(report.partial_epoch(), None);
    assert_eq!(
        control.progress(),
        BatchProgress {
            updates: 1,
            batches: 1,
            epochs: 50
        }
    );
}
