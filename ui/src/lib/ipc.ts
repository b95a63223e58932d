/**
 * The one door between the UI and the Rust side: the only file that calls `invoke`.
 *
 * Every command either resolves with its typed result or rejects with a {@link CommandError}.
 * The UI branches on `error.code`, never on the message text; the message is already
 * written in Chinese for the user and can be shown as it is.
 */
import { invoke } from "@tauri-apps/api/core";
import type { CommandError as WireCommandError } from "../bindings/CommandError";
import type { DraftRow } from "../bindings/DraftRow";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { QueueCounts } from "../bindings/QueueCounts";
import type { StoreInfo } from "../bindings/StoreInfo";
import type { StoreLock } from "../bindings/StoreLock";
import type { StoreLockKind } from "../bindings/StoreLockKind";
import type { SyncStatus } from "../bindings/SyncStatus";
import type { ActRequest } from "../bindings/ActRequest";
import type { ActResult } from "../bindings/ActResult";
import type { DiffPiece } from "../bindings/DiffPiece";
import type { DraftDetail } from "../bindings/DraftDetail";
import type { ElementDiff } from "../bindings/ElementDiff";
import type { FlowCounts } from "../bindings/FlowCounts";
import type { FlowDetail } from "../bindings/FlowDetail";
import type { HandlerLine } from "../bindings/HandlerLine";
import type { LintFinding } from "../bindings/LintFinding";
import type { NextChoice } from "../bindings/NextChoice";
import type { OpinionLine } from "../bindings/OpinionLine";
import type { OutboxRow } from "../bindings/OutboxRow";
import type { QueueName } from "../bindings/QueueName";
import type { QueuePage } from "../bindings/QueuePage";
import type { QueueQuery } from "../bindings/QueueQuery";
import type { QueueRow } from "../bindings/QueueRow";
import type { RejectedRow } from "../bindings/RejectedRow";
import type { ReturnTarget } from "../bindings/ReturnTarget";
import type { SavedDraft } from "../bindings/SavedDraft";
import type { StepLine } from "../bindings/StepLine";
import type { SubmitResult } from "../bindings/SubmitResult";
import type { TaskAction } from "../bindings/TaskAction";
import type { TaskDetail } from "../bindings/TaskDetail";
import type { VersionComparison } from "../bindings/VersionComparison";
import type { VersionRow } from "../bindings/VersionRow";
import type { AutosaveOutcome } from "../bindings/AutosaveOutcome";
import type { ConflictComparison } from "../bindings/ConflictComparison";
import type { ConflictCopyRow } from "../bindings/ConflictCopyRow";
import type { ConflictField } from "../bindings/ConflictField";
import type { ExportedPdf } from "../bindings/ExportedPdf";
import type { PersonRow } from "../bindings/PersonRow";
import type { PrintedJob } from "../bindings/PrintedJob";
import type { PrintJob } from "../bindings/PrintJob";
import type { AboutInfo } from "../bindings/AboutInfo";
import type { AccountInfo } from "../bindings/AccountInfo";
import type { FontRole } from "../bindings/FontRole";
import type { FontSize } from "../bindings/FontSize";
import type { FontsInfo } from "../bindings/FontsInfo";
import type { PrinterList } from "../bindings/PrinterList";
import type { Profile } from "../bindings/Profile";
import type { ServerCheck } from "../bindings/ServerCheck";
import type { Settings } from "../bindings/Settings";
import type { SettingsUpdate } from "../bindings/SettingsUpdate";
import type { SetupStatus } from "../bindings/SetupStatus";
import type { IncomingCounts } from "../bindings/IncomingCounts";
import type { IncomingDetail } from "../bindings/IncomingDetail";
import type { IncomingFileRow } from "../bindings/IncomingFileRow";
import type { IncomingListPage } from "../bindings/IncomingListPage";
import type { IncomingQuery } from "../bindings/IncomingQuery";
import type { IncomingRow } from "../bindings/IncomingRow";
import type { IncomingStage } from "../bindings/IncomingStage";
import type { InstructRequest } from "../bindings/InstructRequest";
import type { RecipientRow } from "../bindings/RecipientRow";
import type { RegisterRequest } from "../bindings/RegisterRequest";
import type { RegisterResult } from "../bindings/RegisterResult";
import type { RegistrationInfo } from "../bindings/RegistrationInfo";
import type { RouteChoice } from "../bindings/RouteChoice";
import type { FirstStepChoice } from "../bindings/FirstStepChoice";
import type { PersonChoice } from "../bindings/PersonChoice";
import type { SentDocumentRow } from "../bindings/SentDocumentRow";
import type { SignResult } from "../bindings/SignResult";
import type { MarkedText } from "../bindings/MarkedText";
import type { SearchHitRow } from "../bindings/SearchHitRow";
import type { SearchKind } from "../bindings/SearchKind";
import type { SearchResult } from "../bindings/SearchResult";
import type { OutgoingDetail } from "../bindings/OutgoingDetail";
import type { OutgoingListPage } from "../bindings/OutgoingListPage";
import type { OutgoingQuery } from "../bindings/OutgoingQuery";
import type { OutgoingRow } from "../bindings/OutgoingRow";
import type { GwDocument } from "./document";

