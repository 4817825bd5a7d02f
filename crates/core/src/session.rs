//! Client sessions with the stdlib's explicit-resumption model.
//!
//! CPython never resumes on its own: a client resumes only when handed an
//! `SSLSession` (`session=` or the `session` attribute). So each client
//! connection gets its own [`SessionSlot`] as its rustls session store: the
//! slot offers only the session it was given, and captures whatever the
//! server issues so that it can be read back as a new [`Session`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::client::{ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::pki_types::ServerName;
use rustls::NamedGroup;

/// OpenSSL's default session timeout in seconds, reported as `SSLSession.timeout`.
pub const DEFAULT_TIMEOUT: u64 = 7200;
/// Most TLS 1.3 tickets kept per session; servers send two by default.
const MAX_TICKETS: usize = 8;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The resumption material of one TLS session, as `SSLSession` exposes it.
#[derive(Debug)]
pub struct Session {
    id: Vec<u8>,
    time: u64,
    context_id: u64,
    tls12: Option<Tls12ClientSessionValue>,
    /// TLS 1.3 tickets are single-use in rustls, so they are taken one per resumption.
    tls13: Mutex<Vec<Tls13ClientSessionValue>>,
}

impl Session {
    /// The session id: the same for every connection that resumed this session.
    pub fn id(&self) -> &[u8] {
        &self.id
    }

    /// When the session was established, in seconds since the epoch.
    pub fn time(&self) -> u64 {
        self.time
    }

    /// How long the session stays resumable, in seconds.
    pub fn timeout(&self) -> u64 {
        DEFAULT_TIMEOUT
    }

    /// Whether the server issued a ticket (TLS 1.3) or resumable TLS 1.2 state.
    pub fn has_ticket(&self) -> bool {
        self.tls12.is_some() || !lock(&self.tls13).is_empty()
    }

    /// The ticket lifetime hint. rustls does not expose the server's hint,
    /// so a held ticket reports the session timeout.
    pub fn ticket_lifetime_hint(&self) -> u64 {
        if self.has_ticket() {
            DEFAULT_TIMEOUT
        } else {
            0
        }
    }

    /// The id of the context whose connections created this session.
    pub fn context_id(&self) -> u64 {
        self.context_id
    }
}

