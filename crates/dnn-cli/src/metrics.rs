//! How well predictions match labels: accuracy, the K×K confusion matrix, per-class
//! precision, recall and F1 laid out as scikit-learn's `classification_report` (with
//! `labels=range(K)`, `zero_division=0`, `digits=4`), and the table of the probabilities'
//! log loss, ROC AUC and average precision.

use std::fmt::Write as _;

use dnn_report::{ProbabilityScores, RegressionScores};

use crate::text::plural;
use unicode_width::UnicodeWidthStr;

/// `Test R²: 0.912345 (RMSE 5123.45, MAE 4012.33, 100 examples)`: a regression's scores on
/// one part, the errors in the target's units to 6 significant digits; `R²: undefined for
/// 1 example` where there is no R². An empty `part` (data scored whole) gives `R²: …`.
pub fn regression_scores_line(part: &str, s: &RegressionScores) -> String {
    let r2 = match s.r2 {
        Some(r2) => format!("{r2:.6}"),
        None => format!("undefined for {} example{}", s.examples, plural(s.examples)),
    };
    let label = if part.is_empty() {
        "R²:".to_owned()
    } else {
        format!("{part} R²:")
    };
    format!(
        "{label} {r2} (RMSE {}, MAE {}, {} example{})",
        significant(s.rmse),
        significant(s.mae),
        s.examples,
        plural(s.examples)
    )
}

/// The table of each part's [`ProbabilityScores`], 4 decimals (the report's), then what
/// ROC AUC and average precision rank and, where they are undefined or averaged over fewer
/// classes than the model's, why. `parts` are `(name, scores)`, an empty name for data
/// scored whole (its row is `All`); `classes` the model's, in its order.
///
/// ```text
/// Probabilities  log loss  ROC AUC  average precision
/// Train            0.0123   0.9999             0.9999
/// Test             0.0412   0.9987             0.9991
/// ROC AUC and average precision rank the examples by the probability of `1`.
/// ```
pub fn probability_table(parts: &[(&str, ProbabilityScores)], classes: &[String]) -> String {
    const HEAD: [&str; 4] = ["Probabilities", "log loss", "ROC AUC", "average precision"];
    let name = |part: &str| if part.is_empty() { "All" } else { part }.to_owned();
    let width = parts
        .iter()
        .map(|(part, _)| name(part).width())
        .chain([HEAD[0].width()])
        .max()
        .unwrap_or(0);
    let cell = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.4}"));
    let mut out = format!(
        "{:<width$}  {}  {}  {}\n",
        HEAD[0], HEAD[1], HEAD[2], HEAD[3]
    );
    for (part, s) in parts {
        let _ = writeln!(
            out,
            "{}{}  {:>w1$}  {:>w2$}  {:>w3$}",
            name(part),
            " ".repeat(width - name(part).width()),
            cell(Some(s.log_loss)),
            cell(s.roc_auc),
            cell(s.average_precision),
            w1 = HEAD[1].len(),
            w2 = HEAD[2].len(),
            w3 = HEAD[3].len(),
        );
    }
    if classes.len() == 2 {
        let _ = writeln!(
            out,
            "ROC AUC and average precision rank the examples by the probability of `{}`.",
            classes[1]
        );
    } else {
        let _ = writeln!(
            out,
            "ROC AUC and average precision rank each class against the rest, averaged over the \
             classes."
        );
    }
    let lower = |part: &str| {
        if part.is_empty() {
            "the data".to_owned()
        } else {
            format!("the {} part", part.to_lowercase())
        }
    };
    for (part, s) in parts {
        if s.roc_auc.is_none() {
            let _ = writeln!(
                out,
                "n/a: {} has examples of {} class, and ranking needs two.",
                lower(part),
                if s.classes_ranked == 0 { "no" } else { "one" }
            );
        } else if classes.len() > 2 && s.classes_ranked < classes.len() {
            let _ = writeln!(
                out,
                "{} has examples of {} of the {} classes; its averages are over those.",
                crate::text::capitalised(&lower(part)),
                s.classes_ranked,
                classes.len()
            );
        }
    }
    out
}

/// The examples of each of `classes` classes among `labels` (a label past them is not
/// counted): numpy's `bincount(labels, minlength=classes)`.
pub fn class_counts<'a>(labels: impl IntoIterator<Item = &'a usize>, classes: usize) -> Vec<usize> {
    let mut counts = vec![0usize; classes];
    for &l in labels {
        if let Some(c) = counts.get_mut(l) {
            *c += 1;
        }
    }
    counts
}

