//! `dnn train --class-weight balanced|CLASS=W,...`: how much an example of each class counts in
//! the cost (dnn-core's `ClassWeights`), for data whose classes are far from even.
//!
//! `balanced` is scikit-learn's `class_weight="balanced"`, `m / (k m_c)` over the training
//! part (after any validation part is held out; each cross-validation fold's own); given
//! weights name classes as the data's target line shows them, and a class left out counts 1.

use std::collections::BTreeMap;

use anyhow::{bail, Context};
use dnn_core::{ClassWeights, DnnError, Float, Network, Optimizer};
use dnn_data::dataset::labels_matrix;
use dnn_data::Dataset;
use ndarray::ArrayView2;

use crate::metrics::{class_counts, significant_to, Scores};
use crate::text::{count, first_three};

/// The flag's value: scikit-learn's balanced weights, or weights by class name.
#[derive(Debug, Clone, PartialEq)]
pub enum ClassWeightArg {
    /// `m / (k m_c)` over the training part.
    Balanced,
    /// `(class, weight)` pairs, in the order given.
    Given(Vec<(String, f64)>),
}

/// Parses `balanced` or `CLASS=W[,CLASS=W...]` (each weight a finite number > 0; a class name
/// is everything before its last `=`).
pub fn parse_class_weight(s: &str) -> Result<ClassWeightArg, String> {
    if s == "balanced" {
        return Ok(ClassWeightArg::Balanced);
    }
    if s.trim().is_empty() {
        return Err(
            "no weights given: give `balanced`, or weights such as `yes=5` or `cat=2,dog=1` (a \
             class left out counts 1)"
                .into(),
        );
    }
    if s.starts_with("--") {
        return Err(format!(
            "`{s}` is a flag: give --class-weight its value first, `balanced` or weights such as \
             `yes=5` (a class named with a leading hyphen is given as `-1=5`)"
        ));
    }
    let mut given: Vec<(String, f64)> = Vec::new();
    for item in s.split(',') {
        if item.trim().is_empty() {
            return Err(format!(
                "`{s}` has an empty weight between its commas: give CLASS=WEIGHT pairs such as \
                 `cat=2,dog=1`"
            ));
        }
        let Some((class, weight)) = item.rsplit_once('=') else {
            // A comma in a class's name splits it: the other classes can be weighed instead.
            let comma = match s.contains(',') && s.contains('=') {
                true => {
                    "; a comma separates weights, so a class whose name holds one cannot be \
                     named: weigh the other classes instead (a class left out counts 1)"
                }
                false => "",
            };
            return Err(format!(
                "`{item}` is not CLASS=WEIGHT: give `balanced`, or weights such as `yes=5` or \
                 `cat=2,dog=1` (a class left out counts 1){comma}"
            ));
        };
        if class.trim().is_empty() {
            return Err(format!(
                "`{item}` names no class: give CLASS=WEIGHT pairs such as `yes=5` or `cat=2,dog=1`"
            ));
        }
        let w: f64 = weight
            .trim()
            .parse()
            .map_err(|_| format!("the weight of `{class}`, `{weight}`, is not a number"))?;
        // A number written above 0 that f64 cannot hold: too small (rounds to 0) or too large.
        let text = weight.trim();
        let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
        let above_zero = !text.starts_with('-') && mantissa.chars().any(|c| matches!(c, '1'..='9'));
        if w == 0.0 && above_zero {
            return Err(format!(
                "the weight of `{class}`, {text}, is too small for f64, which rounds it to 0 (it \
                 holds numbers from about 5e-324); give weights nearer 1"
            ));
        }
        if w.is_infinite() && above_zero && !text.to_ascii_lowercase().contains("inf") {
            return Err(format!(
                "the weight of `{class}`, {text}, is too large for f64 (which holds numbers up \
                 to about 1.8e308); give weights nearer 1"
            ));
        }
        if !(w.is_finite() && w > 0.0) {
            return Err(format!(
                "the weight of `{class}` is {weight}: a class weight must be a finite number > 0 \
                 (to leave a class out, leave its rows out)"
            ));
        }
        if given.iter().any(|(c, _)| c == class) {
            return Err(format!("`{class}` is given two weights"));
        }
        given.push((class.to_owned(), w));
    }
    Ok(ClassWeightArg::Given(given))
}

