//! Attachments (tệp đính kèm) of a dossier: which files are accepted, how their
//! type is established (from the content, never from the name), their display
//! names, and the content hash they are stored under.
//!
//! Only PDF, JPEG and PNG are accepted. The file name's extension and the MIME
//! type the client declared must agree with what the content is: a `.pdf` that
//! is really a PNG, or a program named `.pdf`, is refused.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::InvalidField;

/// The type of an accepted attachment, established from its content.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum MediaType {
    Pdf,
    Jpeg,
    Png,
}

impl MediaType {
    /// Every accepted type.
    pub const ALL: [MediaType; 3] = [MediaType::Pdf, MediaType::Jpeg, MediaType::Png];

    /// The MIME type to serve the file with.
    pub fn as_mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
        }
    }

    /// The usual file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Pdf => "pdf",
            MediaType::Jpeg => "jpg",
            MediaType::Png => "png",
        }
    }

    /// The type a file name extension (without the dot, any case) stands for.
    pub fn from_extension(ext: &str) -> Option<MediaType> {
        match ext.to_ascii_lowercase().as_str() {
            "pdf" => Some(MediaType::Pdf),
            "jpg" | "jpeg" | "jpe" | "jfif" => Some(MediaType::Jpeg),
            "png" => Some(MediaType::Png),
            _ => None,
        }
    }

    /// The type a MIME type stands for (parameters and case ignored; the
    /// common non-standard aliases browsers send are accepted).
    pub fn from_mime(mime: &str) -> Option<MediaType> {
        match normalize_mime(mime).as_str() {
            "application/pdf" | "application/x-pdf" => Some(MediaType::Pdf),
            "image/jpeg" | "image/jpg" | "image/pjpeg" => Some(MediaType::Jpeg),
            "image/png" | "image/x-png" => Some(MediaType::Png),
            _ => None,
        }
    }
}

impl std::fmt::Display for MediaType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_mime())
    }
}

const PDF_MAGIC: &[u8] = b"%PDF-";
const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];
const PNG_MAGIC: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// The accepted type the content is, from its leading magic bytes; `None`
/// when it is none of them.
///
/// Deliberately strict: the signature must start the file (the `infer` crate
/// accepts `%PDF` anywhere in the first kilobyte, which lets other content
/// pass as PDF), and PNG needs its full eight-byte signature.
pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
    if bytes.starts_with(PDF_MAGIC) {
        Some(MediaType::Pdf)
    } else if bytes.starts_with(JPEG_MAGIC) {
        Some(MediaType::Jpeg)
    } else if bytes.starts_with(PNG_MAGIC) {
        Some(MediaType::Png)
    } else {
        None
    }
}

/// Why an uploaded file was refused. Each is the uploader's doing (a 4xx);
/// [`AttachmentRejected::code`] gives a stable code for responses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentRejected {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { limit: usize, size: usize },
    #[error("only PDF, JPEG and PNG files are accepted")]
    ForbiddenType,
    #[error("the file is declared as {declared} but its content is {}", actual_text(.actual))]
    TypeMismatch {
        /// What the name or the client said: `.ext` or a MIME type.
        declared: String,
        /// What the content is; `None` when it is none of the accepted types.
        actual: Option<MediaType>,
    },
}

fn actual_text(actual: &Option<MediaType>) -> &'static str {
    match actual {
        Some(MediaType::Pdf) => "PDF",
        Some(MediaType::Jpeg) => "JPEG",
        Some(MediaType::Png) => "PNG",
        None => "not PDF, JPEG or PNG",
    }
}

impl AttachmentRejected {
    /// A stable code for API responses and support.
    pub fn code(&self) -> &'static str {
        match self {
            AttachmentRejected::Empty => "attachment-empty",
            AttachmentRejected::TooLarge { .. } => "attachment-too-large",
            AttachmentRejected::ForbiddenType => "attachment-forbidden-type",
            AttachmentRejected::TypeMismatch { .. } => "attachment-type-mismatch",
        }
    }
}

/// MIME types that say nothing about the content: clients send them for any
/// file they cannot name.
const GENERIC_MIMES: &[&str] = &[
    "application/octet-stream",
    "binary/octet-stream",
    "application/x-download",
    "application/download",
    "application/force-download",
    "application/unknown",
];

