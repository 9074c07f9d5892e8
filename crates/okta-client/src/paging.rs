/*!
Paging: RFC 8288 `Link` headers (Okta sends one header per `rel`; proxies may join them with
commas) and IAM body paging (`_links.next.href`). Next URLs are followed exactly as given: they
carry opaque `after` cursors that must never be built or changed.
*/

use reqwest::header::HeaderMap;
use serde_json::Value;

/// One page of a paged collection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// The items of this page.
    pub items: Vec<Value>,
    /// The `next` URL to pass to the same method, or `None` on the last page.
    pub next: Option<String>,
}

/// One link of a `Link` header: the target and its relation types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    pub(crate) target: String,
    pub(crate) rels: Vec<String>,
}

/// Parses every `Link` header value; a value may hold several comma-separated links.
pub(crate) fn parse_links<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Link> {
    values.into_iter().flat_map(parse_link_value).collect()
}

fn parse_link_value(value: &str) -> Vec<Link> {
    let mut links = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close_offset) = rest[open..].find('>') else { break };
        let target = rest[open + 1..open + close_offset].trim().to_string();
        rest = &rest[open + close_offset + 1..];
        // Parameters run to the next link: the next comma outside quotes that precedes a '<'.
        let mut params_end = rest.len();
        let mut in_quotes = false;
        for (i, c) in rest.char_indices() {
            match c {
                '"' => in_quotes = !in_quotes,
                ',' if !in_quotes && rest[i + 1..].trim_start().starts_with('<') => {
                    params_end = i;
                    break;
                }
                _ => {}
            }
        }
        let params = &rest[..params_end];
        rest = &rest[params_end..];
        let mut rels = Vec::new();
        for param in split_params(params) {
            let Some((name, value)) = param.split_once('=') else { continue };
            if name.trim().eq_ignore_ascii_case("rel") {
                let value = value.trim().trim_matches('"');
                rels.extend(value.split_whitespace().map(|r| r.to_ascii_lowercase()));
            }
        }
        links.push(Link { target, rels });
    }
    links
}

/// Splits `; rel="next"; title="a;b"` on semicolons outside quotes.
fn split_params(params: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    for (i, c) in params.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => {
                out.push(&params[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&params[start..]);
    out.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect()
}

/// The `rel="next"` target among a response's `Link` headers.
pub(crate) fn next_from_headers(headers: &HeaderMap) -> Option<String> {
    let values: Vec<&str> = headers.get_all(reqwest::header::LINK).iter().filter_map(|v| v.to_str().ok()).collect();
    parse_links(values).into_iter().find(|l| l.rels.iter().any(|r| r == "next")).map(|l| l.target)
}

/// The `_links.next.href` of an IAM collection body.
pub(crate) fn next_from_body(body: &Value) -> Option<String> {
    body.pointer("/_links/next/href").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use serde_json::json;

    #[test]
    fn one_link_per_header_as_okta_sends_them() {
        let mut headers = HeaderMap::new();
        headers
            .append("link", HeaderValue::from_static("<https://acme.okta.com/api/v1/users?limit=200>; rel=\"self\""));
        headers.append(
            "link",
            HeaderValue::from_static("<https://acme.okta.com/api/v1/users?after=00u5xyz&limit=200>; rel=\"next\""),
        );
        assert_eq!(
            next_from_headers(&headers).as_deref(),
            Some("https://acme.okta.com/api/v1/users?after=00u5xyz&limit=200")
        );
    }

    #[test]
    fn comma_joined_links_in_one_header() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "link",
            HeaderValue::from_static(
                "<https://acme.okta.com/api/v1/groups?limit=2>; rel=\"self\", <https://acme.okta.com/api/v1/groups?after=a%2Cb&limit=2>; rel=\"next\"",
            ),
        );
        assert_eq!(
            next_from_headers(&headers).as_deref(),
            Some("https://acme.okta.com/api/v1/groups?after=a%2Cb&limit=2")
        );
    }

    #[test]
    fn unusual_but_valid_forms() {
        // Unquoted rel, several rels, other parameters with commas and semicolons inside quotes,
        // a comma inside the URL itself.
        let links = parse_links([
            r#"<https://x/a?q=1,2>; title="a, <b>; c"; rel=next, <https://x/b>; rel="prev last""#,
            "<https://x/c>;rel=\"NEXT\"",
        ]);
        assert_eq!(links.len(), 3);
        assert_eq!(links[0].target, "https://x/a?q=1,2");
        assert_eq!(links[0].rels, vec!["next"]);
        assert_eq!(links[1].rels, vec!["prev", "last"]);
        assert_eq!(links[2].rels, vec!["next"]);
    }

    #[test]
    fn no_next_on_the_last_page() {
        let mut headers = HeaderMap::new();
        headers.insert("link", HeaderValue::from_static("<https://acme.okta.com/api/v1/apps>; rel=\"self\""));
        assert_eq!(next_from_headers(&headers), None);
        assert_eq!(next_from_headers(&HeaderMap::new()), None);
        assert!(parse_links(["garbage", "<unterminated"]).is_empty());
    }

    #[test]
    fn body_paging_reads_links_next_href() {
        let body = json!({"roles": [], "_links": {"self": {"href": "s"}, "next": {"href": "https://x/api/v1/iam/roles?after=1"}}});
        assert_eq!(next_from_body(&body).as_deref(), Some("https://x/api/v1/iam/roles?after=1"));
        assert_eq!(next_from_body(&json!({"roles": [], "_links": {"self": {"href": "s"}}})), None);
        assert_eq!(next_from_body(&json!({"_links": {"next": {"href": ""}}})), None);
    }
}
