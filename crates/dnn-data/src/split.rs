//! The train/test split of a source without a test part: stratified for classes, shuffled
//! for a regression's values ([`shuffled`]), by whole groups of rows when they are given
//! ([`grouped`]); and the folds of cross-validation, as scikit-learn's `StratifiedKFold`,
//! `KFold` and `GroupKFold` make them ([`stratified_fold`], [`shuffled_fold`],
//! [`grouped_fold`]).
//!
//! The algorithm, so that numpy reproduces it exactly:
//!
//! ```python
//! rng = np.random.RandomState(seed)
//! train, test = [], []
//! for c in range(K):                       # every class, in index order
//!     idx = np.flatnonzero(labels == c)    # its examples, in file order
//!     perm = rng.permutation(len(idx))     # draws nothing when the class is empty
//!     n_test = int(np.floor(fraction * len(idx) + 0.5))
//!     test += list(idx[perm[:n_test]])
//!     train += list(idx[perm[n_test:]])
//! train, test = sorted(train), sorted(test) # each part keeps the file's order
//! ```
//!
//! Rounding is half up (`floor(x + 0.5)`), not numpy's half-to-even `round`.

use crate::number::exact;
use dnn_core::NumpyRng;

/// Splits example indices `0..labels.len()` into `(train, test)`, both ascending: from each
/// class, `floor(fraction * n_c + 0.5)` examples chosen by a numpy-compatible permutation go
/// to the test part (see the [module docs](self)).
///
/// ```
/// let (train, test) = dnn_data::split::stratified(&[0, 0, 0, 0, 0, 1, 1, 1, 1, 1], 2, 0.2, 0).unwrap();
/// assert_eq!((train.len(), test.len()), (8, 2));
/// assert_eq!(test.iter().filter(|&&i| i < 5).count(), 1, "one of each class");
/// ```
///
/// # Errors
/// A message when `fraction` is not in `(0, 1)`, when a label is not below `classes`, or when
/// either part would be empty.
pub fn stratified(
    labels: &[usize],
    classes: usize,
    fraction: f64,
    seed: u32,
) -> Result<(Vec<usize>, Vec<usize>), String> {
    stratified_part(labels, classes, fraction, seed, "test")
}

/// [`stratified`], with the held-out part called `part` (`test`, `validation`) in its
/// messages.
pub(crate) fn stratified_part(
    labels: &[usize],
    classes: usize,
    fraction: f64,
    seed: u32,
    part: &str,
) -> Result<(Vec<usize>, Vec<usize>), String> {
    check_fraction(fraction, part)?;
    if let Some((j, &c)) = labels.iter().enumerate().find(|&(_, &c)| c >= classes) {
        return Err(format!(
            "example {j} has the label {c}, but there are {classes} classes (labels 0 to {})",
            classes.saturating_sub(1)
        ));
    }
    let mut rng = NumpyRng::new(seed);
    let mut by_class = vec![Vec::new(); classes];
    for (j, &c) in labels.iter().enumerate() {
        by_class[c].push(j);
    }
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for idx in &by_class {
        let perm = rng.permutation(idx.len());
        let n_test = (fraction * idx.len() as f64 + 0.5).floor() as usize;
        test.extend(perm[..n_test].iter().map(|&p| idx[p]));
        train.extend(perm[n_test..].iter().map(|&p| idx[p]));
    }
    let single = by_class.iter().filter(|idx| idx.len() == 1).count();
    if test.is_empty() && classes > 2 && single * 2 > classes {
        // A column of measurements or ids read as labels: a class per value.
        return Err(format!(
            "a stratified {part} split of {} of {} examples leaves no {part} examples, as \
             {single} of the {classes} classes have a single example (kept in training); is the \
             label a class, or a measurement or an id? A measurement of numbers to predict is a \
             regression (--task regress); an id is no label",
            exact(fraction),
            labels.len()
        ));
    }
    if test.is_empty() || train.is_empty() {
        return Err(format!(
            "a stratified {part} split of {} of {} example{} leaves {} training and {} {part} examples; give more examples or another split",
            exact(fraction),
            labels.len(),
            if labels.len() == 1 { "" } else { "s" },
            train.len(),
            test.len()
        ));
    }
    train.sort_unstable();
    test.sort_unstable();
    Ok((train, test))
}

