import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { last } from "../../test/last";
import * as ipc from "../../lib/ipc";
import { renderInApp } from "../../test/render";
import { DraftEditor } from "./DraftEditor";

vi.mock("../../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../lib/ipc")>();
  return {
    ...actual,
    createDraft: vi.fn(),
    saveDraft: vi.fn(),
    openDraft: vi.fn(),
    lintDocument: vi.fn(),
    draftHistory: vi.fn(),
    compareVersions: vi.fn(),
    draftConflicts: vi.fn(),
    autosaveDraft: vi.fn(),
    commitWorkingCopy: vi.fn(),
    discardWorkingCopy: vi.fn(),
    compareConflict: vi.fn(),
    resolveConflict: vi.fn(),
  };
});
vi.mock("../../components/PdfPreview", () => ({ PdfPreview: () => <div data-testid="pdf-preview" /> }));

const mocked = vi.mocked(ipc);

describe("DraftEditor", () => {
  beforeEach(() => {
    mocked.createDraft.mockResolvedValue({ draftId: "d1", version: 1, savedAt: "2026-11-28T10:00:00+08:00", unchanged: false });
    mocked.saveDraft.mockImplementation(async () => ({ draftId: "d1", version: 2, savedAt: "2026-11-28T10:00:05+08:00", unchanged: false }));
    mocked.lintDocument.mockResolvedValue([]);
    mocked.draftConflicts.mockResolvedValue([]);
    mocked.autosaveDraft.mockImplementation(async (draftId) => ({
      draftId,
      savedAt: "2026-11-28T10:00:03+08:00",
      unsavedChanges: true,
      version: null,
      headVersion: 1,
    }));
    mocked.commitWorkingCopy.mockResolvedValue({ draftId: "d1", version: 2, savedAt: "2026-11-28T10:00:09+08:00", unchanged: false });
  });

  it("creates the draft at the first save and says 已保存; later saves add versions", async () => {
    renderInApp(<DraftEditor draftId={null} onBack={() => {}} onSubmitted={() => {}} />);
    const title = screen.getByLabelText("标题");
    fireEvent.change(title, { target: { value: "关于做好冬季" } });
    fireEvent.change(title, { target: { value: "关于做好冬季防火工作的通知" } });
    await waitFor(() => expect(screen.getByTestId("save-state")).toHaveTextContent(/^已保存/), { timeout: 15000 });
    expect(mocked.createDraft).toHaveBeenCalledTimes(1);
    // Whatever the timing, the last save carries every keystroke.
    // Saves after the first go to the working copy, not to new versions.
    const lastSaved = mocked.autosaveDraft.mock.calls.length
      ? last(mocked.autosaveDraft.mock.calls)[1]
      : last(mocked.createDraft.mock.calls)[0];
    expect(mocked.saveDraft).not.toHaveBeenCalled();
    expect(lastSaved.title).toBe("关于做好冬季防火工作的通知");
    expect(mocked.createDraft.mock.calls[0][0]).toMatchObject({ format: "standard", doc_type: "通知", direction: "down" });
  });

  it("shows lint findings beside the field they concern and in the list", async () => {
    mocked.lintDocument.mockResolvedValue([
      { rule: "GW010", severity: "error", field: "title", index: null, message: "标题应以文种“通知”结尾" },
      { rule: "GW020", severity: "warning", field: "main_recipients", index: null, message: "下行文应有主送机关" },
    ]);
    renderInApp(<DraftEditor draftId={null} onBack={() => {}} onSubmitted={() => {}} />);
    expect(await screen.findByTestId("lint-title")).toHaveTextContent("标题应以文种“通知”结尾");
    expect(screen.getByTestId("lint-main_recipients")).toHaveTextContent("下行文应有主送机关");
    expect(screen.getByText("1 处必须修改")).toBeInTheDocument();
    // 送审 waits until the red findings are fixed.
    expect(screen.getByRole("button", { name: /送\s?审/ })).toBeDisabled();
  });

  it("makes a version on Ctrl+S from what was typed", async () => {
    const user = userEvent.setup();
    mocked.openDraft.mockResolvedValue({
      id: "d1",
      version: 3,
      headVersion: 3,
      author: "张三",
      savedAt: "2026-11-28T10:00:00+08:00",
      document: { title: "关于报送材料的通知", doc_type: "通知" },
      recovered: false,
      workingCopySavedAt: null,
    });
    renderInApp(<DraftEditor draftId="d1" onBack={() => {}} onSubmitted={() => {}} />);
    const body = await screen.findByLabelText("正文");
    fireEvent.change(body, { target: { value: "一、总体要求" } });
    await user.keyboard("{Control>}s{/Control}");
    await waitFor(() => expect(mocked.commitWorkingCopy).toHaveBeenCalledWith("d1"));
    const [id, doc, base] = last(mocked.autosaveDraft.mock.calls);
    expect(id).toBe("d1");
    expect(base).toBe(3);
    expect(doc.body).toBe("一、总体要求");
    // Only one autosave: Ctrl+S saved at once, and the debounce found nothing left to save.
    expect(mocked.autosaveDraft).toHaveBeenCalledTimes(1);
    expect(await screen.findByText(/第2版/)).toBeInTheDocument();
    // The heading is recognised as level 1 as it is typed.
    expect(screen.getByLabelText("正文结构")).toHaveTextContent("一、总体要求");
  });

  it("clears a finding as soon as the text fixes it, and never shows stale ones", async () => {
    // The lint answers from the document it is given, like the real one.
    mocked.lintDocument.mockImplementation(async (doc) =>
      doc.title ? [] : [{ rule: "GW001", severity: "error", field: "title", index: null, message: "缺少标题" }],
    );
    renderInApp(<DraftEditor draftId={null} onBack={() => {}} onSubmitted={() => {}} />);
    expect(await screen.findByTestId("lint-title")).toHaveTextContent("缺少标题");
    fireEvent.change(screen.getByLabelText("标题"), { target: { value: "鹤山市人民政府办公室关于值班的通知" } });
    await waitFor(() => expect(screen.queryByTestId("lint-title")).not.toBeInTheDocument(), { timeout: 15000 });
    await waitFor(() => expect(screen.getByTestId("save-state")).toHaveTextContent(/^已保存/), { timeout: 15000 });
    expect(screen.queryByText("缺少标题")).not.toBeInTheDocument();
    expect(screen.getByText("行文规则检查：未发现问题")).toBeInTheDocument();

    // A lint that cannot run says so instead of keeping old findings.
    mocked.lintDocument.mockRejectedValue(new ipc.CommandError("invalid_input", "成文日期无效"));
    fireEvent.change(screen.getByLabelText("标题"), { target: { value: "" } });
    expect(await screen.findByText(/行文规则检查暂时无法进行：成文日期无效/, undefined, { timeout: 15000 })).toBeInTheDocument();
    expect(screen.queryByTestId("lint-title")).not.toBeInTheDocument();
  });

  it("warns about conflict copies and resolves one by saving a new version", async () => {
    const user = userEvent.setup();
    const current = { title: "关于值班的通知", doc_type: "通知" as const, body: "一、值班安排" };
    mocked.openDraft.mockResolvedValue({ id: "d1", version: 3, headVersion: 3, author: "张三", savedAt: "2026-11-28T10:00:00+08:00", document: current, recovered: false, workingCopySavedAt: null });
    const copy = { id: "c1", baseVersion: 2, author: "李四", savedAt: "2026-11-28T09:00:00+08:00", document: { ...current, title: "关于春节值班的通知" } };
    mocked.draftConflicts.mockResolvedValue([copy]);
    mocked.compareConflict.mockResolvedValue({
      currentVersion: 3,
      currentAuthor: "张三",
      copy,
      fields: [{ element: "标题", field: "title", current: current.title, copy: copy.document.title, pieces: [] }],
    });
    mocked.commitWorkingCopy.mockResolvedValue(null);
    mocked.resolveConflict.mockResolvedValue({ draftId: "d1", version: 4, savedAt: "2026-11-28T10:01:00+08:00", unchanged: false });
    renderInApp(<DraftEditor draftId="d1" onBack={() => {}} onSubmitted={() => {}} />);
    expect(await screen.findByTestId("conflict-banner")).toHaveTextContent("此草稿有 1 份冲突副本");
    await user.click(screen.getByTestId("resolve-conflicts"));
    await user.click(await screen.findByTestId("take-copy"));
    // The resolution is a new version that names the copy (kept for good, not hidden
    // for the session).
    await waitFor(() => expect(mocked.resolveConflict).toHaveBeenCalled());
    const [id, copyId, doc] = last(mocked.resolveConflict.mock.calls);
    expect(id).toBe("d1");
    expect(copyId).toBe("c1");
    expect(doc?.title).toBe("关于春节值班的通知");
    await waitFor(() => expect(screen.queryByTestId("conflict-banner")).not.toBeInTheDocument());
    expect(await screen.findByText("已保存为新版本，冲突副本已处理")).toBeInTheDocument();
  });

  it("keeps the current version through the API when the user chooses it", async () => {
    const user = userEvent.setup();
    const current = { title: "关于值班的通知", doc_type: "通知" as const, body: "一、值班安排" };
    mocked.openDraft.mockResolvedValue({ id: "d1", version: 3, headVersion: 3, author: "张三", savedAt: "2026-11-28T10:00:00+08:00", document: current, recovered: false, workingCopySavedAt: null });
    const copy = { id: "c1", baseVersion: 2, author: "李四", savedAt: "2026-11-28T09:00:00+08:00", document: { ...current, title: "关于春节值班的通知" } };
    mocked.draftConflicts.mockResolvedValue([copy]);
    mocked.compareConflict.mockResolvedValue({
      currentVersion: 3,
      currentAuthor: "张三",
      copy,
      fields: [{ element: "标题", field: "title", current: current.title, copy: copy.document.title, pieces: [] }],
    });
    mocked.commitWorkingCopy.mockResolvedValue(null);
    mocked.resolveConflict.mockResolvedValue({ draftId: "d1", version: 3, savedAt: "2026-11-28T10:00:00+08:00", unchanged: true });
    renderInApp(<DraftEditor draftId="d1" onBack={() => {}} onSubmitted={() => {}} />);
    await user.click(await screen.findByTestId("resolve-conflicts"));
    await user.click(await screen.findByTestId("keep-current"));
    await waitFor(() => expect(mocked.resolveConflict).toHaveBeenCalledWith("d1", "c1", null));
    expect(await screen.findByText("已保留当前版本，冲突副本已处理")).toBeInTheDocument();
    // Reopening lists only what the server (and the pending resolution) still has.
    expect(screen.queryByTestId("conflict-banner")).not.toBeInTheDocument();
  });

  it("says 已恢复未保存的修改 when opening finds autosaved changes, and can discard them", async () => {
    const user = userEvent.setup();
    mocked.openDraft
      .mockResolvedValueOnce({
        id: "d1",
        version: 2,
        headVersion: 2,
        author: "张三",
        savedAt: "2026-11-28T10:00:00+08:00",
        document: { title: "关于值班的通知（改）" },
        recovered: true,
        workingCopySavedAt: "2026-11-28T14:05:00+08:00",
      })
      .mockResolvedValueOnce({
        id: "d1",
        version: 2,
        headVersion: 2,
        author: "张三",
        savedAt: "2026-11-28T10:00:00+08:00",
        document: { title: "关于值班的通知" },
        recovered: false,
        workingCopySavedAt: null,
      });
    mocked.discardWorkingCopy.mockResolvedValue(true);
    renderInApp(<DraftEditor draftId="d1" onBack={() => {}} onSubmitted={() => {}} />);
    expect(await screen.findByTestId("recovered-banner")).toHaveTextContent("已恢复未保存的修改");
    expect(screen.getByLabelText("标题")).toHaveValue("关于值班的通知（改）");
    await user.click(screen.getByRole("button", { name: "放弃修改" }));
    await user.click(last(await screen.findAllByRole("button", { name: "放弃修改" })));
    await waitFor(() => expect(mocked.discardWorkingCopy).toHaveBeenCalledWith("d1"));
    await waitFor(() => expect(screen.getByLabelText("标题")).toHaveValue("关于值班的通知"));
    expect(screen.queryByTestId("recovered-banner")).not.toBeInTheDocument();
  });
});
