import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as ipc from "../../lib/ipc";
import { renderInApp } from "../../test/render";
import { SetupPage } from "./SetupPage";

vi.mock("../../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../lib/ipc")>();
  return { ...actual, checkServer: vi.fn(), login: vi.fn(), startOffline: vi.fn() };
});
vi.mock("./pickFile", () => ({ chooseCaFile: vi.fn(), chooseDiagnosticsPath: vi.fn() }));

const mocked = vi.mocked(ipc);

const firstRun: ipc.SetupStatus = {
  needsSetup: true,
  profile: null,
  account: null,
  user: "张三",
  serverUrl: null,
  caFile: null,
};

describe("SetupPage", () => {
  beforeEach(() => vi.resetAllMocks());

  it("tests the connection and shows the protocol compatibility", async () => {
    mocked.checkServer.mockResolvedValue({
      serverUrl: "https://oa.example",
      serverVersion: "0.3.0",
      serverProtocol: 1,
      clientProtocol: 1,
      compatible: true,
      databaseOk: true,
      message: "连接成功：服务器版本 0.3.0，通信协议第 1 版，与本客户端兼容。",
    });
    const user = userEvent.setup();
    renderInApp(<SetupPage status={firstRun} onDone={vi.fn()} />);
    await user.type(screen.getByLabelText("服务器地址"), "https://oa.example");
    await user.click(screen.getByTestId("setup-check"));
    expect(await screen.findByText(/连接成功/)).toBeInTheDocument();
    expect(mocked.checkServer).toHaveBeenCalledWith("https://oa.example", null);
  });

  it("keeps what was typed when the password is wrong, and says so", async () => {
    mocked.login.mockRejectedValue({ code: "unauthorized", message: "用户名或密码不正确。请重新输入。" });
    const onDone = vi.fn();
    const user = userEvent.setup();
    renderInApp(<SetupPage status={{ ...firstRun, serverUrl: "https://oa.example" }} onDone={onDone} />);
    expect(screen.getByLabelText("服务器地址")).toHaveValue("https://oa.example");
    await user.type(screen.getByLabelText("用户名"), "zhangsan");
    await user.type(screen.getByLabelText("密码"), "wrong");
    await user.click(screen.getByTestId("setup-submit"));
    expect(await screen.findByText("用户名或密码不正确。请重新输入。")).toBeInTheDocument();
    expect(screen.getByLabelText("用户名")).toHaveValue("zhangsan");
    expect(screen.getByLabelText("密码")).toHaveValue("wrong");
    expect(onDone).not.toHaveBeenCalled();
    expect(mocked.login).toHaveBeenCalledWith("https://oa.example", "zhangsan", "wrong", null);
  });

  it("starts the offline trial", async () => {
    mocked.startOffline.mockResolvedValue({ ...firstRun, needsSetup: false, profile: "local" });
    const onDone = vi.fn();
    const user = userEvent.setup();
    renderInApp(<SetupPage status={firstRun} onDone={onDone} />);
    await user.click(screen.getByTestId("setup-offline"));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
  });

  it("greets a logged-out user with 重新登录", () => {
    renderInApp(<SetupPage status={{ ...firstRun, profile: "server" }} onDone={vi.fn()} />);
    expect(screen.getByRole("heading", { name: "重新登录公文通" })).toBeInTheDocument();
  });
});
