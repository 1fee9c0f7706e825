//! Webhook deliveries as Meta sends them, signed.
//!
//! Shapes: <https://developers.facebook.com/docs/graph-api/webhooks/getting-started>
//! (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`),
//! <https://developers.facebook.com/docs/graph-api/webhooks/reference/page/>
//! (`feed` with `item: comment`, in the shape of public typings, since the
//! reference types the value only as "object"),
//! <https://developers.facebook.com/docs/graph-api/webhooks/reference/instagram/>
//! and <https://developers.facebook.com/docs/instagram-platform/webhooks>
//! (`comments` values; Instagram Login puts `field`/`value` straight in the
//! entry).
//!
//! ```
//! use piazza_fakes::meta::webhook::{FeedComment, page_delivery, sign};
//!
//! let c = FeedComment::new("P1", "P1_10", "10_20", "U1", "Giulia", "Buongiorno");
//! let body = page_delivery("P1", 1_700_000_000, vec![c.change("add")]);
//! assert!(sign(b"app-secret", &body).starts_with("sha256="));
//! ```

use ring::hmac;
use serde_json::{Value, json};

pub(crate) fn hmac_hex(key: &[u8], msg: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    hex::encode(hmac::sign(&key, msg).as_ref())
}

/// The `X-Hub-Signature-256` value of a body: `sha256=<hex>`.
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    format!("sha256={}", hmac_hex(app_secret, body))
}

/// A comment on a Page post, as a `feed` change describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedComment {
    pub page_id: String,
    pub post_id: String,
    pub comment_id: String,
    /// The parent comment, for replies (`None`: the post is the parent).
    pub parent_id: Option<String>,
    pub from_id: String,
    pub from_name: String,
    /// `None` for photo-only comments.
    pub message: Option<String>,
    /// Unix seconds.
    pub created_time: i64,
}

impl FeedComment {
    pub fn new(
        page_id: &str,
        post_id: &str,
        comment_id: &str,
        from_id: &str,
        from_name: &str,
        message: &str,
    ) -> FeedComment {
        FeedComment {
            page_id: page_id.into(),
            post_id: post_id.into(),
            comment_id: comment_id.into(),
            parent_id: None,
            from_id: from_id.into(),
            from_name: from_name.into(),
            message: Some(message.into()),
            created_time: 1_700_000_000,
        }
    }

    /// The `changes[]` element for `verb` (`add`, `edited`, `remove`,
    /// `hide`, `unhide`); `remove` carries no message.
    pub fn change(&self, verb: &str) -> Value {
        let mut value = json!({
            "from": {"id": self.from_id, "name": self.from_name},
            "item": "comment",
            "verb": verb,
            "comment_id": self.comment_id,
            "post_id": self.post_id,
            "parent_id": self.parent_id.as_deref().unwrap_or(&self.post_id),
            "created_time": self.created_time,
            "post": {
                "id": self.post_id,
                "status_type": "mobile_status_update",
                "is_published": true,
                "permalink_url": format!("https://www.facebook.com/{}", self.post_id),
            },
        });
        if verb != "remove"
            && let Some(m) = &self.message
        {
            value["message"] = json!(m);
        }
        json!({"field": "feed", "value": value})
    }
}

/// A reaction on a post: a `feed` change that is not a comment.
pub fn feed_reaction(post_id: &str, from_id: &str) -> Value {
    json!({"field": "feed", "value": {
        "item": "reaction", "verb": "add", "reaction_type": "like",
        "post_id": post_id, "from": {"id": from_id, "name": "x"}, "created_time": 1_700_000_000
    }})
}

/// `{"object":"page","entry":[{"id","time","changes"}]}`.
pub fn page_delivery(page_id: &str, time: i64, changes: Vec<Value>) -> Vec<u8> {
    json!({"object": "page", "entry": [{"id": page_id, "time": time, "changes": changes}]})
        .to_string()
        .into_bytes()
}

/// A private message to a Page (`object: page`) or an Instagram account
/// (`object: instagram`), as the Messenger Platform's `messaging` webhook
/// describes it: `sender.id` is the person's page-scoped id, `timestamp`
/// in milliseconds; `is_echo` marks what the Page itself sent.
pub fn messaging_delivery(
    object: &str,
    account_id: &str,
    psid: &str,
    mid: &str,
    text: &str,
    timestamp_ms: i64,
    is_echo: bool,
) -> Vec<u8> {
    let (sender, recipient) = if is_echo {
        (account_id, psid)
    } else {
        (psid, account_id)
    };
    let mut message = json!({"mid": mid, "text": text});
    if is_echo {
        message["is_echo"] = json!(true);
    }
    json!({"object": object, "entry": [{"id": account_id, "time": timestamp_ms, "messaging": [
        {"sender": {"id": sender}, "recipient": {"id": recipient}, "timestamp": timestamp_ms, "message": message}
    ]}]})
    .to_string()
    .into_bytes()
}

/// An Instagram comment, as a `comments` value describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgComment {
    pub comment_id: String,
    pub media_id: String,
    pub parent_id: Option<String>,
    pub from_id: String,
    pub username: String,
    pub text: Option<String>,
    /// Write the id as `comment_id` (some of Meta's examples) instead of
    /// `id`.
    pub id_as_comment_id: bool,
}

impl IgComment {
    pub fn new(
        comment_id: &str,
        media_id: &str,
        from_id: &str,
        username: &str,
        text: &str,
    ) -> IgComment {
        IgComment {
            comment_id: comment_id.into(),
            media_id: media_id.into(),
            parent_id: None,
            from_id: from_id.into(),
            username: username.into(),
            text: Some(text.into()),
            id_as_comment_id: false,
        }
    }

    pub fn value(&self) -> Value {
        let mut v = json!({
            "from": {"id": self.from_id, "username": self.username},
            "media": {"id": self.media_id, "media_product_type": "FEED"},
        });
        v[if self.id_as_comment_id {
            "comment_id"
        } else {
            "id"
        }] = json!(self.comment_id);
        if let Some(p) = &self.parent_id {
            v["parent_id"] = json!(p);
        }
        if let Some(t) = &self.text {
            v["text"] = json!(t);
        }
        v
    }
}

/// How an Instagram delivery places its change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IgShape {
    /// `entry[].changes[]{field,value}` (Facebook Login).
    Changes,
    /// `entry[]{field,value}` (Instagram Login).
    Flat,
}

/// `{"object":"instagram","entry":[…]}` with one entry per value.
pub fn instagram_delivery(
    account_id: &str,
    time: i64,
    field: &str,
    values: &[Value],
    shape: IgShape,
) -> Vec<u8> {
    let entries: Vec<Value> = match shape {
        IgShape::Changes => vec![json!({
            "id": account_id, "time": time,
            "changes": values.iter().map(|v| json!({"field": field, "value": v})).collect::<Vec<_>>()
        })],
        IgShape::Flat => values
            .iter()
            .map(|v| json!({"id": account_id, "time": time, "field": field, "value": v}))
            .collect(),
    };
    json!({"object": "instagram", "entry": entries})
        .to_string()
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_the_rfc_4231_hmac() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn remove_has_no_message() {
        let c = FeedComment::new("P", "P_1", "1_2", "U", "N", "testo");
        assert_eq!(c.change("add")["value"]["message"], "testo");
        assert!(c.change("remove")["value"].get("message").is_none());
    }
}
