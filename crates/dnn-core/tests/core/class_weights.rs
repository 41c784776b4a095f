//! Class weights: the weighted cost, its gradients and training runs against numpy to 1e-12
//! (`tests/reference/gen_class_weights.py` → `tests/data/class_weights.json`), the balanced
//! weights against scikit-learn's, finite differences, the Gram form, validation and refusals.

use dnn_core::{
    gradient_check_weighted, Activation, ClassWeights, DnnError, EarlyStopping, GramForm, Init,
    Network, NumpyRng, Optimizer, TrainParams, Validation,
};
use ndarray::Array2;
use serde_json::Value;

use crate::common::{f, get, list, load, nested, Close};

/// The fixture's case `name`: its data, weights and He-initialised network.
struct Case {
    f: Value,
    x: Array2<f64>,
    y: Array2<f64>,
    weights: ClassWeights,
}

impl Case {
    fn load(name: &str) -> Case {
        let fixture = get(&load("class_weights.json"), name).clone();
        let weights = list(get(&fixture, "weights")).iter().map(f).collect();
        Case {
            x: nested(get(&fixture, "x")),
            y: nested(get(&fixture, "y")),
            weights: ClassWeights::new(weights).expect("weights"),
            f: fixture,
        }
    }

    fn network(&self) -> Network<f64> {
        let dims: Vec<usize> = list(get(&self.f, "dims"))
            .iter()
            .map(|d| d.as_u64().expect("size") as usize)
            .collect();
        let mut builder = Network::<f64>::builder(&dims).init(Init::He);
        if get(&self.f, "softmax").as_bool().expect("bool") {
            builder = builder.output(Activation::Softmax);
        }
        builder.build(&mut NumpyRng::new(3)).expect("network")
    }
}

const CASES: [&str; 3] = ["sigmoid_balanced", "sigmoid_given", "softmax_balanced"];

#[test]
fn weighted_cost_and_gradients_match_numpy() {
    let mut close = Close::new(1e-12);
    for name in CASES {
        let case = Case::load(name);
        let net = case.network();
        let cost = net
            .class_weighted_cost(&case.x, &case.y, &case.weights)
            .unwrap();
        close.scalar(
            &format!("{name}: cost"),
            cost,
            f(get(&case.f, "initial_cost")),
        );
        let grads = net
            .class_weighted_gradients(&case.x, &case.y, &case.weights)
            .unwrap();
        let want = list(get(&case.f, "initial_grads"));
        assert_eq!(grads.len(), want.len());
        for (l, (g, w)) in grads.iter().zip(want).enumerate() {
            close.arr(&format!("{name}: dW{}", l + 1), &g.dw, &nested(&w[0]));
            close.arr(&format!("{name}: db{}", l + 1), &g.db, &nested(&w[1]));
        }
        // The weights move the cost: the plain one is another number.
        let plain = net.cost(&case.x, &case.y).unwrap();
        assert!((plain - cost).abs() > 1e-3, "{name}: {plain} vs {cost}");
    }
    assert!(close.count > 60, "{} values compared", close.count);
}

#[test]
fn balanced_weights_are_scikit_learns() {
    for name in ["sigmoid_balanced", "softmax_balanced"] {
        let case = Case::load(name);
        let balanced = ClassWeights::balanced(case.y.view()).unwrap();
        // compute_class_weight("balanced") does the same two operations: exact.
        assert_eq!(balanced, case.weights, "{name}");
    }
}

#[test]
fn training_runs_match_numpy() {
    let mut close = Close::new(1e-12);
    for name in CASES {
        let case = Case::load(name);
        let runs = get(&case.f, "runs").as_object().expect("runs");
        for (run, want) in runs {
            let params = TrainParams::new().class_weights(case.weights.clone());
            let params = match run.as_str() {
                "gd" => params.learning_rate(0.1).iterations(5),
                "adam_batches_5" => params
                    .learning_rate(0.01)
                    .optimizer(Optimizer::ADAM)
                    .mini_batches(5, 11)
                    .epochs(3),
                "momentum_batches_8" => params
                    .learning_rate(0.05)
                    .optimizer(Optimizer::Momentum { beta: 0.9 })
                    .mini_batches(8, 11)
                    .epochs(3),
                other => panic!("a run the test does not know: {other}"),
            };
            let mut net = case.network();
            let report = net.fit(&case.x, &case.y, &params.check().unwrap()).unwrap();
            let costs = list(get(want, "costs"));
            assert_eq!(report.costs().len(), costs.len(), "{name} {run}");
            for (i, (c, w)) in report.costs().iter().zip(costs).enumerate() {
                close.scalar(&format!("{name} {run}: cost {i}"), *c, f(w));
            }
            for (l, (layer, w)) in net
                .layers()
                .iter()
                .zip(list(get(want, "params")))
                .enumerate()
            {
                close.arr(
                    &format!("{name} {run}: W{}", l + 1),
                    layer.weights(),
                    &nested(&w[0]),
                );
                close.arr(
                    &format!("{name} {run}: b{}", l + 1),
                    layer.bias(),
                    &nested(&w[1]),
                );
            }
        }
    }
    assert!(close.count > 150, "{} values compared", close.count);
}

