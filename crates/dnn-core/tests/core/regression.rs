//! The identity output (regression): numpy's forward pass, half mean squared error and
//! gradient-descent steps to 1e-12 (`tests/reference/gen_regression.py` →
//! `tests/data/regression.json`), finite-difference gradients, the engine's mini-batch and
//! Adam paths learning a known function in f64 and f32, and what a regression network
//! refuses.

use crate::common::{f, get, list, load, Close};
use dnn_core::{
    gradient_check, Activation, DnnError, GramForm, Init, Network, NumpyRng, Optimizer, TrainParams,
};
use ndarray::Array2;

/// A JSON list of rows (as `tolist()` writes them) as a matrix.
fn arr2(v: &serde_json::Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = list(v)
        .iter()
        .map(|r| list(r).iter().map(f).collect())
        .collect();
    Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j])
}

fn network() -> Network<f64> {
    Network::<f64>::builder(&[4, 5, 2])
        .init(Init::He)
        .output(Activation::Identity)
        .build(&mut NumpyRng::new(1))
        .unwrap()
}

#[test]
fn identity_forward_cost_and_steps_match_numpy() {
    let fx = load("regression.json");
    let (x, y) = (arr2(get(&fx, "x")), arr2(get(&fx, "y")));
    let mut close = Close::new(1e-12);
    close.arr(
        "AL",
        &network().predict_proba(&x).unwrap(),
        &arr2(get(&fx, "initial_outputs")),
    );
    // `predict` of a regression network is its outputs, not a 0/1 threshold.
    assert_eq!(
        network().predict(&x).unwrap(),
        network().predict_proba(&x).unwrap()
    );
    let history = list(get(&fx, "params"));
    assert_eq!(history.len(), 3, "numpy's steps in the fixture");
    for (step, want) in history.iter().enumerate() {
        let mut net = network();
        let params = TrainParams::new()
            .learning_rate(0.1)
            .iterations(step + 1)
            .check()
            .unwrap();
        let report = net.fit(&x, &y, &params).unwrap();
        for (i, c) in report.costs().iter().enumerate() {
            close.scalar(&format!("cost {i}"), *c, f(&list(get(&fx, "costs"))[i]));
        }
        for (l, layer) in net.layers().iter().enumerate() {
            let want = list(&list(want)[l]);
            close.arr(
                &format!("step {} W{}", step + 1, l + 1),
                layer.weights(),
                &arr2(&want[0]),
            );
            close.arr(
                &format!("step {} b{}", step + 1, l + 1),
                layer.bias(),
                &arr2(&want[1]),
            );
        }
        if step == 2 {
            close.arr(
                "final AL",
                &net.predict_proba(&x).unwrap(),
                &arr2(get(&fx, "final_outputs")),
            );
        }
    }
    assert!(close.count > 100, "{} numbers compared", close.count);
}

#[test]
fn identity_backprop_matches_centred_finite_differences() {
    let fx = load("regression.json");
    let (x, y) = (arr2(get(&fx, "x")), arr2(get(&fx, "y")));
    for hidden in [Activation::Relu, Activation::Tanh, Activation::Sigmoid] {
        let net = Network::<f64>::builder(&[4, 6, 4, 2])
            .hidden_activation(hidden)
            .init(Init::Xavier)
            .output(Activation::Identity)
            .build(&mut NumpyRng::new(7))
            .unwrap();
        // ε = 1e-6: the targets are a few units, so the cost is too, and ε = 1e-7 leaves
        // rounding of about 1e-7 of the difference quotients (truncation is O(ε²)).
        let diff = gradient_check(&net, &x, &y, 1e-6).unwrap();
        assert!(diff < 1e-7, "{hidden}: relative difference {diff}");
    }
}

/// `y = sin(x0) + x1 x2 - 0.5 x3` on 2000 points of N(0, 1)⁴, one row per feature.
fn smooth_function() -> (Array2<f64>, Array2<f64>) {
    let x = NumpyRng::new(3).randn(4, 2000);
    let y = Array2::from_shape_fn((1, 2000), |(_, j)| {
        x[[0, j]].sin() + x[[1, j]] * x[[2, j]] - 0.5 * x[[3, j]]
    });
    (x, y)
}

