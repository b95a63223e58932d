import { Alert, Button, Card, Empty, Flex, Input, Skeleton, Tag, Typography, type InputRef } from "antd";
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type ReactNode, type RefObject } from "react";
import * as ipc from "../../lib/ipc";
import { formatListTime } from "../../lib/format";
import { IncomingDetailView } from "../incoming/IncomingDetailView";
import "./SearchPage.css";

/** How long typing must pause before the search runs. */
export const SEARCH_DEBOUNCE_MS = 250;

/** The most results one search shows. */
export const SEARCH_LIMIT = 100;

/** The filter chips: every kind, or one. */
export type SearchScope = "all" | ipc.SearchKind;

const SCOPES: { key: SearchScope; label: string }[] = [
  { key: "all", label: "全部" },
  { key: "draft", label: "草稿" },
  { key: "outgoing", label: "发文" },
  { key: "incoming", label: "收文" },
];

/** What each kind of hit is called, its colour, and where it opens. */
const KINDS: Record<ipc.SearchKind, { label: string; color: string; opens: string }> = {
  draft: { label: "草稿", color: "blue", opens: "在草稿编辑器中打开" },
  outgoing: { label: "发文", color: "red", opens: "在草稿编辑器中查看" },
  incoming: { label: "收文", color: "green", opens: "打开来文详情" },
};

/**
 * What the page keeps while the app runs: opening a result replaces the page, and coming back
 * to 搜索 shows the same words, filter and results again.
 */
const memory: { query: string; scope: SearchScope } = { query: "", scope: "all" };

/** Forgets the remembered search (tests). */
export function forgetSearch() {
  memory.query = "";
  memory.scope = "all";
}

export interface SearchPageProps {
  /** Opens a 草稿 or 发文 in the draft editor. */
  onOpenDraft: (draftId: string) => void;
  /** Opens the 办理 page of a task (from a 收文's detail). */
  onOpenTask: (taskId: string) => void;
  /** 签收 or 登记 in a 收文's detail changed the store. */
  onChanged: () => void;
}

/** The words the last search ran with, and what it found (or why it failed). */
interface Outcome {
  query: string;
  scope: SearchScope;
  result?: ipc.SearchResult;
  error?: ipc.CommandError;
}

