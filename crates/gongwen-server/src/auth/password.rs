//! Argon2id password hashing (the `argon2` crate's defaults: Argon2id v19,
//! m = 19 MiB, t = 2, p = 1, as OWASP recommends).
//!
//! Hashing is CPU-bound and deliberately slow (tens of milliseconds, 19 MiB each), so
//! the async wrappers run it on the blocking pool through one process-wide [`Gate`]:
//! at most one hash per CPU core at a time, the rest wait in line. A login storm (a
//! whole county signing in at 8:30) therefore queues instead of starting hundreds of
//! hashes that fight over two cores and time out together. The line is bounded by
//! time: when the work already waiting would keep a newcomer more than
//! [`MAX_QUEUE_WAIT`], [`verify_gated`] answers [`Busy`] at once with how long to
//! wait, and the login endpoint turns that into 503 with `Retry-After`.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

use crate::error::{Error, Result};

pub const MIN_LEN: usize = gongwen_protocol::auth::PASSWORD_MIN_LEN;
pub const MAX_LEN: usize = gongwen_protocol::auth::PASSWORD_MAX_LEN;

/// Why a new password is refused: a stable code
/// ([`gongwen_protocol::auth::password_codes`]) and a zh-CN message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PolicyViolation {
    pub code: &'static str,
    pub message: String,
}

/// The policy for a password a person chooses (a change or an administrator's reset):
/// [`MIN_LEN`] to [`MAX_LEN`] characters, and not the login name (compared without
/// case and surrounding blanks). Whether it equals the old one is the caller's check.
pub fn check_new(login: &str, password: &str) -> std::result::Result<(), PolicyViolation> {
    use gongwen_protocol::auth::password_codes as codes;
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(PolicyViolation {
            code: codes::TOO_SHORT,
            message: format!("新密码太短：至少需要 {MIN_LEN} 个字符"),
        });
    }
    if n > MAX_LEN {
        return Err(PolicyViolation {
            code: codes::TOO_LONG,
            message: format!("新密码太长：最多 {MAX_LEN} 个字符"),
        });
    }
    if password.trim().to_lowercase() == login.trim().to_lowercase() {
        return Err(PolicyViolation {
            code: codes::SAME_AS_LOGIN,
            message: "新密码不能与用户名相同".to_owned(),
        });
    }
    Ok(())
}

/// Check the password policy.
pub fn check_policy(password: &str) -> Result<()> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(Error::Invalid(format!(
            "密码太短：至少需要 {MIN_LEN} 个字符"
        )));
    }
    if n > MAX_LEN {
        return Err(Error::Invalid(format!("密码太长：最多 {MAX_LEN} 个字符")));
    }
    Ok(())
}

/// Hash a password (after checking the policy).
pub fn hash(password: &str) -> Result<String> {
    check_policy(password)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::Invalid(format!("无法生成随机数：{e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Invalid(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Invalid(format!("无法计算密码摘要：{e}")))
}

/// Verify a password against a stored PHC string. A missing hash verifies
/// against a dummy one so that unknown users take as long as known ones.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let stored = match stored {
        Some(s) => s,
        None => {
            let _ = verify(password, Some(dummy_hash()));
            return false;
        }
    };
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash("gongwen-dummy-password").unwrap_or_default())
}

/// The longest a login waits in line for a hashing slot before it is turned away.
pub const MAX_QUEUE_WAIT: Duration = Duration::from_secs(10);

/// What one Argon2id hash costs before any has been measured.
const INITIAL_COST: Duration = Duration::from_millis(50);

/// The hashing line is full: try again after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("登录的人较多，请在 {} 秒后重试", .retry_after.as_secs())]
pub struct Busy {
    /// When the work queued now should be done, plus a random spread of up to as
    /// much again (whole seconds, at least 1).
    pub retry_after: Duration,
}

