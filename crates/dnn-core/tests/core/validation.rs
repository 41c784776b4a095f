//! Inputs the engine refuses before any work: labels that are not class labels (outside
//! `[0, 1]`, or softmax columns that are not distributions) on every path that takes `Y`, a
//! softmax output of one unit, non-finite parameters given to `from_layers`, and a
//! gradient-check step that is not a positive finite number.

use crate::common::panic_message;
use std::ops::ControlFlow;

use dnn_core::steps;
use dnn_core::{
    gradient_check, gradient_check_sampled, one_hot, Activation, DnnError, Init, Layer, Network,
    NumpyRng, TrainParams,
};
use ndarray::{array, Array2};

fn config(iterations: usize) -> dnn_core::TrainConfig {
    TrainParams::new()
        .learning_rate(0.1)
        .iterations(iterations)
        .check()
        .unwrap()
}

fn sigmoid_net(sizes: &[usize]) -> Network<f64> {
    Network::<f64>::builder(sizes)
        .hidden_activation(Activation::Tanh)
        .build(&mut NumpyRng::new(1))
        .unwrap()
}

fn softmax_net(sizes: &[usize]) -> Network<f64> {
    Network::<f64>::builder(sizes)
        .init(Init::He)
        .output(Activation::Softmax)
        .build(&mut NumpyRng::new(1))
        .unwrap()
}

const ONE_SIGMOID: &str = "with one sigmoid output each label must be 0 or 1 (or the probability of class 1, between them); for values to predict use an identity output (regression)";
const SOFTMAX: &str = "with a softmax output each column of Y must be one-hot (1 in the row of the example's class, 0 elsewhere) or a probability column (entries in [0, 1] summing to 1); for values to predict use an identity output (regression)";

#[test]
fn the_audit_case_regression_targets_for_a_sigmoid_output_are_refused() {
    // Before the check this trained to a cost of -1.3e65.
    let mut rng = NumpyRng::new(1);
    let x = rng.randn(2, 4);
    let mut net = Network::<f64>::builder(&[2, 4, 1]).build(&mut rng).unwrap();
    let before = net.clone();
    let err = net
        .fit(&x, &array![[5.0, -3.0, 2.0, 7.0]], &config(200))
        .unwrap_err();
    assert_eq!(
        err,
        DnnError::LabelOutOfRange {
            value: 5.0,
            row: 0,
            col: 0,
            output: Activation::Sigmoid,
            outputs: 1
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "Y has 5 at row 0, column 0 (example 0), but labels must be in [0, 1]: {ONE_SIGMOID}"
        )
    );
    assert_eq!(net, before, "refused before any work");

    let err = net
        .fit(&x, &array![[0.0, 1.0, -0.5, 1.0]], &config(10))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("Y has -0.5 at row 0, column 2 (example 2), but labels must be in [0, 1]: {ONE_SIGMOID}")
    );
    // The smallest step past 1 is refused too; 0, 1 and probabilities between are labels.
    let err = net
        .fit(
            &x,
            &array![[0.0, 1.0 + f64::EPSILON, 0.0, 1.0]],
            &config(10),
        )
        .unwrap_err();
    assert!(matches!(err, DnnError::LabelOutOfRange { col: 1, .. }));
    net.fit(&x, &array![[0.0, 1.0, 0.25, -0.0]], &config(10))
        .unwrap();

    // f32 the same.
    let mut n32 = Network::<f32>::builder(&[2, 4, 1])
        .build(&mut NumpyRng::new(1))
        .unwrap();
    let err = n32
        .fit(
            &x.mapv(|v| v as f32),
            &array![[0.0f32, 1.0, 1.5, 0.0]],
            &config(10),
        )
        .unwrap_err();
    assert!(matches!(err, DnnError::LabelOutOfRange { value, row: 0, col: 2, .. } if value == 1.5));
}

#[test]
fn several_sigmoid_outputs_say_one_yes_no_per_output() {
    let mut rng = NumpyRng::new(3);
    let x = rng.randn(3, 5);
    let net = sigmoid_net(&[3, 4, 2]);
    let mut y = Array2::<f64>::zeros((2, 5));
    y[[1, 3]] = 2.0;
    assert_eq!(
        net.cost(&x, &y).unwrap_err().to_string(),
        "Y has 2 at row 1, column 3 (example 3), but labels must be in [0, 1]: with 2 sigmoid \
         outputs each label must be 0 or 1 (or a probability between them), one yes/no per \
         output; for values to predict use an identity output (regression)"
    );
}

