//! Pulling posts and comments, one comments page per call, with the whole
//! resume state in an opaque cursor.
//!
//! The state is small JSON: where the posts list continues, the posts whose
//! comments are still to be read (the first is the current one, with its
//! text so that comments carry it), and where the current post's comments
//! continue. Each [`fetch`](crate::Connector::fetch) makes at most one
//! posts-list request (when no post is queued) and one comments request, so
//! the desk commits after every page and a run that stops anywhere resumes
//! from the last stored cursor without reading a page twice.
//!
//! Meta says not to store paging cursors for long (they expire): a cursor
//! too old to use makes Meta answer error 100, which the connector reports
//! as a permanent failure; the desk then starts a new pass without one.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::time;
use crate::connector::{Failure, PermanentCode};
use crate::incoming::{IncomingComment, IncomingEvent, IncomingPost};

const CURSOR_VERSION: u32 = 1;

/// A post whose comments are still to be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Queued {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Everything a pull needs to continue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FetchState {
    pub v: u32,
    /// Only posts from this instant on (ms), fixed for the whole pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
    /// The `after` cursor of the next posts-list page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posts_after: Option<String>,
    /// The posts list has been read to its end.
    #[serde(default)]
    pub posts_done: bool,
    #[serde(default)]
    pub queue: Vec<Queued>,
    /// The `after` cursor of the current post's next comments page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments_after: Option<String>,
}

