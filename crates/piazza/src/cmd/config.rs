//! The configuration file (`piazza.toml`, or `--config` / `PIAZZA_CONFIG`)
//! and the `PIAZZA_*` environment variables that override it, for every
//! command that opens the desk. `docs/configuration.md` documents each key.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use piazza_desk::{
    Desk, SecretKey, SecretString, StandardConnectors, TelegramSettings, XSettings, YoutubeSettings,
};
use piazza_platforms::meta::{DEFAULT_GRAPH_URL, GRAPH_API_VERSION, MetaConfig};
use piazza_web::OidcConfig;
use serde::Deserialize;

pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The file named by `explicit`, else `PIAZZA_CONFIG`, else `./piazza.toml`
/// when it exists; the defaults when there is none.
pub fn load(explicit: Option<&Path>) -> anyhow::Result<FileConfig> {
    let path = explicit
        .map(Path::to_path_buf)
        .or_else(|| env("PIAZZA_CONFIG").map(PathBuf::from))
        .or_else(|| {
            let p = PathBuf::from("piazza.toml");
            p.exists().then_some(p)
        });
    match path {
        Some(p) => {
            let text = std::fs::read_to_string(&p)
                .with_context(|| format!("impossibile leggere {}", p.display()))?;
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
        }
        None => Ok(FileConfig::default()),
    }
}

/// The configuration file. Unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub secure_cookies: Option<bool>,
    pub secret_key: Option<String>,
    pub oidc: Option<OidcFile>,
    pub meta: Option<MetaFile>,
    pub telegram: Option<TelegramFile>,
    pub youtube: Option<YoutubeFile>,
    pub x: Option<XFile>,
    pub flickr: Option<FlickrFile>,
    pub linkedin: Option<LinkedinFile>,
    /// How long a delivery attempt holds its outbox row (seconds).
    pub outbox_lease_seconds: Option<u64>,
    /// The Ed25519 key file that signs the daily audit checkpoints; kept
    /// outside the database and outside the data directory's backups.
    pub audit_signing_key_file: Option<PathBuf>,
}

/// The `[oidc]` table: login through the administration's identity
/// provider. Unknown keys are errors here too.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcFile {
    pub issuer: String,
    pub client_id: String,
    /// Better in `PIAZZA_OIDC_CLIENT_SECRET`, which overrides it.
    pub client_secret: Option<String>,
    pub redirect_url: String,
    pub scopes: Option<Vec<String>>,
    pub claim: Option<String>,
    pub button_label: Option<String>,
}

impl std::fmt::Debug for OidcFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcFile")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .field("redirect_url", &self.redirect_url)
            .field("scopes", &self.scopes)
            .field("claim", &self.claim)
            .field("button_label", &self.button_label)
            .finish()
    }
}

impl OidcFile {
    /// The checked settings; the secret comes from the environment when
    /// it is set there.
    pub fn config(self) -> anyhow::Result<OidcConfig> {
        let secret = env("PIAZZA_OIDC_CLIENT_SECRET")
            .or(self.client_secret)
            .unwrap_or_default();
        let mut c = OidcConfig::new(&self.issuer, &self.client_id, &secret, &self.redirect_url)?;
        if let Some(scopes) = self.scopes {
            c = c.with_scopes(scopes)?;
        }
        if let Some(claim) = self.claim {
            c = c.with_claim(&claim)?;
        }
        if let Some(label) = self.button_label {
            c = c.with_button_label(&label)?;
        }
        Ok(c)
    }
}

/// The `[meta]` table: the Meta app that reads and moderates the
/// administration's Facebook Pages and Instagram accounts.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MetaFile {
    /// The Graph API's base URL (tests point it at a local fake).
    pub graph_url: Option<String>,
    /// Better in `PIAZZA_META_APP_SECRET`, which overrides it.
    pub app_secret: Option<String>,
    /// Better in `PIAZZA_META_VERIFY_TOKEN`, which overrides it.
    pub verify_token: Option<String>,
}

impl std::fmt::Debug for MetaFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetaFile")
            .field("graph_url", &self.graph_url)
            .field("app_secret", &self.app_secret.as_ref().map(|_| "***"))
            .field("verify_token", &self.verify_token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// The `[telegram]` table: where the Bot API is and where Telegram
/// reaches this Piazza.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TelegramFile {
    /// The Bot API's base URL (tests point it at a local fake).
    pub api_url: Option<String>,
    /// Piazza's public HTTPS address, for the webhook.
    pub public_url: Option<String>,
}

