//! Administrative procedures (thủ tục hành chính) and their versions.
//!
//! A procedure is the legal recipe for one kind of administrative business
//! (e.g. `1.001612`, birth registration). The catalogue keeps every version:
//! editing a procedure creates a new [`ProcedureVersion`]; old ones stay readable.
//! Text that agencies publish (times, fees, documents) is parsed into structure
//! where possible and always kept verbatim beside it.

pub mod parse;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::{InvalidField, Vnd};

/// A procedure's code in the national database (mã thủ tục), e.g. `1.001612`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "1.001612")]
pub struct ProcedureCode(String);

impl ProcedureCode {
    /// Accepts 1–32 characters of letters, digits, `.`, `-` and `_`.
    pub fn parse(s: &str) -> Result<Self, InvalidField> {
        let s = s.trim();
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidField::new(
                "code",
                format!("`{s}` is not a procedure code (like 1.001612)"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProcedureCode {
    type Error = InvalidField;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ProcedureCode> for String {
    fn from(c: ProcedureCode) -> String {
        c.0
    }
}

impl std::fmt::Display for ProcedureCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The tier of government that carries a procedure out (cấp thực hiện).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// Cấp bộ / trung ương.
    Central,
    /// Cấp tỉnh.
    Province,
    /// Cấp huyện (before 1 July 2025).
    District,
    /// Cấp xã.
    Commune,
    /// Cơ quan khác.
    Other,
}

impl Tier {
    pub const ALL: [Tier; 5] = [
        Tier::Central,
        Tier::Province,
        Tier::District,
        Tier::Commune,
        Tier::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Central => "central",
            Tier::Province => "province",
            Tier::District => "district",
            Tier::Commune => "commune",
            Tier::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<Self, InvalidField> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                InvalidField::new(
                    "tier",
                    format!(
                        "`{s}` is not a tier; use central, province, district, commune or other"
                    ),
                )
            })
    }
}

/// How a procedure is offered online (Decree 42/2022, art. 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OnlineMode {
    /// Not offered online (information or forms only).
    NotOnline,
    /// Partly online (một phần).
    Partial,
    /// Fully online (toàn trình): filing, processing and result all online or by post.
    Full,
}

impl OnlineMode {
    pub const ALL: [OnlineMode; 3] = [OnlineMode::NotOnline, OnlineMode::Partial, OnlineMode::Full];

    pub fn as_str(self) -> &'static str {
        match self {
            OnlineMode::NotOnline => "not-online",
            OnlineMode::Partial => "partial",
            OnlineMode::Full => "full",
        }
    }

    pub fn parse(s: &str) -> Result<Self, InvalidField> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                InvalidField::new(
                    "online_mode",
                    format!("`{s}` is not an online mode; use not-online, partial or full"),
                )
            })
    }

    /// The mode real systems derive from the legacy level (mức độ 1–4).
    pub fn from_legacy_level(level: u8) -> OnlineMode {
        match level {
            4 => OnlineMode::Full,
            3 => OnlineMode::Partial,
            _ => OnlineMode::NotOnline,
        }
    }
}

/// The unit a processing time is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TimeUnit {
    WorkingDays,
    CalendarDays,
    Hours,
    Months,
}

/// A processing time: an amount in a unit. The published text is kept by the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProcessingTime {
    pub amount: u32,
    pub unit: TimeUnit,
}

/// A channel through which a dossier can be filed (cách thức thực hiện).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// Trực tiếp.
    InPerson,
    /// Trực tuyến.
    Online,
    /// Dịch vụ bưu chính.
    Post,
}

/// One fee or charge (phí, lệ phí) in integer VND.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Fee {
    /// What the amount is for ("Lệ phí", "Phí thẩm định"…); may be empty.
    pub label: String,
    pub amount: Vnd,
}

/// How a dossier is filed through one channel, with its time and fees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SubmissionChannel {
    pub channel: Channel,
    pub processing_time: Option<ProcessingTime>,
    /// Processing time as published ("5 Ngày làm việc").
    pub processing_time_text: String,
    /// Fees parsed from the text; empty when none could be parsed.
    pub fees: Vec<Fee>,
    /// Fees as published ("Lệ phí : 50.000 Đồng").
    pub fee_text: String,
    pub description: String,
}

