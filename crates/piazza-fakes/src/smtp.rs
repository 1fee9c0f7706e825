//! A local SMTP sink: a real SMTP server on 127.0.0.1 that speaks just
//! enough of RFC 5321 (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) to
//! take messages from a client and keep them for the test to read. It can
//! be told to refuse the next transactions with a code (451, a temporary
//! failure; 550, a permanent one), to test retries.
//!
//! ```
//! let sink = piazza_fakes::smtp::SmtpSink::start();
//! assert!(sink.port() > 0);
//! assert!(sink.messages().is_empty());
//! ```

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A message the sink accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body, as sent (dot-unstuffed, CRLF line ends).
    pub data: String,
}

impl Received {
    /// The value of the first header `name` (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut() {
                if line.starts_with([' ', '\t']) {
                    v.push_str(line);
                    continue;
                }
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case(name)
            {
                value = Some(v.trim().to_string());
            }
        }
        value
    }
}

#[derive(Default)]
struct State {
    messages: Vec<Received>,
    /// Refuse this many transactions at RCPT with `refuse_code`.
    refuse: usize,
    refuse_code: u16,
}

/// The sink. Stops when dropped.
pub struct SmtpSink {
    port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl SmtpSink {
    /// A sink on a free port of 127.0.0.1, serving on its own thread.
    pub fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the SMTP sink");
        let port = listener.local_addr().expect("the sink's address").port();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(conn) = conn {
                    let st = st.clone();
                    std::thread::spawn(move || {
                        let _ = serve(conn, &st);
                    });
                }
            }
        });
        SmtpSink { port, state, stop }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every message accepted so far, in order.
    pub fn messages(&self) -> Vec<Received> {
        self.state.lock().expect("sink state").messages.clone()
    }

    /// Refuses the next `n` transactions with `code` (4xx: temporary,
    /// 5xx: permanent) at the RCPT command.
    pub fn refuse_next(&self, n: usize, code: u16) {
        let mut s = self.state.lock().expect("sink state");
        s.refuse = n;
        s.refuse_code = code;
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(conn: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(20)))?;
    let mut out = conn.try_clone()?;
    let mut reader = BufReader::new(conn);
    let mut reply = |line: &str| -> std::io::Result<()> {
        out.write_all(line.as_bytes())?;
        out.write_all(b"\r\n")?;
        out.flush()
    };
    reply("220 piazza-sink ESMTP")?;
    let (mut from, mut to): (Option<String>, Vec<String>) = (None, Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end_matches(['\r', '\n']);
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            reply("250-piazza-sink")?;
            reply("250 8BITMIME")?;
        } else if upper.starts_with("HELO") {
            reply("250 piazza-sink")?;
        } else if upper.starts_with("MAIL FROM:") {
            from = Some(address(&cmd[10..]));
            to.clear();
            reply("250 OK")?;
        } else if upper.starts_with("RCPT TO:") {
            let refused = {
                let mut s = state.lock().expect("sink state");
                if s.refuse > 0 {
                    s.refuse -= 1;
                    Some(s.refuse_code)
                } else {
                    None
                }
            };
            match refused {
                Some(code) if code < 500 => reply(&format!("{code} 4.3.0 try again later"))?,
                Some(code) => reply(&format!("{code} 5.1.1 mailbox unavailable"))?,
                None => {
                    to.push(address(&cmd[8..]));
                    reply("250 OK")?;
                }
            }
        } else if upper == "DATA" {
            if from.is_none() || to.is_empty() {
                reply("503 5.5.1 need MAIL and RCPT first")?;
                continue;
            }
            reply("354 end data with <CR><LF>.<CR><LF>")?;
            let mut data = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                let l = line.trim_end_matches(['\r', '\n']);
                if l == "." {
                    break;
                }
                data.push_str(l.strip_prefix('.').unwrap_or(l));
                data.push_str("\r\n");
            }
            state.lock().expect("sink state").messages.push(Received {
                from: from.take().unwrap_or_default(),
                to: std::mem::take(&mut to),
                data,
            });
            reply("250 OK queued")?;
        } else if upper == "RSET" {
            from = None;
            to.clear();
            reply("250 OK")?;
        } else if upper == "NOOP" {
            reply("250 OK")?;
        } else if upper == "QUIT" {
            reply("221 bye")?;
            return Ok(());
        } else {
            reply("502 5.5.2 command not implemented")?;
        }
    }
}

/// `<a@b> SIZE=...` -> `a@b`.
fn address(arg: &str) -> String {
    let arg = arg.trim();
    match (arg.find('<'), arg.find('>')) {
        (Some(a), Some(b)) if a < b => arg[a + 1..b].to_string(),
        _ => arg.split_whitespace().next().unwrap_or("").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_is_read_case_insensitively_and_unfolded() {
        let r = Received {
            from: "a@b".into(),
            to: vec!["c@d".into()],
            data: "Subject: uno\r\n due\r\nTo: c@d\r\n\r\nSubject: not a header\r\n".into(),
        };
        assert_eq!(r.header("subject").as_deref(), Some("uno due"));
        assert_eq!(r.header("TO").as_deref(), Some("c@d"));
        assert_eq!(r.header("From"), None);
        assert_eq!(address("<x@y> SIZE=10"), "x@y");
    }
}
