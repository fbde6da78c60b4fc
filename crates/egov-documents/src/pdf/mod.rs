//! PDF rendering of slips with krilla: A4 pages, DejaVu Sans embedded as
//! subsets (only the glyphs used), text extractable (krilla writes the
//! ToUnicode maps), the QR code as vector rectangles.

mod layout;
mod text;

use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::{Document, SerializeSettings};

use crate::slip::Slip;
use crate::DocumentError;
use layout::{Op, QrModules, Square};
use text::Fonts;

/// Renders a slip as an A4 PDF.
///
/// Deterministic: the same slip gives the same bytes (no clock, no random
/// identifiers), so a rendered result can be re-rendered and compared.
///
/// # Errors
/// [`DocumentError::Qr`] when the QR text is too long for a QR code (about
/// 2,300 bytes), [`DocumentError::Font`] or [`DocumentError::Pdf`] on an
/// internal failure.
pub fn render_pdf(slip: &Slip) -> Result<Vec<u8>, DocumentError> {
    let slip = slip.cleaned();
    let fonts = Fonts::load()?;
    let qr = slip.qr.as_deref().map(qr_modules).transpose()?;
    let pages = layout::layout(&slip, &fonts, qr.as_ref());

    let settings = SerializeSettings {
        xmp_metadata: false,
        enable_tagging: false,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    document.set_metadata(
        Metadata::new()
            .title(slip.title.clone())
            .creator("egov".to_owned()),
    );
    let page_settings = PageSettings::from_wh(layout::PAGE_WIDTH, layout::PAGE_HEIGHT)
        .ok_or_else(|| DocumentError::Pdf("invalid page size".to_owned()))?;
    for ops in &pages {
        let mut page = document.start_page_with(page_settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, &fonts, op);
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| DocumentError::Pdf(e.to_string()))
}

/// The modules of the QR code of `text` (error correction level M).
fn qr_modules(text: &str) -> Result<QrModules, DocumentError> {
    let code =
        qrcode::QrCode::new(text.as_bytes()).map_err(|e| DocumentError::Qr(e.to_string()))?;
    Ok(QrModules {
        width: code.width(),
        dark: code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect(),
    })
}

fn black() -> Fill {
    Fill::default()
}

fn draw(surface: &mut Surface<'_>, fonts: &Fonts, op: &Op) {
    match op {
        Op::Text {
            x,
            y,
            size,
            weight,
            text,
        } => {
            let face = fonts.face(*weight);
            let glyphs = face.shape(text);
            surface.set_stroke(None);
            surface.set_fill(Some(black()));
            surface.draw_glyphs(
                Point::from_xy(*x, *y),
                &glyphs,
                face.pdf.clone(),
                text,
                *size,
                false,
            );
        }
        Op::Line { x1, y1, x2, y2 } => {
            let mut path = PathBuilder::new();
            path.move_to(*x1, *y1);
            path.line_to(*x2, *y2);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    width: layout::RULE,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
            }
        }
        Op::Shade { x, y, w, h } => {
            fill_rects(
                surface,
                &[Square {
                    x: *x,
                    y: *y,
                    w: *w,
                    h: *h,
                }],
                Fill {
                    paint: luma::Color::new(layout::SHADE).into(),
                    opacity: NormalizedF32::ONE,
                    rule: FillRule::NonZero,
                },
            );
        }
        Op::Squares(squares) => fill_rects(surface, squares, black()),
    }
}

fn fill_rects(surface: &mut Surface<'_>, squares: &[Square], fill: Fill) {
    let mut path = PathBuilder::new();
    for s in squares {
        if let Some(rect) = Rect::from_xywh(s.x, s.y, s.w, s.h) {
            path.push_rect(rect);
        }
    }
    if let Some(path) = path.finish() {
        surface.set_stroke(None);
        surface.set_fill(Some(fill));
        surface.draw_path(&path);
    }
}