/// A bounded line in front of the blocking pool for CPU-heavy hashing: `slots` run at
/// once, and a newcomer is turned away when the line ahead of it would take longer
/// than `max_wait` (estimated from the measured cost of recent hashes).
#[derive(Debug)]
pub struct Gate {
    slots: Arc<tokio::sync::Semaphore>,
    slot_count: usize,
    waiting: AtomicUsize,
    /// Moving average of one hash's duration, in microseconds.
    cost_us: AtomicU64,
    max_wait: Duration,
}

/// Decrements the waiting count however the wait ends (also when the request is
/// cancelled because the client went away).
struct InLine<'a>(&'a AtomicUsize);

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Gate {
    pub fn new(slots: usize, max_wait: Duration, initial_cost: Duration) -> Gate {
        let slots = slots.max(1);
        Gate {
            slots: Arc::new(tokio::sync::Semaphore::new(slots)),
            slot_count: slots,
            waiting: AtomicUsize::new(0),
            cost_us: AtomicU64::new(initial_cost.as_micros().max(1) as u64),
            max_wait,
        }
    }

    /// The process-wide gate: one slot per CPU core.
    pub fn global() -> &'static Gate {
        static GATE: OnceLock<Gate> = OnceLock::new();
        GATE.get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            Gate::new(cores, MAX_QUEUE_WAIT, INITIAL_COST)
        })
    }

    /// Requests waiting for a slot now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }

    /// How long a newcomer would wait for its hash to be done.
    pub fn estimated_wait(&self) -> Duration {
        let cost = Duration::from_micros(self.cost_us.load(Ordering::Relaxed));
        let ahead = self.waiting() as u32 + 1;
        cost * ahead / self.slot_count as u32
    }

    /// Runs `f` on the blocking pool when a slot is free, or answers [`Busy`] at once
    /// when the line is longer than the gate's `max_wait`.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> std::result::Result<T, Busy> {
        let wait = self.estimated_wait();
        if wait > self.max_wait {
            // Come back when the line ahead has drained, plus a random share of that
            // again: everyone turned away in the same second must not return in the
            // same second (the load bench saw that herd bounce ten times).
            let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
            let mut r = [0u8; 8];
            let spread = match getrandom::fill(&mut r) {
                Ok(()) => u64::from_le_bytes(r) % (secs + 1),
                Err(_) => 0,
            };
            return Err(Busy {
                retry_after: Duration::from_secs((secs + spread).clamp(1, 240)),
            });
        }
        Ok(self.queue(f).await)
    }

    /// Runs `f` on the blocking pool when a slot is free, however long the line.
    pub async fn queue<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        self.waiting.fetch_add(1, Ordering::AcqRel);
        let in_line = InLine(&self.waiting);
        let permit = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("the gate's semaphore is never closed");
        drop(in_line);
        // The permit travels with the work: a cancelled request does not free the
        // slot while its hash still runs.
        let (out, took) = tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let out = f();
            drop(permit);
            (out, started.elapsed())
        })
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        // Moving average over about eight hashes.
        let took = took.as_micros().max(1) as u64;
        let _ = self
            .cost_us
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
                Some((old * 7 + took) / 8)
            });
        out
    }
}

/// [`hash`] through the global [`Gate`] (waits its turn; never refused).
pub async fn hash_blocking(password: String) -> Result<String> {
    Gate::global().queue(move || hash(&password)).await
}

/// [`verify`] through the global [`Gate`], waiting however long the line is.
pub async fn verify_blocking(password: String, stored: Option<String>) -> bool {
    Gate::global()
        .queue(move || verify(&password, stored.as_deref()))
        .await
}