/// The warning when a classifier's test accuracy is no better than always answering the
/// test part's largest class (within half an example): on data of one class in a thousand,
/// 0.9986 is what a network that learnt nothing scores, and the accuracy lines alone do not
/// say so. `None` when the accuracy beats that share, or the part is empty.
///
/// ```text
/// warning: the test accuracy 0.998600 is no better than always answering `0`, the test
/// part's largest class, would score (0.998600: 19972 of 20000 examples); `dnn evaluate`
/// shows each class's recall
/// ```
pub fn majority_warning(classes: &[String], labels: &[usize], accuracy: f64) -> Option<String> {
    let m = labels.len();
    let counts = class_counts(labels, classes.len());
    // The first of the largest classes, as a tie is read.
    let (largest, &count) = counts
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))?;
    let share = count as f64 / m.max(1) as f64;
    if m == 0 || accuracy > share + 0.5 / m as f64 {
        return None;
    }
    Some(format!(
        "the test accuracy {accuracy:.6} is no better than always answering `{}`, the test \
         part's largest class, would score ({share:.6}: {count} of {m} examples); `dnn \
         evaluate` shows each class's recall",
        classes[largest]
    ))
}

/// The warning when a regression's test R² is 0 or below: its predictions are no better
/// than always answering the mean, which the R² line alone does not say to everyone. When
/// the training part scores well (R² above 0.5), the network has learnt it by heart, and
/// the warning names what holds that back. `None` when the test R² is above 0 or undefined.
///
/// ```text
/// warning: the test R² -0.873073 is no better than always answering the mean (R² 0); the
/// training part's 0.999998 says the network learnt its examples by heart: try
/// --early-stopping, --l2 or smaller layers
/// ```
pub fn regression_warning(train: &RegressionScores, test: &RegressionScores) -> Option<String> {
    let r2 = test.r2.filter(|&r2| r2 <= 0.0)?;
    let mut warning =
        format!("the test R² {r2:.6} is no better than always answering the mean (R² 0)");
    match train.r2 {
        Some(fit) if fit > 0.5 => write!(
            warning,
            "; the training part's {fit:.6} says the network learnt its examples by heart: \
             try --early-stopping, --l2 or smaller layers"
        ),
        _ => write!(
            warning,
            "; the inputs may not determine the target, or training has not yet found how: \
             try more iterations, --optimizer adam, or other inputs"
        ),
    }
    .expect("writing to a String");
    Some(warning)
}

pub use dnn_data::number::exact;
use dnn_data::number::needs_exponent;

/// `v` to at least 6 significant digits (all of its integer part), without trailing zeros:
/// `123456.7` -> `123457`, `123456789.4` -> `123456789`, `0.000123456` -> `0.000123456`,
/// `1.5e-9` -> `1.5e-9`.
pub fn significant(v: f64) -> String {
    significant_to(v, 6)
}

/// `v` to at least `digits` significant digits (all of its integer part), without trailing
/// zeros; with an exponent from 1e16 on and below 1e-4, as [`exact`].
pub fn significant_to(v: f64, digits: usize) -> String {
    let trim = |t: &str| {
        if t.contains('.') {
            t.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            t.to_owned()
        }
    };
    if v == 0.0 || !v.is_finite() {
        return v.to_string();
    }
    if needs_exponent(v) {
        let text = format!("{v:.*e}", digits.saturating_sub(1));
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        return format!("{}e{exponent}", trim(mantissa));
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    trim(&format!("{v:.decimals$}"))
}

/// Predicted against true classes of one part of the data.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// `counts[true][predicted]`.
    pub counts: Vec<Vec<usize>>,
    predictions: Vec<usize>,
    labels: Vec<usize>,
}

