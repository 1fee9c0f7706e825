//! Fuzz targets for everything Piazza reads from outside its own hands: the
//! import files a moderator uploads (JSONL and CSV, through the desk's one
//! reader [`piazza_desk::read_records`]), the policy TOML an administration
//! writes ([`piazza_policy::load_policy`], validation included) and the
//! bodies the platforms post to the webhooks (Meta, Telegram, Mastodon),
//! which anyone on the internet can send before a signature is checked.
//!
//! The fuzzer is mutational and deterministic: each target starts from
//! real inputs (the presets, the fakes' deliveries, well-formed import
//! lines), and every input is a seed mutated a few times (bytes flipped,
//! inserted, deleted, duplicated, tokens that parsers trip on, splices of
//! two seeds). A panic is the only failure: a refusal with an error is the
//! right answer to garbage. cargo-fuzz needs a nightly toolchain, which
//! this project's machines do not have; this runs on stable, in the tests
//! (a short run) and from the `piazza-fuzz` binary (the long runs of
//! `docs/fuzzing.md`).

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use piazza_desk::{ImportFormat, ImportRecord, read_records};

/// What is fuzzed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    ImportJsonl,
    ImportCsv,
    PolicyToml,
    WebhookMeta,
    WebhookTelegram,
    WebhookMastodon,
}

