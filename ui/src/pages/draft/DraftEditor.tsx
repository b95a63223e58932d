import { ArrowLeftOutlined, DeleteOutlined, HistoryOutlined, InboxOutlined, PaperClipOutlined, PlusOutlined, SendOutlined } from "@ant-design/icons";
import {
  Alert,
  App,
  Badge,
  Button,
  DatePicker,
  Divider,
  Flex,
  Form,
  Input,
  InputNumber,
  List,
  Modal,
  Radio,
  Select,
  Skeleton,
  Space,
  Switch,
  Tag,
  Tooltip,
  Typography,
} from "antd";
import dayjs from "dayjs";
import { memo, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { PdfPreview } from "../../components/PdfPreview";
import { usePersonName } from "../../components/personName";
import { PrintActions } from "../../components/PrintActions";
import {
  DIRECTION_LABELS,
  DOC_TYPES,
  FORMAT_LABELS,
  cleanDocument,
  headingLevel,
  type DirectionName,
  type DocTypeName,
  type FormatName,
  type GwAttachment,
  type GwDocument,
  type GwIssuer,
  type SecrecyLevelName,
  type UrgencyName,
} from "../../lib/document";
import { onFileDrop } from "../../lib/fileDrop";
import * as ipc from "../../lib/ipc";
import { useAutosave, type SaveState } from "../../lib/useAutosave";
import { FIELD_LABELS, findingPlace, findingsByField } from "./lintFields";
import { ConflictDialog } from "./ConflictDialog";
import { VersionsDrawer } from "./VersionsDrawer";
import "./DraftEditor.css";

/** Lint runs this long after the last keystroke. */
export const LINT_DEBOUNCE_MS = 400;
/** The print preview is laid out again this long after the last keystroke. */
export const PREVIEW_DEBOUNCE_MS = 1200;

export interface DraftEditorProps {
  /** The draft to open, or null for a new one (created at the first save). */
  draftId: string | null;
  onBack: () => void;
  /** After 送审. */
  onSubmitted: (result: ipc.SubmitResult) => void;
}

/** Wide enough for "2026年11月29日" beside the calendar icon. */
const DATE_PICKER_WIDTH = 160;

/** The same dependencies, by identity. */
function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}

/**
 * Draws its children again only when one of `deps` changed. The editor's fields are drawn
 * inside one each, given what they show (their part of the document, their lint findings):
 * a keystroke then draws the field it changed, not the whole form of ~30 controls (without
 * JavaScriptCore's JIT, see src-tauri/src/memory.rs, the whole form took ~40 ms a key).
 */
const Keep = memo(
  function Keep({ children }: { deps: readonly unknown[]; children: ReactNode }) {
    return <>{children}</>;
  },
  (before, after) => sameDeps(before.deps, after.deps),
);

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

function SaveIndicator({ state, unversioned }: { state: SaveState; unversioned: boolean }) {
  switch (state.kind) {
    case "clean":
      return <span className="gw-save gw-save-clean">尚未修改</span>;
    case "dirty":
      return <span className="gw-save gw-save-dirty">有修改，即将保存</span>;
    case "saving":
      return <span className="gw-save gw-save-saving">保存中…</span>;
    case "saved":
      return (
        <span className="gw-save gw-save-saved" data-testid="save-state">
          已保存 {dayjs(state.at).format("HH:mm:ss")}
          {unversioned && <span className="gw-save-hint">（Ctrl+S 或离开时生成新版本）</span>}
        </span>
      );
    case "error":
      return (
        <Tooltip title={state.message}>
          <span className="gw-save gw-save-error" data-testid="save-state">
            未能保存：{state.message}
          </span>
        </Tooltip>
      );
  }
}

/** The file name without its folder and extension: the attachment's default name. */
function fileStem(path: string): string {
  const name = path.split(/[\\/]/).pop() ?? path;
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}

function fileName(path: string): string {
  if (path.startsWith("sha256:")) return "已保存在本机";
  return path.split(/[\\/]/).pop() ?? path;
}

/** A list of names (主送, 抄送, 署名, 签发人): type and press Enter, or paste 、-separated. */
function NamesInput({ value, onChange, placeholder, id }: { value: string[] | undefined; onChange: (v: string[]) => void; placeholder: string; id: string }) {
  return (
    <Select
      id={id}
      mode="tags"
      value={value ?? []}
      onChange={(v: string[]) => onChange(v)}
      tokenSeparators={["、", "，", ",", "；"]}
      placeholder={placeholder}
      open={false}
      suffixIcon={null}
      aria-label={placeholder}
    />
  );
}

