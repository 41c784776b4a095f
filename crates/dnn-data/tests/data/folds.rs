//! The folds of cross-validation against scikit-learn's own splitters: `tests/reference/
//! gen_split.py` records each example's fold under `StratifiedKFold`, `KFold` and
//! `GroupKFold` (all `shuffle=True`) for 11 cases, and every fold of dnn's must be theirs,
//! index for index; then loading a table by folds gives each example one test fold.

use dnn_data::split::{grouped_fold, shuffled_fold, stratified_fold, Fold};
use dnn_data::{ClassChoice, LoadOptions};

#[test]
fn the_folds_are_scikit_learns_stratified_k_fold_k_fold_and_group_k_fold() {
    let cases = crate::split_reference::cases("folds");
    assert_eq!(cases.len(), 11);
    let ints = crate::split_reference::ints;
    let mut kinds = std::collections::BTreeMap::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let kind = case["kind"].as_str().unwrap();
        let k = case["folds"].as_u64().unwrap() as usize;
        let seed = case["seed"].as_u64().unwrap() as u32;
        let fold_of = ints(&case["fold_of"]);
        for index in 0..k {
            let fold = Fold { index, of: k };
            let (train, test) = match kind {
                "stratified" => stratified_fold(
                    &ints(&case["labels"]),
                    case["classes"].as_u64().unwrap() as usize,
                    fold,
                    seed,
                ),
                "shuffled" => shuffled_fold(fold_of.len(), fold, seed),
                _ => {
                    let groups: Vec<String> = case["groups"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|g| g.as_str().unwrap().to_owned())
                        .collect();
                    let (of, n) = dnn_data::split::group_indices(&groups);
                    grouped_fold(&of, n, fold, seed)
                }
            }
            .unwrap();
            let want: Vec<usize> = (0..fold_of.len())
                .filter(|&j| fold_of[j] == index)
                .collect();
            assert_eq!(test, want, "{name}: fold {index}");
            assert_eq!(
                train.len() + test.len(),
                fold_of.len(),
                "{name}: fold {index}"
            );
            assert!(train.iter().all(|j| fold_of[*j] != index), "{name}");
        }
        *kinds.entry(kind.to_owned()).or_insert(0) += 1;
    }
    assert_eq!(kinds.len(), 3, "every splitter: {kinds:?}");
}

#[test]
fn folds_that_cannot_be_made_are_refused_with_the_reason() {
    let fold = |index, of| Fold { index, of };
    let err = stratified_fold(&[0, 1, 0, 1], 2, fold(0, 1), 0).unwrap_err();
    assert!(err.contains("at least 2 folds"), "{err}");
    let err = shuffled_fold(3, fold(0, 5), 0).unwrap_err();
    assert_eq!(
        err,
        "5 folds need at least as many examples, and there are 3; give fewer folds"
    );
    let err = stratified_fold(&[0, 0, 1, 1, 2, 2], 3, fold(0, 3), 0).unwrap_err();
    assert!(err.contains("the largest class has 2"), "{err}");
    let err = grouped_fold(&[0, 0, 1, 1], 2, fold(0, 3), 0).unwrap_err();
    assert!(err.contains("as many groups, and there are 2"), "{err}");
}

#[test]
fn a_table_read_by_folds_tests_each_row_once_and_fits_on_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    let mut text = String::from("x,y\n");
    for j in 0..23 {
        text.push_str(&format!("{j},{}\n", if j % 3 == 0 { "a" } else { "b" }));
    }
    std::fs::write(&path, text).unwrap();
    let mut tested = vec![0; 23];
    for index in 0..4 {
        let options = LoadOptions {
            fold: Some(Fold { index, of: 4 }),
            classes: ClassChoice::Natural,
            ..LoadOptions::default()
        };
        let data = dnn_data::load(&path, &options).unwrap();
        let split = data.source.split.expect("split off");
        assert_eq!(split.fold, Some(Fold { index, of: 4 }));
        // x is the row number: the test part's x values are its rows.
        for &x in data.test_x.row(0) {
            tested[x as usize] += 1;
        }
        assert_eq!(data.train_x.ncols() + data.test_x.ncols(), 23);
    }
    assert_eq!(tested, vec![1; 23], "every row tested once");
}