/// Checks an uploaded file and returns its type, established from the content.
///
/// In order: not empty, not over `max_bytes`, then the content must be PDF,
/// JPEG or PNG, and both the name's extension (when it has one) and the
/// declared MIME type (when it is not a generic one such as
/// `application/octet-stream`) must agree with it. A file whose content is
/// not accepted but whose name or MIME type claims an accepted type is a
/// [`AttachmentRejected::TypeMismatch`] (it lies), otherwise a
/// [`AttachmentRejected::ForbiddenType`].
pub fn check_upload(
    declared_name: &str,
    declared_mime: Option<&str>,
    bytes: &[u8],
    max_bytes: usize,
) -> Result<MediaType, AttachmentRejected> {
    if bytes.is_empty() {
        return Err(AttachmentRejected::Empty);
    }
    if bytes.len() > max_bytes {
        return Err(AttachmentRejected::TooLarge {
            limit: max_bytes,
            size: bytes.len(),
        });
    }
    let name = safe_file_name(declared_name);
    let ext = extension_of(&name).map(str::to_ascii_lowercase);
    let mime = declared_mime
        .map(normalize_mime)
        .filter(|m| !m.is_empty() && !GENERIC_MIMES.contains(&m.as_str()));
    let actual = sniff(bytes);
    let Some(actual) = actual else {
        // Not an accepted type: lying if the name or MIME type claims one.
        if let Some(ext) = ext.filter(|e| MediaType::from_extension(e).is_some()) {
            return Err(AttachmentRejected::TypeMismatch {
                declared: format!(".{ext}"),
                actual: None,
            });
        }
        if let Some(mime) = mime.filter(|m| MediaType::from_mime(m).is_some()) {
            return Err(AttachmentRejected::TypeMismatch {
                declared: mime,
                actual: None,
            });
        }
        return Err(AttachmentRejected::ForbiddenType);
    };
    if let Some(ext) = ext {
        if MediaType::from_extension(&ext) != Some(actual) {
            return Err(AttachmentRejected::TypeMismatch {
                declared: format!(".{ext}"),
                actual: Some(actual),
            });
        }
    }
    if let Some(mime) = mime {
        if MediaType::from_mime(&mime) != Some(actual) {
            return Err(AttachmentRejected::TypeMismatch {
                declared: mime,
                actual: Some(actual),
            });
        }
    }
    Ok(actual)
}

/// `type/subtype` in lower case, without parameters; characters outside a
/// MIME token are dropped and the length is bounded (it may be echoed back).
fn normalize_mime(mime: &str) -> String {
    let essence = mime.split(';').next().unwrap_or_default().trim();
    essence
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "/.+-_".contains(*c))
        .take(100)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The extension of a file name, without the dot: after the last dot, 1 to
/// 10 ASCII letters or digits with at least one letter (so `Quyết định
/// 12.2024` has none).
fn extension_of(name: &str) -> Option<&str> {
    let (_, ext) = name.rsplit_once('.')?;
    let ok = (1..=10).contains(&ext.len())
        && ext.chars().all(|c| c.is_ascii_alphanumeric())
        && ext.chars().any(|c| c.is_ascii_alphabetic());
    ok.then_some(ext)
}

/// The longest display name [`safe_file_name`] returns, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 100;

/// The display name used when nothing is left of the given one.
pub const FALLBACK_FILE_NAME: &str = "tep-dinh-kem";

