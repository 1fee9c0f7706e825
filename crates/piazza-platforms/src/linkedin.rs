//! An administration's LinkedIn organisation page, through LinkedIn's
//! versioned REST API (Community Management API, which LinkedIn grants on
//! application). The shared map gives `socialActions/{urn}/comments` with
//! `r_organization_social` / `w_organization_social`; the rest follows
//! LinkedIn's documentation and is handled defensively (unconfirmed: the
//! exact shape of a comment, the `x-restli-id` header of a created one).
//!
//! What it allows on other members' comments: read them and answer, as
//! the organisation (a nested answer with `parentComment`). Deleting
//! someone else's comment, hiding, banning and reporting have no API: the
//! capability map says so. Posts of text (and a link) are published.
//!
//! Reading: the organisation's newest posts (one page), each with its
//! comments; what was read before is recognised by the ingest pipeline.

use std::time::Duration;

use piazza_taxonomy::Platform;
use serde_json::{Value, json};

use crate::capability::{Operation, Support};
use crate::common::{need, network_kind, permanent};
use crate::connector::{
    ConnectionCheck, Connector, Delivered, Delivery, Failure, FetchPage, FetchRequest,
    MissingPermission, PermanentCode,
};
use crate::incoming::{IncomingComment, IncomingEvent, IncomingPost};
use crate::secret::SecretString;

/// The API's base.
pub const DEFAULT_API_URL: &str = "https://api.linkedin.com";
/// The API version Piazza was written against (`LinkedIn-Version`).
pub const API_VERSION: &str = "202511";

const TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_BODY: u64 = 8 * 1024 * 1024;
/// The organisation's newest posts each pull reads.
const POSTS: &str = "20";

/// One organisation page.
#[derive(Debug, Clone)]
pub struct LinkedinConnection {
    pub api_url: String,
    /// The organisation's id (the digits of `urn:li:organization:ID`).
    pub organization_id: String,
    /// A member token of a page administrator with
    /// `r_organization_social w_organization_social`.
    pub token: SecretString,
}

/// The connector.
pub struct LinkedinConnector {
    base: String,
    org: String,
    token: SecretString,
    agent: ureq::Agent,
}

/// URNs go in paths percent-encoded (`urn%3Ali%3Ashare%3A...`).
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn check_urn(u: &str) -> Result<&str, Failure> {
    if u.starts_with("urn:li:")
        && u.len() < 200
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b":_-(),".contains(&b))
    {
        Ok(u)
    } else {
        Err(permanent(
            PermanentCode::Rejected,
            format!(
                "`{}` is not a LinkedIn URN",
                u.chars().take(40).collect::<String>()
            ),
        ))
    }
}