export type { DraftRow, ErrorCode, QueueCounts, StoreInfo, SyncStatus, GwDocument };
export type { StoreLock, StoreLockKind };
export type { AutosaveOutcome, ConflictComparison, ConflictCopyRow, ConflictField, ExportedPdf, PersonRow, PrintedJob, PrintJob };
export type { ActRequest, ActResult, DiffPiece, DraftDetail, ElementDiff, FlowCounts, FlowDetail, HandlerLine, LintFinding, NextChoice, OpinionLine, OutboxRow, QueueName, QueuePage, QueueQuery, QueueRow, RejectedRow, ReturnTarget, SavedDraft, StepLine, SubmitResult, TaskAction, TaskDetail, VersionComparison, VersionRow };

/**
 * Codes the UI can see: those sent by Rust, plus `bridge_unavailable` when the Tauri bridge
 * itself is missing or broken (for example the page was opened in a plain browser).
 */
export type UiErrorCode = ErrorCode | "bridge_unavailable";

export class CommandError extends Error {
  readonly code: UiErrorCode;

  constructor(code: UiErrorCode, message: string) {
    super(message);
    this.name = "CommandError";
    this.code = code;
  }

  /** Turns whatever `invoke` rejected with into a typed error. */
  static from(raw: unknown): CommandError {
    if (raw instanceof CommandError) return raw;
    if (isWireCommandError(raw)) return new CommandError(raw.code, raw.message);
    return new CommandError("bridge_unavailable", "无法连接公文通后台服务，请关闭后重新打开公文通。");
  }
}

function isWireCommandError(raw: unknown): raw is WireCommandError {
  return (
    typeof raw === "object" &&
    raw !== null &&
    typeof (raw as { code?: unknown }).code === "string" &&
    typeof (raw as { message?: unknown }).message === "string"
  );
}

/**
 * Until the first 待办 page is painted: when each command was first asked (`ask-…`) and
 * first answered (`got-…`), for the desktop bench's breakdown of the start (sent by
 * lib/startupProbe.ts with the `todo-painted` mark, and only written down when the app
 * runs with GONGWEN_STARTUP_PROBE). `null` once taken: nothing is recorded after that.
 */
let startupCalls: Map<string, number> | null = new Map();

function noteStartup(name: string) {
  if (startupCalls && !startupCalls.has(name)) startupCalls.set(name, performance.timeOrigin + performance.now());
}

/** The start's command milestones, once; later calls get an empty map. */
export function takeStartupCalls(): Map<string, number> {
  const calls = startupCalls ?? new Map<string, number>();
  startupCalls = null;
  return calls;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  const probe = command === "startup_mark" ? null : command.replaceAll("_", "-");
  if (probe) noteStartup(`ask-${probe}`);
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw CommandError.from(raw);
  } finally {
    if (probe) noteStartup(`got-${probe}`);
  }
}

/** Counts of the work queues shown beside the navigation (待办, 待阅, 草稿 …). */
export function queueCounts(): Promise<QueueCounts> {
  return call<QueueCounts>("queue_counts");
}

/** Connection and outbox state for the status bar. */
export function syncStatus(): Promise<SyncStatus> {
  return call<SyncStatus>("sync_status");
}

/** Where the local data lives and which schema it has (设置 · 关于). */
export function storeInfo(): Promise<StoreInfo> {
  return call<StoreInfo>("store_info");
}

/** Why the local store is shut (口令 needed, no keychain …), or null when it is open. */
export function storeLock(): Promise<StoreLock | null> {
  return call<StoreLock | null>("store_lock");
}