/// Remembers which key-exchange group each server chose, across connections
/// of one context, so that later handshakes avoid a HelloRetryRequest.
#[derive(Debug, Default)]
pub struct KxHints(Mutex<HashMap<ServerName<'static>, NamedGroup>>);

/// The session store of a single client connection.
#[derive(Debug)]
pub struct SessionSlot {
    context_id: u64,
    hints: Arc<KxHints>,
    state: Mutex<SlotState>,
}

#[derive(Debug, Default)]
struct SlotState {
    offered: Option<Arc<Session>>,
    tls12: Option<Tls12ClientSessionValue>,
    tls13: Vec<Tls13ClientSessionValue>,
    established_at: Option<u64>,
    snapshot: Option<Arc<Session>>,
    /// Set once the handshake is done: whether it resumed `offered`.
    resumed: Option<bool>,
}

impl SlotState {
    /// The session whose tickets this connection's new tickets refresh: the
    /// offered one, once the handshake has resumed it.
    fn refreshing(&self) -> Option<&Arc<Session>> {
        match self.resumed {
            Some(true) => self.offered.as_ref(),
            _ => None,
        }
    }
}

/// Adds a ticket to a list, dropping the oldest beyond [`MAX_TICKETS`].
fn keep_ticket(list: &mut Vec<Tls13ClientSessionValue>, value: Tls13ClientSessionValue) {
    if list.len() >= MAX_TICKETS {
        list.remove(0);
    }
    list.push(value);
}

impl SessionSlot {
    /// A slot for a connection of context `context_id`, offering `offered` if given.
    pub fn new(context_id: u64, hints: Arc<KxHints>, offered: Option<Arc<Session>>) -> Self {
        SessionSlot {
            context_id,
            hints,
            state: Mutex::new(SlotState {
                offered,
                ..SlotState::default()
            }),
        }
    }

    /// The session this connection was asked to resume.
    pub fn offered(&self) -> Option<Arc<Session>> {
        lock(&self.state).offered.clone()
    }

    /// Records how the handshake ended. A connection that resumed the offered
    /// session gives the TLS 1.3 tickets it receives to that session: each
    /// resumption spends one of its single-use tickets, and the server's new
    /// ones replace it, so one session object resumes again and again, as an
    /// OpenSSL session does (FTP data channels resume the control session).
    pub fn handshake_done(&self, resumed: bool) {
        let mut st = lock(&self.state);
        if st.resumed.is_some() {
            return;
        }
        st.resumed = Some(resumed);
        if let Some(offered) = st.refreshing().cloned() {
            let early = std::mem::take(&mut st.tls13);
            let mut tickets = lock(&offered.tls13);
            for t in early {
                keep_ticket(&mut tickets, t);
            }
        }
    }

    /// The connection's current session, once its handshake is done.
    ///
    /// A resumed connection keeps the id of the session it resumed, so the
    /// result compares equal to it, as in OpenSSL. A resumed TLS 1.3
    /// connection's session is the very session it resumed, which holds the
    /// tickets the connection received.
    pub fn current(&self, resumed: bool) -> Arc<Session> {
        self.handshake_done(resumed);
        let mut st = lock(&self.state);
        if st.tls12.is_none() {
            if let Some(offered) = st.refreshing() {
                return offered.clone();
            }
        }
        let fresh = st.tls12.is_some() || !st.tls13.is_empty();
        if let Some(snapshot) = &st.snapshot {
            if !fresh {
                return snapshot.clone();
            }
        }
        let id = match (&st.offered, resumed) {
            (Some(offered), true) => offered.id.clone(),
            _ => st
                .snapshot
                .as_ref()
                .map(|s| s.id.clone())
                .unwrap_or_else(|| crate::random_bytes(32).unwrap_or_else(|_| vec![0; 32])),
        };
        let time = *st.established_at.get_or_insert_with(now_secs);
        let previous_tls13 = st
            .snapshot
            .as_ref()
            .map(|s| std::mem::take(&mut *lock(&s.tls13)))
            .unwrap_or_default();
        let mut tls13 = previous_tls13;
        tls13.append(&mut st.tls13);
        let tls12 = st
            .tls12
            .take()
            .or_else(|| st.snapshot.as_ref().and_then(|s| s.tls12.clone()));
        let session = Arc::new(Session {
            id,
            time,
            context_id: self.context_id,
            tls12,
            tls13: Mutex::new(tls13),
        });
        st.snapshot = Some(session.clone());
        session
    }
}

impl ClientSessionStore for SessionSlot {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        lock(&self.hints.0).insert(server_name, group);
    }

    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        lock(&self.hints.0).get(server_name).copied()
    }

    fn set_tls12_session(&self, _server_name: ServerName<'static>, value: Tls12ClientSessionValue) {
        lock(&self.state).tls12 = Some(value);
    }

    fn tls12_session(&self, _server_name: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        lock(&self.state).offered.as_ref()?.tls12.clone()
    }

    fn remove_tls12_session(&self, _server_name: &ServerName<'static>) {}

    fn insert_tls13_ticket(
        &self,
        _server_name: ServerName<'static>,
        value: Tls13ClientSessionValue,
    ) {
        let mut st = lock(&self.state);
        if let Some(offered) = st.refreshing() {
            keep_ticket(&mut lock(&offered.tls13), value);
        } else if st.tls13.len() < MAX_TICKETS {
            // Kept for as long as the connection lives: no spare capacity.
            st.tls13.reserve_exact(1);
            st.tls13.push(value);
        }
    }

    fn take_tls13_ticket(
        &self,
        _server_name: &ServerName<'static>,
    ) -> Option<Tls13ClientSessionValue> {
        let offered = lock(&self.state).offered.clone()?;
        let mut tickets = lock(&offered.tls13);
        tickets.pop()
    }
}

