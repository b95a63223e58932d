import { Select, Tag, Typography, type SelectProps } from "antd";
import { useEffect, useMemo, useState } from "react";
import * as ipc from "../lib/ipc";
import { matchesPerson } from "../lib/pinyin";
import "./PersonPicker.css";

/** The directory is read once per session; sync adds people rarely, and a reload rereads it. */
let cached: Promise<ipc.PersonRow[]> | undefined;

/** The local directory, read once and shared by every picker. */
export function loadDirectory(): Promise<ipc.PersonRow[]> {
  cached ??= ipc.directory().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

/** Forgets the cached directory (after a sync brought new people, and in tests). */
export function forgetDirectory() {
  cached = undefined;
}

/** "综合科" or, when the directory spans organs, "鹤山市教育局 · 综合科". */
function groupLabel(person: ipc.PersonRow, manyOrgans: boolean): string {
  const dept = person.dept.trim() || "其他人员";
  return manyOrgans ? `${person.organ} · ${dept}` : dept;
}

interface CommonProps {
  /** People who cannot be chosen (the current user for 转办, those already on the step). */
  exclude?: readonly string[];
  placeholder?: string;
  id?: string;
  "aria-label"?: string;
  "data-testid"?: string;
  status?: "error" | "warning";
}

export type PersonPickerProps = CommonProps &
  (
    | { multiple?: false; value?: string; onChange?: (value: string | undefined) => void }
    | { multiple: true; value?: string[]; onChange?: (value: string[]) => void }
  );

/**
 * Picks people from the local directory (通讯录): searchable by name, id, department or pinyin
 * initials (zs → 张三), grouped by department. Values are person ids. When the directory is
 * empty (nothing synced yet) an id typed in full is still accepted.
 */
export function PersonPicker(props: PersonPickerProps) {
  const { exclude = [], placeholder = "输入姓名、拼音首字母或科室查找", status } = props;
  const [people, setPeople] = useState<ipc.PersonRow[]>();
  const [error, setError] = useState<string>();
  const [search, setSearch] = useState("");

  useEffect(() => {
    let alive = true;
    loadDirectory()
      .then((list) => alive && setPeople(list))
      .catch((raw: unknown) => alive && setError(ipc.CommandError.from(raw).message));
    return () => {
      alive = false;
    };
  }, []);

  const byId = useMemo(() => new Map((people ?? []).map((p) => [p.id, p])), [people]);

  const options = useMemo(() => {
    const list = (people ?? []).filter((p) => !exclude.includes(p.id) && matchesPerson(search, p));
    const manyOrgans = new Set((people ?? []).map((p) => p.organ)).size > 1;
    const groups = new Map<string, ipc.PersonRow[]>();
    for (const p of list) {
      const label = groupLabel(p, manyOrgans);
      groups.set(label, [...(groups.get(label) ?? []), p]);
    }
    const grouped = [...groups.entries()].map(([label, members]) => ({
      label,
      title: label,
      options: members.map((p) => ({
        value: p.id,
        label: p.name,
        person: p,
      })),
    }));
    // Someone not in the local directory yet: accept the exact id typed.
    const typed = search.trim();
    if (typed && !byId.has(typed) && list.length === 0 && people !== undefined) {
      grouped.push({
        label: "不在通讯录中",
        title: "不在通讯录中",
        options: [{ value: typed, label: typed, person: { id: typed, name: typed, organ: "", dept: "", roles: [] } }],
      });
    }
    return grouped;
  }, [people, exclude, search, byId]);

  const common: SelectProps = {
    id: props.id,
    showSearch: { filterOption: false, onSearch: setSearch, searchValue: search },
    placeholder,
    status,
    loading: people === undefined && !error,
    options,
    "aria-label": props["aria-label"],
    style: { width: "100%" },
    notFoundContent: error ? (
      <Typography.Text type="danger">{error}</Typography.Text>
    ) : (
      <Typography.Text type="secondary">{people?.length ? "没有找到此人" : "通讯录为空：同步后即可选择人员，也可输入人员编号"}</Typography.Text>
    ),
    optionRender: (option) => {
      const p = (option.data as { person?: ipc.PersonRow }).person;
      if (!p) return null;
      return (
        <span className="gw-person-option" data-testid="person-option">
          <span>{p.name}</span>
          {p.roles.length > 0 && (
            <Typography.Text type="secondary" className="gw-person-roles">
              {p.roles.join("、")}
            </Typography.Text>
          )}
        </span>
      );
    },
    labelRender: ({ value }) => byId.get(String(value))?.name ?? String(value),
  };

  if (props.multiple) {
    return (
      <Select
        {...common}
        data-testid={props["data-testid"]}
        mode="multiple"
        value={props.value ?? []}
        onChange={(v: string[]) => {
          setSearch("");
          props.onChange?.(v);
        }}
        tagRender={({ value, closable, onClose }) => (
          <Tag closable={closable} onClose={onClose} style={{ marginInlineEnd: 4 }}>
            {byId.get(String(value))?.name ?? String(value)}
          </Tag>
        )}
      />
    );
  }
  return (
    <Select
      {...common}
      data-testid={props["data-testid"]}
      allowClear
      value={props.value}
      onChange={(v: string | undefined) => {
        setSearch("");
        props.onChange?.(v);
      }}
    />
  );
}
