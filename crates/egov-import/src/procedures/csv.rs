//! The procedure catalogue CSV (`tthc_catalogue.csv`): one row per procedure,
//! with channels, times and fees as distinct values joined by " | ".

use egov_domain::procedure::parse;
use egov_domain::{Procedure, SubmissionChannel};

use super::{assemble, channel_named, submission_channel, ProcedureText};
use crate::input::Table;
use crate::ImportError;

pub(super) fn read(bytes: &[u8]) -> Result<Vec<Procedure>, ImportError> {
    let table = Table::read(bytes)?;
    table.require(&["ma_thu_tuc", "ten_thu_tuc"])?;
    table
        .rows
        .iter()
        .map(|(line, r)| {
            let cell = |c: &str| table.get(r, c).unwrap_or_default().to_owned();
            let channels = channels(&cell("channels"), &cell("processing_times"), &cell("fees"))
                .map_err(|reason| ImportError::line(*line, reason))?;
            let other_times = split(&cell("processing_times"))
                .filter_map(parse::processing_time)
                .collect();
            let text = ProcedureText {
                code: cell("ma_thu_tuc"),
                name: cell("ten_thu_tuc"),
                field: cell("linh_vuc"),
                tiers: cell("cap_thuc_hien"),
                issuing_agency: Some(cell("co_quan_ban_hanh"))
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| cell("source_agency")),
                competent_agency: cell("co_quan_co_tham_quyen"),
                implementing_agencies: cell("co_quan_thuc_hien"),
                applicants: cell("doi_tuong_thuc_hien"),
                decision: cell("so_quyet_dinh"),
                source_url: cell("detail_url"),
                channels,
                other_times,
                ..ProcedureText::default()
            };
            assemble(text).map_err(|reason| ImportError::line(*line, reason))
        })
        .collect()
}

fn split(joined: &str) -> impl Iterator<Item = &str> {
    joined.split(" | ").map(str::trim).filter(|s| !s.is_empty())
}

/// The catalogue lists channels, times and fees separately. A time or fee
/// that is the only one given applies to every channel; several distinct
/// ones cannot be matched to channels, so each channel keeps them all as text.
fn channels(names: &str, times: &str, fees: &str) -> Result<Vec<SubmissionChannel>, String> {
    let one = |joined: &str| split(joined).count() <= 1;
    split(names)
        .map(|name| {
            let channel = channel_named(name).map_err(|e| format!("channels: {e}"))?;
            let time = if one(times) { times } else { "" };
            let fee = if one(fees) { fees } else { "" };
            let mut c = submission_channel(channel, time, fee, "");
            if !one(times) {
                c.processing_time_text = times.trim().to_owned();
            }
            if !one(fees) {
                c.fee_text = fees.trim().to_owned();
            }
            Ok(c)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use egov_domain::{Channel, OnlineMode, Tier, TimeUnit, Vnd};

    const HEADER: &str = "ma_thu_tuc,ten_thu_tuc,source_agency,co_quan_ban_hanh,linh_vuc,cap_thuc_hien,loai_thu_tuc,doi_tuong_thuc_hien,co_quan_co_tham_quyen,co_quan_thuc_hien,so_quyet_dinh,channels,processing_times,fees,detail_url\n";

    fn read_text(text: &str) -> Result<Vec<Procedure>, String> {
        read(text.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn one_time_and_fee_apply_to_every_channel() {
        let text = format!("{HEADER}1.000236,Đăng ký tài khoản điện tử,Bộ Công an,Bộ Công an,Quản lý xuất nhập cảnh,Cấp bộ,TTHC,\"Doanh nghiệp, Hợp tác xã\",Cục quản lý xuất nhập cảnh,Cục quản lý xuất nhập cảnh,5568/QĐ-BCA,Trực tuyến | Dịch vụ bưu chính | Trực tiếp,3 Ngày làm việc,\"50,000 Việt Nam Đồng\",https://dichvucong.gov.vn/x\n");
        let all = read_text(&text).unwrap_or_default();
        let p = &all[0];
        assert_eq!(p.channels.len(), 3);
        assert!(p
            .channels
            .iter()
            .all(|c| c.fees.first().map(|f| f.amount) == Some(Vnd(50_000))));
        assert_eq!(
            p.processing_time.map(|t| (t.amount, t.unit)),
            Some((3, TimeUnit::WorkingDays))
        );
        assert_eq!(p.online_mode, OnlineMode::Partial);
        assert_eq!(p.tiers, [Tier::Central]);
        assert_eq!(p.applicants, "Doanh nghiệp, Hợp tác xã");
        assert_eq!(p.decision, "5568/QĐ-BCA");
        assert_eq!(p.source_url, "https://dichvucong.gov.vn/x");
    }

    #[test]
    fn several_times_stay_text_per_channel() {
        let got = channels(
            "Trực tiếp | Trực tuyến",
            "7 Ngày | 5 Ngày làm việc",
            "Miễn phí",
        )
        .unwrap_or_default();
        assert_eq!(got[0].processing_time, None);
        assert_eq!(got[0].processing_time_text, "7 Ngày | 5 Ngày làm việc");
        assert_eq!(got[1].channel, Channel::Online);
        assert_eq!(got[1].fees.first().map(|f| f.amount), Some(Vnd(0)));
        let text = format!("{HEADER}1.000253,Khai báo,Bộ Công an,Bộ Công an,X,Cấp xã,,,,,,Trực tiếp,7 Ngày | 5 Ngày làm việc,,\n");
        let all = read_text(&text).unwrap_or_default();
        assert_eq!(all[0].processing_time.map(|t| t.amount), Some(5));
    }

    #[test]
    fn errors_name_the_physical_line() {
        assert_eq!(
            read_text("ma_thu_tuc,ten\n1.0,x\n"),
            Err("line 1: missing required column `ten_thu_tuc`".into())
        );
        let text = format!("{HEADER}1.000001,\"Tên\nhai dòng\",,,,Cấp bộ,,,,,,,,,\n1.000002,Tên,,,,Cấp thôn,,,,,,,,,\n");
        assert_eq!(read_text(&text), Err("line 4: tiers: `Cấp thôn` is not a level (Cấp bộ, Cấp tỉnh, Cấp huyện, Cấp xã, Cơ quan khác)".into()));
        let text = format!("{HEADER}1.000001,Tên,,,,,,,,,,Fax,,,\n");
        assert!(read_text(&text).is_err_and(|e| e.starts_with("line 2: channels: `Fax`")));
        let text = format!("{HEADER},Tên,,,,,,,,,,,,,\n");
        assert!(read_text(&text).is_err_and(|e| e.starts_with("line 2: code")));
    }
}