/// One class's (or an average's) precision, recall, F1 and support.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassScore {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// `a / b`, 0 when `b` is 0 (scikit-learn's `zero_division=0`).
fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Scores {
    /// Scores of `predictions` against `labels` (class indices below `classes`).
    pub fn new(predictions: Vec<usize>, labels: Vec<usize>, classes: usize) -> Scores {
        let mut counts = vec![vec![0; classes]; classes];
        for (&p, &t) in predictions.iter().zip(&labels) {
            counts[t][p] += 1;
        }
        Scores {
            counts,
            predictions,
            labels,
        }
    }

    /// Number of examples.
    pub fn total(&self) -> usize {
        self.labels.len()
    }

    /// Number predicted right.
    pub fn correct(&self) -> usize {
        (0..self.counts.len()).map(|k| self.counts[k][k]).sum()
    }

    /// The fraction predicted right.
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct(), self.total())
    }

    /// `(index, predicted, true)` of every mistake.
    pub fn mistakes(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        self.predictions
            .iter()
            .zip(&self.labels)
            .enumerate()
            .filter(|(_, (p, t))| p != t)
            .map(|(j, (&p, &t))| (j, p, t))
    }

    /// Precision, recall, F1 (`2 tp / (2 tp + fp + fn)`, as scikit-learn) and support of
    /// class `k`.
    pub fn class(&self, k: usize) -> ClassScore {
        let tp = self.counts[k][k];
        let predicted: usize = self.counts.iter().map(|row| row[k]).sum();
        let support: usize = self.counts[k].iter().sum();
        ClassScore {
            precision: ratio(tp, predicted),
            recall: ratio(tp, support),
            f1: ratio(2 * tp, predicted + support),
            support,
        }
    }

    /// The mean of the recalls of the classes that have examples: scikit-learn's
    /// `balanced_accuracy_score`, what training with class weights aims at. Answering one
    /// class always scores `1 / k`; 0 for no examples.
    pub fn balanced_accuracy(&self) -> f64 {
        let recalls: Vec<f64> = (0..self.counts.len())
            .filter(|&k| self.has_examples(k))
            .map(|k| self.class(k).recall)
            .collect();
        recalls.iter().sum::<f64>() / recalls.len().max(1) as f64
    }

    /// Whether class `k` has examples (its row of counts): the classes the balanced accuracy
    /// is the mean over.
    pub fn has_examples(&self, k: usize) -> bool {
        self.counts[k].iter().any(|&c| c > 0)
    }

    /// How many classes have examples ([`Scores::has_examples`]).
    pub fn classes_with_examples(&self) -> usize {
        (0..self.counts.len())
            .filter(|&k| self.has_examples(k))
            .count()
    }

    /// Whether class `k` is in the labels or the predictions: scikit-learn's report, and its
    /// `macro avg`, cover those classes only (`unique_labels(y_true, y_pred)`). A class of
    /// the model that neither has nor is predicted scores 0/0, and is left out.
    pub fn present(&self, k: usize) -> bool {
        self.counts[k].iter().any(|&c| c > 0) || self.counts.iter().any(|row| row[k] > 0)
    }

    /// The unweighted mean over the classes [present](Scores::present) (`macro avg`) and the
    /// mean weighted by support (`weighted avg`), as scikit-learn's `classification_report`.
    pub fn averages(&self) -> (ClassScore, ClassScore) {
        let all: Vec<ClassScore> = (0..self.counts.len())
            .filter(|&c| self.present(c))
            .map(|c| self.class(c))
            .collect();
        let k = all.len().max(1);
        let total = self.total();
        let mean = |f: fn(&ClassScore) -> f64| all.iter().map(f).sum::<f64>() / k as f64;
        let weighted = |f: fn(&ClassScore) -> f64| {
            all.iter().map(|s| f(s) * s.support as f64).sum::<f64>() / total.max(1) as f64
        };
        (
            ClassScore {
                precision: mean(|s| s.precision),
                recall: mean(|s| s.recall),
                f1: mean(|s| s.f1),
                support: total,
            },
            ClassScore {
                precision: weighted(|s| s.precision),
                recall: weighted(|s| s.recall),
                f1: weighted(|s| s.f1),
                support: total,
            },
        )
    }

    /// The confusion matrix labelled with the class names: rows are the true classes,
    /// columns the predicted ones.
    pub fn confusion_table(&self, names: &[String]) -> String {
        let name_width = names.iter().map(|n| n.width()).max().unwrap_or(0);
        let count_width = self
            .counts
            .iter()
            .flatten()
            .map(|c| c.to_string().len())
            .max()
            .unwrap_or(1);
        let col = name_width.max(count_width) + 2;
        let mut out = format!("{:>name_width$}", "");
        for n in names {
            out.push_str(&right(n, col));
        }
        out.push('\n');
        for (n, row) in names.iter().zip(&self.counts) {
            out.push_str(&right(n, name_width));
            for c in row {
                let _ = write!(out, "{c:>col$}");
            }
            out.push('\n');
        }
        out
    }

    /// scikit-learn's `classification_report` text, 4 digits: a row for each class in the
    /// labels or the predictions, then the averages.
    pub fn report(&self, names: &[String]) -> String {
        const DIGITS: usize = 4;
        let width = names
            .iter()
            .map(|n| n.width())
            .max()
            .unwrap_or(0)
            .max("weighted avg".len())
            .max(DIGITS);
        let mut out = format!(
            "{:>width$}  {:>9} {:>9} {:>9} {:>9}\n\n",
            "", "precision", "recall", "f1-score", "support"
        );
        let row = |out: &mut String, name: &str, s: ClassScore| {
            let _ = writeln!(
                out,
                "{}  {:>9.DIGITS$} {:>9.DIGITS$} {:>9.DIGITS$} {:>9}",
                right(name, width),
                s.precision,
                s.recall,
                s.f1,
                s.support
            );
        };
        for (k, n) in names.iter().enumerate().filter(|&(k, _)| self.present(k)) {
            row(&mut out, n, self.class(k));
        }
        out.push('\n');
        let _ = writeln!(
            out,
            "{:>width$}  {:>9} {:>9} {:>9.DIGITS$} {:>9}",
            "accuracy",
            "",
            "",
            self.accuracy(),
            self.total()
        );
        let (macro_avg, weighted) = self.averages();
        row(&mut out, "macro avg", macro_avg);
        row(&mut out, "weighted avg", weighted);
        out
    }
}

