//! Development aid: writes, for every training file, each text's label, its
//! cross-validation fold (the folds of `examples/train.rs`) and the crate's
//! two normalised views, so that `tools/explore.py` sees the same data.
//!
//! ```text
//! cargo run --release -p piazza-analysis --example dump_views -- OUT.tsv [DATA_DIR]
//! ```

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use piazza_analysis::eval::stratified_folds;
use piazza_analysis::model::TrainConfig;
use piazza_analysis::normalize::Normalized;
use piazza_analysis::training::{HEADS, TRAINING_FILES, load};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().ok_or("usage: dump_views OUT.tsv [DATA_DIR]")?;
    let data = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
    });
    let mut sources = BTreeMap::new();
    for f in TRAINING_FILES {
        sources.insert(f.to_string(), std::fs::read_to_string(data.join(f))?);
    }
    let seed = TrainConfig::default().seed;
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    writeln!(w, "file\tindex\tlabel\tfold\tskeleton\tplain")?;
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    for spec in HEADS {
        for (file, col) in spec.sources {
            let (texts, labels) = load(&sources, file, col)?;
            let folds = stratified_folds(&labels, 5, seed);
            for (i, t) in texts.iter().enumerate() {
                let n = Normalized::new(t);
                writeln!(
                    w,
                    "{file}\t{i}\t{}\t{}\t{}\t{}",
                    labels[i] as u8,
                    folds[i],
                    clean(&n.skeleton),
                    clean(&n.plain)
                )?;
            }
        }
    }
    Ok(())
}
