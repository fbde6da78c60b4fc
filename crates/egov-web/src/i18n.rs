//! Interface text in Vietnamese (default) and English.
//!
//! Message catalogues are flat TOML files (`locales/vi.toml`, `locales/en.toml`)
//! compiled into the binary and parsed once. The language of a page comes from
//! `?lang=`, else the `lang` cookie, else `Accept-Language`, else Vietnamese.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::http::{header, HeaderMap};

const VI_SOURCE: &str = include_str!("../locales/vi.toml");
const EN_SOURCE: &str = include_str!("../locales/en.toml");

/// A language the interface is offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    /// The language from a query value, the `lang` cookie, `Accept-Language`,
    /// in that order; Vietnamese when none says.
    pub fn negotiate(query: Option<&str>, headers: &HeaderMap) -> Lang {
        query
            .and_then(Lang::parse)
            .or_else(|| cookie(headers, "lang").and_then(Lang::parse))
            .or_else(|| accept_language(headers))
            .unwrap_or_default()
    }

    /// The catalogue of this language.
    pub fn messages(self) -> Messages {
        let map = match self {
            Lang::Vi => &*VI,
            Lang::En => &*EN,
        };
        Messages { lang: self, map }
    }
}

/// The value of cookie `name`, if the request sent it.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| k.trim() == name)
        .map(|(_, v)| v.trim())
}

