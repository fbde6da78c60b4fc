//! `multipart/form-data` bodies of the pages that upload files: the text
//! fields in order and the chosen files (an empty file input sends nothing
//! worth keeping and is dropped).

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Most parts a page form sends (the longest form, with its table rows).
const MAX_PARTS: usize = 1000;

/// A file chosen in a file input.
#[derive(Debug, Clone)]
pub struct FilePart {
    /// The input's name.
    pub name: String,
    pub file_name: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// A multipart form: text fields and files.
#[derive(Debug, Clone, Default)]
pub struct MultipartForm {
    pub texts: Vec<(String, String)>,
    pub files: Vec<FilePart>,
}

impl MultipartForm {
    /// The first value of `name`, as sent.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.texts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, trimmed; empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.raw(name).unwrap_or("").trim().to_owned()
    }

    /// The trimmed value, `None` when absent or empty.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|v| !v.is_empty())
    }

    /// The files chosen for the form's documents (inputs named
    /// `file.{key}`), with their keys, in the order sent.
    pub fn documents(&self) -> impl Iterator<Item = (&str, &FilePart)> {
        self.files
            .iter()
            .filter_map(|f| Some((f.name.strip_prefix("file.")?, f)))
    }
}

impl<S: Send + Sync> FromRequest<S> for MultipartForm {
    type Rejection = Response;

    /// A body that is not multipart is 415; an unreadable one 400; one over
    /// the route's limit 413 (bare statuses: the edge gives them a page).
    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let mut multipart = Multipart::from_request(req, state)
            .await
            .map_err(|_| StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response())?;
        let mut form = MultipartForm::default();
        let refused = |e: axum::extract::multipart::MultipartError| e.status().into_response();
        while let Some(field) = multipart.next_field().await.map_err(refused)? {
            if form.texts.len() + form.files.len() >= MAX_PARTS {
                return Err(StatusCode::BAD_REQUEST.into_response());
            }
            let name = field.name().unwrap_or("").to_owned();
            match field.file_name().map(str::to_owned) {
                Some(file_name) => {
                    let content_type = field.content_type().map(str::to_owned);
                    let bytes = field.bytes().await.map_err(refused)?;
                    if !(file_name.is_empty() && bytes.is_empty()) {
                        form.files.push(FilePart {
                            name,
                            file_name,
                            content_type,
                            bytes: bytes.to_vec(),
                        });
                    }
                }
                None => {
                    let value = field.text().await.map_err(refused)?;
                    form.texts.push((name, value));
                }
            }
        }
        Ok(form)
    }
}