/// `text` right-aligned in `width` terminal columns: `format!`'s `{:>width$}` counts
/// characters, so a CJK or emoji class name (two columns each) pushed its row out of line.
fn right(text: &str, width: usize) -> String {
    format!("{}{text}", " ".repeat(width.saturating_sub(text.width())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probability_table_says_what_is_ranked_and_why_a_score_is_missing() {
        let two = ProbabilityScores {
            examples: 4,
            log_loss: 0.21616187468057912,
            roc_auc: Some(0.75),
            average_precision: Some(0.8333333333333333),
            classes_ranked: 2,
        };
        let single = ProbabilityScores {
            roc_auc: None,
            average_precision: None,
            classes_ranked: 1,
            ..two
        };
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Columns: the names padded to `Probabilities` (13), then each number right-aligned
        // under its heading, two spaces apart.
        assert_eq!(
            probability_table(
                &[("Train", two), ("Validation", single)],
                &names(&["no", "yes"])
            ),
            "Probabilities  log loss  ROC AUC  average precision\n\
             Train            0.2162   0.7500             0.8333\n\
             Validation       0.2162      n/a                n/a\n\
             ROC AUC and average precision rank the examples by the probability of `yes`.\n\
             n/a: the validation part has examples of one class, and ranking needs two.\n"
        );
        // More classes: averaged, and a part missing some says so; data scored whole is `All`.
        let three = names(&["a", "b", "c"]);
        let table = probability_table(&[("", two)], &three);
        assert!(table.contains("\nAll              0.2162"), "{table}");
        assert!(
            table.contains("rank each class against the rest, averaged over the classes."),
            "{table}"
        );
        assert!(
            table.contains(
                "The data has examples of 2 of the 3 classes; its averages are over those."
            ),
            "{table}"
        );
        let all_three = ProbabilityScores {
            classes_ranked: 3,
            ..two
        };
        assert_eq!(
            probability_table(&[("Test", all_three)], &three)
                .lines()
                .count(),
            3
        );
    }

    #[test]
    fn a_test_r2_of_zero_or_below_is_warned_about_with_what_may_help() {
        let scores = |r2| RegressionScores {
            examples: 40,
            r2,
            rmse: 1.0,
            mae: 1.0,
        };
        let overfit = regression_warning(&scores(Some(0.999998)), &scores(Some(-0.873073)));
        assert_eq!(
            overfit.as_deref(),
            Some(
                "the test R² -0.873073 is no better than always answering the mean (R² 0); \
                 the training part's 0.999998 says the network learnt its examples by heart: \
                 try --early-stopping, --l2 or smaller layers"
            )
        );
        let unlearnt = regression_warning(&scores(Some(0.1)), &scores(Some(0.0))).unwrap();
        assert!(unlearnt.contains("try more iterations"), "{unlearnt}");
        assert_eq!(
            regression_warning(&scores(Some(0.9)), &scores(Some(0.01))),
            None
        );
        assert_eq!(regression_warning(&scores(Some(0.9)), &scores(None)), None);
    }

    #[test]
    fn an_accuracy_no_better_than_the_largest_class_is_warned_about() {
        let classes = ["no".to_owned(), "yes".to_owned()];
        // 7 of 10 are `yes`: 0.7 is always answering yes, within half an example of it too.
        let labels = [1, 0, 1, 1, 0, 1, 1, 0, 1, 1];
        let warned = majority_warning(&classes, &labels, 0.7).expect("a warning");
        assert_eq!(
            warned,
            "the test accuracy 0.700000 is no better than always answering `yes`, the test \
             part's largest class, would score (0.700000: 7 of 10 examples); `dnn evaluate` \
             shows each class's recall"
        );
        assert!(majority_warning(&classes, &labels, 0.74).is_some());
        assert!(majority_warning(&classes, &labels, 0.6).is_some());
        assert_eq!(majority_warning(&classes, &labels, 0.8), None);
        assert_eq!(majority_warning(&classes, &[], 0.0), None);
        // A tie names the first class.
        let tied = majority_warning(&classes, &[0, 1], 0.5).expect("a warning");
        assert!(tied.contains("`no`"), "{tied}");
    }

    /// A case worked by hand: 3 classes, 8 examples.
    /// true:      0 0 0 1 1 2 2 2
    /// predicted: 0 1 0 1 1 2 0 1
    #[test]
    fn precision_recall_and_f1_follow_their_definitions() {
        let s = Scores::new(
            vec![0, 1, 0, 1, 1, 2, 0, 1],
            vec![0, 0, 0, 1, 1, 2, 2, 2],
            3,
        );
        assert_eq!(s.counts, vec![vec![2, 1, 0], vec![0, 2, 0], vec![1, 1, 1]]);
        assert_eq!(s.correct(), 5);
        // Class 0: tp 2, predicted 3, support 3.
        let c0 = s.class(0);
        assert_eq!(
            (c0.precision, c0.recall, c0.support),
            (2.0 / 3.0, 2.0 / 3.0, 3)
        );
        // Class 1: tp 2, predicted 4, support 2; F1 = 4 / 6.
        let c1 = s.class(1);
        assert_eq!((c1.precision, c1.recall, c1.f1), (0.5, 1.0, 4.0 / 6.0));
        // Class 2: tp 1, predicted 1, support 3.
        assert_eq!(s.class(2).f1, 2.0 / 4.0);
        let (m, w) = s.averages();
        assert!((m.recall - (2.0 / 3.0 + 1.0 + 1.0 / 3.0) / 3.0).abs() < 1e-15);
        assert!(
            (w.recall - 5.0 / 8.0).abs() < 1e-15,
            "weighted recall is accuracy"
        );
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let text = s.report(&names);
        assert!(text.contains("accuracy"), "{text}");
        assert!(
            text.contains("    0.6667    0.6667    0.6667         3"),
            "{text}"
        );
    }

    /// A class of the model neither in the labels nor predicted is left out of the report
    /// and its macro average; one predicted only is in them. The expected figures are
    /// scikit-learn 1.9.1's `classification_report(..., zero_division=0)`.
    #[test]
    fn the_macro_average_covers_the_classes_seen_as_scikit_learns() {
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let absent = Scores::new(vec![0, 0, 1, 1, 1], vec![0, 0, 0, 1, 1], 3);
        let (m, _) = absent.averages();
        // {"precision": 0.8333333333333333, "recall": 0.8333333333333333, "f1-score": 0.8}
        assert!((m.precision - 0.8333333333333333).abs() < 1e-15, "{m:?}");
        assert!((m.recall - 0.8333333333333333).abs() < 1e-15, "{m:?}");
        assert!((m.f1 - 0.8).abs() < 1e-15, "{m:?}");
        let text = absent.report(&names);
        assert!(
            !text.lines().any(|l| l.trim_start().starts_with("c ")),
            "{text}"
        );
        let predicted_only = Scores::new(vec![0, 0, 2, 1, 1], vec![0, 0, 0, 1, 1], 3);
        let text = predicted_only.report(&names);
        for line in [
            "           c     0.0000    0.0000    0.0000         0",
            "   macro avg     0.6667    0.5556    0.6000         5",
            "weighted avg     1.0000    0.8000    0.8800         5",
        ] {
            assert!(text.contains(line), "{line:?} in\n{text}");
        }
    }

    /// scikit-learn's `balanced_accuracy_score(y_true, y_pred)` of the same labels (a class
    /// only predicted has no recall and is left out, as scikit-learn does with a warning).
    #[test]
    fn the_balanced_accuracy_is_scikit_learns() {
        for (labels, predictions, want) in [
            (vec![0, 0, 0, 1, 1], vec![0, 0, 2, 1, 1], 0.8333333333333333),
            (
                vec![0, 1, 2, 2, 1, 0, 0],
                vec![0, 2, 2, 2, 1, 1, 0],
                0.7222222222222222,
            ),
            (vec![1, 1, 1], vec![1, 1, 0], 0.6666666666666666),
        ] {
            let got = Scores::new(predictions, labels, 3).balanced_accuracy();
            assert!((got - want).abs() < 1e-15, "{got} vs {want}");
        }
    }

    #[test]
    fn wide_class_names_keep_the_columns_in_line() {
        let s = Scores::new(vec![0, 1, 2, 2], vec![0, 1, 2, 1], 3);
        let names: Vec<String> = ["猫", "dog", "🐟 fish"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let table = s.confusion_table(&names);
        let widths: Vec<usize> = table.lines().map(UnicodeWidthStr::width).collect();
        assert!(
            widths.iter().all(|&w| w == widths[0]),
            "{widths:?}\n{table}"
        );
        // The report's numbers start in one column whatever the name before them.
        let report = s.report(&names);
        let starts: Vec<usize> = report
            .lines()
            .filter(|l| l.ends_with("         1") || l.ends_with("         2"))
            .map(|l| l.width())
            .collect();
        assert!(
            starts.len() >= 3 && starts.iter().all(|&w| w == starts[0]),
            "{report}"
        );
    }

    #[test]
    fn a_class_never_predicted_scores_zero_not_nan() {
        let s = Scores::new(vec![0, 0], vec![0, 1], 2);
        let c = s.class(1);
        assert_eq!((c.precision, c.recall, c.f1), (0.0, 0.0, 0.0));
    }

    #[test]
    fn significant_keeps_six_digits_and_no_trailing_zeros() {
        for (v, want) in [
            (123456.7, "123457"),
            (0.000123456, "0.000123456"),
            (1.5e-9, "1.5e-9"),
            (2.5, "2.5"),
            (-40.0, "-40"),
            (3e20, "3e20"),
            (123456789.4, "123456789"),
        ] {
            assert_eq!(significant(v), want, "{v}");
        }
        for (v, digits, want) in [
            (1000000000.256, 13, "1000000000.256"),
            (2.5e-9, 3, "2.5e-9"),
        ] {
            assert_eq!(significant_to(v, digits), want, "{v}");
        }
        assert_eq!(significant(0.5), "0.5");
        // Below 1e-4, an exponent rather than zeros; up to it, the decimals.
        assert_eq!(significant(1.25e-5), "1.25e-5");
        assert_eq!(significant(0.0001), "0.0001");
        assert_eq!(significant(9999999999999998.0), "9999999999999998");
        assert_eq!(significant(1e16), "1e16");
    }

    #[test]
    fn exact_numbers_round_trip_with_an_exponent_where_huge_or_tiny() {
        for (v, want) in [
            (0.25, "0.25"),
            (-3.0, "-3"),
            (0.0, "0"),
            (0.0001, "0.0001"),
            (2491028713240843.0, "2491028713240843"),
            (2.491028713240843e300, "2.491028713240843e300"),
            (1e16, "1e16"),
            (-1.5e-200, "-1.5e-200"),
            (9.99e-5, "9.99e-5"),
            (f64::INFINITY, "inf"),
            (f64::MIN_POSITIVE / 8.0, "2.781342323134e-309"),
        ] {
            assert_eq!(exact(v), want, "{v:?}");
            if v.is_finite() {
                assert_eq!(exact(v).parse::<f64>().unwrap().to_bits(), v.to_bits());
            }
        }
        // Every float's text reads back as that float, bit for bit.
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = f64::from_bits(x);
            if v.is_finite() {
                assert_eq!(
                    exact(v).parse::<f64>().unwrap().to_bits(),
                    v.to_bits(),
                    "{v:e}"
                );
            }
        }
    }
}
