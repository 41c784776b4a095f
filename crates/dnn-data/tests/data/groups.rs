//! Splits by groups of rows (`--group-by`, [`LoadOptions::group_by`]): scikit-learn's
//! `GroupShuffleSplit` to the index, no group on both sides of the test split or of a
//! validation split, and the group column never an input.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use dnn_data::dataset::{load, LoadOptions};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `tests/reference/gen_split.py` runs scikit-learn's `GroupShuffleSplit` on each case's
/// groups (ints as pandas reads an id column, or names) and records the indices.
#[test]
fn the_group_split_is_scikit_learns_group_shuffle_split() {
    let cases = crate::split_reference::cases("grouped");
    assert_eq!(cases.len(), 6);
    let ints = crate::split_reference::ints;
    for case in &cases {
        let groups: Vec<String> = case["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_str().unwrap().to_owned())
            .collect();
        let (of, n) = dnn_data::split::group_indices(&groups);
        let (train, test) = dnn_data::split::grouped(
            &of,
            n,
            case["fraction"].as_f64().unwrap(),
            case["seed"].as_u64().unwrap() as u32,
        )
        .unwrap();
        assert_eq!(train, ints(&case["train"]), "{}: train", case["name"]);
        assert_eq!(test, ints(&case["test"]), "{}: test", case["name"]);
    }
}

/// 30 people of 1 to 5 rows each (`person`, not in order), two inputs and a class.
fn people() -> String {
    let mut s = String::from("person,x,z,y\n");
    let mut row = 0;
    for p in 0..30 {
        for _ in 0..=(p * 7) % 5 {
            let person = (p * 11) % 30 + 100;
            s.push_str(&format!(
                "{person},{},{},{}\n",
                row % 9,
                p % 4,
                (p + row) % 2
            ));
            row += 1;
        }
    }
    s
}

#[test]
fn no_person_is_on_both_sides_of_the_test_or_the_validation_split() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "people.csv", &people());
    let options = LoadOptions {
        group_by: Some("person".into()),
        ..LoadOptions::default()
    };
    let mut data = load(&path, &options).unwrap();
    // The group column is not an input.
    let columns = match &data.spec.input {
        dnn_data::Input::Table { columns, .. } => columns.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(columns, ["x", "z"]);
    let groups = data.source.groups.clone().unwrap();
    assert_eq!((groups.column.as_str(), groups.count), ("person", 30));
    assert_eq!(groups.in_test, 6, "ceil(0.2 * 30) people");
    // Each example's person, from the file, by the rows the split took.
    let text = people();
    let person: Vec<&str> = text.lines().skip(1).map(|l| &l[..3]).collect();
    let rows = person.len();
    assert_eq!(data.train_len() + data.test_len(), rows);
    let (of, n) =
        dnn_data::split::group_indices(&person.iter().map(|p| p.to_string()).collect::<Vec<_>>());
    let (train, test) = dnn_data::split::grouped(&of, n, 0.2, 0).unwrap();
    assert_eq!(data.train_len(), train.len());
    let side = |idx: &[usize]| idx.iter().map(|&j| person[j]).collect::<HashSet<_>>();
    assert!(side(&train).is_disjoint(&side(&test)));
    assert_eq!(side(&test).len(), 6);
    // The training part's own people, as the source records them.
    assert_eq!(groups.train.len(), train.len());
    // A validation part holds out whole people of the training part.
    let train_people: HashSet<usize> = groups.train.iter().copied().collect();
    let before = data.train_len();
    let held = data.hold_out(0.25, 3).unwrap();
    let kept: HashSet<usize> = data
        .source
        .groups
        .as_ref()
        .unwrap()
        .train
        .iter()
        .copied()
        .collect();
    assert_eq!(held.len() + data.train_len(), before);
    let held_people: HashSet<usize> = train_people.difference(&kept).copied().collect();
    assert_eq!(held_people.len(), 6, "ceil(0.25 * 24) people");
    assert!(kept.is_subset(&train_people));
}

#[test]
fn the_group_column_must_exist_name_every_row_and_be_no_other_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "people.csv", &people());
    let err = |column: &str, more: LoadOptions| {
        load(
            &path,
            &LoadOptions {
                group_by: Some(column.into()),
                ..more
            },
        )
        .unwrap_err()
        .to_string()
    };
    let e = err("Person", LoadOptions::default());
    assert!(
        e.contains("no column `Person` (given to --group-by)")
            && e.contains("did you mean `person`"),
        "{e}"
    );
    let e = err("y", LoadOptions::default());
    assert!(
        e.contains("`y` is given to --group-by but is the label column"),
        "{e}"
    );
    let e = err(
        "person",
        LoadOptions {
            drop_columns: vec!["person".into()],
            ..LoadOptions::default()
        },
    );
    assert!(
        e.contains("given to --group-by and to --drop or --one-hot"),
        "{e}"
    );
    let gap = write(
        dir.path(),
        "gap.csv",
        &people().replacen("\n104,", "\n,", 1),
    );
    let e = load(
        &gap,
        &LoadOptions {
            group_by: Some("person".into()),
            ..LoadOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("column `person`: the group is empty"), "{e}");
    let tiny = write(dir.path(), "tiny.csv", "g,y\n1,a\n1,b\n2,a\n2,b\n");
    let e = load(
        &tiny,
        &LoadOptions {
            group_by: Some("g".into()),
            ..LoadOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains(
            "no feature columns: besides the target `y` there is only `g`, the group column"
        ),
        "{e}"
    );
}

#[test]
fn an_id_written_two_ways_is_one_group_and_a_missing_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // Each person's second row writes the id as pandas does after a gap (`104.0`), or padded.
    let text = people();
    let mut seen = HashSet::new();
    let respelled: String = text
        .lines()
        .map(|l| match l.split_once(',') {
            Some((id, rest)) if id != "person" && !seen.insert(id.to_owned()) => {
                let id: u32 = id.parse().unwrap();
                let id = if id.is_multiple_of(2) {
                    format!("{id}.0")
                } else {
                    format!("0{id}")
                };
                format!("{id},{rest}\n")
            }
            _ => format!("{l}\n"),
        })
        .collect();
    assert_ne!(respelled, text);
    let options = LoadOptions {
        group_by: Some("person".into()),
        ..LoadOptions::default()
    };
    let plain = load(write(dir.path(), "plain.csv", &text), &options).unwrap();
    let mixed = load(write(dir.path(), "mixed.csv", &respelled), &options).unwrap();
    assert_eq!(mixed.source.groups.as_ref().unwrap().count, 30);
    assert_eq!((mixed.train_x, mixed.test_x), (plain.train_x, plain.test_x));
    for marker in ["NA", "?", "None"] {
        let gap = write(
            dir.path(),
            "na.csv",
            &people().replacen("\n104,", &format!("\n{marker},"), 1),
        );
        let e = load(&gap, &options).unwrap_err().to_string();
        assert!(
            e.contains(&format!(
                "column `person`: the group is `{marker}`, a missing value"
            )),
            "{e}"
        );
    }
}