/// Weights of 1 are the plain cost to the bit: same gradients, same training.
#[test]
fn weights_of_one_are_the_plain_cost_to_the_bit() {
    for name in CASES {
        let case = Case::load(name);
        let classes = case.weights.as_slice().len();
        let ones = ClassWeights::new(vec![1.0; classes]).unwrap();
        let params = TrainParams::new()
            .learning_rate(0.05)
            .optimizer(Optimizer::ADAM)
            .mini_batches(7, 3)
            .epochs(4);
        let (mut plain, mut weighted) = (case.network(), case.network());
        let a = plain.fit(&case.x, &case.y, &params.clone().check().unwrap());
        let b = weighted.fit(
            &case.x,
            &case.y,
            &params.class_weights(ones).check().unwrap(),
        );
        assert_eq!(a.unwrap().costs(), b.unwrap().costs(), "{name}");
        assert_eq!(plain, weighted, "{name}");
    }
}

#[test]
fn finite_differences_agree_with_the_weighted_gradients() {
    for name in CASES {
        let case = Case::load(name);
        let d = gradient_check_weighted(
            &case.network(),
            &case.x,
            &case.y,
            &case.weights,
            1e-7,
            usize::MAX,
        )
        .unwrap();
        assert!(d < 1e-7, "{name}: {d}");
    }
    // A tanh network with extreme weights, several layers.
    let mut rng = NumpyRng::new(8);
    let x = rng.randn(5, 9);
    let y = rng.rand(1, 9).mapv(|v| f64::from(u8::from(v > 0.8)));
    let net = Network::<f64>::builder(&[5, 6, 4, 1])
        .hidden_activation(Activation::Tanh)
        .build(&mut rng)
        .unwrap();
    let w = ClassWeights::new(vec![0.01, 50.0]).unwrap();
    let d = gradient_check_weighted(&net, &x, &y, &w, 1e-7, usize::MAX).unwrap();
    assert!(d < 1e-7, "tanh: {d}");
}

/// More features than examples and plain gradient descent: the Gram form trains the first
/// layer from the running sum of the (weighted) `dZ1`; it must land where the textbook
/// products do.
#[test]
fn the_gram_form_trains_the_weighted_cost_as_the_direct_form() {
    let mut rng = NumpyRng::new(4);
    let x = rng.randn(60, 16);
    let y = rng.rand(1, 16).mapv(|v| f64::from(u8::from(v > 0.7)));
    let weights = ClassWeights::balanced(y.view()).unwrap();
    let net = Network::<f64>::builder(&[60, 5, 1])
        .build(&mut NumpyRng::new(2))
        .unwrap();
    let params = TrainParams::new()
        .learning_rate(0.05)
        .iterations(400)
        .class_weights(weights);
    let train = |gram: GramForm| {
        let mut net = net.clone();
        let config = params.clone().gram_form(gram).check().unwrap();
        let report = net.fit(&x, &y, &config).unwrap();
        (net, report)
    };
    let (gram, gram_report) = train(GramForm::Auto);
    let (direct, direct_report) = train(GramForm::Never);
    assert!(gram_report.diagnostics().gram_form);
    assert!(!direct_report.diagnostics().gram_form);
    let mut close = Close::new(1e-9);
    for (i, (a, b)) in gram_report
        .costs()
        .iter()
        .zip(direct_report.costs())
        .enumerate()
    {
        close.scalar(&format!("cost {i}"), *a, *b);
    }
    for (l, (a, b)) in gram.layers().iter().zip(direct.layers()).enumerate() {
        close.arr(&format!("W{}", l + 1), a.weights(), b.weights());
    }
    // Unweighted, the same run ends elsewhere: the weights reached the Gram form.
    let mut plain = net.clone();
    let config = TrainParams::new()
        .learning_rate(0.05)
        .iterations(400)
        .check()
        .unwrap();
    plain.fit(&x, &y, &config).unwrap();
    let moved = (plain.layers()[0].weights() - gram.layers()[0].weights())
        .iter()
        .fold(0.0_f64, |a, v| a.max(v.abs()));
    assert!(moved > 1e-3, "{moved}");
}