/// One document the applicant must supply (thành phần hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RequiredDocument {
    pub name: String,
    /// Number of originals (bản chính).
    pub originals: u32,
    /// Number of copies (bản sao).
    pub copies: u32,
}

/// The content of a procedure: everything that is versioned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Procedure {
    pub code: ProcedureCode,
    pub name: String,
    /// Field (lĩnh vực), e.g. "Hộ tịch".
    pub field: String,
    /// Agency that issued the procedure (cơ quan ban hành), usually a ministry.
    #[serde(default)]
    pub issuing_agency: Option<String>,
    /// Competent agency (cơ quan có thẩm quyền).
    #[serde(default)]
    pub competent_agency: Option<String>,
    /// Implementing agencies as published (cơ quan thực hiện).
    #[serde(default)]
    pub implementing_agencies: Vec<String>,
    /// Codes of agencies in the agency tree that carry it out, where known.
    #[serde(default)]
    pub agency_codes: Vec<String>,
    /// Codes of current administrative units where the procedure is specific to
    /// a locality (empty: everywhere its tiers exist).
    #[serde(default)]
    pub admin_unit_codes: Vec<String>,
    pub tiers: Vec<Tier>,
    pub online_mode: OnlineMode,
    /// Legacy online level 1–4 (mức độ), where known.
    #[serde(default)]
    pub legacy_level: Option<u8>,
    /// The shortest processing time over the channels, in its unit.
    #[serde(default)]
    pub processing_time: Option<ProcessingTime>,
    #[serde(default)]
    pub channels: Vec<SubmissionChannel>,
    #[serde(default)]
    pub required_documents: Vec<RequiredDocument>,
    /// Required documents as published.
    #[serde(default)]
    pub required_documents_text: String,
    /// Steps (trình tự thực hiện), one entry per step.
    #[serde(default)]
    pub steps: Vec<String>,
    #[serde(default)]
    pub steps_text: String,
    /// Result (kết quả thực hiện).
    #[serde(default)]
    pub result: String,
    /// Legal basis (căn cứ pháp lý), one entry per instrument where it could be split.
    #[serde(default)]
    pub legal_basis: Vec<String>,
    #[serde(default)]
    pub legal_basis_text: String,
    /// Who may apply (đối tượng thực hiện).
    #[serde(default)]
    pub applicants: String,
    /// Conditions (yêu cầu, điều kiện).
    #[serde(default)]
    pub conditions: String,
    /// Decision that published it (số quyết định).
    #[serde(default)]
    pub decision: String,
    /// Where it was published (the national portal's page), if known.
    #[serde(default)]
    pub source_url: String,
}

impl Procedure {
    /// A procedure with just the fields every list has (code, name, field,
    /// agencies); everything else empty.
    pub fn minimal(code: ProcedureCode, name: String, field: String) -> Self {
        Self {
            code,
            name,
            field,
            issuing_agency: None,
            competent_agency: None,
            implementing_agencies: Vec::new(),
            agency_codes: Vec::new(),
            admin_unit_codes: Vec::new(),
            tiers: Vec::new(),
            online_mode: OnlineMode::NotOnline,
            legacy_level: None,
            processing_time: None,
            channels: Vec::new(),
            required_documents: Vec::new(),
            required_documents_text: String::new(),
            steps: Vec::new(),
            steps_text: String::new(),
            result: String::new(),
            legal_basis: Vec::new(),
            legal_basis_text: String::new(),
            applicants: String::new(),
            conditions: String::new(),
            decision: String::new(),
            source_url: String::new(),
        }
    }

