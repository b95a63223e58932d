import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as ipc from "../lib/ipc";
import { last } from "../test/last";
import { renderInApp } from "../test/render";
import { forgetDirectory, PersonPicker } from "./PersonPicker";

vi.mock("../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../lib/ipc")>();
  return { ...actual, directory: vi.fn() };
});

const mocked = vi.mocked(ipc);

const PEOPLE: ipc.PersonRow[] = [
  { id: "zhangsan", name: "张三", organ: "鹤山市人民政府办公室", dept: "秘书科", roles: [] },
  { id: "lisi", name: "李四", organ: "鹤山市人民政府办公室", dept: "秘书科", roles: ["部门负责人"] },
  { id: "wangwu", name: "王五", organ: "鹤山市人民政府办公室", dept: "综合科", roles: ["分管领导"] },
];

/** The options of the open dropdown, by their text. */
function optionTexts() {
  return screen.queryAllByTestId("person-option").map((o) => o.textContent ?? "");
}

describe("PersonPicker", () => {
  beforeEach(() => {
    forgetDirectory();
    mocked.directory.mockResolvedValue(PEOPLE);
  });

  it("groups people by department and finds them by pinyin initials", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    renderInApp(<PersonPicker aria-label="转给" onChange={onChange} />);
    const box = screen.getByRole("combobox", { name: "转给" });
    await user.click(box);
    await waitFor(() => expect(optionTexts()).toHaveLength(3));
    expect(screen.getByText("秘书科")).toBeInTheDocument();
    expect(screen.getByText("综合科")).toBeInTheDocument();
    expect(optionTexts()[1]).toContain("部门负责人");

    await user.type(box, "ww");
    await waitFor(() => expect(optionTexts()).toEqual(["王五分管领导"]));
    await user.click(screen.getByText("王五"));
    expect(onChange).toHaveBeenCalledWith("wangwu");
  });

  it("picks several people and shows their names", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    renderInApp(<PersonPicker multiple aria-label="下一环节办理人" value={["lisi"]} onChange={onChange} />);
    await waitFor(() => expect(screen.getByText("李四")).toBeInTheDocument());
    await user.click(screen.getByRole("combobox", { name: "下一环节办理人" }));
    await user.type(screen.getByRole("combobox", { name: "下一环节办理人" }), "张");
    await waitFor(() => expect(optionTexts()).toEqual(["张三"]));
    await user.click(last(screen.getAllByText("张三")));
    expect(onChange).toHaveBeenCalledWith(["lisi", "zhangsan"]);
  });

  it("accepts a typed id when the directory is still empty", async () => {
    mocked.directory.mockResolvedValue([]);
    const user = userEvent.setup();
    const onChange = vi.fn();
    renderInApp(<PersonPicker aria-label="加签人" onChange={onChange} />);
    const box = screen.getByRole("combobox", { name: "加签人" });
    await user.click(box);
    await user.type(box, "zhaoliu");
    expect(await screen.findByText("不在通讯录中")).toBeInTheDocument();
    await user.click(screen.getByTestId("person-option"));
    expect(onChange).toHaveBeenCalledWith("zhaoliu");
  });
});
