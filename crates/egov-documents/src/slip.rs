//! The data of a printable slip: texts only, filled (and translated) by the caller.

use unicode_normalization::UnicodeNormalization;

/// Slip (phiếu): one printable document of the one-stop process — the receipt
/// and appointment (giấy tiếp nhận hồ sơ và hẹn trả kết quả), the supplement
/// request (phiếu yêu cầu bổ sung, hoàn thiện hồ sơ), the refusal (phiếu từ
/// chối tiếp nhận), the apology and new appointment (phiếu xin lỗi và hẹn lại
/// ngày trả kết quả), the process control slip (phiếu kiểm soát quá trình giải
/// quyết hồ sơ), and the result itself (kết quả giải quyết).
///
/// Data only: the caller fills every text, already localised; the renderer
/// adds no words of its own (page numbers are digits).
///
/// Layout of the first page, top to bottom: the two header columns — on the
/// left the `subtitle` (agency name) over the `reference`, on the right the
/// `header_lines` (national motto, the last one underlined) over `issued_at`
/// (place and date) — then the `title`, the `fields` as label/value rows, the
/// `table`, the `paragraphs`, and at the end the QR code (with its text
/// under it) on the left beside the `footer` (signature block) on the right.
/// Long texts wrap; a long table continues on further A4 pages with its
/// header row repeated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Slip {
    /// The slip's title, e.g. "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ".
    pub title: String,
    /// Usually the issuing agency's name, printed top left.
    pub subtitle: Option<String>,
    /// The national motto lines, printed top right: "CỘNG HÒA XÃ HỘI CHỦ
    /// NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc".
    pub header_lines: Vec<String>,
    /// The dossier code (mã hồ sơ) or document number, printed under the
    /// subtitle, as given (the caller adds any label, e.g. "Số: …").
    pub reference: String,
    /// Label and value rows, e.g. ("Họ và tên người nộp:", "Nguyễn Văn A").
    pub fields: Vec<(String, String)>,
    /// An optional table, e.g. the documents received or the process steps.
    pub table: Option<SlipTable>,
    /// Free paragraphs after the fields and the table.
    pub paragraphs: Vec<String>,
    /// The signature block, printed bottom right, the first line in bold
    /// (e.g. "NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", "", "", "Trần Thị B").
    /// An empty line leaves a blank line.
    pub footer: Vec<String>,
    /// Place and date of issue as the caller wants it printed, e.g.
    /// "Hà Nội, ngày 05 tháng 3 năm 2025".
    pub issued_at: String,
    /// Text (usually a public lookup URL) to print as a QR code, bottom left.
    pub qr: Option<String>,
}

/// A table of a slip: a header row and body rows of plain text cells.
///
/// A row shorter than the widest row is padded with empty cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlipTable {
    /// Column headers, printed in bold on a grey background and repeated on
    /// each page the table continues on.
    pub headers: Vec<String>,
    /// Body rows, one `Vec` of cells each.
    pub rows: Vec<Vec<String>>,
}

impl Slip {
    /// The same slip with every text in Unicode NFC (so Vietnamese letters use
    /// the font's precomposed glyphs and extract as they were typed) and
    /// without control characters other than line feeds (a tab becomes a space).
    pub(crate) fn cleaned(&self) -> Slip {
        let t = |s: &String| clean(s);
        Slip {
            title: t(&self.title),
            subtitle: self.subtitle.as_ref().map(t),
            header_lines: self.header_lines.iter().map(t).collect(),
            reference: t(&self.reference),
            fields: self.fields.iter().map(|(l, v)| (t(l), t(v))).collect(),
            table: self.table.as_ref().map(|table| SlipTable {
                headers: table.headers.iter().map(t).collect(),
                rows: table
                    .rows
                    .iter()
                    .map(|row| row.iter().map(t).collect())
                    .collect(),
            }),
            paragraphs: self.paragraphs.iter().map(t).collect(),
            footer: self.footer.iter().map(t).collect(),
            issued_at: t(&self.issued_at),
            // The QR payload is encoded as given (a URL must not change).
            qr: self.qr.clone(),
        }
    }
}

fn clean(text: &str) -> String {
    text.nfc()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            '\n' => Some('\n'),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_composes_vietnamese_letters_and_drops_control_characters() {
        // "ấ" typed as a + combining circumflex + combining acute.
        let decomposed = "Gia\u{0302}\u{0301}y\tti\u{0065}\u{0302}\u{0301}p\r\nnhận\u{7}";
        assert_eq!(clean(decomposed), "Giấy tiếp\nnhận");
    }

    #[test]
    fn cleaning_keeps_the_qr_payload_as_given() {
        let slip = Slip {
            qr: Some("https://example.vn/tra-cuu?ma=A\tB".to_owned()),
            ..Slip::default()
        };
        assert_eq!(slip.cleaned().qr, slip.qr);
    }
}
