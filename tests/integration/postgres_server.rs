//! A throwaway PostgreSQL server for the tests, one for the whole test binary:
//! Debian's `postgresql` binaries (/usr/lib/postgresql/*/bin), a data folder in a
//! temporary folder, a free port on 127.0.0.1, TLS with a self-signed certificate
//! made by `openssl` for `localhost`.
//!
//! `initdb` refuses to run as root, so as root the server runs as the `postgres`
//! user (`runuser -u postgres --`) in a folder it owns. A small shell watches the
//! test binary and stops the server and removes its folder once the binary has
//! exited, however it ended (a panicking test, a kill): no server outlives the tests.
//!
//! Roles: `fa_admin` (superuser, local socket only), `featurearr` (the reader, any
//! connection), `fa_tls` (TLS connections only) and `fa_plain` (plain ones only),
//! each with the password `PASSWORD`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The password of every test role: searched for in outputs and stores.
pub const PASSWORD: &str = "Pw-7f3a9c-never-shown";

pub struct PgServer {
    pub port: u16,
    /// The server's folder: data, socket, certificate and log.
    pub dir: PathBuf,
    bin: PathBuf,
    /// Run server commands as this user (`postgres` when the tests run as root).
    run_as: Option<String>,
}

static SERVER: OnceLock<PgServer> = OnceLock::new();

/// The test server, started on first use.
pub fn server() -> &'static PgServer {
    SERVER.get_or_init(PgServer::start)
}