/// The `[youtube]` table: the Data API, Google's token endpoint and the
/// project's daily quota.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct YoutubeFile {
    pub api_url: Option<String>,
    pub oauth_url: Option<String>,
    /// Units a day (10,000 unless Google granted more).
    pub daily_quota: Option<u64>,
    /// Units pulls leave for decisions.
    pub reserve: Option<u64>,
}

/// The `[x]` table: the X API and the access plan's monthly post reads.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct XFile {
    pub api_url: Option<String>,
    /// Posts the plan lets the app read in a month (counted by Piazza;
    /// X's own cap answers anyway).
    pub monthly_post_reads: Option<u64>,
}

/// The `[flickr]` table: Flickr's REST endpoint.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FlickrFile {
    pub rest_url: Option<String>,
}

/// The `[linkedin]` table: LinkedIn's API base.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LinkedinFile {
    pub api_url: Option<String>,
}

/// The platform settings in force after file and environment.
#[derive(Debug, Clone)]
pub struct PlatformSettings {
    pub meta: MetaConfig,
    /// The webhook handshake's verify token.
    pub meta_verify_token: Option<SecretString>,
    pub telegram: TelegramSettings,
    pub youtube: YoutubeSettings,
    pub x: XSettings,
    pub flickr_url: String,
    pub linkedin_url: String,
    pub lease_ms: i64,
}