/// Splits example indices `0..m` of a regression (no classes to stratify by) into
/// `(train, test)`, both ascending, as scikit-learn's `ShuffleSplit(n_splits=1, test_size=
/// fraction, random_state=seed)` (and so `train_test_split`) does:
///
/// ```python
/// n_test = ceil(fraction * m); n_train = m - n_test
/// perm = np.random.RandomState(seed).permutation(m)
/// test, train = sorted(perm[:n_test]), sorted(perm[n_test:n_test + n_train])
/// ```
///
/// ```
/// let (train, test) = dnn_data::split::shuffled(10, 0.2, 0).unwrap();
/// assert_eq!((train.len(), test.len()), (8, 2));
/// assert_eq!(test, [2, 8]); // scikit-learn's ShuffleSplit(test_size=0.2, random_state=0)
/// ```
///
/// # Errors
/// A message when `fraction` is not in `(0, 1)` or either part would be empty.
pub fn shuffled(m: usize, fraction: f64, seed: u32) -> Result<(Vec<usize>, Vec<usize>), String> {
    shuffled_part(m, fraction, seed, "test")
}

/// [`shuffled`], with the held-out part called `part` (`test`, `validation`) in its
/// messages.
pub(crate) fn shuffled_part(
    m: usize,
    fraction: f64,
    seed: u32,
    part: &str,
) -> Result<(Vec<usize>, Vec<usize>), String> {
    check_fraction(fraction, part)?;
    let n_test = (fraction * m as f64).ceil() as usize;
    let n_train = m - n_test.min(m);
    if n_test == 0 || n_train == 0 || n_test > m {
        return Err(format!(
            "a {part} split of {} of {m} example{} leaves {n_train} training and {} {part} \
             examples; give more examples or another split",
            exact(fraction),
            if m == 1 { "" } else { "s" },
            n_test.min(m)
        ));
    }
    let perm = NumpyRng::new(seed).permutation(m);
    let mut test = perm[..n_test].to_vec();
    let mut train = perm[n_test..n_test + n_train].to_vec();
    train.sort_unstable();
    test.sort_unstable();
    Ok((train, test))
}

/// Each row's group as an index into the sorted distinct groups, and how many there are:
/// the groups as pandas reads a column of them and `np.unique` sorts it: when every one is a
/// number, compared and sorted as numbers (`1`, `1.0` and `001` one group, `2.0` before
/// `10.0`), else as text by their bytes; for [`grouped`].
///
/// ```
/// let rows = ["b", "a", "b", "c"].map(String::from);
/// assert_eq!(dnn_data::split::group_indices(&rows), (vec![1, 0, 1, 2], 3));
/// let ids = ["10", "9.0", "010", "9"].map(String::from);
/// assert_eq!(dnn_data::split::group_indices(&ids), (vec![1, 0, 1, 0], 2));
/// ```
pub fn group_indices(rows: &[String]) -> (Vec<usize>, usize) {
    let numbers: Option<Vec<f64>> = rows
        .iter()
        // `+ 0.0`: -0 and 0 are one group.
        .map(|g| {
            g.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(|v| v + 0.0)
        })
        .collect();
    if let Some(values) = numbers {
        let mut distinct = values.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        let of = values
            .iter()
            .map(|v| distinct.partition_point(|d| d < v))
            .collect();
        return (of, distinct.len());
    }
    let mut distinct: Vec<String> = rows.to_vec();
    distinct.sort();
    distinct.dedup();
    let index: std::collections::HashMap<&str, usize> = distinct
        .iter()
        .enumerate()
        .map(|(k, g)| (g.as_str(), k))
        .collect();
    let of = rows.iter().map(|g| index[g.as_str()]).collect();
    (of, distinct.len())
}

/// Splits example indices `0..groups.len()` into `(train, test)`, both ascending, by whole
/// groups (`groups[j]`: example `j`'s group, below `n_groups`; [`group_indices`]), as
/// scikit-learn's `GroupShuffleSplit(n_splits=1, test_size=fraction, random_state=seed)`
/// does: [`shuffled`] over the groups, then every example of a chosen group in its part.
/// No group has examples in both parts.
///
/// ```python
/// n_test = ceil(fraction * n_groups); n_train = n_groups - n_test
/// perm = np.random.RandomState(seed).permutation(n_groups)
/// test = np.flatnonzero(np.isin(groups, perm[:n_test]))
/// train = np.flatnonzero(np.isin(groups, perm[n_test:n_test + n_train]))
/// ```
///
/// ```
/// // Four people, three rows each: one person (a quarter) is the test part.
/// let groups: Vec<usize> = (0..12).map(|j| j / 3).collect();
/// let (train, test) = dnn_data::split::grouped(&groups, 4, 0.25, 0).unwrap();
/// assert_eq!((train.len(), test.len()), (9, 3));
/// assert!(test.iter().all(|&j| groups[j] == groups[test[0]]));
/// ```
///
/// # Errors
/// A message when `fraction` is not in `(0, 1)` or either part would have no group.
pub fn grouped(
    groups: &[usize],
    n_groups: usize,
    fraction: f64,
    seed: u32,
) -> Result<(Vec<usize>, Vec<usize>), String> {
    grouped_part(groups, n_groups, fraction, seed, "test")
}