#[test]
fn the_validation_cost_is_weighted_when_asked() {
    let case = Case::load("softmax_balanced");
    let (x, y) = (
        case.x.slice(ndarray::s![.., ..20]),
        case.y.slice(ndarray::s![.., ..20]),
    );
    let (x_val, y_val) = (
        case.x.slice(ndarray::s![.., 20..]),
        case.y.slice(ndarray::s![.., 20..]),
    );
    let mut net = case.network();
    let config = TrainParams::new()
        .learning_rate(0.1)
        .iterations(6)
        .class_weights(case.weights.clone())
        .check()
        .unwrap();
    let mut val = Validation::new(&net, x_val, y_val, 6)
        .unwrap()
        .class_weights(case.weights.clone())
        .unwrap()
        .early_stopping(EarlyStopping {
            patience: 100,
            min_delta: 0.0,
        })
        .unwrap();
    net.train_validated(x, y, &mut val, &config, |_, _| {
        std::ops::ControlFlow::Continue(())
    })
    .unwrap();
    let last = *val.costs().last().unwrap();
    let weighted = net
        .class_weighted_cost(x_val, y_val, &case.weights)
        .unwrap();
    let plain = net.cost(x_val, y_val).unwrap();
    assert_eq!(last, weighted);
    assert!((last - plain).abs() > 1e-3, "{last} vs plain {plain}");
}

#[test]
fn weights_that_do_not_fit_are_refused() {
    let case = Case::load("sigmoid_balanced");
    let mut net = case.network();
    let three = ClassWeights::new(vec![1.0, 2.0, 3.0]).unwrap();
    let config = TrainParams::new().class_weights(three).check().unwrap();
    let err = net.fit(&case.x, &case.y, &config).unwrap_err();
    assert_eq!(
        err,
        DnnError::ClassWeightCount {
            given: 3,
            classes: 2
        }
    );
    assert!(err.to_string().contains("one weight per class"), "{err}");

    let mut regression = Network::<f64>::builder(&[3, 2, 1])
        .output(Activation::Identity)
        .build(&mut NumpyRng::new(1))
        .unwrap();
    let config = TrainParams::new()
        .class_weights(case.weights.clone())
        .check()
        .unwrap();
    let err = regression.fit(&case.x, &case.y, &config).unwrap_err();
    assert!(
        matches!(err, DnnError::ClassWeightsOutput { outputs: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("identity"), "{err}");

    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = ClassWeights::new(vec![1.0, bad]).unwrap_err();
        assert!(
            matches!(
                err,
                DnnError::InvalidParameter {
                    name: "class weight",
                    ..
                }
            ),
            "{err}"
        );
    }
    assert_eq!(
        ClassWeights::new(vec![2.0]).unwrap_err(),
        DnnError::ClassWeightCount {
            given: 1,
            classes: 2
        }
    );
    // f32 holds neither 1e40 nor 1e-50 (infinite, 0): refused before any work.
    let x = case.x.mapv(|v| v as f32);
    let y = case.y.mapv(|v| v as f32);
    for w in [1e40, 1e-50] {
        let mut net = Network::<f32>::builder(&[3, 4, 2, 1])
            .build(&mut NumpyRng::new(1))
            .unwrap();
        let weights = ClassWeights::new(vec![1.0, w]).unwrap();
        let config = TrainParams::new().class_weights(weights).check().unwrap();
        let err = net.fit(&x, &y, &config).unwrap_err();
        assert!(
            matches!(err, DnnError::InvalidParameter { name: "class weight", value, .. } if value == w),
            "{err}"
        );
        assert!(err.to_string().contains("cannot hold it"), "{err}");
    }
    let all_zero = Array2::<f64>::zeros((1, 5));
    assert_eq!(
        ClassWeights::balanced(all_zero.view()).unwrap_err(),
        DnnError::AbsentClass { class: 1 }
    );
    let mut one_hot = Array2::<f64>::zeros((3, 4));
    one_hot.row_mut(0).fill(1.0);
    assert_eq!(
        ClassWeights::balanced(one_hot.view()).unwrap_err(),
        DnnError::AbsentClass { class: 1 }
    );
}

/// The weighted cost on its own panics, naming the misfit, for weights that do not fit the
/// output (as `Network` refuses them with an error first).
#[test]
fn the_weighted_cost_panics_on_weights_that_do_not_fit_the_output() {
    use dnn_core::cost::weighted_from_logits;
    let z = ndarray::array![[0.3_f64, -1.2]];
    let y = ndarray::array![[1.0_f64, 0.0]];
    let two = ClassWeights::new(vec![1.0, 3.0]).unwrap();
    let three = ClassWeights::new(vec![1.0, 2.0, 3.0]).unwrap();
    let message = crate::common::panic_message(|| {
        weighted_from_logits(Activation::Identity, z.view(), y.view(), &two);
    });
    assert!(
        message.contains(
            "cost::weighted_from_logits: class weights weigh the classes of a classifier"
        ),
        "{message}"
    );
    let message = crate::common::panic_message(|| {
        weighted_from_logits(Activation::Sigmoid, z.view(), y.view(), &three);
    });
    assert!(
        message.contains("3 class weights were given for 2 classes"),
        "{message}"
    );
    assert!(weighted_from_logits(Activation::Sigmoid, z.view(), y.view(), &two).is_finite());
}