impl PlatformSettings {
    pub fn from_file(file: &FileConfig) -> anyhow::Result<PlatformSettings> {
        let m = file.meta.as_ref();
        let graph_url = env("PIAZZA_META_GRAPH_URL")
            .or_else(|| m.and_then(|m| m.graph_url.clone()))
            .unwrap_or_else(|| DEFAULT_GRAPH_URL.to_string());
        if !(graph_url.starts_with("https://") || graph_url.starts_with("http://")) {
            bail!("PIAZZA_META_GRAPH_URL deve essere un indirizzo http(s), trovato `{graph_url}`");
        }
        let app_secret = env("PIAZZA_META_APP_SECRET")
            .or_else(|| m.and_then(|m| m.app_secret.clone()))
            .map(SecretString::new);
        let verify_token = env("PIAZZA_META_VERIFY_TOKEN")
            .or_else(|| m.and_then(|m| m.verify_token.clone()))
            .map(SecretString::new);
        let lease_s = match env("PIAZZA_OUTBOX_LEASE_SECONDS") {
            Some(v) => v.parse::<u64>().with_context(|| {
                format!(
                    "PIAZZA_OUTBOX_LEASE_SECONDS deve essere un numero intero di secondi, trovato `{v}`"
                )
            })?,
            None => file.outbox_lease_seconds.unwrap_or(120),
        };
        let t = file.telegram.as_ref();
        let telegram_api = env("PIAZZA_TELEGRAM_API_URL")
            .or_else(|| t.and_then(|t| t.api_url.clone()))
            .unwrap_or_else(|| piazza_platforms::telegram::DEFAULT_API_URL.to_string());
        if !(telegram_api.starts_with("https://") || telegram_api.starts_with("http://")) {
            bail!(
                "PIAZZA_TELEGRAM_API_URL deve essere un indirizzo http(s), trovato `{telegram_api}`"
            );
        }
        let public_url = env("PIAZZA_PUBLIC_URL")
            .or_else(|| t.and_then(|t| t.public_url.clone()))
            .filter(|u| !u.trim().is_empty());
        if let Some(u) = &public_url
            && !u.starts_with("https://")
        {
            bail!(
                "PIAZZA_PUBLIC_URL deve essere l'indirizzo HTTPS pubblico di Piazza (Telegram consegna i webhook solo in HTTPS), trovato `{u}`"
            );
        }
        let y = file.youtube.as_ref();
        let yt_api = env("PIAZZA_YOUTUBE_API_URL")
            .or_else(|| y.and_then(|y| y.api_url.clone()))
            .unwrap_or_else(|| piazza_platforms::youtube::DEFAULT_API_URL.to_string());
        let yt_oauth = env("PIAZZA_GOOGLE_OAUTH_URL")
            .or_else(|| y.and_then(|y| y.oauth_url.clone()))
            .unwrap_or_else(|| piazza_platforms::youtube::DEFAULT_OAUTH_URL.to_string());
        for (name, u) in [
            ("PIAZZA_YOUTUBE_API_URL", &yt_api),
            ("PIAZZA_GOOGLE_OAUTH_URL", &yt_oauth),
        ] {
            if !(u.starts_with("https://") || u.starts_with("http://")) {
                bail!("{name} deve essere un indirizzo http(s), trovato `{u}`");
            }
        }
        let daily = y
            .and_then(|y| y.daily_quota)
            .unwrap_or(piazza_platforms::youtube::DEFAULT_DAILY_QUOTA);
        let reserve = y
            .and_then(|y| y.reserve)
            .unwrap_or(piazza_platforms::youtube::DEFAULT_RESERVE);
        if reserve > daily {
            bail!("[youtube] reserve ({reserve}) non può superare daily_quota ({daily})");
        }
        let x_api = env("PIAZZA_X_API_URL")
            .or_else(|| file.x.as_ref().and_then(|x| x.api_url.clone()))
            .unwrap_or_else(|| piazza_platforms::x::DEFAULT_API_URL.to_string());
        if !(x_api.starts_with("https://") || x_api.starts_with("http://")) {
            bail!("PIAZZA_X_API_URL deve essere un indirizzo http(s), trovato `{x_api}`");
        }
        let flickr_url = env("PIAZZA_FLICKR_API_URL")
            .or_else(|| file.flickr.as_ref().and_then(|f| f.rest_url.clone()))
            .unwrap_or_else(|| piazza_platforms::flickr::DEFAULT_REST_URL.to_string());
        if !(flickr_url.starts_with("https://") || flickr_url.starts_with("http://")) {
            bail!("PIAZZA_FLICKR_API_URL deve essere un indirizzo http(s), trovato `{flickr_url}`");
        }
        let linkedin_url = env("PIAZZA_LINKEDIN_API_URL")
            .or_else(|| file.linkedin.as_ref().and_then(|f| f.api_url.clone()))
            .unwrap_or_else(|| piazza_platforms::linkedin::DEFAULT_API_URL.to_string());
        if !(linkedin_url.starts_with("https://") || linkedin_url.starts_with("http://")) {
            bail!(
                "PIAZZA_LINKEDIN_API_URL deve essere un indirizzo http(s), trovato `{linkedin_url}`"
            );
        }
        Ok(PlatformSettings {
            linkedin_url,
            flickr_url,
            x: XSettings::new(&x_api, file.x.as_ref().and_then(|x| x.monthly_post_reads)),
            youtube: YoutubeSettings::new(&yt_api, &yt_oauth, daily, reserve),
            telegram: TelegramSettings {
                api_url: telegram_api.trim_end_matches('/').to_string(),
                public_url: public_url.map(|u| u.trim_end_matches('/').to_string()),
            },
            meta: MetaConfig {
                graph_url: graph_url.trim_end_matches('/').to_string(),
                version: GRAPH_API_VERSION.to_string(),
                app_secret,
            },
            meta_verify_token: verify_token,
            lease_ms: (lease_s as i64).saturating_mul(1000),
        })
    }
}

/// The key that seals platform tokens: from `PIAZZA_SECRET_KEY` (or the
/// file's `secret_key`), else the key file `secret.key` in the data
/// directory, created on first use with mode 0600.
pub fn secret_key(file: &FileConfig, data_dir: &Path) -> anyhow::Result<SecretKey> {
    let passphrase = env("PIAZZA_SECRET_KEY").or_else(|| file.secret_key.clone());
    SecretKey::resolve(passphrase.as_deref(), data_dir).map_err(|e| anyhow::anyhow!("{e}"))
}

/// The key that signs audit checkpoints, from `PIAZZA_AUDIT_SIGNING_KEY_FILE`
/// or the file's `audit_signing_key_file`; `None` when neither is set.
/// Errors name the file, never its content.
pub fn audit_signing_key(file: &FileConfig) -> anyhow::Result<Option<piazza_desk::SigningKeyFile>> {
    let Some(path) = env("PIAZZA_AUDIT_SIGNING_KEY_FILE")
        .map(PathBuf::from)
        .or_else(|| file.audit_signing_key_file.clone())
    else {
        return Ok(None);
    };
    piazza_desk::SigningKeyFile::from_file(&path)
        .map(Some)
        .map_err(|e| {
            anyhow::anyhow!(
                "impossibile usare la chiave di firma del registro {}: {e}",
                path.display()
            )
        })
}

