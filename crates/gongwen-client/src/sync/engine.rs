//! The staged engine: pull → blobs → push → pull again (acknowledge).

use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;

use gongwen_protocol::PROTOCOL_VERSION;
use gongwen_protocol::sync::{
    BlobAnnounce, BlobStatus, MAX_CHUNK, PullRequest, PullResponse, PushRequest, SCHEMA_VERSION,
    codes,
};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::transport::{Transport, TransportError};
use super::{SyncError, apply, outbox};
use crate::Client;
use crate::flow::rows::{CST, ts};
use crate::store::blobs::parse_ref;

/// Mutations per push request.
pub const PUSH_BATCH: usize = 500;
/// Ops per bucket per pull page.
pub const PULL_LIMIT: u32 = 1000;
/// How many times one sync pulls a bucket again after a checksum mismatch before
/// giving up (a server that keeps answering wrong checksums).
const MAX_RESETS: usize = 2;

/// What one full sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    /// Pull answers applied.
    pub pages: u64,
    /// Ops applied.
    pub ops: u64,
    /// Mutations the server applied (rows removed from the outbox).
    pub applied: u64,
    /// Mutations the server refused (kept as rejected, with the reason).
    pub rejected: u64,
    /// Blobs uploaded / downloaded.
    pub uploaded: u64,
    pub downloaded: u64,
    /// Buckets pulled again after a checksum mismatch.
    pub resets: u64,
    /// Rows still waiting (0 after a complete sync).
    pub pending: u64,
}

/// Progress of a running sync: (done, total) units of the current stage.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// The sync engine over a transport. Each stage is a method, usable on its own.
pub struct Engine<T: Transport> {
    client: Arc<Client>,
    transport: T,
    progress: Option<Progress>,
}

impl<T: Transport> std::fmt::Debug for Engine<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

impl<T: Transport> Engine<T> {
    pub fn new(client: Arc<Client>, transport: T) -> Engine<T> {
        Engine {
            client,
            transport,
            progress: None,
        }
    }

    /// Reports progress (pages, mutations, bytes) to `f`.
    pub fn with_progress(mut self, f: Progress) -> Engine<T> {
        self.progress = Some(f);
        self
    }

    pub fn client(&self) -> &Arc<Client> {
        &self.client
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    fn progress(&self, done: u64, total: u64) {
        if let Some(p) = &self.progress {
            p(done, total);
        }
    }

    fn stamp(&self) -> String {
        ts(self.client.now().to_offset(CST))
    }

    /// Runs store work (SQLite transactions, blob files) on tokio's blocking pool: a
    /// sync never stalls the runtime's workers, which the app's commands, the status
    /// feed and the reachability probe share.
    async fn store<R, E>(
        &self,
        f: impl FnOnce(&Client) -> Result<R, E> + Send + 'static,
    ) -> Result<R, SyncError>
    where
        R: Send + 'static,
        E: Send + 'static,
        SyncError: From<E>,
    {
        let client = self.client.clone();
        match tokio::task::spawn_blocking(move || f(&client)).await {
            Ok(r) => r.map_err(SyncError::from),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // The runtime is shutting down: nothing was done, the next sync redoes it.
            Err(_) => Err(SyncError::Store(crate::Error::Busy)),
        }
    }

    /// A full sync: pull, upload blobs, push, pull again. Succeeds only when every
    /// pending row was answered by the server and the last pull completed.
    pub async fn sync(&self) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        let result = async {
            self.pull(&mut report).await?;
            self.download_blobs(&mut report).await?;
            let pushed = self.push(&mut report).await?;
            if pushed > 0 {
                self.pull(&mut report).await?;
                self.download_blobs(&mut report).await?;
            }
            Ok::<_, SyncError>(())
        }
        .await;
        // Local work, whether or not the network stages succeeded.
        self.build_search_index().await?;
        report.pending = self.store(|c| c.sync_pending()).await?;
        let now = self.stamp();
        match &result {
            Ok(()) => {
                self.store(move |c| {
                    c.db.write(|tx| {
                        outbox::client(tx, &now)?;
                        tx.execute(
                    "UPDATE sync_client SET last_success_at = ?1, last_error = NULL WHERE id = 1",
                    [&now],
                )?;
                        tx.execute(
                            "UPDATE sync_state SET online = 1, last_sync_at = ?1 WHERE id = 1",
                            [&now],
                        )?;
                        Ok(())
                    })
                })
                .await?
            }
            Err(e) => {
                let online = !matches!(e, SyncError::Transport(t) if t.is_offline());
                let msg = e.to_string();
                self.store(move |c| {
                    c.db.write(|tx| {
                        outbox::client(tx, &now)?;
                        tx.execute(
                            "UPDATE sync_client SET last_error = ?1 WHERE id = 1",
                            [&msg],
                        )?;
                        tx.execute("UPDATE sync_state SET online = ?1 WHERE id = 1", [online])?;
                        Ok(())
                    })
                })
                .await?
            }
        }
        result?;
        if report.pending > 0 {
            return Err(SyncError::Incomplete {
                pending: report.pending,
            });
        }
        Ok(report)
    }