/// [`grouped`], with the held-out part called `part` (`test`, `validation`) in its
/// messages.
pub(crate) fn grouped_part(
    groups: &[usize],
    n_groups: usize,
    fraction: f64,
    seed: u32,
    part: &str,
) -> Result<(Vec<usize>, Vec<usize>), String> {
    let (train_groups, test_groups) =
        shuffled_part(n_groups, fraction, seed, part).map_err(|e| e.replace("example", "group"))?;
    let mut in_test = vec![None; n_groups];
    for &g in &train_groups {
        in_test[g] = Some(false);
    }
    for &g in &test_groups {
        in_test[g] = Some(true);
    }
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (j, &g) in groups.iter().enumerate() {
        match in_test[g] {
            Some(true) => test.push(j),
            Some(false) => train.push(j),
            None => {}
        }
    }
    Ok((train, test))
}

/// One fold of a cross-validation: the test part is fold `index` (from 0) of `of` folds, the
/// training part the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    /// Which fold is the test part, from 0.
    pub index: usize,
    /// How many folds there are (at least 2).
    pub of: usize,
}

impl Fold {
    /// The training and test indices of this fold, both ascending, from each example's fold.
    fn parts(self, fold_of: &[usize]) -> (Vec<usize>, Vec<usize>) {
        (0..fold_of.len()).partition(|&j| fold_of[j] != self.index)
    }

    /// Refuses fewer than 2 folds, a fold index beyond them, and more folds than `items`
    /// (`what`: examples, groups).
    fn check(self, items: usize, what: &str) -> Result<(), String> {
        if self.of < 2 || self.index >= self.of {
            return Err(format!(
                "fold {} of {} is no fold of a cross-validation, which needs at least 2 folds",
                self.index + 1,
                self.of
            ));
        }
        if self.of > items {
            return Err(format!(
                "{} folds need at least as many {what}, and there are {items}; give fewer folds",
                self.of
            ));
        }
        Ok(())
    }
}

/// Fold `fold` of a stratified K-fold split of examples `0..labels.len()` as scikit-learn's
/// `StratifiedKFold(n_splits=fold.of, shuffle=True, random_state=seed)` makes it: each class's
/// examples are dealt to the folds so that every fold holds nearly the same share of it.
///
/// ```python
/// rng = np.random.RandomState(seed)
/// classes = the classes in the order of their first example       # not their index order
/// y = np.sort(each example's class's place in that order)
/// allocation = [np.bincount(y[i::K], minlength=len(classes)) for i in range(K)]
/// for k, c in enumerate(classes):
///     folds = np.arange(K).repeat(allocation[:, k]); rng.shuffle(folds)
///     fold_of[labels == c] = folds                                  # in file order
/// ```
///
/// ```
/// use dnn_data::split::{stratified_fold, Fold};
/// let labels = [0, 0, 0, 0, 1, 1, 1, 1];
/// let (train, test) = stratified_fold(&labels, 2, Fold { index: 0, of: 4 }, 0).unwrap();
/// assert_eq!((train.len(), test.len()), (6, 2));
/// assert_eq!(test.iter().filter(|&&j| labels[j] == 0).count(), 1, "one of each class");
/// ```
///
/// # Errors
/// A message when there are fewer than 2 folds or more than the examples, when a label is
/// not below `classes`, or when every class has fewer examples than folds (scikit-learn's
/// refusal).
pub fn stratified_fold(
    labels: &[usize],
    classes: usize,
    fold: Fold,
    seed: u32,
) -> Result<(Vec<usize>, Vec<usize>), String> {
    fold.check(labels.len(), "examples")?;
    if let Some((j, &c)) = labels.iter().enumerate().find(|&(_, &c)| c >= classes) {
        return Err(format!(
            "example {j} has the label {c}, but there are {classes} classes"
        ));
    }
    // Each class's place in the order of first appearance.
    let mut place = vec![None; classes];
    let mut order = Vec::new();
    for &c in labels {
        if place[c].is_none() {
            place[c] = Some(order.len());
            order.push(c);
        }
    }
    let encoded: Vec<usize> = labels.iter().map(|&c| place[c].unwrap_or(0)).collect();
    let mut counts = vec![0usize; order.len()];
    for &e in &encoded {
        counts[e] += 1;
    }
    let k = fold.of;
    if counts.iter().all(|&n| n < k) {
        return Err(format!(
            "{k} folds need a class of at least {k} examples, and the largest class has {}; \
             give fewer folds",
            counts.iter().max().copied().unwrap_or(0)
        ));
    }
    let mut sorted = encoded.clone();
    sorted.sort_unstable();
    // allocation[i][e]: examples of class e in fold i, dealt round robin over the sorted
    // classes.
    let mut allocation = vec![vec![0usize; order.len()]; k];
    for (position, &e) in sorted.iter().enumerate() {
        allocation[position % k][e] += 1;
    }
    let mut rng = NumpyRng::new(seed);
    let mut fold_of = vec![0usize; labels.len()];
    for (e, _) in order.iter().enumerate() {
        let mut folds: Vec<usize> = (0..k)
            .flat_map(|i| std::iter::repeat_n(i, allocation[i][e]))
            .collect();
        rng.shuffle(&mut folds);
        let members = (0..labels.len()).filter(|&j| encoded[j] == e);
        for (j, &f) in members.zip(&folds) {
            fold_of[j] = f;
        }
    }
    Ok(fold.parts(&fold_of))
}