/// A file name that is safe to show and to put in a download header: NFC,
/// the last path component only (`/` and `\`), control and invisible
/// direction-changing characters removed (no `invoice\u{202E}fdp.exe`),
/// `<>:"|?*` replaced by `_`, runs of white space made one space, no leading
/// or trailing spaces or dots, at most [`MAX_FILE_NAME_CHARS`] characters
/// (the extension kept). Vietnamese letters are kept as they are.
pub fn safe_file_name(name: &str) -> String {
    let nfc: String = name.nfc().collect();
    let last = nfc.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut cleaned = String::with_capacity(last.len());
    let mut pending_space = false;
    for c in last.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if c.is_control() || is_invisible_format(c) {
            continue;
        }
        if pending_space && !cleaned.is_empty() {
            cleaned.push(' ');
        }
        pending_space = false;
        cleaned.push(if "<>:\"|?*".contains(c) { '_' } else { c });
    }
    let trimmed = trim_name(&cleaned);
    let name = if trimmed.chars().count() <= MAX_FILE_NAME_CHARS {
        trimmed.to_owned()
    } else {
        match extension_of(trimmed) {
            Some(ext) => {
                let stem = &trimmed[..trimmed.len() - ext.len() - 1];
                let keep = MAX_FILE_NAME_CHARS - ext.len() - 1;
                let stem: String = stem.chars().take(keep).collect();
                format!("{}.{ext}", trim_name(&stem))
            }
            None => {
                let cut: String = trimmed.chars().take(MAX_FILE_NAME_CHARS).collect();
                trim_name(&cut).to_owned()
            }
        }
    };
    if name.is_empty() {
        FALLBACK_FILE_NAME.to_owned()
    } else {
        name
    }
}

fn trim_name(s: &str) -> &str {
    s.trim_matches(|c: char| c == ' ' || c == '.')
}

/// Zero-width and bidirectional formatting characters, used to disguise a
/// file's real extension.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// The SHA-256 of a file's content, 64 lower-case hex digits: the name it is
/// stored under, so equal content is stored once.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(try_from = "String", into = "String")]
#[schema(
    value_type = String,
    example = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)]
pub struct ContentHash(String);

impl ContentHash {
    /// Hashes content.
    pub fn of(bytes: &[u8]) -> Self {
        Self(hex::encode(Sha256::digest(bytes)))
    }

