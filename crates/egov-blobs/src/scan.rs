//! Virus-scan hooks: none, or a command that reads the file on its standard
//! input (`clamdscan -`, `clamscan -`).

use std::io;
use std::path::PathBuf;
use std::process::Stdio;

use async_trait::async_trait;
use egov_ports::blobs::{BlobError, ScanVerdict, VirusScanner};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// Scans nothing: every file is clean. For development and for deployments
/// that scan elsewhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoScan;

#[async_trait]
impl VirusScanner for NoScan {
    async fn scan(&self, _bytes: &[u8]) -> Result<ScanVerdict, BlobError> {
        Ok(ScanVerdict::Clean)
    }
}

/// Runs `program args…` with the file on its standard input. Exit status 0
/// is clean, 1 infected (the signature is taken from standard output: the
/// name in a ClamAV `stream: NAME FOUND` line, else the first line), anything
/// else — or a clean verdict from a scanner that stopped reading before the
/// end of the file — is an error. This is the convention of `clamdscan -`
/// and `clamscan -`.
///
/// The command gets no time limit here; the caller may wrap the scan in
/// `tokio::time::timeout`: dropping the scan kills the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandScanner {
    pub program: PathBuf,
    pub args: Vec<String>,
}

impl CommandScanner {
    pub fn new(
        program: impl Into<PathBuf>,
        args: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
        }
    }
}

#[async_trait]
impl VirusScanner for CommandScanner {
    async fn scan(&self, bytes: &[u8]) -> Result<ScanVerdict, BlobError> {
        let program = self.program.display();
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| BlobError::Scanner(format!("cannot start {program}: {e}")))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| BlobError::Scanner(format!("no standard input for {program}")))?;
        // Write while reading the output, so neither side waits on a full pipe.
        let write = async move {
            let written = stdin.write_all(bytes).await;
            drop(stdin); // end of file for the scanner
            written
        };
        let (written, output) = tokio::join!(write, child.wait_with_output());
        let output = output.map_err(|e| BlobError::Scanner(format!("{program} failed: {e}")))?;
        match output.status.code() {
            Some(0) => match written {
                Ok(()) => Ok(ScanVerdict::Clean),
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(BlobError::Scanner(
                    format!("{program} said clean without reading the whole file"),
                )),
                Err(e) => Err(BlobError::Scanner(format!(
                    "cannot send the file to {program}: {e}"
                ))),
            },
            // A scanner may stop reading once it has found something.
            Some(1) => Ok(ScanVerdict::Infected {
                signature: signature(&String::from_utf8_lossy(&output.stdout)),
            }),
            _ => Err(BlobError::Scanner(format!(
                "{program} exited with {}: {}",
                output.status,
                excerpt(&String::from_utf8_lossy(&output.stderr))
            ))),
        }
    }
}

/// The signature name in a scanner's report: `NAME` from a ClamAV
/// `stream: NAME FOUND` line, else the first non-empty line, else `unknown`.
fn signature(stdout: &str) -> String {
    let lines = || stdout.lines().map(str::trim).filter(|l| !l.is_empty());
    let found = lines().find_map(|line| {
        let rest = line.strip_suffix(" FOUND")?;
        Some(rest.rsplit_once(": ").map_or(rest, |(_, name)| name).trim())
    });
    match found.or_else(|| lines().next()) {
        Some(name) if !name.is_empty() => excerpt(name),
        _ => "unknown".to_owned(),
    }
}

/// At most 200 characters, trimmed.
fn excerpt(text: &str) -> String {
    text.trim().chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_from_clamav_reports() {
        let clamdscan = "stream: Win.Test.EICAR_HDB-1 FOUND\n\n----------- SCAN SUMMARY -----------\nInfected files: 1\n";
        assert_eq!(signature(clamdscan), "Win.Test.EICAR_HDB-1");
        assert_eq!(
            signature("stdin: Eicar-Signature FOUND\n"),
            "Eicar-Signature"
        );
        assert_eq!(signature("Eicar-Signature FOUND"), "Eicar-Signature");
    }

    #[test]
    fn signature_from_other_reports() {
        assert_eq!(signature("\n  bad thing\nmore\n"), "bad thing");
        assert_eq!(signature(""), "unknown");
        assert_eq!(signature(" \n\n"), "unknown");
        assert_eq!(signature(&"x".repeat(500)).len(), 200);
    }

    #[tokio::test]
    async fn no_scan_is_always_clean() {
        assert_eq!(NoScan.scan(b"X5O!P%@AP").await.unwrap(), ScanVerdict::Clean);
    }
}
