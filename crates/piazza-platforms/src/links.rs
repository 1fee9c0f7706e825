//! The comment a citizen's link points at. Citizens report a comment by
//! pasting the link their app gives them ("copia link"); each platform puts
//! the comment's id in a different place of it. Only the id is taken: the
//! desk matches it against the comments it holds, and a link it cannot read
//! is kept as it is for a person to open.
//!
//! ```
//! use piazza_platforms::links::comment_ref;
//! use piazza_taxonomy::Platform;
//!
//! let r = comment_ref("https://www.facebook.com/comune/posts/123?comment_id=456").unwrap();
//! assert_eq!((r.platform, r.id.as_str()), (Platform::Facebook, "456"));
//! assert!(comment_ref("https://www.comune.example.it/").is_none());
//! ```

use piazza_taxonomy::Platform;

/// A comment's id as a link shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRef {
    pub platform: Platform,
    /// The id as the link has it. Graph API ids of Facebook comments are
    /// `<post>_<comment>`, links show the second half: match both.
    pub id: String,
}

fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The platform and comment id of a link, when it names a comment.
pub fn comment_ref(link: &str) -> Option<CommentRef> {
    let link = link.trim();
    let rest = link
        .strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"))?;
    let (host_path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let query = query.split('#').next().unwrap_or("");
    let (host, path) = host_path.split_once('/').unwrap_or((host_path, ""));
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let host = host.strip_prefix("m.").unwrap_or(host);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let found = |platform, id: &str| {
        is_id(id).then(|| CommentRef {
            platform,
            id: id.to_string(),
        })
    };
    match host {
        "facebook.com" | "web.facebook.com" => {
            // A reply's link names both; the reply is the one meant.
            let id = query_param(query, "reply_comment_id")
                .or_else(|| query_param(query, "comment_id"))?;
            found(Platform::Facebook, id)
        }
        "instagram.com" => {
            // /p/<shortcode>/c/<comment id>/
            let at = segments.iter().position(|s| *s == "c")?;
            found(Platform::Instagram, segments.get(at + 1)?)
        }
        "youtube.com" | "youtu.be" => found(Platform::Youtube, query_param(query, "lc")?),
        "x.com" | "twitter.com" => {
            // /<user>/status/<id>: a reply is a post of its own.
            let at = segments.iter().position(|s| *s == "status")?;
            found(Platform::X, segments.get(at + 1)?)
        }
        "t.me" => found(Platform::Telegram, query_param(query, "comment")?),
        _ => {
            // Mastodon has no single host: /@user/<numeric id>.
            match segments.as_slice() {
                [user, id] if user.starts_with('@') && id.bytes().all(|b| b.is_ascii_digit()) => {
                    found(Platform::Mastodon, id)
                }
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_platform_puts_the_id_somewhere_else() {
        let cases = [
            (
                "https://m.facebook.com/story.php?story_fbid=1&id=2&comment_id=77&reply_comment_id=88",
                Platform::Facebook,
                "88",
            ),
            (
                "https://www.instagram.com/p/C1abcDEF/c/17999999999/",
                Platform::Instagram,
                "17999999999",
            ),
            (
                "https://www.youtube.com/watch?v=abc&lc=UgzABC-123",
                Platform::Youtube,
                "UgzABC-123",
            ),
            (
                "https://x.com/comune/status/1790000000000000000",
                Platform::X,
                "1790000000000000000",
            ),
            (
                "https://t.me/comune/120?comment=455",
                Platform::Telegram,
                "455",
            ),
            (
                "https://social.comune.it/@mario/112233445566",
                Platform::Mastodon,
                "112233445566",
            ),
        ];
        for (link, platform, id) in cases {
            let r = comment_ref(link).unwrap_or_else(|| panic!("{link}"));
            assert_eq!((r.platform, r.id.as_str()), (platform, id), "{link}");
        }
    }

    #[test]
    fn links_without_a_comment_or_with_odd_ids_are_not_read() {
        for link in [
            "https://www.facebook.com/comune/posts/123",
            "https://www.facebook.com/x?comment_id=1%27%20OR%201=1",
            "ftp://facebook.com/?comment_id=1",
            "commento di ieri sotto il post della sagra",
            "https://www.comune.example.it/notizie/1",
        ] {
            assert_eq!(comment_ref(link), None, "{link}");
        }
    }
}
