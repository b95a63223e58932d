import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as ipc from "../../lib/ipc";
import { renderInApp } from "../../test/render";
import { forgetSearch, SEARCH_LIMIT, SearchPage } from "./SearchPage";

vi.mock("../../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../lib/ipc")>();
  return { ...actual, searchDocuments: vi.fn(), incomingDetail: vi.fn() };
});
vi.mock("../../components/PdfPreview", () => ({
  PdfPreview: () => <div data-testid="pdf-preview" />,
}));

const mocked = vi.mocked(ipc);

const plain = (text: string): ipc.MarkedText[] => [{ text, hit: false }];

function hit(overrides: Partial<ipc.SearchHitRow> = {}): ipc.SearchHitRow {
  return {
    kind: "draft",
    id: "d-1",
    title: [
      { text: "关于做好", hit: false },
      { text: "防汛", hit: true },
      { text: "工作的通知", hit: false },
    ],
    snippet: [
      { text: "各镇要落实", hit: false },
      { text: "防汛", hit: true },
      { text: "值班制度。", hit: false },
    ],
    docType: "通知",
    docNumber: null,
    fromOrgan: null,
    date: "2026-11-20T08:00:00Z",
    status: null,
    ...overrides,
  };
}

const incomingHit = hit({
  kind: "incoming",
  id: "in-1",
  title: [
    { text: "关于加强", hit: false },
    { text: "防汛", hit: true },
    { text: "物资管理的通知", hit: false },
  ],
  docNumber: plain("鹤水〔2026〕7号"),
  fromOrgan: [
    { text: "鹤山市", hit: false },
    { text: "水利局", hit: false },
  ],
  status: "未签收",
});

function found(hits: ipc.SearchHitRow[], more: Partial<ipc.SearchResult> = {}): ipc.SearchResult {
  return { hits, incomplete: false, incomingLimited: false, ...more };
}

function renderPage() {
  const onOpenDraft = vi.fn();
  const view = renderInApp(<SearchPage onOpenDraft={onOpenDraft} onOpenTask={vi.fn()} onChanged={vi.fn()} />);
  const box = screen.getByRole("searchbox", { name: "搜索本机公文" });
  return { ...view, onOpenDraft, box };
}