/// Fold `fold` of a shuffled K-fold split of examples `0..m` (a regression's, with no classes
/// to stratify by), as scikit-learn's `KFold(n_splits=fold.of, shuffle=True,
/// random_state=seed)`: the examples in the order of `np.random.RandomState(seed)
/// .permutation(m)`, cut into `K` runs of `m // K`, the first `m % K` one longer.
///
/// ```
/// use dnn_data::split::{shuffled_fold, Fold};
/// let (train, test) = shuffled_fold(10, Fold { index: 0, of: 3 }, 0).unwrap();
/// assert_eq!((train.len(), test.len()), (6, 4));
/// ```
///
/// # Errors
/// A message when there are fewer than 2 folds or more than the examples.
pub fn shuffled_fold(m: usize, fold: Fold, seed: u32) -> Result<(Vec<usize>, Vec<usize>), String> {
    fold.check(m, "examples")?;
    let perm = NumpyRng::new(seed).permutation(m);
    Ok(fold.parts(&runs(&perm, fold.of)))
}

/// Fold `fold` of a K-fold split by whole groups (`groups[j]`: example `j`'s group, below
/// `n_groups`; [`group_indices`]), as scikit-learn's `GroupKFold(n_splits=fold.of,
/// shuffle=True, random_state=seed)`: the groups in the order of `np.random.RandomState(seed)
/// .permutation(n_groups)`, cut into `K` runs as `np.array_split` cuts them; every example
/// of a group is in its group's fold.
///
/// ```
/// use dnn_data::split::{grouped_fold, Fold};
/// let groups: Vec<usize> = (0..12).map(|j| j / 3).collect(); // four people, three rows each
/// let (train, test) = grouped_fold(&groups, 4, Fold { index: 1, of: 2 }, 0).unwrap();
/// assert_eq!((train.len(), test.len()), (6, 6));
/// ```
///
/// # Errors
/// A message when there are fewer than 2 folds or more than the groups.
pub fn grouped_fold(
    groups: &[usize],
    n_groups: usize,
    fold: Fold,
    seed: u32,
) -> Result<(Vec<usize>, Vec<usize>), String> {
    fold.check(n_groups, "groups")?;
    let perm = NumpyRng::new(seed).permutation(n_groups);
    let group_fold = runs(&perm, fold.of);
    let fold_of: Vec<usize> = groups.iter().map(|&g| group_fold[g]).collect();
    Ok(fold.parts(&fold_of))
}

/// Each item's fold when the items, in the order `order`, are cut into `k` runs of
/// `len / k`, the first `len % k` runs one longer (`KFold`, `np.array_split`).
fn runs(order: &[usize], k: usize) -> Vec<usize> {
    let (size, longer) = (order.len() / k, order.len() % k);
    let mut fold_of = vec![0; order.len()];
    let mut position = 0;
    for i in 0..k {
        let length = size + usize::from(i < longer);
        for &item in &order[position..position + length] {
            fold_of[item] = i;
        }
        position += length;
    }
    fold_of
}

/// Refuses a `part` split's fraction outside (0, 1), NaN included.
fn check_fraction(fraction: f64, part: &str) -> Result<(), String> {
    match fraction > 0.0 && fraction < 1.0 {
        true => Ok(()),
        false => Err(format!(
            "a {part} split of {} is not usable; it must be a fraction in (0, 1)",
            exact(fraction)
        )),
    }
}
