import { useCallback, useEffect, useState } from "react";
import { loadDirectory } from "./PersonPicker";

/**
 * People are shown by name (王芳), not by login (wangfang): `nameOf(login)` looks the login up
 * in the local directory (通讯录), read once per session. Until it is read, or for someone it
 * does not know, the login itself.
 */
export function usePersonName(): (login: string) => string {
  const [names, setNames] = useState<ReadonlyMap<string, string>>();
  useEffect(() => {
    let alive = true;
    loadDirectory()
      .then((people) => {
        if (alive) setNames(new Map(people.map((p) => [p.id, p.name])));
      })
      // No directory (nothing synced, or the store cannot be read): logins it is.
      .catch(() => {});
    return () => {
      alive = false;
    };
  }, []);
  return useCallback((login: string) => names?.get(login) || login, [names]);
}

/** A person's name in a table cell or a line of text, from their login. */
export function PersonName({ login }: { login: string }) {
  const nameOf = usePersonName();
  return <>{nameOf(login)}</>;
}
