//! Rendering slips: the PDFs parse, paginate, embed a subset of the font and
//! keep the Vietnamese text extractable.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use egov_documents::{render_pdf, DocumentError, Slip, SlipTable};
use lopdf::{Document, Object};

fn parse(pdf: &[u8]) -> Document {
    Document::load_mem(pdf).expect("the PDF parses")
}

fn text_of(doc: &Document) -> String {
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).expect("text extraction")
}

/// The names of the fonts the document embeds as TrueType programs.
fn embedded_fonts(doc: &Document) -> Vec<String> {
    doc.objects
        .values()
        .filter_map(|object| object.as_dict().ok())
        .filter(|dict| dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"FontDescriptor"))
        .filter(|dict| dict.get(b"FontFile2").is_ok())
        .filter_map(|dict| dict.get(b"FontName").and_then(Object::as_name).ok())
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .collect()
}

#[test]
fn a_receipt_is_one_a4_page_with_the_font_embedded_as_a_subset() {
    let pdf = render_pdf(&common::receipt(5)).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let doc = parse(&pdf);
    assert_eq!(doc.get_pages().len(), 1);

    let fonts = embedded_fonts(&doc);
    assert_eq!(fonts.len(), 2, "{fonts:?}");
    for name in &fonts {
        // A subset's name is a six-letter tag, '+', then the font's name.
        let (tag, base) = name.split_once('+').expect("subset tag");
        assert_eq!(tag.len(), 6, "{name}");
        assert!(base.starts_with("DejaVuSans"), "{name}");
    }
    // The full fonts weigh 1.4 MB; the subsets keep a slip small.
    assert!(pdf.len() < 80_000, "{} bytes", pdf.len());
    println!("one-page receipt: {} bytes", pdf.len());
}

#[test]
fn the_vietnamese_text_is_extractable() {
    let doc = parse(&render_pdf(&common::receipt(3)).unwrap());
    let text = text_of(&doc);
    for expected in [
        "Giấy tiếp nhận",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Nguyễn Thị Hồng Nhung",
        "Đăng ký khai sinh",
        "Bản chính",
        "Trần Văn Đức",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
}

#[test]
fn decomposed_input_renders_as_the_composed_letters() {
    // "Giấy" typed with combining marks.
    let slip = Slip {
        title: "Gia\u{0302}\u{0301}y tie\u{0302}\u{0301}p nha\u{0323}\u{0302}n".to_owned(),
        ..Slip::default()
    };
    let text = text_of(&parse(&render_pdf(&slip).unwrap()));
    assert!(text.contains("Giấy tiếp nhận"), "{text}");
}

#[test]
fn a_long_table_continues_on_further_pages() {
    let pdf = render_pdf(&common::receipt(90)).unwrap();
    let doc = parse(&pdf);
    let pages = doc.get_pages();
    assert!(pages.len() >= 3, "{} pages", pages.len());
    for &number in pages.keys() {
        let text = doc.extract_text(&[number]).unwrap();
        // The header row is repeated and every page is numbered.
        assert!(text.contains("Tên giấy tờ"), "page {number}: {text}");
        assert!(
            text.contains(&format!("{number}/{}", pages.len())),
            "page {number}: {text}"
        );
    }
    let last = doc.extract_text(&[pages.len() as u32]).unwrap();
    assert!(last.contains("giấy chứng sinh số 90 "), "{last}");
    assert!(last.contains("NGƯỜI TIẾP NHẬN HỒ SƠ"), "{last}");
}

#[test]
fn the_qr_code_is_drawn_as_vector_rectangles() {
    let count_rectangles = |slip: &Slip| {
        let doc = parse(&render_pdf(slip).unwrap());
        let page = *doc.get_pages().values().next().unwrap();
        let content = lopdf::content::Content::decode(&doc.get_page_content(page)).unwrap();
        // No image: every QR run is a closed rectangular subpath (m l l l h).
        assert!(!content.operations.iter().any(|op| op.operator == "Do"));
        content
            .operations
            .iter()
            .filter(|op| op.operator == "h")
            .count()
    };
    let with_qr = common::receipt(1);
    let without_qr = Slip {
        qr: None,
        ..with_qr.clone()
    };
    let extra = count_rectangles(&with_qr) - count_rectangles(&without_qr);
    // A version-4 code (33 modules a side) has well over a hundred dark runs.
    assert!(extra > 100, "{extra} rectangles");
}

#[test]
fn rendering_is_deterministic() {
    let slip = common::receipt(4);
    assert_eq!(render_pdf(&slip).unwrap(), render_pdf(&slip).unwrap());
}

#[test]
fn an_empty_slip_and_ragged_table_rows_still_render() {
    let doc = parse(&render_pdf(&Slip::default()).unwrap());
    assert_eq!(doc.get_pages().len(), 1);

    let slip = Slip {
        title: "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ".to_owned(),
        table: Some(SlipTable {
            headers: vec!["STT".to_owned()],
            rows: vec![
                vec![],
                vec![
                    "1".to_owned(),
                    "Bản sao giấy khai sinh".to_owned(),
                    "thừa".to_owned(),
                ],
            ],
        }),
        ..Slip::default()
    };
    let text = text_of(&parse(&render_pdf(&slip).unwrap()));
    assert!(
        text.contains("Bản sao giấy khai sinh") && text.contains("thừa"),
        "{text}"
    );
}

#[test]
fn a_qr_text_too_long_for_a_qr_code_is_an_error() {
    let slip = Slip {
        qr: Some("x".repeat(5000)),
        ..Slip::default()
    };
    assert!(matches!(render_pdf(&slip), Err(DocumentError::Qr(_))));
}