impl FetchState {
    pub fn new(since: Option<i64>) -> FetchState {
        FetchState {
            v: CURSOR_VERSION,
            since,
            posts_after: None,
            posts_done: false,
            queue: Vec::new(),
            comments_after: None,
        }
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn decode(cursor: &str) -> Result<FetchState, Failure> {
        let bad = |why: String| Failure::Permanent {
            code: PermanentCode::Rejected,
            message: format!(
                "the stored Meta fetch cursor is unreadable ({why}): start a new pass"
            ),
        };
        let s: FetchState = serde_json::from_str(cursor).map_err(|e| bad(e.to_string()))?;
        if s.v != CURSOR_VERSION {
            return Err(bad(format!("version {}", s.v)));
        }
        Ok(s)
    }

    pub fn done(&self) -> bool {
        self.queue.is_empty() && self.posts_done
    }
}

/// `data` of a list answer (empty when absent), and the `after` cursor
/// when there is a next page (`paging.next` present).
pub(crate) fn list(v: &Value) -> (&[Value], Option<String>) {
    let data = v
        .get("data")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let paging = v.get("paging");
    let has_next = paging
        .and_then(|p| p.get("next"))
        .is_some_and(|n| n.as_str().is_some_and(|s| !s.is_empty()));
    let after = paging
        .and_then(|p| p.get("cursors"))
        .and_then(|c| c.get("after"))
        .and_then(Value::as_str)
        .filter(|a| !a.is_empty())
        .map(str::to_string);
    // An empty page with a `next` would loop for ever: treat it as the end.
    (
        data,
        if has_next && !data.is_empty() {
            after
        } else {
            None
        },
    )
}

pub(crate) fn str_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn time_field(v: &Value, key: &str) -> Option<i64> {
    match v.get(key)? {
        Value::String(s) => time::parse_iso_ms(s),
        Value::Number(n) => n.as_i64().and_then(time::unix_to_ms),
        _ => None,
    }
}

/// A Facebook post (`id,message,permalink_url,created_time`) or an
/// Instagram media (`id,caption,permalink,timestamp`).
pub(crate) fn post(v: &Value) -> Option<IncomingPost> {
    Some(IncomingPost {
        external_id: str_field(v, "id")?,
        text: str_field(v, "message").or_else(|| str_field(v, "caption")),
        url: str_field(v, "permalink_url").or_else(|| str_field(v, "permalink")),
        published_at: time_field(v, "created_time").or_else(|| time_field(v, "timestamp")),
    })
}

/// A comment of a Facebook `comments` edge or an Instagram `comments` /
/// `replies` edge, under `post`.
pub(crate) fn comment(v: &Value, post: &Queued, parent: Option<&str>) -> Option<IncomingComment> {
    let from = v.get("from");
    let author_ref = from.and_then(|f| str_field(f, "id"));
    let author_name = from
        .and_then(|f| str_field(f, "name").or_else(|| str_field(f, "username")))
        .or_else(|| str_field(v, "username"));
    let parent_external_id = v
        .get("parent")
        .and_then(|p| str_field(p, "id"))
        .or_else(|| str_field(v, "parent_id"))
        .or_else(|| parent.map(str::to_string))
        .filter(|p| *p != post.id);
    Some(IncomingComment {
        external_id: str_field(v, "id")?,
        post_external_id: Some(post.id.clone()),
        post_text: post.text.clone(),
        parent_external_id,
        author_ref,
        author_name,
        text: str_field(v, "message")
            .or_else(|| str_field(v, "text"))
            .unwrap_or_default(),
        created_at: time_field(v, "created_time")
            .or_else(|| time_field(v, "timestamp"))
            .unwrap_or_else(time::now_ms),
    })
}

/// The comments of one page of a comments edge, each followed by its
/// nested `replies` (Instagram).
pub(crate) fn comments(data: &[Value], post: &Queued) -> Vec<IncomingEvent> {
    let mut out = Vec::new();
    for c in data {
        let Some(top) = comment(c, post, None) else {
            continue;
        };
        let top_id = top.external_id.clone();
        out.push(IncomingEvent::Comment(top));
        if let Some(replies) = c.get("replies") {
            for r in list(replies).0 {
                if let Some(r) = comment(r, post, Some(&top_id)) {
                    out.push(IncomingEvent::Comment(r));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_cursor_round_trips_and_refuses_garbage() {
        let mut s = FetchState::new(Some(1_700_000_000_000));
        s.posts_after = Some("QVFI".into());
        s.queue.push(Queued {
            id: "1_2".into(),
            text: Some("Lavori in via \"Roma\"".into()),
        });
        s.comments_after = Some("MTA=".into());
        assert_eq!(FetchState::decode(&s.encode()).unwrap(), s);
        assert!(!s.done());
        for bad in ["", "{", "[]", r#"{"v":2}"#, r#"{"v":1,"queue":3}"#] {
            let e = FetchState::decode(bad).unwrap_err();
            assert!(e.is_permanent(), "{bad}");
        }
        assert!(
            FetchState::decode(r#"{"v":1,"posts_done":true}"#)
                .unwrap()
                .done()
        );
    }

    #[test]
    fn paging_follows_next_only() {
        let v = json!({"data":[{"id":"1"}],"paging":{"cursors":{"before":"b","after":"a"},"next":"https://x/?after=a"}});
        assert_eq!(list(&v).1.as_deref(), Some("a"));
        let v = json!({"data":[{"id":"1"}],"paging":{"cursors":{"before":"b","after":"a"}}});
        assert_eq!(list(&v).1, None);
        let v = json!({"data":[],"paging":{"cursors":{"after":"a"},"next":"n"}});
        assert_eq!(list(&v).1, None);
        assert_eq!(list(&json!({"x":1})).0.len(), 0);
    }

    #[test]
    fn comments_of_both_platforms() {
        let post = Queued {
            id: "P_1".into(),
            text: Some("post".into()),
        };
        let fb = json!([
            {"id":"1_10","message":"ciao","from":{"id":"U","name":"Giulia"},"created_time":"2024-01-15T10:00:00+0000"},
            {"id":"1_11","from":{"id":"U2","name":"Marco"},"created_time":"2024-01-15T10:01:00+0000","parent":{"id":"1_10"}}
        ]);
        let ev = comments(fb.as_array().unwrap(), &post);
        let IncomingEvent::Comment(a) = &ev[0] else {
            panic!()
        };
        assert_eq!(
            (
                a.text.as_str(),
                a.author_name.as_deref(),
                a.parent_external_id.as_deref(),
                a.created_at
            ),
            ("ciao", Some("Giulia"), None, 1_705_312_800_000)
        );
        assert_eq!(a.post_text.as_deref(), Some("post"));
        let IncomingEvent::Comment(b) = &ev[1] else {
            panic!()
        };
        assert_eq!(
            (b.text.as_str(), b.parent_external_id.as_deref()),
            ("", Some("1_10"))
        );

        let ig = json!([{"id":"17","text":"bello","username":"jane","from":{"id":"IG1","username":"jane"},
            "timestamp":"2024-01-15T10:00:00+0000","replies":{"data":[{"id":"18","text":"sì","username":"bob","timestamp":"2024-01-15T10:00:00+0000"}]}}]);
        let ev = comments(ig.as_array().unwrap(), &post);
        assert_eq!(ev.len(), 2);
        let IncomingEvent::Comment(r) = &ev[1] else {
            panic!()
        };
        assert_eq!(
            (
                r.parent_external_id.as_deref(),
                r.author_ref.as_deref(),
                r.author_name.as_deref()
            ),
            (Some("17"), None, Some("bob"))
        );
        assert!(comments(json!([{"message":"no id"}]).as_array().unwrap(), &post).is_empty());
    }
}
