//! The embedded fonts, text shaping (rustybuzz) and line wrapping.
//!
//! Text is shaped once for measuring and again, identically, for drawing, so
//! what the layout measures is what krilla draws.

use krilla::text::{GlyphId, KrillaGlyph};
use unicode_normalization::char::is_combining_mark;

use crate::DocumentError;

/// DejaVu Sans (Bitstream Vera licence, see `fonts/LICENSE-DejaVu.txt`):
/// full Vietnamese coverage, precomposed letters included.
static REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

/// One font: krilla's handle (for drawing and subsetting) and rustybuzz's face
/// (for shaping).
pub(crate) struct Face {
    pub(crate) pdf: krilla::text::Font,
    shaper: rustybuzz::Face<'static>,
    units_per_em: f32,
}

/// The two fonts a slip uses.
pub(crate) struct Fonts {
    regular: Face,
    bold: Face,
}

/// The weight of a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

impl Face {
    fn load(data: &'static [u8], name: &'static str) -> Result<Self, DocumentError> {
        let pdf = krilla::text::Font::new(data.into(), 0).ok_or(DocumentError::Font(name))?;
        let shaper = rustybuzz::Face::from_slice(data, 0).ok_or(DocumentError::Font(name))?;
        let units_per_em = f32::from(u16::try_from(shaper.units_per_em()).unwrap_or(2048));
        Ok(Face {
            pdf,
            shaper,
            units_per_em,
        })
    }

    /// The glyphs of `text`, their advances and offsets normalised to the em
    /// (as krilla wants them).
    pub(crate) fn shape(&self, text: &str) -> Vec<KrillaGlyph> {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        buffer.guess_segment_properties();
        let output = rustybuzz::shape(&self.shaper, &[], buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        let em = self.units_per_em;
        infos
            .iter()
            .zip(positions)
            .enumerate()
            .map(|(i, (info, pos))| {
                let start = info.cluster as usize;
                // The cluster ends where the next different cluster starts.
                let end = infos[i + 1..]
                    .iter()
                    .map(|next| next.cluster as usize)
                    .find(|&c| c != start)
                    .unwrap_or(text.len());
                KrillaGlyph::new(
                    GlyphId::new(info.glyph_id),
                    pos.x_advance as f32 / em,
                    pos.x_offset as f32 / em,
                    pos.y_offset as f32 / em,
                    pos.y_advance as f32 / em,
                    start..end,
                    None,
                )
            })
            .collect()
    }

    /// The width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        self.shape(text).iter().map(|g| g.x_advance).sum::<f32>() * size
    }
}

impl Fonts {
    pub(crate) fn load() -> Result<Self, DocumentError> {
        Ok(Fonts {
            regular: Face::load(REGULAR, "DejaVuSans.ttf")?,
            bold: Face::load(BOLD, "DejaVuSans-Bold.ttf")?,
        })
    }

    pub(crate) fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// Splits `text` into lines no wider than `max_width` points: at line
    /// feeds, then between words, and inside a word only when the word alone
    /// is too wide (a long code or URL). An empty text gives one empty line.
    pub(crate) fn wrap(
        &self,
        text: &str,
        weight: Weight,
        size: f32,
        max_width: f32,
    ) -> Vec<String> {
        let face = self.face(weight);
        let space = face.width(" ", size);
        let mut lines = Vec::new();
        for hard_line in text.split('\n') {
            let mut line = String::new();
            let mut line_width = 0.0;
            for word in hard_line.split_whitespace() {
                let word_width = face.width(word, size);
                if !line.is_empty() && line_width + space + word_width <= max_width {
                    line.push(' ');
                    line.push_str(word);
                    line_width += space + word_width;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                if word_width <= max_width {
                    line = word.to_owned();
                    line_width = word_width;
                    continue;
                }
                let mut pieces = break_word(face, word, size, max_width);
                line = pieces.pop().unwrap_or_default();
                line_width = face.width(&line, size);
                lines.extend(pieces);
            }
            lines.push(line);
        }
        lines
    }
}

/// Cuts a word that is wider than `max_width` into pieces that fit, between
/// characters (never before a combining mark). Each piece holds at least
/// one character, so a very narrow column still makes progress.
fn break_word(face: &Face, word: &str, size: f32, max_width: f32) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    for c in word.chars() {
        if !piece.is_empty() && !is_combining_mark(c) {
            let mut candidate = piece.clone();
            candidate.push(c);
            if face.width(&candidate, size) > max_width {
                pieces.push(std::mem::take(&mut piece));
            }
        }
        piece.push(c);
    }
    pieces.push(piece);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        Fonts::load().unwrap()
    }

    #[test]
    fn vietnamese_letters_have_their_own_glyphs() {
        let fonts = fonts();
        for c in "ấầẩẫậăắằẳẵặđơớờởỡợưứừửữựếềểễệốồổỗộỹỳỷỵ".chars()
        {
            let glyphs = fonts.face(Weight::Regular).shape(&c.to_string());
            assert_eq!(glyphs.len(), 1, "{c}");
            assert_ne!(glyphs[0].glyph_id.to_u32(), 0, "{c} is .notdef");
        }
    }

    #[test]
    fn bold_text_is_wider_than_regular() {
        let fonts = fonts();
        let text = "Giấy tiếp nhận hồ sơ";
        assert!(
            fonts.face(Weight::Bold).width(text, 11.0)
                > fonts.face(Weight::Regular).width(text, 11.0)
        );
    }

    #[test]
    fn wrapping_keeps_every_line_within_the_width_and_every_word() {
        let fonts = fonts();
        let text = "Hồ sơ của ông/bà chưa đầy đủ, đề nghị bổ sung các giấy tờ sau \
                    đây trong thời hạn năm ngày làm việc kể từ ngày nhận phiếu này.";
        let lines = fonts.wrap(text, Weight::Regular, 11.0, 150.0);
        assert!(lines.len() > 2, "{lines:?}");
        for line in &lines {
            assert!(
                fonts.face(Weight::Regular).width(line, 11.0) <= 150.0,
                "{line}"
            );
        }
        assert_eq!(
            lines.join(" "),
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }

    #[test]
    fn line_feeds_and_empty_texts_give_lines() {
        let fonts = fonts();
        assert_eq!(
            fonts.wrap("", Weight::Regular, 11.0, 100.0),
            vec![String::new()]
        );
        assert_eq!(
            fonts.wrap("một\n\nhai", Weight::Regular, 11.0, 100.0),
            vec!["một".to_owned(), String::new(), "hai".to_owned()]
        );
    }

    #[test]
    fn a_word_wider_than_the_line_is_cut_between_characters() {
        let fonts = fonts();
        let url = "https://dichvucong.example.vn/tra-cuu-ho-so?ma=000.00.01.H01-250305-0001";
        let lines = fonts.wrap(url, Weight::Regular, 10.0, 80.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert_eq!(lines.concat(), url);
        for line in &lines {
            assert!(
                fonts.face(Weight::Regular).width(line, 10.0) <= 80.0,
                "{line}"
            );
        }
    }

    #[test]
    fn glyph_clusters_cover_the_text() {
        let fonts = fonts();
        let text = "Đơn đề nghị";
        let glyphs = fonts.face(Weight::Regular).shape(text);
        assert_eq!(glyphs.first().map(|g| g.text_range.start), Some(0));
        assert_eq!(glyphs.last().map(|g| g.text_range.end), Some(text.len()));
    }
}
