//! Extractors whose rejections are problem details that name the parameter.
//!
//! axum's own `Query`, `Path` and `Json` reject with plain text; these wrap or
//! replace them so that every refused input comes out as `application/problem+json`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use egov_domain::InvalidField;
use serde::de::DeserializeOwned;

use crate::problem::Problem;

/// Longest free-text query parameter accepted (in characters).
pub const MAX_TEXT: usize = 200;

/// The query string as name/value pairs, read once parameter at a time.
#[derive(Debug, Default)]
pub struct QueryReader {
    pairs: Vec<(String, String)>,
}

impl QueryReader {
    /// Parses the query of `uri`. A name given twice is refused.
    pub fn from_uri(uri: &Uri) -> Result<Self, Problem> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri).map_err(|_| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "/problems/invalid-parameter",
                "Invalid query string",
                "the query string is not valid form encoding",
            )
        })?;
        for (i, (name, _)) in pairs.iter().enumerate() {
            if pairs[..i].iter().any(|(n, _)| n == name) {
                return Err(Problem::parameter(name, "given more than once"));
            }
        }
        Ok(Self { pairs })
    }

    pub fn into_pairs(self) -> Vec<(String, String)> {
        self.pairs
    }

    /// Refuses any parameter whose name is not in `allowed`.
    pub fn deny_unknown(&self, allowed: &[&str]) -> Result<(), Problem> {
        match self
            .pairs
            .iter()
            .find(|(n, _)| !allowed.contains(&n.as_str()))
        {
            Some((name, _)) => Err(Problem::parameter(
                name,
                format!("unknown parameter; known ones are: {}", allowed.join(", ")),
            )),
            None => Ok(()),
        }
    }

    /// The raw value, trimmed; an empty value counts as absent.
    fn raw(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Free text of at most `max` characters.
    pub fn text(&self, name: &str, max: usize) -> Result<Option<String>, Problem> {
        match self.raw(name) {
            Some(v) if v.chars().count() > max => Err(Problem::parameter(
                name,
                format!("longer than {max} characters"),
            )),
            other => Ok(other.map(str::to_owned)),
        }
    }

    /// A whole number in `min..=max`.
    pub fn number(&self, name: &str, min: u32, max: u32) -> Result<Option<u32>, Problem> {
        let Some(raw) = self.raw(name) else {
            return Ok(None);
        };
        match raw.parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(Problem::parameter(
                name,
                format!(
                    "`{}` is not a whole number from {min} to {max}",
                    shorten(raw)
                ),
            )),
        }
    }

    /// A value read by a domain parser (`Tier::parse`, `Era::parse`…).
    pub fn parse<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, InvalidField>,
    ) -> Result<Option<T>, Problem> {
        match self.raw(name) {
            Some(raw) if raw.len() > MAX_TEXT => Err(Problem::parameter(
                name,
                format!("longer than {MAX_TEXT} characters"),
            )),
            Some(raw) => parse(raw)
                .map(Some)
                .map_err(|e| Problem::parameter(name, e.reason)),
            None => Ok(None),
        }
    }

    /// The 1-based page and the page size (`page`, `per_page`).
    pub fn paging(&self) -> Result<Paging, Problem> {
        let page = self.number("page", 1, Paging::MAX_PAGE)?.unwrap_or(1);
        let per_page = self
            .number("per_page", 1, Paging::MAX_PER_PAGE)?
            .unwrap_or(Paging::DEFAULT_PER_PAGE);
        Ok(Paging { page, per_page })
    }
}

/// Shortens a value quoted back in an error message.
fn shorten(value: &str) -> String {
    if value.chars().count() <= 40 {
        value.to_owned()
    } else {
        let head: String = value.chars().take(40).collect();
        format!("{head}…")
    }
}

/// A page request as people count pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Paging {
    pub const DEFAULT_PER_PAGE: u32 = 20;
    pub const MAX_PER_PAGE: u32 = 100;
    /// Deep pages cost the index memory; nobody reads page 1001.
    pub const MAX_PAGE: u32 = 1000;

    pub fn offset(self) -> u32 {
        (self.page - 1).saturating_mul(self.per_page)
    }

    pub fn request(self) -> egov_domain::PageRequest {
        egov_domain::PageRequest::new(self.offset(), self.per_page)
    }
}

