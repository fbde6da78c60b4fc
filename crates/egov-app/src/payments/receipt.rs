//! Electronic receipts (biên lai điện tử): the PDF — payer, fee lines, the
//! amount in figures and in Vietnamese words, the agency, the receipt's
//! series and number, and a QR code of the public verification page — and
//! that page's data, which shows what a receipt check needs and no more
//! personal data than the payer's initials.

use egov_documents::{render_pdf, Slip, SlipTable};
use egov_domain::calendar::TIME_ZONE;
use egov_domain::dossier::Dossier;
use egov_domain::identity::{AccountKind, Actor};
use egov_domain::payment::{vnd_in_words, FeeLine, PaymentStatus};
use egov_domain::Vnd;
use jiff::Timestamp;
use serde::Serialize;

use super::Payments;
use crate::ports::{PaymentReceipt, StoredPaymentOrder};
use crate::AppError;

const TITLE: &str = "BIÊN LAI THU PHÍ, LỆ PHÍ";
const SUBTITLE: &str = "(Biên lai điện tử)";
const MOTTO: [&str; 2] = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
];
const HEADERS: [&str; 5] = ["STT", "Nội dung thu", "Đơn giá", "Số lượng", "Thành tiền"];

/// The series and number as printed: `BL2026-0000012`.
pub(super) fn number(receipt: &PaymentReceipt) -> String {
    format!("{}-{:07}", receipt.series, receipt.number)
}

/// An amount in figures as printed on receipts: `74.000 đồng`.
fn figures(amount: Vnd) -> String {
    let shown = amount.to_string();
    format!("{} đồng", shown.trim_end_matches(" ₫"))
}

fn local(at: Timestamp, pattern: &str) -> String {
    at.to_zoned(TIME_ZONE.clone()).strftime(pattern).to_string()
}

/// Initials only: `Nguyễn Văn An` → `N. V. A.`.
fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|word| word.chars().next())
        .flat_map(char::to_uppercase)
        .map(|c| format!("{c}."))
        .collect::<Vec<_>>()
        .join(" ")
}

/// How the gateway is named on the receipt.
fn gateway_name(code: &str) -> String {
    match code {
        "vnpay" => "VNPAY".to_owned(),
        other => other.to_uppercase(),
    }
}

/// What the public verification page of a receipt shows: enough to match
/// the paper or PDF in hand, no personal data beyond the payer's initials
/// (an organisation's name is not personal data and is shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptCheck {
    pub receipt_id: String,
    /// Series and number as printed, e.g. `BL2026-0000012`.
    pub number: String,
    pub issued_at: Timestamp,
    pub agency_code: String,
    pub agency_name: String,
    pub dossier_code: String,
    pub procedure_name: String,
    /// `N. V. A.` for a person; the name of an organisation.
    pub payer: String,
    pub lines: Vec<FeeLine>,
    pub total: Vnd,
    /// The total in Vietnamese words, as printed.
    pub total_in_words: String,
    pub paid_at: Option<Timestamp>,
    pub gateway: String,
    /// The payment's status now: a refunded payment's receipt is genuine
    /// but the money went back.
    pub status: PaymentStatus,
    pub refunded: Vnd,
    /// SHA-256 of the PDF as issued (hex): a copy with another hash was altered.
    pub pdf_sha256: Option<String>,
}