    /// Index stage: indexes the drafts a large pull left unindexed (store/search.rs,
    /// deferred indexing; [`Client::build_search_index`]); search finds those drafts
    /// meanwhile. Returns how many.
    pub async fn build_search_index(&self) -> Result<u64, SyncError> {
        self.store(|c| c.build_search_index()).await
    }

    /// Pull stage: every bucket, page after page, until nothing more; each answer in
    /// one transaction with its cursors and checksums.
    ///
    /// Pipelined: while a page is applied (SQLite, on the blocking pool), the next one
    /// is already requested with the cursors the page will leave ([`next_request`]),
    /// so the network and the decoding of page k+1 overlap the apply of page k. Pages
    /// are still applied one at a time, in order, each with its own cursors: the answer
    /// fetched ahead is used only if the request the store's cursors make after the
    /// apply is exactly the one it answers (a checksum mismatch, a dropped bucket or a
    /// failed apply discard it). A failed fetch ahead is handled as if it had been made
    /// after the apply: the applied page stays committed with its cursors, and the
    /// error (or BUCKET_RESET) is taken at the next turn.
    pub async fn pull(&self, report: &mut SyncReport) -> Result<(), SyncError> {
        let mut resets: std::collections::BTreeMap<String, usize> = Default::default();
        // The answer fetched during the last apply, with the request it answers.
        let mut ahead: Option<(PullRequest, Result<PullResponse, TransportError>)> = None;
        loop {
            let now = self.stamp();
            let (client_id, cursors) = self
                .store(move |c| {
                    c.db.write(|tx| {
                        let me = outbox::client(tx, &now)?;
                        let cursors = tx
                            .prepare("SELECT bucket, cursor FROM sync_buckets")?
                            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
                            .collect::<rusqlite::Result<_>>()?;
                        Ok((me.client_id, cursors))
                    })
                })
                .await?;
            let req = PullRequest {
                protocol: PROTOCOL_VERSION,
                schema_version: SCHEMA_VERSION,
                client_id,
                cursors,
                limit: PULL_LIMIT,
            };
            let answer = match ahead.take() {
                Some((asked, answer)) if asked == req => answer,
                _ => self.transport.pull(&req).await,
            };
            let resp = match answer {
                Ok(r) => r,
                Err(TransportError::Conflict(e)) if e.code == codes::BUCKET_RESET => {
                    let bucket = e.bucket.clone().ok_or_else(|| {
                        TransportError::BadResponse("BUCKET_RESET 没有指明数据分区".into())
                    })?;
                    let n = resets.entry(bucket.clone()).or_default();
                    *n += 1;
                    if *n > MAX_RESETS {
                        return Err(SyncError::ResetLoop(bucket));
                    }
                    let dropped = bucket.clone();
                    self.store(move |c| {
                        crate::flow::write(&c.db, |tx| {
                            apply::drop_bucket(tx, &dropped)?;
                            Ok(())
                        })
                    })
                    .await?;
                    report.resets += 1;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let next = next_request(&req, &resp);
            let now = self.client.now();
            // The page moves to the blocking pool and comes back (its resets are read below).
            let applying = self.store(move |c| {
                let mut resp = resp;
                crate::flow::write(&c.db, |tx| {
                    apply::apply_response(tx, &mut resp, &c.user, now)
                })
                .map(|applied| (applied, resp))
            });
            let (applied, resp) = match next {
                Some(next) => {
                    let (applied, fetched) = tokio::join!(applying, self.transport.pull(&next));
                    ahead = Some((next, fetched));
                    applied?
                }
                None => applying.await?,
            };
            report.pages += 1;
            report.ops += applied.ops;
            self.progress(report.pages, report.pages + u64::from(applied.more));
            for bucket in &applied.mismatched {
                let n = resets.entry(bucket.clone()).or_default();
                *n += 1;
                report.resets += 1;
                if *n > MAX_RESETS {
                    return Err(SyncError::ResetLoop(bucket.clone()));
                }
            }
            if applied.removed {
                self.store(|c| c.collect_garbage()).await?;
            }
            if !applied.more && applied.mismatched.is_empty() && resp.resets.is_empty() {
                return Ok(());
            }
        }
    }

    /// Push stage: uploads the blobs the rows need, then sends the unresolved rows in
    /// `push_seq` order and records the answers. Returns the number of rows resolved.
    pub async fn push(&self, report: &mut SyncReport) -> Result<u64, SyncError> {
        self.upload_blobs(report).await?;
        let mut resolved = 0;
        let mut regaps = 0;
        loop {
            let now = self.stamp();
            let stamp = now.clone();
            let (client_id, batch) = self
                .store(move |c| {
                    c.db.write(|tx| outbox::prepare_batch(tx, &stamp, PUSH_BATCH))
                })
                .await?;
            if batch.is_empty() {
                return Ok(resolved);
            }
            let total = batch.len() as u64;
            tracing::debug!(
                first = batch.first().map(|o| o.local_seq),
                count = total,
                "pushing"
            );
            let req = PushRequest {
                protocol: PROTOCOL_VERSION,
                schema_version: SCHEMA_VERSION,
                client_id,
                mutations: batch.into_iter().map(|o| o.mutation).collect(),
            };
            let resp = match self.transport.push(&req).await {
                Ok(r) => r,
                Err(TransportError::Conflict(e)) if e.code == codes::SEQ_GAP => {
                    let first = req.mutations[0].seq;
                    match e.expected_seq {
                        // The server has consumed rows we still hold: the next batch
                        // starts at the same place, and the server answers the replays.
                        Some(x) if x > first => {
                            self.store(move |c| c.db.write(|tx| outbox::acknowledge(tx, x - 1)))
                                .await?;
                        }
                        // The server lost rows it had acknowledged: start over as a
                        // new client.
                        _ => {
                            let now = now.clone();
                            self.store(move |c| c.db.write(|tx| outbox::reregister(tx, &now)))
                                .await?;
                        }
                    }
                    regaps += 1;
                    if regaps > 3 {
                        return Err(TransportError::Conflict(e).into());
                    }
                    continue;
                }
                Err(TransportError::Conflict(e)) if e.code == codes::CLIENT_UNKNOWN => {
                    regaps += 1;
                    if regaps > 3 {
                        return Err(TransportError::Conflict(e).into());
                    }
                    let now = now.clone();
                    self.store(move |c| c.db.write(|tx| outbox::reregister(tx, &now)))
                        .await?;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            if resp
                .results
                .iter()
                .any(|r| !req.mutations.iter().any(|m| m.seq == r.seq))
            {
                return Err(TransportError::BadResponse("应答中有未发送的操作序号".into()).into());
            }
            let now = self.client.now();
            let (results, last) = (resp.results.clone(), resp.last_applied_seq);
            let rec = self
                .store(move |c| {
                    crate::flow::write(&c.db, |tx| {
                        outbox::record_results(tx, &c.user, &results, last, now)
                    })
                })
                .await?;
            report.applied += rec.applied;
            report.rejected += rec.rejected;
            resolved += rec.applied + rec.rejected;
            self.progress(rec.applied + rec.rejected, total);
            if rec.retry {
                if rec.blob_missing {
                    self.upload_blobs(report).await?;
                    regaps += 1;
                    if regaps <= 3 {
                        continue;
                    }
                }
                return Err(SyncError::RetryLater(
                    resp.results
                        .last()
                        .map(outbox::rejection_reason)
                        .unwrap_or_default(),
                ));
            }
            if rec.applied + rec.rejected == 0 {
                // The server answered without consuming anything and without a
                // retryable rejection: do not spin.
                return Err(TransportError::BadResponse("服务器没有处理任何操作".into()).into());
            }
        }
    }

    /// Uploads every blob the waiting rows need and the server does not have:
    /// announce, then PATCH chunks from the server's offset; the server verifies the
    /// hash at the end.
    pub async fn upload_blobs(&self, report: &mut SyncReport) -> Result<(), SyncError> {
        let deps = self.store(|c| c.db.read(outbox::blob_deps)).await?;
        let store = self.client.blobs();
        for dep in deps {
            let Some(hash) = parse_ref(&dep).map(str::to_owned) else {
                continue;
            };
            let key = hash.clone();
            let done: Option<String> = self
                .store(move |c| {
                    c.db.read(|c| {
                        Ok(c.query_row(
                            "SELECT state FROM blob_transfers WHERE hash = ?1 AND direction = 'up'",
                            [&key],
                            |r| r.get(0),
                        )
                        .optional()?)
                    })
                })
                .await?;
            if done.as_deref() == Some("done") {
                continue;
            }
            let path = store.path(&hash);
            let size = store.size(&hash)?;
            let answer = self
                .transport
                .blob_announce(&BlobAnnounce {
                    id: dep.clone(),
                    size,
                })
                .await?;
            if answer.status == BlobStatus::Upload {
                let url = answer
                    .upload_url
                    .clone()
                    .ok_or_else(|| TransportError::BadResponse("上传应答缺少 upload_url".into()))?;
                let mut offset = answer.offset;
                let mut file = store.open(&hash)?;
                let mut mismatches = 0;
                while offset < size {
                    let len = (size - offset).min(MAX_CHUNK);
                    let mut chunk = vec![0; len as usize];
                    file.seek(SeekFrom::Start(offset))
                        .and_then(|_| file.read_exact(&mut chunk))
                        .map_err(|e| crate::Error::io(path.clone(), e))?;
                    match self.transport.blob_patch(&url, offset, chunk).await {
                        Ok(next) if next > offset && next <= size => offset = next,
                        Ok(_) => {
                            return Err(
                                TransportError::BadResponse("上传偏移量不正确".into()).into()
                            );
                        }
                        Err(TransportError::Conflict(e)) if e.code == codes::OFFSET_MISMATCH => {
                            mismatches += 1;
                            if mismatches > 3 {
                                return Err(TransportError::Conflict(e).into());
                            }
                            offset = self.transport.blob_offset(&url).await?;
                        }
                        Err(e) => return Err(e.into()),
                    }
                    let stamp = self.stamp();
                    let (key, at) = (hash.clone(), url.clone());
                    self.store(move |c| {
                        c.db.write(|tx| {
                            tx.execute(
                                "INSERT INTO blob_transfers (hash, direction, size, upload_url, offset, updated_at)
                                 VALUES (?1, 'up', ?2, ?3, ?4, ?5)
                                 ON CONFLICT (hash, direction) DO UPDATE SET upload_url = excluded.upload_url,
                                     offset = excluded.offset, updated_at = excluded.updated_at",
                                params![key, size as i64, at, offset as i64, stamp],
                            )?;
                            Ok(())
                        })
                    })
                    .await?;
                    self.progress(offset, size);
                }
                report.uploaded += 1;
            }
            let stamp = self.stamp();
            self.store(move |c| {
                c.db.write(|tx| {
                    tx.execute(
                        "INSERT INTO blob_transfers (hash, direction, size, offset, state, updated_at)
                         VALUES (?1, 'up', ?2, ?2, 'done', ?3)
                         ON CONFLICT (hash, direction) DO UPDATE SET state = 'done',
                             offset = excluded.offset, updated_at = excluded.updated_at",
                        params![hash, size as i64, stamp],
                    )?;
                    Ok(())
                })
            })
            .await?;
        }
        Ok(())
    }

    /// Downloads the attachments of pulled entities that are not local yet, with
    /// ranges, resuming from the partial file; verified by hash before it is kept.
    pub async fn download_blobs(&self, report: &mut SyncReport) -> Result<(), SyncError> {
        // Downloads no entity wants any more (revoked, withdrawn) are dropped, with
        // their partial files.
        let stale: Vec<String> = self.store(|c| c.db.write(|tx| {
            let stale: Vec<String> = tx
                .prepare(
                    "SELECT hash FROM blob_transfers t WHERE direction = 'down' AND state = 'pending'
                       AND NOT EXISTS (SELECT 1 FROM entity_blobs e WHERE e.hash = t.hash)",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for hash in &stale {
                tx.execute(
                    "DELETE FROM blob_transfers WHERE hash = ?1 AND direction = 'down'",
                    [hash],
                )?;
            }
            Ok(stale)
        })).await?;
        let wanted: Vec<String> = self
            .store(move |c| {
                let blobs = c.blobs();
                for hash in stale {
                    let partial = blobs.partial_path(&hash);
                    if let Err(e) = std::fs::remove_file(&partial)
                        && e.kind() != std::io::ErrorKind::NotFound
                    {
                        return Err(crate::Error::io(partial, e));
                    }
                }
                c.db.read(|c| {
                    Ok(c.prepare(
                        "SELECT hash FROM blob_transfers WHERE direction = 'down' AND state = 'pending'",
                    )?
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?)
                })
            })
            .await?;
        let store = self.client.blobs();
        for hash in wanted {
            // Sealed as it arrives (store::sealed::PartialSeal): no plaintext on disk,
            // resumed after the last whole chunk kept.
            let mut partial = store.open_partial(&hash)?;
            let mut have = partial.have();
            while !partial.is_complete() {
                let got = self
                    .transport
                    .blob_get(&format!("sha256:{hash}"), have, MAX_CHUNK)
                    .await?;
                if got.bytes.is_empty() && have < got.total {
                    return Err(TransportError::BadResponse("附件下载没有数据".into()).into());
                }
                if have + got.bytes.len() as u64 > got.total {
                    return Err(
                        TransportError::BadResponse("附件下载的数据超过其大小".into()).into(),
                    );
                }
                partial
                    .append(&got.bytes, got.total)
                    .map_err(|e| crate::Error::io(store.partial_path(&hash), e))?;
                have = partial.have();
                self.progress(have, got.total);
            }
            drop(partial);
            let stamp = self.stamp();
            // Check the whole file against its name, keep it and record it: blocking
            // work, off the runtime.
            let verified = self
                .store(move |c| {
                    let blob = match c.blobs().adopt_partial(&hash) {
                        Ok(blob) => blob,
                        Err(crate::Error::BlobCorrupt(_)) => return Ok(Err(hash)),
                        Err(e) => return Err(e.into()),
                    };
                    crate::flow::write(&c.db, |tx| {
                        crate::store::blobs::record(tx, &blob, &stamp)?;
                        tx.execute(
                            "UPDATE blob_transfers SET state = 'done', size = ?2, offset = ?2, updated_at = ?3
                             WHERE hash = ?1 AND direction = 'down'",
                            params![hash, blob.size as i64, stamp],
                        )?;
                        apply::link_blob(tx, &hash)
                    })?;
                    Ok::<_, SyncError>(Ok(()))
                })
                .await?;
            if let Err(hash) = verified {
                return Err(TransportError::BadResponse(format!(
                    "下载的附件内容与编号 sha256:{hash} 不符，已丢弃"
                ))
                .into());
            }
            report.downloaded += 1;
        }
        Ok(())
    }
}

/// The request the store will make after `resp` (answering `req`) is applied as
/// expected, when another page is to be pulled; `None` when this is the last page or
/// the answer resets a bucket (then the next request depends on what the apply does).
/// Mirrors [`apply::apply_response`]: removed and reset buckets leave, added ones start
/// at 0, and every bucket of a page moves its cursor to the page's `next` (never back).
fn next_request(req: &PullRequest, resp: &PullResponse) -> Option<PullRequest> {
    if !resp.resets.is_empty() || !resp.buckets.values().any(|p| p.has_more) {
        return None;
    }
    let mut cursors = req.cursors.clone();
    for bucket in &resp.removed_buckets {
        cursors.remove(bucket);
    }
    for bucket in &resp.added_buckets {
        cursors.entry(bucket.clone()).or_insert(0);
    }
    for (bucket, page) in &resp.buckets {
        if resp.removed_buckets.contains(bucket) {
            continue;
        }
        let cursor = cursors.entry(bucket.clone()).or_insert(0);
        *cursor = page.next.max(*cursor);
    }
    Some(PullRequest {
        cursors,
        ..req.clone()
    })
}