/// Query parameters read strictly: unknown names and bad values are refused.
pub trait FromQuery: Sized {
    /// Every parameter name the endpoint knows.
    const NAMES: &'static [&'static str];
    fn from_query(query: &QueryReader) -> Result<Self, Problem>;
}

/// Strict query extractor for the JSON API.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: FromQuery, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = QueryReader::from_uri(&parts.uri)?;
        query.deny_unknown(T::NAMES)?;
        T::from_query(&query).map(ApiQuery)
    }
}

/// Path extractor whose rejection is a problem.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "/problems/invalid-parameter",
                "Invalid path parameter",
                rejection.body_text(),
            )),
        }
    }
}

/// JSON body extractor: 415 without a JSON content type, 413 when too large,
/// 400 for malformed JSON, 422 for JSON of the wrong shape.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(Problem::body(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as `Content-Type: application/json`",
            ));
        }
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(json_problem)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mime = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

fn json_problem(e: serde_json::Error) -> Problem {
    use serde_json::error::Category;
    match e.classify() {
        Category::Data => Problem::body(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
        Category::Syntax | Category::Eof | Category::Io => {
            Problem::body(StatusCode::BAD_REQUEST, format!("malformed JSON: {e}"))
        }
    }
}

/// The whole body as bytes, within the route's body limit (413 beyond it).
#[derive(Debug)]
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Bytes::from_request(req, state).await {
            Ok(bytes) => Ok(RawBody(bytes)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(Problem::body(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "the request body is larger than allowed here",
                ))
            }
            Err(rejection) => Err(Problem::body(
                StatusCode::BAD_REQUEST,
                rejection.body_text(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(q: &str) -> QueryReader {
        let uri: Uri = format!("/x?{q}").parse().unwrap();
        QueryReader::from_uri(&uri).unwrap()
    }

    fn parameter_of(p: Problem) -> String {
        p.errors[0].parameter.clone().unwrap()
    }

    #[test]
    fn unknown_and_duplicate_names_are_refused() {
        let err = reader("q=a&colour=red").deny_unknown(&["q"]).unwrap_err();
        assert_eq!(parameter_of(err), "colour");
        let uri: Uri = "/x?q=a&q=b".parse().unwrap();
        assert_eq!(parameter_of(QueryReader::from_uri(&uri).unwrap_err()), "q");
    }

    #[test]
    fn numbers_are_checked_against_their_range() {
        let r = reader("page=0&per_page=101&n=abc&ok=7");
        assert_eq!(parameter_of(r.number("page", 1, 10).unwrap_err()), "page");
        assert_eq!(
            parameter_of(r.number("per_page", 1, 100).unwrap_err()),
            "per_page"
        );
        assert_eq!(parameter_of(r.number("n", 1, 100).unwrap_err()), "n");
        assert_eq!(r.number("ok", 1, 100).unwrap(), Some(7));
        assert_eq!(r.number("absent", 1, 100).unwrap(), None);
    }

    #[test]
    fn text_is_trimmed_and_limited() {
        let long = "a".repeat(201);
        let r = reader(&format!("q=+x+&empty=&long={long}"));
        assert_eq!(r.text("q", 200).unwrap().as_deref(), Some("x"));
        assert_eq!(r.text("empty", 200).unwrap(), None);
        assert_eq!(parameter_of(r.text("long", 200).unwrap_err()), "long");
    }

    #[test]
    fn parsed_values_name_the_parameter_not_the_domain_field() {
        let r = reader("mode=sometimes");
        let err = r.parse("mode", egov_domain::OnlineMode::parse).unwrap_err();
        assert_eq!(parameter_of(err), "mode");
    }

    #[test]
    fn paging_defaults_and_offsets() {
        let p = reader("").paging().unwrap();
        assert_eq!((p.page, p.per_page, p.offset()), (1, 20, 0));
        let p = reader("page=3&per_page=10").paging().unwrap();
        assert_eq!(p.offset(), 20);
    }

    #[test]
    fn json_content_types() {
        let mut h = HeaderMap::new();
        assert!(!is_json(&h));
        h.insert(
            header::CONTENT_TYPE,
            "application/json; charset=utf-8".parse().unwrap(),
        );
        assert!(is_json(&h));
        h.insert(
            header::CONTENT_TYPE,
            "application/merge-patch+json".parse().unwrap(),
        );
        assert!(is_json(&h));
        h.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert!(!is_json(&h));
    }
}
