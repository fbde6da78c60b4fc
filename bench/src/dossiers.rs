//! Dossier benchmark over HTTP against a running `egov serve --demo`:
//! durable submissions per second and the public status lookup, beside a
//! `GET /healthz` baseline measured in the same run under the same
//! concurrency, and the server's memory after the load.
//!
//! One submission is what a citizen's browser does for the demo's certified
//! copy service (2.000815): create the draft, save the form values (the
//! service has required fields no account pre-fills), upload one small PDF,
//! submit with an `Idempotency-Key`. Its latency is timed whole and each
//! request alone. The lookups then cycle over the codes the
//! submissions were given.
//!
//! Usage: `egov-bench dossiers BASE_URL [--label NAME] [--concurrency N]
//! [--seconds S] [--pid PID] [--codes-out FILE]` (PID: the server's, for
//! VmHWM and VmRSS from /proc/PID/status; FILE: the codes made, one a line,
//! for `bench/wrk/lookup.lua`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::{json, Value};

/// The demo citizen (README, "Demo accounts").
const LOGIN: &str = "001203012345";
const PASSWORD: &str = "demo-congdan-2025";
const PROCEDURE: &str = "2.000815";
const AGENCIES: [&str; 3] = ["000.00.01.H01", "000.00.02.H01", "000.00.03.H01"];

/// A small, well-formed PDF.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
const BOUNDARY: &str = "egov-bench-boundary-5d2e8a61";

#[derive(Debug, Clone)]
struct Options {
    base: String,
    label: String,
    concurrency: usize,
    duration: Duration,
    pid: Option<u32>,
    /// Where to write the codes made, one a line (for `bench/wrk/lookup.lua`).
    codes_out: Option<std::path::PathBuf>,
}

fn options(args: &[String]) -> anyhow::Result<Options> {
    let Some((base, mut rest)) = args.split_first() else {
        bail!("usage: egov-bench dossiers BASE_URL [--label NAME] [--concurrency N] [--seconds S] [--pid PID] [--codes-out FILE]");
    };
    let mut options = Options {
        base: base.trim_end_matches('/').to_owned(),
        label: "server".into(),
        concurrency: 32,
        duration: Duration::from_secs(10),
        pid: None,
        codes_out: None,
    };
    while let [flag, value, tail @ ..] = rest {
        match flag.as_str() {
            "--label" => options.label.clone_from(value),
            "--concurrency" => options.concurrency = value.parse().context("--concurrency")?,
            "--seconds" => {
                options.duration = Duration::from_secs(value.parse().context("--seconds")?)
            }
            "--pid" => options.pid = Some(value.parse().context("--pid")?),
            "--codes-out" => options.codes_out = Some(value.into()),
            other => bail!("unknown option {other}"),
        }
        rest = tail;
    }
    if !rest.is_empty() {
        bail!("option without a value: {rest:?}");
    }
    if options.concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    Ok(options)
}

/// What the workers of one case measured.
#[derive(Default)]
struct Run {
    samples: Vec<Duration>,
    /// Each request of a submission alone, in the order of [`STEPS`].
    steps: [Vec<Duration>; 4],
    codes: Vec<String>,
    errors: usize,
    first_error: Option<String>,
    elapsed: Duration,
}

impl Run {
    fn merge(&mut self, other: Run) {
        self.samples.extend(other.samples);
        for (mine, theirs) in self.steps.iter_mut().zip(other.steps) {
            mine.extend(theirs);
        }
        self.codes.extend(other.codes);
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn error(&mut self, what: String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(what);
        }
    }

