//! An administration's Flickr account (Torino keeps a Flickr group and
//! photostream), through the Flickr REST API with OAuth 1.0a signed calls
//! (<https://www.flickr.com/services/api/>).
//!
//! What the API allows on the account's own photos: read their comments
//! (`flickr.photos.comments.getList`), answer (`addComment`: Flickr's
//! comments are flat, the answer is a new comment on the photo) and delete
//! a comment (`deleteComment`; Flickr documents it for the authenticated
//! user and does not say that a photo's owner may delete other people's
//! comments: a refusal is reported as "not allowed" with that reason).
//! Hiding, banning and reporting have no API.
//!
//! Reading: the newest photos of the account (one page), their comments
//! since the last pull of this process (a fresh process reads the last
//! week, or from `--since`).

use std::sync::Mutex;
use std::time::Duration;

use piazza_taxonomy::Platform;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use serde::Deserialize;
use serde_json::Value;

use crate::capability::{Operation, Support};
use crate::common::{b64, need, network_kind, pct, permanent};
use crate::connector::{
    ConnectionCheck, Connector, Delivered, Delivery, Failure, FetchPage, FetchRequest,
    MissingPermission, PermanentCode,
};
use crate::incoming::{IncomingComment, IncomingEvent, IncomingPost};
use crate::secret::SecretString;

/// The REST endpoint.
pub const DEFAULT_REST_URL: &str = "https://www.flickr.com/services/rest/";

const TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_BODY: u64 = 8 * 1024 * 1024;
/// Photos whose comments each pull reads: the newest ones.
const PHOTOS: &str = "20";
const FIRST_WINDOW_S: i64 = 7 * 86_400;

/// What `piazza connect flickr` reads (JSON): the app's key and secret and
/// the account's OAuth 1.0a access token and token secret.
#[derive(Clone, Deserialize)]
pub struct FlickrCredentials {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub token: String,
    pub token_secret: String,
}

impl std::fmt::Debug for FlickrCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlickrCredentials")
            .field("consumer_key", &self.consumer_key)
            .finish_non_exhaustive()
    }
}

impl FlickrCredentials {
    pub fn parse(secret: &SecretString) -> Result<FlickrCredentials, String> {
        let c: FlickrCredentials = serde_json::from_str(secret.expose()).map_err(|_| {
            "le credenziali Flickr devono essere un JSON con consumer_key, consumer_secret, token e token_secret".to_string()
        })?;
        if [
            &c.consumer_key,
            &c.consumer_secret,
            &c.token,
            &c.token_secret,
        ]
        .iter()
        .any(|v| v.trim().is_empty())
        {
            return Err("nelle credenziali Flickr manca uno dei quattro valori".into());
        }
        Ok(c)
    }
}

/// One account.
#[derive(Debug, Clone)]
pub struct FlickrConnection {
    pub rest_url: String,
    /// The account's NSID (`12345678@N01`).
    pub user_id: String,
    pub credentials: FlickrCredentials,
}

/// The connector.
pub struct FlickrConnector {
    c: FlickrConnection,
    agent: ureq::Agent,
    /// Comments before this (unix seconds) were read by an earlier pull.
    known_until: Mutex<i64>,
}

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The OAuth 1.0a HMAC-SHA1 signature of a request.
pub fn oauth_signature(
    http_method: &str,
    url: &str,
    params: &[(String, String)],
    consumer_secret: &str,
    token_secret: &str,
) -> String {
    let mut pairs: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect();
    pairs.sort();
    let base = format!("{http_method}&{}&{}", pct(url), pct(&pairs.join("&")));
    let key = hmac::Key::new(
        hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        format!("{}&{}", pct(consumer_secret), pct(token_secret)).as_bytes(),
    );
    b64(hmac::sign(&key, base.as_bytes()).as_ref())
}

fn text_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    match v.get(key)? {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("_content").and_then(Value::as_str),
        _ => None,
    }
}