/** Opens the store with a passphrase (creates it when there is no keychain and no store yet). */
export function unlockStore(passphrase: string): Promise<void> {
  return call<void>("unlock_store", { passphrase });
}

/** One page of my drafts, most recently changed first. */
export function listDrafts(limit: number, offset: number): Promise<DraftRow[]> {
  return call<DraftRow[]>("list_drafts", { limit, offset });
}

/** One page of a queue (待办, 已办, 待阅 …), filtered. */
export function queue(name: QueueName, query: QueueQuery, offset: number, limit: number): Promise<QueuePage> {
  return call<QueuePage>("queue", { name, query, offset, limit });
}

/** The counts of every queue, and of actions the server refused. */
export function flowCounts(): Promise<FlowCounts> {
  return call<FlowCounts>("flow_counts");
}

/** The 办理 page of a task. */
export function taskView(taskId: string): Promise<TaskDetail> {
  return call<TaskDetail>("task_view", { taskId });
}

/** Acts on a task (同意, 退回, 加签 …); recorded here and queued to sync. */
export function act(request: ActRequest): Promise<ActResult> {
  return call<ActResult>("act", { request });
}

/** 送审 a draft, on the named route or the one its 文种 calls for. */
export function submitDraft(draftId: string, route: string | null): Promise<SubmitResult> {
  return call<SubmitResult>("submit_draft", { draftId, route });
}

/** The 发文 routes a draft may be sent on. */
export function routeNames(): Promise<string[]> {
  return call<string[]>("route_names");
}

/** Opens a draft at its newest version. */
export function openDraft(draftId: string): Promise<DraftDetail> {
  return call<DraftDetail>("open_draft", { draftId });
}

/** A new draft whose first version is `document`. */
export function createDraft(document: GwDocument): Promise<SavedDraft> {
  return call<SavedDraft>("create_draft", { document });
}

/** Saves a new version of a draft (nothing is written when it did not change). */
export function saveDraft(draftId: string, document: GwDocument, baseVersion: number | null): Promise<SavedDraft> {
  return call<SavedDraft>("save_draft", { draftId, document, baseVersion });
}

/** 自动保存: the editor's content into the draft's working copy (no new version). */
export function autosaveDraft(draftId: string, document: GwDocument, baseVersion: number): Promise<AutosaveOutcome> {
  return call<AutosaveOutcome>("autosave_draft", { draftId, document, baseVersion });
}

/** 保存: a version from the working copy; null when nothing was unsaved. */
export function commitWorkingCopy(draftId: string): Promise<SavedDraft | null> {
  return call<SavedDraft | null>("commit_working_copy", { draftId });
}

/** 放弃修改: drops the working copy; the head version stays. */
export function discardWorkingCopy(draftId: string): Promise<boolean> {
  return call<boolean>("discard_working_copy", { draftId });
}

/** Deletes a draft with its versions. */
export function deleteDraft(draftId: string): Promise<void> {
  return call<void>("delete_draft", { draftId });
}

/** Every version of a draft, newest first. */
export function draftHistory(draftId: string): Promise<VersionRow[]> {
  return call<VersionRow[]>("draft_history", { draftId });
}

/** What changed from version `from` to version `to`, and who changed it. */
export function compareVersions(draftId: string, from: number, to: number): Promise<VersionComparison> {
  return call<VersionComparison>("compare_versions", { draftId, from, to });
}

/** 行文规则 findings of a document as typed. */
export function lintDocument(document: GwDocument): Promise<LintFinding[]> {
  return call<LintFinding[]>("lint_document", { document });
}

/** The document laid out as it will print (GB/T 9704), as PDF bytes. */
export function printPdf(document: GwDocument): Promise<ArrayBuffer> {
  return call<ArrayBuffer>("print_pdf", { document });
}

/** Changes waiting to be sent, and refused ones. */
export function outbox(): Promise<OutboxRow[]> {
  return call<OutboxRow[]>("outbox");
}

/** Actions the server refused, with the reason and the text the user typed. */
export function rejectedActions(): Promise<RejectedRow[]> {
  return call<RejectedRow[]>("rejected_actions");
}

/** 重试 a refused action. */
export function retryRejected(seq: number): Promise<ActResult> {
  return call<ActResult>("retry_rejected", { seq });
}

/** 放弃 a refused action. */
export function discardRejected(seq: number): Promise<void> {
  return call<void>("discard_rejected", { seq });
}