/// `desk` with the platform settings and the sealing key.
pub fn with_platforms(
    desk: Desk,
    file: &FileConfig,
    data_dir: &Path,
    sandbox_backlog: usize,
) -> anyhow::Result<(Desk, PlatformSettings)> {
    let mut settings = PlatformSettings::from_file(file)?;
    // The YouTube quota and the X reads are the deployment's: counted in
    // the database, every instance on it spends from one count, and a
    // restart forgets nothing.
    let ledger = desk.allowance_ledger();
    settings.youtube.budget = Arc::new(settings.youtube.budget.counted_in(ledger.clone()));
    settings.x.reads = Arc::new(settings.x.reads.counted_in(ledger));
    let key = secret_key(file, data_dir)?;
    let desk = desk.with_platforms(
        Arc::new(StandardConnectors {
            meta: settings.meta.clone(),
            sandbox_backlog,
            telegram: settings.telegram.clone(),
            youtube: settings.youtube.clone(),
            x: settings.x.clone(),
            flickr_url: settings.flickr_url.clone(),
            linkedin_url: settings.linkedin_url.clone(),
        }),
        Some(Arc::new(key)),
        settings.lease_ms,
    );
    Ok((desk, settings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_file_parses_with_every_table_written_out() {
        let text = include_str!("../../../../piazza.example.toml");
        let file: FileConfig = toml::from_str(text).unwrap();
        assert_eq!(file.outbox_lease_seconds, Some(120));
        // The commented tables, uncommented, are valid too.
        let open: String = text
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.starts_with('[') || rest.contains(" = ") => rest,
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let file: FileConfig = toml::from_str(&open).unwrap_or_else(|e| panic!("{e}\n{open}"));
        assert!(file.oidc.is_some());
        assert!(file.audit_signing_key_file.is_some());
        let meta = file.meta.as_ref().unwrap();
        assert_eq!(meta.graph_url.as_deref(), Some(DEFAULT_GRAPH_URL));
        assert!(!format!("{meta:?}").contains("app_secret: Some(\"\")"));
    }

    #[test]
    fn the_audit_signing_key_is_read_from_the_file_named_and_errors_name_only_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("firma.key");
        let key = piazza_desk::SigningKeyFile::generate(&path).unwrap();
        let seed = std::fs::read_to_string(&path).unwrap();
        let file: FileConfig = toml::from_str(&format!(
            "audit_signing_key_file = {:?}\n",
            path.display().to_string()
        ))
        .unwrap();
        let read = audit_signing_key(&file).unwrap().unwrap();
        assert_eq!(read.public_hex(), key.public_hex());
        assert!(audit_signing_key(&FileConfig::default()).unwrap().is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = audit_signing_key(&file).unwrap_err().to_string();
            assert!(
                err.contains("firma.key") && err.contains("chmod 600"),
                "{err}"
            );
            assert!(!err.contains(seed.trim()), "{err}");
        }
    }

    #[test]
    fn platform_settings_keep_the_version_in_one_place_and_the_lease_in_ms() {
        let file: FileConfig = toml::from_str(
            "outbox_lease_seconds = 7\n[meta]\ngraph_url = \"http://127.0.0.1:9/\"\napp_secret = \"s\"\n",
        )
        .unwrap();
        let s = PlatformSettings::from_file(&file).unwrap();
        assert_eq!(s.meta.graph_url, "http://127.0.0.1:9");
        assert_eq!(s.meta.version, GRAPH_API_VERSION);
        assert_eq!(s.lease_ms, 7_000);
        assert_eq!(s.meta.app_secret.as_ref().map(|x| x.expose()), Some("s"));
        let bad: FileConfig = toml::from_str("[meta]\ngraph_url = \"ftp://x\"\n").unwrap();
        assert!(PlatformSettings::from_file(&bad).is_err());
        assert!(toml::from_str::<FileConfig>("[meta]\ntoken = \"x\"\n").is_err());
    }
}