#[test]
fn softmax_labels_must_be_one_hot_or_probability_columns() {
    let mut rng = NumpyRng::new(2);
    let x = rng.randn(4, 3);
    let mut net = softmax_net(&[4, 5, 3]);

    // A count, not a class: out of range before the sums are looked at.
    let y = array![[0.0, 2.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]];
    let err = net.fit(&x, &y, &config(10)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("Y has 2 at row 0, column 1 (example 1), but labels must be in [0, 1]: {SOFTMAX}")
    );

    // A column of zeros: no class.
    let y = array![[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]];
    let err = net.fit(&x, &y, &config(10)).unwrap_err();
    let tolerance = 12.0 * f64::EPSILON;
    assert_eq!(
        err,
        DnnError::LabelColumnSum {
            col: 1,
            sum: 0.0,
            tolerance,
            outputs: 3
        }
    );
    assert_eq!(
        err.to_string(),
        format!("column 1 of Y (example 1) sums to 0, not 1 (to within 2.7e-15): {SOFTMAX}")
    );

    // Two classes at once, and a distribution rounded to two digits.
    let y = array![[1.0, 0.33, 0.0], [1.0, 0.33, 0.0], [0.0, 0.33, 1.0]];
    assert!(matches!(
        net.fit(&x, &y, &config(10)).unwrap_err(),
        DnnError::LabelColumnSum { col: 0, sum, .. } if sum == 2.0
    ));
    let y = array![[1.0, 0.33, 0.0], [0.0, 0.33, 0.0], [0.0, 0.33, 1.0]];
    assert!(matches!(
        net.fit(&x, &y, &config(10)).unwrap_err(),
        DnnError::LabelColumnSum { col: 1, .. }
    ));
    // Off by 1e-9: far more than rounding.
    let y = array![[1.0, 0.5, 0.0], [0.0, 0.5 + 1e-9, 0.0], [0.0, 0.0, 1.0]];
    assert!(matches!(
        net.fit(&x, &y, &config(10)).unwrap_err(),
        DnnError::LabelColumnSum { col: 1, .. }
    ));

    // One-hot, soft labels whose f64 sum is not exactly 1 (0.6 + 0.3 + 0.1), and label
    // smoothing (alpha = 0.1) are labels.
    assert_ne!(0.6 + 0.3 + 0.1, 1.0);
    let alpha = 0.1;
    let (hi, lo) = (1.0 - alpha + alpha / 3.0, alpha / 3.0);
    let y = array![[1.0, 0.6, hi], [0.0, 0.3, lo], [0.0, 0.1, lo]];
    net.fit(&x, &y, &config(10)).unwrap();
    net.fit(&x, &one_hot::<f64>(&[2, 0, 1], 3), &config(10))
        .unwrap();
}

#[test]
fn f32_soft_labels_get_f32_rounding_room() {
    // Label smoothing over 10 classes computed in f32: the entries' sum is off 1 by f32
    // rounding, which is accepted; 1e-3 off is not.
    let mut rng = NumpyRng::new(4);
    let x = rng.randn(3, 2).mapv(|v| v as f32);
    let mut net = Network::<f32>::builder(&[3, 4, 10])
        .output(Activation::Softmax)
        .build(&mut NumpyRng::new(1))
        .unwrap();
    let alpha = 0.1f32;
    let y = Array2::from_shape_fn((10, 2), |(i, j)| {
        if i == j {
            1.0 - alpha + alpha / 10.0
        } else {
            alpha / 10.0
        }
    });
    let sum: f64 = y.column(0).iter().map(|&v| f64::from(v)).sum();
    assert_ne!(sum, 1.0, "the f32 entries do not sum to exactly 1");
    net.fit(&x, &y, &config(5)).unwrap();
    let mut off = y.clone();
    off[[1, 1]] -= 1e-3;
    assert!(matches!(
        net.fit(&x, &off, &config(5)).unwrap_err(),
        DnnError::LabelColumnSum { col: 1, .. }
    ));
}