/// The preferred of `vi` and `en` by quality value (`en-GB;q=0.8`).
fn accept_language(headers: &HeaderMap) -> Option<Lang> {
    let value = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut best: Option<(u32, Lang)> = None;
    for item in value.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let primary = tag.split('-').next().unwrap_or("");
        let Some(lang) = Lang::parse(primary) else {
            continue;
        };
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        // Compare in thousandths: quality values have at most three decimals.
        let q = (quality.clamp(0.0, 1.0) * 1000.0) as u32;
        if q > 0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

static VI: LazyLock<BTreeMap<String, String>> = LazyLock::new(|| load(VI_SOURCE, "vi"));
static EN: LazyLock<BTreeMap<String, String>> = LazyLock::new(|| load(EN_SOURCE, "en"));

fn load(source: &str, name: &str) -> BTreeMap<String, String> {
    toml::from_str(source).unwrap_or_else(|e| {
        // Unit tests keep the catalogues valid; a broken one shows keys, not a crash.
        tracing::error!(catalogue = name, error = %e, "message catalogue does not parse");
        BTreeMap::new()
    })
}

/// The messages of one language, for templates (`t.get("key")`).
#[derive(Debug, Clone, Copy)]
pub struct Messages {
    lang: Lang,
    map: &'static BTreeMap<String, String>,
}

impl Messages {
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The text for `key`; the key itself when missing (tests keep that from happening).
    pub fn get<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        self.map.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The text for `prefix.value` (enum labels such as `tier.commune`).
    pub fn label(&self, prefix: &str, value: &str) -> String {
        let key = format!("{prefix}.{value}");
        match self.map.get(&key) {
            Some(text) => text.clone(),
            None => value.to_owned(),
        }
    }

    /// `key` with `{name}` placeholders replaced.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut text = self.map.get(key).cloned().unwrap_or_else(|| key.to_owned());
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egov_domain::{Channel, OnlineMode, Tier, TimeUnit};

    fn parsed(source: &str) -> BTreeMap<String, String> {
        toml::from_str(source).unwrap()
    }

    #[test]
    fn both_catalogues_have_exactly_the_same_keys() {
        let vi = parsed(VI_SOURCE);
        let en = parsed(EN_SOURCE);
        let only_vi: Vec<_> = vi.keys().filter(|k| !en.contains_key(*k)).collect();
        let only_en: Vec<_> = en.keys().filter(|k| !vi.contains_key(*k)).collect();
        assert!(
            only_vi.is_empty() && only_en.is_empty(),
            "vi only: {only_vi:?}; en only: {only_en:?}"
        );
        assert!(vi.values().chain(en.values()).all(|v| !v.trim().is_empty()));
    }

    /// Keys written as `t.get("…")` or `t.fill("…"` in templates and page code.
    fn used_keys() -> Vec<String> {
        let mut sources = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![root.join("templates"), root.join("src/pages")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    sources.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        let mut keys = Vec::new();
        for source in &sources {
            for marker in ["t.get(\"", "t.fill(\""] {
                for (i, _) in source.match_indices(marker) {
                    let rest = &source[i + marker.len()..];
                    let end = rest.find('"').unwrap();
                    keys.push(rest[..end].to_owned());
                }
            }
        }
        keys
    }

    #[test]
    fn every_key_used_in_templates_and_pages_exists() {
        let keys = used_keys();
        assert!(
            keys.len() > 30,
            "found only {} keys; is the scan broken?",
            keys.len()
        );
        let vi = parsed(VI_SOURCE);
        let missing: Vec<_> = keys.iter().filter(|k| !vi.contains_key(*k)).collect();
        assert!(missing.is_empty(), "missing keys: {missing:?}");
    }

    #[test]
    fn every_enum_label_exists() {
        let vi = parsed(VI_SOURCE);
        let mut keys: Vec<String> = Tier::ALL
            .iter()
            .map(|t| format!("tier.{}", t.as_str()))
            .collect();
        keys.extend(
            OnlineMode::ALL
                .iter()
                .map(|m| format!("online_mode.{}", m.as_str())),
        );
        for c in [Channel::InPerson, Channel::Online, Channel::Post] {
            keys.push(format!("channel.{}", crate::pages::channel_key(c)));
        }
        for u in [
            TimeUnit::WorkingDays,
            TimeUnit::CalendarDays,
            TimeUnit::Hours,
            TimeUnit::Months,
        ] {
            keys.push(format!("time_unit.{}", crate::pages::time_unit_key(u)));
        }
        use egov_domain::identity::{policy::scope, AccountKind, Role};
        keys.extend(Role::ALL.iter().map(|r| format!("role.{}", r.as_str())));
        keys.extend(scope::ALL.iter().map(|s| format!("scope.{s}")));
        for kind in [
            AccountKind::Citizen,
            AccountKind::Organisation,
            AccountKind::Official,
        ] {
            keys.push(format!("account.kind.{}", kind.as_str()));
        }
        let missing: Vec<_> = keys.iter().filter(|k| !vi.contains_key(*k)).collect();
        assert!(missing.is_empty(), "missing keys: {missing:?}");
    }

    #[test]
    fn negotiation_order_is_query_cookie_header_default() {
        let mut h = HeaderMap::new();
        assert_eq!(Lang::negotiate(None, &h), Lang::Vi);
        h.insert(
            header::ACCEPT_LANGUAGE,
            "fr, en-GB;q=0.8, vi;q=0.5".parse().unwrap(),
        );
        assert_eq!(Lang::negotiate(None, &h), Lang::En);
        h.insert(header::COOKIE, "theme=dark; lang=vi".parse().unwrap());
        assert_eq!(Lang::negotiate(None, &h), Lang::Vi);
        assert_eq!(Lang::negotiate(Some("en"), &h), Lang::En);
        assert_eq!(Lang::negotiate(Some("xx"), &h), Lang::Vi);
    }

    #[test]
    fn accept_language_respects_quality() {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, "en;q=0.3, vi-VN".parse().unwrap());
        assert_eq!(accept_language(&h), Some(Lang::Vi));
        h.insert(header::ACCEPT_LANGUAGE, "en;q=0".parse().unwrap());
        assert_eq!(accept_language(&h), None);
    }

    #[test]
    fn fill_replaces_placeholders() {
        let t = Lang::En.messages();
        assert!(t.fill("search.total", &[("total", "7")]).contains('7'));
        assert_eq!(t.get("no.such.key"), "no.such.key");
    }
}