impl PgServer {
    fn start() -> PgServer {
        let bin = server_binaries().unwrap_or_else(|| {
            panic!(
                "the PostgreSQL tests need a PostgreSQL server: no /usr/lib/postgresql/*/bin/initdb here. \
                 Run scripts/test, which installs Debian's postgresql package, or apt-get install postgresql"
            )
        });
        let root = output("id", &["-u"]).trim() == "0";
        let run_as = root.then(|| "postgres".to_string());
        let dir = tempfile::Builder::new()
            .prefix("featurearr-pg-")
            .tempdir()
            .unwrap()
            .keep();
        std::fs::write(dir.join("pwfile"), PASSWORD).unwrap();
        make_certificate(&dir);
        if let Some(user) = &run_as {
            // The server's user must own its folder, its key and its password file.
            let ids = |flag: &str| output("id", &[flag, user]).trim().parse::<u32>().unwrap();
            let (uid, gid) = (ids("-u"), ids("-g"));
            for entry in std::fs::read_dir(&dir).unwrap() {
                std::os::unix::fs::chown(entry.unwrap().path(), Some(uid), Some(gid)).unwrap();
            }
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).unwrap();
        }
        set_mode(&dir, 0o755);
        let server = PgServer {
            port: free_port(),
            dir,
            bin,
            run_as,
        };
        server.init();
        server.launch();
        server.setup();
        server
    }

    /// A command for a server program, as the server's user.
    fn server_command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        match &self.run_as {
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", user, "--"]).arg(path);
                cmd
            }
            None => Command::new(path),
        }
    }

    fn init(&self) {
        let data = self.dir.join("data");
        let out = self
            .server_command("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-U", "fa_admin", "-A", "scram-sha-256", "--auth-local=trust"])
            .args(["-E", "UTF8", "--no-locale", "--no-sync"])
            .arg(format!("--pwfile={}", self.dir.join("pwfile").display()))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let hba = "local all all trust\n\
                   hostssl all fa_plain 127.0.0.1/32 reject\n\
                   hostnossl all fa_tls 127.0.0.1/32 reject\n\
                   host all all 127.0.0.1/32 scram-sha-256\n";
        let hba_file = data.join("pg_hba.conf");
        // Written by the server's user: the folder is its own.
        let mut write = self.shell(&format!("cat > '{}'", hba_file.display()));
        write.stdin(Stdio::piped());
        let mut child = write.spawn().unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), hba.as_bytes()).unwrap();
        drop(child.stdin.take());
        assert!(child.wait().unwrap().success());
    }

    /// `sh -c SCRIPT` as the server's user.
    fn shell(&self, script: &str) -> Command {
        match &self.run_as {
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", user, "--", "sh", "-c", script]);
                cmd
            }
            None => {
                let mut cmd = Command::new("sh");
                cmd.args(["-c", script]);
                cmd
            }
        }
    }

    /// Starts the server under a shell that stops it, and removes its folder, once
    /// this test binary has exited; waits until it accepts connections.
    fn launch(&self) {
        let dir = self.dir.display();
        let postgres = self.bin.join("postgres");
        let script = format!(
            "'{postgres}' -D '{dir}/data' -p {port} -k '{dir}' -c listen_addresses=127.0.0.1 \
             -c ssl=on -c ssl_cert_file='{dir}/server.crt' -c ssl_key_file='{dir}/server.key' \
             -c fsync=off -c full_page_writes=off -c synchronous_commit=off >'{dir}/log' 2>&1 &
             server=$!
             while [ -d /proc/{tests} ] && kill -0 $server 2>/dev/null; do sleep 0.3; done
             kill -INT $server 2>/dev/null; wait $server; rm -rf '{dir}'",
            postgres = postgres.display(),
            port = self.port,
            tests = std::process::id(),
        );
        // Never waited for: the shell outlives this binary, to stop the server after it.
        #[allow(clippy::zombie_processes)]
        self.shell(&script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        loop {
            let ready = Command::new(self.bin.join("pg_isready"))
                .args(["-q", "-h"])
                .arg(&self.dir)
                .args(["-p", &self.port.to_string()])
                .status()
                .unwrap()
                .success();
            if ready {
                return;
            }
            if started.elapsed() > Duration::from_secs(60) {
                let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
                panic!("the test PostgreSQL server did not start within 60 s:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Roles, the `app` database and its `workspaces` table holding the basic fixture's flags.
    fn setup(&self) {
        let flags = crate::util::fixtures().join("basic/flags.csv");
        self.psql(
            "postgres",
            &format!(
                "CREATE ROLE featurearr LOGIN PASSWORD '{PASSWORD}';
                 CREATE ROLE fa_tls LOGIN PASSWORD '{PASSWORD}';
                 CREATE ROLE fa_plain LOGIN PASSWORD '{PASSWORD}';
                 CREATE DATABASE app;"
            ),
        );
        self.psql(
            "app",
            &format!(
                "CREATE TABLE workspaces (id text PRIMARY KEY, name text, members integer, sso_enabled boolean,
                     scim_enabled boolean, mfa_enforced boolean, ip_allowlist_enabled boolean, billing_email text);
                 \\copy workspaces (id, name, members, sso_enabled, scim_enabled, mfa_enforced, ip_allowlist_enabled) FROM '{}' CSV HEADER
                 UPDATE workspaces SET billing_email = id || '@example.com';
                 GRANT SELECT (id, name, members, sso_enabled, scim_enabled, mfa_enforced, ip_allowlist_enabled)
                     ON workspaces TO featurearr, fa_tls, fa_plain;",
                flags.display()
            ),
        );
    }

    /// Runs SQL (psql's backslash commands too) in `db` as the superuser, over the socket.
    pub fn psql(&self, db: &str, sql: &str) {
        let mut child = Command::new(self.bin.join("psql"))
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(&self.dir)
            .args(["-p", &self.port.to_string(), "-U", "fa_admin", "-d", db, "-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), sql.as_bytes()).unwrap();
        drop(child.stdin.take());
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "psql failed on {sql}:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `postgresql://USER[:PASSWORD]@127.0.0.1:PORT/app?PARAMS`.
    pub fn url(&self, user: &str, password: Option<&str>, params: &str) -> String {
        let secret = password.map(|p| format!(":{p}")).unwrap_or_default();
        let query = if params.is_empty() {
            String::new()
        } else {
            format!("?{params}")
        };
        format!("postgresql://{user}{secret}@127.0.0.1:{}/app{query}", self.port)
    }

    /// The PEM certificate the server presents (self-signed, for `localhost`).
    pub fn certificate(&self) -> PathBuf {
        self.dir.join("server.crt")
    }
}

/// The newest `/usr/lib/postgresql/N/bin` with an initdb.
fn server_binaries() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// A self-signed certificate and its key for `localhost` (and no IP address, so that
/// `verify-full` to 127.0.0.1 fails on the name), made by `openssl`.
fn make_certificate(dir: &Path) {
    self_signed_certificate(&dir.join("server.crt"), &dir.join("server.key"));
}

/// Writes a new self-signed certificate for `localhost` and its key (mode 0600).
pub fn self_signed_certificate(cert: &Path, key: &Path) {
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ])
        .args(["-days", "2", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-addext", "keyUsage=critical,digitalSignature"])
        .args(["-addext", "extendedKeyUsage=serverAuth"])
        .arg("-keyout")
        .arg(key)
        .arg("-out")
        .arg(cert)
        .output()
        .expect("the PostgreSQL tests make their certificate with `openssl`; apt-get install openssl");
    assert!(
        out.status.success(),
        "openssl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    set_mode(key, 0o600);
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn output(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(out.status.success(), "{program} {args:?} failed");
    String::from_utf8(out.stdout).unwrap()
}