/// [`verify`] through the global [`Gate`], or [`Busy`] when the line is too long.
pub async fn verify_gated(
    password: String,
    stored: Option<String>,
) -> std::result::Result<bool, Busy> {
    Gate::global()
        .run(move || verify(&password, stored.as_deref()))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("正确的密码123").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("正确的密码123", Some(&h)));
        assert!(!verify("错误的密码123", Some(&h)));
        assert!(!verify("正确的密码123", None));
        assert!(!verify("x", Some("not a phc string")));
        assert_ne!(hash("正确的密码123").unwrap(), h, "salted");
    }

    #[tokio::test]
    async fn the_gate_runs_one_per_slot_and_turns_away_beyond_its_line() {
        // One slot; each hash is assumed to take 400 ms; turn away past 1 s of line.
        let gate = Arc::new(Gate::new(
            1,
            Duration::from_secs(1),
            Duration::from_millis(400),
        ));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let (started, mut has_started) = tokio::sync::mpsc::unbounded_channel::<()>();
        // The first occupies the slot until released.
        let first = {
            let gate = gate.clone();
            tokio::spawn(async move {
                gate.run(move || {
                    started.send(()).unwrap();
                    hold.recv().unwrap();
                    1
                })
                .await
            })
        };
        has_started.recv().await.unwrap();
        // Two wait in line (0.4 s and 0.8 s ahead of them)…
        let mut queued = Vec::new();
        for n in [2, 3] {
            let in_line = gate.clone();
            queued.push(tokio::spawn(async move { in_line.run(move || n).await }));
            while gate.waiting() < n - 1 {
                tokio::task::yield_now().await;
            }
        }
        // …the next would wait 1.2 s: turned away with when to come back.
        // (1.2 s rounds up to 2; the spread adds up to as much again.)
        let busy = gate.run(|| 4).await.unwrap_err();
        let secs = busy.retry_after.as_secs();
        assert!((2..=4).contains(&secs), "{secs}");
        assert!(busy.to_string().contains(&format!("{secs} 秒后重试")));
        // `queue` never turns anyone away.
        let patient = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.queue(|| 5).await })
        };
        release.send(()).unwrap();
        assert_eq!(first.await.unwrap(), Ok(1));
        for (q, n) in queued.into_iter().zip([2, 3]) {
            assert_eq!(q.await.unwrap(), Ok(n));
        }
        assert_eq!(patient.await.unwrap(), 5);
        assert_eq!(gate.waiting(), 0);
    }

    #[tokio::test]
    async fn a_cancelled_wait_leaves_the_line() {
        let gate = Arc::new(Gate::new(1, Duration::from_secs(60), INITIAL_COST));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let (started, mut has_started) = tokio::sync::mpsc::unbounded_channel::<()>();
        let first = {
            let gate = gate.clone();
            tokio::spawn(async move {
                gate.queue(move || {
                    started.send(()).unwrap();
                    hold.recv().unwrap();
                })
                .await
            })
        };
        has_started.recv().await.unwrap();
        let waiter = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.queue(|| ()).await })
        };
        while gate.waiting() < 1 {
            tokio::task::yield_now().await;
        }
        waiter.abort();
        let _ = waiter.await;
        assert_eq!(gate.waiting(), 0);
        release.send(()).unwrap();
        first.await.unwrap();
    }

    #[test]
    fn a_chosen_password_is_long_enough_and_not_the_login() {
        use gongwen_protocol::auth::password_codes as codes;
        assert_eq!(
            check_new("clerk", "short").unwrap_err().code,
            codes::TOO_SHORT
        );
        assert_eq!(
            check_new("clerk", &"长".repeat(MAX_LEN + 1))
                .unwrap_err()
                .code,
            codes::TOO_LONG
        );
        let same = check_new("zhangsan01", " ZhangSan01 ").unwrap_err();
        assert_eq!(same.code, codes::SAME_AS_LOGIN);
        assert!(same.message.contains("用户名"));
        // Eight characters, counted as characters (not bytes).
        assert!(check_new("clerk", "八个汉字的新密码").is_ok());
        assert!(check_new("clerk", "七个汉字的密码").is_err());
    }

    #[test]
    fn policy() {
        assert!(hash("short").unwrap_err().to_string().contains("太短"));
        assert!(check_policy(&"x".repeat(MAX_LEN + 1)).is_err());
    }
}
