#![allow(clippy::print_stdout)]
//! Catalogue benchmarks. See bench/README.md; run with `bench/run.sh`.
//!
//! `egov-bench prepare DIR` fills a SQLite database in DIR with the real lists
//! from ../shared/data (padded with generated procedures up to 7,000).
//! `egov-bench search DIR` times catalogue searches in-process and prints
//! p50/p99 beside a baseline row measured in the same run.
//! `egov-bench dossiers BASE_URL …` measures dossier submissions and public
//! status lookups over HTTP against a running server (`bench/dossiers.sh`).

mod dossiers;
mod oidc;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use egov_app::{Catalogue, CatalogueStore};
use egov_domain::{Era, Procedure, ProcedureCode, Tier};
use egov_import::Format;
use egov_search::SearchQuery;
use egov_store::SqlStore;

/// The queries both benchmarks cycle through: unaccented, accented, typos, prefixes, codes.
pub const QUERIES: &[&str] = &[
    "giay phep xay dung",
    "dang ky khai sinh",
    "cấp đổi căn cước",
    "ho kinh doanh",
    "giay phep lai xe",
    "chung thuc ban sao",
    "ly lich tu phap",
    "dang ky ket hon",
    "thue",
    "dat dai",
    "giay phpe",
    "xay dun",
    "1.001612",
    "doanh nghiep tu nhan",
    "ho chieu pho thong",
    "khai tu",
];

const TARGET_PROCEDURES: usize = 7_000;

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1..).unwrap_or_default() {
        [cmd, dir, data] if cmd == "prepare" => prepare(Path::new(dir), Path::new(data)).await,
        [cmd, dir] if cmd == "search" => search(Path::new(dir)).await,
        [cmd, dir, issuer, count] if cmd == "oidc-codes" => {
            oidc::codes(Path::new(dir), issuer, count.parse()?).await
        }
        [cmd] if cmd == "argon2" => oidc::argon2(20),
        [cmd, rest @ ..] if cmd == "dossiers" => dossiers::run(rest).await,
        _ => bail!(
            "usage: egov-bench prepare DIR SHARED_DATA | search DIR | oidc-codes DIR ISSUER COUNT | argon2 \
             | dossiers BASE_URL [--label NAME] [--concurrency N] [--seconds S] [--pid PID] [--codes-out FILE]"
        ),
    }
}

pub(crate) fn db_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("egov.db").display())
}

async fn open(dir: &Path) -> anyhow::Result<Catalogue> {
    let store = SqlStore::connect(&db_url(dir)).await?;
    store.migrate().await?;
    let store: Arc<dyn CatalogueStore> = Arc::new(store);
    Ok(Catalogue::open(store).await?)
}

fn read(path: PathBuf) -> anyhow::Result<(Vec<u8>, Format)> {
    let format = Format::from_file_name(&path.to_string_lossy()).context("unknown format")?;
    let bytes = std::fs::read(&path).with_context(|| path.display().to_string())?;
    Ok((bytes, format))
}

async fn prepare(dir: &Path, data: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let catalogue = open(dir).await?;
    let units = data.join("admin-units");
    let started = Instant::now();
    for (era, file) in [
        (Era::Current, "2025/provinces.csv"),
        (Era::Current, "2025/wards.csv"),
        (Era::Pre2025, "pre-2025/provinces.csv"),
        (Era::Pre2025, "pre-2025/districts.csv"),
        (Era::Pre2025, "pre-2025/wards.csv"),
    ] {
        let (bytes, format) = read(units.join(file))?;
        let list = egov_import::read_admin_units(&bytes, format, era)?;
        catalogue.import_admin_units(&list).await?;
    }
    for file in [
        "2025-mapping/province_old_to_new.csv",
        "2025-mapping/commune_old_to_new.csv",
    ] {
        let (bytes, format) = read(units.join(file))?;
        catalogue
            .import_known_successions(&egov_import::read_successions(&bytes, format)?)
            .await?;
    }
    let units_took = started.elapsed();
    let (bytes, format) = read(data.join("procedures/tthc_details.jsonl"))?;
    let mut procedures = egov_import::read_procedures(&bytes, format)?;
    let real = procedures.len();
    pad(&mut procedures, TARGET_PROCEDURES)?;
    let started = Instant::now();
    catalogue
        .import_procedures(procedures, jiff::Timestamp::now())
        .await?;
    let store = catalogue.store();
    eprintln!(
        "prepared {}: {} current + {} pre-2025 units in {:?}; {} procedures ({} real) in {:?}",
        dir.display(),
        store.count_admin_units(Era::Current).await?,
        store.count_admin_units(Era::Pre2025).await?,
        units_took,
        store.count_procedures().await?,
        real,
        started.elapsed()
    );
    Ok(())
}

/// Adds generated procedures, built from the words of the real names, up to `target`.
fn pad(procedures: &mut Vec<Procedure>, target: usize) -> anyhow::Result<()> {
    let words: Vec<String> = procedures
        .iter()
        .flat_map(|p| {
            p.name
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    let fields: Vec<String> = procedures.iter().map(|p| p.field.clone()).collect();
    if words.is_empty() || fields.is_empty() {
        bail!("no real procedures to pad from");
    }
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut i = 0;
    while procedures.len() < target {
        i += 1;
        let len = 5 + next(10);
        let name: Vec<&str> = (0..len)
            .map(|_| words[next(words.len())].as_str())
            .collect();
        let code = ProcedureCode::parse(&format!("9.{i:06}"))?;
        let mut p = Procedure::minimal(code, name.join(" "), fields[next(fields.len())].clone());
        p.tiers = vec![[Tier::Central, Tier::Province, Tier::Commune][next(3)]];
        procedures.push(p);
    }
    Ok(())
}

async fn search(dir: &Path) -> anyhow::Result<()> {
    let catalogue = open(dir).await?;
    let total = catalogue.store().count_procedures().await?;
    let rounds = 300;
    let text_queries: Vec<SearchQuery> = QUERIES
        .iter()
        .map(|q| SearchQuery {
            text: Some((*q).to_owned()),
            limit: 20,
            ..Default::default()
        })
        .collect();
    // Baseline: the cheapest query the index answers, a filter with no text.
    let baseline = vec![SearchQuery {
        tier: Some(Tier::Commune),
        limit: 20,
        ..Default::default()
    }];
    println!("catalogue search in-process, {total} procedures, {rounds} rounds of each query");
    println!(
        "{:<32} {:>10} {:>10} {:>10}",
        "case", "p50 (µs)", "p99 (µs)", "n"
    );
    for (label, queries) in [
        ("baseline: filter only, no text", &baseline),
        ("text search (16 queries)", &text_queries),
    ] {
        let mut samples = Vec::with_capacity(rounds * queries.len());
        for _ in 0..rounds {
            for q in queries {
                let t = Instant::now();
                let hits = catalogue.search_now(q)?;
                samples.push(t.elapsed());
                std::hint::black_box(hits);
            }
        }
        let (p50, p99) = percentiles(&mut samples);
        println!(
            "{label:<32} {:>10.1} {:>10.1} {:>10}",
            micros(p50),
            micros(p99),
            samples.len()
        );
    }
    Ok(())
}

pub(crate) fn percentiles(samples: &mut [Duration]) -> (Duration, Duration) {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.50), at(0.99))
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