/**
 * 起草/修改: every element of the standard in its order, lint findings beside the fields they
 * concern (as you type), the live print preview, autosave (each save a new version), the
 * 版本 drawer and 送审.
 */
export function DraftEditor({ draftId: initialId, onBack, onSubmitted }: DraftEditorProps) {
  const { message, modal } = App.useApp();
  const [draftId, setDraftId] = useState<string | null>(initialId);
  const draftIdRef = useRef<string | null>(initialId);
  const [version, setVersion] = useState<number | null>(null);
  const baseVersion = useRef<number | null>(null);
  const [doc, setDoc] = useState<GwDocument | null>(initialId ? null : { format: "standard", doc_type: "通知", direction: "down" });
  const [loadError, setLoadError] = useState<ipc.CommandError>();
  const [findings, setFindings] = useState<ipc.LintFinding[]>([]);
  const [versionsOpen, setVersionsOpen] = useState(false);
  const [dropping, setDropping] = useState(false);
  const [submitOpen, setSubmitOpen] = useState(false);
  const [conflicts, setConflicts] = useState<ipc.ConflictCopyRow[]>([]);
  const nameOf = usePersonName();
  const [conflictOpen, setConflictOpen] = useState(false);
  /** The lint could not run (the message), so the findings shown may be out of date. */
  const [lintError, setLintError] = useState<string>();
  /** Changes autosaved in the working copy, not yet a version. */
  const [unversioned, setUnversioned] = useState(false);
  /** When opening found autosaved changes of an earlier session (已恢复未保存的修改). */
  const [recoveredAt, setRecoveredAt] = useState<string | null>(null);

  // Open an existing draft.
  useEffect(() => {
    if (!initialId) return;
    ipc
      .openDraft(initialId)
      .then((d) => {
        setDoc(d.document);
        setVersion(d.headVersion);
        baseVersion.current = d.version;
        setUnversioned(d.recovered);
        setRecoveredAt(d.recovered ? (d.workingCopySavedAt ?? d.savedAt) : null);
      })
      .catch((raw: unknown) => setLoadError(ipc.CommandError.from(raw)));
  }, [initialId]);

  const loadConflicts = useCallback((id: string | null) => {
    if (!id) return;
    ipc
      .draftConflicts(id)
      .then(setConflicts)
      .catch(() => setConflicts([]));
  }, []);
  useEffect(() => loadConflicts(initialId), [initialId, loadConflicts]);

  const autosave = useAutosave<GwDocument>(
    useCallback(async (value: GwDocument) => {
      const clean = cleanDocument(value);
      const id = draftIdRef.current;
      if (!id) {
        // The first save creates the draft with its first version.
        const saved = await ipc.createDraft(clean);
        draftIdRef.current = saved.draftId;
        setDraftId(saved.draftId);
        setVersion(saved.version);
        baseVersion.current = saved.version;
      } else {
        // Later ones go to the working copy; a version is made on Ctrl+S, on leaving, on 送审.
        const result = await ipc.autosaveDraft(id, clean, baseVersion.current ?? 1);
        setVersion(result.headVersion);
        if (result.version !== null) baseVersion.current = result.version;
        setUnversioned(result.unsavedChanges);
      }
      setLintNonce((n) => n + 1);
    }, []),
  );

  /** 保存: what is typed becomes a new version (Ctrl+S, the 保存 button, leaving the editor). */
  const flush = autosave.flush;
  const saveVersion = useCallback(async (): Promise<boolean> => {
    if (!(await flush())) return false;
    const id = draftIdRef.current;
    if (!id) return true;
    try {
      const saved = await ipc.commitWorkingCopy(id);
      if (saved) {
        setVersion(saved.version);
        baseVersion.current = saved.version;
      }
      setUnversioned(false);
      setRecoveredAt(null);
      return true;
    } catch (raw) {
      message.error(ipc.CommandError.from(raw).message);
      return false;
    }
  }, [flush, message]);

  // Closing the editor any other way (the navigation) also makes the version.
  useEffect(
    () => () => {
      const id = draftIdRef.current;
      if (!id) return;
      void flush().then(async (ok) => {
        if (ok) await ipc.commitWorkingCopy(id).catch(() => null);
      });
    },
    [flush],
  );

  const discardRecovered = () =>
    modal.confirm({
      title: "放弃未保存的修改？",
      content: "将恢复到上次保存的版本，自动保存的修改会被丢弃。",
      okText: "放弃修改",
      okButtonProps: { danger: true },
      cancelText: "取消",
      onOk: async () => {
        const id = draftIdRef.current;
        if (!id) return;
        await ipc.discardWorkingCopy(id);
        const d = await ipc.openDraft(id);
        setDoc(d.document);
        setVersion(d.headVersion);
        baseVersion.current = d.version;
        setUnversioned(false);
        setRecoveredAt(null);
      },
    });

  // Stable (the fields drawn inside <Keep> hold on to the one they were drawn with).
  const autosaveChanged = autosave.changed;
  const update = useCallback(
    (patch: Partial<GwDocument>) => {
      setDoc((current) => {
        const next = { ...(current ?? {}), ...patch };
        autosaveChanged(next);
        return next;
      });
    },
    [autosaveChanged],
  );

  // Lint as you type, and again after every save (the findings always describe the text
  // on screen: a failed run clears them and says so instead of leaving old ones).
  const [lintNonce, setLintNonce] = useState(0);
  const lintInput = useDebounced(doc, LINT_DEBOUNCE_MS);
  const docRef = useRef(doc);
  docRef.current = doc;
  useEffect(() => {
    const input = docRef.current ?? lintInput;
    if (!input) return;
    let cancelled = false;
    ipc
      .lintDocument(cleanDocument(input))
      .then((f) => {
        if (cancelled) return;
        setFindings(f);
        setLintError(undefined);
      })
      .catch((raw: unknown) => {
        if (cancelled) return;
        setFindings([]);
        setLintError(ipc.CommandError.from(raw).message);
      });
    return () => {
      cancelled = true;
    };
  }, [lintInput, lintNonce]);
  const byField = useMemo(() => findingsByField(findings), [findings]);
  const errors = findings.filter((f) => f.severity === "error").length;

  const previewDoc = useDebounced(doc, PREVIEW_DEBOUNCE_MS);
  const previewJob = useMemo<ipc.PrintJob | null>(() => (previewDoc ? { form: "document", document: cleanDocument(previewDoc) } : null), [previewDoc]);

  // Ctrl+S saves now.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
        event.preventDefault();
        void saveVersion();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [saveVersion]);

  // Files dropped on the window become attachments.
  useEffect(() => {
    let stop: (() => void) | undefined;
    let alive = true;
    void onFileDrop((state) => {
      if (state.kind === "over") setDropping(true);
      else if (state.kind === "leave") setDropping(false);
      else {
        setDropping(false);
        setDoc((current) => {
          const attachments: GwAttachment[] = [...(current?.attachments ?? []), ...state.paths.map((p) => ({ name: fileStem(p), file: p }))];
          const next = { ...(current ?? {}), attachments };
          autosave.changed(next);
          return next;
        });
        message.success(`已添加 ${state.paths.length} 个附件`);
      }
    }).then((unlisten) => {
      if (alive) stop = unlisten;
      else unlisten();
    });
    return () => {
      alive = false;
      stop?.();
    };
  }, [autosave, message]);

  const focusField = (field: string) => {
    const el = document.getElementById(`field-${field}`);
    el?.scrollIntoView({ block: "center", behavior: "smooth" });
    el?.focus();
  };

  /** The lint findings of a field, as the Form.Item's status and help. */
  const lintProps = (field: string) => {
    const list = byField.get(field);
    if (!list?.length) return {};
    return {
      validateStatus: list[0].severity === "error" ? ("error" as const) : ("warning" as const),
      lint: (
        <div className={`gw-lint-help gw-lint-help-${list[0].severity}`} data-testid={`lint-${field}`}>
          {list.map((f, i) => (
            <div key={i}>
              {f.index !== null && field !== "body" ? `第${f.index + 1}项：` : f.index !== null ? `第${f.index + 1}行：` : ""}
              {f.message}
            </div>
          ))}
        </div>
      ),
    };
  };

  if (loadError) {
    return (
      <Alert
        type="error"
        showIcon
        title="无法打开草稿"
        description={loadError.message}
        action={<Button onClick={onBack}>返回草稿</Button>}
      />
    );
  }

  // The findings are drawn under the control by hand, not as the Form.Item's animated `help`,
  // which could linger after the finding was gone.
  const field = (name: string, label: ReactNode, control: ReactNode, extra?: ReactNode) => {
    const { validateStatus, lint } = lintProps(name);
    return (
      <Form.Item label={label} validateStatus={validateStatus} extra={extra} htmlFor={`field-${name}`}>
        {control}
        {lint}
      </Form.Item>
    );
  };

  /** A list of names (签发人, 主送, 署名, 抄送), drawn again only when it or its findings change. */
  const namesField = (name: "signers" | "main_recipients" | "signatures" | "cc", label: string, placeholder: string) => (
    <Keep deps={[doc?.[name], byField.get(name)]}>
      {field(
        name,
        label,
        <NamesInput id={`field-${name}`} value={doc?.[name]} onChange={(v) => update({ [name]: v })} placeholder={placeholder} />,
      )}
    </Keep>
  );

  const issuers: GwIssuer[] = doc?.issuers?.length ? doc.issuers : [{ name: "" }];
  const attachments = doc?.attachments ?? [];
  const bodyLines = (doc?.body ?? "").split("\n");
  const headings = bodyLines.map((line, i) => ({ line: line.trim(), level: headingLevel(line), i })).filter((h) => h.level > 0);

  const resolveConflict = async (document: GwDocument, copyId: string) => {
    // The editor's unsaved changes become a version first: the resolution builds on it.
    if (!(await saveVersion())) throw new ipc.CommandError("internal", "未能保存为新版本，请检查后重试。冲突副本仍保留。");
    const id = draftIdRef.current;
    if (!id) return;
    // Kept for good (server and every device), not just hidden for this session.
    const keep = JSON.stringify(document) === JSON.stringify(doc);
    const saved = await ipc.resolveConflict(id, copyId, keep ? null : document);
    setDoc(document);
    setVersion(saved.version);
    baseVersion.current = saved.version;
    setUnversioned(false);
    setRecoveredAt(null);
    const left = conflicts.filter((c) => c.id !== copyId);
    setConflicts(left);
    if (left.length === 0) setConflictOpen(false);
    message.success(keep ? "已保留当前版本，冲突副本已处理" : "已保存为新版本，冲突副本已处理");
  };

  const submit = async (route: string | null) => {
    await autosave.flush();
    const id = draftIdRef.current;
    if (!id) return;
    try {
      const result = await ipc.submitDraft(id, route);
      message.success(`已送审：${result.route}。当前：${result.nowAt}`);
      setSubmitOpen(false);
      onSubmitted(result);
    } catch (raw) {
      modal.error({ title: "未能送审", content: ipc.CommandError.from(raw).message, okText: "知道了" });
    }
  };

  return (
    <div className="gw-editor">
      <Flex className="gw-editor-bar" align="center" justify="space-between" gap={8}>
        <Space size={8}>
          <Button type="link" icon={<ArrowLeftOutlined />} onClick={() => void saveVersion().then((ok) => ok && onBack())} className="gw-editor-back">
            返回草稿
          </Button>
          <Typography.Text strong>{draftId ? `修改草稿${version ? ` · 第${version}版` : ""}` : "起草公文"}</Typography.Text>
          <SaveIndicator state={autosave.state} unversioned={unversioned} />
        </Space>
        <Space size={8}>
          <Button onClick={() => void saveVersion()} disabled={!doc} data-testid="save">
            保存 <span className="gw-kbd">Ctrl+S</span>
          </Button>
          <Badge count={version ?? 0} size="small" color="#4a6a9c" offset={[-4, 2]}>
            <Button icon={<HistoryOutlined />} disabled={!draftId} onClick={() => setVersionsOpen(true)} data-testid="versions">
              版本
            </Button>
          </Badge>
          <Tooltip title={errors > 0 ? `还有 ${errors} 处必须修改的问题（红色）` : draftId ? "" : "请先填写内容"}>
            <Button type="primary" icon={<SendOutlined />} disabled={!draftId || errors > 0} onClick={() => setSubmitOpen(true)}>
              送审
            </Button>
          </Tooltip>
        </Space>
      </Flex>
      {recoveredAt && doc && (
        <Alert
          className="gw-conflict-banner"
          type="info"
          showIcon
          title={`已恢复未保存的修改（${dayjs(recoveredAt).format("MM-DD HH:mm")} 自动保存）`}
          description="上次关闭时这些修改还没有生成版本，现已恢复。可以继续编辑，或保存为新版本。"
          action={
            <Space>
              <Button size="small" type="primary" onClick={() => void saveVersion()}>
                保存为新版本
              </Button>
              <Button size="small" danger onClick={discardRecovered}>
                放弃修改
              </Button>
            </Space>
          }
          data-testid="recovered-banner"
        />
      )}
      {conflicts.length > 0 && doc && (
        <Alert
          className="gw-conflict-banner"
          type="warning"
          showIcon
          title={`此草稿有 ${conflicts.length} 份冲突副本`}
          description={`${conflicts.map((c) => (c.author ? nameOf(c.author) : "另一台电脑")).join("、")}的保存与当前版本冲突，未能成为新版本，已另存为冲突副本。请比较后选择保留哪一份，或逐项合并。`}
          action={
            <Button type="primary" size="small" onClick={() => setConflictOpen(true)} data-testid="resolve-conflicts">
              比较并处理
            </Button>
          }
          data-testid="conflict-banner"
        />
      )}
      <div className="gw-editor-main">
        <div className="gw-editor-form" onBlur={() => void autosave.flush()}>
          {!doc ? (
            <Skeleton active paragraph={{ rows: 14 }} />
          ) : (
            <Form layout="horizontal" labelCol={{ flex: "104px" }} wrapperCol={{ flex: "1" }} labelWrap colon={false} size="middle">
              <Divider titlePlacement="start" plain className="gw-editor-section">
                版头
              </Divider>
              <Keep deps={[doc.doc_type, doc.direction, doc.format, byField.get("doc_type")]}>
                {field(
                  "doc_type",
                  "文种",
                  <Flex gap={8}>
                    <Select
                      id="field-doc_type"
                      style={{ width: 120 }}
                      value={doc.doc_type}
                      onChange={(v: DocTypeName) => update({ doc_type: v })}
                      options={DOC_TYPES.map((t) => ({ value: t, label: t }))}
                      placeholder="选择文种"
                      aria-label="文种"
                    />
                    <Select
                      style={{ width: 110 }}
                      value={doc.direction}
                      allowClear
                      onChange={(v: DirectionName | undefined) => update({ direction: v })}
                      options={Object.entries(DIRECTION_LABELS).map(([value, label]) => ({ value, label }))}
                      placeholder="行文方向"
                      aria-label="行文方向"
                    />
                    <Select
                      style={{ width: 120 }}
                      value={doc.format ?? "standard"}
                      onChange={(v: FormatName) => update({ format: v })}
                      options={Object.entries(FORMAT_LABELS).map(([value, label]) => ({ value, label }))}
                      aria-label="公文格式"
                    />
                  </Flex>,
                )}
              </Keep>
              {byField.has("direction") && field("direction", "行文方向", <span />)}
              {byField.has("format") && field("format", "公文格式", <span />)}
              <Keep deps={[doc.secrecy, doc.copy_number, byField.get("secrecy")]}>
                {field(
                  "secrecy",
                  "密级",
                  <Flex gap={8}>
                    <Select
                      id="field-secrecy"
                      style={{ width: 120 }}
                      allowClear
                      placeholder="不涉密"
                      value={doc.secrecy?.level}
                      onChange={(level: SecrecyLevelName | undefined) =>
                        update({ secrecy: level ? { level, term: doc.secrecy?.term } : undefined })
                      }
                      options={["秘密", "机密", "绝密"].map((v) => ({ value: v, label: v }))}
                      aria-label="密级"
                    />
                    <Input
                      style={{ width: 140 }}
                      disabled={!doc.secrecy}
                      placeholder="保密期限，如 1年"
                      value={doc.secrecy?.term ?? ""}
                      onChange={(e) => doc.secrecy && update({ secrecy: { ...doc.secrecy, term: e.target.value } })}
                      aria-label="保密期限"
                    />
                    <Input
                      id="field-copy_number"
                      style={{ width: 130 }}
                      placeholder="份号，如 000001"
                      value={doc.copy_number ?? ""}
                      onChange={(e) => update({ copy_number: e.target.value })}
                      aria-label="份号"
                    />
                  </Flex>,
                )}
              </Keep>
              {byField.has("copy_number") && field("copy_number", "份号", <span />)}
              <Keep deps={[doc.urgency, byField.get("urgency")]}>
                {field(
                  "urgency",
                  "紧急程度",
                  <Radio.Group
                    id="field-urgency"
                    value={doc.urgency ?? ""}
                    onChange={(e) => update({ urgency: (e.target.value || undefined) as UrgencyName | undefined })}
                    options={[
                      { value: "", label: "普通" },
                      { value: "加急", label: "加急" },
                      { value: "特急", label: "特急" },
                    ]}
                    optionType="button"
                  />,
                )}
              </Keep>
              <Keep deps={[doc.issuers, byField.get("issuers")]}>
                {field(
                  "issuers",
                  "发文机关",
                  <Flex vertical gap={6} id="field-issuers">
                    {issuers.map((issuer, i) => (
                      <Flex key={i} gap={6}>
                        <Input
                          placeholder="发文机关全称"
                          value={issuer.name}
                          onChange={(e) => {
                            const next = [...issuers];
                            next[i] = { ...issuer, name: e.target.value };
                            update({ issuers: next });
                          }}
                          aria-label={`发文机关${i + 1}`}
                        />
                        <Input
                          placeholder="发文机关标志（如 ××市人民政府文件）"
                          value={issuer.mark ?? ""}
                          onChange={(e) => {
                            const next = [...issuers];
                            next[i] = { ...issuer, mark: e.target.value };
                            update({ issuers: next });
                          }}
                          aria-label={`发文机关标志${i + 1}`}
                        />
                        {issuers.length > 1 && (
                          <Button
                            icon={<DeleteOutlined />}
                            aria-label="删除此发文机关"
                            onClick={() => update({ issuers: issuers.filter((_, j) => j !== i) })}
                          />
                        )}
                      </Flex>
                    ))}
                    <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => update({ issuers: [...issuers, { name: "" }] })}>
                      联合发文：添加发文机关
                    </Button>
                  </Flex>,
                )}
              </Keep>
              <Keep deps={[doc.doc_number, byField.get("doc_number")]}>
                {field(
                  "doc_number",
                  "发文字号",
                  <Flex gap={6} align="center" id="field-doc_number">
                    <Input
                      style={{ width: 110 }}
                      placeholder="机关代字"
                      value={doc.doc_number?.prefix ?? ""}
                      onChange={(e) =>
                        update({ doc_number: { prefix: e.target.value, year: doc.doc_number?.year ?? new Date().getFullYear(), seq: doc.doc_number?.seq ?? 0 } })
                      }
                      aria-label="机关代字"
                    />
                    <span>〔</span>
                    <InputNumber
                      style={{ width: 84 }}
                      min={1949}
                      max={2999}
                      value={doc.doc_number?.year}
                      onChange={(v) => update({ doc_number: { prefix: doc.doc_number?.prefix ?? "", year: Number(v) || 0, seq: doc.doc_number?.seq ?? 0 } })}
                      aria-label="年份"
                    />
                    <span>〕</span>
                    <InputNumber
                      style={{ width: 76 }}
                      min={1}
                      value={doc.doc_number?.seq || undefined}
                      onChange={(v) => update({ doc_number: { prefix: doc.doc_number?.prefix ?? "", year: doc.doc_number?.year ?? new Date().getFullYear(), seq: Number(v) || 0 } })}
                      aria-label="序号"
                    />
                    <span>号</span>
                  </Flex>,
                  "草稿一般不填；登记时由服务器统一编号。",
                )}
              </Keep>
              {namesField("signers", "签发人", "上行文须标注签发人；输入姓名后回车")}
              {doc.format === "order" && (
                <>
                  {field(
                    "order_number",
                    "令号",
                    <InputNumber id="field-order_number" min={1} value={doc.order_number} onChange={(v) => update({ order_number: v ?? undefined })} />,
                  )}
                  {field(
                    "signer_title",
                    "签署人职务",
                    <Input id="field-signer_title" value={doc.signer_title ?? ""} onChange={(e) => update({ signer_title: e.target.value })} />,
                  )}
                </>
              )}
              <Divider titlePlacement="start" plain className="gw-editor-section">
                主体
              </Divider>
              <Keep deps={[doc.title, byField.get("title")]}>
                {field(
                  "title",
                  "标题",
                  <Input.TextArea
                    id="field-title"
                    autoSize={{ minRows: 1, maxRows: 3 }}
                    value={doc.title ?? ""}
                    onChange={(e) => update({ title: e.target.value.replace(/\n/g, "") })}
                    placeholder="发文机关 + 关于 + 事由 + 文种，如：××市人民政府关于开展安全生产大检查的通知"
                    aria-label="标题"
                    data-testid="field-title"
                  />,
                )}
              </Keep>
              {namesField("main_recipients", "主送机关", "输入机关名称后回车，可输入多个")}
              <Keep deps={[doc.body, byField.get("body")]}>
                {field(
                  "body",
                  "正文",
                  <>
                    <Input.TextArea
                      id="field-body"
                      className="gw-body-editor"
                      autoSize={{ minRows: 12, maxRows: 40 }}
                      value={doc.body ?? ""}
                      onChange={(e) => update({ body: e.target.value })}
                      placeholder={"每段一行。层次序数：一、（一）1.（1）\n例如：\n为做好……工作，现将有关事项通知如下。\n一、总体要求\n（一）……"}
                      aria-label="正文"
                    />
                    {headings.length > 0 && (
                      <div className="gw-body-outline" aria-label="正文结构">
                        <Typography.Text type="secondary">正文结构（按层次序数识别）</Typography.Text>
                        {headings.map((h) => (
                          <div key={h.i} className={`gw-outline-l${h.level}`}>
                            {h.line}
                          </div>
                        ))}
                      </div>
                    )}
                  </>,
                )}
              </Keep>
              <Keep deps={[doc.attachments, dropping, byField.get("attachments")]}>
                {field(
                  "attachments",
                  "附件",
                  <div id="field-attachments" className={`gw-attachments${dropping ? " gw-attachments-drop" : ""}`}>
                    {attachments.length > 0 && (
                      <List
                        size="small"
                        dataSource={attachments}
                        renderItem={(a, i) => (
                          <List.Item
                            actions={[
                              <Button
                                key="del"
                                type="text"
                                size="small"
                                icon={<DeleteOutlined />}
                                aria-label="删除附件"
                                onClick={() => update({ attachments: attachments.filter((_, j) => j !== i) })}
                              />,
                            ]}
                          >
                            <Flex gap={6} align="center" style={{ width: "100%" }}>
                              <span className="gw-att-no">{i + 1}.</span>
                              <Input
                                size="small"
                                value={a.name}
                                placeholder="附件名称（附件说明）"
                                onChange={(e) => {
                                  const next = [...attachments];
                                  next[i] = { ...a, name: e.target.value };
                                  update({ attachments: next });
                                }}
                                aria-label={`附件${i + 1}名称`}
                              />
                              {a.file && (
                                <Tag icon={<PaperClipOutlined />} className="gw-att-file">
                                  {fileName(a.file)}
                                </Tag>
                              )}
                            </Flex>
                          </List.Item>
                        )}
                      />
                    )}
                    <Flex className="gw-drop-hint" align="center" gap={8}>
                      <InboxOutlined />
                      <span>把文件拖到窗口中即可添加附件，或</span>
                      <Button size="small" type="link" onClick={() => update({ attachments: [...attachments, { name: "" }] })}>
                        只填写附件名称
                      </Button>
                    </Flex>
                  </div>,
                )}
              </Keep>
              <Divider titlePlacement="start" plain className="gw-editor-section">
                落款与版记
              </Divider>
              {namesField("signatures", "发文机关署名", "一般与发文机关相同")}
              <Keep deps={[doc.date, doc.seal, byField.get("date")]}>
                {field(
                  "date",
                  "成文日期",
                  <Flex gap={16} align="center">
                    <DatePicker
                      id="field-date"
                      style={{ width: DATE_PICKER_WIDTH }}
                      value={doc.date ? dayjs(doc.date) : null}
                      onChange={(d) => update({ date: d ? d.format("YYYY-MM-DD") : undefined })}
                      placeholder="签发当日"
                      format="YYYY年M月D日"
                    />
                    <Space>
                      <span>加盖印章</span>
                      <Switch id="field-seal" checked={Boolean(doc.seal)} onChange={(v) => update({ seal: v })} aria-label="加盖印章" />
                    </Space>
                  </Flex>,
                )}
              </Keep>
              {byField.has("seal") && field("seal", "印章", <span />)}
              <Keep deps={[doc.note, byField.get("note")]}>
                {field(
                  "note",
                  "附注",
                  <Input id="field-note" value={doc.note ?? ""} onChange={(e) => update({ note: e.target.value })} placeholder="如：联系人及电话" />,
                )}
              </Keep>
              {namesField("cc", "抄送机关", "输入机关名称后回车；末尾不加句号")}
              <Keep deps={[doc.printing, byField.get("printing")]}>
                {field(
                  "printing",
                  "印发机关",
                  <Flex gap={8} id="field-printing">
                    <Input
                      placeholder="印发机关，如 ××市人民政府办公室"
                      value={doc.printing?.organ ?? ""}
                      onChange={(e) => update({ printing: { organ: e.target.value, date: doc.printing?.date ?? "" } })}
                      aria-label="印发机关"
                    />
                    <DatePicker
                      // Never squeezed by the organ's field ("2026年11月29日" was cut).
                      style={{ width: DATE_PICKER_WIDTH, flexShrink: 0 }}
                      placeholder="印发日期"
                      value={doc.printing?.date ? dayjs(doc.printing.date) : null}
                      onChange={(d) => update({ printing: { organ: doc.printing?.organ ?? "", date: d ? d.format("YYYY-MM-DD") : "" } })}
                      format="YYYY年M月D日"
                      aria-label="印发日期"
                    />
                  </Flex>,
                )}
              </Keep>
              {doc.format === "minutes" &&
                field(
                  "minutes",
                  "出席人员",
                  <NamesInput
                    id="field-minutes"
                    value={doc.minutes?.attendees}
                    onChange={(v) => update({ minutes: { ...(doc.minutes ?? {}), attendees: v } })}
                    placeholder="出席人员姓名"
                  />,
                )}
            </Form>
          )}
        </div>
        <div className="gw-editor-side">
          <Keep deps={[findings, lintError]}>
            <div className="gw-lint-list" aria-label="行文规则检查">
              {lintError ? (
                <Typography.Text type="warning">行文规则检查暂时无法进行：{lintError}</Typography.Text>
              ) : findings.length === 0 ? (
                <Typography.Text type="success">行文规则检查：未发现问题</Typography.Text>
              ) : (
                <>
                  <Typography.Text strong>
                    行文规则检查：{errors > 0 && <Typography.Text type="danger">{errors} 处必须修改</Typography.Text>}
                    {errors > 0 && findings.length - errors > 0 && "，"}
                    {findings.length - errors > 0 && <Typography.Text type="warning">{findings.length - errors} 处建议</Typography.Text>}
                  </Typography.Text>
                  <ul>
                    {findings.map((f, i) => (
                      <li key={i} className={f.severity === "error" ? "gw-lint-error" : "gw-lint-warning"}>
                        <Typography.Link onClick={() => focusField(f.field)}>{findingPlace(f)}</Typography.Link>：{f.message}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </div>
          </Keep>
          <Keep deps={[previewJob, previewDoc !== doc]}>
            <div className="gw-editor-preview">
              <PdfPreview
                job={previewJob}
                stale={previewDoc !== doc}
                emptyText="填写内容后在这里显示打印效果。"
                // The title of what 打印/导出PDF print: the previewed (debounced) document's.
                actions={<PrintActions job={previewJob} title={previewDoc?.title ?? ""} />}
              />
            </div>
          </Keep>
        </div>
      </div>
      {draftId && <VersionsDrawer open={versionsOpen} draftId={draftId} onClose={() => setVersionsOpen(false)} reloadKey={version ?? 0} />}
      {draftId && doc && (
        <ConflictDialog
          open={conflictOpen}
          draftId={draftId}
          copies={conflicts}
          current={doc}
          onCancel={() => setConflictOpen(false)}
          onResolve={resolveConflict}
        />
      )}
      <SubmitDialog open={submitOpen} onCancel={() => setSubmitOpen(false)} onSubmit={submit} />
    </div>
  );
}

/** 送审: choose the route (or let the 文种 and 行文方向 choose it). */
function SubmitDialog({ open, onCancel, onSubmit }: { open: boolean; onCancel: () => void; onSubmit: (route: string | null) => Promise<void> }) {
  const [routes, setRoutes] = useState<string[]>([]);
  const [route, setRoute] = useState<string>("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) ipc.routeNames().then(setRoutes).catch(() => setRoutes([]));
  }, [open]);
  return (
    <Modal
      open={open}
      title="送审"
      okText="送审"
      cancelText="取消"
      confirmLoading={busy}
      onCancel={onCancel}
      onOk={() => {
        setBusy(true);
        void onSubmit(route || null).finally(() => setBusy(false));
      }}
    >
      <Typography.Paragraph type="secondary">送审后草稿将冻结为当前版本，按所选流程送审核人办理。</Typography.Paragraph>
      <Form layout="vertical">
        <Form.Item label="审批流程">
          <Select
            value={route}
            onChange={setRoute}
            options={[{ value: "", label: "按文种和行文方向自动选择" }, ...routes.map((r) => ({ value: r, label: r }))]}
            aria-label="审批流程"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export { FIELD_LABELS };
