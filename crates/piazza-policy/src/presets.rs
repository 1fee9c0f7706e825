//! The five seed policies, embedded in the binary.

use crate::validate::{PolicyError, ValidatedPolicy, load_policy};

/// A policy shipped with Piazza, encoded from one seed document.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// The name used on the command line (`--preset cento`).
    pub name: &'static str,
    pub administration: &'static str,
    /// The seed file in `shared/seeds` this preset encodes.
    pub seed: &'static str,
    pub toml: &'static str,
}

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "cento",
        administration: "Comune di Cento",
        seed: "cento.txt",
        toml: include_str!("../presets/cento.toml"),
    },
    Preset {
        name: "maglione",
        administration: "Comune di Maglione",
        seed: "maglione-interna.txt",
        toml: include_str!("../presets/maglione.toml"),
    },
    Preset {
        name: "roma",
        administration: "Roma Capitale",
        seed: "roma-capitale.txt",
        toml: include_str!("../presets/roma.toml"),
    },
    Preset {
        name: "torino",
        administration: "Città metropolitana di Torino",
        seed: "torino-citta-metropolitana.txt",
        toml: include_str!("../presets/torino.toml"),
    },
    Preset {
        name: "tradate",
        administration: "Comune di Tradate",
        seed: "tradate-interna.txt",
        toml: include_str!("../presets/tradate.toml"),
    },
];

/// The preset called `name`, if any.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// Loads and validates a preset. `None` when no preset has that name.
pub fn load_preset(name: &str) -> Option<ValidatedPolicy> {
    preset(name).map(|p| {
        load_policy(&format!("preset:{}", p.name), p.toml)
            .unwrap_or_else(|e: PolicyError| panic!("embedded preset {} is invalid: {e}", p.name))
    })
}
