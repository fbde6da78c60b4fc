//! The index schema: which parts of a procedure are searched, filtered on,
//! sorted by and stored for result lists.

use egov_domain::text::{clean, fold};
use egov_domain::{OnlineMode, Procedure, Tier};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value,
    STORED, STRING,
};
use tantivy::TantivyDocument;

use crate::analyzer::ANALYZER;
use crate::SearchHit;

/// Number of `u64` fast fields holding the sort key of a code (8 bytes each;
/// a [`egov_domain::ProcedureCode`] has at most 32 bytes).
pub(crate) const SORT_KEY_PARTS: usize = 4;

/// Names of the sort-key fast fields, most significant first.
pub(crate) const SORT_KEY_FIELDS: [&str; SORT_KEY_PARTS] =
    ["code_k0", "code_k1", "code_k2", "code_k3"];

/// Term prefix in the scope field for a procedure specific to a unit.
pub(crate) const SCOPE_UNIT: &str = "unit:";
/// Term prefix in the scope field for a procedure available wherever its tier exists.
pub(crate) const SCOPE_TIER: &str = "tier:";
/// Scope term of a procedure with neither units nor tiers (kept visible everywhere).
pub(crate) const SCOPE_ANY: &str = "tier:any";

/// The fields of the index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// The code as is: identity (delete by code) and stored for hits.
    pub code: Field,
    /// The folded code, for an exact code match from the query.
    pub code_key: Field,
    /// The code split into words ("1", "001612").
    pub code_text: Field,
    /// Name, searched with positions (phrase bonus) and stored.
    pub name: Field,
    /// Field (lĩnh vực), searched and stored.
    pub field: Field,
    /// Folded field for the exact field filter.
    pub field_key: Field,
    /// Implementing and competent agencies, searched.
    pub agencies: Field,
    /// Agency codes and folded agency names for the agency filter.
    pub agency_key: Field,
    /// Implementing agencies as published, stored for hits.
    pub agency_display: Field,
    /// Everything searchable in one field, for typo and prefix matches.
    pub all: Field,
    /// One value per tier (`Tier::as_str`), filter and stored.
    pub tier: Field,
    /// `OnlineMode::as_str`, filter and stored.
    pub online_mode: Field,
    /// Where the procedure is available (see `query::scope_terms`).
    pub scope: Field,
    pub sort_key: [Field; SORT_KEY_PARTS],
}

impl Fields {
    /// Builds the schema and the handles to its fields.
    pub(crate) fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let text = |record: IndexRecordOption| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(ANALYZER)
                    .set_index_option(record),
            )
        };
        let fast = NumericOptions::default().set_fast();
        let fields = Fields {
            code: b.add_text_field("code", STRING | STORED),
            code_key: b.add_text_field("code_key", STRING),
            code_text: b.add_text_field("code_text", text(IndexRecordOption::Basic)),
            name: b.add_text_field(
                "name",
                text(IndexRecordOption::WithFreqsAndPositions).set_stored(),
            ),
            field: b.add_text_field("field", text(IndexRecordOption::Basic).set_stored()),
            field_key: b.add_text_field("field_key", STRING),
            agencies: b.add_text_field("agencies", text(IndexRecordOption::Basic)),
            agency_key: b.add_text_field("agency_key", STRING),
            agency_display: b.add_text_field("agency_display", STORED),
            all: b.add_text_field("all", text(IndexRecordOption::Basic)),
            tier: b.add_text_field("tier", STRING | STORED),
            online_mode: b.add_text_field("online_mode", STRING | STORED),
            scope: b.add_text_field("scope", STRING),
            sort_key: SORT_KEY_FIELDS.map(|name| b.add_u64_field(name, fast.clone())),
        };
        (b.build(), fields)
    }

    /// The indexed document of a procedure.
    pub(crate) fn document(&self, p: &Procedure) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        let code = p.code.as_str();
        doc.add_text(self.code, code);
        doc.add_text(self.code_key, key(code));
        doc.add_text(self.code_text, code);
        doc.add_text(self.name, &p.name);
        doc.add_text(self.field, &p.field);
        doc.add_text(self.field_key, key(&p.field));
        for (field, part) in self.sort_key.iter().zip(sort_key(code)) {
            doc.add_u64(*field, part);
        }
        self.add_agencies(&mut doc, p);
        for text in [code, p.name.as_str(), p.field.as_str()] {
            doc.add_text(self.all, text);
        }
        for tier in &p.tiers {
            doc.add_text(self.tier, tier.as_str());
        }
        doc.add_text(self.online_mode, p.online_mode.as_str());
        for term in scope_values(p) {
            doc.add_text(self.scope, term);
        }
        doc
    }

    fn add_agencies(&self, doc: &mut TantivyDocument, p: &Procedure) {
        for name in &p.implementing_agencies {
            doc.add_text(self.agency_display, name);
        }
        let names = p.implementing_agencies.iter().chain(&p.competent_agency);
        for name in names {
            doc.add_text(self.agencies, name);
            doc.add_text(self.all, name);
            doc.add_text(self.agency_key, key(name));
        }
        for code in &p.agency_codes {
            doc.add_text(self.agency_key, code.trim());
            doc.add_text(self.agency_key, key(code));
        }
    }

    /// The list fields of a stored document.
    pub(crate) fn hit(&self, doc: &TantivyDocument, score: f32) -> SearchHit {
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let all = |field: Field| -> Vec<String> {
            doc.get_all(field)
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        };
        SearchHit {
            code: text(self.code),
            name: text(self.name),
            field: text(self.field),
            tiers: all(self.tier)
                .iter()
                .filter_map(|t| Tier::parse(t).ok())
                .collect(),
            online_mode: OnlineMode::parse(&text(self.online_mode))
                .unwrap_or(OnlineMode::NotOnline),
            implementing_agencies: all(self.agency_display),
            score,
        }
    }
}