impl LinkedinConnector {
    pub fn new(c: LinkedinConnection) -> Result<LinkedinConnector, String> {
        if !(c.api_url.starts_with("https://") || c.api_url.starts_with("http://")) {
            return Err(format!("`{}` non è un indirizzo http(s)", c.api_url));
        }
        if c.organization_id.is_empty() || !c.organization_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "`{}` non è l'id numerico di una pagina LinkedIn (urn:li:organization:ID)",
                c.organization_id
            ));
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent("piazza")
            .build()
            .into();
        Ok(LinkedinConnector {
            base: c.api_url.trim_end_matches('/').to_string(),
            org: format!("urn:li:organization:{}", c.organization_id),
            token: c.token,
            agent,
        })
    }

    /// One call; the body's JSON and the `x-restli-id` of what it created.
    fn call(
        &self,
        post: Option<&Value>,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<(Value, Option<String>), Failure> {
        let url = format!("{}{path}", self.base);
        let auth = format!("Bearer {}", self.token.expose());
        let result = match post {
            Some(b) => self
                .agent
                .post(&url)
                .header("authorization", &auth)
                .header("linkedin-version", API_VERSION)
                .header("x-restli-protocol-version", "2.0.0")
                .header("content-type", "application/json")
                .send(b.to_string().as_bytes()),
            None => self
                .agent
                .get(&url)
                .header("authorization", &auth)
                .header("linkedin-version", API_VERSION)
                .header("x-restli-protocol-version", "2.0.0")
                .query_pairs(query.iter().copied())
                .call(),
        };
        let mut res = result.map_err(|e| Failure::Transient {
            message: format!("LinkedIn did not answer ({})", network_kind(&e)),
            retry_after: None,
        })?;
        let status = res.status().as_u16();
        let created = res
            .headers()
            .get("x-restli-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let v: Value = res
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Ok((v, created));
        }
        let said = format!(
            "LinkedIn {status} {}: {}",
            v.get("code").and_then(Value::as_str).unwrap_or(""),
            v.get("message")
                .and_then(Value::as_str)
                .unwrap_or("no message")
                .chars()
                .take(200)
                .collect::<String>()
        );
        Err(match status {
            401 => permanent(
                PermanentCode::TokenInvalid,
                format!(
                    "{said}; un amministratore della pagina deve autorizzare di nuovo Piazza (i token LinkedIn scadono dopo 60 giorni)"
                ),
            ),
            403 => permanent(
                PermanentCode::PermissionMissing,
                format!(
                    "{said}; servono r_organization_social e w_organization_social, e un ruolo di amministratore della pagina"
                ),
            ),
            404 => permanent(PermanentCode::ObjectGone, said),
            429 => Failure::RateLimited {
                message: format!(
                    "{said}; il limite giornaliero di LinkedIn si azzera a mezzanotte UTC"
                ),
                retry_after: Duration::from_secs(3600),
            },
            400..=499 => permanent(PermanentCode::Rejected, said),
            _ => Failure::Transient {
                message: said,
                retry_after: None,
            },
        })
    }

    fn comments(&self, post: &str) -> Result<Vec<Value>, Failure> {
        let (v, _) = self.call(
            None,
            &format!("/rest/socialActions/{}/comments", enc(check_urn(post)?)),
            &[],
        )?;
        Ok(v.get("elements")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }

    fn text(c: &Value) -> Option<&str> {
        c.pointer("/message/text").and_then(Value::as_str)
    }

    /// A comment's own id, from `id` or from its `commentUrn`
    /// (`urn:li:comment:(POST,ID)`).
    fn comment_id(c: &Value) -> Option<String> {
        c.get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| {
                c.get("commentUrn")
                    .and_then(Value::as_str)
                    .and_then(|u| u.trim_end_matches(')').rsplit(',').next())
                    .map(str::to_string)
            })
    }
}

impl Connector for LinkedinConnector {
    fn platform(&self) -> Platform {
        Platform::Linkedin
    }

    fn deliver(&self, d: &Delivery) -> Result<Delivered, Failure> {
        let op = d.op()?;
        if let Support::No(why) = self.capabilities().support(op) {
            return Err(permanent(PermanentCode::Unsupported, why));
        }
        match op {
            Operation::Reply => {
                let post = check_urn(need(&d.post_external_id, "post URN")?)?;
                let comment = need(&d.comment_external_id, "comment id")?;
                let text = need(&d.text, "reply text")?;
                if d.uncertain
                    && let Some(found) = self.comments(post)?.into_iter().find(|c| {
                        c.get("actor").and_then(Value::as_str) == Some(self.org.as_str())
                            && Self::text(c) == Some(text.trim())
                            && Self::comment_id(c).is_some_and(|i| !d.known_refs.contains(&i))
                    })
                {
                    return Ok(Delivered {
                        platform_ref: Self::comment_id(&found),
                        already: true,
                    });
                }
                let body = json!({
                    "actor": self.org,
                    "object": post,
                    "message": {"text": text},
                    "parentComment": format!("urn:li:comment:({post},{comment})"),
                });
                let (v, created) = self.call(
                    Some(&body),
                    &format!("/rest/socialActions/{}/comments", enc(post)),
                    &[],
                )?;
                Ok(Delivered {
                    platform_ref: Self::comment_id(&v).or(created),
                    already: false,
                })
            }
            Operation::Publish => {
                if !d.media.is_empty() {
                    return Err(permanent(
                        PermanentCode::NotAllowed,
                        "LinkedIn pubblica immagini solo caricate come file: Piazza non carica ancora i file, pubblica il post a mano",
                    ));
                }
                let text = need(&d.text, "post text")?;
                let text = match &d.link {
                    Some(l) if !text.contains(l.as_str()) => format!("{text}\n\n{l}"),
                    _ => text.to_string(),
                };
                if d.uncertain {
                    let (v, _) = self.call(
                        None,
                        "/rest/posts",
                        &[("q", "author"), ("author", &self.org), ("count", "20")],
                    )?;
                    if let Some(id) = v
                        .get("elements")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .find(|p| {
                            p.get("commentary").and_then(Value::as_str) == Some(text.as_str())
                                && p.get("id")
                                    .and_then(Value::as_str)
                                    .is_some_and(|i| !d.known_refs.iter().any(|k| k == i))
                        })
                        .and_then(|p| p.get("id").and_then(Value::as_str))
                    {
                        return Ok(Delivered {
                            platform_ref: Some(id.to_string()),
                            already: true,
                        });
                    }
                }
                let body = json!({
                    "author": self.org,
                    "commentary": text,
                    "visibility": "PUBLIC",
                    "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
                    "lifecycleState": "PUBLISHED",
                    "isReshareDisabledByAuthor": false,
                });
                let (_, created) = self.call(Some(&body), "/rest/posts", &[])?;
                Ok(Delivered {
                    platform_ref: created,
                    already: false,
                })
            }
            other => Err(permanent(
                PermanentCode::Unsupported,
                format!(
                    "operation `{}` is not available on LinkedIn",
                    other.as_str()
                ),
            )),
        }
    }