/// The part that trains, as class weights see it: the data's classes, whether it is a
/// regression, and each training example's class (no inputs: nothing is copied).
#[derive(Debug, Clone, Copy)]
pub struct TrainingPart<'a> {
    /// The data's class names, by index.
    pub classes: &'a [String],
    /// Whether the target is a number to predict.
    pub regression: bool,
    /// The class of each training example.
    pub labels: &'a [usize],
}

impl<'a> TrainingPart<'a> {
    /// `data`'s training part.
    pub fn of<F: Float>(data: &'a Dataset<F>) -> TrainingPart<'a> {
        TrainingPart {
            classes: &data.spec.classes,
            regression: data.is_regression(),
            labels: &data.train_labels,
        }
    }
}

impl ClassWeightArg {
    /// The weights for `part`'s classes, from its examples for `balanced`, held by the element
    /// type `F`; messages name the setting `name` (`--class-weight`, or `dnn serve`'s
    /// `class_weight`).
    ///
    /// # Errors
    /// For a regression; a given class that is not one of the data's; `balanced` with a class
    /// that has no training example.
    ///
    /// `held_out`: whether a validation part was held out of the training part first (an
    /// absent class may be there).
    pub fn weights<F: Float>(
        &self,
        part: TrainingPart<'_>,
        held_out: bool,
        name: &str,
    ) -> anyhow::Result<ClassWeights> {
        let classes = part.classes;
        if part.regression {
            bail!(
                "{name} weighs the classes of a classifier, but the target is a number to \
                 predict (a regression); leave out {name}"
            );
        }
        match self {
            ClassWeightArg::Balanced => {
                let y = labels_matrix::<f64>(part.labels, classes.len());
                ClassWeights::balanced(y.view()).map_err(|e| match e {
                    DnnError::AbsentClass { class } => {
                        let present = (0..classes.len())
                            .filter(|k| part.labels.contains(k))
                            .map(|k| format!("{}=W", classes[k]));
                        anyhow::anyhow!(
                            "{name} balanced: the class `{}` has no example in the training \
                             part{}, so balanced weights cannot weigh it (m / (k · 0)); name \
                             weights for the classes it has ({name} {}), or train on data that \
                             has `{}`",
                            classes[class],
                            match held_out {
                                true => " (after the validation part was held out)",
                                false => "",
                            },
                            first_three(present.collect::<Vec<_>>().into_iter()).replace(", ", ","),
                            classes[class]
                        )
                    }
                    other => other.into(),
                })
            }
            ClassWeightArg::Given(given) => {
                let mut weights = vec![1.0; classes.len()];
                for (class, w) in given {
                    let Some(k) = position(classes, class) else {
                        bail!(
                            "{name} names `{class}`, which is not one of the data's classes; \
                             they are {}",
                            first_three(classes.iter().map(|c| format!("`{c}`")))
                        );
                    };
                    // The backward pass multiplies by the weight in F: f32 holds less.
                    let held = F::of(*w);
                    if !(held.is_finite() && held > F::zero()) {
                        bail!(
                            "{name}: the weight of `{class}`, {w:e}, is {} for {} (which holds \
                             numbers from about 1.4e-45 to 3.4e38); give weights nearer 1, or \
                             train in f64",
                            match held.is_finite() {
                                true => "too small",
                                false => "too large",
                            },
                            F::NAME
                        );
                    }
                    weights[k] = *w;
                }
                ClassWeights::new(weights).with_context(|| name.to_owned())
            }
        }
    }