/// Wide data (more features than examples), so plain full-batch training takes the Gram
/// form, the engine's fast path.
fn wide() -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    let mut rng = NumpyRng::new(5);
    let x = rng.rand(300, 25);
    let y = rng.rand(1, 25).mapv(|v| if v > 0.6 { 1.0 } else { 0.0 });
    let mut bad = y.clone();
    bad[[0, 17]] = 3.0;
    (x, y, bad)
}

fn is_bad_label(r: Result<impl std::fmt::Debug, DnnError>) {
    match r {
        Err(DnnError::LabelOutOfRange {
            value, row: 0, col, ..
        }) if value == 3.0 && col == 17 => {}
        other => panic!("expected the label 3 at column 17 to be refused, got {other:?}"),
    }
}

#[test]
fn every_engine_path_that_takes_labels_refuses_them() {
    let (x, y, bad) = wide();
    let dims = [300, 6, 4, 1];
    let net = sigmoid_net(&dims);
    let plain = config(300);
    // The Gram form is really taken with good labels ...
    let report = net.clone().fit(&x, &y, &plain).unwrap();
    assert!(report.diagnostics().gram_form);
    // ... and every way in refuses the bad ones.
    is_bad_label(net.clone().fit(&x, &bad, &plain));
    is_bad_label(
        net.clone()
            .train(&x, &bad, &plain, |_| ControlFlow::Continue(())),
    );
    is_bad_label(
        net.clone()
            .train_watched(&x, &bad, &plain, |_, _| ControlFlow::Continue(())),
    );
    let mini = TrainParams::new()
        .learning_rate(0.1)
        .epochs(3)
        .mini_batches(8, 1)
        .check()
        .unwrap();
    is_bad_label(net.clone().fit(&x, &bad, &mini));
    let adam = TrainParams::new()
        .learning_rate(0.01)
        .iterations(3)
        .optimizer(dnn_core::Optimizer::ADAM)
        .check()
        .unwrap();
    is_bad_label(net.clone().fit(&x, &bad, &adam));
    is_bad_label(net.cost(&x, &bad));
    is_bad_label(net.gradients(&x, &bad));
    is_bad_label(net.accuracy(&x, &bad));
    is_bad_label(gradient_check(&net, &x, &bad, 1e-7));
    is_bad_label(gradient_check_sampled(&net, &x, &bad, 1e-7, 3));
}

#[test]
fn the_step_functions_refuse_labels_outside_0_1() {
    let x = array![[1.0, -2.0, 0.5], [0.3, 0.8, -1.0]];
    let y = array![[1.0, 4.0, 1.0]];
    let params = steps::initialize_parameters_deep(&[2, 4, 1], &mut NumpyRng::new(1));
    let (al, caches) = steps::l_model_forward(&x, &params);
    let expected = format!(
        "Y has 4 at row 0, column 1 (example 1), but labels must be in [0, 1]: {ONE_SIGMOID}"
    );
    for (function, run) in [
        (
            "compute_cost",
            Box::new(|| {
                steps::compute_cost(&al, &y);
            }) as Box<dyn FnOnce()>,
        ),
        (
            "l_model_backward",
            Box::new(|| {
                steps::l_model_backward(&al, &y, &caches);
            }),
        ),
        (
            "l_layer_model",
            Box::new(|| {
                steps::l_layer_model(&x, &y, &[2, 3, 1], 0.1, 5, &mut NumpyRng::new(1));
            }),
        ),
        (
            "two_layer_model",
            Box::new(|| {
                steps::two_layer_model(&x, &y, (2, 3, 1), 0.1, 5, &mut NumpyRng::new(1));
            }),
        ),
    ] {
        assert_eq!(panic_message(run), format!("{function}: {expected}"));
    }
}

#[test]
fn a_softmax_output_of_one_unit_is_refused() {
    let message = "the output layer is softmax with 1 unit, but softmax needs at least two \
                   outputs (one per class; its only probability would always be 1 and it \
                   would never learn): for two classes use one sigmoid output unit";
    let err = Network::<f64>::builder(&[2, 1])
        .output(Activation::Softmax)
        .build(&mut NumpyRng::new(1))
        .unwrap_err();
    assert_eq!(err, DnnError::SoftmaxSingleOutput);
    assert_eq!(err.to_string(), message);
    let err = Network::<f32>::builder(&[2, 3, 1])
        .output(Activation::Softmax)
        .build(&mut NumpyRng::new(1))
        .unwrap_err();
    assert_eq!(err, DnnError::SoftmaxSingleOutput);
    let err = Network::<f64>::from_layers(vec![
        Layer::new(
            Array2::zeros((3, 2)),
            Array2::zeros((3, 1)),
            Activation::Relu,
        ),
        Layer::new(
            Array2::zeros((1, 3)),
            Array2::zeros((1, 1)),
            Activation::Softmax,
        ),
    ])
    .unwrap_err();
    assert_eq!(err, DnnError::SoftmaxSingleOutput);
    // Two units are two classes; one sigmoid unit is the two-class output.
    softmax_net(&[2, 2]);
    sigmoid_net(&[2, 1]);
}

