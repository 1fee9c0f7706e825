//! `publiccode.yml` (the description of Piazza for the Developers Italia
//! catalogue) against the rules of the standard, version 0.5
//! (<https://yml.publiccode.tools>), and against the code it describes.
//!
//! The official validator is the Go parser
//! (github.com/italia/publiccode-parser-go). It is published neither on
//! PyPI nor on npm (`pip download publiccode-parser` and `npm view
//! publiccode-parser` both find nothing), and the Go module proxy is not
//! reachable from the project's machines, so it cannot run here. This test
//! enforces the parser's rules that apply to this file and can be checked
//! offline:
//!
//! - `publiccodeYmlVersion` is the string "0.5";
//! - the required keys are present: `publiccodeYmlVersion`, `name`, `url`,
//!   `platforms`, `developmentStatus`, `softwareType`, `description` (with
//!   `shortDescription`, `longDescription` and `features` per language),
//!   `legal.license`, `maintenance.type` (with `contacts` for `internal` and
//!   `community`, `contractors` for `contract`), `localisation`
//!   (`localisationReady`, `availableLanguages`);
//! - no key outside the standard (the parser decodes strictly);
//! - `developmentStatus`, `softwareType`, `maintenance.type`, `categories`
//!   and `intendedAudience.scope` come from the standard's lists;
//! - `platforms` are the standard's suggested values;
//! - `shortDescription` at most 150 characters, `longDescription` between
//!   150 and 10,000, `features` not empty (and, as the standard advises,
//!   each at most 100 characters);
//! - `releaseDate` is a real date written YYYY-MM-DD;
//! - `url` and other addresses are well-formed http(s) URLs, e-mails look
//!   like e-mails;
//! - language codes are BCP 47 tags, each description's language is among
//!   `availableLanguages`;
//! - `legal.license` is the SPDX identifier `EUPL-1.2`;
//! - the Italian extension (`it`) has `countryExtensionVersion` "1.0" and
//!   only booleans under `conforme` and `piattaforme`.
//!
//! Not checked here, unlike the official parser with network access: that
//! `url` answers as a repository and that `logo`/screenshots exist (the
//! file has neither). And besides the standard, the claims are checked
//! against the code: the version is the workspace's, the licence is the
//! LICENSE file's, the platforms named in the features have connectors, and
//! every `piazza ...` command quoted in the description exists.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_norway::{Mapping, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn doc() -> Value {
    let text = std::fs::read_to_string(root().join("publiccode.yml")).unwrap();
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("publiccode.yml: {e}"))
}

fn map<'a>(v: &'a Value, what: &str) -> &'a Mapping {
    v.as_mapping()
        .unwrap_or_else(|| panic!("{what} must be a mapping"))
}

fn text<'a>(v: &'a Value, what: &str) -> &'a str {
    v.as_str()
        .unwrap_or_else(|| panic!("{what} must be a string, found {v:?}"))
}

fn list<'a>(v: &'a Value, what: &str) -> Vec<&'a str> {
    v.as_sequence()
        .unwrap_or_else(|| panic!("{what} must be a list"))
        .iter()
        .map(|x| text(x, what))
        .collect()
}

fn keys(m: &Mapping, what: &str) -> Vec<String> {
    m.keys().map(|k| text(k, what).to_string()).collect()
}

