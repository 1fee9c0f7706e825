//! Generated test set for the checksum-validated personal data: every valid
//! codice fiscale, partita IVA and IBAN is found inside a comment; the same
//! numbers with a wrong check character are never reported as that kind.

use piazza_analysis::model::Rng;
use piazza_analysis::{Analyzer, AnalyzerConfig, CommentInput};

const ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

fn cf_check(first15: &str) -> char {
    let mut sum = 0;
    for (i, c) in first15.bytes().enumerate() {
        let v = if c.is_ascii_digit() {
            (c - b'0') as u32
        } else {
            (c - b'A') as u32
        };
        sum += if i % 2 == 0 { ODD[v as usize] } else { v };
    }
    (b'A' + (sum % 26) as u8) as char
}

fn letter(r: &mut Rng) -> char {
    (b'A' + r.below(26) as u8) as char
}

fn digit(r: &mut Rng) -> char {
    (b'0' + r.below(10) as u8) as char
}

fn gen_cf(r: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..6 {
        s.push(letter(r));
    }
    s.push(digit(r));
    s.push(digit(r));
    s.push(b"ABCDEHLMPRST"[r.below(12)] as char);
    let day = 1 + r.below(31) + if r.below(2) == 0 { 0 } else { 40 };
    s.push_str(&format!("{day:02}"));
    s.push(letter(r));
    for _ in 0..3 {
        s.push(digit(r));
    }
    // Omocodia: replace some digits by their letters, as the Agenzia does.
    if r.below(3) == 0 {
        for pos in [14, 13, 12, 10, 9, 7, 6] {
            if r.below(2) == 0 {
                let d = s.as_bytes()[pos] - b'0';
                let l = b"LMNPQRSTUV"[d as usize] as char;
                s.replace_range(pos..pos + 1, &l.to_string());
            }
        }
    }
    let c = cf_check(&s);
    s.push(c);
    s
}

fn piva_check(first10: &[u32]) -> u32 {
    let mut sum = 0;
    for (i, &x) in first10.iter().enumerate() {
        if i % 2 == 0 {
            sum += x;
        } else {
            let y = x * 2;
            sum += if y > 9 { y - 9 } else { y };
        }
    }
    (10 - sum % 10) % 10
}

fn gen_piva(r: &mut Rng) -> String {
    let mut d: Vec<u32> = (0..7).map(|_| r.below(10) as u32).collect();
    d[0] = 1 + r.below(9) as u32;
    let office = 1 + r.below(100) as u32;
    d.extend([office / 100, (office / 10) % 10, office % 10]);
    let c = piva_check(&d);
    d.push(c);
    d.iter()
        .map(|x| char::from_digit(*x, 10).unwrap())
        .collect()
}

fn mod97(s: &str) -> u32 {
    let mut rem = 0u32;
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            rem = (rem * 10 + d) % 97;
        } else {
            rem = (rem * 100 + (c as u32 - 'A' as u32 + 10)) % 97;
        }
    }
    rem
}

fn gen_iban(r: &mut Rng) -> String {
    let (cc, bban): (&str, String) = match r.below(3) {
        0 => {
            let mut b = String::new();
            b.push(letter(r));
            for _ in 0..22 {
                b.push(digit(r));
            }
            ("IT", b)
        }
        1 => ("DE", (0..18).map(|_| digit(r)).collect()),
        _ => ("ES", (0..20).map(|_| digit(r)).collect()),
    };
    let check = 98 - mod97(&format!("{bban}{cc}00"));
    format!("{cc}{check:02}{bban}")
}

fn grouped(s: &str) -> String {
    s.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Changes the check char / digit so the checksum no longer holds.
fn corrupt_last(s: &str, alphabet: &[u8]) -> String {
    let last = s.as_bytes()[s.len() - 1];
    let i = alphabet.iter().position(|&c| c == last).unwrap();
    let next = alphabet[(i + 1) % alphabet.len()] as char;
    format!("{}{next}", &s[..s.len() - 1])
}

fn corrupt_iban(s: &str) -> String {
    let b = s.as_bytes();
    let d = b[2] - b'0';
    let nd = (d + 1) % 10;
    format!("{}{}{}", &s[..2], nd, &s[3..])
}

#[test]
fn every_valid_one_is_found_and_no_invalid_one_is() {
    let an = Analyzer::new(AnalyzerConfig::default()).with_model(None);
    let mut r = Rng::new(2026);
    let mut counts = [0usize; 3];
    for i in 0..400 {
        let cf = gen_cf(&mut r);
        let piva = gen_piva(&mut r);
        let iban = gen_iban(&mut r);
        let iban_text = if i % 2 == 0 {
            grouped(&iban)
        } else {
            iban.clone()
        };
        let text = format!(
            "Buongiorno, il mio codice fiscale è {cf}, la ditta ha P.IVA {piva} e l'IBAN è {iban_text}. Grazie"
        );
        let a = an.analyze(&CommentInput::new(&text));
        let found = |kind: &str, want: &str| {
            a.personal_data(kind)
                .is_some_and(|f| f.evidence.iter().any(|e| e.text.eq_ignore_ascii_case(want)))
        };
        assert!(found("codice_fiscale", &cf), "{text}");
        assert!(found("partita_iva", &piva), "{text}");
        assert!(
            found("iban", &iban_text),
            "{text}: {:?}",
            a.personal_data("iban")
        );
        counts[0] += 1;

        let bad_cf = corrupt_last(&cf, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        let bad_piva = corrupt_last(&piva, b"0123456789");
        let bad_iban = corrupt_iban(&iban);
        let text = format!(
            "codice fiscale {bad_cf}, P.IVA {bad_piva}, IBAN {bad_iban} e {}",
            grouped(&bad_iban)
        );
        let a = an.analyze(&CommentInput::new(&text));
        for kind in ["codice_fiscale", "partita_iva", "iban"] {
            assert!(
                a.personal_data(kind).is_none(),
                "{text}: {kind} {:?}",
                a.personal_data(kind)
            );
        }
        counts[1] += 1;
        counts[2] += 1;
    }
    assert_eq!(counts, [400, 400, 400]);
}
