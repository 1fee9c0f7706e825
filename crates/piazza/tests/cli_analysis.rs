//! `piazza train` and `piazza eval` end to end: the shipped model is what
//! the command trains, and the evaluation reads, scores and refuses input
//! as documented.

use std::path::Path;

use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");
const SHIPPED_MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../piazza-analysis/model/piazza-model.bin"
);

mod common;
use common::{piazza, stderr};

#[test]
fn train_on_the_shared_data_writes_the_shipped_model_byte_for_byte() {
    if !Path::new(DATA).is_dir() {
        assert!(
            std::env::var("PIAZZA_REQUIRE_DATA").as_deref() != Ok("1"),
            "PIAZZA_REQUIRE_DATA=1 but {DATA} is absent"
        );
        eprintln!("skipped: {DATA} is absent");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model.bin");
    let o = piazza(&["train", "--data", DATA, "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let trained = std::fs::read(&out).unwrap();
    let shipped = std::fs::read(SHIPPED_MODEL).unwrap();
    assert_eq!(trained.len(), shipped.len(), "model size");
    assert!(
        trained == shipped,
        "the trained model differs from the committed one: retrain with \
         `cargo run --release -p piazza-analysis --example train` and update the model card"
    );
}

#[test]
fn train_names_the_missing_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model.bin");
    let o = piazza(&[
        "train",
        "--data",
        dir.path().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("haspeede2018/fb_train.tsv"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

/// A small labelled file: insults of a group (1) and ordinary remarks (0).
fn small_tsv() -> String {
    let mut s = String::from("id\ttext\thate\n");
    let hateful = [
        "gli immigrati sono tutti delinquenti da cacciare",
        "i rom sono feccia da rimandare a casa loro",
        "questi clandestini vanno buttati fuori tutti",
        "gli zingari rubano e basta, fuori dal paese",
    ];
    let ordinary = [
        "domani il mercato in piazza apre alle otto",
        "grazie al comune per la nuova biblioteca",
        "a che ora passa il bus per la stazione",
        "bella iniziativa la festa del quartiere",
    ];
    for i in 0..10 {
        s.push_str(&format!("{}\t{} {i}\t1\n", 2 * i, hateful[i % 4]));
        s.push_str(&format!("{}\t{} {i}\t0\n", 2 * i + 1, ordinary[i % 4]));
    }
    s
}

/// `piazza eval` of the `hate` column of `path` as discrimination, then `more`.
fn eval_args<'a>(path: &'a Path, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "eval",
        "--labels",
        path.to_str().unwrap(),
        "--text-column",
        "text",
        "--label-column",
        "hate",
        "--category",
        "discrimination",
    ];
    args.extend_from_slice(more);
    args
}

#[test]
fn eval_cross_validates_one_head_alone_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.tsv");
    std::fs::write(&path, small_tsv()).unwrap();
    let o = piazza(&eval_args(
        &path,
        &[
            "--target",
            "ethnicity",
            "--cv",
            "2",
            "--head-alone",
            "--json",
        ],
    ));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["scored"], "head_alone",
        "a head alone is labelled as such"
    );
    assert_eq!(v["rows"], 20);
    let c = &v["confusion"];
    let total: u64 = ["tp", "fp", "fn", "tn"]
        .iter()
        .map(|k| c[k].as_u64().unwrap())
        .sum();
    assert_eq!(total, 20, "every row is scored once: {v}");
    // Two classes this far apart are learnt from ten examples each.
    let f1 = v["cv_mean_macro_f1"].as_f64().unwrap();
    assert!(f1 > 0.8, "{v}");
}

#[test]
fn eval_names_the_bad_line_and_refuses_one_fold() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.tsv");
    std::fs::write(
        &path,
        "id\ttext\thate\n1\tbuongiorno\t0\n2\t\"non chiuso\t1\n",
    )
    .unwrap();
    let o = piazza(&eval_args(&path, &[]));
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("bad.tsv") && err.contains("line 3"), "{err}");

    std::fs::write(&path, small_tsv()).unwrap();
    let o = piazza(&eval_args(&path, &["--cv", "1"]));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("--cv richiede almeno 2 fold"),
        "{}",
        stderr(&o)
    );
    // The pipeline's folds hold out rows of a training file: any other
    // file is refused (with the way to get a head's figure instead).
    if Path::new(DATA).is_dir() {
        let o = piazza(&eval_args(&path, &["--cv", "2", "--data", DATA]));
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("--head-alone"), "{}", stderr(&o));
    }
}

#[test]
fn eval_scores_what_analyze_flags_with_the_post_as_context() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.tsv");
    std::fs::write(
        &path,
        "id\ttext\tpost\thate\n\
         1\ttu sei un idiota e ti vengo a prendere\tLavori in via Roma\t1\n\
         2\tgrazie per le informazioni sul mercato\tIl mercato del sabato\t0\n",
    )
    .unwrap();
    let args = |cats: &[&'static str]| {
        let mut a = vec![
            "eval",
            "--labels",
            path.to_str().unwrap(),
            "--label-column",
            "hate",
            "--post-column",
            "post",
            "--json",
        ];
        for c in cats {
            a.extend_from_slice(&["--category", c]);
        }
        a
    };
    let o = piazza(&args(&["insult"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["scored"], "pipeline");
    assert_eq!(v["confusion"]["tp"], 1, "{v}");
    assert_eq!(v["confusion"]["tn"], 1, "{v}");
    // Several categories: a row is positive when any of them is flagged.
    let o = piazza(&args(&["discrimination", "threat"]));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["confusion"]["tp"], 1, "{v}");
    assert_eq!(v["categories"], "discrimination + threat");
}

/// `piazza editorial check`: a staff reply with a bureaucratic formula, a
/// citizen's health and e-mail address, and a lower-case hashtag, for X.
#[test]
fn editorial_check_names_each_passage_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bozza.txt");
    std::fs::write(
        &path,
        "Si comunica che il sig. Mario Rossi, che è diabetico, può scrivere a mario.rossi@gmail.com #sportelloperlasalute",
    )
    .unwrap();
    let o = piazza(&[
        "editorial",
        "check",
        path.to_str().unwrap(),
        "--platform",
        "x",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let kinds: Vec<&str> = v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    for k in [
        "bureaucratic",
        "special_category",
        "personal_data",
        "hashtag",
    ] {
        assert!(kinds.contains(&k), "{k} missing in {kinds:?}");
    }
    assert_eq!(v["sentences"], 1, "the abbreviation does not end it");
    assert!(v["gulpease"].as_f64().unwrap() > 0.0);
    let formula = v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "bureaucratic")
        .unwrap();
    assert_eq!(formula["passage"], "Si comunica che");
    assert_eq!(
        (formula["start"].as_u64(), formula["end"].as_u64()),
        (Some(0), Some(15))
    );
}
