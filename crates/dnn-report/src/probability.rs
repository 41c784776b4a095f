//! How well a classifier's probabilities fit and rank one part of the data: log loss, ROC AUC
//! and average precision, as scikit-learn computes them.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

/// How well a classifier's probabilities fit and rank the examples of one part of the data,
/// as scikit-learn's `log_loss`, `roc_auc_score` and `average_precision_score` compute them.
///
/// Accuracy counts the examples on the right side of the threshold; these read the
/// probabilities themselves. Log loss says how sure the model is of the truth; ROC AUC and
/// average precision how well its probabilities order the examples, whatever threshold is
/// later chosen.
///
/// With two classes the examples are ranked by the probability of the second (the model's
/// class 1, scikit-learn's `pos_label`). With more, each class is ranked against the rest
/// and the results are averaged over the classes the part has (`multi_class="ovr"`,
/// `average="macro"`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProbabilityScores {
    /// Examples scored.
    pub examples: usize,
    /// `-mean(ln p_true)`, each probability clipped to `[ε, 1 - ε]` (ε is f64's machine
    /// epsilon, as scikit-learn's `log_loss`): 0 is certain and right; always guessing `1/K`
    /// of `K` classes gives `ln K`.
    pub log_loss: f64,
    /// The area under the ROC curve: the chance that an example of the class is ranked above
    /// one of another, ties counting half. 0.5 is no better than chance. `None` when the part
    /// has examples of fewer than two classes.
    pub roc_auc: Option<f64>,
    /// The area under the precision-recall curve, as the mean of the precisions at each
    /// threshold weighted by the recall it adds (`Σ (R_n - R_{n-1}) P_n`). `None` when the part
    /// has examples of fewer than two classes.
    pub average_precision: Option<f64>,
    /// The classes that ROC AUC and average precision average over: those with examples in
    /// the part (2 for two classes that both have).
    pub classes_ranked: usize,
}

impl ProbabilityScores {
    /// The scores of `probabilities` (each example's probability of each class, in the
    /// model's class order) against the true classes `labels`.
    ///
    /// ```
    /// use dnn_report::ProbabilityScores;
    /// // scikit-learn's examples: log_loss(["spam", "ham", "ham", "spam"], …) is 0.21616…,
    /// // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) is 0.75 and
    /// // average_precision_score of the same is 0.8333….
    /// let p = [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]];
    /// let p: Vec<Vec<f64>> = p.iter().map(|r| r.to_vec()).collect();
    /// let s = ProbabilityScores::new(&p, &[1, 0, 0, 1]);
    /// assert!((s.log_loss - 0.21616187468057912).abs() < 1e-15);
    /// let p: Vec<Vec<f64>> = [0.1, 0.4, 0.35, 0.8].iter().map(|&q| vec![1.0 - q, q]).collect();
    /// let s = ProbabilityScores::new(&p, &[0, 0, 1, 1]);
    /// assert_eq!(s.roc_auc, Some(0.75));
    /// assert!((s.average_precision.unwrap() - 0.8333333333333333).abs() < 1e-15);
    /// // One class only: nothing to rank against.
    /// assert_eq!(ProbabilityScores::new(&p[..2], &[0, 0]).roc_auc, None);
    /// ```
    ///
    /// # Panics
    /// If `probabilities` and `labels` differ in length, or a label is not a class of the
    /// rows (each row must have at least 2).
    pub fn new(probabilities: &[Vec<f64>], labels: &[usize]) -> ProbabilityScores {
        assert_eq!(probabilities.len(), labels.len(), "one row per label");
        let classes = probabilities.first().map_or(2, Vec::len);
        assert!(classes >= 2, "a classifier has at least two classes");
        assert!(
            probabilities.iter().all(|row| row.len() == classes)
                && labels.iter().all(|&k| k < classes),
            "every row has a probability of each class, and every label is one of them"
        );
        let n = labels.len().max(1) as f64;
        let log_loss = probabilities
            .iter()
            .zip(labels)
            .map(|(row, &k)| -row[k].clamp(f64::EPSILON, 1.0 - f64::EPSILON).ln() / n)
            .sum();
        let present: Vec<usize> = (0..classes).filter(|&k| labels.contains(&k)).collect();
        // Two classes: the second one's ranking alone (the first's is its mirror image for
        // ROC AUC, but not for average precision).
        let ranked: Vec<usize> = match classes {
            2 => vec![1],
            _ => present.clone(),
        };
        let mean = |score: fn(&[f64], &[bool]) -> f64| {
            (present.len() >= 2).then(|| {
                ranked
                    .iter()
                    .map(|&k| {
                        let p: Vec<f64> = probabilities.iter().map(|row| row[k]).collect();
                        let truth: Vec<bool> = labels.iter().map(|&l| l == k).collect();
                        score(&p, &truth)
                    })
                    .sum::<f64>()
                    / ranked.len() as f64
            })
        };
        ProbabilityScores {
            examples: labels.len(),
            log_loss,
            roc_auc: mean(roc_auc),
            average_precision: mean(average_precision),
            classes_ranked: present.len(),
        }
    }
}

/// Each run of equal scores, highest first, as the true and false positives counted once the
/// threshold has passed it: the points of the ROC and precision-recall curves.
fn thresholds(scores: &[f64], positive: &[bool]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].partial_cmp(&scores[a]).unwrap_or(Ordering::Equal));
    let mut points = Vec::new();
    let (mut tp, mut fp) = (0, 0);
    for (i, &j) in order.iter().enumerate() {
        if positive[j] {
            tp += 1;
        } else {
            fp += 1;
        }
        if order
            .get(i + 1)
            .is_none_or(|&next| scores[next] != scores[j])
        {
            points.push((tp, fp));
        }
    }
    points
}

/// The area under the ROC curve by the trapezoidal rule over its points (scikit-learn's
/// `roc_curve` then `auc`), so that ties count half. Both classes must be present.
fn roc_auc(scores: &[f64], positive: &[bool]) -> f64 {
    let (mut area, mut previous) = (0.0, (0, 0));
    let points = thresholds(scores, positive);
    for &(tp, fp) in &points {
        area += (fp - previous.1) as f64 * (tp + previous.0) as f64;
        previous = (tp, fp);
    }
    let (p, n) = previous;
    area / (2.0 * p as f64 * n as f64)
}

/// `Σ (R_n - R_{n-1}) P_n` over the thresholds, highest first (scikit-learn's
/// `average_precision_score`). Some example must be positive.
fn average_precision(scores: &[f64], positive: &[bool]) -> f64 {
    let points = thresholds(scores, positive);
    let p = points.last().map_or(0, |&(tp, _)| tp) as f64;
    let (mut previous, mut sum) = (0.0, 0.0);
    for &(tp, fp) in &points {
        // Recall as scikit-learn's curve has it (tp / P), and its steps.
        let recall = tp as f64 / p;
        sum += (recall - previous) * (tp as f64 / (tp + fp) as f64);
        previous = recall;
    }
    // At most 1, as an average of precisions: the steps' rounding can leave 1 + 6e-15.
    sum.min(1.0)
}