    pub fn validate(&self) -> Result<(), InvalidField> {
        if self.name.trim().is_empty() {
            return Err(InvalidField::new("name", "must not be empty"));
        }
        if self.name.chars().count() > 2000 {
            return Err(InvalidField::new("name", "longer than 2000 characters"));
        }
        if let Some(level) = self.legacy_level {
            if !(1..=4).contains(&level) {
                return Err(InvalidField::new("legacy_level", "must be 1, 2, 3 or 4"));
            }
        }
        let negative_fee = self
            .channels
            .iter()
            .flat_map(|c| &c.fees)
            .any(|f| f.amount.0 < 0);
        if negative_fee {
            return Err(InvalidField::new("fees", "an amount cannot be negative"));
        }
        Ok(())
    }

    /// Whether the procedure charges nothing through any channel that lists fees.
    pub fn lowest_fee(&self) -> Option<Vnd> {
        self.channels
            .iter()
            .filter(|c| !c.fees.is_empty())
            .map(|c| Vnd(c.fees.iter().map(|f| f.amount.0).sum()))
            .min()
    }

    /// A stable fingerprint of the content: equal content, equal hash.
    /// Re-imports compare it to decide whether a new version is needed.
    pub fn content_hash(&self) -> String {
        // serde_json writes struct fields in declaration order, so equal
        // values serialise to equal bytes.
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(bytes))
    }
}

/// One stored version of a procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProcedureVersion {
    /// 1 for the first version, then counting up.
    pub version: u32,
    /// When this version was recorded (RFC 3339).
    #[schema(value_type = String)]
    pub recorded_at: jiff::Timestamp,
    pub content_hash: String,
    pub procedure: Procedure,
}

/// A version without its content, for listing a procedure's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VersionSummary {
    pub version: u32,
    #[schema(value_type = String)]
    pub recorded_at: jiff::Timestamp,
    pub content_hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn procedure() -> Procedure {
        Procedure::minimal(
            ProcedureCode::parse("1.001612").unwrap_or_else(|e| panic!("{e}")),
            "Thủ tục đăng ký khai sinh".into(),
            "Hộ tịch".into(),
        )
    }

    #[test]
    fn codes_are_validated() {
        assert!(ProcedureCode::parse("1.001612").is_ok());
        assert!(ProcedureCode::parse(" 2.000986 ").is_ok());
        assert!(ProcedureCode::parse("").is_err());
        assert!(ProcedureCode::parse("1.00 1612").is_err());
        assert!(ProcedureCode::parse(&"9".repeat(33)).is_err());
    }

    #[test]
    fn hash_changes_with_content_only() {
        let a = procedure();
        let mut b = procedure();
        assert_eq!(a.content_hash(), b.content_hash());
        b.result = "Giấy khai sinh".into();
        assert_ne!(a.content_hash(), b.content_hash());
    }

    #[test]
    fn validate_refuses_empty_name_and_bad_level() {
        let mut p = procedure();
        p.name = " ".into();
        assert_eq!(p.validate().map_err(|e| e.field), Err("name"));
        let mut p = procedure();
        p.legacy_level = Some(5);
        assert_eq!(p.validate().map_err(|e| e.field), Err("legacy_level"));
    }

    #[test]
    fn legacy_levels_map_to_modes() {
        assert_eq!(OnlineMode::from_legacy_level(4), OnlineMode::Full);
        assert_eq!(OnlineMode::from_legacy_level(3), OnlineMode::Partial);
        assert_eq!(OnlineMode::from_legacy_level(2), OnlineMode::NotOnline);
    }

    #[test]
    fn lowest_fee_takes_the_cheapest_channel() {
        let mut p = procedure();
        assert_eq!(p.lowest_fee(), None);
        let channel = |amounts: &[i64]| SubmissionChannel {
            channel: Channel::InPerson,
            processing_time: None,
            processing_time_text: String::new(),
            fees: amounts
                .iter()
                .map(|a| Fee {
                    label: String::new(),
                    amount: Vnd(*a),
                })
                .collect(),
            fee_text: String::new(),
            description: String::new(),
        };
        p.channels = vec![channel(&[50_000, 10_000]), channel(&[30_000])];
        assert_eq!(p.lowest_fee(), Some(Vnd(30_000)));
    }
}
