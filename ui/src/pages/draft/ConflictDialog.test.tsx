import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as ipc from "../../lib/ipc";
import { renderInApp } from "../../test/render";
import { ConflictDialog, mergeDocuments } from "./ConflictDialog";

vi.mock("../../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../lib/ipc")>();
  return { ...actual, compareConflict: vi.fn() };
});

const mocked = vi.mocked(ipc);

const CURRENT = { title: "关于做好值班工作的通知", body: "一、值班安排", note: "联系人：张三" };
const COPY_DOC = { title: "关于做好春节值班工作的通知", body: "一、值班安排\n二、工作要求" };
const COPY: ipc.ConflictCopyRow = { id: "c1", baseVersion: 2, author: "李四", savedAt: "2026-11-28T10:00:00+08:00", document: COPY_DOC };

const COMPARISON: ipc.ConflictComparison = {
  currentVersion: 3,
  currentAuthor: "张三",
  copy: COPY,
  fields: [
    {
      element: "标题",
      field: "title",
      current: CURRENT.title,
      copy: COPY_DOC.title,
      pieces: [
        { kind: "equal", text: "关于做好", author: null, version: null, at: null },
        { kind: "insert", text: "春节", author: "李四", version: 2, at: null },
        { kind: "equal", text: "值班工作的通知", author: null, version: null, at: null },
      ],
    },
    { element: "正文", field: "body", current: CURRENT.body, copy: COPY_DOC.body, pieces: [] },
    { element: "附注", field: "note", current: CURRENT.note, copy: "", pieces: [] },
  ],
};

describe("mergeDocuments", () => {
  it("takes each field from the side chosen, removing fields the copy lacks", () => {
    expect(mergeDocuments(CURRENT, COPY_DOC, { title: "copy", body: "current", note: "copy" })).toEqual({
      title: COPY_DOC.title,
      body: CURRENT.body,
    });
    expect(mergeDocuments(CURRENT, COPY_DOC, {})).toEqual(CURRENT);
  });
});

describe("ConflictDialog", () => {
  beforeEach(() => {
    mocked.compareConflict.mockResolvedValue(COMPARISON);
  });

  it("shows both versions side by side with the copy's changes marked", async () => {
    renderInApp(<ConflictDialog open draftId="d1" copies={[COPY]} current={CURRENT} onCancel={() => {}} onResolve={async () => {}} />);
    const grid = await screen.findByTestId("conflict-compare");
    expect(mocked.compareConflict).toHaveBeenCalledWith("d1", "c1");
    expect(within(grid).getByText("标题")).toBeInTheDocument();
    expect(within(grid).getByText(CURRENT.title)).toBeInTheDocument();
    expect(grid.querySelector("ins")).toHaveTextContent("春节");
    expect(screen.getByText(/第3版/)).toBeInTheDocument();
  });

  it("merges field by field and saves the result", async () => {
    const user = userEvent.setup();
    const onResolve = vi.fn(async () => {});
    renderInApp(<ConflictDialog open draftId="d1" copies={[COPY]} current={CURRENT} onCancel={() => {}} onResolve={onResolve} />);
    await screen.findByTestId("conflict-compare");
    const titleChoice = screen.getByRole("radiogroup", { name: "标题采用" });
    await user.click(within(titleChoice).getByText("副本"));
    await user.click(screen.getByTestId("merge"));
    await waitFor(() => expect(onResolve).toHaveBeenCalledWith({ ...CURRENT, title: COPY_DOC.title }, "c1"));
  });

  it("keeps the current version or takes the copy whole", async () => {
    const user = userEvent.setup();
    const onResolve = vi.fn(async () => {});
    renderInApp(<ConflictDialog open draftId="d1" copies={[COPY]} current={CURRENT} onCancel={() => {}} onResolve={onResolve} />);
    await screen.findByTestId("conflict-compare");
    await user.click(screen.getByTestId("take-copy"));
    await waitFor(() => expect(onResolve).toHaveBeenCalledWith({ title: COPY_DOC.title, body: COPY_DOC.body }, "c1"));
    await user.click(screen.getByTestId("keep-current"));
    await waitFor(() => expect(onResolve).toHaveBeenLastCalledWith(CURRENT, "c1"));
  });

  it("says when the resolution could not be saved", async () => {
    const user = userEvent.setup();
    const onResolve = vi.fn(async () => {
      throw new ipc.CommandError("store_unavailable", "磁盘已满");
    });
    renderInApp(<ConflictDialog open draftId="d1" copies={[COPY]} current={CURRENT} onCancel={() => {}} onResolve={onResolve} />);
    await screen.findByTestId("conflict-compare");
    await user.click(screen.getByTestId("keep-current"));
    expect(await screen.findByText("磁盘已满")).toBeInTheDocument();
  });
});