/** Text with the parts that match the query marked. React escapes the text: never HTML. */
export function Marked({ parts }: { parts: ipc.MarkedText[] }) {
  return (
    <>
      {parts.map((p, i) =>
        p.hit ? (
          <mark key={i} className="gw-hit">
            {p.text}
          </mark>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </>
  );
}

/**
 * 搜索本机公文: one large box, results as you type (草稿, 发文 and 收文 on this device, offline
 * too), ranked, with the matches marked. ↑/↓ choose a result, Enter opens it.
 */
export function SearchPage({ onOpenDraft, onOpenTask, onChanged }: SearchPageProps) {
  const [query, setQuery] = useState(memory.query);
  const [scope, setScope] = useState<SearchScope>(memory.scope);
  const [outcome, setOutcome] = useState<Outcome>();
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState(0);
  const [openIncoming, setOpenIncoming] = useState<string | null>(null);
  const input = useRef<InputRef>(null);
  const listRef = useRef<HTMLUListElement>(null);
  /** Numbers the searches so that only the latest one's answer is shown. */
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);

  const run = useCallback((text: string, kind: SearchScope) => {
    clearTimeout(timer.current);
    const words = text.trim();
    const mine = ++seq.current;
    if (!words) {
      setOutcome(undefined);
      setLoading(false);
      return;
    }
    setLoading(true);
    ipc
      .searchDocuments(words, kind === "all" ? null : kind, SEARCH_LIMIT)
      .then((result) => {
        if (mine !== seq.current) return;
        setOutcome({ query: words, scope: kind, result });
        setSelected(0);
      })
      .catch((raw: unknown) => {
        if (mine !== seq.current) return;
        setOutcome({ query: words, scope: kind, error: ipc.CommandError.from(raw) });
      })
      .finally(() => {
        if (mine === seq.current) setLoading(false);
      });
  }, []);

  // A remembered search runs again at once when the page comes back.
  useEffect(() => {
    if (memory.query.trim()) run(memory.query, memory.scope);
    input.current?.focus();
    return () => clearTimeout(timer.current);
  }, [run]);

  const typed = (text: string) => {
    setQuery(text);
    memory.query = text;
    clearTimeout(timer.current);
    if (!text.trim()) {
      run("", scope);
      return;
    }
    timer.current = setTimeout(() => run(text, scope), SEARCH_DEBOUNCE_MS);
  };

  const chooseScope = (next: SearchScope) => {
    setScope(next);
    memory.scope = next;
    run(query, next);
  };

  const hits = outcome?.result?.hits ?? [];
  const current = outcome?.query === query.trim() && outcome.scope === scope;

  const open = useCallback(
    (hit: ipc.SearchHitRow) => {
      if (hit.kind === "incoming") setOpenIncoming(hit.id);
      else onOpenDraft(hit.id);
    },
    [onOpenDraft],
  );

  // Keep the chosen result in view.
  useEffect(() => {
    const row = listRef.current?.querySelector<HTMLElement>(`[data-index="${selected}"]`);
    row?.scrollIntoView?.({ block: "nearest" });
  }, [selected]);

  /** ↑/↓ move through the results from the box or the list; Enter searches now, or opens. */
  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    // Keys that pick a candidate of the input method are not ours.
    if (event.nativeEvent.isComposing) return;
    if (event.key === "ArrowDown" && hits.length > 0) {
      event.preventDefault();
      setSelected((i) => Math.min(i + 1, hits.length - 1));
    } else if (event.key === "ArrowUp" && hits.length > 0) {
      event.preventDefault();
      setSelected((i) => Math.max(i - 1, 0));
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (current && hits[selected]) open(hits[selected]);
      else run(query, scope);
    }
  };

  if (openIncoming) {
    return (
      <IncomingDetailView
        incomingId={openIncoming}
        onBack={() => {
          setOpenIncoming(null);
          onChanged();
          run(query, scope);
        }}
        onChanged={onChanged}
        onOpenTask={onOpenTask}
      />
    );
  }

  return (
    <Card variant="borderless" className="gw-card gw-search" data-testid="search-page">
      <div className="gw-search-head">
        <Input.Search
          ref={input}
          size="large"
          allowClear
          autoFocus
          value={query}
          placeholder="输入标题、正文、文号、主送或来文单位中的文字"
          aria-label="搜索本机公文"
          data-testid="search-input"
          enterButton="搜索"
          loading={loading}
          onChange={(e) => typed(e.target.value)}
          onSearch={(value, event, info) => {
            // Enter is handled by onKeyDown (search now, or open the chosen result).
            if (info?.source === "clear") typed("");
            else if (!(event && "key" in event)) run(value, scope);
          }}
          onKeyDown={onKeyDown}
        />
        <Flex gap={4} wrap align="center" className="gw-search-scopes" role="group" aria-label="按类别筛选">
          {SCOPES.map((s) => (
            <Tag.CheckableTag
              key={s.key}
              checked={scope === s.key}
              onChange={() => chooseScope(s.key)}
              data-testid={`search-scope-${s.key}`}
              aria-pressed={scope === s.key}
            >
              {s.label}
            </Tag.CheckableTag>
          ))}
          {outcome?.result && (
            <Typography.Text type="secondary" className="gw-search-count" data-testid="search-count">
              {countText(hits.length)}
            </Typography.Text>
          )}
        </Flex>
      </div>
      {outcome?.result?.incomplete && (
        <Alert type="info" showIcon className="gw-search-notice" data-testid="search-incomplete" title="正在建立索引，结果可能不全" description="同步后本机正在为新到的公文建立搜索索引，完成后再搜索即可看到全部结果。" />
      )}
      {outcome?.result?.incomingLimited && (
        <Alert type="info" showIcon className="gw-search-notice" data-testid="search-incoming-limited" title="本机收文很多，只查找了最近的一万份收文" description="较早的收文可在“收文”页按日期和来文单位筛选查找。" />
      )}
      <SearchBody
        query={query}
        outcome={outcome}
        stale={!current}
        loading={loading}
        hits={hits}
        selected={selected}
        listRef={listRef}
        onSelect={setSelected}
        onOpen={open}
        onKeyDown={onKeyDown}
        onRetry={() => run(query, scope)}
        onAll={() => chooseScope("all")}
      />
    </Card>
  );
}

function countText(n: number): string {
  if (n >= SEARCH_LIMIT) return `显示最相关的 ${n} 条，输入更多文字可缩小范围`;
  return `找到 ${n} 条`;
}

interface SearchBodyProps {
  query: string;
  outcome: Outcome | undefined;
  /** The words changed since: the results shown are the last search's, a new one is coming. */
  stale: boolean;
  loading: boolean;
  hits: ipc.SearchHitRow[];
  selected: number;
  listRef: RefObject<HTMLUListElement | null>;
  onSelect: (i: number) => void;
  onOpen: (hit: ipc.SearchHitRow) => void;
  onKeyDown: (event: KeyboardEvent<HTMLElement>) => void;
  onRetry: () => void;
  onAll: () => void;
}

/** Below the box: what can be searched, the results, or why there are none. */
function SearchBody({ query, outcome, stale, loading, hits, selected, listRef, onSelect, onOpen, onKeyDown, onRetry, onAll }: SearchBodyProps) {
  if (!query.trim()) {
    return (
      <Hint
        testId="search-empty"
        title="输入文字，搜索本机公文"
        text="可查找草稿、发文和收文的标题、正文、文号、主送机关、附件名称和来文单位，两个字即可（如“通知”“防汛”）；多个词用空格分开。只查本机已同步的公文，离线时同样可用。按 Ctrl+F 或 / 可随时回到搜索框。"
      />
    );
  }
  if (outcome?.error) {
    return (
      <Alert
        type="error"
        showIcon
        className="gw-search-notice"
        data-testid="search-error"
        title={outcome.error.code === "invalid_input" ? "请输入要查找的文字" : "搜索失败"}
        description={outcome.error.message}
        action={
          outcome.error.code === "invalid_input" ? undefined : (
            <Button size="small" onClick={onRetry}>
              重试
            </Button>
          )
        }
      />
    );
  }
  if (!outcome?.result) {
    return loading ? <Skeleton active paragraph={{ rows: 4 }} className="gw-search-skeleton" /> : null;
  }
  if (hits.length === 0) {
    const kind = SCOPES.find((s) => s.key === outcome.scope)?.label ?? "公文";
    return (
      <Hint
        testId="search-no-hits"
        title={`没有找到包含“${outcome.query}”的${outcome.scope === "all" ? "公文" : kind}`}
        text={
          <>
            请减少字数或换一个说法再试（两个字即可搜索，如“防汛”）；多个词用空格分开时，每个词都须出现。
            {outcome.scope !== "all" && (
              <Button type="link" size="small" onClick={onAll} data-testid="search-all">
                在全部类别中查找
              </Button>
            )}
          </>
        }
      />
    );
  }
  return (
    <ul
      ref={listRef}
      className={stale ? "gw-search-results gw-search-stale" : "gw-search-results"}
      role="listbox"
      aria-label="搜索结果"
      tabIndex={0}
      onKeyDown={onKeyDown}
      aria-activedescendant={hits[selected] ? `gw-hit-${selected}` : undefined}
      data-testid="search-results"
      data-query={outcome.query}
      data-stale={stale}
    >
      {hits.map((hit, i) => (
        <HitRow key={`${hit.kind}-${hit.id}`} hit={hit} index={i} selected={i === selected} onSelect={onSelect} onOpen={onOpen} />
      ))}
    </ul>
  );
}

function Hint({ title, text, testId }: { title: string; text: ReactNode; testId: string }) {
  return (
    <Empty
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      className="gw-search-hint"
      data-testid={testId}
      description={
        <>
          <div className="gw-empty-title">{title}</div>
          <Typography.Text type="secondary">{text}</Typography.Text>
        </>
      }
    />
  );
}

interface HitRowProps {
  hit: ipc.SearchHitRow;
  index: number;
  selected: boolean;
  onSelect: (i: number) => void;
  onOpen: (hit: ipc.SearchHitRow) => void;
}

/** One result: what it is, its title, 文种 / 文号 / 来文单位 / date, and the matching text. */
function HitRow({ hit, index, selected, onSelect, onOpen }: HitRowProps) {
  const kind = KINDS[hit.kind];
  const snippet = hit.snippet.some((s) => s.text.trim());
  return (
    <li
      id={`gw-hit-${index}`}
      role="option"
      aria-selected={selected}
      data-index={index}
      data-kind={hit.kind}
      data-testid="search-hit"
      className={selected ? "gw-search-hit gw-search-hit-selected" : "gw-search-hit"}
      onMouseEnter={() => onSelect(index)}
      onClick={() => onOpen(hit)}
    >
      <div className="gw-search-hit-head">
        <Tag color={kind.color} className="gw-search-kind">
          {kind.label}
        </Tag>
        <span className="gw-search-title" data-testid="search-hit-title">
          <Marked parts={hit.title} />
        </span>
        <span className="gw-search-opens">{kind.opens}</span>
      </div>
      <div className="gw-search-meta">
        {hit.docType && <span>{hit.docType}</span>}
        {hit.docNumber && (
          <span data-testid="search-hit-number">
            <Marked parts={hit.docNumber} />
          </span>
        )}
        {hit.fromOrgan && (
          <span>
            来文单位：
            <Marked parts={hit.fromOrgan} />
          </span>
        )}
        {hit.status && <span>{hit.status}</span>}
        <span>
          {hit.kind === "incoming" ? "收到" : "修改"} {formatListTime(hit.date)}
        </span>
      </div>
      {snippet && (
        <div className="gw-search-snippet" data-testid="search-hit-snippet">
          <Marked parts={hit.snippet} />
        </div>
      )}
    </li>
  );
}