    fn per_second(&self) -> f64 {
        self.samples.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

#[allow(clippy::print_stdout)]
pub async fn run(args: &[String]) -> anyhow::Result<()> {
    let o = options(args)?;
    let plain = client(false)?;
    let citizen = client(true)?;
    let response = citizen
        .post(format!("{}/api/v1/sessions", o.base))
        .json(&json!({"login": LOGIN, "password": PASSWORD}))
        .send()
        .await
        .context("sign in")?;
    if response.status() != 201 {
        bail!(
            "sign in as the demo citizen: {} {} (is the server started with --demo?)",
            response.status(),
            response.text().await.unwrap_or_default()
        );
    }
    let memory_before = o.pid.map(memory).transpose()?;

    let healthz = Arc::new(format!("{}/healthz", o.base));
    let baseline = {
        let (plain, healthz) = (plain.clone(), Arc::clone(&healthz));
        drive(&o, move |_, _| {
            let (client, url) = (plain.clone(), Arc::clone(&healthz));
            async move { get_ok(&client, &url).await.map(|t| (t, None, None)) }
        })
        .await
    };

    let base = Arc::new(o.base.clone());
    let submissions = {
        let (citizen, base) = (citizen.clone(), Arc::clone(&base));
        drive(&o, move |worker, n| {
            let (client, base) = (citizen.clone(), Arc::clone(&base));
            async move { submission(&client, &base, worker, n).await }
        })
        .await
    };

    if let Some(path) = &o.codes_out {
        let mut text = submissions.codes.join("\n");
        text.push('\n');
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let codes = Arc::new(submissions.codes.clone());
    let lookups = if codes.is_empty() {
        Run::default()
    } else {
        let (plain, base, codes) = (plain.clone(), Arc::clone(&base), Arc::clone(&codes));
        drive(&o, move |worker, n| {
            let (client, base, codes) = (plain.clone(), Arc::clone(&base), Arc::clone(&codes));
            async move {
                let code = &codes[(worker + n * 7919) % codes.len()];
                let url = format!("{base}/api/v1/public/dossiers/{code}");
                get_ok(&client, &url).await.map(|t| (t, None, None))
            }
        })
        .await
    };
    let memory_after = o.pid.map(memory).transpose()?;

    println!(
        "{} — {} concurrent clients, {} s per case; server and load generator share the machine",
        o.label,
        o.concurrency,
        o.duration.as_secs()
    );
    println!(
        "{:<46} {:>10} {:>10} {:>10} {:>8}",
        "case", "per second", "p50 (ms)", "p99 (ms)", "errors"
    );
    row("baseline: GET /healthz", Some(&baseline), &baseline.samples);
    row(
        "submission (draft, values, PDF, submit)",
        Some(&submissions),
        &submissions.samples,
    );
    for (name, samples) in STEPS.iter().zip(&submissions.steps) {
        row(&format!("  {name}"), None, samples);
    }
    row(
        "GET /api/v1/public/dossiers/{code}",
        Some(&lookups),
        &lookups.samples,
    );
    if let (Some(before), Some(after)) = (memory_before, memory_after) {
        println!(
            "server memory: VmRSS {:.0} MiB before the load; after it VmRSS {:.0} MiB, VmHWM (peak) {:.0} MiB",
            before.rss_mib, after.rss_mib, after.hwm_mib
        );
    }
    for (case, run) in [
        ("baseline", &baseline),
        ("submission", &submissions),
        ("lookup", &lookups),
    ] {
        if let Some(error) = &run.first_error {
            println!("first {case} error: {error}");
        }
    }
    Ok(())
}

/// One line of the table: `run`'s rate (none for the parts of a
/// submission) and the percentiles of `samples`.
#[allow(clippy::print_stdout)]
fn row(label: &str, run: Option<&Run>, samples: &[Duration]) {
    let mut sorted = samples.to_vec();
    let (p50, p99) = if sorted.is_empty() {
        (Duration::ZERO, Duration::ZERO)
    } else {
        crate::percentiles(&mut sorted)
    };
    let (rate, errors) = match run {
        Some(run) => (format!("{:.0}", run.per_second()), run.errors.to_string()),
        None => (String::new(), String::new()),
    };
    println!(
        "{label:<46} {rate:>10} {:>10.2} {:>10.2} {errors:>8}",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
    );
}

fn client(citizen: bool) -> anyhow::Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    if citizen {
        // The API takes the session cookie only with this header.
        headers.insert(
            "x-requested-with",
            reqwest::header::HeaderValue::from_static("XMLHttpRequest"),
        );
    }
    Ok(reqwest::Client::builder()
        .cookie_store(citizen)
        .default_headers(headers)
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(1024)
        .build()?)
}

/// The requests of one submission.
const STEPS: [&str; 4] = [
    "1 POST /api/v1/drafts",
    "2 PUT /api/v1/drafts/{id} (values)",
    "3 POST /api/v1/drafts/{id}/attachments",
    "4 POST /api/v1/dossiers (submit)",
];

/// One operation's latency, each of its requests' (submissions), and the code made.
type Sample = (Duration, Option<[Duration; 4]>, Option<String>);

/// Runs `op(worker, n)` on `o.concurrency` workers, each one operation
/// after another, until the time is up.
async fn drive<F, Fut>(o: &Options, op: F) -> Run
where
    F: Fn(usize, usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<Sample, String>> + Send,
{
    let started = Instant::now();
    let deadline = started + o.duration;
    let workers: Vec<_> = (0..o.concurrency)
        .map(|worker| {
            let op = op.clone();
            tokio::spawn(async move {
                let mut run = Run::default();
                let mut n = 0;
                while Instant::now() < deadline {
                    match op(worker, n).await {
                        Ok((total, steps, code)) => {
                            run.samples.push(total);
                            for (all, one) in run.steps.iter_mut().zip(steps.into_iter().flatten())
                            {
                                all.push(one);
                            }
                            run.codes.extend(code);
                        }
                        Err(e) => run.error(e),
                    }
                    n += 1;
                }
                run
            })
        })
        .collect();
    let mut all = Run::default();
    for worker in workers {
        match worker.await {
            Ok(run) => all.merge(run),
            Err(e) => all.error(format!("worker failed: {e}")),
        }
    }
    all.elapsed = started.elapsed();
    all
}

async fn get_ok(client: &reqwest::Client, url: &str) -> Result<Duration, String> {
    let t = Instant::now();
    let response = client.get(url).send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    let took = t.elapsed();
    if status != 200 {
        return Err(format!(
            "GET {url}: {status} {}",
            String::from_utf8_lossy(&body)
        ));
    }
    Ok(took)
}

/// Sends a request and returns its JSON body if the status is `expected`.
async fn call(
    request: reqwest::RequestBuilder,
    expected: u16,
    what: &str,
) -> Result<Value, String> {
    let response = request.send().await.map_err(|e| format!("{what}: {e}"))?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| format!("{what}: {e}"))?;
    if status != expected {
        return Err(format!("{what}: {status} {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("{what}: {e}"))
}

async fn submission(
    client: &reqwest::Client,
    base: &str,
    worker: usize,
    n: usize,
) -> Result<Sample, String> {
    let started = Instant::now();
    let mut steps = [Duration::ZERO; 4];
    let agency = AGENCIES[worker % AGENCIES.len()];
    let lap = Instant::now();
    let draft = call(
        client
            .post(format!("{base}/api/v1/drafts"))
            .json(&json!({"procedure_code": PROCEDURE, "agency_code": agency})),
        201,
        "create draft",
    )
    .await?;
    steps[0] = lap.elapsed();
    let id = draft["id"]
        .as_str()
        .ok_or("create draft: no id")?
        .to_owned();
    let lap = Instant::now();
    call(
        client
            .put(format!("{base}/api/v1/drafts/{id}"))
            .json(&json!({"values": {
                "requester_name": "Nguyễn Văn An",
                "document_title": format!("Bằng tốt nghiệp số {worker}-{n}"),
                "issuer": "Trường Đại học Bách khoa Hà Nội",
                "pages": 2,
                "copies": 1,
            }})),
        200,
        "save values",
    )
    .await?;
    steps[1] = lap.elapsed();
    let (content_type, body) = upload_body(&format!("{worker}-{n}"));
    let lap = Instant::now();
    call(
        client
            .post(format!("{base}/api/v1/drafts/{id}/attachments"))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body),
        201,
        "upload",
    )
    .await?;
    steps[2] = lap.elapsed();
    let lap = Instant::now();
    let dossier = call(
        client
            .post(format!("{base}/api/v1/dossiers"))
            .header("idempotency-key", format!("bench-{id}"))
            .json(&json!({"draft_id": id})),
        201,
        "submit",
    )
    .await?;
    steps[3] = lap.elapsed();
    let code = dossier["code"]
        .as_str()
        .ok_or("submit: no code")?
        .to_owned();
    Ok((started.elapsed(), Some(steps), Some(code)))
}

/// A PDF of its own for each submission (a comment line makes it unique),
/// so that every upload stores a new file as a real one would.
fn upload_body(unique: &str) -> (String, Vec<u8>) {
    let (header, rest) = PDF.split_at(PDF.iter().position(|b| *b == b'\n').map_or(0, |i| i + 1));
    let mut body = Vec::with_capacity(PDF.len() + 400);
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"document_key\"\r\n\r\noriginal_scan\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"ban-chinh.pdf\"\r\n\
             Content-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(header);
    body.extend_from_slice(format!("% egov-bench {unique}\n").as_bytes());
    body.extend_from_slice(rest);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

#[derive(Debug, Clone, Copy)]
struct Memory {
    rss_mib: f64,
    hwm_mib: f64,
}

/// VmRSS and VmHWM of a process, from /proc/PID/status.
fn memory(pid: u32) -> anyhow::Result<Memory> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    let field = |name: &str| -> anyhow::Result<f64> {
        let line = status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .with_context(|| format!("no {name} in {path}"))?;
        let kib: f64 = line
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .with_context(|| format!("{name} in {path}"))?;
        Ok(kib / 1024.0)
    };
    Ok(Memory {
        rss_mib: field("VmRSS:")?,
        hwm_mib: field("VmHWM:")?,
    })
}