#[test]
fn from_layers_refuses_non_finite_weights_and_biases() {
    let hidden = || {
        Layer::new(
            array![[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]],
            array![[0.0], [0.0], [0.0]],
            Activation::Relu,
        )
    };
    let output = |w: Array2<f64>, b: Array2<f64>| Layer::new(w, b, Activation::Sigmoid);

    let err = Network::<f64>::from_layers(vec![
        hidden(),
        output(array![[0.1, f64::NAN, 0.3]], array![[0.0]]),
    ])
    .unwrap_err();
    assert!(matches!(
        err,
        DnnError::NonFiniteParameter { param: "W", layer: 2, row: 0, col: 1, value } if value.is_nan()
    ));
    assert_eq!(
        err.to_string(),
        "W2[0, 1] is NaN: every weight and bias must be finite (were these parameters saved \
         from a diverged run?)"
    );

    let mut first = hidden();
    first = Layer::new(
        first.weights().clone(),
        array![[0.0], [0.0], [f64::NEG_INFINITY]],
        Activation::Relu,
    );
    let err =
        Network::<f64>::from_layers(vec![first, output(array![[0.1, 0.2, 0.3]], array![[0.0]])])
            .unwrap_err();
    assert_eq!(
        err,
        DnnError::NonFiniteParameter {
            param: "b",
            layer: 1,
            row: 2,
            col: 0,
            value: f64::NEG_INFINITY
        }
    );
    assert_eq!(
        err.to_string(),
        "b1[2, 0] is -inf: every weight and bias must be finite (were these parameters saved \
         from a diverged run?)"
    );

    let err = Network::<f32>::from_layers(vec![Layer::new(
        array![[f32::INFINITY]],
        array![[0.0f32]],
        Activation::Sigmoid,
    )])
    .unwrap_err();
    assert!(matches!(
        err,
        DnnError::NonFiniteParameter { param: "W", layer: 1, row: 0, col: 0, value } if value == f64::INFINITY
    ));

    // The step-by-step parameters go through the same check.
    let params = steps::Parameters::new(vec![(array![[f64::NAN, 1.0]], array![[0.0]])]);
    assert!(matches!(
        Network::<f64>::from_parameters(&params),
        Err(DnnError::NonFiniteParameter {
            param: "W",
            layer: 1,
            ..
        })
    ));
    // Finite parameters are a network.
    Network::<f64>::from_layers(vec![
        hidden(),
        output(array![[0.1, 0.2, 0.3]], array![[0.0]]),
    ])
    .unwrap();
}

#[test]
fn gradient_check_refuses_an_epsilon_that_is_not_a_positive_finite_step() {
    let mut rng = NumpyRng::new(1);
    let x = rng.randn(3, 5);
    let y = rng.rand(1, 5).mapv(|v| (v > 0.5) as u8 as f64);
    let net = sigmoid_net(&[3, 4, 1]);
    for epsilon in [
        0.0,
        -0.0,
        -1.0,
        -1e-7,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ] {
        for err in [
            gradient_check(&net, &x, &y, epsilon).unwrap_err(),
            gradient_check_sampled(&net, &x, &y, epsilon, 10).unwrap_err(),
        ] {
            assert!(
                matches!(err, DnnError::InvalidParameter { name: "gradient-check epsilon", value, .. }
                    if value.to_bits() == epsilon.to_bits()),
                "epsilon {epsilon}: {err:?}"
            );
        }
    }
    assert_eq!(
        gradient_check(&net, &x, &y, 0.0).unwrap_err().to_string(),
        "invalid gradient-check epsilon 0: the finite-difference step must be finite and > 0 \
         (1e-7 is typical)"
    );
    assert!(gradient_check(&net, &x, &y, 1e-7).unwrap() < 1e-7);
}
