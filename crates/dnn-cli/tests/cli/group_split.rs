//! `--group-by COLUMN`: rows of one group (a person) stay on one side of the test split and
//! of a validation split; the model records the column, so `dnn evaluate` and `--from`
//! re-create the same parts unasked.

use crate::common;
use crate::common::ok;

use std::path::Path;

use common::dnn_in;

fn line<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in:\n{text}"))
}

/// 40 people, 4 rows each (one per travel mode, as statsmodels' modechoice has them).
fn write_long(path: &Path) {
    let mut s = String::from("person,mode,cost,chosen\n");
    for p in 1..=40 {
        for mode in 1..=4 {
            let cost = (p * 7 + mode * 13) % 50;
            s.push_str(&format!("{p},{mode},{cost},{}\n", u8::from(cost < 20)));
        }
    }
    std::fs::write(path, s).expect("write");
}

#[test]
fn a_split_by_person_is_recorded_and_re_created() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    write_long(&w.join("long.csv"));
    let trained = ok(dnn_in(
        w,
        &[
            "train",
            "--data",
            "long.csv",
            "--group-by",
            "person",
            "--hidden",
            "4",
            "--iterations",
            "100",
            "--save",
            "m.h5",
        ],
    ));
    assert_eq!(
        line(&trained.stdout, "Data: "),
        "long.csv (csv): 128 training and 32 test examples (0.2 test split by `person`: 8 of \
         its 40 groups, seed 0), 2 features, 2 classes"
    );
    let model = dnn_data::model::load_model(w.join("m.h5")).expect("model");
    assert_eq!(model.setup.group_by.as_deref(), Some("person"));
    let eval = ok(dnn_in(
        w,
        &[
            "evaluate", "--model", "m.h5", "--data", "long.csv", "--report", "r.json",
        ],
    ));
    // The test part's classes are those of dnn-data's split by person, not a stratified one.
    let options = dnn_data::LoadOptions {
        group_by: Some("person".into()),
        ..dnn_data::LoadOptions::default()
    };
    let data = dnn_data::load(w.join("long.csv"), &options).expect("load");
    let mut expected = vec![0usize; 2];
    data.test_labels.iter().for_each(|&k| expected[k] += 1);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.join("r.json")).expect("report"))
            .expect("json");
    let confusion = &report["parts"][1]["confusion"];
    let rows: Vec<usize> = (0..2)
        .map(|k| {
            (0..2)
                .map(|c| confusion[k][c].as_u64().expect("count") as usize)
                .sum()
        })
        .collect();
    assert_eq!(rows, expected, "{report}");
    let stratified =
        dnn_data::load(w.join("long.csv"), &dnn_data::LoadOptions::default()).expect("load");
    let mut other = vec![0usize; 2];
    stratified.test_labels.iter().for_each(|&k| other[k] += 1);
    assert_ne!(expected, other, "the check could not tell the splits apart");
    assert!(line(&eval.stdout, "Data: ").ends_with("in its parts again"));
    assert!(line(&eval.stdout, "Test accuracy: ").ends_with("of 32 correct)"));
    for part in ["Train accuracy: ", "Test accuracy: "] {
        let score = |text: &str| line(text, part).split(' ').next().map(str::to_owned);
        assert_eq!(score(&eval.stdout), score(&trained.stdout), "{part}");
    }
    // --from on the same file, with a validation part: whole people held out again.
    let further = ok(dnn_in(
        w,
        &[
            "train",
            "--from",
            "m.h5",
            "--data",
            "long.csv",
            "--validation-split",
            "0.25",
            "--iterations",
            "1",
            "--save",
            "m2.h5",
        ],
    ));
    assert_eq!(
        line(&further.stdout, "Data: "),
        line(&trained.stdout, "Data: ")
    );
    assert!(
        line(&further.stdout, "Validation: ").starts_with(
            "32 of the 128 training examples held out (0.25 split by `person`, seed 0)"
        ),
        "{}",
        further.stdout
    );
    // Other data without the column: read whole, without groups.
    let text = std::fs::read_to_string(w.join("long.csv")).expect("read");
    let other: String = text
        .lines()
        .map(|l| format!("{}\n", l.split_once(',').map_or(l, |(_, rest)| rest)))
        .collect();
    std::fs::write(w.join("other.csv"), other).expect("write");
    let whole = ok(dnn_in(
        w,
        &["evaluate", "--model", "m.h5", "--data", "other.csv"],
    ));
    assert!(
        line(&whole.stdout, "Accuracy: ").ends_with("of 160 correct)"),
        "{}",
        whole.stdout
    );
}

#[test]
fn a_lopsided_group_split_is_warned_about_and_from_keeps_the_models_split() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    // Person 1 has 100 rows, all of class `c`; nine others have 4 rows of `a` and `b`.
    let mut s = String::from("person,x,y\n");
    for j in 0..100 {
        s.push_str(&format!("1,{j},c\n"));
    }
    for p in 2..=10 {
        for j in 0..4 {
            s.push_str(&format!("{p},{},{}\n", p * j, ["a", "b"][j % 2]));
        }
    }
    std::fs::write(w.join("lop.csv"), &s).expect("write");
    // A seed whose test part holds person 1 (group index 0), found with dnn-data's split.
    let groups: Vec<usize> = s
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().parse::<usize>().unwrap() - 1)
        .collect();
    let seed = (0..50u32)
        .find(|&seed| {
            let (_, test) = dnn_data::split::grouped(&groups, 10, 0.2, seed).unwrap();
            test.contains(&0)
        })
        .expect("a seed");
    let run = ok(dnn_in(
        w,
        &[
            "train",
            "--data",
            "lop.csv",
            "--group-by",
            "person",
            "--split-seed",
            &seed.to_string(),
            "--iterations",
            "5",
            "--save",
            "lop.h5",
        ],
    ));
    assert!(
        run.stderr.contains(
            "warning: the split by `person` put 104 of the 136 rows (76 %) in the test part, far \
             from the 0.2 asked"
        ) && run.stderr.contains(
            "warning: the split by `person` put every example of the class `c` (100) in the \
             test part: the network never learns it"
        ),
        "{}",
        run.stderr
    );
    let refused = dnn_in(
        w,
        &[
            "train",
            "--from",
            "lop.h5",
            "--data",
            "lop.csv",
            "--group-by",
            "x",
        ],
    );
    assert_eq!(refused.code, Some(1), "{refused:?}");
    assert!(
        refused
            .stderr
            .starts_with("error: --from splits the data as the model's training did"),
        "{}",
        refused.stderr
    );
}