    /// Accepts exactly 64 lower-case hex digits.
    pub fn parse(input: &str) -> Result<Self, InvalidField> {
        let ok = input.len() == 64
            && input
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if ok {
            Ok(Self(input.to_owned()))
        } else {
            Err(InvalidField::new(
                "content_hash",
                "is not 64 lower-case hex digits (SHA-256)",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ContentHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ContentHash {
    type Error = InvalidField;
    fn try_from(s: String) -> Result<Self, InvalidField> {
        Self::parse(&s)
    }
}

impl From<ContentHash> for String {
    fn from(h: ContentHash) -> String {
        h.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
    const JPEG: &[u8] = &[
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D,
    ];
    const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF";
    const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00";
    const MB: usize = 1024 * 1024;

    #[test]
    fn media_type_names() {
        assert_eq!(MediaType::Pdf.as_mime(), "application/pdf");
        assert_eq!(MediaType::Jpeg.as_mime(), "image/jpeg");
        assert_eq!(MediaType::Png.as_mime(), "image/png");
        assert_eq!(MediaType::Pdf.extension(), "pdf");
        assert_eq!(MediaType::Jpeg.extension(), "jpg");
        assert_eq!(MediaType::Png.extension(), "png");
        for t in MediaType::ALL {
            assert_eq!(MediaType::from_extension(t.extension()), Some(t));
            assert_eq!(MediaType::from_mime(t.as_mime()), Some(t));
        }
        assert_eq!(MediaType::from_extension("JPEG"), Some(MediaType::Jpeg));
        assert_eq!(MediaType::from_extension("gif"), None);
        assert_eq!(
            MediaType::from_mime("Image/JPG; charset=binary"),
            Some(MediaType::Jpeg)
        );
        assert_eq!(MediaType::from_mime("text/plain"), None);
    }

    #[test]
    fn media_type_serde_is_lowercase() {
        assert_eq!(serde_json::to_string(&MediaType::Pdf).unwrap(), "\"pdf\"");
        assert_eq!(serde_json::to_string(&MediaType::Jpeg).unwrap(), "\"jpeg\"");
        assert_eq!(
            serde_json::from_str::<MediaType>("\"png\"").unwrap(),
            MediaType::Png
        );
        assert!(serde_json::from_str::<MediaType>("\"gif\"").is_err());
    }

    #[test]
    fn sniff_reads_magic_bytes() {
        assert_eq!(sniff(PDF), Some(MediaType::Pdf));
        assert_eq!(sniff(JPEG), Some(MediaType::Jpeg));
        assert_eq!(sniff(PNG), Some(MediaType::Png));
        assert_eq!(sniff(EXE), None);
        assert_eq!(sniff(GIF), None);
        assert_eq!(sniff(b""), None);
        // Truncated signatures are not enough.
        assert_eq!(sniff(b"%PDF"), None);
        assert_eq!(sniff(&[0xFF, 0xD8]), None);
        assert_eq!(sniff(&PNG[..7]), None);
        // The signature must start the file.
        assert_eq!(sniff(b"<html><!-- %PDF-1.4 -->"), None);
    }

    #[test]
    fn accepts_files_whose_name_and_mime_agree_with_content() {
        assert_eq!(
            check_upload("Đơn đề nghị.pdf", Some("application/pdf"), PDF, MB),
            Ok(MediaType::Pdf)
        );
        assert_eq!(
            check_upload("CCCD mặt trước.JPG", Some("image/jpeg"), JPEG, MB),
            Ok(MediaType::Jpeg)
        );
        assert_eq!(
            check_upload("ảnh.jpeg", Some("image/pjpeg"), JPEG, MB),
            Ok(MediaType::Jpeg)
        );
        assert_eq!(check_upload("so-do.png", None, PNG, MB), Ok(MediaType::Png));
        // No extension, generic MIME: the content decides.
        assert_eq!(
            check_upload("scan", Some("application/octet-stream"), PNG, MB),
            Ok(MediaType::Png)
        );
        // A dotted number is not an extension.
        assert_eq!(
            check_upload("Quyết định 12.2024", Some(""), PDF, MB),
            Ok(MediaType::Pdf)
        );
    }

    #[test]
    fn refuses_empty_and_too_large_files() {
        assert_eq!(
            check_upload("a.pdf", None, b"", MB),
            Err(AttachmentRejected::Empty)
        );
        assert_eq!(
            check_upload("a.pdf", None, PDF, PDF.len()),
            Ok(MediaType::Pdf)
        );
        assert_eq!(
            check_upload("a.pdf", None, PDF, PDF.len() - 1),
            Err(AttachmentRejected::TooLarge {
                limit: PDF.len() - 1,
                size: PDF.len()
            })
        );
    }

    #[test]
    fn refuses_forbidden_content() {
        for (name, mime, bytes) in [
            ("setup.exe", None, EXE),
            ("anh.gif", Some("image/gif"), GIF),
            ("notes", Some("text/plain"), b"hello".as_slice()),
            ("no-name", None, b"\x00\x01\x02".as_slice()),
        ] {
            assert_eq!(
                check_upload(name, mime, bytes, MB),
                Err(AttachmentRejected::ForbiddenType),
                "{name}"
            );
        }
    }

    #[test]
    fn refuses_files_lying_about_their_type() {
        // A PNG named .pdf.
        assert_eq!(
            check_upload("hop-dong.pdf", Some("application/pdf"), PNG, MB),
            Err(AttachmentRejected::TypeMismatch {
                declared: ".pdf".into(),
                actual: Some(MediaType::Png)
            })
        );
        // A program named .pdf.
        assert_eq!(
            check_upload("hop-dong.PDF", None, EXE, MB),
            Err(AttachmentRejected::TypeMismatch {
                declared: ".pdf".into(),
                actual: None
            })
        );
        // A program declared as a PDF by MIME type only.
        assert_eq!(
            check_upload("hop-dong", Some("application/pdf"), EXE, MB),
            Err(AttachmentRejected::TypeMismatch {
                declared: "application/pdf".into(),
                actual: None
            })
        );
        // Right extension, wrong MIME type.
        assert_eq!(
            check_upload("anh.png", Some("image/jpeg"), PNG, MB),
            Err(AttachmentRejected::TypeMismatch {
                declared: "image/jpeg".into(),
                actual: Some(MediaType::Png)
            })
        );
        // A PDF named .exe, and a PNG named .gif.
        assert_eq!(
            check_upload("giay-to.exe", None, PDF, MB),
            Err(AttachmentRejected::TypeMismatch {
                declared: ".exe".into(),
                actual: Some(MediaType::Pdf)
            })
        );
        assert_eq!(
            check_upload("anh.gif", None, PNG, MB),
            Err(AttachmentRejected::TypeMismatch {
                declared: ".gif".into(),
                actual: Some(MediaType::Png)
            })
        );
        // The extension hidden behind a right-to-left override is still seen.
        assert_eq!(
            check_upload("invoice\u{202E}fdp.exe", None, PDF, MB),
            Err(AttachmentRejected::TypeMismatch {
                declared: ".exe".into(),
                actual: Some(MediaType::Pdf)
            })
        );
    }

    #[test]
    fn rejection_messages_and_codes() {
        let e = AttachmentRejected::TypeMismatch {
            declared: ".pdf".into(),
            actual: None,
        };
        assert_eq!(
            e.to_string(),
            "the file is declared as .pdf but its content is not PDF, JPEG or PNG"
        );
        assert_eq!(e.code(), "attachment-type-mismatch");
        let e = AttachmentRejected::TooLarge {
            limit: 10,
            size: 11,
        };
        assert_eq!(
            e.to_string(),
            "the file is 11 bytes, over the limit of 10 bytes"
        );
        assert_eq!(e.code(), "attachment-too-large");
        assert_eq!(AttachmentRejected::Empty.code(), "attachment-empty");
        assert_eq!(
            AttachmentRejected::ForbiddenType.code(),
            "attachment-forbidden-type"
        );
    }

    #[test]
    fn safe_file_name_strips_paths_and_controls() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Users\\An\\Đơn.pdf"), "Đơn.pdf");
        assert_eq!(safe_file_name("a\u{0}b\r\nc.pdf"), "ab c.pdf");
        assert_eq!(safe_file_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(safe_file_name("  báo   cáo\t.pdf.  "), "báo cáo .pdf");
        assert_eq!(safe_file_name("a\"b<c>|?*:.pdf"), "a_b_c_____.pdf");
        assert_eq!(safe_file_name(""), FALLBACK_FILE_NAME);
        assert_eq!(safe_file_name("../"), FALLBACK_FILE_NAME);
        assert_eq!(safe_file_name("\u{202E}\u{200B}"), FALLBACK_FILE_NAME);
        assert_eq!(safe_file_name(".."), FALLBACK_FILE_NAME);
    }

    #[test]
    fn safe_file_name_keeps_vietnamese_in_nfc() {
        let nfd = "Nguye\u{0302}\u{0303}n Va\u{0306}n A\u{0301}nh.png";
        let name = safe_file_name(nfd);
        assert_eq!(name, "Nguyễn Văn Ánh.png");
        assert_eq!(
            safe_file_name("Giấy chứng nhận quyền sử dụng đất.pdf"),
            "Giấy chứng nhận quyền sử dụng đất.pdf"
        );
    }

    #[test]
    fn safe_file_name_limits_length_and_keeps_extension() {
        let long = format!("{}.pdf", "đ".repeat(300));
        let name = safe_file_name(&long);
        assert_eq!(name.chars().count(), MAX_FILE_NAME_CHARS);
        assert!(name.ends_with("đ.pdf"), "{name}");
        let long = "ư".repeat(300);
        assert_eq!(safe_file_name(&long).chars().count(), MAX_FILE_NAME_CHARS);
    }

    #[test]
    fn content_hash_of_and_parse() {
        let empty = ContentHash::of(b"");
        assert_eq!(
            empty.as_str(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            ContentHash::of(b"abc").to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(ContentHash::parse(empty.as_str()), Ok(empty.clone()));
        assert!(ContentHash::parse(&empty.as_str().to_uppercase()).is_err());
        assert!(ContentHash::parse(&empty.as_str()[..63]).is_err());
        assert!(ContentHash::parse(&format!("{}0", empty.as_str())).is_err());
        assert!(ContentHash::parse(&"g".repeat(64)).is_err());
        assert!(ContentHash::parse("../../../../etc/passwd").is_err());
    }

    #[test]
    fn content_hash_serde_validates() {
        let h = ContentHash::of(b"x");
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(json, format!("\"{h}\""));
        assert_eq!(serde_json::from_str::<ContentHash>(&json).unwrap(), h);
        assert!(serde_json::from_str::<ContentHash>("\"abc\"").is_err());
    }
}
