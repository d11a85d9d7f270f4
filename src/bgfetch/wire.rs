//! The request the developer's server sees (spec section 2): URL checks, query parameters and
//! their encoding, and the URL as it may appear in messages (without its query: it can hold
//! the token).

use url::Url;

use super::{FetchType, WireNames};

/// The longest URL accepted (browsers and servers commonly stop at 8 KB).
pub const URL_MAX: usize = 8192;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum UrlError {
    #[error("{what} '{start}...': the URL is {len} bytes long; at most {URL_MAX} are allowed")]
    TooLong {
        what: String,
        start: String,
        len: usize,
    },
    #[error("{what} '{url}' is not a valid URL: {reason}")]
    Parse {
        what: String,
        url: String,
        reason: String,
    },
    #[error("{what} '{url}': only http and https URLs are allowed, not '{scheme}:'")]
    Scheme {
        what: String,
        url: String,
        scheme: String,
    },
}

/// Parses and checks a configured URL; `what` names it in errors (e.g. `--prefetch-url`).
/// Messages name a bad URL without what may be secret in it (userinfo, query).
pub fn check_url(what: &str, url: &str) -> Result<Url, UrlError> {
    if url.len() > URL_MAX {
        return Err(UrlError::TooLong {
            what: what.to_string(),
            start: display_url_str(url).chars().take(60).collect(),
            len: url.len(),
        });
    }
    let parsed = Url::parse(url.trim()).map_err(|e| UrlError::Parse {
        what: what.to_string(),
        url: display_url_str(url),
        reason: e.to_string(),
    })?;
    match parsed.scheme() {
        "http" | "https" if parsed.host_str().is_some_and(|h| !h.is_empty()) => Ok(parsed),
        "http" | "https" => Err(UrlError::Parse {
            what: what.to_string(),
            url: display_url(&parsed),
            reason: "no host".into(),
        }),
        other => Err(UrlError::Scheme {
            what: what.to_string(),
            url: display_url(&parsed),
            scheme: other.to_string(),
        }),
    }
}

/// A URL safe to print: scheme, host, port and path, no query, no userinfo, no fragment.
pub fn display_url(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}

/// Same as [`display_url`] for a string that may not parse: its query, fragment and
/// anything before an `@` in its authority are left out.
pub fn display_url_str(url: &str) -> String {
    if let Ok(u) = Url::parse(url) {
        return display_url(&u);
    }
    let head = url.split(['?', '#']).next().unwrap_or("");
    let (scheme, rest) = head.split_once("://").unwrap_or(("", head));
    let rest = match rest.split_once('/') {
        Some((authority, path)) => {
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            format!("{host}/{path}")
        }
        None => rest.rsplit_once('@').map_or(rest, |(_, h)| h).to_string(),
    };
    if scheme.is_empty() {
        rest
    } else {
        format!("{scheme}://{rest}")
    }
}

/// Everything that goes into the query (spec section 2's table).
#[derive(Debug, Clone)]
pub struct RequestParams<'a> {
    pub kind: FetchType,
    pub app_id: &'a str,
    pub token: Option<&'a str>,
    pub time_stamp: i64,
    pub app_version: &'a str,
    /// Launch page, query and scene: sent for `pre` only.
    pub path: &'a str,
    pub query: &'a str,
    pub scene: u32,
    pub wire: WireNames,
}

/// The configured URL with the parameters appended to its own query, which is kept.
/// Values are encoded by `application/x-www-form-urlencoded` rules.
pub fn request_url(base: &Url, p: &RequestParams<'_>) -> Url {
    let mut url = base.clone();
    url.set_fragment(None);
    let (app_id_name, time_stamp_name) = match p.wire {
        WireNames::Finclip => ("appId", "timeStamp"),
        WireNames::Wechat => ("appid", "timestamp"),
    };
    {
        let mut q = url.query_pairs_mut();
        q.append_pair(app_id_name, p.app_id);
        if let Some(token) = p.token {
            q.append_pair("token", token);
        }
        q.append_pair(time_stamp_name, &p.time_stamp.to_string());
        q.append_pair("customMiniprogramVersion", p.app_version);
        if p.kind == FetchType::Pre {
            q.append_pair("path", p.path);
            q.append_pair("query", p.query);
            q.append_pair("scene", &p.scene.to_string());
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(kind: FetchType) -> RequestParams<'static> {
        RequestParams {
            kind,
            app_id: "wx1",
            token: Some("t&k=n+/ 中"),
            time_stamp: 42,
            app_version: "devtool",
            path: "pages/a/a",
            query: "a=1&b=2",
            scene: 1001,
            wire: WireNames::Finclip,
        }
    }

    #[test]
    fn keeps_own_query_and_encodes_values() {
        let base = check_url("u", "http://h:1/p?x=1#frag").unwrap();
        let url = request_url(&base, &params(FetchType::Pre));
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs[0], ("x".into(), "1".into()));
        assert!(pairs.contains(&("token".into(), "t&k=n+/ 中".into())));
        assert!(pairs.contains(&("query".into(), "a=1&b=2".into())));
        assert!(url.fragment().is_none());
        assert!(!url.as_str().contains(' '));
    }

    #[test]
    fn periodic_has_no_launch_params_and_wechat_names() {
        let base = check_url("u", "https://h/p").unwrap();
        let mut p = params(FetchType::Periodic);
        p.wire = WireNames::Wechat;
        let url = request_url(&base, &p);
        let names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
        assert_eq!(
            names,
            ["appid", "token", "timestamp", "customMiniprogramVersion"]
        );
    }

    #[test]
    fn refuses_other_schemes_and_garbage() {
        assert!(matches!(
            check_url("u", "ftp://h/x"),
            Err(UrlError::Scheme { .. })
        ));
        assert!(matches!(
            check_url("u", "not a url"),
            Err(UrlError::Parse { .. })
        ));
        assert!(check_url("u", "http://").is_err());
    }

    #[test]
    fn display_drops_query_and_credentials() {
        let u = check_url("u", "https://user:pw@h/p?token=secret#f").unwrap();
        assert_eq!(display_url(&u), "https://h/p");
    }
}