impl FlickrConnector {
    pub fn new(c: FlickrConnection) -> Result<FlickrConnector, String> {
        if !(c.rest_url.starts_with("https://") || c.rest_url.starts_with("http://")) {
            return Err(format!("`{}` non è un indirizzo http(s)", c.rest_url));
        }
        if c.user_id.is_empty()
            || !c
                .user_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'@')
        {
            return Err(format!(
                "`{}` non è l'NSID di un account Flickr (come 12345678@N01)",
                c.user_id
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
        Ok(FlickrConnector {
            c,
            agent,
            known_until: Mutex::new(now_s() - FIRST_WINDOW_S),
        })
    }

    /// One signed call; reads use GET, writes POST.
    fn call(&self, method: &str, args: &[(&str, &str)], write: bool) -> Result<Value, Failure> {
        let cred = &self.c.credentials;
        let mut nonce = [0u8; 16];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| Failure::Transient {
                message: "no system randomness for the OAuth nonce".into(),
                retry_after: None,
            })?;
        let mut params: Vec<(String, String)> = vec![
            ("method".into(), method.into()),
            ("format".into(), "json".into()),
            ("nojsoncallback".into(), "1".into()),
            ("oauth_consumer_key".into(), cred.consumer_key.clone()),
            ("oauth_nonce".into(), hex::encode(nonce)),
            ("oauth_signature_method".into(), "HMAC-SHA1".into()),
            ("oauth_timestamp".into(), now_s().to_string()),
            ("oauth_token".into(), cred.token.clone()),
            ("oauth_version".into(), "1.0".into()),
        ];
        params.extend(args.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let http = if write { "POST" } else { "GET" };
        let signature = oauth_signature(
            http,
            &self.c.rest_url,
            &params,
            &cred.consumer_secret,
            &cred.token_secret,
        );
        params.push(("oauth_signature".into(), signature));
        let pairs = params.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let result = if write {
            self.agent.post(&self.c.rest_url).send_form(pairs)
        } else {
            self.agent.get(&self.c.rest_url).query_pairs(pairs).call()
        };
        let mut res = result.map_err(|e| Failure::Transient {
            message: format!("Flickr did not answer ({})", network_kind(&e)),
            retry_after: None,
        })?;
        let status = res.status().as_u16();
        if status == 429 {
            return Err(Failure::RateLimited {
                message: "Flickr: too many calls (3,600 an hour per key)".into(),
                retry_after: Duration::from_secs(300),
            });
        }
        let v: Value = res
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| Failure::Transient {
                message: format!("Flickr {method}: HTTP {status}, the answer is not JSON"),
                retry_after: None,
            })?;
        if v.get("stat").and_then(Value::as_str) == Some("ok") {
            return Ok(v);
        }
        let code = v.get("code").and_then(Value::as_i64).unwrap_or(0);
        let said = format!(
            "Flickr {method} {code}: {}",
            v.get("message")
                .and_then(Value::as_str)
                .unwrap_or("no message")
        );
        Err(match code {
            96 | 97 | 98 | 100 => permanent(
                PermanentCode::TokenInvalid,
                format!(
                    "{said}; il titolare dell'account deve autorizzare di nuovo l'app e l'account va ricollegato"
                ),
            ),
            99 if method == "flickr.photos.comments.deleteComment" => permanent(
                PermanentCode::NotAllowed,
                format!(
                    "{said}; Flickr non consente di cancellare questo commento con l'API: va rimosso dal sito, a mano"
                ),
            ),
            99 => permanent(
                PermanentCode::PermissionMissing,
                format!("{said}; serve un token con il permesso write (o delete)"),
            ),
            1 | 2 => permanent(PermanentCode::ObjectGone, said),
            105 | 0 => Failure::Transient {
                message: said,
                retry_after: None,
            },
            _ => permanent(PermanentCode::Rejected, said),
        })
    }

    fn comments(&self, photo: &str, since: i64) -> Result<Vec<Value>, Failure> {
        let since = since.to_string();
        let v = self.call(
            "flickr.photos.comments.getList",
            &[("photo_id", photo), ("min_comment_date", &since)],
            false,
        )?;
        Ok(v.pointer("/comments/comment")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }
}

impl Connector for FlickrConnector {
    fn platform(&self) -> Platform {
        Platform::Flickr
    }

    fn deliver(&self, d: &Delivery) -> Result<Delivered, Failure> {
        let op = d.op()?;
        if let Support::No(why) = self.capabilities().support(op) {
            return Err(permanent(PermanentCode::Unsupported, why));
        }
        match op {
            Operation::Delete => {
                let id = need(&d.comment_external_id, "comment id")?;
                match self.call(
                    "flickr.photos.comments.deleteComment",
                    &[("comment_id", id)],
                    true,
                ) {
                    Ok(_) => Ok(Delivered::default()),
                    Err(Failure::Permanent {
                        code: PermanentCode::ObjectGone,
                        ..
                    }) if d.uncertain => Ok(Delivered {
                        platform_ref: None,
                        already: true,
                    }),
                    Err(e) => Err(e),
                }
            }
            Operation::Reply => {
                let photo = need(&d.post_external_id, "photo id")?;
                let text = need(&d.text, "reply text")?;
                if d.uncertain {
                    let found = self
                        .comments(photo, 0)?
                        .into_iter()
                        .find(|c| {
                            text_at(c, "author") == Some(self.c.user_id.as_str())
                                && c.get("_content").and_then(Value::as_str) == Some(text.trim())
                                && text_at(c, "id")
                                    .is_some_and(|i| !d.known_refs.iter().any(|k| k == i))
                        })
                        .and_then(|c| text_at(&c, "id").map(str::to_string));
                    if let Some(id) = found {
                        return Ok(Delivered {
                            platform_ref: Some(id),
                            already: true,
                        });
                    }
                }
                let v = self.call(
                    "flickr.photos.comments.addComment",
                    &[("photo_id", photo), ("comment_text", text)],
                    true,
                )?;
                Ok(Delivered {
                    platform_ref: v
                        .pointer("/comment/id")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    already: false,
                })
            }
            Operation::Publish => Err(permanent(
                PermanentCode::NotAllowed,
                "su Flickr si pubblicano foto caricate come file: Piazza non carica ancora i file, pubblica a mano",
            )),
            other => Err(permanent(
                PermanentCode::Unsupported,
                format!("operation `{}` is not available on Flickr", other.as_str()),
            )),
        }
    }

    fn fetch(&self, request: &FetchRequest) -> Result<FetchPage, Failure> {
        let since = request
            .since
            .map(|s| s / 1000)
            .unwrap_or_else(|| *self.known_until.lock().unwrap_or_else(|e| e.into_inner()));
        let started = now_s();
        let v = self.call(
            "flickr.people.getPhotos",
            &[
                ("user_id", "me"),
                ("extras", "date_upload"),
                ("per_page", PHOTOS),
            ],
            false,
        )?;
        let photos = v
            .pointer("/photos/photo")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut page = FetchPage {
            done: true,
            ..FetchPage::default()
        };
        for p in &photos {
            let Some(id) = text_at(p, "id") else { continue };
            let title = text_at(p, "title").unwrap_or_default().to_string();
            page.posts.push(IncomingPost {
                external_id: id.to_string(),
                text: Some(title.clone()).filter(|t| !t.is_empty()),
                url: Some(format!(
                    "https://www.flickr.com/photos/{}/{id}",
                    self.c.user_id
                )),
                published_at: text_at(p, "dateupload")
                    .and_then(|d| d.parse::<i64>().ok())
                    .map(|d| d * 1000),
            });
            for c in self.comments(id, since)? {
                let author = text_at(&c, "author").unwrap_or_default();
                if author == self.c.user_id {
                    continue;
                }
                let (Some(cid), Some(text)) =
                    (text_at(&c, "id"), c.get("_content").and_then(Value::as_str))
                else {
                    continue;
                };
                page.events.push(IncomingEvent::Comment(IncomingComment {
                    external_id: cid.to_string(),
                    post_external_id: Some(id.to_string()),
                    post_text: Some(title.clone()).filter(|t| !t.is_empty()),
                    parent_external_id: None,
                    author_ref: Some(author.to_string()),
                    author_name: text_at(&c, "authorname").map(str::to_string),
                    text: text.to_string(),
                    created_at: text_at(&c, "datecreate")
                        .and_then(|d| d.parse::<i64>().ok())
                        .map_or(0, |d| d * 1000),
                }));
            }
        }
        // A minute of overlap for comments Flickr shows late.
        *self.known_until.lock().unwrap_or_else(|e| e.into_inner()) = started - 60;
        Ok(page)
    }

    fn post(&self, _external_id: &str) -> Result<Option<IncomingPost>, Failure> {
        Ok(None)
    }

    fn check(&self) -> Result<ConnectionCheck, Failure> {
        let v = match self.call("flickr.auth.oauth.checkToken", &[], false) {
            Ok(v) => v,
            Err(Failure::Permanent {
                code: PermanentCode::TokenInvalid,
                message,
            }) => {
                return Ok(ConnectionCheck {
                    valid: false,
                    problems: vec![message],
                    ..ConnectionCheck::default()
                });
            }
            Err(e) => return Err(e),
        };
        let perms = v
            .pointer("/oauth/perms/_content")
            .and_then(Value::as_str)
            .unwrap_or("none")
            .to_string();
        let nsid = v.pointer("/oauth/user/nsid").and_then(Value::as_str);
        let mut check = ConnectionCheck {
            valid: true,
            permissions: vec![perms.clone()],
            account_name: v
                .pointer("/oauth/user/username")
                .and_then(Value::as_str)
                .map(str::to_string),
            ..ConnectionCheck::default()
        };
        if !matches!(perms.as_str(), "write" | "delete") {
            check.missing.push(MissingPermission {
                permission: "write".into(),
                needed_for: vec![Operation::Reply, Operation::Delete],
            });
        }
        if nsid != Some(self.c.user_id.as_str()) {
            check.problems.push(format!(
                "il token è dell'account {} e non dell'account {} collegato",
                nsid.unwrap_or("(nessuno)"),
                self.c.user_id
            ));
        }
        check.valid = check.missing.is_empty() && check.problems.is_empty();
        Ok(check)
    }

    fn reads_by_pull(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_follows_oauth_1() {
        // RFC 5849, section 3.4.1's percent-encoding and base string.
        assert_eq!(pct("Ladies + Gentlemen"), "Ladies%20%2B%20Gentlemen");
        assert_eq!(pct("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(b64(b"hello"), "aGVsbG8=");
        let a = oauth_signature(
            "GET",
            "https://x/",
            &[("b".into(), "2".into()), ("a".into(), "1".into())],
            "cs",
            "ts",
        );
        let b = oauth_signature(
            "GET",
            "https://x/",
            &[("a".into(), "1".into()), ("b".into(), "2".into())],
            "cs",
            "ts",
        );
        assert_eq!(a, b, "parameters are sorted");
        assert_ne!(a, oauth_signature("POST", "https://x/", &[], "cs", "ts"));
    }
}
