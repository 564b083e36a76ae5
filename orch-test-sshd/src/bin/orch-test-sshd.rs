//! Starts the test sshd for scripts (the ssh benchmark): prints `PORT CONFIG USER_KEY` on one
//! line, then serves until its stdin closes.

use std::io::{Read, Write};

fn main() {
    let sshd = orch_test_sshd::Sshd::start();
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "{} {} {}",
        sshd.port,
        sshd.config.display(),
        sshd.user_key.display()
    );
    let _ = out.flush();
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}
