//! Administrative procedures (thủ tục hành chính) from the national portal's
//! files: its Excel export, the catalogue CSV, the details JSONL, or a JSON
//! array of [`Procedure`].
//!
//! Every source fills a [`ProcedureText`] with the text as published;
//! [`assemble`] parses what it can (tiers, agencies, channels, times, fees,
//! documents, steps, legal basis) and keeps the text beside it.

mod csv;
mod json;
mod jsonl;
mod xlsx;
#[cfg(test)]
mod xlsx_fixture;

use egov_domain::procedure::parse;
use egov_domain::text::clean;
use egov_domain::{
    Channel, OnlineMode, Procedure, ProcedureCode, ProcessingTime, SubmissionChannel,
};

use crate::{Format, ImportError};

/// Reads procedures; see the module documentation of each format:
///
/// * Xlsx: sheet "Danh sách TTHC" (or the first sheet), header row found by
///   its cells `Mã số`, `Tên`, `Cơ quan ban hành`, `Cơ quan thực hiện`, `Lĩnh vực`.
/// * Csv: `ma_thu_tuc, ten_thu_tuc, …, channels, processing_times, fees, detail_url`.
/// * JsonLines: one portal record per line (`ma_thu_tuc`, …, `submission_channels`).
/// * Json: an array of [`Procedure`] in its serde form.
pub fn read_procedures(bytes: &[u8], format: Format) -> Result<Vec<Procedure>, ImportError> {
    match format {
        Format::Xlsx => xlsx::read(bytes),
        Format::Csv => csv::read(bytes),
        Format::JsonLines => jsonl::read(bytes),
        Format::Json => json::read(bytes),
    }
}

/// A procedure's fields as published, before parsing.
#[derive(Debug, Default)]
pub(crate) struct ProcedureText {
    pub code: String,
    pub name: String,
    pub field: String,
    /// Levels (cấp thực hiện), "Cấp bộ, Cấp tỉnh".
    pub tiers: String,
    pub issuing_agency: String,
    pub competent_agency: String,
    pub implementing_agencies: String,
    pub applicants: String,
    pub decision: String,
    pub source_url: String,
    pub steps: String,
    pub documents: String,
    pub legal_basis: String,
    pub conditions: String,
    pub result: String,
    pub channels: Vec<SubmissionChannel>,
    /// Times published without a channel (the catalogue's distinct values).
    pub other_times: Vec<ProcessingTime>,
}

pub(crate) fn assemble(t: ProcedureText) -> Result<Procedure, String> {
    let code = ProcedureCode::parse(&t.code).map_err(|e| e.to_string())?;
    let mut p = Procedure::minimal(code, clean(&t.name), clean(&t.field));
    p.tiers = parse::tiers(&t.tiers).map_err(|e| e.to_string())?;
    p.issuing_agency = optional(&t.issuing_agency);
    p.competent_agency = optional(&t.competent_agency);
    p.implementing_agencies = parse::agencies(&t.implementing_agencies);
    p.online_mode = if t.channels.iter().any(|c| c.channel == Channel::Online) {
        // No source says "toàn trình", so an online channel is only known to be partial.
        OnlineMode::Partial
    } else {
        OnlineMode::NotOnline
    };
    let channel_times = t.channels.iter().filter_map(|c| c.processing_time);
    p.processing_time = parse::shortest_time(channel_times.chain(t.other_times.iter().copied()));
    p.channels = t.channels;
    p.required_documents = parse::required_documents(&t.documents);
    p.required_documents_text = published(&t.documents);
    p.steps = parse::steps(&t.steps);
    p.steps_text = published(&t.steps);
    p.legal_basis = parse::legal_basis(&t.legal_basis);
    p.legal_basis_text = published(&t.legal_basis);
    p.applicants = published(&t.applicants);
    p.conditions = published(&t.conditions);
    p.result = published(&t.result);
    p.decision = published(&t.decision);
    p.source_url = t.source_url.trim().to_owned();
    p.validate().map_err(|e| e.to_string())?;
    Ok(p)
}

/// One channel with its time and fees parsed from the published text.
pub(crate) fn submission_channel(
    channel: Channel,
    time: &str,
    fee: &str,
    description: &str,
) -> SubmissionChannel {
    SubmissionChannel {
        channel,
        processing_time: parse::processing_time(time),
        processing_time_text: published(time),
        fees: parse::fees(fee),
        fee_text: published(fee),
        description: published(description),
    }
}

/// The channel a published name stands for, or an error naming it.
pub(crate) fn channel_named(name: &str) -> Result<Channel, String> {
    parse::channel(name).ok_or_else(|| {
        format!(
            "`{}` is not a channel (Trực tiếp, Trực tuyến, Dịch vụ bưu chính)",
            name.trim()
        )
    })
}

/// Text as published; the portal's "Không có thông tin" (nothing published) is empty.
fn published(text: &str) -> String {
    if parse::is_no_information(text) {
        String::new()
    } else {
        parse::verbatim(text)
    }
}

fn optional(text: &str) -> Option<String> {
    Some(clean(text)).filter(|s| !parse::is_no_information(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use egov_domain::{Tier, TimeUnit, Vnd};

    fn text() -> ProcedureText {
        ProcedureText {
            code: "1.000236".into(),
            name: "Đăng ký tài khoản điện tử".into(),
            field: "Quản lý xuất nhập cảnh".into(),
            tiers: "Cấp bộ".into(),
            competent_agency: "Không có thông tin".into(),
            implementing_agencies: "Cục quản lý xuất nhập cảnh".into(),
            result: "Không có thông tin".into(),
            ..ProcedureText::default()
        }
    }

    #[test]
    fn assembles_structure_and_keeps_text() {
        let mut t = text();
        t.channels = vec![
            submission_channel(
                Channel::InPerson,
                "5 Ngày làm việc",
                "50,000 Việt Nam Đồng",
                "",
            ),
            submission_channel(Channel::Online, "3 Ngày làm việc", "Miễn phí", ""),
        ];
        let p = assemble(t).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.tiers, [Tier::Central]);
        assert_eq!(p.online_mode, OnlineMode::Partial);
        assert_eq!(
            p.processing_time,
            Some(ProcessingTime {
                amount: 3,
                unit: TimeUnit::WorkingDays
            })
        );
        assert_eq!(p.channels[0].fees[0].amount, Vnd(50_000));
        assert_eq!(p.channels[0].fee_text, "50,000 Việt Nam Đồng");
        assert_eq!(p.lowest_fee(), Some(Vnd(0)));
        assert_eq!(p.competent_agency, None);
        assert_eq!(p.result, "");
        assert_eq!(p.implementing_agencies, ["Cục quản lý xuất nhập cảnh"]);
    }

    #[test]
    fn without_online_channel_it_is_not_online() {
        let mut t = text();
        t.channels = vec![submission_channel(Channel::Post, "1", "", "")];
        let p = assemble(t).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.online_mode, OnlineMode::NotOnline);
        assert_eq!(p.processing_time, None);
        assert_eq!(p.channels[0].processing_time_text, "1");
    }

    #[test]
    fn bad_values_are_refused() {
        let mut t = text();
        t.code = "1.000 236".into();
        assert!(assemble(t).is_err_and(|e| e.starts_with("code")));
        let mut t = text();
        t.name = " ".into();
        assert!(assemble(t).is_err_and(|e| e.starts_with("name")));
        let mut t = text();
        t.tiers = "Cấp thôn".into();
        assert!(assemble(t).is_err_and(|e| e.starts_with("tiers")));
        assert!(channel_named("Fax").is_err_and(|e| e.contains("`Fax`")));
    }
}