/// Fails naming every key of `m` not in `allowed`.
fn only_keys(m: &Mapping, allowed: &[&str], what: &str) {
    let unknown: Vec<String> = keys(m, what)
        .into_iter()
        .filter(|k| !allowed.contains(&k.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "{what}: keys outside the standard: {unknown:?}"
    );
}

// The standard's lists, version 0.5 (the parser's `is_category_v0`,
// `is_scope_v0` and the enumerations of its schema).

/// Categories: https://yml.publiccode.tools/categories-list.html
const CATEGORIES: &[&str] = &[
    "accounting",
    "agile-project-management",
    "applicant-tracking",
    "application-development",
    "appointment-scheduling",
    "backup",
    "billing-and-invoicing",
    "blog",
    "budgeting",
    "business-intelligence",
    "business-process-management",
    "cad",
    "call-center-management",
    "cloud-management",
    "collaboration",
    "communications",
    "compliance-management",
    "contact-management",
    "content-management",
    "crm",
    "customer-service-and-support",
    "data-analytics",
    "data-collection",
    "data-visualization",
    "digital-asset-management",
    "digital-citizenship",
    "document-management",
    "donor-management",
    "e-commerce",
    "e-signature",
    "email-management",
    "email-marketing",
    "employee-management",
    "enterprise-project-management",
    "enterprise-social-networking",
    "erp",
    "event-management",
    "facility-management",
    "feedback-and-reviews-management",
    "financial-reporting",
    "fleet-management",
    "fund-accounting",
    "geographic-information-systems",
    "grant-management",
    "graphic-design",
    "help-desk",
    "hr",
    "ide",
    "identity-management",
    "instant-messaging",
    "inventory-management",
    "it-asset-management",
    "it-development",
    "it-management",
    "it-security",
    "it-service-management",
    "knowledge-management",
    "learning-management-system",
    "marketing",
    "mind-mapping",
    "mobile-marketing",
    "mobile-payment",
    "network-management",
    "office",
    "online-booking",
    "online-community",
    "payment-gateway",
    "payroll",
    "predictive-analysis",
    "procurement",
    "productivity-suite",
    "project-collaboration",
    "project-management",
    "property-management",
    "real-estate-management",
    "remote-support",
    "resource-management",
    "sales-management",
    "seo",
    "service-desk-software",
    "social-media-management",
    "survey",
    "talent-management",
    "task-management",
    "taxes-management",
    "test-management",
    "time-management",
    "time-tracking",
    "translation",
    "video-conferencing",
    "video-editing",
    "visitor-management",
    "voip",
    "warehouse-management",
    "web-collaboration",
    "web-conference",
    "website-builder",
    "workflow-management",
];

/// Scopes: https://yml.publiccode.tools/scope-list.html
const SCOPES: &[&str] = &[
    "agriculture",
    "culture",
    "defence",
    "education",
    "emergency-services",
    "employment",
    "energy",
    "environment",
    "finance-and-economic-development",
    "foreign-affairs",
    "government",
    "healthcare",
    "infrastructures",
    "justice",
    "local-authorities",
    "manufacturing",
    "research",
    "science-and-technology",
    "security",
    "society",
    "sport",
    "tourism",
    "transportation",
    "welfare",
];

const DEVELOPMENT_STATUS: &[&str] = &["concept", "development", "beta", "stable", "obsolete"];

const SOFTWARE_TYPES: &[&str] = &[
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
];

const PLATFORMS: &[&str] = &["web", "windows", "mac", "linux", "ios", "android"];

const MAINTENANCE_TYPES: &[&str] = &["internal", "contract", "community", "none"];

const TOP_LEVEL_KEYS: &[&str] = &[
    "publiccodeYmlVersion",
    "name",
    "applicationSuite",
    "url",
    "landingURL",
    "isBasedOn",
    "softwareVersion",
    "releaseDate",
    "logo",
    "monochromeLogo",
    "inputTypes",
    "outputTypes",
    "platforms",
    "categories",
    "usedBy",
    "roadmap",
    "developmentStatus",
    "softwareType",
    "intendedAudience",
    "description",
    "legal",
    "maintenance",
    "localisation",
    "dependsOn",
    "organisation",
    "fundedBy",
    "it",
    "IT",
];

const REQUIRED_KEYS: &[&str] = &[
    "publiccodeYmlVersion",
    "name",
    "url",
    "platforms",
    "developmentStatus",
    "softwareType",
    "description",
    "legal",
    "maintenance",
    "localisation",
];

/// A BCP 47 tag as the catalogue uses them: `it`, `en`, `de-AT`, `sr-Latn`.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let lang = parts.next().unwrap_or("");
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| {
            (p.len() == 2 && p.bytes().all(|b| b.is_ascii_uppercase()))
                || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
                || (p.len() == 4 && p.bytes().all(|b| b.is_ascii_alphabetic()))
        })
}