/** The PDF of a print job: the document, or a form (发文稿纸, 收文处理笺) of a task's flow. */
export function renderPdf(job: PrintJob): Promise<ArrayBuffer> {
  return call<ArrayBuffer>("render_pdf", { job });
}

/** 导出PDF: writes the job's PDF to `path` (chosen in the save dialog). */
export function exportPdf(job: PrintJob, path: string): Promise<ExportedPdf> {
  return call<ExportedPdf>("export_pdf", { job, path });
}

/** 打印: sends the job to the default printer (or the named one), `copies` times. */
export function printJob(job: PrintJob, copies: number, printer: string | null = null): Promise<PrintedJob> {
  return call<PrintedJob>("print_job", { job, copies, printer });
}

/** Everyone in the local directory (通讯录), by organ, department and name. */
export function directory(): Promise<PersonRow[]> {
  return call<PersonRow[]>("directory");
}

/** 冲突副本 of a draft: saves that lost to another save on the server. */
export function draftConflicts(draftId: string): Promise<ConflictCopyRow[]> {
  return call<ConflictCopyRow[]>("draft_conflicts", { draftId });
}

/**
 * 处理冲突副本: keep the current version (`document` null) or save `document` (the copy,
 * or a merge) as the next version. The copy is resolved for good: on the server and on
 * every device of the draft, also after a restart.
 */
export function resolveConflict(draftId: string, copyId: string, document: GwDocument | null): Promise<SavedDraft> {
  return call<SavedDraft>("resolve_conflict", { draftId, copyId, document });
}

/** The current version beside a conflict copy, element by element. */
export function compareConflict(draftId: string, copyId: string): Promise<ConflictComparison> {
  return call<ConflictComparison>("compare_conflict", { draftId, copyId });
}

// ---------------------------------------------------------------------------
// First run, account, settings and 关于 (src-tauri/src/commands/{session,settings,app}.rs)
// ---------------------------------------------------------------------------

export type { AboutInfo, AccountInfo, FontRole, FontSize, FontsInfo, PrinterList, Profile, ServerCheck, Settings, SettingsUpdate, SetupStatus };

/** Whether to show the first-run setup, and what is configured. */
export function setupStatus(): Promise<SetupStatus> {
  return call<SetupStatus>("setup_status");
}

/** 测试连接: the server's health and protocol compatibility; nothing is saved. */
export function checkServer(server: string, caFile: string | null): Promise<ServerCheck> {
  return call<ServerCheck>("check_server", { server, caFile });
}

/** 登录: on success the store works as that user and sync starts. */
export function login(server: string, login: string, password: string, caFile: string | null): Promise<AccountInfo> {
  return call<AccountInfo>("login", { server, login, password, caFile });
}

/** 离线试用: a local-only profile. */
export function startOffline(): Promise<SetupStatus> {
  return call<SetupStatus>("start_offline");
}

/** 退出登录: local data stays; the setup screen shows again. */
export function logout(): Promise<SetupStatus> {
  return call<SetupStatus>("logout");
}

/**
 * 修改密码 (online only). Rejects with `wrong_password` (mark the current-password field),
 * `weak_password` (mark the new-password field), `offline`, `unauthorized` or `refused`.
 * On success this device stays logged in; the user's other devices must log in again.
 */
export function changePassword(current: string, newPassword: string): Promise<void> {
  return call<void>("change_password", { current, newPassword });
}

/** 立即同步. */
export function syncNow(): Promise<SyncStatus> {
  return call<SyncStatus>("sync_now");
}

export function getSettings(): Promise<Settings> {
  return call<Settings>("get_settings");
}

export function saveSettings(update: SettingsUpdate): Promise<Settings> {
  return call<Settings>("save_settings", { update });
}

/** The printers CUPS lists, and the system default. */
export function printers(): Promise<PrinterList> {
  return call<PrinterList>("printers");
}

/** Which official fonts were found and which free fonts stand in. */
export function fonts(): Promise<FontsInfo> {
  return call<FontsInfo>("fonts");
}

export function about(): Promise<AboutInfo> {
  return call<AboutInfo>("about");
}

/** Shows the data folder in the file manager. */
export function openDataDir(): Promise<void> {
  return call<void>("open_data_dir");
}

/** 导出诊断信息 to `path` (.tar.gz); resolves with its size in bytes. */
export function exportDiagnostics(path: string): Promise<number> {
  return call<number>("export_diagnostics", { path });
}

/**
 * A startup milestone for the desktop benchmark (scripts/desktop-bench.sh): the app writes it
 * to the probe file only when started with GONGWEN_STARTUP_PROBE, and ignores it otherwise.
 */
