//! The portal's procedure details, one JSON object per line
//! (`tthc_details.jsonl`, fields as in shared/data/SOURCES.md §2).

use egov_domain::procedure::parse;
use egov_domain::{Channel, Procedure, SubmissionChannel};
use serde::Deserialize;

use super::{assemble, channel_named, submission_channel, ProcedureText};
use crate::input::{utf8, without_position};
use crate::ImportError;

/// One line of the file. Text fields may be missing or null.
#[derive(Debug, Deserialize)]
struct Record {
    ma_thu_tuc: String,
    ten_thu_tuc: String,
    #[serde(default)]
    source_agency: Option<String>,
    #[serde(default)]
    co_quan_ban_hanh: Option<String>,
    #[serde(default)]
    detail_url: Option<String>,
    #[serde(default)]
    so_quyet_dinh: Option<String>,
    #[serde(default)]
    cap_thuc_hien: Option<String>,
    #[serde(default)]
    linh_vuc: Option<String>,
    #[serde(default)]
    doi_tuong_thuc_hien: Option<String>,
    #[serde(default)]
    co_quan_co_tham_quyen: Option<String>,
    #[serde(default)]
    co_quan_thuc_hien: Option<String>,
    #[serde(default)]
    trinh_tu_thuc_hien: Option<String>,
    #[serde(default)]
    submission_channels: Option<Vec<RawChannel>>,
    /// The raw "Cách thức thực hiện" table, kept where it could not be parsed.
    #[serde(default)]
    cach_thuc_thuc_hien: Option<String>,
    #[serde(default)]
    thanh_phan_ho_so: Option<String>,
    #[serde(default)]
    can_cu_phap_ly: Option<String>,
    #[serde(default)]
    yeu_cau_dieu_kien: Option<String>,
    #[serde(default)]
    ket_qua_xu_ly: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawChannel {
    channel: String,
    #[serde(default)]
    processing_time: Option<String>,
    #[serde(default)]
    fee: Option<String>,
    #[serde(default)]
    description: Option<String>,
    /// Time and fee run together where the portal gave no unit ("1100 VNĐ").
    #[serde(default)]
    time_and_fee_unseparated: Option<String>,
}

pub(super) fn read(bytes: &[u8]) -> Result<Vec<Procedure>, ImportError> {
    let text = utf8(bytes)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let number = i as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let record: Record = serde_json::from_str(line)
            .map_err(|e| ImportError::line(number, without_position(&e)))?;
        let procedure = from_record(record).map_err(|reason| ImportError::line(number, reason))?;
        out.push(procedure);
    }
    Ok(out)
}

fn from_record(r: Record) -> Result<Procedure, String> {
    let text = |v: Option<String>| v.unwrap_or_default();
    let channels = match r.submission_channels {
        Some(raw) => raw
            .into_iter()
            .map(channel)
            .collect::<Result<Vec<_>, _>>()?,
        None => channels_named_in(r.cach_thuc_thuc_hien.as_deref().unwrap_or_default()),
    };
    assemble(ProcedureText {
        code: r.ma_thu_tuc,
        name: r.ten_thu_tuc,
        field: text(r.linh_vuc),
        tiers: text(r.cap_thuc_hien),
        issuing_agency: text(r.co_quan_ban_hanh.or(r.source_agency)),
        competent_agency: text(r.co_quan_co_tham_quyen),
        implementing_agencies: text(r.co_quan_thuc_hien),
        applicants: text(r.doi_tuong_thuc_hien),
        decision: text(r.so_quyet_dinh),
        source_url: text(r.detail_url),
        steps: text(r.trinh_tu_thuc_hien),
        documents: text(r.thanh_phan_ho_so),
        legal_basis: text(r.can_cu_phap_ly),
        conditions: text(r.yeu_cau_dieu_kien),
        result: text(r.ket_qua_xu_ly),
        channels,
        other_times: Vec::new(),
    })
}

fn channel(raw: RawChannel) -> Result<SubmissionChannel, String> {
    let channel = channel_named(&raw.channel).map_err(|e| format!("submission_channels: {e}"))?;
    let description = raw.description.unwrap_or_default();
    Ok(
        match raw
            .time_and_fee_unseparated
            .filter(|s| !s.trim().is_empty())
        {
            // "120VNĐ" may be 1 + 20 VNĐ or 120 VNĐ: keep the text, parse nothing.
            Some(glued) => SubmissionChannel {
                fee_text: glued.trim().to_owned(),
                ..submission_channel(channel, "", "", &description)
            },
            None => submission_channel(
                channel,
                raw.processing_time.as_deref().unwrap_or_default(),
                raw.fee.as_deref().unwrap_or_default(),
                &description,
            ),
        },
    )
}

