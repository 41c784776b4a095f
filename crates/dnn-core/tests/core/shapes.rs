//! The cost and regularisation helpers of `dnn_core::cost` and `dnn_core::regularization`
//! refuse mismatched shapes up front, naming both, rather than truncating (the categorical
//! cross-entropy once did) or failing inside ndarray's `Zip`; and they refuse `m = 0`.

use crate::common::panic_message;

use dnn_core::cost::{
    categorical_cross_entropy_from_logits, cross_entropy_from_logits, cross_entropy_from_probs,
    from_logits, half_squared_error,
};
use dnn_core::regularization::{add_l2_gradient, dropout_backward, dropout_forward, l2_cost_term};
use dnn_core::Activation;
use ndarray::{array, Array2};

type Cost = fn(ndarray::ArrayView2<'_, f64>, ndarray::ArrayView2<'_, f64>) -> f64;

const COSTS: [(&str, &str, Cost); 4] = [
    ("cross_entropy_from_probs", "AL", cross_entropy_from_probs),
    ("cross_entropy_from_logits", "Z", cross_entropy_from_logits),
    (
        "categorical_cross_entropy_from_logits",
        "Z",
        categorical_cross_entropy_from_logits,
    ),
    ("half_squared_error", "AL", half_squared_error),
];

#[test]
fn every_cost_refuses_two_shapes_naming_both() {
    // More examples, fewer examples, more rows, fewer rows: the categorical cross-entropy
    // used to give half the cost of the first and a cost for the third.
    let z = array![[2.0, 2.0], [0.0, 0.0]];
    for y in [
        Array2::from_elem((2, 3), 0.5),
        array![[1.0], [0.0]],
        array![[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]],
        array![[1.0, 0.0]],
    ] {
        for (name, z_name, cost) in COSTS {
            let message = panic_message(|| {
                cost(z.view(), y.view());
            });
            assert_eq!(
                message,
                format!(
                    "cost::{name}: {z_name} has shape (2, 2) but Y has shape {:?}: they must \
                     have the same shape (one row per output, one column per example)",
                    y.dim()
                )
            );
        }
        let message = panic_message(|| {
            from_logits(Activation::Softmax, z.view(), y.view());
        });
        assert!(
            message.starts_with(
                "cost::categorical_cross_entropy_from_logits: Z has shape (2, 2) but Y has shape"
            ),
            "{message}"
        );
    }
}

#[test]
fn every_cost_refuses_no_examples() {
    let empty = Array2::<f64>::zeros((2, 0));
    for (name, z_name, cost) in COSTS {
        let message = panic_message(|| {
            cost(empty.view(), empty.view());
        });
        assert_eq!(
            message,
            format!(
                "cost::{name}: {z_name} and Y have shape (2, 0), no examples (columns): the cost \
                 is a mean over the examples and there are none"
            )
        );
    }
}

#[test]
fn the_regularisation_helpers_refuse_other_shapes_and_no_examples() {
    let w = array![[1.0, -2.0], [0.5, 0.0]];
    let mut dw = Array2::<f64>::zeros((2, 3));
    let message = panic_message(|| add_l2_gradient(dw.view_mut(), w.view(), 0.1, 4));
    assert_eq!(
        message,
        "regularization::add_l2_gradient: dW has shape (2, 3) but W has shape (2, 2): they must \
         have the same shape"
    );
    let mut dw = Array2::<f64>::zeros((2, 2));
    let message = panic_message(|| add_l2_gradient(dw.view_mut(), w.view(), 0.1, 0));
    assert_eq!(
        message,
        "regularization::add_l2_gradient: m is 0: the L2 term is scaled by 1/m, the number of \
         examples (of the batch), so it needs at least one"
    );
    let message = panic_message(|| {
        l2_cost_term([w.view()], 0.1, 0);
    });
    assert!(
        message.starts_with("regularization::l2_cost_term: m is 0"),
        "{message}"
    );

    let a = array![[0.2, 0.4, 0.6]];
    let mask = array![[1.0, 0.0]];
    let mut out = Array2::<f64>::zeros((1, 3));
    let message = panic_message(|| dropout_forward(out.view_mut(), a.view(), mask.view(), 0.5));
    assert_eq!(
        message,
        "regularization::dropout_forward: A has shape (1, 3) but D has shape (1, 2): they must \
         have the same shape"
    );
    let mut out = Array2::<f64>::zeros((3, 1));
    let message = panic_message(|| {
        dropout_forward(
            out.view_mut(),
            a.view(),
            array![[1.0, 0.0, 1.0]].view(),
            0.5,
        )
    });
    assert_eq!(
        message,
        "regularization::dropout_forward: out has shape (3, 1) but A has shape (1, 3): they must \
         have the same shape"
    );
    let mut da = Array2::<f64>::ones((2, 3));
    let message = panic_message(|| dropout_backward(da.view_mut(), mask.view(), 0.5));
    assert_eq!(
        message,
        "regularization::dropout_backward: dA has shape (2, 3) but D has shape (1, 2): they must \
         have the same shape"
    );
}