/// An absolute http(s) URL with a dotted host name and nothing odd in it.
fn is_url(u: &str) -> bool {
    let Some(rest) = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
    else {
        return false;
    };
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host_port.split(':').next().unwrap_or("");
    !u.chars().any(|c| c.is_whitespace() || c.is_control())
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

fn is_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !e.chars().any(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

/// YYYY-MM-DD, and a day that exists.
fn is_date(d: &str) -> bool {
    let b = d.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |s: &str| s.parse::<u32>().ok();
    let (Some(y), Some(m), Some(day)) = (num(&d[0..4]), num(&d[5..7]), num(&d[8..10])) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

#[test]
fn the_helpers_refuse_what_the_parser_refuses() {
    assert!(is_date("2024-02-29") && !is_date("2023-02-29") && !is_date("2026-13-01"));
    assert!(!is_date("05/12/2026") && !is_date("2026-1-05"));
    assert!(is_url("https://example.org/a/b") && !is_url("example.org") && !is_url("https://x"));
    assert!(!is_url("https://exa mple.org") && !is_url("ftp://example.org"));
    assert!(is_language_tag("it") && is_language_tag("de-AT") && !is_language_tag("ITA"));
    assert!(!is_language_tag("it_IT") && !is_language_tag(""));
    assert!(is_email("urp@comune.example.it") && !is_email("urp") && !is_email("a@b"));
}

#[test]
fn the_file_is_version_0_5_with_every_required_key_and_no_other() {
    let d = doc();
    let top = map(&d, "the document");
    only_keys(top, TOP_LEVEL_KEYS, "top level");
    for k in REQUIRED_KEYS {
        assert!(top.contains_key(*k), "required key `{k}` is missing");
    }
    // A number 0.5 would be refused: the version is a string.
    assert_eq!(d["publiccodeYmlVersion"].as_str(), Some("0.5"));
    assert!(!text(&d["name"], "name").trim().is_empty());
}

#[test]
fn lists_hold_only_values_of_the_standard() {
    let d = doc();
    let status = text(&d["developmentStatus"], "developmentStatus");
    assert!(
        DEVELOPMENT_STATUS.contains(&status),
        "developmentStatus `{status}`"
    );
    let kind = text(&d["softwareType"], "softwareType");
    assert!(SOFTWARE_TYPES.contains(&kind), "softwareType `{kind}`");
    let platforms = list(&d["platforms"], "platforms");
    assert!(!platforms.is_empty(), "platforms must not be empty");
    for p in &platforms {
        assert!(
            PLATFORMS.contains(p),
            "platform `{p}` is not one of {PLATFORMS:?}"
        );
    }
    if let Some(c) = d.get("categories") {
        let c = list(c, "categories");
        assert!(!c.is_empty(), "categories, when present, must not be empty");
        for cat in c {
            assert!(
                CATEGORIES.contains(&cat),
                "category `{cat}` is not in the standard's list"
            );
        }
    }
    if let Some(a) = d.get("intendedAudience") {
        let a = map(a, "intendedAudience");
        only_keys(
            a,
            &["scope", "countries", "unsupportedCountries"],
            "intendedAudience",
        );
        if let Some(s) = a.get("scope") {
            for scope in list(s, "intendedAudience.scope") {
                assert!(
                    SCOPES.contains(&scope),
                    "scope `{scope}` is not in the standard's list"
                );
            }
        }
    }
}

#[test]
fn descriptions_have_the_lengths_the_parser_accepts() {
    let d = doc();
    let languages = list(
        &d["localisation"]["availableLanguages"],
        "availableLanguages",
    );
    let descriptions = map(&d["description"], "description");
    assert!(
        !descriptions.is_empty(),
        "description needs at least one language"
    );
    for (lang, desc) in descriptions {
        let lang = text(lang, "a description's language");
        assert!(
            is_language_tag(lang),
            "`{lang}` is not a BCP 47 language tag"
        );
        assert!(
            languages.contains(&lang),
            "description.{lang} is in a language not in availableLanguages"
        );
        let what = format!("description.{lang}");
        let m = map(desc, &what);
        only_keys(
            m,
            &[
                "localisedName",
                "genericName",
                "shortDescription",
                "longDescription",
                "documentation",
                "apiDocumentation",
                "features",
                "screenshots",
                "videos",
                "awards",
            ],
            &what,
        );
        let short = text(&desc["shortDescription"], "shortDescription");
        let n = short.chars().count();
        assert!(
            n > 0 && n <= 150,
            "{what}.shortDescription has {n} characters (1 to 150)"
        );
        let long = text(&desc["longDescription"], "longDescription");
        let n = long.chars().count();
        assert!(
            (150..=10_000).contains(&n),
            "{what}.longDescription has {n} characters (150 to 10,000)"
        );
        let features = list(&desc["features"], "features");
        assert!(!features.is_empty(), "{what}.features must not be empty");
        for f in features {
            let n = f.chars().count();
            assert!(
                n > 0 && n <= 100,
                "{what}: feature of {n} characters (1 to 100): {f}"
            );
        }
        for k in ["documentation", "apiDocumentation"] {
            if let Some(u) = desc.get(k) {
                assert!(is_url(text(u, k)), "{what}.{k} is not a URL");
            }
        }
    }
}

#[test]
fn dates_addresses_and_languages_are_well_formed() {
    let d = doc();
    assert!(is_url(text(&d["url"], "url")), "url is not an http(s) URL");
    if let Some(u) = d.get("landingURL") {
        assert!(
            is_url(text(u, "landingURL")),
            "landingURL is not an http(s) URL"
        );
    }
    if let Some(r) = d.get("releaseDate") {
        let r = text(r, "releaseDate");
        assert!(
            is_date(r),
            "releaseDate `{r}` is not a date written YYYY-MM-DD"
        );
    }
    let l = map(&d["localisation"], "localisation");
    only_keys(
        l,
        &["localisationReady", "availableLanguages"],
        "localisation",
    );
    assert!(
        d["localisation"]["localisationReady"].is_bool(),
        "localisation.localisationReady must be true or false"
    );
    let languages = list(
        &d["localisation"]["availableLanguages"],
        "availableLanguages",
    );
    assert!(
        !languages.is_empty(),
        "availableLanguages must not be empty"
    );
    for lang in languages {
        assert!(
            is_language_tag(lang),
            "`{lang}` is not a BCP 47 language tag"
        );
    }
}

#[test]
fn the_licence_is_eupl_1_2_as_in_cargo_and_the_licence_file() {
    let d = doc();
    let legal = map(&d["legal"], "legal");
    only_keys(
        legal,
        &["license", "mainCopyrightOwner", "repoOwner", "authorsFile"],
        "legal",
    );
    assert_eq!(d["legal"]["license"].as_str(), Some("EUPL-1.2"));
    let cargo: toml::Value =
        toml::from_str(&std::fs::read_to_string(root().join("Cargo.toml")).unwrap()).unwrap();
    assert_eq!(
        cargo["workspace"]["package"]["license"].as_str(),
        Some("EUPL-1.2")
    );
    let licence = std::fs::read_to_string(root().join("LICENSE")).unwrap();
    assert!(
        licence.starts_with("EUROPEAN UNION PUBLIC LICENCE v. 1.2"),
        "LICENSE is not the EUPL 1.2"
    );
}

#[test]
fn maintenance_names_who_to_contact() {
    let d = doc();
    let m = map(&d["maintenance"], "maintenance");
    only_keys(m, &["type", "contractors", "contacts"], "maintenance");
    let kind = text(&d["maintenance"]["type"], "maintenance.type");
    assert!(
        MAINTENANCE_TYPES.contains(&kind),
        "maintenance.type `{kind}`"
    );
    let needs = match kind {
        "internal" | "community" => Some("contacts"),
        "contract" => Some("contractors"),
        _ => None,
    };
    if let Some(key) = needs {
        let people = d["maintenance"][key]
            .as_sequence()
            .unwrap_or_else(|| panic!("maintenance.type {kind} requires maintenance.{key}"));
        assert!(!people.is_empty(), "maintenance.{key} must not be empty");
        for p in people {
            let p = map(p, "a contact");
            only_keys(
                p,
                &["name", "email", "phone", "affiliation", "until", "website"],
                "a contact",
            );
            let name = p.get("name").and_then(Value::as_str).unwrap_or("");
            assert!(!name.trim().is_empty(), "every contact needs a name");
            if let Some(e) = p.get("email") {
                assert!(
                    is_email(text(e, "email")),
                    "`{e:?}` is not an e-mail address"
                );
            }
        }
    }
}

#[test]
fn dependencies_have_names_and_the_browser_is_not_one() {
    let d = doc();
    let Some(deps) = d.get("dependsOn") else {
        return;
    };
    let deps = map(deps, "dependsOn");
    only_keys(deps, &["open", "proprietary", "hardware"], "dependsOn");
    let mut names = Vec::new();
    for (kind, entries) in deps {
        let kind = text(kind, "dependsOn");
        for e in entries.as_sequence().expect("dependsOn lists") {
            let what = format!("dependsOn.{kind}");
            let m = map(e, &what);
            only_keys(
                m,
                &["name", "versionMin", "versionMax", "version", "optional"],
                &what,
            );
            names.push(text(&e["name"], "name").to_string());
            if let Some(o) = m.get("optional") {
                assert!(o.is_bool(), "{what}.optional must be true or false");
            }
            for v in ["versionMin", "versionMax", "version"] {
                if let Some(v) = m.get(v) {
                    text(v, "a version");
                }
            }
        }
    }
    // Chromium and Node.js serve the tests and the build only.
    for n in &names {
        let n = n.to_lowercase();
        assert!(
            !n.contains("chromium") && !n.contains("node"),
            "{n} is no run-time dependency"
        );
    }
    // PostgreSQL is optional: SQLite is embedded.
    let pg = d["dependsOn"]["open"]
        .as_sequence()
        .and_then(|s| s.iter().find(|e| e["name"].as_str() == Some("PostgreSQL")))
        .expect("PostgreSQL listed");
    assert_eq!(pg["optional"].as_bool(), Some(true));
}

#[test]
fn the_italian_extension_is_version_1_0_with_booleans() {
    let d = doc();
    let it = d
        .get("it")
        .or_else(|| d.get("IT"))
        .expect("the Italian extension");
    let m = map(it, "it");
    only_keys(
        m,
        &[
            "countryExtensionVersion",
            "conforme",
            "piattaforme",
            "riuso",
        ],
        "it",
    );
    assert_eq!(it["countryExtensionVersion"].as_str(), Some("1.0"));
    for (section, allowed) in [
        (
            "conforme",
            &[
                "lineeGuidaDesign",
                "modelloInteroperabilita",
                "misureMinimeSicurezza",
                "gdpr",
            ][..],
        ),
        ("piattaforme", &["spid", "cie", "anpr", "pagopa"][..]),
    ] {
        if let Some(s) = m.get(section) {
            let s = map(s, section);
            only_keys(s, allowed, section);
            for (k, v) in s {
                assert!(v.is_bool(), "it.{section}.{k:?} must be true or false");
            }
        }
    }
    if let Some(r) = m.get("riuso") {
        only_keys(map(r, "riuso"), &["codiceIPA"], "it.riuso");
    }
}

#[test]
fn the_version_is_the_workspace_version() {
    let cargo: toml::Value =
        toml::from_str(&std::fs::read_to_string(root().join("Cargo.toml")).unwrap()).unwrap();
    let version = cargo["workspace"]["package"]["version"].as_str().unwrap();
    assert_eq!(doc()["softwareVersion"].as_str(), Some(version));
    // And the binary says the same.
    let out = Command::new(env!("CARGO_BIN_EXE_piazza"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("piazza {version}")
    );
}

#[test]
fn the_description_claims_what_the_code_has() {
    let d = doc();
    let desc = &d["description"]["it"];
    let long = text(&desc["longDescription"], "longDescription");
    let features = list(&desc["features"], "features").join("\n");
    // Each platform named has a connector in piazza-platforms.
    let platforms = root().join("crates/piazza-platforms/src");
    for (named, module) in [
        ("Facebook", "meta"),
        ("Instagram", "meta"),
        ("Mastodon", "mastodon.rs"),
        ("Telegram", "telegram.rs"),
        ("YouTube", "youtube.rs"),
        ("X", "x.rs"),
        ("Flickr", "flickr.rs"),
        ("LinkedIn", "linkedin.rs"),
    ] {
        assert!(
            long.contains(named) && features.contains(named),
            "{named} is not named in the description"
        );
        assert!(
            platforms.join(module).exists(),
            "{named} is named but crates/piazza-platforms/src/{module} does not exist"
        );
    }
    // Every `piazza ...` command quoted in the description exists.
    let mut quoted = 0;
    for span in long.split('`').skip(1).step_by(2) {
        let Some(args) = span.strip_prefix("piazza ") else {
            continue;
        };
        quoted += 1;
        let out = Command::new(env!("CARGO_BIN_EXE_piazza"))
            .args(args.split_whitespace())
            .arg("--help")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "`{span}` is quoted in publiccode.yml but is no command: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(
        quoted >= 2,
        "the description quotes the commands it relies on"
    );
    // The OpenAPI document and the PostgreSQL backend it mentions exist.
    let api = std::fs::read_to_string(root().join("crates/piazza-web/src/lib.rs")).unwrap();
    assert!(long.contains("OpenAPI") && api.contains("/api/v1/openapi.json"));
    let store = std::fs::read_to_string(root().join("crates/piazza-store/Cargo.toml")).unwrap();
    assert!(store.contains("default = [\"sqlite\", \"postgres\"]"));
}
