//! The softmax output layer: numpy's forward pass, cost and gradient-descent steps to 1e-12
//! (`tests/reference/gen_softmax.py` → `tests/data/softmax.json`), finite-difference
//! gradients, and multi-class training.

use dnn_core::{
    gradient_check, one_hot, Activation, DnnError, Init, Network, NumpyRng, TrainParams,
};
use ndarray::Array2;
use serde_json::Value;

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/softmax.json"
    ))
    .expect("fixture");
    serde_json::from_str(&text).expect("json")
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect();
    Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j])
}

fn assert_close(a: &Array2<f64>, b: &Array2<f64>, what: &str) {
    assert_eq!(a.dim(), b.dim(), "{what}");
    for ((i, x), y) in a.indexed_iter().zip(b) {
        assert!(
            (x - y).abs() <= 1e-12 * y.abs().max(1.0),
            "{what}{i:?}: {x} vs numpy {y}"
        );
    }
}

fn network() -> Network<f64> {
    Network::<f64>::builder(&[4, 5, 3])
        .init(Init::He)
        .output(Activation::Softmax)
        .build(&mut NumpyRng::new(1))
        .unwrap()
}

fn data() -> (Array2<f64>, Array2<f64>, Vec<usize>) {
    let f = fixture();
    let labels: Vec<usize> = f["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    (matrix(&f["x"]), one_hot(&labels, 3), labels)
}

#[test]
fn softmax_forward_cost_and_steps_match_numpy() {
    let f = fixture();
    let (x, y, _) = data();
    assert_close(
        &network().predict_proba(&x).unwrap(),
        &matrix(&f["initial_probabilities"]),
        "AL",
    );
    let history = f["params"].as_array().unwrap();
    assert_eq!(history.len(), 3, "numpy's steps in the fixture");
    for (step, want) in history.iter().enumerate() {
        let mut net = network();
        let report = net
            .fit(
                &x,
                &y,
                &TrainParams::new()
                    .learning_rate(0.5)
                    .iterations(step + 1)
                    .check()
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(report.costs().len(), step + 1);
        assert_eq!(net.layers().len(), want.as_array().unwrap().len());
        for (i, c) in report.costs().iter().enumerate() {
            let e = f["costs"][i].as_f64().unwrap();
            assert!((c - e).abs() <= 1e-12, "cost {i}: {c} vs numpy {e}");
        }
        for (l, layer) in net.layers().iter().enumerate() {
            assert_close(
                layer.weights(),
                &matrix(&want[l][0]),
                &format!("step {} W{}", step + 1, l + 1),
            );
            assert_close(
                layer.bias(),
                &matrix(&want[l][1]),
                &format!("step {} b{}", step + 1, l + 1),
            );
        }
        if step == 2 {
            let want: Vec<usize> = f["final_classes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            assert_eq!(net.predict_classes(&x).unwrap(), want);
        }
    }
}

#[test]
fn softmax_backprop_matches_centred_finite_differences() {
    let (x, y, _) = data();
    for hidden in [Activation::Relu, Activation::Tanh, Activation::Sigmoid] {
        let net = Network::<f64>::builder(&[4, 6, 4, 3])
            .hidden_activation(hidden)
            .init(Init::Xavier)
            .output(Activation::Softmax)
            .build(&mut NumpyRng::new(7))
            .unwrap();
        let diff = gradient_check(&net, &x, &y, 1e-7).unwrap();
        assert!(diff < 1e-7, "{hidden}: relative difference {diff}");
    }
}

#[test]
fn three_gaussian_blobs_are_learned_and_predicted_as_class_indices() {
    // Three clusters around (0, 3), (3, -2) and (-3, -2), 60 points each.
    let mut rng = NumpyRng::new(0);
    let centres = [(0.0, 3.0), (3.0, -2.0), (-3.0, -2.0)];
    let noise = rng.randn(2, 180);
    let labels: Vec<usize> = (0..180).map(|j| j % 3).collect();
    let x = Array2::from_shape_fn((2, 180), |(r, j)| if r == 0 { centres[labels[j]].0 } else { centres[labels[j]].1 } + noise[[r, j]]);
    let y = one_hot::<f64>(&labels, 3);
    let mut net = Network::<f64>::builder(&[2, 8, 3])
        .init(Init::He)
        .output(Activation::Softmax)
        .build(&mut rng)
        .unwrap();
    let report = net
        .fit(
            &x,
            &y,
            &TrainParams::new()
                .learning_rate(0.5)
                .iterations(500)
                .check()
                .unwrap(),
        )
        .unwrap();
    assert!(
        report.final_cost().unwrap() < 0.2 * report.costs()[0],
        "{:?}",
        report.final_cost()
    );
    assert!(net.accuracy(&x, &y).unwrap() > 0.97);
    let classes = net.predict_classes(&x).unwrap();
    assert_eq!(classes.len(), 180);
    assert!(classes.iter().all(|&c| c < 3));
    let p = net.predict_proba(&x).unwrap();
    assert!(
        p.columns()
            .into_iter()
            .all(|c| (c.sum() - 1.0).abs() < 1e-12),
        "probabilities sum to 1"
    );
}

#[test]
fn softmax_is_an_output_layer_only() {
    let err = Network::<f64>::builder(&[4, 5, 3])
        .hidden_activation(Activation::Softmax)
        .build(&mut NumpyRng::new(1))
        .unwrap_err();
    assert_eq!(err, DnnError::OutputActivation(Activation::Softmax));
    let err = Network::<f64>::builder(&[4, 5, 3])
        .output(Activation::Relu)
        .build(&mut NumpyRng::new(1))
        .unwrap_err();
    assert_eq!(err, DnnError::OutputActivation(Activation::Relu));
    assert!(err.to_string().contains(
        "sigmoid (binary cross-entropy), softmax (categorical cross-entropy) or identity"
    ));
}