/// The exact-match key of a name or code: white space collapsed, folded.
pub(crate) fn key(text: &str) -> String {
    fold(&clean(text))
}

/// A code as [`SORT_KEY_PARTS`] big-endian `u64`s, zero-padded: comparing
/// the tuples compares the codes byte by byte (codes never contain NUL, so
/// a shorter code sorts before its extensions).
pub(crate) fn sort_key(code: &str) -> [u64; SORT_KEY_PARTS] {
    let mut bytes = [0u8; SORT_KEY_PARTS * 8];
    for (slot, b) in bytes.iter_mut().zip(code.bytes()) {
        *slot = b;
    }
    let mut parts = [0u64; SORT_KEY_PARTS];
    for (part, chunk) in parts.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        *part = u64::from_be_bytes(eight);
    }
    parts
}

/// Scope terms of a procedure: the units it is specific to, or else the
/// tiers it is carried out at (or [`SCOPE_ANY`] when those are unknown).
fn scope_values(p: &Procedure) -> Vec<String> {
    if !p.admin_unit_codes.is_empty() {
        return p
            .admin_unit_codes
            .iter()
            .map(|c| format!("{SCOPE_UNIT}{}", c.trim()))
            .collect();
    }
    if p.tiers.is_empty() {
        return vec![SCOPE_ANY.to_owned()];
    }
    p.tiers
        .iter()
        .map(|t| format!("{SCOPE_TIER}{}", t.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_order_like_the_codes() {
        let mut codes = vec![
            "2.000986",
            "1.001612.000.00.00.H56",
            "1.001612",
            "1.000178",
            "10.1",
            "1.0016",
            "A-9_x",
            "1.001612.000.00.00.H12",
        ];
        let mut by_key = codes.clone();
        by_key.sort_by_key(|c| sort_key(c));
        codes.sort();
        assert_eq!(by_key, codes);
    }

    #[test]
    fn sort_key_is_zero_padded() {
        assert_eq!(sort_key("1"), [u64::from(b'1') << 56, 0, 0, 0]);
        assert_eq!(sort_key(&"9".repeat(32))[3] & 0xff, u64::from(b'9'));
    }

    #[test]
    fn scope_prefers_units_then_tiers_then_any() {
        let code = egov_domain::ProcedureCode::parse("1.1").unwrap();
        let mut p = Procedure::minimal(code, "x".into(), "y".into());
        assert_eq!(scope_values(&p), [SCOPE_ANY]);
        p.tiers = vec![Tier::Commune, Tier::Province];
        assert_eq!(scope_values(&p), ["tier:commune", "tier:province"]);
        p.admin_unit_codes = vec!["01".into()];
        assert_eq!(scope_values(&p), ["unit:01"]);
    }

    #[test]
    fn keys_fold_and_collapse_space() {
        assert_eq!(key("  Sở  Tư pháp "), "so tu phap");
        assert_eq!(key("Hộ tịch"), "ho tich");
    }
}
