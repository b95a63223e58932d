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
import type { SyncStatus } from "../bindings/SyncStatus";

export type { DraftRow, ErrorCode, QueueCounts, StoreInfo, SyncStatus };

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

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw CommandError.from(raw);
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

/** One page of my drafts, most recently changed first. */
export function listDrafts(limit: number, offset: number): Promise<DraftRow[]> {
  return call<DraftRow[]>("list_drafts", { limit, offset });
}
