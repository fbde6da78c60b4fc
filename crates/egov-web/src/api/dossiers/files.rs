//! Files in and out: `multipart/form-data` bodies read into memory within the
//! route's body limit, and downloads with a safe `Content-Disposition`.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use egov_domain::attachment::safe_file_name;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::problem::Problem;

/// Most parts a multipart body may have.
const MAX_PARTS: usize = 8;
/// Longest text part (a document key), in bytes.
const MAX_TEXT_PART: usize = 256;

/// One part of a `multipart/form-data` body.
#[derive(Debug)]
pub struct Part {
    pub name: String,
    /// The file name the client gave, for file parts.
    pub file_name: Option<String>,
    /// The part's declared `Content-Type`.
    pub content_type: Option<String>,
    pub bytes: Bytes,
}

/// A `multipart/form-data` body, read whole: 415 for another content type,
/// 413 beyond the route's body limit, 400 when it is malformed.
#[derive(Debug)]
pub struct MultipartBody(pub Vec<Part>);

impl<S: Send + Sync> FromRequest<S> for MultipartBody {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let is_multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            });
        if !is_multipart {
            return Err(Problem::body(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as `Content-Type: multipart/form-data`",
            ));
        }
        let mut multipart = Multipart::from_request(req, state)
            .await
            .map_err(|e| Problem::body(StatusCode::BAD_REQUEST, e.body_text()))?;
        let mut parts = Vec::new();
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) => return Err(multipart_problem(e.status(), e.body_text())),
            };
            if parts.len() == MAX_PARTS {
                return Err(Problem::body(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("at most {MAX_PARTS} parts"),
                ));
            }
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(str::to_owned);
            let bytes = field
                .bytes()
                .await
                .map_err(|e| multipart_problem(e.status(), e.body_text()))?;
            parts.push(Part {
                name,
                file_name,
                content_type,
                bytes,
            });
        }
        Ok(MultipartBody(parts))
    }
}

fn multipart_problem(status: StatusCode, text: String) -> Problem {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::body(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the request body is larger than allowed here",
        )
    } else {
        Problem::body(
            StatusCode::BAD_REQUEST,
            format!("malformed multipart body: {text}"),
        )
    }
}

impl MultipartBody {
    /// Refuses parts not named in `known` and names given twice (422).
    pub fn check_names(&self, known: &[&str]) -> Result<(), Problem> {
        for (i, part) in self.0.iter().enumerate() {
            if !known.contains(&part.name.as_str()) {
                return Err(Problem::field(
                    &part.name,
                    format!("unknown part; send {}", known.join(" and ")),
                ));
            }
            if self.0[..i].iter().any(|p| p.name == part.name) {
                return Err(Problem::field(&part.name, "given more than once"));
            }
        }
        Ok(())
    }

    /// Takes the part `name` out, or a 422 naming it.
    pub fn take(&mut self, name: &str) -> Result<Part, Problem> {
        match self.0.iter().position(|p| p.name == name) {
            Some(i) => Ok(self.0.swap_remove(i)),
            None => Err(Problem::field(name, "this part is required")),
        }
    }

    /// A required text part, trimmed.
    pub fn text(&mut self, name: &str) -> Result<String, Problem> {
        let part = self.take(name)?;
        if part.bytes.len() > MAX_TEXT_PART {
            return Err(Problem::field(
                name,
                format!("at most {MAX_TEXT_PART} bytes"),
            ));
        }
        let text = String::from_utf8(part.bytes.to_vec())
            .map_err(|_| Problem::field(name, "not UTF-8 text"))?;
        let text = text.trim();
        if text.is_empty() {
            return Err(Problem::field(name, "must not be empty"));
        }
        Ok(text.to_owned())
    }
}

/// Characters kept as they are in an RFC 5987 `ext-value` (`attr-char`).
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment` with the name made safe (no path, no control or
/// direction-changing characters), an ASCII `filename` for old clients and
/// the exact UTF-8 name in `filename*` (RFC 6266, RFC 5987).
pub fn content_disposition(name: &str) -> HeaderValue {
    let safe = safe_file_name(name);
    // Diacritics stripped (`fold` also lower-cases, so the case is put back).
    let ascii: String = safe
        .chars()
        .flat_map(|c| {
            let folded = egov_domain::text::fold(c.encode_utf8(&mut [0; 4]));
            if c.is_uppercase() {
                folded.to_uppercase()
            } else {
                folded
            }
            .chars()
            .collect::<Vec<_>>()
        })
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .-_()[]+,".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = utf8_percent_encode(&safe, ATTR_CHAR);
    let value = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A download: the stored media type, never sniffed, saved rather than shown.
pub fn download(bytes: Vec<u8>, content_type: &str, file_name: &str) -> Response {
    let content_type = HeaderValue::from_str(content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    (
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::CONTENT_DISPOSITION, content_disposition(file_name)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_names_are_kept_in_filename_star_and_folded_in_filename() {
        let value = content_disposition("Giấy khai sinh.pdf");
        assert!(content_disposition("Đơn.PDF")
            .to_str()
            .unwrap()
            .contains("filename=\"Don.PDF\""));
        let text = value.to_str().unwrap();
        assert!(
            text.starts_with("attachment; filename=\"Giay khai sinh.pdf\"; "),
            "{text}"
        );
        assert!(
            text.ends_with("filename*=UTF-8''Gi%E1%BA%A5y%20khai%20sinh.pdf"),
            "{text}"
        );
    }

    #[test]
    fn dangerous_names_are_defused() {
        let text = content_disposition("../../etc/pa\"ss\r\nwd\u{202E}fdp.exe")
            .to_str()
            .unwrap()
            .to_owned();
        assert!(!text.contains(".."), "{text}");
        assert!(!text.contains('/'), "{text}");
        assert!(!text.contains('\r') && !text.contains('\n'), "{text}");
        // The only quotes are the two around the ASCII name.
        assert_eq!(text.matches('"').count(), 2, "{text}");
        assert!(!text.contains("%E2%80%AE"), "bidi override kept: {text}");
    }

    #[test]
    fn an_empty_name_gets_the_fallback() {
        let text = content_disposition("").to_str().unwrap().to_owned();
        assert!(text.contains("tep-dinh-kem"), "{text}");
    }
}