/// Handshake and session counters of one context (`session_stats()`).
#[derive(Debug, Default)]
pub struct Stats {
    /// Client handshakes started.
    pub connect: AtomicU64,
    /// Client handshakes completed.
    pub connect_good: AtomicU64,
    /// Server handshakes started.
    pub accept: AtomicU64,
    /// Server handshakes completed.
    pub accept_good: AtomicU64,
    /// Handshakes that resumed a session.
    pub hits: AtomicU64,
    /// Resumption attempts that fell back to a full handshake.
    pub misses: AtomicU64,
}

impl Stats {
    /// Adds one to a counter.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// `(name, value)` pairs in the stdlib's key order.
    pub fn snapshot(&self) -> [(&'static str, u64); 11] {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        [
            ("number", 0),
            ("connect", get(&self.connect)),
            ("connect_good", get(&self.connect_good)),
            ("connect_renegotiate", 0),
            ("accept", get(&self.accept)),
            ("accept_good", get(&self.accept_good)),
            ("accept_renegotiate", 0),
            ("hits", get(&self.hits)),
            ("misses", get(&self.misses)),
            ("timeouts", 0),
            ("cache_full", 0),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Tickets need a real handshake: conn/tests.rs covers storing, taking
    // and refilling them; these cover the slot without any.

    #[test]
    fn a_slot_without_tickets_keeps_one_session() {
        let slot = SessionSlot::new(7, Arc::default(), None);
        assert!(slot.offered().is_none());
        let first = slot.current(false);
        assert!(!first.has_ticket());
        assert_eq!(first.ticket_lifetime_hint(), 0);
        assert_eq!((first.context_id(), first.timeout()), (7, DEFAULT_TIMEOUT));
        assert_eq!(first.id().len(), 32);
        assert!(Arc::ptr_eq(&first, &slot.current(false)));

        // A slot offering it has no ticket to take, so a handshake is full.
        let next = SessionSlot::new(7, Arc::default(), Some(first.clone()));
        assert!(Arc::ptr_eq(&next.offered().unwrap(), &first));
        let name = ServerName::try_from("localhost").unwrap();
        assert!(next.take_tls13_ticket(&name).is_none());
        assert!(next.tls12_session(&name).is_none());
        let fresh = next.current(false);
        assert!(!Arc::ptr_eq(&fresh, &first));
        assert_ne!(fresh.id(), first.id());
        // How the handshake ended is recorded once.
        next.handshake_done(true);
        assert!(!Arc::ptr_eq(&next.current(true), &first));
    }

    #[test]
    fn a_resumed_slot_answers_with_the_offered_session() {
        let offered = SessionSlot::new(3, Arc::default(), None).current(false);
        let slot = SessionSlot::new(3, Arc::default(), Some(offered.clone()));
        assert!(Arc::ptr_eq(&slot.current(true), &offered));
    }

    #[test]
    fn key_exchange_hints_are_shared_by_a_contexts_slots() {
        let hints = Arc::new(KxHints::default());
        let one = SessionSlot::new(1, hints.clone(), None);
        let two = SessionSlot::new(1, hints, None);
        let name = ServerName::try_from("example.com").unwrap();
        assert_eq!(two.kx_hint(&name), None);
        one.set_kx_hint(name.clone(), NamedGroup::X25519);
        assert_eq!(two.kx_hint(&name), Some(NamedGroup::X25519));
    }

    #[test]
    fn stats_come_in_the_stdlib_order() {
        let stats = Stats::default();
        Stats::bump(&stats.connect);
        Stats::bump(&stats.connect);
        Stats::bump(&stats.hits);
        let names: Vec<_> = stats.snapshot().iter().map(|(k, _)| *k).collect();
        assert_eq!(
            names,
            [
                "number",
                "connect",
                "connect_good",
                "connect_renegotiate",
                "accept",
                "accept_good",
                "accept_renegotiate",
                "hits",
                "misses",
                "timeouts",
                "cache_full"
            ]
        );
        let snap = stats.snapshot();
        assert_eq!((snap[1].1, snap[7].1, snap[2].1), (2, 1, 0));
    }
}