/// Channels named in the raw table where it could not be parsed into rows:
/// which ones exist is known, their times and fees are not.
fn channels_named_in(raw: &str) -> Vec<SubmissionChannel> {
    let raw = parse::verbatim(raw);
    let mut found: Vec<(usize, Channel)> = [
        ("Trực tiếp", Channel::InPerson),
        ("Trực tuyến", Channel::Online),
        ("Dịch vụ bưu chính", Channel::Post),
    ]
    .into_iter()
    .filter_map(|(name, channel)| raw.find(name).map(|at| (at, channel)))
    .collect();
    found.sort_by_key(|(at, _)| *at);
    found
        .into_iter()
        .map(|(_, c)| submission_channel(c, "", "", ""))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use egov_domain::{OnlineMode, Tier, TimeUnit, Vnd};

    const LINE: &str = r#"{"ma_thu_tuc":"1.000236","ten_thu_tuc":"Đăng ký tài khoản điện tử","source_agency":"Bộ Công an","cap_thuc_hien":"Cấp bộ","linh_vuc":"Quản lý xuất nhập cảnh","co_quan_thuc_hien":"Cục quản lý xuất nhập cảnh","submission_channels":[{"channel":"Trực tuyến","processing_time":"3 Ngày làm việc","fee":"Miễn phí","description":""},{"channel":"Trực tiếp","processing_time":"3 Ngày làm việc","fee":"50,000 Việt Nam Đồng","description":"Nộp tại Cục"}],"thanh_phan_ho_so":"--Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai1 bản chính","can_cu_phap_ly":"Tên văn bản pháp lýMã văn bảnLuật Xuất cảnh49/2019/QH14","trinh_tu_thuc_hien":"Bước 1: Nộp\nBước 2: Nhận","ket_qua_xu_ly":"Tài khoản"}"#;

    fn read_text(text: &str) -> Result<Vec<Procedure>, String> {
        read(text.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_full_record() {
        let all = read_text(&format!("{LINE}\n\n")).unwrap_or_default();
        let p = &all[0];
        assert_eq!(p.code.as_str(), "1.000236");
        assert_eq!(p.issuing_agency.as_deref(), Some("Bộ Công an"));
        assert_eq!(p.tiers, [Tier::Central]);
        assert_eq!(p.online_mode, OnlineMode::Partial);
        assert_eq!(
            p.processing_time.map(|t| (t.amount, t.unit)),
            Some((3, TimeUnit::WorkingDays))
        );
        assert_eq!(p.channels[1].fees[0].amount, Vnd(50_000));
        assert_eq!(p.required_documents.len(), 1);
        assert_eq!(p.steps, ["Nộp", "Nhận"]);
        assert_eq!(p.legal_basis, ["Luật Xuất cảnh (49/2019/QH14)"]);
    }

    #[test]
    fn null_channels_fall_back_to_the_raw_table() {
        let line = r#"{"ma_thu_tuc":"1.009825","ten_thu_tuc":"Thủ tục","submission_channels":null,"cach_thuc_thuc_hien":"Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếpKhôngKhông có thông tinTrực tuyếnKhông"}"#;
        let all = read_text(line).unwrap_or_default();
        let channels: Vec<Channel> = all[0].channels.iter().map(|c| c.channel).collect();
        assert_eq!(channels, [Channel::InPerson, Channel::Online]);
    }

    #[test]
    fn glued_time_and_fee_is_kept_unparsed() {
        let line = r#"{"ma_thu_tuc":"1.000014","ten_thu_tuc":"Thủ tục","submission_channels":[{"channel":"Trực tiếp","processing_time":"","fee":"","time_and_fee_unseparated":"120VNĐ","description":"(20.000 vnđ /tờ khai)"}]}"#;
        let all = read_text(line).unwrap_or_default();
        let c = &all[0].channels[0];
        assert_eq!(
            (c.fee_text.as_str(), c.fees.len(), c.processing_time),
            ("120VNĐ", 0, None)
        );
    }

    #[test]
    fn errors_name_the_line() {
        let missing = format!("{LINE}\n{{\"ten_thu_tuc\":\"x\"}}\n");
        assert_eq!(
            read_text(&missing),
            Err("line 2: missing field `ma_thu_tuc`".into())
        );
        assert!(read_text(&format!("{LINE}\n\n{{oops\n"))
            .is_err_and(|e| e.starts_with("line 3: key must be a string")));
        let bad_channel = LINE.replace("\"Trực tiếp\"", "\"Fax\"");
        assert!(read_text(&bad_channel)
            .is_err_and(|e| e.starts_with("line 1: submission_channels: `Fax`")));
        let wrong_type = LINE.replace("\"Cấp bộ\"", "7");
        assert!(read_text(&wrong_type).is_err_and(|e| e.starts_with("line 1: invalid type")));
        let bad_code = LINE.replace("1.000236", "1 000236");
        assert!(read_text(&bad_code).is_err_and(|e| e.starts_with("line 1: code")));
        assert_eq!(
            read(b"\xff\n").map_err(|e| e.location),
            Err("line 1".into())
        );
    }
}
