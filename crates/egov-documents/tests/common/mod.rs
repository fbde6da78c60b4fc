//! Sample slips shared by the integration tests and the example.
#![allow(clippy::expect_used, clippy::unwrap_used, dead_code)]

use egov_documents::{Slip, SlipTable};

/// A receipt and appointment slip (giấy tiếp nhận hồ sơ và hẹn trả kết quả)
/// with `documents` rows in its table.
pub fn receipt(documents: usize) -> Slip {
    Slip {
        title: "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ".to_owned(),
        subtitle: Some("UBND PHƯỜNG HOÀN KIẾM\nBỘ PHẬN MỘT CỬA".to_owned()),
        header_lines: vec![
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".to_owned(),
            "Độc lập - Tự do - Hạnh phúc".to_owned(),
        ],
        reference: "Mã hồ sơ: 000.00.01.H26-250305-0001".to_owned(),
        fields: vec![
            ("Bộ phận tiếp nhận và trả kết quả:".to_owned(), "UBND phường Hoàn Kiếm, thành phố Hà Nội".to_owned()),
            ("Tiếp nhận hồ sơ của:".to_owned(), "Nguyễn Thị Hồng Nhung".to_owned()),
            ("Địa chỉ:".to_owned(), "Số 12 phố Hàng Bạc, phường Hoàn Kiếm, thành phố Hà Nội".to_owned()),
            ("Nội dung yêu cầu giải quyết:".to_owned(), "Đăng ký khai sinh".to_owned()),
            ("Thời gian nhận hồ sơ:".to_owned(), "08 giờ 30 phút, ngày 05/03/2025".to_owned()),
            ("Thời gian trả kết quả:".to_owned(), "16 giờ 00 phút, ngày 06/03/2025".to_owned()),
        ],
        table: Some(SlipTable {
            headers: vec!["STT".to_owned(), "Tên giấy tờ".to_owned(), "Hình thức".to_owned(), "Số lượng".to_owned()],
            rows: (1..=documents)
                .map(|i| {
                    vec![
                        i.to_string(),
                        format!("Tờ khai đăng ký khai sinh theo mẫu, giấy chứng sinh số {i} do cơ sở y tế cấp"),
                        if i % 2 == 0 { "Bản sao chứng thực" } else { "Bản chính" }.to_owned(),
                        "01".to_owned(),
                    ]
                })
                .collect(),
        }),
        paragraphs: vec![
            "Vào Sổ theo dõi hồ sơ, Quyển số: 01, Số thứ tự: 125.".to_owned(),
            "Giấy tiếp nhận này là căn cứ để nhận kết quả. Ông/bà vui lòng mang theo khi đến nhận kết quả; có thể tra cứu tình trạng hồ sơ bằng mã QR.".to_owned(),
        ],
        footer: vec![
            "NGƯỜI TIẾP NHẬN HỒ SƠ".to_owned(),
            "(Ký và ghi rõ họ tên)".to_owned(),
            String::new(),
            String::new(),
            "Trần Văn Đức".to_owned(),
        ],
        issued_at: "Hà Nội, ngày 05 tháng 3 năm 2025".to_owned(),
        qr: Some("https://dichvucong.example.vn/tra-cuu?ma=000.00.01.H26-250305-0001".to_owned()),
    }
}