fn mean_squared_error(p: &Array2<f64>, y: &Array2<f64>) -> f64 {
    (p - y).mapv(|d| d * d).mean().unwrap()
}

#[test]
fn mini_batch_adam_learns_a_smooth_function_in_f64_and_f32_and_both_forms_agree() {
    let (x, y) = smooth_function();
    let variance = y.var(0.0);
    let params = |gram| {
        TrainParams::new()
            .optimizer(Optimizer::ADAM)
            .learning_rate(0.01)
            .mini_batches(64, 2)
            .epochs(60)
            .gram_form(gram)
            .check()
            .unwrap()
    };
    let build = || {
        Network::<f64>::builder(&[4, 32, 16, 1])
            .init(Init::He)
            .output(Activation::Identity)
            .build(&mut NumpyRng::new(1))
            .unwrap()
    };
    let mut net = build();
    let report = net.fit(&x, &y, &params(GramForm::Auto)).unwrap();
    let mse = mean_squared_error(&net.predict(&x).unwrap(), &y);
    // R² above 0.97: the network explains nearly all of the target's variance.
    assert!(
        mse < 0.03 * variance,
        "f64: MSE {mse} against variance {variance}"
    );
    assert!((report.final_cost().unwrap() - 0.0).abs() < 0.03 * variance);

    let mut direct = build();
    direct.fit(&x, &y, &params(GramForm::Never)).unwrap();
    let gap = (&direct.predict(&x).unwrap() - &net.predict(&x).unwrap())
        .mapv(f64::abs)
        .fold(0.0_f64, |m, &v| m.max(v));
    assert!(gap < 1e-8, "the Gram and direct forms differ by {gap}");

    let mut single = Network::<f32>::builder(&[4, 32, 16, 1])
        .init(Init::He)
        .output(Activation::Identity)
        .build(&mut NumpyRng::new(1))
        .unwrap();
    let (x32, y32) = (x.mapv(|v| v as f32), y.mapv(|v| v as f32));
    single.fit(&x32, &y32, &params(GramForm::Auto)).unwrap();
    let p32 = single.predict(&x32).unwrap().mapv(f64::from);
    let mse32 = mean_squared_error(&p32, &y);
    assert!(mse32 < 0.03 * variance, "f32: MSE {mse32}");
}

#[test]
fn a_regression_network_takes_any_finite_target_and_refuses_classes() {
    let x = NumpyRng::new(0).randn(3, 10);
    let y = Array2::from_elem((1, 10), -250.0);
    let mut net = Network::<f64>::builder(&[3, 4, 1])
        .output(Activation::Identity)
        .build(&mut NumpyRng::new(1))
        .unwrap();
    // Unscaled targets need a small step: at 0.01 this run diverges (the CLI z-scores them).
    let params = TrainParams::new()
        .learning_rate(1e-4)
        .iterations(5)
        .check()
        .unwrap();
    net.fit(&x, &y, &params).unwrap();
    let mut bad = y.clone();
    bad[[0, 3]] = f64::NAN;
    assert!(matches!(
        net.fit(&x, &bad, &params),
        Err(DnnError::NonFinite {
            what: "Y",
            col: 3,
            ..
        })
    ));
    assert_eq!(net.predict_classes(&x), Err(DnnError::NotAClassifier));
    assert_eq!(net.accuracy(&x, &y), Err(DnnError::NotAClassifier));
    assert!(DnnError::NotAClassifier.to_string().contains("regression"));
    // Identity is an output layer only: as a hidden layer it would fold into the next one.
    let err = Network::<f64>::builder(&[3, 4, 1])
        .hidden_activation(Activation::Identity)
        .build(&mut NumpyRng::new(1))
        .unwrap_err();
    assert_eq!(err, DnnError::OutputActivation(Activation::Identity));
    assert_eq!(
        Activation::from_name("identity"),
        Some(Activation::Identity)
    );
}
