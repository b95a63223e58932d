-- The organisation directory: 机关, 部门, 用户, 角色, 岗位, 委托.

CREATE TABLE organs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    level       text NOT NULL CHECK (level IN ('city', 'town', 'village')),
    parent_id   bigint REFERENCES organs (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organs_parent ON organs (parent_id);

CREATE TABLE departments (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organ_id    bigint NOT NULL REFERENCES organs (id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organ_id, name)
);

CREATE TABLE users (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login          text NOT NULL UNIQUE CHECK (length(login) BETWEEN 1 AND 64),
    display_name   text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    organ_id       bigint NOT NULL REFERENCES organs (id),
    department_id  bigint REFERENCES departments (id),
    password_hash  text,
    disabled       boolean NOT NULL DEFAULT false,
    failed_logins  integer NOT NULL DEFAULT 0,
    locked_until   timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_organ ON users (organ_id);

CREATE TABLE user_roles (
    user_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role     text NOT NULL CHECK (role IN ('drafter', 'reviewer', 'signer', 'clerk', 'receiver', 'leader', 'admin')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE positions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organ_id        bigint NOT NULL REFERENCES organs (id),
    department_id   bigint REFERENCES departments (id),
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    holder_user_id  bigint REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX positions_unique ON positions (organ_id, coalesce(department_id, 0), title);

CREATE TABLE delegations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_user_id  bigint NOT NULL REFERENCES users (id),
    to_user_id    bigint NOT NULL REFERENCES users (id),
    role          text CHECK (role IN ('drafter', 'reviewer', 'signer', 'clerk', 'receiver', 'leader', 'admin')),
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK (from_user_id <> to_user_id)
);
CREATE INDEX delegations_to ON delegations (to_user_id, ends_at);
