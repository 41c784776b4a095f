//! `Network::train_watched`: the observer sees the network after each iteration, and
//! watching changes nothing about the training.

use std::ops::ControlFlow;

use dnn_core::{Activation, GramForm, Init, Network, NumpyRng, Optimizer, TrainParams};
use ndarray::Array2;

/// Two noisy interleaved classes in 2-D, 120 points.
fn points() -> (Array2<f64>, Array2<f64>) {
    let mut rng = NumpyRng::new(7);
    let x = rng.randn(2, 120);
    let y = Array2::from_shape_fn((1, 120), |(_, j)| {
        f64::from(u8::from(x[[0, j]] * x[[1, j]] > 0.0))
    });
    (x, y)
}

fn net(sizes: &[usize]) -> Network<f64> {
    Network::builder(sizes)
        .hidden_activation(Activation::Tanh)
        .init(Init::He)
        .build(&mut NumpyRng::new(3))
        .expect("network")
}

#[test]
fn watching_trains_bit_for_bit_as_train_does() {
    let (x, y) = points();
    let setups = [
        TrainParams::new().learning_rate(0.5).iterations(40),
        TrainParams::new()
            .learning_rate(0.01)
            .epochs(30)
            .optimizer(Optimizer::ADAM)
            .mini_batches(32, 11)
            .dropout(0.9, 1),
        // The cat set-up's shape, where `train` would take the Gram form: without it,
        // the same parameters to rounding.
        TrainParams::new()
            .learning_rate(0.1)
            .iterations(30)
            .gram_form(GramForm::Never),
    ];
    for params in setups {
        let config = params.check().expect("config");
        let (mut plain, mut watched) = (net(&[2, 5, 3, 1]), net(&[2, 5, 3, 1]));
        let a = plain.train(&x, &y, &config, |_| ControlFlow::Continue(()));
        let mut seen = 0;
        let b = watched.train_watched(&x, &y, &config, |_, _| {
            seen += 1;
            ControlFlow::Continue(())
        });
        let (a, b) = (a.expect("train"), b.expect("train_watched"));
        assert_eq!(a.costs(), b.costs());
        assert_eq!(plain, watched);
        assert_eq!(seen, config.iterations());
    }
}

#[test]
fn the_observer_sees_the_parameters_after_each_iteration() {
    let (x, y) = points();
    let config = |n| {
        TrainParams::new()
            .learning_rate(0.3)
            .iterations(n)
            .check()
            .expect("config")
    };
    let mut snapshots = Vec::new();
    let mut watched = net(&[2, 4, 1]);
    watched
        .train_watched(&x, &y, &config(5), |p, now| {
            snapshots.push((p.iteration, now.clone()));
            ControlFlow::Continue(())
        })
        .expect("train_watched");
    for (iteration, snapshot) in snapshots {
        let mut fresh = net(&[2, 4, 1]);
        fresh.fit(&x, &y, &config(iteration + 1)).expect("fit");
        assert_eq!(snapshot, fresh, "after iteration {iteration}");
    }
}

#[test]
fn a_stop_from_the_watching_observer_keeps_the_last_update() {
    let (x, y) = points();
    let config = TrainParams::new()
        .learning_rate(0.3)
        .iterations(100)
        .check()
        .expect("config");
    let mut watched = net(&[2, 4, 1]);
    let mut last = None;
    let report = watched
        .train_watched(&x, &y, &config, |p, now| {
            last = Some(now.clone());
            if p.iteration == 9 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .expect("train_watched");
    assert_eq!(report.iterations_run(), 10);
    assert!(report.stopped_early());
    assert_eq!(last, Some(watched));
}