    fn fetch(&self, request: &FetchRequest) -> Result<FetchPage, Failure> {
        let (v, _) = self.call(
            None,
            "/rest/posts",
            &[("q", "author"), ("author", &self.org), ("count", POSTS)],
        )?;
        let mut page = FetchPage {
            done: true,
            ..FetchPage::default()
        };
        for p in v
            .get("elements")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(urn) = p.get("id").and_then(Value::as_str) else {
                continue;
            };
            let text = p
                .get("commentary")
                .and_then(Value::as_str)
                .map(str::to_string);
            page.posts.push(IncomingPost {
                external_id: urn.to_string(),
                text: text.clone(),
                url: Some(format!("https://www.linkedin.com/feed/update/{urn}")),
                published_at: p.get("createdAt").and_then(Value::as_i64),
            });
            for c in self.comments(urn)? {
                let actor = c.get("actor").and_then(Value::as_str).unwrap_or_default();
                if actor == self.org {
                    continue;
                }
                let (Some(id), Some(body)) = (Self::comment_id(&c), Self::text(&c)) else {
                    continue;
                };
                let created = c
                    .pointer("/created/time")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                if request.since.is_some_and(|s| created < s) {
                    continue;
                }
                page.events.push(IncomingEvent::Comment(IncomingComment {
                    external_id: id,
                    post_external_id: Some(urn.to_string()),
                    post_text: text.clone(),
                    parent_external_id: c
                        .get("parentComment")
                        .and_then(Value::as_str)
                        .and_then(|u| u.trim_end_matches(')').rsplit(',').next())
                        .map(str::to_string),
                    author_ref: Some(actor.to_string()),
                    // LinkedIn gives the member's URN, not a name: reading
                    // names needs another permission Piazza does not ask.
                    author_name: None,
                    text: body.to_string(),
                    created_at: created,
                }));
            }
        }
        Ok(page)
    }

    fn post(&self, _external_id: &str) -> Result<Option<IncomingPost>, Failure> {
        Ok(None)
    }

    /// LinkedIn does not tell a token's scopes: the check reads the
    /// organisation's posts (r_organization_social) and says what failed.
    fn check(&self) -> Result<ConnectionCheck, Failure> {
        match self.call(
            None,
            "/rest/posts",
            &[("q", "author"), ("author", &self.org), ("count", "1")],
        ) {
            // w_organization_social shows at the first answer or post.
            Ok(_) => Ok(ConnectionCheck {
                valid: true,
                account_name: Some(self.org.clone()),
                permissions: vec!["r_organization_social".into()],
                ..ConnectionCheck::default()
            }),
            Err(Failure::Permanent {
                code: code @ (PermanentCode::TokenInvalid | PermanentCode::PermissionMissing),
                message,
            }) => Ok(ConnectionCheck {
                valid: false,
                missing: if code == PermanentCode::PermissionMissing {
                    vec![MissingPermission {
                        permission: "r_organization_social".into(),
                        needed_for: vec![Operation::Reply],
                    }]
                } else {
                    Vec::new()
                },
                problems: vec![message],
                ..ConnectionCheck::default()
            }),
            Err(e) => Err(e),
        }
    }

    fn reads_by_pull(&self) -> bool {
        true
    }
}