impl Payments {
    /// The receipt's slip.
    fn receipt_slip(
        &self,
        stored: &StoredPaymentOrder,
        receipt: &PaymentReceipt,
        dossier: &Dossier,
        agency_name: &str,
    ) -> Slip {
        let order = &stored.order;
        let url = self.receipt_url(&receipt.id);
        let mut rows: Vec<Vec<String>> = order
            .lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                vec![
                    (i + 1).to_string(),
                    line.label.vi.clone(),
                    figures(line.unit_amount),
                    line.quantity.to_string(),
                    figures(line.amount),
                ]
            })
            .collect();
        rows.push(vec![
            String::new(),
            "Tổng cộng".to_owned(),
            String::new(),
            String::new(),
            figures(order.total),
        ]);
        let method = match &order.gateway_transaction_no {
            Some(no) => format!(
                "Thanh toán trực tuyến qua {} (mã giao dịch {no})",
                gateway_name(&order.gateway)
            ),
            None => format!("Thanh toán trực tuyến qua {}", gateway_name(&order.gateway)),
        };
        let paid_at = order.paid_at.unwrap_or(receipt.issued_at);
        Slip {
            title: TITLE.to_owned(),
            subtitle: Some(agency_name.to_owned()),
            header_lines: MOTTO.iter().map(|s| (*s).to_owned()).collect(),
            reference: format!("Ký hiệu: {} — Số: {:07}", receipt.series, receipt.number),
            fields: vec![
                (
                    "Họ tên người nộp:".to_owned(),
                    dossier.applicant_name.clone(),
                ),
                ("Mã hồ sơ:".to_owned(), dossier.code.to_string()),
                ("Thủ tục:".to_owned(), dossier.procedure_name.clone()),
                ("Hình thức thanh toán:".to_owned(), method),
                (
                    "Thời điểm thanh toán:".to_owned(),
                    local(paid_at, "%H giờ %M, ngày %d/%m/%Y"),
                ),
                ("Số tiền:".to_owned(), figures(order.total)),
                ("Bằng chữ:".to_owned(), vnd_in_words(order.total)),
            ],
            table: Some(SlipTable {
                headers: HEADERS.iter().map(|s| (*s).to_owned()).collect(),
                rows,
            }),
            paragraphs: vec![SUBTITLE.to_owned(), format!("Kiểm tra biên lai tại: {url}")],
            footer: vec![
                "ĐƠN VỊ THU".to_owned(),
                "(Biên lai điện tử, không cần chữ ký)".to_owned(),
                String::new(),
                agency_name.to_owned(),
            ],
            issued_at: local(receipt.issued_at, "Ngày %d tháng %m năm %Y"),
            qr: Some(url),
        }
    }

    /// Renders the receipt's PDF, stores it and records its hash (the first
    /// one recorded stays: rendering twice is harmless). Returns the bytes.
    pub(super) async fn render_receipt(
        &self,
        stored: &StoredPaymentOrder,
        receipt: &PaymentReceipt,
    ) -> Result<Vec<u8>, AppError> {
        let dossier = self.load_dossier(&stored.order.dossier).await?;
        let agency_name = self.agency_name(&stored.agency).await?;
        let slip = self.receipt_slip(stored, receipt, &dossier, &agency_name);
        let pdf = tokio::task::spawn_blocking(move || render_pdf(&slip))
            .await
            .map_err(|e| AppError::Storage(format!("rendering failed: {e}")))?
            .map_err(|e| AppError::Storage(format!("the receipt could not be made: {e}")))?;
        let hash = self.blobs.put(&pdf).await?;
        if self.store.set_receipt_content(&receipt.id, &hash).await? {
            return Ok(pdf);
        }
        // Another rendering was recorded first: serve that one.
        let recorded = self
            .store
            .receipt(&receipt.id)
            .await?
            .and_then(|r| r.content_hash);
        match recorded {
            Some(first) if first != hash => self
                .blobs
                .get(&first)
                .await?
                .ok_or_else(|| AppError::Storage(format!("receipt file {first} is missing"))),
            _ => Ok(pdf),
        }
    }

    /// The receipt of a credited order as PDF (rendered now if it was not
    /// yet), for those who may read the dossier's payments; with its file name.
    pub async fn receipt_pdf(
        &self,
        actor: &Actor,
        order_id: &str,
    ) -> Result<(PaymentReceipt, String, Vec<u8>), AppError> {
        let stored = self.load_order(order_id).await?;
        let dossier = self.load_dossier(&stored.order.dossier).await?;
        self.authorize_read(actor, &dossier, &[stored.agency.as_str()])
            .await?;
        let receipt = self
            .store
            .receipt_of(&stored.order.id)
            .await?
            .ok_or_else(|| AppError::not_found("receipt of payment order", order_id))?;
        let file_name = format!("bien-lai-{}.pdf", number(&receipt));
        let bytes = match &receipt.content_hash {
            Some(hash) => self
                .blobs
                .get(hash)
                .await?
                .ok_or_else(|| AppError::Storage(format!("receipt file {hash} is missing")))?,
            None => self.render_receipt(&stored, &receipt).await?,
        };
        let receipt = self.store.receipt(&receipt.id).await?.unwrap_or(receipt);
        Ok((receipt, file_name, bytes))
    }

    /// The public check of a receipt by the id in its QR code: anyone may
    /// ask. An unknown id is `NotFound`.
    pub async fn verify_receipt(&self, receipt_id: &str) -> Result<ReceiptCheck, AppError> {
        let receipt = self
            .store
            .receipt(receipt_id)
            .await?
            .ok_or_else(|| AppError::not_found("receipt", receipt_id))?;
        let stored = self
            .store
            .payment_order(&receipt.order)
            .await?
            .ok_or_else(|| AppError::not_found("receipt", receipt_id))?;
        let dossier = self.load_dossier(&stored.order.dossier).await?;
        let payer = match dossier.applicant_kind {
            AccountKind::Organisation => dossier.applicant_name.clone(),
            AccountKind::Citizen | AccountKind::Official => initials(&dossier.applicant_name),
        };
        let order = stored.order;
        Ok(ReceiptCheck {
            number: number(&receipt),
            receipt_id: receipt.id,
            issued_at: receipt.issued_at,
            agency_name: self.agency_name(&stored.agency).await?,
            agency_code: stored.agency,
            dossier_code: order.dossier.to_string(),
            procedure_name: dossier.procedure_name,
            payer,
            total_in_words: vnd_in_words(order.total),
            total: order.total,
            lines: order.lines,
            paid_at: order.paid_at,
            gateway: order.gateway,
            status: order.status,
            refunded: order.refunded,
            pdf_sha256: receipt.content_hash.map(|h| h.as_str().to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_names_as_printed() {
        assert_eq!(figures(Vnd(74_000)), "74.000 đồng");
        assert_eq!(figures(Vnd(500)), "500 đồng");
        assert_eq!(initials("Nguyễn  Văn an"), "N. V. A.");
        assert_eq!(initials("Đặng Thị Ánh"), "Đ. T. Á.");
        assert_eq!(initials(""), "");
        assert_eq!(gateway_name("vnpay"), "VNPAY");
        let receipt = PaymentReceipt {
            id: "r".into(),
            order: egov_domain::payment::PaymentOrderId("o".into()),
            series: "BL2026".into(),
            number: 12,
            issued_at: "2026-12-04T02:00:00Z".parse().unwrap(),
            content_hash: None,
        };
        assert_eq!(number(&receipt), "BL2026-0000012");
    }
}
