import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as ipc from "../../lib/ipc";
import { renderInApp } from "../../test/render";
import { ChangePasswordModal } from "./ChangePasswordModal";

vi.mock("../../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../lib/ipc")>();
  return { ...actual, changePassword: vi.fn() };
});

const mocked = vi.mocked(ipc);

async function fill(current: string, next: string, repeat = next) {
  const user = userEvent.setup();
  if (current) await user.type(screen.getByLabelText("当前密码"), current);
  if (next) await user.type(screen.getByLabelText("新密码"), next);
  if (repeat) await user.type(screen.getByLabelText("再次输入新密码"), repeat);
  await user.click(screen.getByRole("button", { name: "修改密码" }));
  return user;
}

describe("ChangePasswordModal", () => {
  beforeEach(() => vi.resetAllMocks());

  it("checks the policy and the repeat before asking the server", async () => {
    renderInApp(<ChangePasswordModal open login="zhangsan" onClose={vi.fn()} />);
    await fill("旧的密码123", "短密码");
    expect(await screen.findByText("新密码太短：至少需要 8 个字符")).toBeInTheDocument();
    const user = userEvent.setup();
    await user.clear(screen.getByLabelText("新密码"));
    await user.type(screen.getByLabelText("新密码"), "ZhangSan");
    expect(await screen.findByText("新密码不能与用户名相同")).toBeInTheDocument();
    await user.clear(screen.getByLabelText("新密码"));
    await user.type(screen.getByLabelText("新密码"), "新的密码45678");
    expect(await screen.findByText("两次输入的新密码不一致")).toBeInTheDocument();
    expect(mocked.changePassword).not.toHaveBeenCalled();
  });

  it("changes the password and says the other devices must log in again", async () => {
    mocked.changePassword.mockResolvedValue(undefined);
    const onClose = vi.fn();
    renderInApp(<ChangePasswordModal open login="zhangsan" onClose={onClose} />);
    await fill("旧的密码123", "新的密码45678");
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(mocked.changePassword).toHaveBeenCalledWith("旧的密码123", "新的密码45678");
    expect(await screen.findByText(/密码已修改。您在其他设备上的登录已失效/)).toBeInTheDocument();
  });

  it("puts a wrong current password on its field and keeps what was typed", async () => {
    mocked.changePassword.mockRejectedValue({ code: "wrong_password", message: "当前密码不正确" });
    const onClose = vi.fn();
    renderInApp(<ChangePasswordModal open login="zhangsan" onClose={onClose} />);
    await fill("记错的密码12", "新的密码45678");
    expect(await screen.findByText("当前密码不正确")).toBeInTheDocument();
    expect(screen.getByLabelText("当前密码")).toHaveValue("记错的密码12");
    expect(screen.getByLabelText("新密码")).toHaveValue("新的密码45678");
    expect(onClose).not.toHaveBeenCalled();
  });

  it("shows the server's policy refusal on the new password", async () => {
    mocked.changePassword.mockRejectedValue({ code: "weak_password", message: "新密码不能与当前密码相同" });
    renderInApp(<ChangePasswordModal open login="zhangsan" onClose={vi.fn()} />);
    await fill("旧的密码123", "新的密码45678");
    expect(await screen.findByText("新密码不能与当前密码相同")).toBeInTheDocument();
  });

  it("says the server is needed when offline, and nothing is lost", async () => {
    const text = "修改密码需要连接服务器，当前无法连接（connection refused）。密码未修改，请联网后重试";
    mocked.changePassword.mockRejectedValue({ code: "offline", message: text });
    const onClose = vi.fn();
    renderInApp(<ChangePasswordModal open login="zhangsan" onClose={onClose} />);
    await fill("旧的密码123", "新的密码45678");
    expect(await screen.findByTestId("password-error")).toHaveTextContent("修改密码需要连接服务器");
    expect(screen.getByLabelText("新密码")).toHaveValue("新的密码45678");
    expect(onClose).not.toHaveBeenCalled();
  });
});
