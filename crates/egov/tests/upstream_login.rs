//! Upstream login end to end, with egov as its own upstream: server A is the
//! identity provider, server B a relying party of A. A citizen signs in on B
//! through A and B links the account by national ID number.

// Test helpers: a failed set-up must fail the test.
#![allow(clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use reqwest::redirect::Policy;
use reqwest::StatusCode;

const BIN: &str = env!("CARGO_BIN_EXE_egov");
const CITIZEN: &str = "001203012345";
const PASSWORD: &str = "demo-congdan-2025";

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data_dir: &str, listen: &str, extra: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--demo",
            "--listen",
            listen,
            "--data-dir",
            data_dir,
        ])
        .args(extra)
        .env("EGOV_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("egov serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines.next().expect("a line before exit").expect("utf-8");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().expect("address").to_owned();
        }
    };
    // Keep reading stdout so that the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let base = match extra.iter().position(|a| *a == "--public-base-url") {
        Some(i) => extra[i + 1].to_owned(),
        None => format!("http://{addr}"),
    };
    Server { child, base }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    l.local_addr().expect("address").port()
}

/// Registers B as a confidential client of A; returns (client id, secret).
fn register_client(a_dir: &str, b_base: &str) -> (String, String) {
    let redirect = format!("{b_base}/dang-nhap/ben-ngoai/callback");
    let out = Command::new(BIN)
        .args(["admin", "client", "register", "--data-dir", a_dir])
        .args(["--name", "Cổng B", "--client-id", "egov-b"])
        .args(["--kind", "confidential", "--redirect-uri", &redirect])
        .args(["--scope", "openid", "--scope", "national_id"])
        .env("EGOV_LOG", "warn")
        .output()
        .expect("egov runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let secret = stdout
        .split("store it now): ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("a client secret")
        .to_owned();
    ("egov-b".into(), secret)
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("client")
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a Location header")
        .to_owned()
}

fn absolute(base: &str, location: &str) -> String {
    if location.starts_with('/') {
        format!("{base}{location}")
    } else {
        location.to_owned()
    }
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&#34;", "\"")
        .replace("&amp;", "&")
}

/// The hidden fields of the first form of a page.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| {
        tag.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(unescape)
    };
    html.split("<input")
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or(""))
        .filter(|tag| tag.contains("type=\"hidden\""))
        .filter_map(|tag| Some((attr(tag, "name")?, attr(tag, "value").unwrap_or_default())))
        .collect()
}

/// Follows redirects within A (sign-in, consent) until one leaves for B.
async fn sign_in_at_a(web: &reqwest::Client, a: &str, authorize: &str) -> String {
    let r = web.get(authorize).send().await.expect("authorize");
    assert!(r.status().is_redirection(), "{}", r.status());
    let sign_in = absolute(a, &location(&r));
    assert!(sign_in.contains("/dang-nhap"), "{sign_in}");
    let page = web.get(&sign_in).send().await.expect("sign-in page");
    let mut form = hidden_fields(&page.text().await.expect("html"));
    form.push(("login".into(), CITIZEN.into()));
    form.push(("password".into(), PASSWORD.into()));
    let r = web
        .post(format!("{a}/dang-nhap"))
        .form(&form)
        .send()
        .await
        .expect("sign in");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let back = absolute(a, &location(&r));
    let consent = web.get(&back).send().await.expect("consent page");
    let status = consent.status();
    let html = consent.text().await.expect("html");
    assert_eq!(status, StatusCode::OK, "{back}\n{html}");
    let mut form = hidden_fields(&html);
    form.push(("decision".into(), "allow".into()));
    let r = web
        .post(format!("{a}/oidc/authorize"))
        .form(&form)
        .send()
        .await
        .expect("consent");
    assert!(r.status().is_redirection(), "{}", r.status());
    location(&r)
}

#[tokio::test]
async fn a_citizen_signs_in_on_b_through_a() {
    let a_dir = tempfile::tempdir().expect("temp dir");
    let b_dir = tempfile::tempdir().expect("temp dir");
    let a_path = a_dir.path().display().to_string();
    let a = serve(&a_path, "127.0.0.1:0", &[]);
    let b_port = free_port();
    // B is reached as `localhost` so that the browser keeps its cookies apart
    // from A's (cookies do not separate ports).
    let b_base = format!("http://localhost:{b_port}");
    let (client_id, secret) = register_client(&a_path, &b_base);
    let b = serve(
        &b_dir.path().display().to_string(),
        &format!("127.0.0.1:{b_port}"),
        &[
            "--upstream-issuer",
            &a.base,
            "--upstream-client-id",
            &client_id,
            "--upstream-client-secret",
            &secret,
            "--upstream-name",
            "Cổng A",
            "--public-base-url",
            &b_base,
        ],
    );
    let web = browser();

    let page = web
        .get(format!("{}/dang-nhap", b.base))
        .send()
        .await
        .expect("B sign-in");
    let html = page.text().await.expect("html");
    assert!(html.contains("/dang-nhap/ben-ngoai"), "no upstream button");
    assert!(html.contains("Cổng A"));

    // A forged callback (no login started, wrong state) is refused.
    let forged = web
        .get(format!(
            "{}/dang-nhap/ben-ngoai/callback?code=x&state=y",
            b.base
        ))
        .send()
        .await
        .expect("forged callback");
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);

    let r = web
        .get(format!(
            "{}/dang-nhap/ben-ngoai?next=/tai-khoan/phien",
            b.base
        ))
        .send()
        .await
        .expect("start");
    assert!(r.status().is_redirection(), "{}", r.status());
    let authorize = location(&r);
    assert!(
        authorize.starts_with(&format!("{}/oidc/authorize?", a.base)),
        "{authorize}"
    );

    let callback = sign_in_at_a(&web, &a.base, &authorize).await;
    assert!(callback.starts_with(&format!("{}/dang-nhap/ben-ngoai/callback?", b.base)));

    // The state is checked: the right code with a wrong state opens no session.
    let tampered = callback.replace("state=", "state=x");
    let r = web.get(&tampered).send().await.expect("tampered callback");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let me = web
        .get(format!("{}/api/v1/me", b.base))
        .header("X-Requested-With", "XMLHttpRequest")
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);

    // The tampered attempt used up the pending login: start again.
    let r = web
        .get(format!(
            "{}/dang-nhap/ben-ngoai?next=/tai-khoan/phien",
            b.base
        ))
        .send()
        .await
        .expect("start again");
    let authorize = location(&r);
    let r = web.get(&authorize).send().await.expect("authorize again");
    // Signed in at A and consent remembered: straight back to B.
    assert!(r.status().is_redirection(), "{}", r.status());
    let callback = location(&r);
    assert!(
        callback.contains("/dang-nhap/ben-ngoai/callback?"),
        "{callback}"
    );
    let r = web.get(&callback).send().await.expect("callback");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/tai-khoan/phien");

    let me = web
        .get(format!("{}/api/v1/me", b.base))
        .header("X-Requested-With", "XMLHttpRequest")
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), StatusCode::OK);
    let body = me.text().await.expect("json");
    assert!(body.contains(CITIZEN), "{body}");

    // The pending login is used once: replaying the callback is refused.
    let replay = web.get(&callback).send().await.expect("replay");
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
}