impl Target {
    pub const ALL: [Target; 6] = [
        Target::ImportJsonl,
        Target::ImportCsv,
        Target::PolicyToml,
        Target::WebhookMeta,
        Target::WebhookTelegram,
        Target::WebhookMastodon,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::ImportJsonl => "import-jsonl",
            Target::ImportCsv => "import-csv",
            Target::PolicyToml => "policy-toml",
            Target::WebhookMeta => "webhook-meta",
            Target::WebhookTelegram => "webhook-telegram",
            Target::WebhookMastodon => "webhook-mastodon",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The real inputs the mutations start from.
    pub fn seeds(self) -> Vec<Vec<u8>> {
        match self {
            Target::ImportJsonl => vec![
                br#"{"id":"c1","text":"Quando riapre la biblioteca?","author":"Mario","created_at":"2026-11-23T10:00:00+01:00","post_id":"p1","post_text":"Orari estivi"}
{"id":"c2","text":"Sei un idiota","created_at":1795424400000,"parent_id":"c1"}

{"id":3,"text":"Mail: mario.rossi@example.it, tel 333 1234567"}
"#
                .to_vec(),
                br#"{"id":"x","text":"","created_at":"ieri"}
[1,2,3]
{"id":"y","text":"ok","created_at":-99999999999999999999}
"#
                .to_vec(),
            ],
            Target::ImportCsv => vec![
                b"id,text,author,created_at,post_id,post_text\nc1,\"Quando riapre, la biblioteca?\",Mario,2026-11-23T10:00:00+01:00,p1,Orari\nc2,Sei un idiota,,1795424400000,,\n"
                    .to_vec(),
                b"id,text\n1,\"una \"\"citazione\"\" lunga\nsu due righe\"\n2,senza\n3\n".to_vec(),
            ],
            Target::PolicyToml => piazza_policy::PRESETS
                .iter()
                .map(|p| p.toml.as_bytes().to_vec())
                .collect(),
            Target::WebhookMeta => {
                use piazza_fakes::meta::webhook::{FeedComment, page_delivery};
                let c = FeedComment::new(
                    "1234567890",
                    "1234567890_1",
                    "1234567890_1_2",
                    "u-5",
                    "Paola",
                    "Sei un idiota",
                );
                vec![
                    page_delivery("1234567890", 1_795_424_400, vec![c.change("add")]),
                    page_delivery(
                        "1234567890",
                        1_795_424_400,
                        vec![c.change("edited"), c.change("remove"), c.change("hide")],
                    ),
                ]
            }
            Target::WebhookTelegram => vec![
                br#"{"update_id":900001,"message":{"message_id":77,"date":1760000000,"chat":{"id":-1001234567890,"type":"supergroup","title":"Org discussion"},"from":{"id":42,"is_bot":false,"first_name":"Jane","username":"jane"},"message_thread_id":70,"text":"nice post","reply_to_message":{"message_id":70,"date":1759999000,"chat":{"id":-1001234567890,"type":"supergroup"},"sender_chat":{"id":-1009876543210,"type":"channel","title":"Org"},"is_automatic_forward":true,"text":"Il post"}}}"#
                    .to_vec(),
                br#"{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":42,"type":"private"},"from":{"id":42,"is_bot":false,"first_name":"A"},"text":"ciao"}}"#
                    .to_vec(),
                br#"{"update_id":3,"edited_message":{"message_id":5,"date":2,"edit_date":3,"chat":{"id":-100,"type":"supergroup"},"from":{"id":9,"is_bot":false,"first_name":"C"},"text":"corretto"}}"#
                    .to_vec(),
            ],
            Target::WebhookMastodon => vec![
                br#"{"event":"status.created","created_at":"2026-12-05T09:00:00.000Z","object":{"id":"555","created_at":"2026-12-05T09:00:00.000Z","in_reply_to_id":"100","in_reply_to_account_id":"1","content":"<p>Sei un idiota &amp; basta</p>","visibility":"public","account":{"id":"77","acct":"mario","username":"mario","display_name":"Mario"},"mentions":[]}}"#
                    .to_vec(),
                br#"{"event":"status.updated","created_at":"2026-12-05T09:00:00.000Z","object":{"id":"555","created_at":"2026-12-05T09:00:00.000Z","in_reply_to_id":null,"content":"<p>x</p>","visibility":"unlisted","account":{"id":"77","acct":"m"}}}"#
                    .to_vec(),
                br#"{"event":"report.created","created_at":"2026-12-05T09:00:00.000Z","object":{"id":"8437"}}"#
                    .to_vec(),
            ],
        }
    }

    /// Runs the target on one input: `true` when it was accepted (at
    /// least one record, event or policy came out), `false` when it was
    /// refused with an error. Panics are the caller's to catch.
    pub fn run(self, input: &[u8]) -> bool {
        match self {
            Target::ImportJsonl | Target::ImportCsv => {
                let format = if self == Target::ImportJsonl {
                    ImportFormat::Jsonl
                } else {
                    ImportFormat::Csv
                };
                let mut ok = 0usize;
                let read = read_records(Cursor::new(input), format, 0, 0, &mut |_, r| {
                    if let Some(ImportRecord::Ok(c)) = r {
                        // What the desk relies on afterwards.
                        assert!(!c.external_id.is_empty(), "a record without id");
                        ok += 1;
                    }
                    Ok(())
                });
                read.is_ok() && ok > 0
            }
            Target::PolicyToml => {
                let text = String::from_utf8_lossy(input);
                piazza_policy::load_policy("fuzz.toml", &text).is_ok()
            }
            Target::WebhookMeta => {
                piazza_platforms::meta::webhook::parse_webhook(input).is_ok_and(|e| !e.is_empty())
            }
            Target::WebhookTelegram => piazza_platforms::telegram::parse_update(input, Some("42"))
                .is_ok_and(|e| !e.is_empty()),
            Target::WebhookMastodon => piazza_platforms::mastodon::parse_admin_webhook(input, "1")
                .is_ok_and(|e| !e.is_empty()),
        }
    }
}

/// A deterministic xorshift generator.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

/// Tokens parsers trip on: delimiters, escapes, numbers at their limits,
/// deep nesting, long and multi-byte text.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\\",
    b"\\u0000",
    b"\\ud800",
    b",",
    b"\n",
    b"\r\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b"[[[[[[[[[[[[[[[[",
    b"{\"a\":",
    b"null",
    b"true",
    b"-0",
    b"1e999",
    b"-1e999",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"9223372036854775807",
    b"0.0000001",
    b"NaN",
    b"\xc3\xa8",
    b"\xf0\x9f\x98\x80",
    b"\xff\xfe",
    b"\xed\xa0\x80",
    b"=",
    b"[[x]]",
    b"[x]",
    b"'''",
    b"\"\"\"",
    b"#",
    b"T",
    b"Z",
    b"+01:00",
    b"2026-02-30T25:61:61Z",
    b"\"entry\":",
    b"\"changes\":",
    b"\"value\":",
    b"\"message\":",
    b"\"object\":",
    b"\"created_at\":",
    b"\"text\":",
    b"\"id\":",
    b"clause",
    b"number = ",
];

/// One mutated input: a seed changed one to eight times.
pub fn mutate(seeds: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    let mut v = seeds[rng.below(seeds.len())].clone();
    let rounds = 1 + rng.below(8);
    for _ in 0..rounds {
        let len = v.len();
        let at = rng.below(len + 1);
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] ^= 1 << rng.below(8);
            }
            1 => v.insert(at, rng.next_u64() as u8),
            2 if len > 0 => {
                let end = (at + 1 + rng.below(16)).min(len);
                v.drain(at.min(len)..end);
            }
            3 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(at..at, t.iter().copied());
            }
            4 if len > 0 => {
                // Duplicate a stretch (repeated keys, lines, sections).
                let s = rng.below(len);
                let e = (s + 1 + rng.below(64)).min(len);
                let piece: Vec<u8> = v[s..e].to_vec();
                v.splice(at..at, piece);
            }
            5 => {
                // Splice in a piece of another seed.
                let other = &seeds[rng.below(seeds.len())];
                if !other.is_empty() {
                    let s = rng.below(other.len());
                    let e = (s + 1 + rng.below(128)).min(other.len());
                    v.splice(at..at, other[s..e].iter().copied());
                }
            }
            6 => v.truncate(at),
            7 if len > 0 => {
                // Replace a digit run's digit: numbers out of range.
                let i = rng.below(len);
                if v[i].is_ascii_digit() {
                    v.splice(i..i, b"99999999999999999999".iter().copied());
                }
            }
            _ => {
                let t = TOKENS[rng.below(TOKENS.len())];
                if len > 0 {
                    let i = rng.below(len);
                    let e = (i + t.len()).min(len);
                    v.splice(i..e, t.iter().copied());
                }
            }
        }
        if v.len() > 1 << 20 {
            v.truncate(1 << 20);
        }
    }
    v
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Report {
    pub inputs: u64,
    pub accepted: u64,
    pub refused: u64,
    /// The inputs that panicked (the first few) with the panic's message.
    pub panics: Vec<(Vec<u8>, String)>,
    pub panic_count: u64,
}

/// Runs `inputs` mutated inputs through `target`, from `seed`; `progress`
/// is called every 2^16 inputs with the count so far.
pub fn fuzz(target: Target, inputs: u64, seed: u64, progress: &mut dyn FnMut(&Report)) -> Report {
    let seeds = target.seeds();
    assert!(!seeds.is_empty(), "{}: no seeds", target.name());
    let mut rng = Rng::new(seed ^ (target as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let mut report = Report::default();
    // The seeds themselves first: they must go through whole.
    let mut queue: Vec<Vec<u8>> = seeds.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    while report.inputs < inputs {
        let input = queue.pop().unwrap_or_else(|| mutate(&seeds, &mut rng));
        match catch_unwind(AssertUnwindSafe(|| target.run(&input))) {
            Ok(true) => report.accepted += 1,
            Ok(false) => report.refused += 1,
            Err(e) => {
                report.panic_count += 1;
                if report.panics.len() < 10 {
                    let msg = e
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    report.panics.push((input, msg));
                }
            }
        }
        report.inputs += 1;
        if report.inputs % (1 << 16) == 0 {
            progress(&report);
        }
    }
    std::panic::set_hook(previous);
    report
}
