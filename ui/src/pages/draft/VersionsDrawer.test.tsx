import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { forgetDirectory } from "../../components/PersonPicker";
import * as ipc from "../../lib/ipc";
import { renderInApp } from "../../test/render";
import { VersionsDrawer } from "./VersionsDrawer";

vi.mock("../../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../lib/ipc")>();
  return { ...actual, draftHistory: vi.fn(), compareVersions: vi.fn(), directory: vi.fn() };
});

const mocked = vi.mocked(ipc);

const V1: ipc.VersionRow = { version: 1, author: "wangfang", createdAt: "2026-11-27T09:00:00+08:00", baseVersion: null };
const V2: ipc.VersionRow = { version: 2, author: "lisi", createdAt: "2026-11-27T10:30:00+08:00", baseVersion: 1 };

describe("版本 drawer", () => {
  it("names the authors as people know them, not by login", async () => {
    forgetDirectory();
    mocked.directory.mockResolvedValue([
      { id: "wangfang", name: "王芳", organ: "鹤山镇人民政府", dept: "党政办", roles: [] },
      { id: "lisi", name: "李四", organ: "鹤山镇人民政府", dept: "党政办", roles: ["部门负责人"] },
    ]);
    mocked.draftHistory.mockResolvedValue([V2, V1]);
    mocked.compareVersions.mockResolvedValue({
      from: V1,
      to: V2,
      changes: [
        {
          element: "标题",
          field: "title",
          pieces: [
            { kind: "equal", text: "关于", author: null, version: null, at: null },
            { kind: "insert", text: "做好", author: "lisi", version: 2, at: V2.createdAt },
          ],
          changedBy: ["lisi"],
        },
      ],
    });
    renderInApp(<VersionsDrawer open draftId="d1" onClose={() => {}} reloadKey={0} />);
    expect(await screen.findByText(/^王芳 · 2026年/)).toBeInTheDocument();
    expect(screen.getByText(/^李四 · 2026年/)).toBeInTheDocument();
    expect(await screen.findByText("修改人：李四")).toBeInTheDocument();
    expect(screen.queryByText(/wangfang|lisi/)).not.toBeInTheDocument();
  });

  it("falls back to the login for someone the directory does not know", async () => {
    forgetDirectory();
    mocked.directory.mockResolvedValue([]);
    mocked.draftHistory.mockResolvedValue([V1]);
    mocked.compareVersions.mockResolvedValue({ from: V1, to: V1, changes: [] });
    renderInApp(<VersionsDrawer open draftId="d1" onClose={() => {}} reloadKey={0} />);
    expect(await screen.findByText(/^wangfang · 2026年/)).toBeInTheDocument();
    expect(await screen.findByText("两个版本的内容相同")).toBeInTheDocument();
  });
});