export function startupMark(name: string, epochMs: number): Promise<void> {
  return call<void>("startup_mark", { name, epochMs });
}

// ---------------------------------------------------------------------------
// 收文 and 回执 (src-tauri/src/commands/incoming.rs)
// ---------------------------------------------------------------------------

export type {
  IncomingCounts,
  IncomingDetail,
  IncomingFileRow,
  IncomingListPage,
  IncomingQuery,
  IncomingRow,
  IncomingStage,
  InstructRequest,
  RecipientRow,
  RegisterRequest,
  RegisterResult,
  RegistrationInfo,
  RouteChoice,
  FirstStepChoice,
  PersonChoice,
  SentDocumentRow,
  SignResult,
};

/** One page of a 收文 list (待签收, 待登记, 已登记), filtered, newest first. */
export function incomingList(stage: IncomingStage, query: IncomingQuery, offset: number, limit: number): Promise<IncomingListPage> {
  return call<IncomingListPage>("incoming_list", { stage, query, offset, limit });
}

/** The counts beside the 收文 entries of the navigation. */
export function incomingCounts(): Promise<IncomingCounts> {
  return call<IncomingCounts>("incoming_counts");
}

/** One incoming document: as issued, its files, sender and registration. */
export function incomingDetail(incomingId: string): Promise<IncomingDetail> {
  return call<IncomingDetail>("incoming_detail", { incomingId });
}

/** 签收: recorded here at once and sent with the next sync (待同步). */
export function signIncoming(incomingId: string): Promise<SignResult> {
  return call<SignResult>("sign_incoming", { incomingId });
}

/** The 收文编号 登记 would give now. */
export function suggestReceiptNumber(incomingId: string): Promise<string> {
  return call<string>("suggest_receipt_number", { incomingId });
}

/** 登记: records the particulars and starts the 收文 flow. */
export function registerIncoming(incomingId: string, request: RegisterRequest): Promise<RegisterResult> {
  return call<RegisterResult>("register_incoming", { incomingId, request });
}

/** The 收文 route templates 登记 may use. */
export function incomingRoutes(): Promise<RouteChoice[]> {
  return call<RouteChoice[]>("incoming_routes");
}

/** The first step 登记 would start with `route` (undefined: by 文种) and its template handlers. */
export function firstStepPreview(incomingId: string, route?: string): Promise<FirstStepChoice> {
  return call<FirstStepChoice>("first_step_preview", { incomingId, route: route ?? null });
}

/** 回执: documents this organ sent, each recipient organ signed or not. */
export function receiptOverview(): Promise<SentDocumentRow[]> {
  return call<SentDocumentRow[]>("receipt_overview");
}

/** Saves one file of an incoming document (by name, or "pdf") to `path`; resolves with the path written. */
export function saveIncomingFile(incomingId: string, file: string, path: string): Promise<string> {
  return call<string>("save_incoming_file", { incomingId, file, path });
}

/** 批办: approves the 批办 task with the 主办/协办 departments and the 办理时限 of 承办. */
export function instructTask(request: InstructRequest): Promise<ActResult> {
  return call<ActResult>("instruct_task", { request });
}

export type { MarkedText, SearchHitRow, SearchKind, SearchResult };

/**
 * 搜索本机公文: drafts, 发文 and 收文 matching every word of `query`, best first; only
 * `kind` when given. Rejects with `invalid_input` when nothing in `query` is searchable.
 */
export function searchDocuments(query: string, kind: SearchKind | null, limit: number): Promise<SearchResult> {
  return call<SearchResult>("search_documents", { query, kind, limit });
}

// ---------------------------------------------------------------------------
// 发文登记簿 (src-tauri/src/commands/outgoing.rs)
// ---------------------------------------------------------------------------

export type { OutgoingDetail, OutgoingListPage, OutgoingQuery, OutgoingRow };

/** One page of the 发文 register (documents numbered at 登记), newest number first, filtered. */
export function outgoingRegister(query: OutgoingQuery, offset: number, limit: number): Promise<OutgoingListPage> {
  return call<OutgoingListPage>("outgoing_register", { query, offset, limit });
}

/** One registered document: as it prints (with its 文号), its flow and each recipient's 回执. */
export function outgoingDetail(documentId: string): Promise<OutgoingDetail> {
  return call<OutgoingDetail>("outgoing_detail", { documentId });
}