describe("SearchPage", () => {
  beforeEach(() => {
    forgetSearch();
    mocked.searchDocuments.mockReset();
    mocked.incomingDetail.mockReset();
  });

  it("opens with the box focused and says what can be searched", () => {
    const { box } = renderPage();
    expect(box).toHaveFocus();
    const empty = screen.getByTestId("search-empty");
    expect(empty).toHaveTextContent("输入文字，搜索本机公文");
    expect(empty).toHaveTextContent("标题、正文、文号、主送机关、附件名称和来文单位");
    expect(mocked.searchDocuments).not.toHaveBeenCalled();
  });

  it("searches once typing pauses, with the last words only", async () => {
    mocked.searchDocuments.mockResolvedValue(found([hit()]));
    const { box } = renderPage();
    fireEvent.change(box, { target: { value: "防" } });
    fireEvent.change(box, { target: { value: "防汛" } });
    expect(mocked.searchDocuments).not.toHaveBeenCalled();
    await screen.findByTestId("search-results");
    expect(mocked.searchDocuments).toHaveBeenCalledTimes(1);
    expect(mocked.searchDocuments).toHaveBeenCalledWith("防汛", null, SEARCH_LIMIT);
    expect(screen.getByTestId("search-count")).toHaveTextContent("找到 1 条");
  });

  it("Enter searches at once without waiting for the pause", async () => {
    mocked.searchDocuments.mockResolvedValue(found([hit()]));
    const { box } = renderPage();
    fireEvent.change(box, { target: { value: "防汛" } });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(mocked.searchDocuments).toHaveBeenCalledWith("防汛", null, SEARCH_LIMIT);
    await screen.findByTestId("search-results");
    expect(mocked.searchDocuments).toHaveBeenCalledTimes(1);
  });

  it("marks the matches in the title, 文号 and snippet as text, never as HTML", async () => {
    mocked.searchDocuments.mockResolvedValue(
      found([
        hit({
          snippet: [
            { text: "<b>加粗</b><img src=x onerror=alert(1)>", hit: false },
            { text: "防汛", hit: true },
          ],
          docNumber: [
            { text: "鹤府〔2026〕", hit: false },
            { text: "12", hit: true },
            { text: "号", hit: false },
          ],
        }),
      ]),
    );
    const { box, container } = renderPage();
    fireEvent.change(box, { target: { value: "防汛" } });
    const row = await screen.findByTestId("search-hit");
    const title = within(row).getByTestId("search-hit-title");
    expect(title).toHaveTextContent("关于做好防汛工作的通知");
    expect([...title.querySelectorAll("mark")].map((m) => m.textContent)).toEqual(["防汛"]);
    expect(within(row).getByTestId("search-hit-number").querySelector("mark")).toHaveTextContent("12");
    const snippet = within(row).getByTestId("search-hit-snippet");
    expect(snippet).toHaveTextContent("<b>加粗</b><img src=x onerror=alert(1)>防汛");
    expect(container.querySelector("b, img")).toBeNull();
    // What it is, its 文种 and where it opens.
    expect(row).toHaveTextContent("草稿");
    expect(row).toHaveTextContent("通知");
    expect(row).toHaveTextContent("在草稿编辑器中打开");
  });

  it("shows a 收文's 文号, 来文单位 and state", async () => {
    mocked.searchDocuments.mockResolvedValue(found([incomingHit]));
    const { box } = renderPage();
    fireEvent.change(box, { target: { value: "防汛" } });
    const row = await screen.findByTestId("search-hit");
    expect(row).toHaveTextContent("收文");
    expect(row).toHaveTextContent("鹤水〔2026〕7号");
    expect(row).toHaveTextContent("来文单位：鹤山市水利局");
    expect(row).toHaveTextContent("未签收");
    expect(row).toHaveTextContent("打开来文详情");
  });

  it("says when the index is still being built", async () => {
    mocked.searchDocuments.mockResolvedValue(found([hit()], { incomplete: true }));
    const { box } = renderPage();
    fireEvent.change(box, { target: { value: "防汛" } });
    expect(await screen.findByTestId("search-incomplete")).toHaveTextContent("正在建立索引，结果可能不全");
  });

  it("does not show the notice when the index is complete", async () => {
    mocked.searchDocuments.mockResolvedValue(found([hit()]));
    const { box } = renderPage();
    fireEvent.change(box, { target: { value: "防汛" } });
    await screen.findByTestId("search-results");
    expect(screen.queryByTestId("search-incomplete")).toBeNull();
  });

  it("↓ and Enter open the chosen result: a draft in the editor", async () => {
    mocked.searchDocuments.mockResolvedValue(found([hit(), hit({ id: "d-2", kind: "outgoing" })]));
    const { box, onOpenDraft } = renderPage();
    fireEvent.change(box, { target: { value: "防汛" } });
    await screen.findByTestId("search-results");
    const rows = screen.getAllByTestId("search-hit");
    expect(rows[0]).toHaveAttribute("aria-selected", "true");
    fireEvent.keyDown(box, { key: "ArrowDown" });
    expect(rows[1]).toHaveAttribute("aria-selected", "true");
    expect(rows[1]).toHaveTextContent("发文");
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onOpenDraft).toHaveBeenCalledWith("d-2");
  });

  it("opens a 收文 in its detail, and comes back to the same results", async () => {
    mocked.searchDocuments.mockResolvedValue(found([incomingHit]));
    mocked.incomingDetail.mockReturnValue(new Promise(() => {}));
    const { box, onOpenDraft } = renderPage();
    fireEvent.change(box, { target: { value: "防汛" } });
    await screen.findByTestId("search-results");
    fireEvent.keyDown(box, { key: "Enter" });
    expect(await screen.findByTestId("incoming-detail")).toHaveAttribute("data-incoming-id", "in-1");
    expect(mocked.incomingDetail).toHaveBeenCalledWith("in-1");
    expect(onOpenDraft).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId("incoming-back"));
    expect(await screen.findByTestId("search-results")).toHaveAttribute("data-query", "防汛");
    expect(screen.getByRole("searchbox", { name: "搜索本机公文" })).toHaveValue("防汛");
  });

  it("says what to do when nothing matches", async () => {
    mocked.searchDocuments.mockResolvedValue(found([]));
    const { box } = renderPage();
    fireEvent.change(box, { target: { value: "不存在的词语" } });
    const none = await screen.findByTestId("search-no-hits");
    expect(none).toHaveTextContent("没有找到包含“不存在的词语”的公文");
    expect(none).toHaveTextContent("请减少字数");
  });

  it("the chips search one kind, and an empty kind offers all of them", async () => {
    mocked.searchDocuments.mockResolvedValue(found([]));
    const { box } = renderPage();
    fireEvent.change(box, { target: { value: "防汛" } });
    await screen.findByTestId("search-no-hits");
    fireEvent.click(screen.getByTestId("search-scope-incoming"));
    await waitFor(() => expect(mocked.searchDocuments).toHaveBeenLastCalledWith("防汛", "incoming", SEARCH_LIMIT));
    expect(await screen.findByText("没有找到包含“防汛”的收文")).toBeInTheDocument();
    mocked.searchDocuments.mockResolvedValue(found([hit()]));
    fireEvent.click(screen.getByTestId("search-all"));
    await screen.findByTestId("search-results");
    expect(mocked.searchDocuments).toHaveBeenLastCalledWith("防汛", null, SEARCH_LIMIT);
  });

  it("shows a failure in place, in Chinese", async () => {
    mocked.searchDocuments.mockRejectedValue({ code: "invalid_input", message: "搜索词为空，请输入要查找的文字" });
    const { box } = renderPage();
    fireEvent.change(box, { target: { value: "，。" } });
    const error = await screen.findByTestId("search-error");
    expect(error).toHaveTextContent("搜索词为空，请输入要查找的文字");
  });

  it("keeps the words and results when the page comes back", async () => {
    mocked.searchDocuments.mockResolvedValue(found([hit()]));
    const first = renderPage();
    fireEvent.change(first.box, { target: { value: "防汛" } });
    await screen.findByTestId("search-results");
    first.unmount();
    const again = renderPage();
    expect(again.box).toHaveValue("防汛");
    expect(await screen.findByTestId("search-results")).toBeInTheDocument();
    expect(mocked.searchDocuments).toHaveBeenLastCalledWith("防汛", null, SEARCH_LIMIT);
  });

  it("clearing the box goes back to the hint", async () => {
    mocked.searchDocuments.mockResolvedValue(found([hit()]));
    const { box } = renderPage();
    fireEvent.change(box, { target: { value: "防汛" } });
    await screen.findByTestId("search-results");
    fireEvent.change(box, { target: { value: "" } });
    expect(screen.getByTestId("search-empty")).toBeInTheDocument();
    expect(screen.queryByTestId("search-results")).toBeNull();
  });
});