    /// `Class weights: `no` 0.6, `yes` 3 (balanced: m / (k · m_c) over the 24 training
    /// examples)`, for the weights `weights` of `part`'s classes (the first three of them),
    /// `note` added inside the brackets.
    pub fn line(&self, weights: &ClassWeights, part: TrainingPart<'_>, note: &str) -> String {
        let how = match self {
            ClassWeightArg::Balanced => format!(
                "balanced: m / (k · m_c) over the {}",
                count(part.labels.len(), "training example")
            ),
            ClassWeightArg::Given(_) => "as given; a class left out counts 1".to_owned(),
        };
        format!(
            "Class weights: {} ({how}{note})",
            shown(part.classes, weights.as_slice())
        )
    }
}

/// The class named `name` as written, or without the spaces around it (`a=1, b=2`).
fn position(classes: &[String], name: &str) -> Option<usize> {
    (classes.iter().position(|c| c == name))
        .or_else(|| classes.iter().position(|c| c == name.trim()))
}

/// What a training example counts on average under `weights`: `Σ_j w_j / m` over `labels`
/// (1 for balanced weights, which keep the learning rate's meaning).
pub fn mean_weight(weights: &ClassWeights, labels: &[usize]) -> f64 {
    let w = weights.as_slice();
    let counts = class_counts(labels, w.len());
    // Each weight times its class's share: no sum of weights to overflow (1e308 each).
    let m = labels.len().max(1) as f64;
    w.iter()
        .zip(&counts)
        .map(|(w, &n)| w * (n as f64 / m))
        .sum()
}

/// The mean class weight from which Adam is warned about, and a diverged Adam run names the
/// class weights: Adam's steps do not scale with the gradient, so weights matter to it only
/// once the weighted cost and gradients near overflow (a gradient of 1e20 overflows f32 once
/// Adam squares it); a million is far beyond any weights that even out classes.
pub const ADAM_OVERFLOWING_WEIGHT: f64 = 1e6;

/// How far above Adam's epsilon the mean class weight must stay (gradients of 0.01 weighted
/// by it stay 100 times the epsilon).
const ADAM_SMALL: f64 = 1e4;

/// The warnings about given weights before training: a class named that has no training
/// example (its weight changes nothing), and weights whose mean over the training examples is
/// far from 1: but for Adam (whose steps do not scale with the gradient), every step is scaled
/// as a learning rate that many times larger would be; with Adam, weights so small that its
/// epsilon swamps the gradients, or so large that they near overflow. `name`: the setting, as
/// [`ClassWeightArg::weights`] names it.
pub fn warnings(
    arg: &ClassWeightArg,
    weights: &ClassWeights,
    part: TrainingPart<'_>,
    (optimizer, name): (&Optimizer, &str),
) -> Vec<String> {
    let mut out = Vec::new();
    if let ClassWeightArg::Given(given) = arg {
        for (class, _) in given {
            let k = position(part.classes, class);
            if k.is_some_and(|k| !part.labels.contains(&k)) {
                out.push(format!(
                    "{name} weighs `{class}`, which has no example in the training part: its \
                     weight changes nothing"
                ));
            }
        }
    }
    let mean = mean_weight(weights, part.labels);
    match *optimizer {
        // Adam divides by the gradient's size, plus its epsilon: gradients scaled down near
        // that epsilon shrink its steps until the network learns nothing.
        Optimizer::Adam { epsilon, .. } if mean < ADAM_SMALL * epsilon => {
            out.push(format!(
                "with these class weights a training example counts {} on average, which \
                 scales the gradients down towards Adam's epsilon ({}), where its steps shrink \
                 and the network learns little; weights of 1 on average (as balanced's are) \
                 keep its steps whole",
                significant_to(mean, 4),
                significant_to(epsilon, 4)
            ));
        }
        Optimizer::Adam { .. } if mean >= ADAM_OVERFLOWING_WEIGHT => {
            out.push(format!(
                "with these class weights a training example counts {} on average, which \
                 brings the cost and its gradients towards overflow, where Adam's steps stop or \
                 the run diverges; weights of 1 on average (as balanced's are) keep them in \
                 range",
                significant_to(mean, 4)
            ));
        }
        Optimizer::Adam { .. } => {}
        _ if !(0.1..=10.0).contains(&mean) => {
            out.push(format!(
                "with these class weights a training example counts {} on average, which \
                 scales every step as a learning rate {} times as large would; weights of 1 on \
                 average (as balanced's are) keep its meaning",
                significant_to(mean, 4),
                significant_to(mean, 4)
            ));
        }
        _ => {}
    }
    out
}

/// `` `fault` 14.55, `ok` 0.5178 ``: the first three classes' weights, to 4 digits.
pub fn shown(classes: &[String], weights: &[f64]) -> String {
    let each: Vec<String> = (classes.iter().zip(weights))
        .map(|(c, w)| format!("`{c}` {}", significant_to(*w, 4)))
        .collect();
    first_three(each.into_iter())
}

/// The warning when training goes on `--from` a model trained with class weights, without
/// `--class-weight`: every example now counts the same, which the user may not mean.
pub fn unweighted_from(model: &dnn_data::model::Model, path: &std::path::Path) -> Option<String> {
    let weights = model.setup.class_weights.as_ref()?;
    let classes = match model.spec.as_ref() {
        Some(spec) if spec.classes.len() == weights.len() => spec.classes.clone(),
        _ => (0..weights.len()).map(|k| format!("class {k}")).collect(),
    };
    Some(format!(
        "{} was trained with class weights ({}); this training weighs every example the same: \
         give --class-weight to weigh the classes again",
        path.display(),
        shown(&classes, weights)
    ))
}

/// Each part's balanced accuracy ([`Scores::balanced_accuracy`]): `(name, balanced accuracy,
/// classes with examples)` for each `(name, inputs, labels)` of `parts`.
pub fn balanced_accuracies<F: Float>(
    net: &Network<F>,
    parts: &[(&'static str, ArrayView2<'_, F>, &[usize])],
    classes: usize,
) -> anyhow::Result<Vec<(&'static str, f64, usize)>> {
    let mut out = Vec::with_capacity(parts.len());
    for &(name, x, labels) in parts {
        let scores = Scores::new(net.predict_classes(x)?, labels.to_vec(), classes);
        out.push((
            name,
            scores.balanced_accuracy(),
            scores.classes_with_examples(),
        ));
    }
    Ok(out)
}

/// What a balanced accuracy is, as the lines that print one say it.
pub const BALANCED: &str = "the mean of the classes' recalls, what class weights aim to raise";

/// `Balanced accuracy (the mean of the classes' recalls, what class weights aim to raise):
/// train 0.955, test 0.960`; a part without an example of each of the `classes` says over how
/// many it is taken (`test 1.000000 (of its 1 class of 2)`), as a mean of fewer recalls.
pub fn balanced_line(balanced: &[(&str, f64, usize)], classes: usize) -> String {
    format!(
        "Balanced accuracy ({BALANCED}): {}",
        balanced_parts(balanced, classes)
    )
}

/// [`balanced_line`]'s figures: `train 0.955000, test 1.000000 (of its 1 class of 2)`.
pub fn balanced_parts(balanced: &[(&str, f64, usize)], classes: usize) -> String {
    let each: Vec<String> = (balanced.iter())
        .map(|&(name, b, present)| match present < classes {
            true => format!(
                "{name} {b:.6} (of its {} of {classes})",
                count(present, "class")
            ),
            false => format!("{name} {b:.6}"),
        })
        .collect();
    each.join(", ")
}

/// [`balanced_accuracies`] as the reports record them: by part name.
pub fn by_part(balanced: &[(&str, f64, usize)]) -> BTreeMap<String, f64> {
    balanced
        .iter()
        .map(|&(p, b, _)| (p.to_owned(), b))
        .collect()
}

/// The warning when the test part's balanced accuracy is no better than always answering one
/// class would score (`1 / k` for its `k` classes): the weighted network learnt nothing of
/// them either.
pub fn balanced_warning(balanced: &[(&str, f64, usize)]) -> Option<String> {
    let &(_, b, present) = balanced.iter().find(|(name, _, _)| *name == "test")?;
    let one = 1.0 / present.max(1) as f64;
    // A test part of one class says nothing of telling classes apart.
    (present > 1 && b <= one + 1e-12).then(|| {
        format!(
            "the test balanced accuracy {b:.6} is no better than always answering one class \
             would score ({one:.6} for its {present} classes); `dnn evaluate` shows each \
             class's recall"
        )
    })
}

/// How many times the largest class outnumbers the rarest before `dnn describe` points to
/// `--class-weight` (1 in 6 of two classes).
pub const UNEVEN: usize = 5;

/// `Uneven classes: `fault` is 125 of 3000 rows (4.2 %), `ok` 2875 (95.8 %): a network can
/// score 0.958333 by answering `ok` alone; --class-weight balanced makes each class weigh the
/// same in the cost`, when the largest of `classes` (`counts` examples each) outnumbers the
/// rarest [`UNEVEN`] times or more; the advice is [`uneven_advice`]'s for the training part's
/// `train_counts`.
pub fn uneven_line(classes: &[String], counts: &[usize], train_counts: &[usize]) -> Option<String> {
    uneven(classes, counts, "rows").map(|facts| {
        let flag = |value: &str| format!("--class-weight {value}");
        format!("{facts}; {}", uneven_advice(classes, train_counts, flag))
    })
}

/// How class weights even uneven classes, `setting` writing a value as the user gives it:
/// `balanced` makes each class weigh the same; but where a class has no example in the
/// training part (`train_counts`), which `balanced` cannot weigh, weights by name.
pub fn uneven_advice(
    classes: &[String],
    train_counts: &[usize],
    setting: impl Fn(&str) -> String,
) -> String {
    let absent = (0..classes.len()).find(|&k| train_counts[k] == 0);
    let rarest = (0..classes.len())
        .filter(|&k| train_counts[k] > 0)
        .min_by_key(|&k| (train_counts[k], k));
    match (absent, rarest) {
        (Some(absent), Some(rarest)) => format!(
            "{} weighs a class up by name (balanced cannot: `{}` has no example in the training \
             part)",
            setting(&format!("{}=5", classes[rarest])),
            classes[absent]
        ),
        _ => format!(
            "{} makes each class weigh the same in the cost",
            setting("balanced")
        ),
    }
}

/// Whether the largest class (of `counts` examples each) outnumbers the rarest [`UNEVEN`]
/// times or more, over the classes that have examples (at least two): where accuracy flatters
/// a network that answers the common class, and each part's balanced accuracy is printed
/// beside it.
pub fn is_uneven(counts: &[usize]) -> bool {
    let present = || counts.iter().copied().filter(|&n| n > 0);
    let (Some(rarest), Some(largest)) = (present().min(), present().max()) else {
        return false;
    };
    present().count() >= 2 && largest >= UNEVEN * rarest
}

/// [`uneven_line`]'s facts, without its advice: `Uneven classes: ... by answering `ok` alone`,
/// the examples called `rows`.
pub fn uneven(classes: &[String], counts: &[usize], rows: &str) -> Option<String> {
    let m: usize = counts.iter().sum();
    if !is_uneven(counts) {
        return None;
    }
    let rarest = (0..counts.len())
        .filter(|&k| counts[k] > 0)
        .min_by_key(|&k| (counts[k], k))?;
    let largest = (0..counts.len()).max_by_key(|&k| (counts[k], std::cmp::Reverse(k)))?;
    let share = |k: usize| 100.0 * counts[k] as f64 / m as f64;
    Some(format!(
        "Uneven classes: `{}` is {} of {m} {rows} ({:.1} %), `{}` {} ({:.1} %): a network can score \
         {:.6} by answering `{}` alone",
        classes[rarest],
        counts[rarest],
        share(rarest),
        classes[largest],
        counts[largest],
        share(largest),
        counts[largest] as f64 / m as f64,
        classes[largest]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_mean_weight_is_taken_without_overflow() {
        let w = ClassWeights::new(vec![1e308, 1e308]).unwrap();
        assert_eq!(mean_weight(&w, &[0, 1, 1, 0, 1]), 1e308);
        let w = ClassWeights::new(vec![0.5, 5.0]).unwrap();
        // Balanced weights of 9 to 1 average exactly 1.
        let labels: Vec<usize> = (0..10).map(|i| usize::from(i == 0)).collect();
        let balanced = ClassWeights::new(vec![10.0 / 18.0, 5.0]).unwrap();
        assert!((mean_weight(&balanced, &labels) - 1.0).abs() < 1e-15);
        assert_eq!(mean_weight(&w, &[1, 1]), 5.0);
    }

    #[test]
    fn uneven_classes_are_pointed_out_from_five_to_one() {
        let classes = names(&["fault", "ok"]);
        let labels = |rare: usize, common: usize| {
            let mut l = vec![0; rare];
            l.extend(vec![1; common]);
            l
        };
        let counts = |labels: &[usize]| class_counts(labels, 2);
        assert_eq!(
            uneven_line(&classes, &counts(&labels(1, 5)), &[1, 5]).unwrap(),
            "Uneven classes: `fault` is 1 of 6 rows (16.7 %), `ok` 5 (83.3 %): a network can \
             score 0.833333 by answering `ok` alone; --class-weight balanced makes each class \
             weigh the same in the cost"
        );
        assert_eq!(uneven_line(&classes, &counts(&labels(1, 4)), &[1, 4]), None);
        assert_eq!(uneven_line(&classes, &counts(&labels(0, 9)), &[0, 9]), None);
        // Three classes: the rarest against the largest.
        let three = names(&["a", "b", "c"]);
        // Over the classes with examples: a class of none is no rarest one.
        assert!(is_uneven(&[0, 50, 300]));
        assert!(!is_uneven(&[0, 300]));
        assert!(!is_uneven(&[0, 61, 300]));
        let line = uneven_line(&three, &[1, 2, 10], &[1, 2, 10]).unwrap();
        assert!(
            line.starts_with("Uneven classes: `a` is 1 of 13 rows (7.7 %), `c` 10"),
            "{line}"
        );
    }
}
