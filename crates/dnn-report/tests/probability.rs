//! [`ProbabilityScores`] against scikit-learn's `log_loss`, `roc_auc_score` and
//! `average_precision_score` on 18 cases: binary and softmax probabilities drawn from a
//! seeded generator (with and without ties, one imbalanced), a part missing a class of its
//! model, and hand-made edges (every score tied, certain and right, certain and wrong, a single
//! class). `tests/reference/gen_probability_scores.py` wrote them (`cargo xtask regen`).

use dnn_report::ProbabilityScores;
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    name: String,
    probabilities: Vec<Vec<f64>>,
    labels: Vec<usize>,
    log_loss: f64,
    roc_auc: Option<f64>,
    average_precision: Option<f64>,
    classes_ranked: usize,
}

#[derive(Deserialize)]
struct Cases {
    cases: Vec<Case>,
}

/// Within `tolerance` of scikit-learn's, both present, or both absent.
fn close(name: &str, what: &str, got: Option<f64>, want: Option<f64>, tolerance: f64) {
    match (got, want) {
        (Some(g), Some(w)) => assert!(
            (g - w).abs() <= tolerance,
            "{name}: {what} {g} against scikit-learn's {w}"
        ),
        (None, None) => {}
        _ => panic!("{name}: {what} {got:?} against scikit-learn's {want:?}"),
    }
}

#[test]
fn probability_scores_are_scikit_learns() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/probability_scores_expected.json"
    );
    let text = std::fs::read_to_string(path).expect("read the reference");
    let cases: Cases = serde_json::from_str(&text).expect("parse the reference");
    assert_eq!(cases.cases.len(), 18, "every case of the generator");
    let mut undefined = 0;
    for c in &cases.cases {
        let s = ProbabilityScores::new(&c.probabilities, &c.labels);
        assert_eq!(s.examples, c.labels.len(), "{}", c.name);
        assert_eq!(s.classes_ranked, c.classes_ranked, "{}", c.name);
        // Sums in another order: a few ulps (measured: at most 1.1e-15, a log loss of 24).
        close(
            &c.name,
            "log loss",
            Some(s.log_loss),
            Some(c.log_loss),
            1e-13,
        );
        close(&c.name, "ROC AUC", s.roc_auc, c.roc_auc, 1e-13);
        close(
            &c.name,
            "average precision",
            s.average_precision,
            c.average_precision,
            1e-13,
        );
        undefined += usize::from(c.roc_auc.is_none());
    }
    assert_eq!(undefined, 1, "one case has a single class");
}
